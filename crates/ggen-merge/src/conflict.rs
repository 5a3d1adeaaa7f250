//! Conflict markers: written only here, when hunks become text, and read back by [`parse`].
//!
//! [`materialize`] writes the marker layout of `git merge-file`: a side whose last line lacks a
//! newline gets one, markers end with the conflict's line ending, labels follow a space. [`parse`] is its inverse: for hunks whose
//! conflict terms end with a newline (or are empty), `parse(materialize(h), n) == h`, where
//! merge-style conflicts come back with an empty base (that style does not write it).
//! Markers are exactly the marker size, as git writes them, unless the options ask for
//! [`MarkerWidth::Widen`]: then the size grows past any marker-like line of the content
//! ([`conflict_marker_size`]), so markers are never confused with content.

use crate::merge::{LineEnding, Merge, MergeHunk, push_hunk};
use crate::options::{
    DEFAULT_MARKER_SIZE, Favor, MarkerWidth, MergeOptions, effective_marker_size,
};

const MARKER_CHARS: [u8; 4] = [b'<', b'|', b'=', b'>'];

/// The marker size to use for `texts`: at least `minimum` (7 when 0), and longer than every
/// run of `<`, `|`, `=` or `>` that starts a line and is at least `minimum` long.
pub fn conflict_marker_size(texts: &[&[u8]], minimum: usize) -> usize {
    let minimum = effective_marker_size(minimum);
    let mut size = minimum;
    for text in texts {
        let line_starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        for start in line_starts {
            let line = &text[start.min(text.len())..];
            let Some(&first) = line.first() else { continue };
            if !MARKER_CHARS.contains(&first) {
                continue;
            }
            let run = line.iter().take_while(|&&b| b == first).count();
            if run >= minimum {
                size = size.max(run + 1);
            }
        }
    }
    size
}

/// The marker size [`materialize`] uses for `hunks` with `opts`: the asked size, or with
/// [`MarkerWidth::Widen`] grown past the content.
pub fn marker_size_for(hunks: &[MergeHunk], opts: &MergeOptions) -> usize {
    if opts.marker_width == MarkerWidth::Exact {
        return opts.base_marker_size();
    }
    let mut texts: Vec<&[u8]> = Vec::new();
    for hunk in hunks {
        match hunk {
            MergeHunk::Resolved(text) => texts.push(text),
            MergeHunk::Conflicted(merge, _) => texts.extend(merge.terms().map(Vec::as_slice)),
        }
    }
    conflict_marker_size(&texts, opts.marker_size)
}

/// Write `hunks` as text: conflicts as marker blocks in `opts.style` with `opts.labels`, or
/// resolved by `opts.favor`. Returns the bytes and the number of conflict blocks written.
pub fn materialize(hunks: &[MergeHunk], opts: &MergeOptions) -> (Vec<u8>, usize) {
    materialize_with_size(hunks, opts, marker_size_for(hunks, opts))
}

/// [`materialize`] with a marker size the caller already grew past the content (from the
/// inputs the hunks were cut from), saving a second scan.
pub(crate) fn materialize_with_size(
    hunks: &[MergeHunk],
    opts: &MergeOptions,
    size: usize,
) -> (Vec<u8>, usize) {
    let capacity = hunks
        .iter()
        .map(|h| match h {
            MergeHunk::Resolved(t) => t.len(),
            MergeHunk::Conflicted(m, _) => {
                m.terms().iter().map(|t| t.len()).sum::<usize>() + 4 * size + 64
            }
        })
        .sum();
    let mut out = Vec::with_capacity(capacity);
    let mut conflicts = 0;
    for hunk in hunks {
        match hunk {
            MergeHunk::Resolved(text) => out.extend_from_slice(text),
            MergeHunk::Conflicted(merge, eol) => match opts.favor {
                Some(Favor::Ours) => out.extend_from_slice(merge.current()),
                Some(Favor::Theirs) => out.extend_from_slice(merge.other()),
                Some(Favor::Union) => {
                    copy_lines(&mut out, merge.current(), *eol);
                    out.extend_from_slice(merge.other());
                }
                None => {
                    conflicts += 1;
                    write_conflict(&mut out, merge, *eol, opts, size);
                }
            },
        }
    }
    (out, conflicts)
}

