//! Where the conflicts of gix-merge's diff3 merge lie in the three inputs.
//!
//! gix-merge returns merged text, not positions. To join conflicts the way `git merge-file`
//! does (see [`crate::refine`]), the merge style needs to know, for two neighbouring
//! conflicts, where they lie and whether a change made by one side alone lies between them.
//! This module recomputes the two diffs the merge is made of (base against current, base
//! against other) with the calls gix-merge makes, on the same rewritten inputs and with its
//! interned lines, and groups their changes the way gix-merge's merge does: a change joins a
//! group when it starts no later than the end of a change of the other side in it. A group of one side only is a
//! one-sided change, a group whose two sides read the same is a change made by both, and
//! any other group is a conflict. The caller checks the conflicts found here against
//! gix-merge's own and ignores them on any mismatch.

use std::ops::Range;

use gix_imara_diff::sources::byte_lines;
use gix_imara_diff::{Algorithm, Diff, InternedInput, Token};

/// One conflict of the diff3 merge: line ranges in each input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Placed {
    pub(crate) current: Range<usize>,
    pub(crate) base: Range<usize>,
    pub(crate) other: Range<usize>,
    /// Whether a change made by one side alone lies between the previous conflict (or the
    /// start of the file) and this one.
    pub(crate) one_sided_before: bool,
}

/// A change of one diff: the base lines it replaces and the lines of its side it puts there.
struct Change {
    base: Range<usize>,
    side: Range<usize>,
    /// 0: current, 1: other.
    which: usize,
}

/// The changes of the diff from `input.before` to `input.after`, as gix-merge computes it
/// (Myers, then gix's post-processing of line diffs).
fn changes(input: &InternedInput<&[u8]>, which: usize, out: &mut Vec<Change>) {
    let mut diff = Diff::compute(Algorithm::Myers, input);
    diff.postprocess_lines(input);
    out.extend(diff.hunks().map(|hunk| Change {
        base: hunk.before.start as usize..hunk.before.end as usize,
        side: hunk.after.start as usize..hunk.after.end as usize,
        which,
    }));
}

/// The byte offset of each line of `text`, then `text.len()`.
pub(crate) fn line_starts(text: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
    if text.last().is_some_and(|&b| b != b'\n') {
        starts.push(text.len());
    }
    starts
}

/// The lines `range` of `text`, whose line offsets are `starts` (see [`line_starts`]).
pub(crate) fn line_slice<'a>(
    text: &'a [u8],
    starts: &[usize],
    range: &Range<usize>,
) -> Option<&'a [u8]> {
    let (from, to) = (*starts.get(range.start)?, *starts.get(range.end)?);
    text.get(from..to)
}

/// Offset a line position by a signed line delta, staying in range.
fn shift(pos: usize, delta: i64) -> usize {
    let pos = i64::try_from(pos).unwrap_or(i64::MAX);
    usize::try_from(pos.saturating_add(delta)).unwrap_or(0)
}

fn len(range: &Range<usize>) -> i64 {
    i64::try_from(range.len()).unwrap_or(i64::MAX)
}

/// The conflicts of the diff3 merge of the (rewritten) inputs, in order. `input` is the
/// interner gix-merge used for them, which after the merge holds the base's lines as `before`
/// and the other side's as `after`; only the current side is interned again (if `input` is
/// not in that state, all three are).
pub(crate) fn locate<'a>(
    mut input: InternedInput<&'a [u8]>,
    current: &'a [u8],
    base: &'a [u8],
    other: &'a [u8],
) -> Vec<Placed> {
    let count = |text: &[u8]| line_starts(text).len().saturating_sub(1);
    if input.before.len() != count(base) {
        input.update_before(byte_lines(base));
    }
    if input.after.len() != count(other) {
        input.update_after(byte_lines(other));
    }
    let other_tokens = std::mem::take(&mut input.after);
    input.update_after(byte_lines(current));
    let mut all = Vec::new();
    changes(&input, 0, &mut all);
    let current_tokens = std::mem::replace(&mut input.after, other_tokens);
    changes(&input, 1, &mut all);
    // Stable: at equal starts the current side's change comes first, as in gix-merge.
    all.sort_by_key(|c| c.base.start);
    let tokens: [&[Token]; 2] = [&current_tokens, &input.after];

    let mut placed = Vec::new();
    let mut one_sided = false;
    let mut delta = [0i64; 2];
    let mut i = 0;
    while let Some(first) = all.get(i) {
        let group_start = i;
        let start = first.base.start;
        let mut ends: [Option<usize>; 2] = [None, None];
        ends[first.which] = Some(first.base.end);
        i += 1;
        while let Some(change) = all.get(i) {
            let opposite = ends[1 - change.which];
            if opposite.is_none_or(|end| change.base.start > end) {
                break;
            }
            let end = &mut ends[change.which];
            *end = Some(end.map_or(change.base.end, |e| e.max(change.base.end)));
            i += 1;
        }
        let group = &all[group_start..i];
        let end = ends.iter().flatten().copied().max().unwrap_or(start);
        let mut sides = [0..0, 0..0];
        for (which, range) in sides.iter_mut().enumerate() {
            let from = shift(start, delta[which]);
            for change in group.iter().filter(|c| c.which == which) {
                delta[which] += len(&change.side) - len(&change.base);
            }
            *range = from..shift(end, delta[which]);
        }
        if ends.iter().any(Option::is_none) {
            one_sided = true;
            continue;
        }
        let [ours, theirs] = [0, 1].map(|w| tokens[w].get(sides[w].clone()).unwrap_or(&[]));
        if ours == theirs {
            continue;
        }
        let [current, other] = sides;
        placed.push(Placed {
            current,
            base: start..end,
            other,
            one_sided_before: std::mem::take(&mut one_sided),
        });
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_are_placed_and_one_sided_changes_noted() {
        let placed = locate(
            InternedInput::default(),
            b"1\nm\nx\nn\n2\n",
            b"a\nm\nx\nn\nb\n",
            b"3\nm\nX\nn\n4\n",
        );
        assert_eq!(
            placed,
            vec![
                Placed {
                    current: 0..1,
                    base: 0..1,
                    other: 0..1,
                    one_sided_before: false
                },
                Placed {
                    current: 4..5,
                    base: 4..5,
                    other: 4..5,
                    one_sided_before: true
                },
            ]
        );
    }

    #[test]
    fn changes_made_by_both_are_not_conflicts_and_shift_the_sides() {
        let placed = locate(
            InternedInput::default(),
            b"n\nn\nx\n1\n",
            b"o\nx\nb\n",
            b"n\nn\nx\n2\n2\n",
        );
        assert_eq!(
            placed,
            vec![Placed {
                current: 3..4,
                base: 2..3,
                other: 3..5,
                one_sided_before: false
            }]
        );
        assert_eq!(locate(InternedInput::default(), b"", b"", b""), Vec::new());
    }
}
