//! Three-way merges as values, region markers and the region-aware merge. Pure: no I/O.
//!
//! - [`Merge`] and [`MergeHunk`]: merges as values (terms `[current, base, other]`).
//! - [`merge_lines`] / [`merge_file`]: the line merge of `git merge-file`, built on gix-merge.
//! - [`materialize`] / [`parse`]: conflict markers, written only at the edge.
//! - [`regions`]: `@ggen:` region markers; [`merge_regions`]: the region-aware merge.
//!
//! Differences from `git merge-file`, deliberate (non-text content is a whole-file conflict,
//! markers grow past marker-like lines, the conflict count is not capped at 127), are listed
//! in the crate README.

mod conflict;
mod line_merge;
mod merge;
mod merge_file;
mod placement;
mod refine;
mod region_merge;
pub mod regions;

pub use conflict::{
    DEFAULT_MARKER_SIZE, conflict_marker_size, marker_size_for, materialize, parse,
};
pub use line_merge::{ConflictStyle, merge_lines};
pub use merge::{LineEnding, Merge, MergeHunk};
pub use merge_file::{Favor, MergeOptions, MergeOutput, is_text, merge_file};
pub use region_merge::{RegionMergeOutput, merge_regions};

#[doc(hidden)]
pub mod fuzzing;
