//! The line merge: gix-merge's text driver, wrapped so that it yields merge hunks.
//!
//! gix-merge (`gix_merge::blob::builtin_driver::text`) does all the merging: it diffs the base
//! against each side with Myers (as `git merge-file` does; gix-merge's diff always adds the
//! indent heuristic, which git merge-file does not), pairs the changes up and decides what
//! conflicts, trimming lines both sides share off the ends of a conflict in the merge style.
//! It writes text with conflict markers. This module reads that text back into
//! [`MergeHunk`]s with the crate's exact inverse, [`parse`]; conflict markers for the caller
//! are written later, by [`crate::conflict::materialize`], with the line ending chosen here.
//!
//! So that reading back is exact, the inputs go through [`LineCodec`] first: a reversible
//! rewrite of the few lines that could be confused with markers, and of an unterminated last
//! line (which gix-merge would otherwise end with a newline of its choosing). The rewrite
//! keeps everything gix-merge looks at when it merges: which lines are equal, and each line's
//! indentation and blankness.
//!
//! This is the only module that uses gix-merge, a 0.x crate with frequent breaking releases
//! (pinned in the workspace manifest).

use std::borrow::Cow;
use std::num::NonZeroU8;

use gix_imara_diff::{Algorithm, InternedInput};
use gix_merge::blob::builtin_driver::text::{self, Conflict, Labels, Options};

use crate::conflict::{DEFAULT_MARKER_SIZE, MARKER_CHARS, parse};
use crate::merge::{LineEnding, Merge, MergeHunk, push_hunk};
use crate::merge_file::MAX_TEXT_SIZE;

/// How conflicts are presented, which also decides how far the merge shrinks them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ConflictStyle {
    /// git's default: the two sides, with the lines both share at either end of a conflict
    /// moved out of it.
    #[default]
    Merge,
    /// `--diff3`: the two sides and the base, conflicts not reduced.
    Diff3,
}

/// Merge `current` and `other`, which both started from `base`, line by line as
/// `git merge-file` does, and return the result as hunks.
///
/// Conflict terms hold the exact bytes of each side (an unterminated last line stays
/// unterminated). In the merge style a conflict's base term is the base text of the whole
/// region the conflict was cut from.
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
        // Too large to count lines in 32 bits: one conflict, as `merge_file` does for it.
        let merge = Merge::new(current.to_vec(), base.to_vec(), other.to_vec());
        hunks.push(MergeHunk::Conflicted(merge, LineEnding::Lf));
        return hunks;
    }

    let codec = LineCodec::for_inputs(&[current, base, other]);
    let (enc_current, enc_base, enc_other) = (
        codec.encode(current),
        codec.encode(base),
        codec.encode(other),
    );
    let marked = run_gix_merge(&enc_current, &enc_base, &enc_other, style);
    for hunk in parse(&marked, DEFAULT_MARKER_SIZE) {
        let hunk = match hunk {
            MergeHunk::Resolved(text) => MergeHunk::Resolved(codec.decode(text)),
            MergeHunk::Conflicted(merge, eol) => {
                let [c, b, o] = merge.into_terms().map(|t| codec.decode(t));
                MergeHunk::Conflicted(Merge::new(c, b, o), eol)
            }
        };
        push_hunk(&mut hunks, hunk);
    }
    set_marker_line_endings(&mut hunks, current, base, other);
    hunks
}

/// The configuration that agrees best with `git merge-file` (see `tests/git_differential.rs`):
/// Myers, which is what git merge-file uses. gix-merge's merge style and its "zealous diff3"
/// cut conflicts the same way; the latter also writes the base, which the hunks keep.
fn gix_options(style: ConflictStyle) -> Options {
    let marker_size = NonZeroU8::new(DEFAULT_MARKER_SIZE as u8).unwrap_or(NonZeroU8::MIN);
    let style = match style {
        ConflictStyle::Merge => text::ConflictStyle::ZealousDiff3,
        ConflictStyle::Diff3 => text::ConflictStyle::Diff3,
    };
    Options {
        diff_algorithm: Algorithm::Myers,
        conflict: Conflict::Keep { style, marker_size },
    }
}

/// Merge encoded inputs with gix-merge into text with unlabelled markers of the default size.
fn run_gix_merge(current: &[u8], base: &[u8], other: &[u8], style: ConflictStyle) -> Vec<u8> {
    let mut out = Vec::with_capacity(current.len().max(other.len()) + 64);
    let mut input = InternedInput::default();
    // The resolution is not needed: the conflicts are the marker blocks in `out`.
    let _resolution = gix_merge::blob::builtin_driver::text(
        &mut out,
        &mut input,
        Labels::default(),
        current,
        base,
        other,
        gix_options(style),
    );
    out
}

