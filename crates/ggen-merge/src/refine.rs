//! The merge style's conflicts, cut where `git merge-file` cuts them.
//!
//! git's default merge level reworks the conflicts of the diff3 merge in two steps, which
//! this module reproduces from their observable behaviour (measured against
//! `git merge-file`, see `tests/git_differential.rs`):
//!
//! 1. **Split.** The two sides of each conflict are diffed against each other (Myers,
//!    ambiguous changes placed lowest, as everywhere in git). The lines they share become
//!    resolved text; only the stretches where they differ stay in conflict. Shared lines at
//!    either end of a conflict leave it this way too.
//! 2. **Join.** From the top, a conflict is joined with the one before it when the resolved
//!    text between them holds no change made by one side alone and is at most three lines
//!    long or has no ASCII letter or digit in it (at any length). The joined conflict's sides
//!    are the first conflict's side, the text between and the second conflict's side.
//!
//! Both steps change only where conflicts are cut, never what the sides say: the current
//! (other) sides and the resolved text between them read, in order, exactly as before.
//!
//! A conflict's base term is the base text of the diff3 conflicts it was cut from, from the
//! start of the first to the end of the last, including the base text between them; when one
//! diff3 conflict is cut into several, its base text goes with the first of them and the
//! others start after it. Each base line goes to at most one conflict.

use std::ops::Range;

use gix_imara_diff::{Algorithm, Diff, InternedInput};

use crate::merge::{LineEnding, Merge, MergeHunk, push_hunk};
use crate::placement::{Placed, line_slice, line_starts};

/// Resolved lines between two conflicts at most this many: the conflicts are joined.
const JOIN_WITHIN_LINES: usize = 3;

/// A conflict during refinement: its sides, and the diff3 conflicts (`regions`, by index)
/// it was cut from.
struct Cut {
    current: Vec<u8>,
    other: Vec<u8>,
    regions: Range<usize>,
    /// Whether it holds the first conflict cut from `regions.start`, and so its base text.
    owns_first: bool,
}

enum Piece {
    Text(Vec<u8>),
    Conflict(Cut),
}

fn push_text(pieces: &mut Vec<Piece>, text: &[u8]) {
    if text.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(Piece::Text(previous)) => previous.extend_from_slice(text),
        _ => pieces.push(Piece::Text(text.to_vec())),
    }
}

/// The lines of `text`, each with its newline (the last may have none).
fn lines(text: &[u8]) -> Vec<&[u8]> {
    text.split_inclusive(|&b| b == b'\n').collect()
}

/// Cut the conflict `merge` (diff3 conflict number `region`) at the lines its two sides share.
fn split(merge: &Merge<Vec<u8>>, region: usize, pieces: &mut Vec<Piece>) {
    let (ours, theirs) = (lines(merge.current()), lines(merge.other()));
    let mut input: InternedInput<&[u8]> = InternedInput::default();
    input.update_before(ours.iter().copied());
    input.update_after(theirs.iter().copied());
    let mut diff = Diff::compute(Algorithm::Myers, &input);
    diff.postprocess_no_heuristic(&input);
    let mut owns_first = true;
    let mut at = 0;
    for hunk in diff.hunks() {
        let (b, a) = (&hunk.before, &hunk.after);
        push_text(pieces, &ours[at..b.start as usize].concat());
        pieces.push(Piece::Conflict(Cut {
            current: ours[b.start as usize..b.end as usize].concat(),
            other: theirs[a.start as usize..a.end as usize].concat(),
            regions: region..region + 1,
            owns_first: std::mem::take(&mut owns_first),
        }));
        at = b.end as usize;
    }
    push_text(pieces, &ours[at.min(ours.len())..].concat());
}

/// Whether the resolved `text` between two conflicts is short or plain enough to join them.
fn joinable(text: &[u8]) -> bool {
    let count = memchr::memchr_iter(b'\n', text).count() + usize::from(!text.ends_with(b"\n"));
    let count = if text.is_empty() { 0 } else { count };
    count <= JOIN_WITHIN_LINES || !text.iter().any(u8::is_ascii_alphanumeric)
}

/// The diff3 conflicts' places in the inputs, found when first needed, and kept only if they
/// agree with the conflicts gix-merge reported.
struct Layout<'a, F> {
    inputs: [&'a [u8]; 3],
    locate: Option<F>,
    placed: Option<Vec<Placed>>,
    /// Line offsets of the base (see [`line_starts`]).
    base_starts: Vec<usize>,
}

