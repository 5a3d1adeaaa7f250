//! Every change of a project is one [`Transaction`], under the project lock:
//!
//! 1. [`Transaction::begin`] records the state of every path the change will touch, plus
//!    `ggen.lock` and `.ggen/snapshot.json`, in `.ggen/journal/<txid>/transaction.json`
//!    (contents by hash in the object store, copied only when not already there), then one
//!    durability barrier (`syncfs`).
//! 2. [`Transaction::apply`] stores new objects and writes each file to a temporary name and
//!    renames it into place (no per-file fsync).
//! 3. [`Transaction::commit`] writes the snapshot and the lockfile (atomic replacements), the
//!    final record, one barrier, then renames the journal into `.ggen/history/<txid>/`: that
//!    rename is the commit point. Old history beyond the limit is pruned and unreferenced
//!    objects collected.
//!
//! A transaction dropped before its commit (an error midway) puts every path back at once;
//! a process killed midway leaves the journal, and the next ggen restores from it
//! ([`crate::transaction::recovery`]).

pub mod history;
pub mod journal;
pub mod project_lock;
pub mod recovery;
mod undo;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ggen_fs::Durability;
use rayon::prelude::*;

use crate::state::lockfile::Lockfile;
use crate::state::objects::ObjectStore;
use crate::state::snapshot::{FileStat, Snapshot};
use crate::transaction::project_lock::ProjectLock;
use crate::{Layout, ProjectError, Reporter};
use journal::{PackChange, PathChange, PathState, Record};

/// Benchmark only: `GGEN_UNSAFE_NO_JOURNAL=1` skips the journal and the history (no crash
/// recovery, no rollback), to measure what journaling costs. Never set it otherwise.
pub const NO_JOURNAL_VAR: &str = "GGEN_UNSAFE_NO_JOURNAL";

/// One file to replace (`Some`) or delete (`None`).
#[derive(Debug, Clone)]
pub struct FileChange<'a> {
    pub path: &'a str,
    pub content: Option<&'a [u8]>,
    /// Set (`Some(true)`) or clear the executable bit after writing; `None` keeps the mode
    /// of the file replaced (a user's own chmod), or the default for a new file.
    pub executable: Option<bool>,
    /// The `sha256-<hex>` of `content` when the caller already has it (`None`: computed).
    pub hash: Option<&'a str>,
}

/// A change in flight; see the module documentation for the order of writes.
pub struct Transaction<'a> {
    layout: &'a Layout,
    store: ObjectStore,
    record: Record,
    /// The paths declared at [`Transaction::begin`]: the only ones it may change.
    paths: BTreeSet<String>,
    before_lock: Lockfile,
    /// `.ggen/journal/<txid>/`, or `None` when journaling is switched off.
    journal: Option<PathBuf>,
    history_limit: usize,
    finished: bool,
}

