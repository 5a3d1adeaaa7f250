//! The decision for one file of an update: from base (last generation), current (disk) and
//! new (this generation) to an action, the bytes to write and what the snapshot records.
//! Here the plan itself and the plan of a pack; a file that stays at its path is planned in
//! `content`, one the new version moved in `moved`, the region merge both use in
//! `merge`, and the disk's version is read in `current`.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;

mod content;
mod current;
mod merge;
mod moved;

use content::plan_content;
use current::{NOT_A_FILE, read_current};
use moved::plan_moved;

use super::decide::{Action, Facts, decide};
use super::moves;
use crate::merge::Merge;
use crate::packs::generation::GeneratedFile;
use crate::packs::rebuild::BaseRepair;
use crate::state::objects::ObjectStore;
use crate::state::snapshot::{FileStat, Snapshot, SnapshotConflict, SnapshotFile, SnapshotRegion};
use crate::transaction::FileChange;
use crate::{Layout, ProjectError};

/// What to do with files the user changed (`--merge-strategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergeStrategy {
    /// Region-aware three-way merge; conflicts written inline.
    Auto,
    /// Like auto, but each merge is shown and written only after a yes.
    Manual,
    /// Leave files the user changed untouched.
    Preserve,
}

/// What an update does to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpdateAction {
    /// Written where nothing was (new in this version, or restored).
    Create,
    /// Unmodified by the user: replaced by the new generation.
    Update,
    /// Modified by the user and merged without conflict.
    Merge,
    /// Could not be settled: conflict blocks written, or the current file kept.
    Conflict,
    /// No longer generated and unmodified: deleted.
    Delete,
    /// Not touched (preserve strategy, deleted by the user, declined at review, create-once).
    Skip,
    /// No longer generated, but modified by the user: kept and no longer tracked.
    Keep,
    /// Moved by the new version: carried to the new path (the user's edits merged in), the
    /// old file removed.
    Move,
    /// Nothing to do.
    Unchanged,
}

/// Everything the plan of one pack needs to look at.
pub struct PlanInputs<'a> {
    pub layout: &'a Layout,
    pub objects: &'a ObjectStore,
    pub snapshot: &'a Snapshot,
    pub pack: &'a str,
    pub version: String,
    pub strategy: MergeStrategy,
    pub restore: bool,
    /// Merge bases `.ggen/objects` lacks, rebuilt from the lock (a fresh clone), or none.
    pub repair: &'a BaseRepair,
}

/// What the snapshot keeps for the file afterwards.
#[derive(Debug, Clone)]
enum Record {
    /// The new generation is the base from now on; the stat is known, fresh from the write,
    /// or absent (file missing).
    FromNew { index: usize, stat: StatSource },
    /// The old record stays (the file was not brought to the new version).
    KeepOld,
    /// The file is no longer generated.
    Remove,
}

#[derive(Debug, Clone)]
enum StatSource {
    /// Taken after this change writes the file.
    Written,
    Known(Option<FileStat>),
}

#[derive(Debug, Clone)]
pub struct FilePlan {
    pub path: String,
    /// The path the file moved from (SPEC §5, moves).
    pub moved_from: Option<String>,
    pub pack: String,
    /// The pack version this file is brought to.
    pub version: String,
    pub action: UpdateAction,
    pub conflicts: usize,
    pub note: Option<String>,
    pub warnings: Vec<String>,
    /// The current content, kept as an object when a conflict may need it back.
    pub current_object: Option<(String, Vec<u8>)>,
    write: Option<Vec<u8>>,
    delete: bool,
    /// A move: the old file is deleted (all of it is at the new path now).
    delete_old: bool,
    /// A move: the old path's record goes (the file was carried, or the user deleted it).
    release_old: bool,
    record: Record,
    conflict: Option<SnapshotConflict>,
    /// For review: the current content (before the merge).
    current: Option<Vec<u8>>,
    /// The base content, when a conflict keeps it for git's index.
    base: Option<Vec<u8>>,
    /// The executable bit to set when writing (the pack changed it and the user did not).
    executable: Option<bool>,
}

impl FilePlan {
    fn new(inputs: &PlanInputs<'_>, path: &str, action: UpdateAction, record: Record) -> FilePlan {
        FilePlan {
            path: path.to_string(),
            moved_from: None,
            pack: inputs.pack.to_string(),
            version: inputs.version.clone(),
            action,
            conflicts: 0,
            note: None,
            warnings: Vec::new(),
            current_object: None,
            write: None,
            delete: false,
            delete_old: false,
            release_old: false,
            record,
            conflict: None,
            current: None,
            base: None,
            executable: None,
        }
    }