impl<'a, F: FnOnce() -> Vec<Placed>> Layout<'a, F> {
    fn get(&mut self, regions: &[Merge<Vec<u8>>]) -> Option<&[Placed]> {
        if let Some(locate) = self.locate.take() {
            let placed = locate();
            let inputs = self.inputs;
            let starts = inputs.map(line_starts);
            let text =
                |side: usize, range: &Range<usize>| line_slice(inputs[side], &starts[side], range);
            let agree = placed.len() == regions.len()
                && placed.iter().zip(regions).all(|(p, m)| {
                    text(0, &p.current) == Some(m.current().as_slice())
                        && text(1, &p.base) == Some(m.base().as_slice())
                        && text(2, &p.other) == Some(m.other().as_slice())
                });
            if agree {
                let [_, base_starts, _] = starts;
                self.base_starts = base_starts;
                self.placed = Some(placed);
            }
        }
        self.placed.as_deref()
    }

    /// Whether nothing but changes both sides made lies between diff3 conflicts `from` and
    /// `to` (the text between conflicts cut from one diff3 conflict is always shared).
    fn may_join(&mut self, from: usize, to: usize, regions: &[Merge<Vec<u8>>]) -> bool {
        if from == to {
            return true;
        }
        self.get(regions).is_some_and(|placed| {
            placed
                .get(from + 1..=to)
                .is_some_and(|between| between.iter().all(|p| !p.one_sided_before))
        })
    }

    /// The base term of `cut` (see the module documentation).
    fn base(&mut self, cut: &Cut, regions: &[Merge<Vec<u8>>]) -> Vec<u8> {
        let (first, last) = (cut.regions.start, cut.regions.end.saturating_sub(1));
        if first == last {
            return match regions.get(first) {
                Some(m) if cut.owns_first => m.base().clone(),
                _ => Vec::new(),
            };
        }
        let owns_first = cut.owns_first;
        let range = self.get(regions).and_then(|placed| {
            let (start, end) = (placed.get(first)?, placed.get(last)?);
            let from = if owns_first {
                start.base.start
            } else {
                start.base.end
            };
            Some(from..end.base.end.max(from))
        });
        range
            .and_then(|range| line_slice(self.inputs[1], &self.base_starts, &range))
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }
}

