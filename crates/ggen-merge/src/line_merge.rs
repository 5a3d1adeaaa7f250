//! The line merge of `git merge-file`, our own, on gix-imara-diff's Myers diff.
//!
//! The algorithm is git's (`xdiff/xmerge.c`, described here in our words):
//!
//! 1. **Two diffs.** The base is diffed against each side with Myers, and each diff's
//!    ambiguous changes ("sliders") are placed without git's indent heuristic, which
//!    `git merge-file` does not enable: as low as they go, unless they can line up with a
//!    change of the other file ([`diff`]).
//! 2. **Chunks.** The two lists of changes are walked together in base order. A change that
//!    ends before the other side's next one starts is taken from its side; changes that
//!    overlap (or touch) are one conflict spanning both, unless they replace the same base
//!    lines with the same lines. A chunk that starts no later than the previous chunk ends,
//!    on either side, is folded into it, and a fold of different kinds is a conflict
//!    ([`Chunks::push`]).
//! 3. **Refinement**, by style:
//!    - `--diff3`: none; a conflict whose sides read the same is kept (git does too);
//!    - `--zdiff3`: lines both sides share at either end of a conflict leave it;
//!    - git's default ("zealous, alphanumeric"): the two sides of each conflict are diffed
//!      against each other, the lines they share become resolved text and each remaining
//!      change is a conflict of its own (a conflict whose sides read the same is no conflict);
//!      then a conflict is joined with the next when at most three lines, or lines with no
//!      ASCII letter or digit, lie between them and no other chunk does.
//! 4. **Hunks.** Resolved text is the current side's lines between chunks; each conflict
//!    gets the line ending git gives its markers ([`Sides::marker_line_ending`]).

use std::ops::Range;

use gix_imara_diff::{Algorithm, Diff, Interner, NoSliderHeuristic, Token};

use crate::merge::{LineEnding, Merge, MergeHunk, push_hunk};
use crate::options::{ConflictStyle, MAX_TEXT_SIZE};

/// Resolved lines between two conflicts at most this many: the conflicts are joined.
const JOIN_WITHIN_LINES: usize = 3;

/// Merge `current` and `other`, which both started from `base`, line by line as
/// `git merge-file` does, and return the result as hunks.
///
/// Conflict terms hold the exact bytes of each side (an unterminated last line stays
/// unterminated). In the merge style a conflict's base term is the base text of the diff3
/// conflicts it was cut from and of the lines between them; when one diff3 conflict is cut
/// into several, its base text goes with the first of them.
pub fn merge_lines(
    current: &[u8],
    base: &[u8],
    other: &[u8],
    style: ConflictStyle,
) -> Vec<MergeHunk> {
    let mut hunks = Vec::new();
    let inputs = Merge::new(current, base, other);
    if let Some(resolved) = inputs.resolve_trivial() {
        push_hunk(&mut hunks, MergeHunk::Resolved(resolved.to_vec()));
        return hunks;
    }
    if inputs.terms().iter().any(|t| t.len() > MAX_TEXT_SIZE) {
        // Beyond git's size limit for a line merge: one conflict, as `merge_file` makes it.
        let merge = Merge::new(current.to_vec(), base.to_vec(), other.to_vec());
        hunks.push(MergeHunk::Conflicted(merge, LineEnding::Lf));
        return hunks;
    }

    let sides = Sides::new(current, base, other);
    let ours = diff(&sides.interner, &sides.base.tokens, &sides.current.tokens);
    let theirs = diff(&sides.interner, &sides.base.tokens, &sides.other.tokens);
    // One side changed nothing (its lines equal the base's): the other side, as it is.
    if ours.is_empty() {
        push_hunk(&mut hunks, MergeHunk::Resolved(other.to_vec()));
        return hunks;
    }
    if theirs.is_empty() {
        push_hunk(&mut hunks, MergeHunk::Resolved(current.to_vec()));
        return hunks;
    }
    let mut chunks = Chunks::combine(&sides, &ours, &theirs);
    match style {
        ConflictStyle::Diff3 => {}
        ConflictStyle::ZealousDiff3 => chunks.trim_shared_ends(&sides),
        ConflictStyle::Merge => {
            chunks.split_at_shared_lines(&sides);
            chunks.join_close_conflicts(&sides);
        }
    }
    chunks.into_hunks(&sides)
}

