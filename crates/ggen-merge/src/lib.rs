//! Three-way merges as values, region markers and the region-aware merge. Pure: no I/O.
//!
//! - [`Merge`] and [`MergeHunk`]: merges as values (terms `[current, base, other]`).
//! - [`merge_lines`] / [`merge_file`]: the line merge of `git merge-file` (our own, on gix-imara-diff).
//! - [`materialize`] / [`parse`]: conflict markers, written only at the edge.
//! - [`regions`]: `@ggen:` region markers; [`merge_regions`]: the region-aware merge.
//!
//! [`merge_file`] produces `git merge-file`'s bytes and conflict count; the choices git does
//! not offer (markers widened past marker-like lines, [`MarkerWidth::Widen`], which projects
//! use) are options. See the crate README.

mod conflict;
mod line_merge;
mod merge;
mod merge_file;
mod options;
mod region_merge;
pub mod regions;

pub use conflict::{
    conflict_block_size, conflict_marker_size, first_marker_line, marker_size_for, materialize,
    parse,
};
pub use line_merge::merge_lines;
pub use merge::{LineEnding, Merge, MergeHunk};
pub use merge_file::{MergeOutput, is_binary, is_text, merge_file};
pub use options::{
    ConflictStyle, DEFAULT_MARKER_SIZE, Favor, MAX_MARKER_SIZE, MarkerWidth, MergeOptions,
};
pub use region_merge::{RegionMergeOutput, carry_user_regions, merge_regions};

#[doc(hidden)]
pub mod fuzzing;
