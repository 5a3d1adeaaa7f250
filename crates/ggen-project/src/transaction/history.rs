//! `.ggen/history/`: one entry per committed transaction, oldest first, bounded in number;
//! and the collection of objects that neither the history nor the snapshot needs.

use std::collections::HashSet;

use serde::Serialize;

use crate::state::lockfile::Lockfile;
use crate::state::objects::ObjectStore;
use crate::state::snapshot::Snapshot;
use crate::transaction::journal::{self, PackChange, PathState, Record};
use crate::{Layout, ProjectError};

/// How many transactions the history keeps unless configured otherwise.
pub const DEFAULT_LIMIT: usize = 20;

/// The environment variable that overrides `history_limit` of `$GGEN_HOME/config.toml`.
pub const LIMIT_VAR: &str = "GGEN_HISTORY_LIMIT";

/// One transaction as `ggen history` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub id: String,
    pub time: String,
    pub command: String,
    pub packs: Vec<PackChange>,
    /// Project files whose content the transaction changed.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    pub path: String,
    /// `create`, `update`, `delete` or `move`.
    pub change: &'static str,
    /// For a move: the path the file moved from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

impl From<&Record> for HistoryEntry {
    fn from(record: &Record) -> HistoryEntry {
        HistoryEntry {
            id: record.id.clone(),
            time: record.time.clone(),
            command: record.command.clone(),
            packs: record.packs.clone(),
            files: record
                .changed_files()
                // A move's old path is part of the one change its new path shows.
                .filter(|(path, _)| !record.moves.values().any(|from| from == *path))
                .map(|(path, change)| {
                    let from = record.moves.get(path).cloned();
                    FileEntry {
                        path: path.clone(),
                        change: match (&change.before, &change.after) {
                            _ if from.is_some() => "move",
                            (PathState::Absent, _) => "create",
                            (_, PathState::Absent) => "delete",
                            _ => "update",
                        },
                        from,
                    }
                })
                .collect(),
        }
    }
}

/// The committed transactions, oldest first. An error when the project has no `.ggen/`.
pub fn list(layout: &Layout) -> Result<Vec<Record>, ProjectError> {
    if !layout.state_dir().is_dir() {
        return Err(ProjectError::NotAProject {
            path: layout.root().to_path_buf(),
        });
    }
    let dir = layout.history_dir();
    let mut records = Vec::new();
    for name in journal::entry_names(&dir) {
        if let Some(record) = Record::read(&dir.join(&name))? {
            records.push(record);
        }
    }
    Ok(records)
}

/// The newest committed transaction, if any.
pub fn last(layout: &Layout) -> Result<Option<Record>, ProjectError> {
    let dir = layout.history_dir();
    match journal::entry_names(&dir).last() {
        Some(name) => Record::read(&dir.join(name)),
        None => Ok(None),
    }
}

/// Removes the oldest entries beyond `limit`, then the objects nothing needs any more.
/// Returns how many entries were removed.
pub(crate) fn prune(layout: &Layout, limit: usize) -> Result<usize, ProjectError> {
    let dir = layout.history_dir();
    let names = journal::entry_names(&dir);
    let excess = names.len().saturating_sub(limit);
    for name in &names[..excess] {
        ggen_fs::remove_dir_all(&dir.join(name))?;
    }
    if excess > 0 {
        collect_garbage(layout)?;
    }
    Ok(excess)
}

/// Deletes objects that no history entry, journal or the snapshot refers to, and temporary
/// files left in the store. The caller holds the project lock. When the snapshot cannot be
/// read nothing is deleted: better keep garbage than lose a merge base.
pub(crate) fn collect_garbage(layout: &Layout) -> Result<usize, ProjectError> {
    let Ok(snapshot) = Snapshot::load(&layout.snapshot()) else {
        return Ok(0);
    };
    let store = ObjectStore::new(layout.objects());
    let mut keep: HashSet<String> = HashSet::new();
    if let Some(snapshot) = &snapshot {
        referenced_by(snapshot, &mut keep);
    }
    for parent in [layout.history_dir(), layout.journal_dir()] {
        for name in journal::entry_names(&parent) {
            let record = match Record::read(&parent.join(&name)) {
                Ok(Some(record)) => record,
                Ok(None) => continue,
                Err(_) => return Ok(0),
            };
            let changes = record
                .files
                .values()
                .chain([&record.lockfile, &record.snapshot]);
            for change in changes {
                for state in [&change.before, &change.after] {
                    if let Some(hash) = state.hash() {
                        keep.insert(hash.to_string());
                    }
                }
            }
            // What a rollback restores: the snapshots and lockfiles this entry recorded, and
            // every merge base and conflict version they name.
            for state in [&record.snapshot.before, &record.snapshot.after] {
                let Some(hash) = state.hash() else { continue };
                match store.load(hash, Snapshot::parse) {
                    Ok(Some(stored)) => referenced_by(&stored, &mut keep),
                    Ok(None) => {}
                    // Unreadable: keep everything rather than guess what it needs.
                    Err(_) => return Ok(0),
                }
            }
            for state in [&record.lockfile.before, &record.lockfile.after] {
                if let Some(hash) = state.hash()
                    && let Ok(Some(stored)) = store.load(hash, Lockfile::parse)
                {
                    keep.extend(stored.files.values().map(|f| f.hash.clone()));
                }
            }
        }
    }
    store.collect(&keep)
}

/// Every object `snapshot` names: merge bases, template outputs, and the base, current and
/// new version of each pending conflict.
pub(crate) fn referenced_by(snapshot: &Snapshot, keep: &mut HashSet<String>) {
    for file in snapshot.files.values() {
        keep.insert(file.hash.clone());
    }
    for conflict in snapshot.conflicts.values() {
        let versions = &conflict.versions;
        keep.extend(
            [&versions.current, &versions.base, &versions.new]
                .into_iter()
                .flatten()
                .cloned(),
        );
    }
    for pack in snapshot.packs.values() {
        for template in pack.templates.values() {
            keep.extend(template.outputs.values().cloned());
        }
    }
}