impl<'a> Transaction<'a> {
    /// Journals the current state of `paths` (project-relative, `/`-separated), `ggen.lock`
    /// and the snapshot, and makes the journal durable. `command` names the change in
    /// `ggen history`, which keeps `history_limit` entries ([`Environment::history_limit`]).
    ///
    /// [`Environment::history_limit`]: crate::Environment::history_limit
    pub fn begin<'p>(
        guard: &'a ProjectLock,
        history_limit: usize,
        command: &str,
        paths: impl IntoIterator<Item = &'p str>,
    ) -> Result<Transaction<'a>, ProjectError> {
        Transaction::begin_known(guard, history_limit, command, paths, |_| None)
    }

    /// [`Transaction::begin`] where `known` gives the stat ggen recorded for a path (the
    /// snapshot's): a file that still has it is journaled by the hash recorded with it,
    /// without being read again.
    pub fn begin_known<'p, 'k>(
        guard: &'a ProjectLock,
        history_limit: usize,
        command: &str,
        paths: impl IntoIterator<Item = &'p str>,
        known: impl Fn(&str) -> Option<&'k FileStat> + Sync,
    ) -> Result<Transaction<'a>, ProjectError> {
        let layout = guard.layout();
        let store = ObjectStore::new(layout.objects());
        let paths: BTreeSet<String> = paths.into_iter().map(str::to_string).collect();
        for path in &paths {
            journal::check_relative(path, command)?;
        }
        let journaled = !journaling_disabled();
        // For the history's list of packs changed; a lockfile that does not parse counts as
        // empty here (the operation itself reports it).
        let before_lock = match journaled {
            true => packs_of(layout),
            false => Lockfile::default(),
        };
        let id = journal::new_id(layout)?;
        // The journal's directory comes first: from here on a stop at any write (the objects
        // holding the before-states below) leaves an entry that tells the next command to
        // recover, and with it to sweep what this transaction left in the store.
        let dir = layout.journal_dir().join(&id);
        if journaled {
            ggen_fs::create_dir_all(&dir)?;
        }
        let capture = |path: &std::path::Path, stat: Option<&FileStat>| {
            if journaled {
                journal::capture(path, &store, stat)
            } else {
                Ok((PathState::Absent, None))
            }
        };
        let captured = (|| {
            let captures = paths
                .par_iter()
                .map(|path| Ok((path.clone(), capture(&layout.file(path), known(path))?)))
                .collect::<Result<Vec<_>, ProjectError>>()?;
            let (lockfile, lock_bytes) = capture(&layout.lockfile(), None)?;
            let (snapshot, snapshot_bytes) = capture(&layout.snapshot(), None)?;
            // The before-states' contents the store lacks, stored together (packs).
            let missing: Vec<(&str, &[u8])> = captures
                .iter()
                .filter_map(|(_, (_, object))| object.as_ref())
                .chain([&lock_bytes, &snapshot_bytes].into_iter().flatten())
                .map(|(hash, bytes)| (hash.as_str(), bytes.as_slice()))
                .collect();
            store.store_all(&missing)?;
            Ok::<_, ProjectError>(Record {
                format: journal::FORMAT,
                id: id.clone(),
                time: journal::now_rfc3339(),
                command: command.to_string(),
                committed: false,
                packs: Vec::new(),
                lockfile: unchanged(lockfile),
                snapshot: unchanged(snapshot),
                files: captures
                    .into_iter()
                    .map(|(path, (state, _))| (path, unchanged(state)))
                    .collect(),
                moves: BTreeMap::new(),
            })
        })();
        let record = match captured {
            Ok(record) => record,
            Err(err) => {
                if journaled {
                    let _ = ggen_fs::remove_dir_all(&dir);
                }
                return Err(err);
            }
        };
        let journal = if journaled {
            let written = record
                .write(&dir)
                .and_then(|()| Ok(ggen_fs::sync_filesystem(layout.root())?));
            if let Err(err) = written {
                let _ = ggen_fs::remove_dir_all(&dir);
                return Err(err);
            }
            Some(dir)
        } else {
            None
        };
        Ok(Transaction {
            layout,
            store,
            record,
            paths,
            before_lock,
            journal,
            history_limit,
            finished: false,
        })
    }

    /// The transaction id (`YYYYMMDDTHHMMSSZ-NNNN`).
    pub fn id(&self) -> &str {
        &self.record.id
    }

    /// Stores `objects` (hash, bytes) and applies `changes`, each a path given to
    /// [`Transaction::begin`]. Returns the stat of every file written, for the snapshot's
    /// change-detection cache.
    pub fn apply(
        &mut self,
        objects: &[(&str, &[u8])],
        changes: &[FileChange<'_>],
        reporter: &dyn Reporter,
    ) -> Result<BTreeMap<String, FileStat>, ProjectError> {
        self.check_declared(changes.iter().map(|c| c.path))?;
        let store = &self.store;
        reporter.phase("writing");
        // The objects (a few large pack files) and the project's files are written side by
        // side: both wait on the kernel, each on one core.
        let (stored, written) = rayon::join(
            || store.store_all(objects),
            || self.write_changes(changes, reporter),
        );
        stored?;
        let written = written?;
        let mut stats = BTreeMap::new();
        for (path, state, stat) in written {
            if let Some(entry) = self.record.files.get_mut(path) {
                entry.after = state;
            }
            if let Some(stat) = stat {
                stats.insert(path.to_string(), stat);
            }
        }
        Ok(stats)
    }

    /// Applies `changes`: removals first, then the writes; returns each path's new state and,
    /// for a file written, its stat.
    fn write_changes<'c>(
        &self,
        changes: &'c [FileChange<'_>],
        reporter: &dyn Reporter,
    ) -> Result<Vec<Written<'c>>, ProjectError> {
        let layout = self.layout;
        reporter.start("writing", changes.len() as u64);
        // Removals first (one may remove a directory that became empty, or a file where a
        // directory of new files goes), then the writes, through directory handles held for
        // the batch and created as needed.
        let (writes, removals): (Vec<_>, Vec<_>) =
            changes.iter().partition(|change| change.content.is_some());
        let mut written = removals
            .par_iter()
            .map(|change| {
                ggen_fs::remove_file(&layout.file(change.path))?;
                undo::remove_empty_parents(layout, change.path);
                reporter.advance(1);
                Ok::<_, ProjectError>((change.path, PathState::Absent, None))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let handles = ggen_fs::DirHandles::new();
        let stored = writes
            .par_iter()
            .map(|change| {
                let path = layout.file(change.path);
                let content = change.content.unwrap_or_default();
                // A path the journal recorded as absent is created under its own name (its
                // recovery removes whatever a crash leaves there); any other is replaced
                // through a temporary file and a rename.
                let absent = self.journal.is_some()
                    && self
                        .record
                        .files
                        .get(change.path)
                        .is_some_and(|entry| entry.before == PathState::Absent);
                let meta = match absent {
                    true => {
                        handles.create_file(&path, content, Durability::Batch, change.executable)?
                    }
                    false => {
                        handles.write_file(&path, content, Durability::Batch, change.executable)?
                    }
                };
                let hash = match change.hash {
                    Some(hash) => {
                        debug_assert_eq!(hash, ggen_pack::integrity::sha256(content));
                        hash.to_string()
                    }
                    None => ggen_pack::integrity::sha256(content),
                };
                let state = PathState::File {
                    hash: hash.clone(),
                    executable: ggen_fs::is_executable(&meta),
                };
                reporter.advance(1);
                let stat = FileStat::from_metadata(&meta, hash);
                Ok::<_, ProjectError>((change.path, state, Some(stat)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        written.extend(stored);
        reporter.finish();
        Ok(written)
    }

    /// Brings each path to a recorded state (content from the object store): rollback.
    pub(crate) fn restore(
        &mut self,
        targets: &BTreeMap<String, PathState>,
    ) -> Result<(), ProjectError> {
        self.check_declared(targets.keys().map(String::as_str))?;
        let layout = self.layout;
        let store = &self.store;
        targets.par_iter().try_for_each(|(path, state)| {
            journal::restore(&layout.file(path), state, store)?;
            if *state == PathState::Absent {
                undo::remove_empty_parents(layout, path);
            }
            Ok::<_, ProjectError>(())
        })?;
        for (path, state) in targets {
            if let Some(entry) = self.record.files.get_mut(path) {
                entry.after = state.clone();
            }
        }
        Ok(())
    }

    /// Records that the change moves the file at `from` to `to` (both declared at
    /// [`Transaction::begin`]), so that history shows one change for the two paths.
    pub fn record_move(&mut self, from: &str, to: &str) {
        self.record.moves.insert(to.to_string(), from.to_string());
    }

    /// Writes the snapshot, then the lockfile (whose `[files]` are derived from the
    /// snapshot here, so the two always agree), and commits. Returns the transaction id.
    pub fn commit(self, lock: &mut Lockfile, snapshot: &Snapshot) -> Result<String, ProjectError> {
        lock.files = snapshot
            .files
            .iter()
            .map(|(path, file)| {
                let entry = crate::state::lockfile::LockedFile {
                    pack: file.pack.clone(),
                    version: file.version.clone(),
                    template: file.template.clone(),
                    hash: file.hash.clone(),
                    mode: file.executable.then(|| "755".to_string()),
                };
                (path.clone(), entry)
            })
            .collect();
        let packs = pack_changes(&self.before_lock, lock);
        let layout = self.layout;
        let id = std::thread::scope(|scope| {
            // The files written so far go out to the disk while the state is serialised and
            // written: the commit's barrier then has little left to wait for.
            ggen_fs::flush_ahead(scope, layout.root());
            // Both serialise large documents (20,000 files: 17 MB of JSON, 4 MB of TOML).
            let lock_view: &Lockfile = lock;
            let (snapshot_bytes, lock_text) =
                rayon::join(|| snapshot.to_bytes(), || lock_view.to_text());
            let lock_bytes = lock_text?.into_bytes();
            let id = self.commit_bytes(Some(&lock_bytes), Some(&snapshot_bytes?), packs)?;
            Ok::<_, ProjectError>((id, lock_bytes))
        });
        let (id, lock_bytes) = id?;
        // After the commit point: the cache is derived from what is now the state.
        crate::state::stat_cache::record(layout, lock, &lock_bytes, snapshot);
        Ok(id)
    }

    /// Commits with the lockfile and snapshot given as bytes (`None`: remove them).
    pub(crate) fn commit_bytes(
        mut self,
        lock: Option<&[u8]>,
        snapshot: Option<&[u8]>,
        packs: Vec<PackChange>,
    ) -> Result<String, ProjectError> {
        let layout = self.layout;
        let root = layout.root();
        let Some(dir) = self.journal.clone() else {
            ggen_fs::sync_filesystem(root)?;
            write_state(&layout.snapshot(), snapshot, Durability::Sync)?;
            write_state(&layout.lockfile(), lock, Durability::Sync)?;
            self.finished = true;
            return Ok(self.record.id.clone());
        };
        write_state(&layout.snapshot(), snapshot, Durability::Batch)?;
        write_state(&layout.lockfile(), lock, Durability::Batch)?;
        // Copies, not hard links: damage to a file on disk must not reach its good copy.
        self.record.snapshot.after = stored_state(snapshot, &self.record.snapshot.before);
        self.record.lockfile.after = stored_state(lock, &self.record.lockfile.before);
        let copies: Vec<(&str, &[u8])> = [
            (&self.record.snapshot.after, snapshot),
            (&self.record.lockfile.after, lock),
        ]
        .into_iter()
        .filter_map(|(state, bytes)| Some((state.hash()?, bytes?)))
        .collect();
        self.store.store_all(&copies)?;
        self.record.packs = packs;
        if self.record.is_empty() {
            // Nothing changed: no history entry (it would push real changes out, and
            // `ggen rollback` would undo an invisible no-op).
            self.finished = true;
            let _ = ggen_fs::remove_dir_all(&dir);
            return Ok(self.record.id.clone());
        }
        self.record.committed = true;
        self.record.write(&dir)?;
        ggen_fs::create_dir_all(&layout.history_dir())?;
        ggen_fs::sync_filesystem(root)?;
        ggen_fs::rename_durable(&dir, &layout.history_dir().join(&self.record.id))?;
        self.finished = true;
        // The change is committed; trimming the history is housekeeping that the next
        // transaction retries if it fails now.
        let _ = crate::transaction::history::prune(layout, self.history_limit);
        Ok(self.record.id.clone())
    }

    fn check_declared<'p>(
        &self,
        mut paths: impl Iterator<Item = &'p str>,
    ) -> Result<(), ProjectError> {
        match paths.find(|p| !self.paths.contains(*p)) {
            Some(path) => Err(ProjectError::Internal {
                message: format!(
                    "transaction {} changes {path}, which it did not journal",
                    self.record.id
                ),
            }),
            None => Ok(()),
        }
    }
}

impl Drop for Transaction<'_> {
    /// An error between begin and commit: put every path back now, as recovery would; if
    /// that fails too, the journal stays for the next ggen to finish the job.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Some(dir) = &self.journal
            && undo::roll_back(self.layout, &self.record).is_ok()
            && ggen_fs::sync_filesystem(self.layout.root()).is_ok()
            && ggen_fs::remove_dir_all(dir).is_ok()
        {
            // Objects only this transaction stored (new contents, before-states for the
            // journal) are named by nothing now: none stay behind.
            let _ = history::collect_garbage(self.layout);
        }
    }
}

/// The state of a file just written with `bytes` (`None`: removed); a file keeps the
/// executable bit it had `before`.
fn stored_state(bytes: Option<&[u8]>, before: &PathState) -> PathState {
    let Some(bytes) = bytes else {
        return PathState::Absent;
    };
    let executable = matches!(
        before,
        PathState::File {
            executable: true,
            ..
        }
    );
    let hash = ggen_pack::integrity::sha256(bytes);
    PathState::File { hash, executable }
}

/// A path a change wrote or removed: its new state and, for a file written, its stat.
type Written<'c> = (&'c str, PathState, Option<FileStat>);

