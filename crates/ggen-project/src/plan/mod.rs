//! Deciding, file by file, what a new generation does to the project: the decision on the
//! three versions of a file, a [`crate::merge::Merge`] ([`decide::decide`]), the files a new
//! version moved ([`moves`]), an update's plan built on them ([`file_plan`]), and how
//! `ggen resolve` settles a recorded conflict ([`resolution`]).

pub mod decide;
pub mod file_plan;
pub mod moves;
pub mod resolution;
