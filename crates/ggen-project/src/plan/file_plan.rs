//! The decision for one file of an update: from base (last generation), current (disk) and
//! new (this generation) to an action, the bytes to write and what the snapshot records.

use std::collections::{HashMap, HashSet};

use ggen_merge::{ConflictStyle, MergeOptions};
use rayon::prelude::*;
use serde::Serialize;

use super::decide::{Action, Carry, ConflictReason, Facts, SkipReason, decide};
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
        });
        let this = if self.delete {
            Some(FileChange {
                path: &self.path,
                content: None,
                executable: None,
            })
        } else {
            self.write.as_deref().map(|content| FileChange {
                path: &self.path,
                content: Some(content),
                executable: self.executable,
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
    /// scanned from the new generation), when the plan makes one; independent of the other
    /// plans, so all of them are made in parallel before [`FilePlan::record`].
    pub fn new_record(
        &self,
        written: Option<FileStat>,
        files: &[GeneratedFile],
    ) -> Option<SnapshotFile> {
        let Record::FromNew { index, stat } = &self.record else {
            return None;
        };
        let file = files.get(*index)?;
        let stat = match stat {
            StatSource::Written => written,
            StatSource::Known(stat) => stat.clone(),
        };
        let (regions, _) = SnapshotRegion::scan(&file.path, &file.content);
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

/// The hash `read_current` gives what is not a regular file.
const NOT_A_FILE: &str = "not-a-file";

/// The disk's version of a file: its hash (from the stat cache when the file is unchanged
/// since ggen last saw it) and, when needed, its bytes.
struct Current {
    hash: String,
    bytes: Option<Vec<u8>>,
    stat: FileStat,
}

fn read_current(
    inputs: &PlanInputs<'_>,
    path: &str,
    known: Option<&FileStat>,
) -> Result<Option<Current>, ProjectError> {
    let full = inputs.layout.file(path);
    let Ok(meta) = std::fs::symlink_metadata(&full) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Ok(Some(Current {
            hash: String::from(NOT_A_FILE),
            bytes: None,
            stat: FileStat::from_metadata(&meta, String::new()),
        }));
    }
    if let Some(stat) = known
        && stat.matches(&meta)
    {
        return Ok(Some(Current {
            hash: stat.hash.clone(),
            bytes: None,
            stat: stat.clone(),
        }));
    }
    let bytes = ggen_fs::read(&full)?;
    let hash = ggen_pack::integrity::sha256(&bytes);
    Ok(Some(Current {
        stat: FileStat::from_metadata(&meta, hash.clone()),
        hash,
        bytes: Some(bytes),
    }))
}

impl Current {
    fn bytes(&mut self, inputs: &PlanInputs<'_>, path: &str) -> Result<&[u8], ProjectError> {
        if self.bytes.is_none() {
            self.bytes = Some(ggen_fs::read(&inputs.layout.file(path))?);
        }
        Ok(self.bytes.as_deref().unwrap_or_default())
    }
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

fn plan_content(
    inputs: &PlanInputs<'_>,
    index: usize,
    file: &GeneratedFile,
) -> Result<FilePlan, ProjectError> {
    let pack = inputs.pack;
    let path = file.path.as_str();
    let from_new = |stat| Record::FromNew { index, stat };
    let old = inputs.snapshot.files.get(path);
    let mut current = read_current(inputs, path, old.and_then(|o| o.stat.as_ref()))?;
    let facts = Facts {
        current_not_a_file: current.as_ref().is_some_and(|c| c.hash == NOT_A_FILE),
        unless_exists: old.map_or(file.unless_exists, |o| o.unless_exists),
        preserve: inputs.strategy == MergeStrategy::Preserve,
        restore: inputs.restore,
        ..Facts::default()
    };
    let hashes = Merge::new(
        current.as_ref().map(|c| c.hash.clone()),
        old.map(|o| o.hash.clone()),
        Some(file.hash.clone()),
    );
    // Read only when a merge is due, and kept for it.
    let mut merge_inputs: Option<Sides> = None;
    let action = decide(hashes.as_ref().map(|h| h.as_deref()), facts, || {
        let (Some(current), Some(old)) = (current.as_mut(), old) else {
            return Ok(false);
        };
        let sides = Sides::read(inputs, path, current, old, file)?;
        let binary = sides.binary;
        merge_inputs = Some(sides);
        Ok::<_, ProjectError>(binary)
    })?;
    let stat = StatSource::Known(current.as_ref().map(|c| c.stat.clone()));
    let plan = |action| FilePlan::new(inputs, path, action, from_new(stat.clone()));
    Ok(match action {
        Action::Keep => plan(UpdateAction::Unchanged),
        Action::Write => {
            let (update_action, note) = match (&current, old) {
                (Some(_), _) => (UpdateAction::Update, None),
                (None, Some(_)) => (UpdateAction::Create, Some("restored")),
                (None, None) => (UpdateAction::Create, None),
            };
            let plan = FilePlan::new(inputs, path, update_action, from_new(StatSource::Written))
                .writing(file.content.clone());
            match note {
                Some(note) => plan.note(note),
                None => plan,
            }
        }
        Action::Skip(SkipReason::CreatedOnce) if old.is_some() => {
            FilePlan::new(inputs, path, UpdateAction::Unchanged, Record::KeepOld)
        }
        Action::Skip(SkipReason::CreatedOnce) => {
            FilePlan::new(inputs, path, UpdateAction::Skip, Record::KeepOld)
                .note("exists (created once)")
        }
        Action::Skip(SkipReason::DeletedByUser) => FilePlan::new(
            inputs,
            path,
            UpdateAction::Skip,
            from_new(StatSource::Known(None)),
        )
        .note("deleted by you; --restore recreates it"),
        Action::Skip(SkipReason::NotAFile) => {
            FilePlan::new(inputs, path, UpdateAction::Skip, Record::KeepOld)
                .note("not a regular file; left alone")
        }
        Action::Skip(SkipReason::Preserve) => {
            FilePlan::new(inputs, path, UpdateAction::Skip, Record::KeepOld)
                .note("modified by you (preserve)")
        }
        Action::Conflict(ConflictReason::Exists) => {
            let current_bytes = match current.as_mut() {
                Some(c) if c.hash != NOT_A_FILE => Some(c.bytes(inputs, path)?.to_vec()),
                _ => None,
            };
            let current_hash = current.as_ref().map(|c| c.hash.clone()).unwrap_or_default();
            let mut plan =
                plan(UpdateAction::Conflict).note("a file of yours is in the way; kept it");
            plan.conflict = Some(SnapshotConflict {
                pack: pack.to_string(),
                template: file.template.clone(),
                reason: "exists".into(),
                versions: Merge::new(
                    current_bytes.as_ref().map(|_| current_hash.clone()),
                    None,
                    Some(file.hash.clone()),
                ),
                marker_size: None,
            });
            plan.current_object = current_bytes.map(|b| (current_hash, b));
            plan
        }
        Action::Conflict(ConflictReason::Binary) | Action::Merge => {
            let Some(sides) = merge_inputs else {
                return Err(ProjectError::Internal {
                    message: format!("{path}: a merge was decided without reading the file"),
                });
            };
            plan_merge(inputs, index, file, path, sides, stat)
        }
        Action::Move(_) | Action::Apart => {
            return Err(ProjectError::Internal {
                message: format!("{path}: {action:?} decided for a file that did not move"),
            });
        }
        // Only for files the new generation does not make (see `plan_dropped`).
        Action::Delete | Action::Forget | Action::Untrack => {
            return Err(ProjectError::Internal {
                message: format!("{path}: {action:?} decided for a generated file"),
            });
        }
    })
}

/// Current and base of a file both sides changed, read for its merge.
struct Sides {
    current_hash: String,
    current: Vec<u8>,
    base_hash: String,
    base: Vec<u8>,
    /// One of current, base and new is binary.
    binary: bool,
}

impl Sides {
    /// Current and base as they are at `path` (the file's own, or the path a move left).
    fn read(
        inputs: &PlanInputs<'_>,
        path: &str,
        current: &mut Current,
        old: &SnapshotFile,
        file: &GeneratedFile,
    ) -> Result<Sides, ProjectError> {
        let base = inputs.repair.base(inputs.objects, path, &old.hash)?;
        let current_bytes = current.bytes(inputs, path)?.to_vec();
        let binary = ![&current_bytes[..], &base[..], &file.content[..]]
            .iter()
            .all(|b| ggen_merge::is_text(b));
        Ok(Sides {
            current_hash: current.hash.clone(),
            current: current_bytes,
            base_hash: old.hash.clone(),
            base,
            binary,
        })
    }
}

/// The plan at `file.path` for a file the user and the pack both changed: the region merge
/// (conflict blocks inline), or for binary content the user's bytes kept as a conflict (with
/// `stat`, what the disk holds). `from` is where current and base are: the file's own path,
/// or the one a move left.
fn plan_merge(
    inputs: &PlanInputs<'_>,
    index: usize,
    file: &GeneratedFile,
    from: &str,
    sides: Sides,
    stat: StatSource,
) -> FilePlan {
    let pack = inputs.pack;
    let path = file.path.as_str();
    let from_new = |stat| Record::FromNew { index, stat };
    let Sides {
        current_hash,
        current: current_bytes,
        base_hash,
        base,
        binary,
    } = sides;
    // Merged against an empty base: there is no base version to offer later.
    let no_base = inputs.repair.has_no_base(from);
    let base = (!no_base).then_some(base);
    let conflict_record = |reason: &str, marker_size: Option<usize>| SnapshotConflict {
        pack: pack.to_string(),
        template: file.template.clone(),
        reason: reason.into(),
        versions: Merge::new(
            Some(current_hash.clone()),
            Some(base_hash.clone()).filter(|_| !no_base),
            Some(file.hash.clone()),
        ),
        marker_size,
    };
    if binary {
        let mut plan = FilePlan::new(inputs, path, UpdateAction::Conflict, from_new(stat))
            .note("binary file changed by you and by the pack; kept yours (`ggen resolve --theirs` takes the pack's)");
        plan.conflict = Some(conflict_record("binary", None));
        plan.current_object = Some((current_hash.clone(), current_bytes));
        plan.conflicts = 1;
        plan.base = base;
        return plan;
    }
    let options = MergeOptions {
        style: ConflictStyle::Diff3,
        favor: None,
        labels: [
            "current".to_string(),
            "base".to_string(),
            format!("{pack}@{}", inputs.version),
        ],
        marker_size: ggen_merge::DEFAULT_MARKER_SIZE,
        marker_width: ggen_merge::MarkerWidth::Widen,
    };
    let merged = ggen_merge::merge_regions(
        path,
        &current_bytes,
        base.as_deref().unwrap_or_default(),
        &file.content,
        &options,
    );
    let action = if merged.conflicts > 0 {
        UpdateAction::Conflict
    } else {
        UpdateAction::Merge
    };
    let mut plan =
        FilePlan::new(inputs, path, action, from_new(StatSource::Written)).writing(merged.bytes);
    plan.conflicts = merged.conflicts;
    plan.warnings = merged.warnings;
    if merged.conflicts > 0 {
        plan.conflict = Some(conflict_record("merge", Some(merged.marker_size)));
        plan.current_object = Some((current_hash.clone(), current_bytes.clone()));
        plan.base = base;
    }
    plan.current = Some(current_bytes);
    plan
}

/// A file the new version moved from `from` (whose record is `old`) to `file.path`: one
/// decision over both paths (see [`decide`]). `None` when it cannot be carried and each
/// path is planned on its own.
fn plan_moved(
    inputs: &PlanInputs<'_>,
    index: usize,
    file: &GeneratedFile,
    from: &str,
    old: &SnapshotFile,
    found: moves::Found,
) -> Result<Option<FilePlan>, ProjectError> {
    let plan = plan_move_decided(inputs, index, file, from, old)?;
    // A move found by similarity says how alike the files were.
    Ok(plan.map(|mut plan| {
        if let moves::Found::Similar(score) = found {
            plan.note = Some(match plan.note.take() {
                Some(note) => format!("{score}% alike; {note}"),
                None => format!("{score}% alike"),
            });
        }
        plan
    }))
}

fn plan_move_decided(
    inputs: &PlanInputs<'_>,
    index: usize,
    file: &GeneratedFile,
    from: &str,
    old: &SnapshotFile,
) -> Result<Option<FilePlan>, ProjectError> {
    let path = file.path.as_str();
    let mut current = read_current(inputs, from, old.stat.as_ref())?;
    let facts = Facts {
        current_not_a_file: current.as_ref().is_some_and(|c| c.hash == NOT_A_FILE),
        unless_exists: old.unless_exists || file.unless_exists,
        preserve: inputs.strategy == MergeStrategy::Preserve,
        restore: inputs.restore,
        moved: true,
        new_path_taken: std::fs::symlink_metadata(inputs.layout.file(path)).is_ok(),
    };
    let hashes = Merge::new(
        current.as_ref().map(|c| c.hash.clone()),
        Some(old.hash.clone()),
        Some(file.hash.clone()),
    );
    let mut sides: Option<Sides> = None;
    let action = decide(hashes.as_ref().map(|h| h.as_deref()), facts, || {
        let Some(current) = current.as_mut() else {
            return Ok(false);
        };
        let read = Sides::read(inputs, from, current, old, file)?;
        let binary = read.binary;
        sides = Some(read);
        Ok::<_, ProjectError>(binary)
    })?;
    let written = || Record::FromNew {
        index,
        stat: StatSource::Written,
    };
    let mut plan = match action {
        Action::Apart => return Ok(None),
        Action::Move(Carry::New) => {
            FilePlan::new(inputs, path, UpdateAction::Move, written()).writing(file.content.clone())
        }
        Action::Move(Carry::Current) => {
            let bytes = match current.as_mut() {
                Some(current) => current.bytes(inputs, from)?.to_vec(),
                None => Vec::new(),
            };
            FilePlan::new(inputs, path, UpdateAction::Move, written())
                .writing(bytes)
                .note("as you have it")
        }
        Action::Move(carry @ (Carry::Merge | Carry::Binary)) => {
            let Some(sides) = sides else {
                return Err(ProjectError::Internal {
                    message: format!("{from}: a merge was decided without reading the file"),
                });
            };
            let current_bytes = sides.current.clone();
            let mut plan = plan_merge(inputs, index, file, from, sides, StatSource::Written);
            let note = if carry == Carry::Binary {
                // The user's bytes go to the new path, in conflict.
                plan = plan.writing(current_bytes);
                "moved; a binary file changed by you and by the pack: kept yours (`ggen resolve --theirs` takes the pack's)"
            } else if plan.action == UpdateAction::Merge {
                plan.action = UpdateAction::Move;
                "your edits merged"
            } else {
                "moved; your edits and the pack's conflict"
            };
            plan.note(note)
        }
        Action::Write => {
            let mut plan = FilePlan::new(inputs, path, UpdateAction::Create, written())
                .writing(file.content.clone())
                .note("restored at the new path");
            plan.release_old = true;
            plan.moved_from = Some(from.to_string());
            return Ok(Some(plan));
        }
        Action::Skip(SkipReason::DeletedByUser) => {
            let record = Record::FromNew {
                index,
                stat: StatSource::Known(None),
            };
            let mut plan = FilePlan::new(inputs, path, UpdateAction::Skip, record)
                .note("you deleted the old file; --restore recreates it at the new path");
            plan.release_old = true;
            plan.moved_from = Some(from.to_string());
            return Ok(Some(plan));
        }
        Action::Skip(SkipReason::Preserve) => {
            let mut plan = FilePlan::new(inputs, path, UpdateAction::Skip, Record::KeepOld)
                .note("not moved: the old file is modified by you (preserve)");
            plan.moved_from = Some(from.to_string());
            return Ok(Some(plan));
        }
        other => {
            return Err(ProjectError::Internal {
                message: format!("{from} -> {path}: {other:?} decided for a move"),
            });
        }
    };
    plan.moved_from = Some(from.to_string());
    plan.delete_old = true;
    plan.release_old = true;
    // Like git: the pack's change of mode applies unless the user changed the mode too.
    let on_disk = std::fs::symlink_metadata(inputs.layout.file(from))
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|meta| ggen_fs::is_executable(&meta));
    plan.executable = Some(match on_disk {
        Some(mode) if mode != old.executable => mode,
        _ => file.executable,
    });
    Ok(Some(plan))
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
mod tests {
    use super::*;

    /// A project with one pack `p` whose last generation wrote `base` at `path` (`None`: not
    /// generated before), `current` on disk (`None`: absent).
    struct Project {
        _dir: tempfile::TempDir,
        layout: Layout,
        objects: ObjectStore,
        snapshot: Snapshot,
    }

    impl Project {
        fn new(path: &str, base: Option<&str>, current: Option<&str>) -> Project {
            let dir = tempfile::tempdir().unwrap();
            let layout = Layout::new(dir.path());
            let objects = ObjectStore::new(layout.objects());
            let mut snapshot = Snapshot::new();
            if let Some(base) = base {
                let hash = ggen_pack::integrity::sha256(base.as_bytes());
                objects.write(&hash, base.as_bytes()).unwrap();
                snapshot.files.insert(
                    path.to_string(),
                    SnapshotFile {
                        hash,
                        size: base.len() as u64,
                        pack: "p".into(),
                        version: "1.0.0".into(),
                        template: format!("{path}.tmpl"),
                        unless_exists: false,
                        executable: false,
                        regions: SnapshotRegion::scan(path, base.as_bytes()).0,
                        stat: None,
                    },
                );
            }
            if let Some(current) = current {
                let full = layout.file(path);
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(full, current).unwrap();
            }
            Project {
                _dir: dir,
                layout,
                objects,
                snapshot,
            }
        }

        /// The plan of `path` when the new generation writes `new` there (`None`: no longer).
        fn plan(
            &self,
            path: &str,
            new: Option<&str>,
            strategy: MergeStrategy,
            restore: bool,
        ) -> FilePlan {
            let files: Vec<GeneratedFile> = new
                .iter()
                .map(|new| GeneratedFile {
                    path: path.to_string(),
                    content: new.as_bytes().to_vec(),
                    hash: ggen_pack::integrity::sha256(new.as_bytes()),
                    template: format!("{path}.tmpl"),
                    unless_exists: false,
                    executable: false,
                    moved_from: None,
                })
                .collect();
            let repair = BaseRepair::default();
            let inputs = PlanInputs {
                layout: &self.layout,
                objects: &self.objects,
                snapshot: &self.snapshot,
                pack: "p",
                version: "2.0.0".into(),
                strategy,
                restore,
                repair: &repair,
            };
            let mut plans = plan_pack(&inputs, &files).unwrap();
            assert_eq!(plans.len(), 1, "one file, one plan");
            plans.remove(0)
        }
    }

    /// What the file holds once the plan is carried out (`None`: no file).
    fn after(plan: &FilePlan, current: Option<&str>) -> Option<String> {
        match plan.changes().find(|change| change.path == plan.path) {
            Some(change) => change
                .content
                .map(|bytes| String::from_utf8(bytes.to_vec()).unwrap()),
            None => current.map(str::to_string),
        }
    }

    const BASE: &str = "one\ntwo\nthree\nfour\nfive\n";
    const OURS: &str = "ONE\ntwo\nthree\nfour\nfive\n";
    const THEIRS: &str = "one\ntwo\nthree\nfour\nFIVE\n";
    const BOTH: &str = "ONE\ntwo\nthree\nfour\nFIVE\n";
    const CLASH: &str = "uno\ntwo\nthree\nfour\nfive\n";

    /// Update planning, one row per case of SPEC §5 as an update meets it on disk: (case,
    /// base, current, new, strategy, --restore, action, the file afterwards, a conflict
    /// recorded).
    #[test]
    fn every_case_an_update_plans() {
        use MergeStrategy::{Auto, Preserve};
        use UpdateAction::*;
        type Row = (
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
            Option<&'static str>,
            MergeStrategy,
            bool,
            UpdateAction,
            Option<&'static str>,
            bool,
        );
        #[rustfmt::skip]
        let table: &[Row] = &[
            ("untouched, pack unchanged",       Some(BASE), Some(BASE),   Some(BASE),   Auto,     false, Unchanged, Some(BASE),   false),
            ("untouched, pack changed",         Some(BASE), Some(BASE),   Some(THEIRS), Auto,     false, Update,    Some(THEIRS), false),
            ("edited, pack unchanged",          Some(BASE), Some(OURS),   Some(BASE),   Auto,     false, Unchanged, Some(OURS),   false),
            ("edited, pack changed elsewhere",  Some(BASE), Some(OURS),   Some(THEIRS), Auto,     false, Merge,     Some(BOTH),   false),
            ("edited, pack changed the line",   Some(BASE), Some(OURS),   Some(CLASH),  Auto,     false, Conflict,  None,         true),
            ("edited, preserve",                Some(BASE), Some(OURS),   Some(THEIRS), Preserve, false, Skip,      Some(OURS),   false),
            ("added by the pack",               None,       None,         Some(THEIRS), Auto,     false, Create,    Some(THEIRS), false),
            ("added on both sides, same",       None,       Some(THEIRS), Some(THEIRS), Auto,     false, Unchanged, Some(THEIRS), false),
            ("a file of yours in the way",      None,       Some(OURS),   Some(THEIRS), Auto,     false, Conflict,  Some(OURS),   true),
            ("dropped, untouched",              Some(BASE), Some(BASE),   None,         Auto,     false, Delete,    None,         false),
            ("dropped, edited",                 Some(BASE), Some(OURS),   None,         Auto,     false, Keep,      Some(OURS),   false),
            ("deleted by you",                  Some(BASE), None,         Some(THEIRS), Auto,     false, Skip,      None,         false),
            ("deleted by you, --restore",       Some(BASE), None,         Some(THEIRS), Auto,     true,  Create,    Some(THEIRS), false),
        ];
        for (case, base, current, new, strategy, restore, action, file, conflict) in table {
            let project = Project::new("f.txt", *base, *current);
            let plan = project.plan("f.txt", *new, *strategy, *restore);
            assert_eq!(plan.action, *action, "{case}");
            assert_eq!(
                plan.conflict.is_some(),
                *conflict,
                "{case}: conflict recorded"
            );
            let result = after(&plan, *current);
            match file {
                // A conflict written inline: the user's line and the pack's, in blocks.
                None if *conflict => {
                    let text = result.unwrap_or_default();
                    assert!(
                        text.contains("<<<<<<<") && text.contains("ONE") && text.contains("uno"),
                        "{case}: {text}"
                    );
                }
                _ => assert_eq!(result.as_deref(), *file, "{case}"),
            }
        }
    }

    /// A conflict keeps the user's version as an object, so `resolve --ours` and rollback can
    /// give it back byte for byte.
    #[test]
    fn a_conflict_keeps_the_users_version_for_later() {
        let project = Project::new("f.txt", Some(BASE), Some(OURS));
        let plan = project.plan("f.txt", Some(CLASH), MergeStrategy::Auto, false);
        let (hash, bytes) = plan.current_object.clone().unwrap();
        assert_eq!(bytes, OURS.as_bytes());
        let conflict = plan.conflict.unwrap();
        assert_eq!(conflict.versions.current.as_deref(), Some(hash.as_str()));
        assert_eq!(
            conflict.versions.base,
            Some(ggen_pack::integrity::sha256(BASE.as_bytes()))
        );
    }
}