fn unchanged(state: PathState) -> PathChange {
    PathChange {
        before: state.clone(),
        after: state,
    }
}

fn journaling_disabled() -> bool {
    std::env::var_os(NO_JOURNAL_VAR).is_some_and(|v| v == "1")
}

fn write_state(
    path: &std::path::Path,
    bytes: Option<&[u8]>,
    durability: Durability,
) -> Result<(), ProjectError> {
    match bytes {
        Some(bytes) => ggen_fs::write_atomic(path, bytes, durability)?,
        None => {
            ggen_fs::remove_file(path)?;
            if durability == Durability::Sync {
                ggen_fs::sync_dir(path.parent().unwrap_or(std::path::Path::new(".")))?;
            }
        }
    }
    Ok(())
}

/// The packs of the project's lockfile, for the history, parsed without the (long) `[files]`
/// tables that follow them; empty when there is none or it does not parse (the operation
/// itself reports that).
fn packs_of(layout: &Layout) -> Lockfile {
    let path = layout.lockfile();
    let Ok(Some(bytes)) = ggen_fs::read_optional(&path) else {
        return Lockfile::default();
    };
    let text = String::from_utf8_lossy(&bytes);
    let head = text.find("\n[files.").map_or(&text[..], |at| &text[..=at]);
    Lockfile::parse(head.as_bytes(), &path)
        .or_else(|_| Lockfile::parse(&bytes, &path))
        .unwrap_or_default()
}

