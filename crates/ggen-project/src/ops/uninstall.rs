//! `ggen packs uninstall`: remove a pack's unmodified files, keep and report modified ones.

use serde::Serialize;

use crate::merge::Merge;
use crate::ops::drift::disk_hash;
use crate::plan::decide::{Action, Facts, decide};
use crate::project::Project;
use crate::transaction::{FileChange, Transaction};
use crate::{Environment, Layout, ProjectError, Reporter};

#[derive(Debug, Clone, Serialize)]
pub struct UninstallReport {
    pub id: String,
    pub version: String,
    /// Unmodified generated files, deleted.
    pub removed: Vec<String>,
    /// Files you changed: kept on disk, no longer tracked.
    pub kept: Vec<String>,
}

pub fn uninstall(
    layout: &Layout,
    id: &str,
    force: bool,
    env: &Environment,
    reporter: &dyn Reporter,
) -> Result<UninstallReport, ProjectError> {
    let project = Project::lock(layout, env.no_wait, reporter)?;
    let (mut lock, mut snapshot) = (project.lockfile.clone(), project.snapshot.clone());
    let locked = lock
        .pack(id)
        .cloned()
        .ok_or_else(|| ProjectError::NotInstalled { id: id.to_string() })?;
    let prefix = format!("{id}@");
    let dependents: Vec<String> = lock
        .packs
        .iter()
        .filter(|p| p.dependencies.iter().any(|d| d.starts_with(&prefix)))
        .map(|p| format!("`{}`", p.id))
        .collect();
    if !dependents.is_empty() && !force {
        return Err(ProjectError::HasDependents {
            id: id.to_string(),
            dependents: dependents.join(", "),
        });
    }
    let mut removed = Vec::new();
    let mut kept = Vec::new();
    for (path, file) in snapshot.files.iter().filter(|(_, f)| f.pack == id) {
        let current = disk_hash(layout, path, file)?;
        let hashes = Merge::new(current.as_deref(), Some(file.hash.as_str()), None);
        // Uninstalling removes every file it generated and nobody changed, create-once
        // files included; a file with a pending conflict is the user's to settle.
        let facts = Facts {
            current_not_a_file: current.as_deref() == Some("not-a-file"),
            ..Facts::default()
        };
        match decide(hashes, facts, || Ok::<_, ProjectError>(false))? {
            Action::Delete if !snapshot.conflicts.contains_key(path) => removed.push(path.clone()),
            Action::Forget => {}
            _ => kept.push(path.clone()),
        }
    }
    let changes: Vec<FileChange> = removed
        .iter()
        .map(|path| FileChange {
            path,
            content: None,
            executable: None,
            hash: None,
        })
        .collect();
    let mut tx = Transaction::begin(
        project.guard(),
        env.history_limit,
        "packs uninstall",
        removed.iter().map(String::as_str),
    )?;
    tx.apply(&[], &changes, reporter)?;
    snapshot.files.retain(|_, f| f.pack != id);
    snapshot.conflicts.retain(|_, c| c.pack != id);
    snapshot.packs.remove(id);
    lock.packs.retain(|p| p.id != id);
    tx.commit(&mut lock, &snapshot)?;
    Ok(UninstallReport {
        id: id.to_string(),
        version: locked.version,
        removed,
        kept,
    })
}
