//! The plan of a file that stays at its path: the decision on its three versions carried
//! out.

use super::current::{NOT_A_FILE, read_current};
use super::merge::{Sides, plan_merge};
use super::{FilePlan, MergeStrategy, PlanInputs, Record, StatSource, UpdateAction};
use crate::ProjectError;
use crate::merge::Merge;
use crate::packs::generation::GeneratedFile;
use crate::plan::decide::{Action, ConflictReason, Facts, SkipReason, decide};
use crate::state::snapshot::SnapshotConflict;

pub(super) fn plan_content(
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
