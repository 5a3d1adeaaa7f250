//! Deciding, file by file, what a new generation does to the project: the three versions of
//! a file ([`merge::Merge`]), the decision ([`decide::decide`]), and an update's plan built
//! on it ([`file_plan`]).

pub mod decide;
pub mod file_plan;
pub mod merge;