/// A reversible rewrite of lines, applied the same way to all three inputs, after which
/// gix-merge's output parses back exactly:
///
/// - a line that starts with [`DEFAULT_MARKER_SIZE`] equal marker characters, or with
///   [`LineCodec::ESCAPE`], gets an `ESCAPE` in front, so no content line looks like a marker;
/// - an unterminated last line gets `fill` form feeds and a newline, so gix-merge never has
///   to end it. `fill` is one more than the longest run of form feeds before the newline of
///   any line of the inputs, so no rewritten line equals an original one.
///
/// Equal lines stay equal and different lines stay different; indentation and blankness stay
/// the same (an escaped line starts with a non-blank character either way, and form feeds
/// count as neither).
struct LineCodec {
    escape: bool,
    /// Form feeds after an unterminated last line; 0 when no input has one.
    fill: usize,
}

impl LineCodec {
    const ESCAPE: u8 = 0x01;
    const FILL: u8 = 0x0C;

    fn for_inputs(inputs: &[&[u8]]) -> Self {
        let escape = inputs.iter().any(|t| lines(t).any(Self::needs_escape));
        let unterminated = inputs.iter().any(|t| t.last().is_some_and(|&b| b != b'\n'));
        let fill = if unterminated {
            let longest = inputs
                .iter()
                .flat_map(|t| lines(t))
                .filter_map(|line| line.strip_suffix(b"\n"))
                .map(|body| body.iter().rev().take_while(|&&b| b == Self::FILL).count())
                .max()
                .unwrap_or(0);
            longest + 1
        } else {
            0
        };
        LineCodec { escape, fill }
    }

    fn needs_escape(line: &[u8]) -> bool {
        match line.first() {
            Some(&Self::ESCAPE) => true,
            Some(first) if MARKER_CHARS.contains(first) => {
                line.len() >= DEFAULT_MARKER_SIZE
                    && line[..DEFAULT_MARKER_SIZE].iter().all(|b| b == first)
            }
            _ => false,
        }
    }

    fn is_identity(&self) -> bool {
        !self.escape && self.fill == 0
    }

    fn encode<'a>(&self, text: &'a [u8]) -> Cow<'a, [u8]> {
        if self.is_identity() {
            return Cow::Borrowed(text);
        }
        let mut out = Vec::with_capacity(text.len() + self.fill + 64);
        for line in lines(text) {
            if self.escape && Self::needs_escape(line) {
                out.push(Self::ESCAPE);
            }
            out.extend_from_slice(line);
            if !line.ends_with(b"\n") {
                out.extend(std::iter::repeat_n(Self::FILL, self.fill));
                out.push(b'\n');
            }
        }
        Cow::Owned(out)
    }

    fn decode(&self, text: Vec<u8>) -> Vec<u8> {
        if self.is_identity() {
            return text;
        }
        let mut out = Vec::with_capacity(text.len());
        for line in lines(&text) {
            let line = match line.split_first() {
                Some((&Self::ESCAPE, rest)) if self.escape => rest,
                _ => line,
            };
            let body = line.strip_suffix(b"\n").unwrap_or(line);
            let filled = self.fill > 0
                && body.len() >= self.fill
                && body[body.len() - self.fill..]
                    .iter()
                    .all(|&b| b == Self::FILL);
            if filled {
                out.extend_from_slice(&body[..body.len() - self.fill]);
            } else {
                out.extend_from_slice(line);
            }
        }
        out
    }
}

/// The lines of `text`, each with its newline (the last may have none).
fn lines(text: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    text.split_inclusive(|&b| b == b'\n')
}

/// How a line ends: `Some(true)` CRLF, `Some(false)` LF, `None` no newline.
fn ending(line: &[u8]) -> Option<bool> {
    let body = line.strip_suffix(b"\n")?;
    Some(body.ends_with(b"\r"))
}

/// The last two lines seen of one side of the merge, as far as their endings go.
#[derive(Clone, Copy, Default)]
struct Tail {
    /// `None`: no line yet.
    last: Option<Option<bool>>,
    before_last: Option<Option<bool>>,
}

impl Tail {
    fn push(&mut self, text: &[u8]) {
        let mut iter = lines(text).rev();
        let (last, before_last) = (iter.next(), iter.next());
        match (last, before_last) {
            (Some(last), Some(before_last)) => {
                self.before_last = Some(ending(before_last));
                self.last = Some(ending(last));
            }
            (Some(last), None) => {
                self.before_last = self.last;
                self.last = Some(ending(last));
            }
            _ => {}
        }
    }

    /// Whether the last line ends in CRLF; for an unterminated last line, the line before it
    /// decides. `None` when no line can tell.
    fn ends_crlf(&self) -> Option<bool> {
        match self.last? {
            Some(crlf) => Some(crlf),
            None => self.before_last.flatten(),
        }
    }
}

/// Whether the first line of `text` ends in CRLF (`None`: no line, or only an unterminated one).
fn first_line_crlf(text: &[u8]) -> Option<bool> {
    lines(text).next().and_then(ending)
}

