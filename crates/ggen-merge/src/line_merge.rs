//! The line merge: gix-merge's text driver, wrapped so that it yields merge hunks.
//!
//! gix-merge (`gix_merge::blob::builtin_driver::text`) does the merging: it diffs the base
//! against each side with Myers (the algorithm `git merge-file` uses), pairs the changes up
//! and decides what conflicts, and writes the result in the diff3 style. This module reads
//! that back into [`MergeHunk`]s with the crate's exact inverse, [`parse`]; for the merge
//! style [`crate::refine`] then cuts the conflicts where git does (split at lines both sides
//! share, nearby conflicts joined). The markers the
//! caller sees are written later, by [`crate::conflict::materialize`], with the line ending
//! chosen here.
//!
//! The inputs go through [`LineCodec`] first, a reversible rewrite of every line that does
//! two things:
//!
//! - every line starts with the same non-blank byte. Content can then never be taken for a
//!   marker, and gix-merge's diff, which always places ambiguous insertions and deletions by
//!   indentation (the "indent heuristic"; git merge-file does not use it), finds every place
//!   equally good and takes the lowest, as git does;
//! - an unterminated last line gets a newline, so gix-merge never has to add one of its
//!   choosing; the rewrite keeps it distinct from the same line with a newline.
//!
//! Which lines are equal is unchanged, so the merge is gix-merge's own. This is the only
//! module that uses gix-merge, a 0.x crate with frequent breaking releases (pinned in the
//! workspace manifest).

use std::num::NonZeroU8;

use gix_imara_diff::{Algorithm, InternedInput};
use gix_merge::blob::builtin_driver::text::{self, Conflict, Labels, Options};

use crate::conflict::parse;
use crate::merge::{LineEnding, Merge, MergeHunk, push_hunk};
use crate::options::{ConflictStyle, DEFAULT_MARKER_SIZE, MAX_TEXT_SIZE};
use crate::placement::locate;
use crate::refine::refine;

/// Merge `current` and `other`, which both started from `base`, line by line as
/// `git merge-file` does, and return the result as hunks.
///
/// Conflict terms hold the exact bytes of each side (an unterminated last line stays
/// unterminated). In the merge style a conflict's base term is the base text of the diff3
/// conflicts it was cut from and of the lines between them; when one diff3 conflict is cut
/// into several, its base text goes with the first of them (see `src/refine.rs`).
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

    let codec = LineCodec::for_inputs(&[current, base, other]);
    let encoded = [current, base, other].map(|text| codec.encode(text));
    let [enc_current, enc_base, enc_other] = &encoded;
    let (marked, interned) = run_gix_merge(enc_current, enc_base, enc_other);
    for hunk in parse(&marked, DEFAULT_MARKER_SIZE) {
        let hunk = match hunk {
            MergeHunk::Resolved(text) => MergeHunk::Resolved(codec.decode(&text)),
            MergeHunk::Conflicted(merge, eol) => {
                MergeHunk::Conflicted(merge.map(|t| codec.decode(t)), eol)
            }
        };
        push_hunk(&mut hunks, hunk);
    }
    drop(marked);
    if style == ConflictStyle::Merge {
        hunks = refine(hunks, [current, base, other], || {
            locate(interned, enc_current, enc_base, enc_other)
        });
    }
    set_marker_line_endings(&mut hunks, current, base, other);
    hunks
}

/// Merge encoded inputs with gix-merge in the diff3 style, into text with unlabelled markers
/// of the default size. Also returns gix-merge's interned lines, which
/// [`crate::placement::locate`] reuses.
///
/// The configuration that agrees best with `git merge-file` (see `tests/git_differential.rs`):
/// Myers, the algorithm git merge-file uses (gix-merge's Histogram agrees less often). The
/// merge style is made from the diff3 conflicts by [`refine`], not with gix-merge's own
/// merge style, whose trimming can bring back base lines a side deleted (gix-merge 0.23).
fn run_gix_merge<'a>(
    current: &'a [u8],
    base: &'a [u8],
    other: &'a [u8],
) -> (Vec<u8>, InternedInput<&'a [u8]>) {
    let marker_size = NonZeroU8::new(DEFAULT_MARKER_SIZE as u8).unwrap_or(NonZeroU8::MIN);
    let options = Options {
        diff_algorithm: Algorithm::Myers,
        conflict: Conflict::Keep {
            style: text::ConflictStyle::Diff3,
            marker_size,
        },
    };
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
        options,
    );
    (out, input)
}

