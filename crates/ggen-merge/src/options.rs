//! The options of a merge and the limits shared by every module: style, favour, labels, markers.
//!
//! These types sit below the merge itself ([`crate::line_merge`], [`crate::merge_file`]) and
//! the marker writer ([`crate::conflict`]), so those modules do not import one another.

/// git's default conflict marker size.
pub const DEFAULT_MARKER_SIZE: usize = 7;

/// The largest marker size ggen writes: a larger `--marker-size` is cut to this (git tries to
/// allocate whatever it is given and dies out of memory).
pub const MAX_MARKER_SIZE: usize = 1 << 20;

/// git's size limit for a line merge (1,023 MiB): larger inputs are not merged line by line.
pub(crate) const MAX_TEXT_SIZE: usize = 1024 * 1024 * 1023;

/// How conflicts are presented, which also decides how far the merge shrinks them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ConflictStyle {
    /// git's default: the two sides, conflicts cut where git cuts them (split around lines
    /// both sides share, joined when at most three lines, or lines without letters or digits,
    /// separate them).
    #[default]
    Merge,
    /// `--diff3`: the two sides and the base, conflicts not reduced.
    Diff3,
    /// `--zdiff3`: the two sides and the base, with the lines both sides share at either end
    /// of a conflict moved out of it.
    ZealousDiff3,
}

impl ConflictStyle {
    /// Whether conflicts show the base between the two sides (`--diff3`, `--zdiff3`).
    pub fn shows_base(self) -> bool {
        matches!(self, ConflictStyle::Diff3 | ConflictStyle::ZealousDiff3)
    }
}

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

/// How wide conflict markers are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub enum MarkerWidth {
    /// Exactly the marker size, as `git merge-file` writes them (content lines that look like
    /// markers stay ambiguous, as in git).
    #[default]
    Exact,
    /// At least the marker size, and one longer than any run of `<`, `|`, `=` or `>` that
    /// starts a line of the inputs and is at least that long, so markers are never confused
    /// with content. The size used is reported in [`crate::MergeOutput::marker_size`]; a
    /// caller that parses the result later must use it.
    Widen,
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
    /// Conflict marker size (0 means 7; above [`MAX_MARKER_SIZE`] it is cut to that).
    pub marker_size: usize,
    /// Whether markers are exactly `marker_size` long (git) or widened past marker-like lines.
    pub marker_width: MarkerWidth,
}

impl MergeOptions {
    /// The marker size asked for: 0 means 7, and at most [`MAX_MARKER_SIZE`].
    pub fn base_marker_size(&self) -> usize {
        effective_marker_size(self.marker_size)
    }
}

/// `size` with 0 read as the default and the cap applied.
pub(crate) fn effective_marker_size(size: usize) -> usize {
    if size == 0 {
        DEFAULT_MARKER_SIZE
    } else {
        size.min(MAX_MARKER_SIZE)
    }
}

impl Default for MergeOptions {
    /// git's defaults, labelled `current`, `base` and `other` (a CLI passes file names, as
    /// `git merge-file` does when given no `-L`).
    fn default() -> Self {
        MergeOptions {
            style: ConflictStyle::Merge,
            favor: None,
            labels: ["current".to_owned(), "base".to_owned(), "other".to_owned()],
            marker_size: DEFAULT_MARKER_SIZE,
            marker_width: MarkerWidth::Exact,
        }
    }
}