/// Rework the hunks of the diff3 merge of `inputs` (`[current, base, other]`) into the merge
/// style's, as `git merge-file` cuts them. `locate` finds the diff3 conflicts in the inputs;
/// it is called only if a join across diff3 conflicts is in question.
pub(crate) fn refine(
    diff3: Vec<MergeHunk>,
    inputs: [&[u8]; 3],
    locate: impl FnOnce() -> Vec<Placed>,
) -> Vec<MergeHunk> {
    let mut regions: Vec<Merge<Vec<u8>>> = Vec::new();
    let mut pieces = Vec::with_capacity(diff3.len());
    for hunk in diff3 {
        match hunk {
            MergeHunk::Resolved(text) => push_text(&mut pieces, &text),
            MergeHunk::Conflicted(merge, _) => {
                split(&merge, regions.len(), &mut pieces);
                regions.push(merge);
            }
        }
    }

    let mut layout = Layout {
        inputs,
        locate: Some(locate),
        placed: None,
        base_starts: Vec::new(),
    };
    let mut joined: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let cut = match piece {
            Piece::Text(text) => {
                push_text(&mut joined, &text);
                continue;
            }
            Piece::Conflict(cut) => cut,
        };
        let (gap, previous) = match joined.as_slice() {
            [.., Piece::Conflict(previous), Piece::Text(gap)] => (gap.as_slice(), previous),
            [.., Piece::Conflict(previous)] => (&[][..], previous),
            _ => {
                joined.push(Piece::Conflict(cut));
                continue;
            }
        };
        let from = previous.regions.end.saturating_sub(1);
        if !(joinable(gap) && layout.may_join(from, cut.regions.start, &regions)) {
            joined.push(Piece::Conflict(cut));
            continue;
        }
        let gap = match joined.last() {
            Some(Piece::Text(_)) => match joined.pop() {
                Some(Piece::Text(gap)) => gap,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if let Some(Piece::Conflict(previous)) = joined.last_mut() {
            for (side, next) in [
                (&mut previous.current, cut.current),
                (&mut previous.other, cut.other),
            ] {
                side.extend_from_slice(&gap);
                side.extend_from_slice(&next);
            }
            previous.regions.end = cut.regions.end;
        }
    }

    let mut hunks = Vec::with_capacity(joined.len());
    for piece in joined {
        match piece {
            Piece::Text(text) => push_hunk(&mut hunks, MergeHunk::Resolved(text)),
            Piece::Conflict(cut) => {
                let base = layout.base(&cut, &regions);
                let merge = Merge::new(cut.current, base, cut.other);
                push_hunk(&mut hunks, MergeHunk::Conflicted(merge, LineEnding::Lf));
            }
        }
    }
    hunks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_merge::merge_lines;
    use crate::options::ConflictStyle;

    fn resolved(text: &str) -> MergeHunk {
        MergeHunk::Resolved(text.as_bytes().to_vec())
    }

    fn conflict(current: &str, base: &str, other: &str) -> MergeHunk {
        let m = Merge::new(
            current.as_bytes().to_vec(),
            base.as_bytes().to_vec(),
            other.as_bytes().to_vec(),
        );
        MergeHunk::Conflicted(m, LineEnding::Lf)
    }

    fn merge(current: &str, base: &str, other: &str) -> Vec<MergeHunk> {
        merge_lines(
            current.as_bytes(),
            base.as_bytes(),
            other.as_bytes(),
            ConflictStyle::Merge,
        )
    }

    #[test]
    fn joinable_counts_lines_and_looks_for_letters_and_digits() {
        assert!(joinable(b""));
        assert!(joinable(b"a\nb\nc\n"));
        assert!(!joinable(b"a\nb\nc\nd\n"));
        assert!(joinable(b"}\n\n  )\n;\n\r\n\xc3\xa9\n"));
        assert!(!joinable(b"}\n}\n}\n9\n"));
    }

    #[test]
    fn a_conflict_is_split_at_four_shared_lines_and_the_base_goes_to_the_first_piece() {
        assert_eq!(
            merge("1\ns\nt\nu\nv\n2\n", "a\nb\n", "3\ns\nt\nu\nv\n4\n"),
            vec![
                conflict("1\n", "a\nb\n", "3\n"),
                resolved("s\nt\nu\nv\n"),
                conflict("2\n", "", "4\n"),
            ]
        );
        // Three shared lines: split, then joined again.
        assert_eq!(
            merge("1\ns\nt\nu\n2\n", "a\nb\n", "3\ns\nt\nu\n4\n"),
            vec![conflict("1\ns\nt\nu\n2\n", "a\nb\n", "3\ns\nt\nu\n4\n")]
        );
    }

    #[test]
    fn conflicts_joined_across_diff3_conflicts_take_the_base_between_them() {
        assert_eq!(
            merge("1\nx\n2\n", "a\nx\nb\n", "3\nx\n4\n"),
            vec![conflict("1\nx\n2\n", "a\nx\nb\n", "3\nx\n4\n")]
        );
        // A change made by both sides in between does not keep them apart.
        assert_eq!(
            merge("1\nX\n2\n", "a\nx\nb\n", "3\nX\n4\n"),
            vec![conflict("1\nX\n2\n", "a\nx\nb\n", "3\nX\n4\n")]
        );
        // A change one side made alone does.
        assert_eq!(
            merge("1\nm\nx\nn\n2\n", "a\nm\nx\nn\nb\n", "3\nm\nX\nn\n4\n"),
            vec![
                conflict("1\n", "a\n", "3\n"),
                resolved("m\nX\nn\n"),
                conflict("2\n", "b\n", "4\n"),
            ]
        );
    }

    #[test]
    fn without_a_layout_that_agrees_diff3_conflicts_stay_apart() {
        let diff3 = vec![
            conflict("1\n", "a\n", "3\n"),
            resolved("x\n"),
            conflict("2\n", "b\n", "4\n"),
        ];
        let inputs: [&[u8]; 3] = [b"1\nx\n2\n", b"a\nx\nb\n", b"3\nx\n4\n"];
        assert_eq!(refine(diff3.clone(), inputs, Vec::new), diff3);
        let wrong = || {
            vec![Placed {
                current: 0..1,
                base: 0..1,
                other: 0..1,
                one_sided_before: false,
            }]
        };
        assert_eq!(refine(diff3.clone(), inputs, wrong), diff3);
    }
}
