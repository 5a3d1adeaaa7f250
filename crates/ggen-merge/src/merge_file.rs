//! `merge_file`: the whole-file three-way merge that behaves like `git merge-file -p`.

use crate::conflict::{conflict_marker_size, materialize_with_size};
use crate::line_merge::merge_lines;
use crate::merge::Merge;
use crate::options::{MAX_TEXT_SIZE, MarkerWidth, MergeOptions};

/// The merged bytes, how many conflict blocks they contain (uncapped; git's exit code is this
/// capped at 127) and the marker size they were written with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeOutput {
    pub bytes: Vec<u8>,
    pub conflicts: usize,
    /// The size of the markers in `bytes`: [`MergeOptions::marker_size`] (0 read as 7, capped),
    /// or with [`MarkerWidth::Widen`] the grown size. [`crate::parse`] reads the conflicts
    /// back with it; a project that writes widened markers records it.
    pub marker_size: usize,
}

/// Whether `bytes` is binary the way git decides it (`buffer_is_binary`): a NUL byte in the
/// first 8,000 bytes. `git merge-file` refuses binary input.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8000)]).is_some()
}

/// Whether `bytes` is text we merge by lines: not binary ([`is_binary`]) and within git's
/// size limit. Any encoding is text: lines are bytes up to a newline.
pub fn is_text(bytes: &[u8]) -> bool {
    bytes.len() <= MAX_TEXT_SIZE && !is_binary(bytes)
}

/// Merge `current` and `other`, which both started from `base`, like `git merge-file -p`.
///
/// A merge one side did not touch (or both made the same way) resolves to the changed side,
/// whatever the content. Otherwise content that is not text (see [`is_text`]) is one
/// whole-file conflict: `bytes` is `current`, unchanged, and `conflicts` is 1 (`git
/// merge-file` refuses it instead; its CLI twin, `ggen merge-file`, does too).
pub fn merge_file(current: &[u8], base: &[u8], other: &[u8], opts: &MergeOptions) -> MergeOutput {
    let asked = opts.base_marker_size();
    if let Some(resolved) = Merge::new(current, base, other).resolve_trivial() {
        return MergeOutput {
            bytes: resolved.to_vec(),
            conflicts: 0,
            marker_size: asked,
        };
    }
    if !(is_text(current) && is_text(base) && is_text(other)) {
        return MergeOutput {
            bytes: current.to_vec(),
            conflicts: 1,
            marker_size: asked,
        };
    }
    let hunks = merge_lines(current, base, other, opts.style);
    let size = match opts.marker_width {
        MarkerWidth::Exact => asked,
        MarkerWidth::Widen => conflict_marker_size(&[current, base, other], asked),
    };
    let (bytes, conflicts) = materialize_with_size(&hunks, opts, size);
    MergeOutput {
        bytes,
        conflicts,
        marker_size: size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Favor;

    fn merge(current: &str, base: &str, other: &str) -> (String, usize) {
        merge_with(current, base, other, &MergeOptions::default())
    }

    fn merge_with(current: &str, base: &str, other: &str, opts: &MergeOptions) -> (String, usize) {
        let out = merge_file(current.as_bytes(), base.as_bytes(), other.as_bytes(), opts);
        (
            String::from_utf8_lossy(&out.bytes).into_owned(),
            out.conflicts,
        )
    }

    #[test]
    fn clean_merge_takes_both_changes() {
        assert_eq!(
            merge("A\nb\nc\n", "a\nb\nc\n", "a\nb\nC\n"),
            ("A\nb\nC\n".to_owned(), 0)
        );
    }

    #[test]
    fn conflict_is_marked_and_counted() {
        assert_eq!(
            merge("a\nX\nc\n", "a\nb\nc\n", "a\nY\nc\n"),
            (
                "a\n<<<<<<< current\nX\n=======\nY\n>>>>>>> other\nc\n".to_owned(),
                1
            )
        );
    }

    #[test]
    fn binary_conflict_keeps_current_and_counts_one() {
        let out = merge_file(b"a\0x", b"a\0b", b"a\0y", &MergeOptions::default());
        assert_eq!(
            out,
            MergeOutput {
                bytes: b"a\0x".to_vec(),
                conflicts: 1,
                marker_size: 7,
            }
        );
        let favored = MergeOptions {
            favor: Some(Favor::Theirs),
            ..MergeOptions::default()
        };
        assert_eq!(merge_file(b"\0x", b"\0b", b"\0y", &favored).conflicts, 1);
    }

    #[test]
    fn binary_changed_on_one_side_only_takes_that_side() {
        let out = merge_file(b"\0base", b"\0base", b"\0new", &MergeOptions::default());
        assert_eq!(
            out,
            MergeOutput {
                bytes: b"\0new".to_vec(),
                conflicts: 0,
                marker_size: 7,
            }
        );
    }

    #[test]
    fn text_that_is_not_utf8_merges_as_bytes() {
        let latin1 = merge_file(
            b"caf\xe9 1\nb\nc\n",
            b"caf\xe9\nb\nc\n",
            b"caf\xe9\nb\nc \xff\n",
            &MergeOptions::default(),
        );
        assert_eq!(latin1.bytes, b"caf\xe9 1\nb\nc \xff\n");
        assert_eq!(latin1.conflicts, 0);
    }

    #[test]
    fn markers_grow_past_very_long_marker_like_lines() {
        let long = "=".repeat(300);
        let (text, n) = merge_with(
            &format!("{long}\nX\n"),
            &format!("{long}\nb\n"),
            &format!("{long}\nY\n"),
            &widen(),
        );
        assert_eq!(n, 1);
        let marker = "<".repeat(301);
        assert!(text.contains(&format!("\n{marker} current\nX\n")), "{text}");
    }

    #[test]
    fn markers_grow_past_marker_like_lines_when_asked() {
        let (text, n) = merge_with("=======\nX\n", "=======\nb\n", "=======\nY\n", &widen());
        assert_eq!(n, 1);
        assert!(
            text.contains("<<<<<<<< current\nX\n========\nY\n>>>>>>>> other\n"),
            "{text}"
        );
        let out = merge_file(b"=======\nX\n", b"=======\nb\n", b"=======\nY\n", &widen());
        assert_eq!(out.marker_size, 8);
    }

    #[test]
    fn markers_are_git_sized_by_default() {
        let (text, n) = merge("=======\nX\n", "=======\nb\n", "=======\nY\n");
        assert_eq!(n, 1);
        assert_eq!(
            text,
            "=======\n<<<<<<< current\nX\n=======\nY\n>>>>>>> other\n"
        );
    }

    fn widen() -> MergeOptions {
        MergeOptions {
            marker_width: MarkerWidth::Widen,
            ..MergeOptions::default()
        }
    }
}
