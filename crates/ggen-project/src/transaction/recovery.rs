//! Crash recovery, run before any command touches a project: an unfinished journal means a
//! ggen was stopped midway, so every path it recorded goes back to its state before that
//! transaction; a lockfile or snapshot that fails to parse (or its checksum) is replaced by
//! the last good copy from the history, keeping the damaged one aside.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::state::lockfile::Lockfile;
use crate::state::objects::ObjectStore;
use crate::state::snapshot::Snapshot;
use crate::transaction::history::collect_garbage;
use crate::transaction::journal::{self, Record};
use crate::transaction::undo::{remove_state_temporaries, remove_temporary_files, roll_back};
use crate::{Layout, ProjectError};

/// One interrupted transaction, undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recovery {
    pub transaction: String,
    pub command: String,
    /// When the interrupted transaction began.
    pub started: String,
    /// Paths put back (project files, `ggen.lock`, `.ggen/snapshot.json`), sorted.
    pub restored: Vec<String>,
}

/// A damaged `ggen.lock` or snapshot, replaced by its last good copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoredState {
    /// `ggen.lock` or `.ggen/snapshot.json`.
    pub path: String,
    /// What was wrong with it.
    pub problem: String,
    /// The transaction whose result was restored.
    pub from_transaction: String,
    /// Where the damaged file was kept.
    pub damaged_copy: PathBuf,
}

/// Undoes every transaction left in `.ggen/journal/`, newest first. The caller holds the
/// project lock, so none of them is still running.
pub(crate) fn recover_journals(layout: &Layout) -> Result<Vec<Recovery>, ProjectError> {
    // Writes of ggen's own state outside a transaction (`.ggen/.gitignore`, the lifecycle's
    // state, a damaged file's copy) stopped midway leave a temporary file here: cheap to look.
    remove_temporary_files(&layout.state_dir());
    remove_temporary_files(&layout.corrupt_dir());
    // A garbage collection stopped while it rewrote a pack (after its journal was gone).
    remove_temporary_files(&layout.object_packs());
    let dir = layout.journal_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut pending: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    pending.sort();
    let mut recovered = Vec::new();
    for entry in pending.iter().rev() {
        if !entry.is_dir() {
            // A temporary file of a journal that was never renamed into place.
            ggen_fs::remove_file(entry)?;
            continue;
        }
        let Some(record) = Record::read(entry)? else {
            // Stopped before its journal was in place: nothing had been changed yet.
            ggen_fs::remove_dir_all(entry)?;
            continue;
        };
        let restored = roll_back(layout, &record)?;
        ggen_fs::sync_filesystem(layout.root())?;
        ggen_fs::remove_dir_all(entry)?;
        ggen_fs::sync_dir(&dir)?;
        recovered.push(Recovery {
            transaction: record.id,
            command: record.command,
            started: record.time,
            restored,
        });
    }
    if !pending.is_empty() {
        // What the stopped ggen (or a stopped recovery) left in .ggen: temporary files of
        // writes it never renamed into place, and objects only its transaction named.
        remove_state_temporaries(layout);
        collect_garbage(layout)?;
    }
    Ok(recovered)
}

/// Loads a state file only to see whether it is sound.
type LoadCheck = fn(&Path) -> Result<(), ProjectError>;

/// Replaces a `ggen.lock` or snapshot that fails to load with the copy the last transaction
/// committed, when the history has it; otherwise the load error stands.
pub(crate) fn restore_damaged_state(layout: &Layout) -> Result<Vec<RestoredState>, ProjectError> {
    let mut restored = Vec::new();
    let last = crate::transaction::history::last(layout)?;
    let store = ObjectStore::new(layout.objects());
    let checks: [(&str, PathBuf, LoadCheck); 2] = [
        ("ggen.lock", layout.lockfile(), |path| {
            Lockfile::load(path).map(|_| ())
        }),
        (".ggen/snapshot.json", layout.snapshot(), |path| {
            Snapshot::load(path).map(|_| ())
        }),
    ];
    for (name, path, load) in checks {
        let problem = match load(&path) {
            Err(
                err @ (ProjectError::CorruptLockfile { .. } | ProjectError::CorruptSnapshot { .. }),
            ) => err,
            _ => continue,
        };
        let good = last.as_ref().and_then(|record| {
            let state = if name == "ggen.lock" {
                &record.lockfile.after
            } else {
                &record.snapshot.after
            };
            let bytes = store.get(state.hash()?).ok()?;
            Some((record.id.clone(), bytes))
        });
        let Some((from_transaction, bytes)) = good else {
            return Err(problem);
        };
        let damaged = ggen_fs::read(&path)?;
        if ggen_pack::integrity::sha256(&damaged) == ggen_pack::integrity::sha256(&bytes) {
            // The committed copy itself does not load (a newer format?): nothing to restore.
            return Err(problem);
        }
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let damaged_copy = layout.corrupt_dir().join(format!(
            "{}.{}",
            file_name.unwrap_or_default(),
            journal::new_id(layout)?
        ));
        ggen_fs::write_atomic(&damaged_copy, &damaged, ggen_fs::Durability::Sync)?;
        ggen_fs::write_atomic(&path, &bytes, ggen_fs::Durability::Sync)?;
        if let Err(err) = load(&path) {
            // The history's copy does not load either: put the damaged file back, report.
            ggen_fs::write_atomic(&path, &damaged, ggen_fs::Durability::Sync)?;
            return Err(err);
        }
        restored.push(RestoredState {
            path: name.to_string(),
            problem: problem.to_string(),
            from_transaction,
            damaged_copy,
        });
    }
    Ok(restored)
}