/// Copy `text`, adding a line ending if its last line has none (git's `add_nl`).
fn copy_lines(out: &mut Vec<u8>, text: &[u8], eol: LineEnding) {
    out.extend_from_slice(text);
    if text.last().is_some_and(|&b| b != b'\n') {
        out.extend_from_slice(eol.as_bytes());
    }
}

fn write_marker(out: &mut Vec<u8>, marker: u8, size: usize, label: Option<&str>, eol: LineEnding) {
    out.extend(std::iter::repeat_n(marker, size));
    if let Some(label) = label {
        out.push(b' ');
        out.extend_from_slice(label.as_bytes());
    }
    out.extend_from_slice(eol.as_bytes());
}

fn write_conflict(
    out: &mut Vec<u8>,
    merge: &Merge<Vec<u8>>,
    eol: LineEnding,
    opts: &MergeOptions,
    size: usize,
) {
    let [current_label, base_label, other_label] = &opts.labels;
    write_marker(out, b'<', size, Some(current_label), eol);
    copy_lines(out, merge.current(), eol);
    if opts.style.shows_base() {
        write_marker(out, b'|', size, Some(base_label), eol);
        copy_lines(out, merge.base(), eol);
    }
    write_marker(out, b'=', size, None, eol);
    copy_lines(out, merge.other(), eol);
    write_marker(out, b'>', size, Some(other_label), eol);
}

/// If `line` is a marker of `marker` repeated exactly `size` times (followed by the end of the
/// line, or for labelled markers by a space and a label), its line ending.
fn marker_line(line: &[u8], marker: u8, size: usize) -> Option<LineEnding> {
    if line.len() < size || line[..size].iter().any(|&b| b != marker) {
        return None;
    }
    let rest = &line[size..];
    let (body, eol) = if let Some(body) = rest.strip_suffix(b"\r\n") {
        (body, LineEnding::CrLf)
    } else {
        (rest.strip_suffix(b"\n").unwrap_or(rest), LineEnding::Lf)
    };
    match body.first() {
        None => Some(eol),
        Some(b' ') if marker != b'=' => Some(eol),
        _ => None,
    }
}

enum State {
    Outside,
    Current,
    Base,
    Other,
}

/// The marker size of the first complete conflict block in `text` — a `<<<<<<<` line, then a
/// `=======` and a `>>>>>>>` line of the same size, as [`materialize`] writes them (any size
/// from 7 up, since projects widen markers) — or `None` when it has none. This is how a file
/// whose conflicts were committed is recognised where no record of the merge exists.
pub fn conflict_block_size(text: &[u8]) -> Option<usize> {
    let mut tried = Vec::new();
    for line in text.split_inclusive(|&b| b == b'\n') {
        let size = line.iter().take_while(|&&b| b == b'<').count();
        if size < DEFAULT_MARKER_SIZE
            || tried.contains(&size)
            || marker_line(line, b'<', size).is_none()
        {
            continue;
        }
        tried.push(size);
        if parse(text, size).iter().any(MergeHunk::is_conflict) {
            return Some(size);
        }
    }
    None
}

/// The 1-based number of the first line of `text` that is a conflict marker, if any.
///
/// With the marker size the markers were written with (`Some`, as a project records it), a
/// marker is exactly that many `<`, `|`, `=` or `>`, then the end of the line or (but for
/// `=`) a space and a label, as [`parse`] reads them: content lines that merely look like
/// markers (an asciidoc `=======` underline, a shorter or longer run) are not. Without a
/// recorded size, any run of at least 7 `<`, `|` or `>` followed by the end of the line or a
/// space is taken for one (a run of `=` is too common in content to tell).
pub fn first_marker_line(text: &[u8], size: Option<usize>) -> Option<usize> {
    let is_marker = |line: &[u8]| match size {
        Some(size) => {
            let size = effective_marker_size(size);
            MARKER_CHARS
                .iter()
                .any(|&marker| marker_line(line, marker, size).is_some())
        }
        None => [b'<', b'|', b'>'].iter().any(|&marker| {
            let run = line.iter().take_while(|&&b| b == marker).count();
            let rest = &line[run..];
            let rest = rest.strip_suffix(b"\n").unwrap_or(rest);
            let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
            run >= DEFAULT_MARKER_SIZE && (rest.is_empty() || rest.starts_with(b" "))
        }),
    };
    text.split_inclusive(|&b| b == b'\n')
        .position(is_marker)
        .map(|i| i + 1)
}

