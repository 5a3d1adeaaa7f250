//! `ggen resolve`'s decision: from the recorded conflict (its reason and which of its three
//! versions were kept) and the side the user chose to a [`Resolution`] — which bytes settle
//! the file. The table is SPEC §5's "Conflicts" as code; [`crate::ops::resolve`] only
//! carries the resolution out.

use serde::Serialize;

use crate::state::snapshot::SnapshotConflict;

/// Which version of a conflicted file to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The file as you had it before the update.
    Ours,
    /// The pack's side of generated content and of every conflict; manual-edit and
    /// protected regions, and the user's changes that did not conflict, are kept.
    Theirs,
    /// The file as it is now, after you edited the conflict blocks away.
    Merged,
}

/// The bytes that settle a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The conflict is known only from the blocks in the file (a fresh clone's committed
    /// conflict, see [`crate::packs::rebuild`]): settle each block to one side, the rest of
    /// the file as it is.
    SettleBlocks(ggen_merge::Favor),
    /// The user's version from before the update (kept in the object store).
    TakeCurrent,
    /// The file on disk already is the user's version (a file that was in the way at
    /// install): nothing to write.
    KeepDisk,
    /// The file on disk, once no conflict markers remain in it.
    AcceptMerged,
    /// Redo the update's region merge with every conflict settled the pack's way; never
    /// settles away a manual-edit or protected region nor the user's other changes. Against
    /// an empty base when none was recorded (a fresh clone whose base could not be rebuilt).
    RedoMerge,
    /// The pack's version with the protected and manual-edit regions of the user's file on
    /// disk carried into it (a file that was in the way: no merge ran).
    CarryRegionsIntoNew,
    /// The pack's version as it is (a binary conflict, or nothing of the user's on disk).
    TakeNew,
}

/// The decision. `disk_is_file` is asked only when the user's file on disk matters: whether
/// a regular file is at the path.
pub fn decide_resolution(
    side: Side,
    conflict: &SnapshotConflict,
    disk_is_file: impl FnOnce() -> bool,
) -> Resolution {
    let versions = &conflict.versions;
    let merge = conflict.reason == "merge";
    match side {
        Side::Merged => Resolution::AcceptMerged,
        Side::Ours | Side::Theirs if conflict.known_from_blocks() => {
            Resolution::SettleBlocks(match side {
                Side::Ours => ggen_merge::Favor::Ours,
                _ => ggen_merge::Favor::Theirs,
            })
        }
        Side::Ours if versions.current.is_some() => Resolution::TakeCurrent,
        Side::Ours => Resolution::KeepDisk,
        // Both sides of a binary file were kept: there is nothing to merge or carry.
        Side::Theirs if conflict.reason == "binary" => Resolution::TakeNew,
        // A merge ran (with its base, or against an empty one): redo it.
        Side::Theirs if merge && versions.current.is_some() => Resolution::RedoMerge,
        // A file of the user's was in the way.
        Side::Theirs if disk_is_file() => Resolution::CarryRegionsIntoNew,
        Side::Theirs => Resolution::TakeNew,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::Merge;
    use ggen_merge::Favor;

    /// (case, side, reason, current kept, base kept, a regular file on disk, resolution).
    type Row = (
        &'static str,
        Side,
        &'static str,
        bool,
        bool,
        bool,
        Resolution,
    );

    fn conflict(reason: &str, current: bool, base: bool) -> SnapshotConflict {
        SnapshotConflict {
            pack: "p".into(),
            template: "t.tmpl".into(),
            reason: reason.into(),
            versions: Merge::new(
                current.then(|| "c".to_string()),
                base.then(|| "b".to_string()),
                Some("n".to_string()),
            ),
            marker_size: None,
        }
    }

    /// Every kind of conflict an operation records (SPEC §5) against every side.
    #[test]
    fn every_recorded_conflict_and_side() {
        use Resolution::*;
        use Side::*;
        #[rustfmt::skip]
        let table: &[Row] = &[
            ("merge conflict, ours",                       Ours,   "merge",  true,  true,  true,  TakeCurrent),
            ("merge conflict, theirs",                     Theirs, "merge",  true,  true,  true,  RedoMerge),
            ("merge conflict, merged by hand",             Merged, "merge",  true,  true,  true,  AcceptMerged),
            ("merged against an empty base, ours",         Ours,   "merge",  true,  false, true,  TakeCurrent),
            ("merged against an empty base, theirs",       Theirs, "merge",  true,  false, true,  RedoMerge),
            ("known from committed blocks, ours",          Ours,   "merge",  false, false, true,  SettleBlocks(Favor::Ours)),
            ("known from committed blocks, theirs",        Theirs, "merge",  false, false, true,  SettleBlocks(Favor::Theirs)),
            ("known from committed blocks, merged",        Merged, "merge",  false, false, true,  AcceptMerged),
            ("binary changed on both sides, ours",         Ours,   "binary", true,  true,  true,  TakeCurrent),
            ("binary changed on both sides, theirs",       Theirs, "binary", true,  true,  true,  TakeNew),
            ("binary, no base recorded, theirs",           Theirs, "binary", true,  false, true,  TakeNew),
            ("in the way at update, ours",                 Ours,   "exists", true,  false, true,  TakeCurrent),
            ("in the way at update, theirs",               Theirs, "exists", true,  false, true,  CarryRegionsIntoNew),
            ("in the way at install, ours",                Ours,   "exists", false, false, true,  KeepDisk),
            ("in the way at install, theirs",              Theirs, "exists", false, false, true,  CarryRegionsIntoNew),
            ("in the way, then removed by the user",       Theirs, "exists", false, false, false, TakeNew),
            ("a directory in the way, theirs",             Theirs, "exists", true,  false, false, TakeNew),
            ("in the way, merged by hand",                 Merged, "exists", false, false, true,  AcceptMerged),
        ];
        for (case, side, reason, current, base, disk_is_file, expected) in table {
            let resolution =
                decide_resolution(*side, &conflict(reason, *current, *base), || *disk_is_file);
            assert_eq!(resolution, *expected, "{case}");
        }
    }

    /// The user's file on disk is looked at only when the pack's version may take its place.
    #[test]
    fn the_disk_is_asked_only_for_a_file_in_the_way() {
        let asked = std::cell::Cell::new(0);
        let ask = |side, reason, current, base| {
            decide_resolution(side, &conflict(reason, current, base), || {
                asked.set(asked.get() + 1);
                true
            })
        };
        ask(Side::Theirs, "merge", true, true);
        ask(Side::Theirs, "binary", true, true);
        ask(Side::Ours, "exists", false, false);
        assert_eq!(asked.get(), 0);
        ask(Side::Theirs, "exists", false, false);
        assert_eq!(asked.get(), 1);
    }
}