/// One input cut into lines: where each line starts, and its interned token.
struct Lines<'a> {
    text: &'a [u8],
    /// The offset of each line, then `text.len()`.
    starts: Vec<usize>,
    tokens: Vec<Token>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8], interner: &mut Interner<&'a [u8]>) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 2);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        if text.last().is_some_and(|&b| b != b'\n') {
            starts.push(text.len());
        }
        let tokens = starts
            .windows(2)
            .map(|w| interner.intern(&text[w[0]..w[1]]))
            .collect();
        Lines {
            text,
            starts,
            tokens,
        }
    }

    fn len(&self) -> usize {
        self.tokens.len()
    }

    fn line(&self, i: usize) -> &'a [u8] {
        &self.text[self.starts[i]..self.starts[i + 1]]
    }

    /// The bytes of lines `range` (clamped to the text).
    fn slice(&self, range: &Range<usize>) -> &'a [u8] {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        &self.text[self.starts[start]..self.starts[end]]
    }

    /// Whether line `i` ends in CRLF: for an unterminated last line, the line before it
    /// decides; `None` when no line can tell (git's `is_eol_crlf`).
    fn ends_crlf(&self, i: usize) -> Option<bool> {
        let crlf = |line: &[u8]| line.len() > 1 && line[line.len() - 2] == b'\r';
        let count = self.len();
        if count == 0 {
            return None;
        }
        let i = i.min(count - 1);
        let line = self.line(i);
        if i + 1 < count || line.ends_with(b"\n") {
            return Some(crlf(line));
        }
        if i == 0 {
            return None;
        }
        Some(crlf(self.line(i - 1)))
    }
}

/// The three inputs as lines, interned together so equal lines have equal tokens.
struct Sides<'a> {
    interner: Interner<&'a [u8]>,
    current: Lines<'a>,
    base: Lines<'a>,
    other: Lines<'a>,
}

impl<'a> Sides<'a> {
    fn new(current: &'a [u8], base: &'a [u8], other: &'a [u8]) -> Self {
        let estimate = (current.len() + base.len() + other.len()) / 40 + 16;
        let mut interner = Interner::new(estimate);
        let base = Lines::new(base, &mut interner);
        let current = Lines::new(current, &mut interner);
        let other = Lines::new(other, &mut interner);
        Sides {
            interner,
            current,
            base,
            other,
        }
    }

    /// The line ending of the markers of a conflict at `current_at` and `other_at`: CRLF when
    /// the line before it on both sides (a side's first line for a conflict at its start; a
    /// side that cannot tell does not count) and the base's first line end in CRLF.
    fn marker_line_ending(&self, current_at: usize, other_at: usize) -> LineEnding {
        let before = |at: usize| at.saturating_sub(1);
        let crlf = self.current.ends_crlf(before(current_at)) != Some(false)
            && self.other.ends_crlf(before(other_at)) != Some(false)
            && self.base.ends_crlf(0) == Some(true);
        if crlf {
            LineEnding::CrLf
        } else {
            LineEnding::Lf
        }
    }
}

/// One change of a diff: the lines `before` of the old text become the lines `after`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Change {
    before: Range<usize>,
    after: Range<usize>,
}

/// The changes from `before` to `after` as git's merge sees them: Myers, then each slider
/// placed as low as it goes unless it can line up with a change of the other file.
fn diff(interner: &Interner<&[u8]>, before: &[Token], after: &[Token]) -> Vec<Change> {
    let mut diff = Diff::default();
    diff.compute_with(Algorithm::Myers, before, after, interner.num_tokens());
    diff.postprocess_with(before, after, NoSliderHeuristic);
    diff.hunks()
        .map(|hunk| Change {
            before: hunk.before.start as usize..hunk.before.end as usize,
            after: hunk.after.start as usize..hunk.after.end as usize,
        })
        .collect()
}

/// What a chunk of the merge takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Take {
    /// Both sides changed these lines differently.
    Conflict,
    /// Only the current side changed them.
    Current,
    /// Only the other side changed them.
    Other,
    /// A conflict whose sides turned out to read the same: the current side's lines, which
    /// the text after the chunk before includes (git's mode 4).
    Same,
}

