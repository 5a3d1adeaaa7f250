//! Deciding, file by file, what a new generation does to the project: the three versions of
//! a file ([`merge::Merge`]), the decision ([`decide::decide`]), the files a new version
//! moved ([`moves`]), and an update's plan built on them ([`file_plan`]).

pub mod decide;
pub mod file_plan;
pub mod merge;
pub mod moves;
