//! The plan of a file the new version moved: one decision over both paths.

use super::current::{NOT_A_FILE, read_current};
use super::merge::{Sides, plan_merge};
use super::{FilePlan, MergeStrategy, PlanInputs, Record, StatSource, UpdateAction};
use crate::ProjectError;
use crate::merge::Merge;
use crate::packs::generation::GeneratedFile;
use crate::plan::decide::{Action, Carry, Facts, SkipReason, decide};
use crate::plan::moves;
use crate::state::snapshot::SnapshotFile;

/// A file the new version moved from `from` (whose record is `old`) to `file.path`: one
/// decision over both paths (see [`decide`]). `None` when it cannot be carried and each
/// path is planned on its own.
pub(super) fn plan_moved(
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
