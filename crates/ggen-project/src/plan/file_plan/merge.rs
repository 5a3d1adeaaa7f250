//! The region merge of a file both the user and the pack changed (at its path, or carried
//! by a move): the bytes written, the conflict recorded.

use ggen_merge::{ConflictStyle, MergeOptions};

use super::current::Current;
use super::{FilePlan, PlanInputs, Record, StatSource, UpdateAction};
use crate::ProjectError;
use crate::merge::Merge;
use crate::packs::generation::GeneratedFile;
use crate::state::snapshot::{SnapshotConflict, SnapshotFile};

/// Current and base of a file both sides changed, read for its merge.
pub(super) struct Sides {
    current_hash: String,
    pub(super) current: Vec<u8>,
    base_hash: String,
    base: Vec<u8>,
    /// One of current, base and new is binary.
    pub(super) binary: bool,
}

impl Sides {
    /// Current and base as they are at `path` (the file's own, or the path a move left).
    pub(super) fn read(
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
pub(super) fn plan_merge(
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