/// Packs installed, removed or changed (version, source, variables…) between two lockfiles.
pub(crate) fn pack_changes(before: &Lockfile, after: &Lockfile) -> Vec<PackChange> {
    let ids: BTreeSet<&str> = before
        .packs
        .iter()
        .chain(&after.packs)
        .map(|p| p.id.as_str())
        .collect();
    ids.into_iter()
        .filter(|id| before.pack(id) != after.pack(id))
        .map(|id| PackChange {
            id: id.to_string(),
            from: before.pack(id).map(|p| p.version.clone()),
            to: after.pack(id).map(|p| p.version.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoReporter;
    use crate::transaction::journal::PathState;

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Layout) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            ggen_fs::write_atomic(&dir.path().join(path), text.as_bytes(), Durability::Batch)
                .unwrap();
        }
        let layout = Layout::new(dir.path());
        (dir, layout)
    }

    fn read(layout: &Layout, path: &str) -> Option<String> {
        std::fs::read_to_string(layout.file(path)).ok()
    }

    fn changes<'a>(list: &[(&'a str, Option<&'a str>)]) -> Vec<FileChange<'a>> {
        list.iter()
            .map(|(path, text)| FileChange {
                path,
                content: text.map(str::as_bytes),
                executable: None,
                hash: None,
            })
            .collect()
    }

    #[test]
    fn a_committed_transaction_is_recorded_in_the_history() {
        let (_dir, layout) = project(&[("old.txt", "old")]);
        let guard = ProjectLock::acquire(&layout, true, &NoReporter).unwrap();
        let mut tx = Transaction::begin(&guard, 20, "test", ["old.txt", "new/file.txt"]).unwrap();
        let id = tx.id().to_string();
        assert!(
            layout
                .journal_dir()
                .join(&id)
                .join(journal::RECORD_FILE)
                .is_file()
        );
        let list = [("old.txt", Some("changed")), ("new/file.txt", Some("new"))];
        let stats = tx.apply(&[], &changes(&list), &NoReporter).unwrap();
        assert_eq!(stats.len(), 2);
        tx.commit(&mut Lockfile::default(), &Snapshot::new())
            .unwrap();

        assert_eq!(read(&layout, "old.txt").as_deref(), Some("changed"));
        assert_eq!(
            journal::entry_names(&layout.journal_dir()),
            Vec::<String>::new()
        );
        let history = crate::transaction::history::list(&layout).unwrap();
        assert_eq!(history.len(), 1);
        let record = &history[0];
        assert!(record.committed && record.id == id && record.command == "test");
        let old = &record.files["old.txt"];
        assert_eq!(
            old.before.hash(),
            Some(ggen_pack::integrity::sha256(b"old").as_str())
        );
        assert_eq!(
            old.after.hash(),
            Some(ggen_pack::integrity::sha256(b"changed").as_str())
        );
        assert_eq!(record.files["new/file.txt"].before, PathState::Absent);
        assert_eq!(record.lockfile.before, PathState::Absent);
        assert!(record.lockfile.after.hash().is_some());
        // The prior content is in the object store, ready for a rollback.
        let store = ObjectStore::new(layout.objects());
        assert_eq!(store.get(old.before.hash().unwrap()).unwrap(), b"old");
    }

    #[test]
    fn a_transaction_dropped_before_its_commit_puts_everything_back() {
        let (_dir, layout) = project(&[("old.txt", "old"), ("keep.txt", "keep")]);
        let guard = ProjectLock::acquire(&layout, true, &NoReporter).unwrap();
        let paths = ["old.txt", "keep.txt", "sub/dir/new.txt"];
        let mut tx = Transaction::begin(&guard, 20, "test", paths).unwrap();
        let list = [
            ("old.txt", Some("changed")),
            ("keep.txt", None),
            ("sub/dir/new.txt", Some("new")),
        ];
        tx.apply(&[], &changes(&list), &NoReporter).unwrap();
        ggen_fs::write_atomic(&layout.lockfile(), b"half-written", Durability::Batch).unwrap();
        drop(tx);
        assert_eq!(read(&layout, "old.txt").as_deref(), Some("old"));
        assert_eq!(read(&layout, "keep.txt").as_deref(), Some("keep"));
        assert!(
            !layout.file("sub").exists(),
            "created directories are removed"
        );
        assert!(!layout.lockfile().exists());
        assert!(journal::entry_names(&layout.journal_dir()).is_empty());
        assert!(journal::entry_names(&layout.history_dir()).is_empty());
    }

    #[test]
    fn a_killed_transaction_is_rolled_back_when_the_lock_is_next_taken() {
        let (_dir, layout) = project(&[("a.txt", "a")]);
        let guard = ProjectLock::acquire(&layout, true, &NoReporter).unwrap();
        let mut tx = Transaction::begin(&guard, 20, "killed", ["a.txt", "b.txt"]).unwrap();
        let list = [("a.txt", Some("A")), ("b.txt", Some("B"))];
        tx.apply(&[], &changes(&list), &NoReporter).unwrap();
        // No destructor runs when a process is killed.
        std::mem::forget(tx);
        drop(guard);
        let guard = ProjectLock::acquire(&layout, true, &NoReporter).unwrap();
        let recovered = guard.recovered();
        assert_eq!(recovered.len(), 1);
        assert_eq!(recovered[0].command, "killed");
        assert_eq!(recovered[0].restored, ["a.txt", "b.txt"]);
        assert_eq!(read(&layout, "a.txt").as_deref(), Some("a"));
        assert!(!layout.file("b.txt").exists());
        assert!(journal::entry_names(&layout.journal_dir()).is_empty());
    }

    #[test]
    fn a_change_the_journal_does_not_cover_is_refused() {
        let (_dir, layout) = project(&[]);
        let guard = ProjectLock::acquire(&layout, true, &NoReporter).unwrap();
        let mut tx = Transaction::begin(&guard, 20, "test", ["a.txt"]).unwrap();
        let err = tx
            .apply(&[], &changes(&[("b.txt", Some("b"))]), &NoReporter)
            .unwrap_err();
        assert!(err.to_string().contains("did not journal"), "{err}");
        assert!(!layout.file("b.txt").exists());
        for bad in ["../x", "/etc/passwd", ".ggen/snapshot.json"] {
            assert!(
                Transaction::begin(&guard, 20, "test", [bad]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_history_is_pruned_and_unneeded_objects_collected() {
        let (_dir, layout) = project(&[]);
        let guard = ProjectLock::acquire(&layout, true, &NoReporter).unwrap();
        for text in ["one", "two", "three"] {
            let mut tx = Transaction::begin(&guard, 1, "test", ["f.txt"]).unwrap();
            tx.apply(&[], &changes(&[("f.txt", Some(text))]), &NoReporter)
                .unwrap();
            tx.commit(&mut Lockfile::default(), &Snapshot::new())
                .unwrap();
        }
        assert_eq!(journal::entry_names(&layout.history_dir()).len(), 1);
        let store = ObjectStore::new(layout.objects());
        let object = |text: &str| {
            store
                .contains(&ggen_pack::integrity::sha256(text.as_bytes()))
                .unwrap()
        };
        assert!(!object("one"), "no longer needed");
        assert!(object("two"), "the last entry's prior content");
    }
}
