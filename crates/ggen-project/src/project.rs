//! Opening a project: readying it for a command (recovering an interrupted transaction,
//! restoring a damaged `ggen.lock` or snapshot) and loading its state.

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
