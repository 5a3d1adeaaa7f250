//! Three-way merges as values, region markers and the region-aware merge. Pure: no I/O.