    fn note(mut self, note: &str) -> FilePlan {
        self.note = Some(note.to_string());
        self
    }

    fn writing(mut self, bytes: Vec<u8>) -> FilePlan {
        self.write = Some(bytes);
        self
    }

    /// The file changes to apply: none, one, or for a move the old file's removal and the
    /// new one's write.
    pub fn changes(&self) -> impl Iterator<Item = FileChange<'_>> {
        let old = self.carried_from().map(|path| FileChange {
            path,
            content: None,
            executable: None,
            hash: None,
        });
        let this = if self.delete {
            Some(FileChange {
                path: &self.path,
                content: None,
                executable: None,
                hash: None,
            })
        } else {
            self.write.as_deref().map(|content| FileChange {
                path: &self.path,
                content: Some(content),
                executable: self.executable,
                hash: None,
            })
        };
        old.into_iter().chain(this)
    }

    /// For a move that carries the file: the old path, which this change removes.
    pub fn carried_from(&self) -> Option<&str> {
        self.moved_from.as_deref().filter(|_| self.delete_old)
    }

    /// A merge of a file the user changed, which the `manual` strategy shows before writing.
    pub fn reviewable(&self) -> bool {
        self.current.is_some() && self.write.is_some()
    }

    /// A unified diff from the current file to what the update would write.
    pub fn review_diff(&self) -> String {
        let current = self.current.as_deref().unwrap_or_default();
        let merged = self.write.as_deref().unwrap_or_default();
        unified_diff(
            &String::from_utf8_lossy(current),
            &String::from_utf8_lossy(merged),
            &format!("a/{}", self.moved_from.as_deref().unwrap_or(&self.path)),
            &format!("b/{} (merged)", self.path),
        )
    }

    /// The user said no to this merge: leave the file and its record as they are.
    pub fn decline(&mut self) {
        if self.reviewable() {
            self.action = UpdateAction::Skip;
            self.conflicts = 0;
            self.write = None;
            self.conflict = None;
            self.current_object = None;
            self.record = Record::KeepOld;
            self.delete_old = false;
            self.release_old = false;
        }
    }

    /// The three versions of a conflicted file, for git's index.
    pub fn unmerged<'a>(
        &'a self,
        files: &'a [GeneratedFile],
    ) -> Option<crate::state::git_index::Unmerged<'a>> {
        let conflict = self.conflict.as_ref()?;
        let (_, current) = self.current_object.as_ref()?;
        let new = files
            .iter()
            .find(|f| Some(&f.hash) == conflict.versions.new.as_ref())?;
        Some(crate::state::git_index::Unmerged {
            path: &self.path,
            versions: Merge::new(Some(current), self.base.as_deref(), Some(&new.content)),
        })
    }

    /// The snapshot's new record of this file once the change was applied (its regions
    /// scanned from the new generation, or taken from `previous`, the record it replaces,
    /// when that was made of the same content), when the plan makes one; independent of the
    /// other plans, so all of them are made in parallel before [`FilePlan::record`].
    pub fn new_record(
        &self,
        written: Option<FileStat>,
        files: &[GeneratedFile],
        previous: Option<&SnapshotFile>,
    ) -> Option<SnapshotFile> {
        let Record::FromNew { index, stat } = &self.record else {
            return None;
        };
        let file = files.get(*index)?;
        let stat = match stat {
            StatSource::Written => written,
            StatSource::Known(stat) => stat.clone(),
        };
        // The regions are a function of the path and the content. A record without any
        // (binary content, or rebuilt from the lock with no verified base) is scanned.
        let regions = match previous {
            Some(previous) if previous.hash == file.hash && previous.regions.is_some() => {
                previous.regions.clone()
            }
            _ => SnapshotRegion::scan(&file.path, &file.content).0,
        };
        Some(SnapshotFile {
            hash: file.hash.clone(),
            size: file.content.len() as u64,
            pack: self.pack.clone(),
            version: self.version.clone(),
            template: file.template.clone(),
            unless_exists: file.unless_exists,
            executable: file.executable,
            regions,
            stat,
        })
    }

    /// Updates the snapshot for this file after the change was applied; `new_record` is
    /// [`FilePlan::new_record`]'s.
    pub fn record(&self, snapshot: &mut Snapshot, new_record: Option<SnapshotFile>) {
        if let Some(old) = self.moved_from.as_ref().filter(|_| self.release_old) {
            snapshot.files.remove(old);
            snapshot.conflicts.remove(old);
        }
        match (&self.record, new_record) {
            (Record::KeepOld, _) => {}
            (Record::Remove, _) => {
                snapshot.files.remove(&self.path);
            }
            (Record::FromNew { .. }, Some(file)) => {
                snapshot.files.insert(self.path.clone(), file);
            }
            (Record::FromNew { .. }, None) => {}
        }
        match &self.conflict {
            Some(conflict) => {
                snapshot
                    .conflicts
                    .insert(self.path.clone(), conflict.clone());
            }
            None => {
                snapshot.conflicts.remove(&self.path);
            }
        }
    }
}

