//! `merge_file`: the whole-file three-way merge that behaves like `git merge-file -p`.

use crate::conflict::{conflict_marker_size, materialize_with_size};
use crate::line_merge::{ConflictStyle, merge_lines};
use crate::merge::Merge;

/// How to settle conflicts instead of writing markers (`git merge-file --ours/--theirs/--union`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Favor {
    /// Take the current side of each conflict.
    Ours,
    /// Take the other side of each conflict.
    Theirs,
    /// Take both sides, current first.
    Union,
}

/// Options of a line merge, with git merge-file's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeOptions {
    /// Conflict style (`--diff3` or git's default).
    pub style: ConflictStyle,
    /// Settle conflicts by favouring a side instead of writing markers.
    pub favor: Option<Favor>,
    /// Marker labels for `[current, base, other]`; `git merge-file` uses the file names.
    pub labels: [String; 3],
    /// Minimum conflict marker size (0 means 7); it grows past marker-like lines in the input.
    pub marker_size: usize,
}

impl Default for MergeOptions {
    /// git's defaults, labelled `current`, `base` and `other` (a CLI passes file names, as
    /// `git merge-file` does when given no `-L`).
    fn default() -> Self {
        MergeOptions {
            style: ConflictStyle::Merge,
            favor: None,
            labels: ["current".to_owned(), "base".to_owned(), "other".to_owned()],
            marker_size: crate::conflict::DEFAULT_MARKER_SIZE,
        }
    }
}

/// The merged bytes and how many conflict blocks they contain (git's exit code, uncapped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeOutput {
    pub bytes: Vec<u8>,
    pub conflicts: usize,
}

/// git's size limit for a line merge (1,023 MiB): larger inputs are not merged line by line.
pub(crate) const MAX_TEXT_SIZE: usize = 1024 * 1024 * 1023;

/// Whether `bytes` is text we merge by lines: no NUL in the first 8000 bytes (git's
/// `buffer_is_binary`), within git's size limit, and valid UTF-8.
pub fn is_text(bytes: &[u8]) -> bool {
    bytes.len() <= MAX_TEXT_SIZE
        && !bytes[..bytes.len().min(8000)].contains(&0)
        && std::str::from_utf8(bytes).is_ok()
}

/// Merge `current` and `other`, which both started from `base`, like `git merge-file -p`.
///
/// A merge one side did not touch (or both made the same way) resolves to the changed side,
/// whatever the content. Otherwise content that is not text (see [`is_text`]) is one
/// whole-file conflict: `bytes` is `current`, unchanged, and `conflicts` is 1.
pub fn merge_file(current: &[u8], base: &[u8], other: &[u8], opts: &MergeOptions) -> MergeOutput {
    if let Some(resolved) = Merge::new(current, base, other).resolve_trivial() {
        return MergeOutput {
            bytes: resolved.to_vec(),
            conflicts: 0,
        };
    }
    if !(is_text(current) && is_text(base) && is_text(other)) {
        return MergeOutput {
            bytes: current.to_vec(),
            conflicts: 1,
        };
    }
    let hunks = merge_lines(current, base, other, opts.style);
    let size = conflict_marker_size(&[current, base, other], opts.marker_size);
    let (bytes, conflicts) = materialize_with_size(&hunks, opts, size);
    MergeOutput { bytes, conflicts }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(current: &str, base: &str, other: &str) -> (String, usize) {
        let out = merge_file(
            current.as_bytes(),
            base.as_bytes(),
            other.as_bytes(),
            &MergeOptions::default(),
        );
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
                conflicts: 1
            }
        );
        let latin1 = merge_file(
            b"caf\xe9 1\n",
            b"caf\xe9\n",
            b"caf\xe9 2\n",
            &MergeOptions::default(),
        );
        assert_eq!(
            latin1,
            MergeOutput {
                bytes: b"caf\xe9 1\n".to_vec(),
                conflicts: 1
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
                conflicts: 0
            }
        );
    }

    #[test]
    fn markers_grow_past_very_long_marker_like_lines() {
        let long = "=".repeat(300);
        let (text, n) = merge(
            &format!("{long}\nX\n"),
            &format!("{long}\nb\n"),
            &format!("{long}\nY\n"),
        );
        assert_eq!(n, 1);
        let marker = "<".repeat(301);
        assert!(text.contains(&format!("\n{marker} current\nX\n")), "{text}");
    }

    #[test]
    fn markers_grow_past_marker_like_lines() {
        let (text, n) = merge("=======\nX\n", "=======\nb\n", "=======\nY\n");
        assert_eq!(n, 1);
        assert!(
            text.contains("<<<<<<<< current\nX\n========\nY\n>>>>>>>> other\n"),
            "{text}"
        );
    }
}
