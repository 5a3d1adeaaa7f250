//! Deciding, file by file, what a new generation does to the project: the decision on the
//! three versions of a file, a [`crate::merge::Merge`] ([`decide::decide`]), the files a new
//! version moved ([`moves`]), and an update's plan built on them ([`file_plan`]).

pub mod decide;
pub mod file_plan;
pub mod moves;
