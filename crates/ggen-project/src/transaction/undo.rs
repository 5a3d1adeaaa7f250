//! Putting paths back to their state before a transaction, from its journal record: used by
//! a transaction dropped before its commit and by crash recovery alike.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::state::objects::ObjectStore;
use crate::transaction::journal::{self, PathState, Record};
use crate::{Layout, ProjectError};

/// Puts every path of `record` back to its state before the transaction, removes the
/// temporary files a killed write leaves, and returns the paths that changed. Idempotent,
/// so a recovery that is itself interrupted is simply run again.
pub(crate) fn roll_back(layout: &Layout, record: &Record) -> Result<Vec<String>, ProjectError> {
    let mut dirs: BTreeSet<PathBuf> = record
        .files
        .keys()
        .filter_map(|path| layout.file(path).parent().map(Path::to_path_buf))
        .collect();
    dirs.insert(layout.root().to_path_buf());
    dirs.insert(layout.state_dir());
    // First, so that directories the transaction created can be removed once empty.
    for dir in dirs {
        remove_temporary_files(&dir);
    }
    let store = ObjectStore::new(layout.objects());
    let mut restored: Vec<String> = record
        .files
        .par_iter()
        .map(|(path, change)| {
            let changed = journal::restore(&layout.file(path), &change.before, &store)?;
            if change.before == PathState::Absent {
                remove_empty_parents(layout, path);
            }
            Ok::<_, ProjectError>(changed.then(|| path.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    for (name, path, state) in [
        ("ggen.lock", layout.lockfile(), &record.lockfile.before),
        (
            ".ggen/snapshot.json",
            layout.snapshot(),
            &record.snapshot.before,
        ),
    ] {
        if journal::restore(&path, state, &store)? {
            restored.push(name.to_string());
        }
    }
    restored.sort();
    Ok(restored)
}

/// Removes `.ggen-tmp-*` files directly in `dir` (best effort: they are only clutter).
pub(crate) fn remove_temporary_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        if ggen_fs::is_temporary(&entry.file_name().to_string_lossy())
            && entry.file_type().map(|t| !t.is_dir()).unwrap_or(false)
        {
            let _ = ggen_fs::remove_file(&entry.path());
        }
    }
}

/// Removes every `.ggen-tmp-*` file in `.ggen` and the directories below it (the object
/// store's fan-out, journal and history entries): what a killed write of ggen's own state
/// leaves. Only links are never followed, so nothing outside is touched.
pub(crate) fn remove_state_temporaries(layout: &Layout) {
    fn sweep(dir: &Path, depth: usize) {
        remove_temporary_files(dir);
        if depth == 0 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                sweep(&entry.path(), depth - 1);
            }
        }
    }
    // .ggen/objects/ab/…, .ggen/history/TX/…: two levels below .ggen.
    sweep(&layout.state_dir(), 2);
}

/// Removes directories left empty by deleting `relative`, up to the project root.
pub(crate) fn remove_empty_parents(layout: &Layout, relative: &str) {
    let mut dir = std::path::Path::new(relative).parent();
    while let Some(d) = dir {
        if d.as_os_str().is_empty()
            || !ggen_fs::remove_empty_dir(&layout.file(&d.to_string_lossy()))
        {
            break;
        }
        dir = d.parent();
    }
}