/// A stretch of lines in the three inputs that the merge decides as one.
#[derive(Clone, Debug)]
struct Chunk {
    take: Take,
    base: Range<usize>,
    current: Range<usize>,
    other: Range<usize>,
    /// The base lines that a merge-style conflict made from this chunk shows: its own in the
    /// diff3 style; after a split only the first piece keeps them, and joins span them.
    base_shown: Range<usize>,
}

/// `start` moved by `by` lines, never below 0.
fn shifted(start: usize, by: isize) -> usize {
    start.saturating_add_signed(by)
}

/// The chunks of a merge, in order.
struct Chunks(Vec<Chunk>);

impl Chunks {
    /// Fold `chunk` into the last chunk when it starts no later than that one ends on either
    /// side (a fold of different kinds is a conflict), or append it.
    fn push(&mut self, chunk: Chunk) {
        if let Some(last) = self.0.last_mut()
            && (chunk.current.start <= last.current.end || chunk.other.start <= last.other.end)
        {
            if chunk.take != last.take {
                last.take = Take::Conflict;
            }
            last.base.end = chunk.base.end.max(last.base.start);
            last.current.end = chunk.current.end.max(last.current.start);
            last.other.end = chunk.other.end.max(last.other.start);
            last.base_shown = last.base.clone();
            return;
        }
        self.0.push(Chunk {
            base_shown: chunk.base.clone(),
            ..chunk
        });
    }

    /// A change of one side alone, `side_change` of the side it is on; `offset` is how far
    /// the untouched side's lines are shifted against the base's there.
    fn one_sided(take: Take, change: &Change, offset: isize) -> Chunk {
        let base = change.before.clone();
        let untouched = shifted(base.start, offset)..shifted(base.end, offset);
        let (current, other) = match take {
            Take::Current => (change.after.clone(), untouched),
            _ => (untouched, change.after.clone()),
        };
        Chunk {
            take,
            base_shown: base.clone(),
            base,
            current,
            other,
        }
    }

    /// Walk the changes of both sides in base order and make the merge's chunks.
    fn combine(sides: &Sides, ours: &[Change], theirs: &[Change]) -> Self {
        let offset = |c: &Change| c.after.start as isize - c.before.start as isize;
        let mut chunks = Chunks(Vec::with_capacity(ours.len() + theirs.len()));
        let (mut a, mut b) = (0, 0);
        while let (Some(x), Some(y)) = (ours.get(a), theirs.get(b)) {
            if x.before.end < y.before.start {
                chunks.push(Self::one_sided(Take::Current, x, offset(y)));
                a += 1;
                continue;
            }
            if y.before.end < x.before.start {
                chunks.push(Self::one_sided(Take::Other, y, offset(x)));
                b += 1;
                continue;
            }
            let same = x.before == y.before
                && sides.current.tokens[x.after.clone()] == sides.other.tokens[y.after.clone()];
            if !same {
                // One conflict over both changes: each side's range grows by the base lines
                // the other change covers beyond its own.
                let start = x.before.start.min(y.before.start);
                let end = x.before.end.max(y.before.end);
                let grow = |c: &Change| {
                    shifted(c.after.start, -((c.before.start - start) as isize))
                        ..c.after.end + (end - c.before.end)
                };
                chunks.push(Chunk {
                    take: Take::Conflict,
                    base: start..end,
                    base_shown: start..end,
                    current: grow(x),
                    other: grow(y),
                });
            }
            let (x_end, y_end) = (x.before.end, y.before.end);
            if x_end >= y_end {
                b += 1;
            }
            if y_end >= x_end {
                a += 1;
            }
        }
        let other_shift = sides.other.len() as isize - sides.base.len() as isize;
        for x in &ours[a..] {
            chunks.push(Self::one_sided(Take::Current, x, other_shift));
        }
        let current_shift = sides.current.len() as isize - sides.base.len() as isize;
        for y in &theirs[b..] {
            chunks.push(Self::one_sided(Take::Other, y, current_shift));
        }
        chunks
    }

