//! Opening a project: readying it for a command (recovering an interrupted transaction,
//! restoring a damaged `ggen.lock` or snapshot) and, for a command that changes it, a
//! [`Project`]: the project lock held and the state loaded once, under it.

use serde::Serialize;

use crate::state::lockfile::Lockfile;
use crate::state::snapshot::Snapshot;
use crate::transaction::project_lock::ProjectLock;
use crate::transaction::recovery::{Recovery, RestoredState, restore_damaged_state};
use crate::{Layout, ProjectError, Reporter};

/// What [`open`] had to repair before the command could run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OpenReport {
    pub recovered: Vec<Recovery>,
    pub restored: Vec<RestoredState>,
}

impl OpenReport {
    pub fn is_empty(&self) -> bool {
        self.recovered.is_empty() && self.restored.is_empty()
    }
}

/// Readies the project at `layout` for any command: undoes interrupted transactions and
/// restores a damaged lockfile or snapshot. Cheap when there is nothing to do (no lock is
/// taken); otherwise takes the project lock, waiting like a changing command would.
pub fn open(
    layout: &Layout,
    no_wait: bool,
    reporter: &dyn Reporter,
) -> Result<OpenReport, ProjectError> {
    if !layout.state_dir().is_dir() || !needs_repair(layout) {
        return Ok(OpenReport::default());
    }
    let guard = ProjectLock::acquire(layout, no_wait, reporter)?;
    let restored = restore_damaged_state(layout)?;
    Ok(OpenReport {
        recovered: guard.recovered().to_vec(),
        restored,
    })
}

fn needs_repair(layout: &Layout) -> bool {
    let journal = std::fs::read_dir(layout.journal_dir())
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    journal
        || matches!(
            Lockfile::load(&layout.lockfile()),
            Err(ProjectError::CorruptLockfile { .. })
        )
        || matches!(
            Snapshot::load(&layout.snapshot()),
            Err(ProjectError::CorruptSnapshot { .. })
        )
}

/// The project's lockfile and snapshot; an error when it is not a ggen project.
pub fn load_project(layout: &Layout) -> Result<(Lockfile, Snapshot), ProjectError> {
    let lock = Lockfile::load(&layout.lockfile())?.ok_or_else(|| ProjectError::NotAProject {
        path: layout.root().to_path_buf(),
    })?;
    let snapshot = Snapshot::load(&layout.snapshot())?.unwrap_or_else(Snapshot::new);
    Ok((lock, snapshot))
}

/// A project opened for a change: the project lock held (interrupted transactions were
/// recovered when it was taken) and `ggen.lock` and the snapshot loaded once, under the lock.
/// Operations change the state through it and put the committed values back.
pub struct Project {
    guard: ProjectLock,
    pub lockfile: Lockfile,
    pub snapshot: Snapshot,
}

impl Project {
    /// Takes the lock of the project at `layout` (waiting, or failing at once with `no_wait`)
    /// and loads its state; an error when it is not a ggen project.
    pub fn lock(
        layout: &Layout,
        no_wait: bool,
        reporter: &dyn Reporter,
    ) -> Result<Project, ProjectError> {
        // Not a project at all: say so without waiting for a lock.
        if !layout.lockfile().is_file() {
            return Err(ProjectError::NotAProject {
                path: layout.root().to_path_buf(),
            });
        }
        let guard = ProjectLock::acquire(layout, no_wait, reporter)?;
        let (lockfile, snapshot) = load_project(layout)?;
        Ok(Project {
            guard,
            lockfile,
            snapshot,
        })
    }

    pub fn layout(&self) -> &Layout {
        self.guard.layout()
    }

    /// The held lock, to begin a transaction with.
    pub fn guard(&self) -> &ProjectLock {
        &self.guard
    }

    /// Loads the state again, after a change made from the history (a rollback).
    pub fn reload(&mut self) -> Result<(), ProjectError> {
        let (lockfile, snapshot) = load_project(self.guard.layout())?;
        self.lockfile = lockfile;
        self.snapshot = snapshot;
        Ok(())
    }
}
