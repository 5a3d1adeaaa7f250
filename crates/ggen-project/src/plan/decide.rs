//! The one per-file decision of every operation that writes generated files (install,
//! update, regenerate, uninstall): from the three versions of a file ([`Merge`] of content
//! hashes, absence as `None`) and a few facts to an [`Action`]. SPEC §5 as a table; the
//! callers only carry the action out.
//!
//! A moved file (SPEC §5, moves; see [`super::moves`]) is one decision over two paths: the
//! hashes are `[current at the old path, base at the old path, new at the new path]`, and the
//! [`Facts::moved`] fact says so.

use serde::Serialize;

use crate::merge::Merge;

/// What to do with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// The disk already holds the result: nothing to write.
    Keep,
    /// Write the new generation (new file, restored file, or one the user never touched).
    Write,
    /// Both the user and the pack changed it: three-way region merge.
    Merge,
    /// Cannot be settled automatically: keep the current file, record a conflict.
    Conflict(ConflictReason),
    /// No longer generated and untouched: delete it.
    Delete,
    /// No longer generated and already gone: only the record goes.
    Forget,
    /// No longer generated but changed by the user: keep the file, stop tracking it.
    Untrack,
    /// Leave the file alone.
    Skip(SkipReason),
    /// A move: `Carry` says what goes to the new path; the old file goes, since all of it
    /// moved (the user's bytes are at the new path, merged or inside conflict blocks).
    Move(Carry),
    /// A move that cannot carry the file (the new path holds a file of the user's, or the old
    /// path is not a regular file): each path is decided on its own, as if nothing moved.
    Apart,
}

/// What a move brings to the new path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Carry {
    /// The user did not touch the old file: the new generation.
    New,
    /// The pack did not change the content (or the user made the pack's change, or the file
    /// is created once): the user's bytes as they are.
    Current,
    /// Both changed it: the three-way region merge, conflicts written inline.
    Merge,
    /// Both changed a binary file: the user's bytes, recorded as a conflict.
    Binary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictReason {
    /// A file ggen did not generate is in the way.
    Exists,
    /// Both sides changed a binary file.
    Binary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// `unless_exists`: created once, never rewritten.
    CreatedOnce,
    /// The user deleted a generated file (it stays deleted unless `--restore`).
    DeletedByUser,
    /// Something other than a regular file is at the path.
    NotAFile,
    /// The user changed it and the strategy is `preserve`.
    Preserve,
}

/// What the decision needs besides the three hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// The path holds a directory, symlink or other non-file (`current` is then `Some`).
    pub current_not_a_file: bool,
    /// Created once (`unless_exists`): the recorded generation's flag when there is a base,
    /// the new generation's otherwise.
    pub unless_exists: bool,
    /// `--merge-strategy preserve`: files the user changed are not touched.
    pub preserve: bool,
    /// `--restore`: recreate generated files the user deleted.
    pub restore: bool,
    /// The new version moved the file: `current` and `base` are the old path's, `new` the
    /// new path's.
    pub moved: bool,
    /// For a move: something is at the new path already.
    pub new_path_taken: bool,
}

/// The decision. `binary` is asked only when a merge is due (it may read the files), and
/// says whether any of the three versions is binary.
pub fn decide<E>(
    hashes: Merge<Option<&str>>,
    facts: Facts,
    binary: impl FnOnce() -> Result<bool, E>,
) -> Result<Action, E> {
    if facts.moved {
        return decide_move(hashes, facts, binary);
    }
    let Merge { current, base, new } = hashes;
    let Some(new) = new else {
        // No longer generated.
        return Ok(match (current, base) {
            (None, _) => Action::Forget,
            (Some(_), None) => Action::Keep,
            (Some(current), Some(base))
                if current == base && !facts.unless_exists && !facts.current_not_a_file =>
            {
                Action::Delete
            }
            (Some(_), Some(_)) => Action::Untrack,
        });
    };
    let Some(base) = base else {
        // Not generated before: new to this project.
        return Ok(match current {
            None => Action::Write,
            Some(current) if current == new && !facts.current_not_a_file => Action::Keep,
            Some(_) if facts.unless_exists => Action::Skip(SkipReason::CreatedOnce),
            Some(_) => Action::Conflict(ConflictReason::Exists),
        });
    };
    if facts.unless_exists {
        return Ok(Action::Skip(SkipReason::CreatedOnce));
    }
    let Some(current) = current else {
        return Ok(deleted_by_user(facts));
    };
    if facts.current_not_a_file {
        return Ok(Action::Skip(SkipReason::NotAFile));
    }
    if current == base {
        return Ok(if new == base {
            Action::Keep
        } else {
            Action::Write
        });
    }
    // The user changed the file.
    if current == new || new == base {
        return Ok(Action::Keep);
    }
    if facts.preserve {
        return Ok(Action::Skip(SkipReason::Preserve));
    }
    if binary()? {
        return Ok(Action::Conflict(ConflictReason::Binary));
    }
    Ok(Action::Merge)
}