/// Choose the line ending of each conflict's marker lines the way `git merge-file` does:
/// CRLF when, on both sides, the line just before the conflict ends in CRLF (for a conflict
/// at the start of a side, that side's first line; a side with no line that can tell does not
/// count) and the base's first line ends in CRLF; LF otherwise.
fn set_marker_line_endings(hunks: &mut [MergeHunk], current: &[u8], base: &[u8], other: &[u8]) {
    let base_crlf = first_line_crlf(base) == Some(true);
    let (mut ours, mut theirs) = (Tail::default(), Tail::default());
    for hunk in hunks {
        match hunk {
            MergeHunk::Resolved(text) => {
                ours.push(text);
                theirs.push(text);
            }
            MergeHunk::Conflicted(merge, eol) => {
                let before = |tail: &Tail, side: &[u8]| match tail.last {
                    Some(_) => tail.ends_crlf(),
                    None => first_line_crlf(side),
                };
                let crlf = base_crlf
                    && before(&ours, current) != Some(false)
                    && before(&theirs, other) != Some(false);
                *eol = if crlf {
                    LineEnding::CrLf
                } else {
                    LineEnding::Lf
                };
                ours.push(merge.current());
                theirs.push(merge.other());
            }
        }
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

    #[test]
    fn changes_in_different_places_merge_cleanly() {
        let hunks = merge_lines(
            b"A\nb\nc\n",
            b"a\nb\nc\n",
            b"a\nb\nC\n",
            ConflictStyle::Merge,
        );
        assert_eq!(hunks, vec![resolved("A\nb\nC\n")]);
    }

    #[test]
    fn the_same_line_changed_twice_is_a_conflict_with_its_base() {
        for style in [ConflictStyle::Merge, ConflictStyle::Diff3] {
            let hunks = merge_lines(b"a\nX\nc\n", b"a\nb\nc\n", b"a\nY\nc\n", style);
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
    fn merge_style_moves_shared_lines_out_of_a_conflict() {
        let base = b"a\nb\n";
        let ours = b"same1\n1\nsame2\n";
        let theirs = b"same1\n2\nsame2\n";
        assert_eq!(
            merge_lines(ours, base, theirs, ConflictStyle::Merge),
            vec![
                resolved("same1\n"),
                conflict("1\n", "a\nb\n", "2\n"),
                resolved("same2\n"),
            ]
        );
        // diff3 shows the base, so it keeps the whole region as one conflict.
        assert_eq!(
            merge_lines(ours, base, theirs, ConflictStyle::Diff3),
            vec![conflict("same1\n1\nsame2\n", "a\nb\n", "same1\n2\nsame2\n")]
        );
    }

    #[test]
    fn crlf_inputs_get_crlf_markers() {
        let hunks = merge_lines(
            b"a\r\nX\r\n",
            b"a\r\nb\r\n",
            b"a\r\nY\r\n",
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
        let hunks = merge_lines(
            b"a\r\nX\r\n",
            b"a\nb\r\n",
            b"a\r\nY\r\n",
            ConflictStyle::Diff3,
        );
        assert!(matches!(
            hunks.last(),
            Some(MergeHunk::Conflicted(_, LineEnding::Lf))
        ));
    }

    #[test]
    fn unterminated_last_lines_stay_exact() {
        let hunks = merge_lines(b"a\nX", b"a\nb", b"a\nY\n", ConflictStyle::Diff3);
        assert_eq!(hunks, vec![resolved("a\n"), conflict("X", "b", "Y\n")]);
        // An unterminated line is not equal to the same line with a newline.
        let hunks = merge_lines(b"x\nb", b"a\nb\n", b"a\nb\nc\n", ConflictStyle::Merge);
        assert!(hunks.iter().any(MergeHunk::is_conflict), "{hunks:?}");
    }

    #[test]
    fn marker_like_lines_and_codec_bytes_are_content() {
        let base = "=======\n\u{1}x\n>>>>>>> y\nz\x0c\n";
        let ours = "=======\n\u{1}x\nA\n>>>>>>> y\nz\x0c\n";
        let theirs = "=======\n\u{1}x\nB\n>>>>>>> y\nz\x0c";
        for style in [ConflictStyle::Merge, ConflictStyle::Diff3] {
            let hunks = merge_lines(ours.as_bytes(), base.as_bytes(), theirs.as_bytes(), style);
            assert_eq!(
                hunks,
                vec![
                    resolved("=======\n\u{1}x\n"),
                    conflict("A\n", "", "B\n"),
                    // Only the other side dropped the final newline: it merges cleanly.
                    resolved(">>>>>>> y\nz\x0c"),
                ],
                "{style:?}"
            );
        }
    }

    #[test]
    fn codec_round_trips_and_keeps_lines_apart() {
        let inputs: [&[u8]; 3] = [b"<<<<<<<\n\x01a\n\x0c\n", b"b\x0c", b"=======x\nb\x0c\n"];
        let codec = LineCodec::for_inputs(&inputs);
        assert_eq!(codec.fill, 2);
        for input in inputs {
            let encoded = codec.encode(input).into_owned();
            assert!(encoded.ends_with(b"\n"));
            assert_eq!(codec.decode(encoded), input);
        }
        let [a, b] = [inputs[1], inputs[2]].map(|t| codec.encode(t).into_owned());
        assert_ne!(lines(&a).last(), lines(&b).last());
    }
}