/// Plans every file of one pack: those the new generation makes and those the last one made.
pub fn plan_pack(
    inputs: &PlanInputs<'_>,
    files: &[GeneratedFile],
) -> Result<Vec<FilePlan>, ProjectError> {
    let moves = moves::find(inputs.snapshot, inputs.pack, files, |path, old| {
        if inputs.repair.has_no_base(path) {
            return None;
        }
        // A base that cannot be read makes no move; the merge reports it if one needs it.
        inputs.repair.base(inputs.objects, path, &old.hash).ok()
    });
    let moved_to: HashMap<usize, &moves::Move> = moves.iter().map(|m| (m.new, m)).collect();
    let generated: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    // Each file's plan depends only on its own versions: planned on both cores (stat, read
    // when changed, decide, merge), in the order of `files`.
    let planned = files
        .par_iter()
        .enumerate()
        .map(|(index, file)| {
            if let Some(found) = moved_to.get(&index)
                && let Some(old) = inputs.snapshot.files.get(&found.old)
                && let Some(plan) = plan_moved(inputs, index, file, &found.old, old, found.found)?
            {
                return Ok((Some(found.old.as_str()), plan));
            }
            Ok((None, plan_generated(inputs, index, file)?))
        })
        .collect::<Result<Vec<_>, ProjectError>>()?;
    let carried: HashSet<&str> = planned.iter().filter_map(|(old, _)| *old).collect();
    let mut plans: Vec<FilePlan> = planned.into_iter().map(|(_, plan)| plan).collect();
    for (path, old) in &inputs.snapshot.files {
        if old.pack != inputs.pack
            || generated.contains(path.as_str())
            || carried.contains(path.as_str())
        {
            continue;
        }
        plans.push(plan_dropped(inputs, path, old)?);
    }
    Ok(plans)
}

/// The content plan, then the mode. Like git: a mode the pack changed (base -> new) is
/// applied unless the user changed it too; a user's own chmod is kept.
fn plan_generated(
    inputs: &PlanInputs<'_>,
    index: usize,
    file: &GeneratedFile,
) -> Result<FilePlan, ProjectError> {
    let mut plan = plan_content(inputs, index, file)?;
    if plan.delete {
        return Ok(plan);
    }
    let path = inputs.layout.file(&file.path);
    let on_disk = std::fs::symlink_metadata(&path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|meta| ggen_fs::is_executable(&meta));
    match inputs.snapshot.files.get(&file.path) {
        None if file.executable => plan.executable = Some(true),
        // The pack changed the mode and the user did not: apply it.
        Some(old)
            if old.executable != file.executable
                && (on_disk.is_none() || on_disk == Some(old.executable)) =>
        {
            plan.executable = Some(file.executable);
            if plan.write.is_none() && on_disk.is_some() {
                // Same bytes, the pack's new mode.
                plan.write = Some(ggen_fs::read(&path)?);
                if plan.note.is_none() {
                    plan.note = Some("mode changed".to_string());
                }
            }
        }
        _ => {}
    }
    Ok(plan)
}

fn plan_dropped(
    inputs: &PlanInputs<'_>,
    path: &str,
    old: &SnapshotFile,
) -> Result<FilePlan, ProjectError> {
    let current = read_current(inputs, path, old.stat.as_ref())?;
    let facts = Facts {
        current_not_a_file: current.as_ref().is_some_and(|c| c.hash == NOT_A_FILE),
        unless_exists: old.unless_exists,
        ..Facts::default()
    };
    let hashes = Merge::new(
        current.as_ref().map(|c| c.hash.as_str()),
        Some(old.hash.as_str()),
        None,
    );
    let action = decide(hashes, facts, || Ok::<_, ProjectError>(false))?;
    Ok(match action {
        Action::Forget => FilePlan::new(inputs, path, UpdateAction::Delete, Record::Remove)
            .note("no longer generated (already deleted)"),
        Action::Delete => {
            let mut plan = FilePlan::new(inputs, path, UpdateAction::Delete, Record::Remove)
                .note("no longer generated");
            plan.delete = true;
            plan
        }
        _ => FilePlan::new(inputs, path, UpdateAction::Keep, Record::Remove)
            .note("no longer generated, but changed by you: kept and no longer tracked"),
    })
}

/// A unified diff of two texts with the given header labels.
pub fn unified_diff(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string()
}

#[cfg(test)]
mod tests;