/// A file the user deleted stays deleted, unless asked to restore it.
fn deleted_by_user(facts: Facts) -> Action {
    if facts.restore {
        Action::Write
    } else {
        Action::Skip(SkipReason::DeletedByUser)
    }
}

/// A move's decision (see the module text): the same cases as a file that stays, the old
/// path's current and base carried to the new path.
fn decide_move<E>(
    hashes: Merge<Option<&str>>,
    facts: Facts,
    binary: impl FnOnce() -> Result<bool, E>,
) -> Result<Action, E> {
    let Merge { current, base, new } = hashes;
    let (Some(base), Some(new)) = (base, new) else {
        // Not a move: nothing was generated at the old path, or nothing is at the new one.
        return Ok(Action::Apart);
    };
    if facts.new_path_taken {
        return Ok(Action::Apart);
    }
    let Some(current) = current else {
        return Ok(deleted_by_user(facts));
    };
    if facts.current_not_a_file {
        return Ok(Action::Apart);
    }
    if facts.unless_exists {
        return Ok(Action::Move(Carry::Current));
    }
    if current == base {
        return Ok(Action::Move(Carry::New));
    }
    if current == new || new == base {
        return Ok(Action::Move(Carry::Current));
    }
    if facts.preserve {
        return Ok(Action::Skip(SkipReason::Preserve));
    }
    if binary()? {
        return Ok(Action::Move(Carry::Binary));
    }
    Ok(Action::Move(Carry::Merge))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO: Facts = Facts {
        current_not_a_file: false,
        unless_exists: false,
        preserve: false,
        restore: false,
        moved: false,
        new_path_taken: false,
    };

    fn run(
        current: Option<&str>,
        base: Option<&str>,
        new: Option<&str>,
        facts: Facts,
        binary: bool,
    ) -> Action {
        decide(Merge::new(current, base, new), facts, || {
            Ok::<_, ()>(binary)
        })
        .unwrap()
    }

    /// (case, current, base, new, facts, binary, expected action).
    type Row = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        Facts,
        bool,
        Action,
    );

    /// SPEC §5, one row per case: (case, current, base, new, facts, binary, action).
    #[test]
    fn every_case_of_spec_section_5() {
        use Action::*;
        let unless = Facts {
            unless_exists: true,
            ..NO
        };
        let preserve = Facts {
            preserve: true,
            ..NO
        };
        let restore = Facts {
            restore: true,
            ..NO
        };
        let not_file = Facts {
            current_not_a_file: true,
            ..NO
        };
        #[rustfmt::skip]
        let table: &[Row] = &[
            ("untouched, pack unchanged",          Some("a"), Some("a"), Some("a"), NO, false, Keep),
            ("untouched, pack changed",            Some("a"), Some("a"), Some("b"), NO, false, Write),
            ("untouched, preserve still updates",  Some("a"), Some("a"), Some("b"), preserve, false, Write),
            ("edited, pack unchanged",             Some("e"), Some("a"), Some("a"), NO, false, Keep),
            ("edited the pack's way",              Some("b"), Some("a"), Some("b"), NO, false, Keep),
            ("edited, pack changed: merge",        Some("e"), Some("a"), Some("b"), NO, false, Merge),
            ("edited, pack changed, preserve",     Some("e"), Some("a"), Some("b"), preserve, false, Skip(SkipReason::Preserve)),
            ("edited, pack changed, binary",       Some("e"), Some("a"), Some("b"), NO, true, Conflict(ConflictReason::Binary)),
            ("added on both sides, same",          Some("b"), None,      Some("b"), NO, false, Keep),
            ("added on both sides, different",     Some("e"), None,      Some("b"), NO, false, Conflict(ConflictReason::Exists)),
            ("added by the pack only",             None,      None,      Some("b"), NO, false, Write),
            ("dropped, untouched",                 Some("a"), Some("a"), None,      NO, false, Delete),
            ("dropped, edited",                    Some("e"), Some("a"), None,      NO, false, Untrack),
            ("dropped, already deleted",           None,      Some("a"), None,      NO, false, Forget),
            ("dropped, created once",              Some("a"), Some("a"), None,      unless, false, Untrack),
            ("deleted by the user",                None,      Some("a"), Some("b"), NO, false, Skip(SkipReason::DeletedByUser)),
            ("deleted by the user, --restore",     None,      Some("a"), Some("b"), restore, false, Write),
            ("unless_exists, already there",       Some("e"), None,      Some("b"), unless, false, Skip(SkipReason::CreatedOnce)),
            ("unless_exists, not there",           None,      None,      Some("b"), unless, false, Write),
            ("unless_exists, generated before",    Some("e"), Some("a"), Some("b"), unless, false, Skip(SkipReason::CreatedOnce)),
            ("a directory where a file was",       Some("d"), Some("a"), Some("b"), not_file, false, Skip(SkipReason::NotAFile)),
            ("a directory in the way",             Some("d"), None,      Some("d"), not_file, false, Conflict(ConflictReason::Exists)),
        ];
        check(table);
    }

    fn check(table: &[Row]) {
        for (case, current, base, new, facts, binary, expected) in table {
            assert_eq!(
                run(*current, *base, *new, *facts, *binary),
                *expected,
                "{case}"
            );
        }
    }

    /// SPEC §5, moves: current and base are the old path's, new the new path's.
    #[test]
    fn every_case_of_a_move() {
        use Action::*;
        let moved = Facts { moved: true, ..NO };
        let with = |f: fn(&mut Facts)| {
            let mut facts = moved;
            f(&mut facts);
            facts
        };
        let taken = with(|f| f.new_path_taken = true);
        let preserve = with(|f| f.preserve = true);
        let restore = with(|f| f.restore = true);
        let once = with(|f| f.unless_exists = true);
        let not_file = with(|f| f.current_not_a_file = true);
        #[rustfmt::skip]
        let table: &[Row] = &[
            ("untouched moved",                       Some("a"), Some("a"), Some("b"), moved, false, Move(Carry::New)),
            ("untouched, moved as it was",            Some("a"), Some("a"), Some("a"), moved, false, Move(Carry::New)),
            ("edited, moved as it was",               Some("e"), Some("a"), Some("a"), moved, false, Move(Carry::Current)),
            ("edited the pack's way, moved",          Some("b"), Some("a"), Some("b"), moved, false, Move(Carry::Current)),
            // Clean or conflicting is the region merge's to say: manual-edit and protected
            // regions follow the file through it.
            ("edited moved: merge",                   Some("e"), Some("a"), Some("b"), moved, false, Move(Carry::Merge)),
            ("edited moved, binary",                  Some("e"), Some("a"), Some("b"), moved, true,  Move(Carry::Binary)),
            ("edited moved, preserve",                Some("e"), Some("a"), Some("b"), preserve, false, Skip(SkipReason::Preserve)),
            ("untouched moved, preserve still moves", Some("a"), Some("a"), Some("b"), preserve, false, Move(Carry::New)),
            ("user deleted the old file",             None,      Some("a"), Some("b"), moved, false, Skip(SkipReason::DeletedByUser)),
            ("user deleted the old file, --restore",  None,      Some("a"), Some("b"), restore, false, Write),
            ("new path occupied by a user file",      Some("e"), Some("a"), Some("b"), taken, false, Apart),
            ("old path is a directory now",           Some("d"), Some("a"), Some("b"), not_file, false, Apart),
            ("created once: moved as the user has it",Some("e"), Some("a"), Some("b"), once, false, Move(Carry::Current)),
            ("nothing generated at the old path",     Some("e"), None,      Some("b"), moved, false, Apart),
        ];
        check(table);
    }

    /// Protected regions (SPEC §2) are kept by the region merge, which every edited file the
    /// pack also changed goes through; the decision never replaces or deletes an edited file.
    #[test]
    fn an_edited_file_is_never_replaced_or_deleted() {
        for new in [Some("b"), None] {
            for facts in [
                NO,
                Facts {
                    preserve: true,
                    ..NO
                },
                Facts {
                    restore: true,
                    ..NO
                },
            ] {
                let action = run(Some("edited"), Some("a"), new, facts, false);
                assert!(
                    !matches!(action, Action::Write | Action::Delete),
                    "{new:?} {facts:?}: {action:?}"
                );
            }
        }
    }

    #[test]
    fn binary_is_asked_only_when_a_merge_is_due() {
        let asked = std::cell::Cell::new(0);
        let ask = |current, base, new| {
            decide(Merge::new(current, base, new), NO, || {
                asked.set(asked.get() + 1);
                Ok::<_, ()>(false)
            })
            .unwrap()
        };
        ask(Some("a"), Some("a"), Some("b"));
        ask(None, None, Some("b"));
        assert_eq!(asked.get(), 0);
        ask(Some("e"), Some("a"), Some("b"));
        assert_eq!(asked.get(), 1);
    }
}