    /// `--zdiff3`: lines both sides share at the start or end of a conflict leave it.
    fn trim_shared_ends(&mut self, sides: &Sides) {
        let (ours, theirs) = (&sides.current.tokens, &sides.other.tokens);
        for chunk in self.0.iter_mut().filter(|c| c.take == Take::Conflict) {
            let (c, o) = (&mut chunk.current, &mut chunk.other);
            while c.start < c.end && o.start < o.end && ours[c.start] == theirs[o.start] {
                c.start += 1;
                o.start += 1;
            }
            while c.start < c.end && o.start < o.end && ours[c.end - 1] == theirs[o.end - 1] {
                c.end -= 1;
                o.end -= 1;
            }
        }
    }

    /// Merge style, step 1: each conflict with lines on both sides is cut where its sides
    /// differ (its base text goes with the first piece); one whose sides read the same
    /// becomes [`Take::Same`].
    fn split_at_shared_lines(&mut self, sides: &Sides) {
        let (ours, theirs) = (&sides.current.tokens, &sides.other.tokens);
        let mut out = Vec::with_capacity(self.0.len());
        for chunk in self.0.drain(..) {
            if chunk.take != Take::Conflict || chunk.current.is_empty() || chunk.other.is_empty() {
                out.push(chunk);
                continue;
            }
            let (c, o) = (chunk.current.clone(), chunk.other.clone());
            let changes = diff(&sides.interner, &ours[c.clone()], &theirs[o.clone()]);
            if changes.is_empty() {
                out.push(Chunk {
                    take: Take::Same,
                    ..chunk
                });
                continue;
            }
            let after_base = chunk.base.end..chunk.base.end;
            for (i, change) in changes.iter().enumerate() {
                out.push(Chunk {
                    take: Take::Conflict,
                    base: chunk.base.clone(),
                    base_shown: if i == 0 {
                        chunk.base_shown.clone()
                    } else {
                        after_base.clone()
                    },
                    current: c.start + change.before.start..c.start + change.before.end,
                    other: o.start + change.after.start..o.start + change.after.end,
                });
            }
        }
        self.0 = out;
    }

    /// Merge style, step 2: from the top, a conflict is joined with the next chunk when that
    /// is a conflict too and the current side's lines between them are at most
    /// [`JOIN_WITHIN_LINES`] or hold no ASCII letter or digit.
    fn join_close_conflicts(&mut self, sides: &Sides) {
        let mut out: Vec<Chunk> = Vec::with_capacity(self.0.len());
        for chunk in self.0.drain(..) {
            if let Some(last) = out.last_mut()
                && last.take == Take::Conflict
                && chunk.take == Take::Conflict
            {
                let between = last.current.end..chunk.current.start;
                let joinable = between.len() <= JOIN_WITHIN_LINES
                    || !sides
                        .current
                        .slice(&between)
                        .iter()
                        .any(u8::is_ascii_alphanumeric);
                if joinable {
                    last.current.end = chunk.current.end;
                    last.other.end = chunk.other.end;
                    last.base_shown.end = chunk.base_shown.end.max(last.base_shown.start);
                    continue;
                }
            }
            out.push(chunk);
        }
        self.0 = out;
    }

