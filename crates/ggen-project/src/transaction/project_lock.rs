//! The exclusive lock on `.ggen/lock` held while a command changes the project. Taking it
//! first finishes the job of any ggen that was stopped midway: its journal is rolled back
//! ([`crate::transaction::recovery`]), so every transaction starts from a consistent project.

use std::fs::{File, TryLockError};

use crate::transaction::recovery::{Recovery, recover_journals};
use crate::{Layout, ProjectError, Reporter};

/// Held for the duration of one change; released on drop.
pub struct ProjectLock {
    _file: File,
    layout: Layout,
    recovered: Vec<Recovery>,
}

impl ProjectLock {
    /// Takes the lock, waiting (and telling the reporter) while another ggen holds it, or
    /// failing at once when `no_wait`; then recovers interrupted transactions.
    pub fn acquire(
        layout: &Layout,
        no_wait: bool,
        reporter: &dyn Reporter,
    ) -> Result<ProjectLock, ProjectError> {
        let path = layout.project_lock();
        // Only the directory before the lock: `.ggen/.gitignore` is written under it, since
        // taking the lock sweeps temporary files in `.ggen/` (another ggen's in-flight write
        // of it would be one).
        ggen_fs::create_dir_all(&layout.state_dir())?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| ggen_fs::FsError::new("cannot open", &path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) if no_wait => {
                return Err(ProjectError::Busy { path });
            }
            Err(TryLockError::WouldBlock) => {
                reporter.waiting_for_lock(&path);
                file.lock()
                    .map_err(|e| ggen_fs::FsError::new("cannot lock", &path, e))?;
            }
            Err(TryLockError::Error(e)) => {
                return Err(ggen_fs::FsError::new("cannot lock", &path, e).into());
            }
        }
        let recovered = recover_journals(layout)?;
        layout.ensure_state_dir()?;
        Ok(ProjectLock {
            _file: file,
            layout: layout.clone(),
            recovered,
        })
    }

    /// The project this lock is for.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Interrupted transactions undone when the lock was taken (normally none).
    pub fn recovered(&self) -> &[Recovery] {
        &self.recovered
    }
}