/// Read text with conflict markers of `marker_size` back into hunks, the inverse of
/// [`materialize`]. Incomplete marker blocks are kept as resolved text, never dropped.
pub fn parse(text: &[u8], marker_size: usize) -> Vec<MergeHunk> {
    let size = effective_marker_size(marker_size);
    let mut hunks = Vec::new();
    let mut state = State::Outside;
    let mut resolved_start = 0;
    let mut block_start = 0;
    let mut eol = LineEnding::Lf;
    let (mut current, mut base, mut other) = (Vec::new(), Vec::new(), Vec::new());
    let mut pos = 0;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |p| pos + p + 1);
        let line = &text[pos..end];
        match state {
            State::Outside => {
                if let Some(marker_eol) = marker_line(line, b'<', size) {
                    push_hunk(
                        &mut hunks,
                        MergeHunk::Resolved(text[resolved_start..pos].to_vec()),
                    );
                    block_start = pos;
                    eol = marker_eol;
                    current.clear();
                    base.clear();
                    other.clear();
                    state = State::Current;
                }
            }
            State::Current => {
                if marker_line(line, b'|', size).is_some() {
                    state = State::Base;
                } else if marker_line(line, b'=', size).is_some() {
                    state = State::Other;
                } else {
                    current.extend_from_slice(line);
                }
            }
            State::Base => {
                if marker_line(line, b'=', size).is_some() {
                    state = State::Other;
                } else {
                    base.extend_from_slice(line);
                }
            }
            State::Other => {
                if marker_line(line, b'>', size).is_some() {
                    let merge = Merge::new(
                        std::mem::take(&mut current),
                        std::mem::take(&mut base),
                        std::mem::take(&mut other),
                    );
                    push_hunk(&mut hunks, MergeHunk::Conflicted(merge, eol));
                    resolved_start = end;
                    state = State::Outside;
                } else {
                    other.extend_from_slice(line);
                }
            }
        }
        pos = end;
    }
    let tail_start = if matches!(state, State::Outside) {
        resolved_start
    } else {
        block_start
    };
    push_hunk(&mut hunks, MergeHunk::Resolved(text[tail_start..].to_vec()));
    hunks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::ConflictStyle;

    #[test]
    fn conflict_block_size_finds_complete_blocks_only() {
        let block = b"a\n<<<<<<< current\nx\n=======\ny\n>>>>>>> new\nb\n";
        assert_eq!(conflict_block_size(block), Some(7));
        // Widened markers, after a marker-like content line of seven.
        let widened =
            b"<<<<<<< not a block\n<<<<<<<< current\nx\n||||||||\nw\n========\ny\n>>>>>>>> new\n";
        assert_eq!(conflict_block_size(widened), Some(8));
        // A lone marker line, an unclosed block, an asciidoc underline, a heredoc: no block.
        assert_eq!(conflict_block_size(b"<<<<<<< HEAD\nx\n"), None);
        assert_eq!(conflict_block_size(b"<<<<<<< a\nx\n=======\ny\n"), None);
        assert_eq!(conflict_block_size(b"Title\n=======\ntext\n"), None);
        assert_eq!(conflict_block_size(b"cat <<<<<<<<EOF\n"), None);
        assert_eq!(conflict_block_size(b""), None);
    }

    #[test]
    fn first_marker_line_reads_markers_of_the_recorded_size() {
        let doc = b"Title\n=======\n<<<<<<< ours is how git marks it\nb\n";
        // Without a recorded size, a `<<<<<<< ` line is taken for a marker.
        assert_eq!(first_marker_line(doc, None), Some(3));
        // Written with markers of 8, that line and the underline are content.
        assert_eq!(first_marker_line(doc, Some(8)), None);
        let conflicted = b"a\n<<<<<<<< current\nx\n========\ny\n>>>>>>>> new\n";
        assert_eq!(first_marker_line(conflicted, Some(8)), Some(2));
        assert_eq!(first_marker_line(b"a\n========\r\n", Some(8)), Some(2));
        assert_eq!(first_marker_line(b"a\n>>>>>>>>> x@1\n", None), Some(2));
        assert_eq!(first_marker_line(b"a\n||||||| base\r\n", None), Some(2));
        assert_eq!(first_marker_line(b"a\n<<<<<<<<=\nx << 2\n", None), None);
        assert_eq!(first_marker_line(b"=======\n", None), None);
        assert_eq!(first_marker_line(b"clean\n", Some(7)), None);
    }

    fn opts(style: ConflictStyle) -> MergeOptions {
        MergeOptions {
            style,
            ..MergeOptions::default()
        }
    }

    fn sample() -> Vec<MergeHunk> {
        vec![
            MergeHunk::Resolved(b"a\n".to_vec()),
            MergeHunk::Conflicted(
                Merge::new(b"X\n".to_vec(), b"b\n".to_vec(), b"Y\n".to_vec()),
                LineEnding::Lf,
            ),
            MergeHunk::Resolved(b"c\n".to_vec()),
        ]
    }

    #[test]
    fn materialize_writes_git_layout() {
        let (text, n) = materialize(&sample(), &opts(ConflictStyle::Diff3));
        assert_eq!(n, 1);
        assert_eq!(
            String::from_utf8_lossy(&text),
            "a\n<<<<<<< current\nX\n||||||| base\nb\n=======\nY\n>>>>>>> other\nc\n"
        );
        let (text, _) = materialize(&sample(), &opts(ConflictStyle::Merge));
        assert_eq!(
            String::from_utf8_lossy(&text),
            "a\n<<<<<<< current\nX\n=======\nY\n>>>>>>> other\nc\n"
        );
    }

    #[test]
    fn favor_resolves_every_conflict() {
        let with = |favor| MergeOptions {
            favor: Some(favor),
            ..MergeOptions::default()
        };
        assert_eq!(
            materialize(&sample(), &with(Favor::Ours)),
            (b"a\nX\nc\n".to_vec(), 0)
        );
        assert_eq!(
            materialize(&sample(), &with(Favor::Theirs)),
            (b"a\nY\nc\n".to_vec(), 0)
        );
        assert_eq!(
            materialize(&sample(), &with(Favor::Union)),
            (b"a\nX\nY\nc\n".to_vec(), 0)
        );
    }

    #[test]
    fn parse_inverts_materialize() {
        let (text, _) = materialize(&sample(), &opts(ConflictStyle::Diff3));
        assert_eq!(parse(&text, 7), sample());
    }

    #[test]
    fn marker_size_grows_past_marker_like_content() {
        assert_eq!(conflict_marker_size(&[b"a\n=======\n"], 7), 8);
        assert_eq!(conflict_marker_size(&[b"<<<<<<<<<< x\n"], 7), 11);
        assert_eq!(conflict_marker_size(&[b"<<<< short\n"], 7), 7);
        let hunks = vec![MergeHunk::Conflicted(
            Merge::new(b"=======\n".to_vec(), Vec::new(), b">>>>>>> x\n".to_vec()),
            LineEnding::Lf,
        )];
        let o = MergeOptions {
            marker_width: MarkerWidth::Widen,
            ..opts(ConflictStyle::Merge)
        };
        let (text, _) = materialize(&hunks, &o);
        assert_eq!(marker_size_for(&hunks, &o), 8);
        assert_eq!(parse(&text, marker_size_for(&hunks, &o)), hunks);
        // git's width: exactly the asked size, whatever the content.
        let exact = opts(ConflictStyle::Merge);
        assert_eq!(marker_size_for(&hunks, &exact), 7);
        let (text, _) = materialize(&hunks, &exact);
        assert!(text.starts_with(b"<<<<<<< current\n=======\n=======\n"));
    }

    #[test]
    fn huge_marker_sizes_are_capped() {
        let o = MergeOptions {
            marker_size: 4_000_000_000,
            ..opts(ConflictStyle::Merge)
        };
        assert_eq!(marker_size_for(&sample(), &o), crate::MAX_MARKER_SIZE);
        let (text, _) = materialize(&sample(), &o);
        assert!(text.len() < 4 * crate::MAX_MARKER_SIZE + 100);
    }

    #[test]
    fn incomplete_blocks_stay_text() {
        let text = b"a\n<<<<<<< x\nb\n=======\nc\n";
        assert_eq!(parse(text, 7), vec![MergeHunk::Resolved(text.to_vec())]);
    }
}
