//! Directory handles held open for a batch of writes (one transaction's files and objects):
//! each directory on the way is opened, checked and created once for the whole batch, not
//! once per file, and a file is written with its mode set and its metadata returned in the
//! same pass. The handles are those of the confined walk ([`crate::confine_to`]), so a
//! directory swapped for a link while the batch runs is still not written through.

#[cfg(unix)]
use std::collections::HashMap;
use std::fs::Metadata;
use std::path::Path;
#[cfg(unix)]
use std::path::PathBuf;
#[cfg(unix)]
use std::sync::{Arc, Mutex};

use crate::{Durability, FsError};

/// The handles of one batch; drop it when the batch is done (before anything removes or
/// renames the directories it holds).
#[derive(Default)]
pub struct DirHandles {
    #[cfg(unix)]
    dirs: Mutex<HashMap<PathBuf, Arc<std::os::fd::OwnedFd>>>,
}

impl DirHandles {
    pub fn new() -> DirHandles {
        DirHandles::default()
    }

    /// [`crate::write_atomic`] through the held handles, then the executable bits set
    /// (`Some(true)`) or cleared (`Some(false)`) on the new file before it is renamed into
    /// place (`None` keeps the mode of the file replaced). Returns the new file's metadata.
    pub fn write_file(
        &self,
        path: &Path,
        bytes: &[u8],
        durability: Durability,
        executable: Option<bool>,
    ) -> Result<Metadata, FsError> {
        #[cfg(unix)]
        if let Some(parent) = crate::at::parent_held("cannot write", path, true, &self.dirs)? {
            return parent.write_file(path, bytes, durability, executable);
        }
        crate::write_atomic(path, bytes, durability)?;
        if let Some(executable) = executable {
            crate::set_executable(path, executable)?;
        }
        std::fs::symlink_metadata(path).map_err(|e| FsError::new("cannot read", path, e))
    }

    /// A file that is not there yet, created in place under its own name (no temporary and
    /// no rename: the caller's journal recorded the path as absent, so a crash midway leaves
    /// a file its recovery removes). When something is at the name after all, it is replaced
    /// the way [`DirHandles::write_file`] replaces a file. Returns the new file's metadata.
    pub fn create_file(
        &self,
        path: &Path,
        bytes: &[u8],
        durability: Durability,
        executable: Option<bool>,
    ) -> Result<Metadata, FsError> {
        #[cfg(unix)]
        if let Some(parent) = crate::at::parent_held("cannot write", path, true, &self.dirs)?
            && let Some(meta) = parent.create_file(path, bytes, durability, executable)?
        {
            return Ok(meta);
        }
        self.write_file(path, bytes, durability, executable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_batch_writes_modes_and_returns_the_stat_of_what_it_wrote() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let project = tempfile::tempdir().unwrap();
        crate::confine_to(project.path());
        let handles = DirHandles::new();
        let script = project.path().join("bin/deep/run.sh");
        let meta = handles
            .write_file(&script, b"#!/bin/sh\n", Durability::Batch, Some(true))
            .unwrap();
        let disk = std::fs::metadata(&script).unwrap();
        assert_eq!(
            (meta.ino(), meta.len(), meta.mtime_nsec()),
            (disk.ino(), 10, disk.mtime_nsec())
        );
        assert!(crate::is_executable(&disk) && crate::is_executable(&meta));
        // A user's chmod of a file is kept when the batch does not say otherwise.
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
        handles
            .write_file(&script, b"two\n", Durability::Batch, None)
            .unwrap();
        assert_eq!(
            std::fs::metadata(&script).unwrap().permissions().mode() & 0o777,
            0o700
        );
        handles
            .write_file(&script, b"three\n", Durability::Batch, Some(false))
            .unwrap();
        assert_eq!(
            std::fs::metadata(&script).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let sibling = project.path().join("bin/deep/other.txt");
        handles
            .write_file(&sibling, b"x", Durability::Batch, None)
            .unwrap();
        assert_eq!(std::fs::read(&sibling).unwrap(), b"x");
        crate::sync_filesystem(project.path()).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_file_not_there_is_created_in_place_and_one_that_is_replaced() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let project = tempfile::tempdir().unwrap();
        crate::confine_to(project.path());
        let handles = DirHandles::new();
        let script = project.path().join("bin/run.sh");
        let meta = handles
            .create_file(&script, b"#!/bin/sh\n", Durability::Batch, Some(true))
            .unwrap();
        let disk = std::fs::symlink_metadata(&script).unwrap();
        assert_eq!(
            (meta.ino(), meta.ctime_nsec()),
            (disk.ino(), disk.ctime_nsec())
        );
        assert!(crate::is_executable(&disk));
        // Nothing but the file: no temporary name was used.
        let names: Vec<_> = std::fs::read_dir(project.path().join("bin"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["run.sh"]);
        // Something is there after all (created meanwhile): replaced, its mode kept.
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
        let meta = handles
            .create_file(&script, b"two\n", Durability::Batch, None)
            .unwrap();
        assert_ne!(meta.ino(), disk.ino());
        assert_eq!(std::fs::read(&script).unwrap(), b"two\n");
        assert_eq!(meta.permissions().mode() & 0o777, 0o700);
        // A link at the name is never written through.
        let outside = tempfile::tempdir().unwrap();
        let link = project.path().join("bin/link.txt");
        std::os::unix::fs::symlink(outside.path().join("x"), &link).unwrap();
        let _ = handles.create_file(&link, b"x", Durability::Batch, None);
        assert!(!outside.path().join("x").exists());
        crate::sync_filesystem(project.path()).unwrap();
    }

    /// The guarantee of the per-file walk holds for held handles too: a directory the batch
    /// already holds that is swapped for a link out of the project is not written through,
    /// and a fresh batch refuses the link.
    #[cfg(unix)]
    #[test]
    fn a_held_directory_swapped_for_a_link_is_not_written_through() {
        let project = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        crate::confine_to(project.path());
        let handles = DirHandles::new();
        let first = project.path().join("dir/a.txt");
        handles
            .write_file(&first, b"a", Durability::Batch, None)
            .unwrap();
        std::fs::rename(project.path().join("dir"), project.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(outside.path(), project.path().join("dir")).unwrap();
        handles
            .write_file(
                &project.path().join("dir/b.txt"),
                b"b",
                Durability::Batch,
                None,
            )
            .unwrap();
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
        assert_eq!(
            std::fs::read(project.path().join("moved/b.txt")).unwrap(),
            b"b"
        );
        let err = DirHandles::new()
            .write_file(
                &project.path().join("dir/c.txt"),
                b"c",
                Durability::Batch,
                None,
            )
            .unwrap_err();
        assert!(err.to_string().contains("leading out"), "{err}");
    }
}
