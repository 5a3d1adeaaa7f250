//! Deciding, file by file, what a new generation does to the project.

pub mod file_plan;