/// A reversible rewrite of lines, applied the same way to all three inputs:
///
/// - every line gets [`LineCodec::PREFIX`] in front;
/// - an unterminated last line gets `fill` form feeds and a newline. `fill` is one more than
///   the longest run of form feeds before the newline of any line of the inputs, so the
///   rewritten line equals no terminated line.
///
/// Equal lines stay equal and different lines stay different. To gix-merge's indent
/// heuristic every rewritten line is a non-blank line at indentation 0 (it skips form feeds).
struct LineCodec {
    /// Form feeds after an unterminated last line; 0 when no input has one.
    fill: usize,
}

impl LineCodec {
    /// Not blank, not a marker character.
    const PREFIX: u8 = 0x01;
    const FILL: u8 = 0x0C;

    fn for_inputs(inputs: &[&[u8]]) -> Self {
        let unterminated = inputs.iter().any(|t| t.last().is_some_and(|&b| b != b'\n'));
        let fill = if unterminated {
            let longest = inputs
                .iter()
                .flat_map(|t| memchr::memchr_iter(b'\n', t).map(move |end| &t[..end]))
                .map(|before| {
                    before
                        .iter()
                        .rev()
                        .take_while(|&&b| b == Self::FILL)
                        .count()
                })
                .max()
                .unwrap_or(0);
            longest + 1
        } else {
            0
        };
        LineCodec { fill }
    }

    fn encode(&self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + text.len() / 8 + self.fill + 64);
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', text) {
            out.push(Self::PREFIX);
            out.extend_from_slice(&text[start..=end]);
            start = end + 1;
        }
        if start < text.len() {
            out.push(Self::PREFIX);
            out.extend_from_slice(&text[start..]);
            out.extend(std::iter::repeat_n(Self::FILL, self.fill));
            out.push(b'\n');
        }
        out
    }

    fn decode(&self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        for line in lines(text) {
            let line = line.strip_prefix(&[Self::PREFIX]).unwrap_or(line);
            let body = line.strip_suffix(b"\n").unwrap_or(line);
            let filled = body
                .len()
                .checked_sub(self.fill)
                .filter(|_| self.fill > 0)
                .filter(|&end| body[end..].iter().all(|&b| b == Self::FILL));
            match filled {
                Some(end) => out.extend_from_slice(&body[..end]),
                None => out.extend_from_slice(line),
            }
        }
        out
    }
}

/// The lines of `text`, each with its newline (the last may have none).
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// The last line of `text` and the text before it.
fn split_last_line(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    if text.is_empty() {
        return None;
    }
    let start = memchr::memrchr(b'\n', body).map_or(0, |i| i + 1);
    Some((&text[..start], &text[start..]))
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
        let Some((rest, last)) = split_last_line(text) else {
            return;
        };
        self.before_last = match split_last_line(rest) {
            Some((_, before_last)) => Some(ending(before_last)),
            None => self.last,
        };
        self.last = Some(ending(last));
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
    fn an_insertion_next_to_an_equal_line_goes_below_it_as_in_git() {
        // gix-merge's indent heuristic alone would put the new `}` above the old one, clear of
        // the other side's insertion; git (no heuristic) puts it below: a conflict.
        let hunks = merge_lines(
            b"}\n}\n  x\n",
            b"}\n  x\n",
            b"}\ny\n  x\n",
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
    fn merge_style_keeps_a_deletion_next_to_shared_lines() {
        // gix-merge 0.23's own merge style writes `x`, `d` and `y` back here, though the
        // current side deleted them; git and our refinement of the diff3 conflict do not.
        let hunks = merge_lines(
            b"e\nc\n",
            b"x\nd\ny\ne\nc\n",
            b"e\nf\nx\nd\ny",
            ConflictStyle::Merge,
        );
        assert_eq!(
            hunks,
            vec![
                resolved("e\n"),
                conflict("c\n", "x\nd\ny\ne\nc\n", "f\nx\nd\ny"),
            ]
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
            let encoded = codec.encode(input);
            assert!(encoded.ends_with(b"\n"));
            assert!(lines(&encoded).all(|l| l.first() == Some(&LineCodec::PREFIX)));
            assert_eq!(codec.decode(&encoded), input);
        }
        let [a, b] = [inputs[1], inputs[2]].map(|t| codec.encode(t));
        assert_ne!(lines(&a).last(), lines(&b).last());
        let plain = LineCodec::for_inputs(&[b"a\n", b""]);
        assert_eq!(plain.fill, 0);
        assert_eq!(plain.decode(&plain.encode(b"a\x0c\n\n")), b"a\x0c\n\n");
    }
}