    /// The hunks: the current side's lines between chunks, then each chunk's lines.
    fn into_hunks(self, sides: &Sides) -> Vec<MergeHunk> {
        let mut hunks = Vec::with_capacity(2 * self.0.len() + 1);
        let mut at = 0;
        for chunk in &self.0 {
            let text = |lines: &Lines, range: &Range<usize>| lines.slice(range).to_vec();
            let kept = match chunk.take {
                Take::Same => continue,
                Take::Conflict => {
                    let merge = Merge::new(
                        text(&sides.current, &chunk.current),
                        text(&sides.base, &chunk.base_shown),
                        text(&sides.other, &chunk.other),
                    );
                    let eol = sides.marker_line_ending(chunk.current.start, chunk.other.start);
                    MergeHunk::Conflicted(merge, eol)
                }
                Take::Current => MergeHunk::Resolved(text(&sides.current, &chunk.current)),
                Take::Other => MergeHunk::Resolved(text(&sides.other, &chunk.other)),
            };
            let before = at..chunk.current.start.max(at);
            push_hunk(
                &mut hunks,
                MergeHunk::Resolved(text(&sides.current, &before)),
            );
            push_hunk(&mut hunks, kept);
            at = chunk.current.end;
        }
        let rest = at..sides.current.len();
        push_hunk(
            &mut hunks,
            MergeHunk::Resolved(sides.current.slice(&rest).to_vec()),
        );
        hunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(text: &str) -> MergeHunk {
        MergeHunk::Resolved(text.as_bytes().to_vec())
    }

    fn conflict(current: &str, base: &str, other: &str) -> MergeHunk {
        conflict_eol(current, base, other, LineEnding::Lf)
    }

    fn conflict_eol(current: &str, base: &str, other: &str, eol: LineEnding) -> MergeHunk {
        let m = Merge::new(
            current.as_bytes().to_vec(),
            base.as_bytes().to_vec(),
            other.as_bytes().to_vec(),
        );
        MergeHunk::Conflicted(m, eol)
    }

    fn merge(current: &str, base: &str, other: &str, style: ConflictStyle) -> Vec<MergeHunk> {
        merge_lines(current.as_bytes(), base.as_bytes(), other.as_bytes(), style)
    }

    #[test]
    fn changes_in_different_places_merge_cleanly() {
        let hunks = merge("A\nb\nc\n", "a\nb\nc\n", "a\nb\nC\n", ConflictStyle::Merge);
        assert_eq!(hunks, vec![resolved("A\nb\nC\n")]);
    }

    #[test]
    fn changes_on_touching_lines_conflict_as_in_git() {
        let hunks = merge("A\nb\n", "a\nb\n", "a\nB\n", ConflictStyle::Merge);
        assert_eq!(hunks, vec![conflict("A\nb\n", "a\nb\n", "a\nB\n")]);
    }

    #[test]
    fn the_same_line_changed_twice_is_a_conflict_with_its_base() {
        for style in [
            ConflictStyle::Merge,
            ConflictStyle::Diff3,
            ConflictStyle::ZealousDiff3,
        ] {
            let hunks = merge("a\nX\nc\n", "a\nb\nc\n", "a\nY\nc\n", style);
            assert_eq!(
                hunks,
                vec![
                    resolved("a\n"),
                    conflict("X\n", "b\n", "Y\n"),
                    resolved("c\n")
                ]
            );
        }
    }

    #[test]
    fn diff3_keeps_a_conflict_whose_sides_read_the_same() {
        // The case of issue 14 (gix-merge 0.23 dropped the conflicts; git keeps both).
        let (ours, base, theirs) = ("\ns\nr\nN\n\n", "s\nr\nO\n\n\nw\n", "r\nN\n\n");
        let hunks = merge(ours, base, theirs, ConflictStyle::Diff3);
        assert_eq!(
            hunks,
            vec![
                conflict("\ns\n", "s\n", ""),
                resolved("r\n"),
                conflict("N\n\n", "O\n\n\nw\n", "N\n\n"),
            ]
        );
        // The merge style refines the second away: its sides read the same.
        let hunks = merge(ours, base, theirs, ConflictStyle::Merge);
        assert_eq!(
            hunks,
            vec![conflict("\ns\n", "s\n", ""), resolved("r\nN\n\n"),]
        );
    }

    #[test]
    fn merge_style_moves_shared_lines_out_of_a_conflict() {
        let (ours, base, theirs) = ("same1\n1\nsame2\n", "a\nb\n", "same1\n2\nsame2\n");
        assert_eq!(
            merge(ours, base, theirs, ConflictStyle::Merge),
            vec![
                resolved("same1\n"),
                conflict("1\n", "a\nb\n", "2\n"),
                resolved("same2\n"),
            ]
        );
        // zdiff3 trims the shared ends but shows the whole base.
        assert_eq!(
            merge(ours, base, theirs, ConflictStyle::ZealousDiff3),
            vec![
                resolved("same1\n"),
                conflict("1\n", "a\nb\n", "2\n"),
                resolved("same2\n"),
            ]
        );
        // diff3 shows the base, so it keeps the whole region as one conflict.
        assert_eq!(
            merge(ours, base, theirs, ConflictStyle::Diff3),
            vec![conflict("same1\n1\nsame2\n", "a\nb\n", "same1\n2\nsame2\n")]
        );
    }

    #[test]
    fn a_conflict_is_split_at_four_shared_lines_and_joined_within_three() {
        assert_eq!(
            merge(
                "1\ns\nt\nu\nv\n2\n",
                "a\nb\n",
                "3\ns\nt\nu\nv\n4\n",
                ConflictStyle::Merge
            ),
            vec![
                conflict("1\n", "a\nb\n", "3\n"),
                resolved("s\nt\nu\nv\n"),
                conflict("2\n", "", "4\n"),
            ]
        );
        assert_eq!(
            merge(
                "1\ns\nt\nu\n2\n",
                "a\nb\n",
                "3\ns\nt\nu\n4\n",
                ConflictStyle::Merge
            ),
            vec![conflict("1\ns\nt\nu\n2\n", "a\nb\n", "3\ns\nt\nu\n4\n")]
        );
        // Lines without letters or digits join at any length.
        assert_eq!(
            merge(
                "1\n}\n}\n}\n}\n2\n",
                "a\nb\n",
                "3\n}\n}\n}\n}\n4\n",
                ConflictStyle::Merge
            ),
            vec![conflict(
                "1\n}\n}\n}\n}\n2\n",
                "a\nb\n",
                "3\n}\n}\n}\n}\n4\n"
            )]
        );
    }

    #[test]
    fn a_change_one_side_made_alone_keeps_conflicts_apart() {
        assert_eq!(
            merge(
                "1\nm\nx\nn\n2\n",
                "a\nm\nx\nn\nb\n",
                "3\nm\nX\nn\n4\n",
                ConflictStyle::Merge
            ),
            vec![
                conflict("1\n", "a\n", "3\n"),
                resolved("m\nX\nn\n"),
                conflict("2\n", "b\n", "4\n"),
            ]
        );
        assert_eq!(
            merge("1\nx\n2\n", "a\nx\nb\n", "3\nx\n4\n", ConflictStyle::Merge),
            vec![conflict("1\nx\n2\n", "a\nx\nb\n", "3\nx\n4\n")]
        );
    }

    #[test]
    fn an_insertion_next_to_an_equal_line_goes_below_it_as_in_git() {
        let hunks = merge(
            "}\n}\n  x\n",
            "}\n  x\n",
            "}\ny\n  x\n",
            ConflictStyle::Merge,
        );
        assert_eq!(
            hunks,
            vec![
                resolved("}\n"),
                conflict("}\n", "", "y\n"),
                resolved("  x\n")
            ]
        );
    }

    #[test]
    fn crlf_inputs_get_crlf_markers() {
        let hunks = merge(
            "a\r\nX\r\n",
            "a\r\nb\r\n",
            "a\r\nY\r\n",
            ConflictStyle::Merge,
        );
        assert_eq!(
            hunks,
            vec![
                resolved("a\r\n"),
                conflict_eol("X\r\n", "b\r\n", "Y\r\n", LineEnding::CrLf)
            ]
        );
        // The base's first line decides too.
        let hunks = merge("a\r\nX\r\n", "a\nb\r\n", "a\r\nY\r\n", ConflictStyle::Diff3);
        assert!(matches!(
            hunks.last(),
            Some(MergeHunk::Conflicted(_, LineEnding::Lf))
        ));
    }

    #[test]
    fn unterminated_last_lines_stay_exact() {
        let hunks = merge("a\nX", "a\nb", "a\nY\n", ConflictStyle::Diff3);
        assert_eq!(hunks, vec![resolved("a\n"), conflict("X", "b", "Y\n")]);
        // An unterminated line is not equal to the same line with a newline.
        let hunks = merge("x\nb", "a\nb\n", "a\nb\nc\n", ConflictStyle::Merge);
        assert!(hunks.iter().any(MergeHunk::is_conflict), "{hunks:?}");
    }

    #[test]
    fn marker_like_lines_are_content() {
        let base = "=======\nx\n>>>>>>> y\nz\n";
        let ours = "=======\nx\nA\n>>>>>>> y\nz\n";
        let theirs = "=======\nx\nB\n>>>>>>> y\nz";
        for style in [ConflictStyle::Merge, ConflictStyle::Diff3] {
            assert_eq!(
                merge(ours, base, theirs, style),
                vec![
                    resolved("=======\nx\n"),
                    conflict("A\n", "", "B\n"),
                    // Only the other side dropped the final newline: it merges cleanly.
                    resolved(">>>>>>> y\nz"),
                ],
                "{style:?}"
            );
        }
    }
}
