//! Applying a change to the project's files: objects first, then files (each written to a
//! temporary name and renamed into place), one durability barrier, then the snapshot and the
//! lockfile. Every command that changes a project goes through here.

use std::collections::BTreeMap;

use ggen_fs::Durability;
use rayon::prelude::*;

use crate::lockfile::Lockfile;
use crate::objects::ObjectStore;
use crate::snapshot::{FileStat, Snapshot};
use crate::{Layout, ProjectError, Reporter};

/// One file to replace (`Some`) or delete (`None`).
#[derive(Debug, Clone)]
pub struct FileChange<'a> {
    pub path: &'a str,
    pub content: Option<&'a [u8]>,
}

/// Stores `objects` (hash, bytes), applies `changes`, and makes both durable. Returns the
/// stat of every file written, for the snapshot's change-detection cache.
pub fn apply_files(
    layout: &Layout,
    objects: &[(&str, &[u8])],
    changes: &[FileChange<'_>],
    reporter: &dyn Reporter,
) -> Result<BTreeMap<String, FileStat>, ProjectError> {
    let store = ObjectStore::new(layout.objects());
    objects
        .par_iter()
        .try_for_each(|(hash, bytes)| store.put(hash, bytes))?;
    reporter.start("writing", changes.len() as u64);
    let stats = changes
        .par_iter()
        .map(|change| {
            let path = layout.file(change.path);
            let stat = match change.content {
                Some(content) => {
                    ggen_fs::write_atomic(&path, content, Durability::Batch)?;
                    FileStat::read(&path, ggen_pack::integrity::sha256(content))
                }
                None => {
                    ggen_fs::remove_file(&path)?;
                    remove_empty_parents(layout, change.path);
                    None
                }
            };
            reporter.advance(1);
            Ok::<_, ProjectError>(stat.map(|s| (change.path.to_string(), s)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    reporter.finish();
    ggen_fs::sync_filesystem(layout.root())?;
    Ok(stats.into_iter().flatten().collect())
}

/// Writes the snapshot, then the lockfile: the commit point of a change.
/// The lockfile's `[files]` are derived from the snapshot here, so the two always agree.
pub fn commit_state(
    layout: &Layout,
    lock: &mut Lockfile,
    snapshot: &Snapshot,
) -> Result<(), ProjectError> {
    lock.files = snapshot
        .files
        .iter()
        .map(|(path, file)| {
            let entry = crate::lockfile::LockedFile {
                pack: file.pack.clone(),
                version: file.version.clone(),
                template: file.template.clone(),
                hash: file.hash.clone(),
            };
            (path.clone(), entry)
        })
        .collect();
    snapshot.save(&layout.snapshot())?;
    lock.save(&layout.lockfile())?;
    Ok(())
}

/// Removes directories left empty by deleting `relative`, up to the project root.
fn remove_empty_parents(layout: &Layout, relative: &str) {
    let mut dir = std::path::Path::new(relative).parent();
    while let Some(d) = dir {
        if d.as_os_str().is_empty()
            || std::fs::remove_dir(layout.file(&d.to_string_lossy())).is_err()
        {
            break;
        }
        dir = d.parent();
    }
}
