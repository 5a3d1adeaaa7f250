//! `ggen rollback [TXID]`: undo the last transaction, or every transaction from TXID on,
//! byte for byte — files, `ggen.lock` and the snapshot — as one new transaction (so a
//! rollback can itself be rolled back). Files changed since are not overwritten without
//! `force`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::state::lockfile::Lockfile;
use crate::state::objects::ObjectStore;
use crate::state::snapshot::Snapshot;
use crate::transaction::journal;
use crate::transaction::journal::{PathState, Record};
use crate::transaction::project_lock::ProjectLock;
use crate::transaction::{Transaction, pack_changes};
use crate::{Environment, Layout, ProjectError, Reporter};

#[derive(Debug, Clone)]
pub struct RollbackOptions {
    /// Undo back to before this transaction (an id or a unique prefix); `None`: the last.
    pub to: Option<String>,
    /// Overwrite files changed since the transactions being undone.
    pub force: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct UndoneTransaction {
    pub id: String,
    pub time: String,
    pub command: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RestoredFile {
    pub path: String,
    /// `restore` (written back), `delete` (did not exist before) or `unchanged`.
    pub action: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct RollbackReport {
    /// The rollback's own transaction id (`ggen rollback` again undoes it).
    pub transaction: String,
    /// Newest first, the order they were undone in.
    pub undone: Vec<UndoneTransaction>,
    pub files: Vec<RestoredFile>,
    /// Files changed since, overwritten because of `force`.
    pub overwritten: Vec<String>,
}

/// The paths a set of transactions touched: what each must be now, and what it goes back to.
struct Plan {
    expected: PathState,
    restore: PathState,
}

pub fn rollback(
    layout: &Layout,
    options: &RollbackOptions,
    env: &Environment,
    reporter: &dyn Reporter,
) -> Result<RollbackReport, ProjectError> {
    let guard = ProjectLock::acquire(layout, env.no_wait, reporter)?;
    rollback_locked(&guard, options, env.history_limit)
}

/// [`rollback`] for a caller that already holds the project lock (`packs update --test`).
pub fn rollback_locked(
    guard: &ProjectLock,
    options: &RollbackOptions,
    history_limit: usize,
) -> Result<RollbackReport, ProjectError> {
    let layout = guard.layout();
    let history = crate::transaction::history::list(layout)?;
    let start = match &options.to {
        None => history
            .len()
            .checked_sub(1)
            .ok_or(ProjectError::NoHistory {
                path: layout.root().to_path_buf(),
            })?,
        Some(id) => find(&history, id)?,
    };
    let undone: Vec<&Record> = history[start..].iter().rev().collect();

    // Newest first: the first entry to touch a path says what it must be now; the last
    // (oldest) says what it goes back to.
    let mut files: BTreeMap<String, Plan> = BTreeMap::new();
    for record in &undone {
        for (path, change) in &record.files {
            files
                .entry(path.clone())
                .and_modify(|plan| plan.restore = change.before.clone())
                .or_insert(Plan {
                    expected: change.after.clone(),
                    restore: change.before.clone(),
                });
        }
    }
    let newest = undone[0];
    let oldest = undone[undone.len() - 1];
    let lockfile = Plan {
        expected: newest.lockfile.after.clone(),
        restore: oldest.lockfile.before.clone(),
    };
    let snapshot = Plan {
        expected: newest.snapshot.after.clone(),
        restore: oldest.snapshot.before.clone(),
    };

    let mut changed = Vec::new();
    for (path, plan) in &files {
        if !matches_now(&layout.file(path), &plan.expected)? {
            changed.push(path.clone());
        }
    }
    for (name, path, plan) in [
        ("ggen.lock", layout.lockfile(), &lockfile),
        (".ggen/snapshot.json", layout.snapshot(), &snapshot),
    ] {
        if !matches_now(&path, &plan.expected)? {
            changed.push(name.to_string());
        }
    }
    if !changed.is_empty() && !options.force {
        return Err(ProjectError::RollbackBlocked { paths: changed });
    }

    // Everything the rollback writes must be in the store before anything is changed.
    let store = ObjectStore::new(layout.objects());
    for plan in files.values().chain([&lockfile, &snapshot]) {
        if let Some(hash) = plan.restore.hash() {
            store.get(hash)?;
        }
    }
    let lock_bytes = state_bytes(&store, &lockfile.restore)?;
    let snapshot_bytes = state_bytes(&store, &snapshot.restore)?;

    let snapshot_before = Snapshot::load(&layout.snapshot()).ok().flatten();
    let snapshot_restored = match snapshot.restore.hash() {
        Some(hash) => store.load(hash, Snapshot::parse)?,
        None => None,
    };

    let ids: Vec<&str> = undone.iter().map(|r| r.id.as_str()).collect();
    let command = format!("rollback {}", ids.join(" "));
    let mut tx = Transaction::begin(
        guard,
        history_limit,
        &command,
        files.keys().map(String::as_str),
    )?;
    let targets: BTreeMap<String, PathState> = files
        .iter()
        .map(|(path, plan)| (path.clone(), plan.restore.clone()))
        .collect();
    tx.restore(&targets)?;
    let current_lock = Lockfile::load(&layout.lockfile())
        .ok()
        .flatten()
        .unwrap_or_default();
    let restored_lock = match &lock_bytes {
        Some(bytes) => Lockfile::parse(bytes, &layout.lockfile())?,
        None => Lockfile::default(),
    };
    let packs = pack_changes(&current_lock, &restored_lock);
    let transaction = tx.commit_bytes(lock_bytes.as_deref(), snapshot_bytes.as_deref(), packs)?;
    crate::state::git_index::sync_conflicts(
        layout.root(),
        &store,
        snapshot_before.as_ref(),
        snapshot_restored.as_ref(),
    );

    let files = files
        .iter()
        .map(|(path, plan)| RestoredFile {
            path: path.clone(),
            action: if plan.restore.same_content(&plan.expected) {
                "unchanged"
            } else if plan.restore == PathState::Absent {
                "delete"
            } else {
                "restore"
            },
        })
        .collect();
    Ok(RollbackReport {
        transaction,
        undone: undone
            .iter()
            .map(|r| UndoneTransaction {
                id: r.id.clone(),
                time: r.time.clone(),
                command: r.command.clone(),
            })
            .collect(),
        files,
        overwritten: changed,
    })
}

/// The index of the transaction `id` (or the one it is a unique prefix of).
fn find(history: &[Record], id: &str) -> Result<usize, ProjectError> {
    if let Some(index) = history.iter().position(|r| r.id == id) {
        return Ok(index);
    }
    let matches: Vec<usize> = (0..history.len())
        .filter(|&i| history[i].id.starts_with(id))
        .collect();
    match matches.as_slice() {
        [index] if !id.is_empty() => Ok(*index),
        [] | [_] => Err(ProjectError::UnknownTransaction {
            id: id.to_string(),
            message: match history.first() {
                Some(first) => format!(
                    "the history holds {} transaction(s), {} to {}",
                    history.len(),
                    first.id,
                    history[history.len() - 1].id
                ),
                None => "the history is empty".into(),
            },
        }),
        _ => Err(ProjectError::UnknownTransaction {
            id: id.to_string(),
            message: format!("it is a prefix of {} transactions", matches.len()),
        }),
    }
}

/// True when the path holds the content `expected` describes.
fn matches_now(path: &std::path::Path, expected: &PathState) -> Result<bool, ProjectError> {
    Ok(journal::current(path)?.is_some_and(|now| now.same_content(expected)))
}

fn state_bytes(store: &ObjectStore, state: &PathState) -> Result<Option<Vec<u8>>, ProjectError> {
    match state {
        PathState::Absent => Ok(None),
        PathState::File { hash, .. } => Ok(Some(store.get(hash)?)),
        PathState::Symlink { .. } => Err(ProjectError::Internal {
            message: "a state file recorded as a symbolic link".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoReporter;
    use crate::state::snapshot::Snapshot;
    use crate::transaction::FileChange;

    /// Commits one transaction writing `files` (content `None`: delete).
    fn commit(guard: &ProjectLock, files: &[(&str, Option<&str>)]) -> String {
        let mut tx = Transaction::begin(guard, 20, "test", files.iter().map(|(p, _)| *p)).unwrap();
        let id = tx.id().to_string();
        let changes: Vec<FileChange> = files
            .iter()
            .map(|(path, text)| FileChange {
                path,
                content: text.map(str::as_bytes),
                executable: None,
                hash: None,
            })
            .collect();
        tx.apply(&[], &changes, &NoReporter).unwrap();
        tx.commit(&mut Lockfile::default(), &Snapshot::new())
            .unwrap();
        id
    }

    fn read(layout: &Layout, path: &str) -> Option<String> {
        std::fs::read_to_string(layout.file(path)).ok()
    }

    #[test]
    fn rolling_back_to_a_transaction_undoes_it_and_every_later_one() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        std::fs::write(layout.file("a.txt"), "original").unwrap();
        let guard = ProjectLock::acquire(&layout, true, &NoReporter).unwrap();
        let first = commit(&guard, &[("a.txt", Some("one")), ("new.txt", Some("new"))]);
        commit(&guard, &[("a.txt", Some("two")), ("new.txt", None)]);

        let options = RollbackOptions {
            to: Some(first.clone()),
            force: false,
        };
        let report = rollback_locked(&guard, &options, 20).unwrap();
        assert_eq!(report.undone.len(), 2);
        assert_eq!(read(&layout, "a.txt").as_deref(), Some("original"));
        assert_eq!(read(&layout, "new.txt"), None);
        // The rollback is itself a transaction of the history.
        assert_eq!(crate::transaction::history::list(&layout).unwrap().len(), 3);
    }

    #[test]
    fn a_file_changed_since_blocks_the_rollback_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        let guard = ProjectLock::acquire(&layout, true, &NoReporter).unwrap();
        commit(&guard, &[("a.txt", Some("generated"))]);
        std::fs::write(layout.file("a.txt"), "edited since").unwrap();

        let options = RollbackOptions {
            to: None,
            force: false,
        };
        match rollback_locked(&guard, &options, 20) {
            Err(ProjectError::RollbackBlocked { paths }) => assert_eq!(paths, ["a.txt"]),
            other => panic!("expected RollbackBlocked, got {other:?}"),
        }
        assert_eq!(read(&layout, "a.txt").as_deref(), Some("edited since"));

        let forced = RollbackOptions {
            to: None,
            force: true,
        };
        rollback_locked(&guard, &forced, 20).unwrap();
        assert_eq!(read(&layout, "a.txt"), None);
    }
}
