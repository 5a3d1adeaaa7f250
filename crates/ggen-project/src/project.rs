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
    // A write of ggen's own state outside a transaction, or a pack rewritten by garbage
    // collection, stopped midway.
    let leftover = [layout.state_dir(), layout.object_packs()]
        .iter()
        .any(|dir| {
            std::fs::read_dir(dir).is_ok_and(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .any(|e| ggen_fs::is_temporary(&e.file_name().to_string_lossy()))
            })
        });
    if journal || leftover {
        return true;
    }
    // Unchanged since a clean check parsed them: nothing to parse now.
    if crate::state::stat_cache::vouches_for_state(layout) {
        return false;
    }
    // The command takes the parsed values (see `state::parsed`): no second parse. The two
    // parse side by side.
    let (lockfile, snapshot) = rayon::join(
        || Lockfile::check(&layout.lockfile()),
        || Snapshot::check(&layout.snapshot()),
    );
    matches!(lockfile, Err(ProjectError::CorruptLockfile { .. }))
        || matches!(snapshot, Err(ProjectError::CorruptSnapshot { .. }))
}

/// The project's lockfile and snapshot; an error when it is not a ggen project.
pub fn load_project(layout: &Layout) -> Result<(Lockfile, Snapshot), ProjectError> {
    // Read and parsed side by side (the snapshot is the larger by far).
    let (lock, snapshot) = rayon::join(
        || Lockfile::load(&layout.lockfile()),
        || Snapshot::load(&layout.snapshot()),
    );
    let lock = lock?.ok_or_else(|| ProjectError::NotAProject {
        path: layout.root().to_path_buf(),
    })?;
    // No snapshot (a fresh clone, `.ggen/` is not committed), or one of another lock (a
    // teammate's update pulled with git): the lock says what was generated.
    let snapshot = match snapshot? {
        Some(snapshot) if records_the_lock(&snapshot, &lock) => snapshot,
        _ => {
            let mut snapshot = crate::packs::rebuild::snapshot_from_lock(&lock);
            crate::packs::rebuild::committed_conflicts(layout, &mut snapshot);
            snapshot
        }
    };
    Ok((lock, snapshot))
}

/// Whether `snapshot` is the record of the generation `lock` describes: the same packs at the
/// same versions and archives. Every transaction commits the two together, so they differ
/// only when `ggen.lock` came from elsewhere — a `git pull` or checkout of a commit that
/// updated packs in another clone.
fn records_the_lock(snapshot: &Snapshot, lock: &Lockfile) -> bool {
    snapshot.packs.len() == lock.packs.len()
        && lock.packs.iter().all(|locked| {
            snapshot.packs.get(&locked.id).is_some_and(|recorded| {
                recorded.version == locked.version && recorded.integrity == locked.integrity
            })
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoReporter;
    use crate::transaction::{FileChange, Transaction};

    #[test]
    fn open_rolls_back_an_interrupted_transaction_and_restores_a_damaged_lockfile() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        std::fs::write(layout.file("a.txt"), "before").unwrap();
        {
            let guard = ProjectLock::acquire(&layout, true, &NoReporter).unwrap();
            let mut tx = Transaction::begin(&guard, 20, "install", ["a.txt"]).unwrap();
            let change = FileChange {
                path: "a.txt",
                content: Some(b"committed"),
                executable: None,
                hash: None,
            };
            tx.apply(&[], &[change], &NoReporter).unwrap();
            tx.commit(&mut Lockfile::default(), &Snapshot::new())
                .unwrap();

            // A second change, stopped midway: its journal stays behind.
            let mut tx = Transaction::begin(&guard, 20, "update", ["a.txt"]).unwrap();
            let change = FileChange {
                path: "a.txt",
                content: Some(b"half done"),
                executable: None,
                hash: None,
            };
            tx.apply(&[], &[change], &NoReporter).unwrap();
            std::mem::forget(tx);
        }
        assert_eq!(
            std::fs::read_to_string(layout.file("a.txt")).unwrap(),
            "half done"
        );
        let report = open(&layout, true, &NoReporter).unwrap();
        assert_eq!(report.recovered.len(), 1);
        assert_eq!(report.recovered[0].command, "update");
        assert!(report.restored.is_empty());
        assert_eq!(
            std::fs::read_to_string(layout.file("a.txt")).unwrap(),
            "committed"
        );

        // A lockfile damaged outside any transaction comes back from the history.
        std::fs::write(layout.lockfile(), "not [toml").unwrap();
        let report = open(&layout, true, &NoReporter).unwrap();
        assert!(report.recovered.is_empty());
        assert_eq!(report.restored.len(), 1);
        assert_eq!(report.restored[0].path, "ggen.lock");
        assert!(report.restored[0].damaged_copy.is_file());
        assert!(Lockfile::load(&layout.lockfile()).unwrap().is_some());

        // Nothing left to repair: opening again is a no-op.
        assert!(open(&layout, true, &NoReporter).unwrap().is_empty());
    }

    #[test]
    fn a_project_is_locked_once_and_its_state_loaded_under_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        assert!(matches!(
            Project::lock(&layout, true, &NoReporter),
            Err(ProjectError::NotAProject { .. })
        ));
        Lockfile::default().save(&layout.lockfile()).unwrap();
        let project = Project::lock(&layout, true, &NoReporter).unwrap();
        assert!(project.snapshot.files.is_empty());
        // A second opener is refused while the first holds the lock (`--no-wait`).
        assert!(matches!(
            Project::lock(&layout, true, &NoReporter),
            Err(ProjectError::Busy { .. })
        ));
        drop(project);
        assert!(Project::lock(&layout, true, &NoReporter).is_ok());
    }
}
