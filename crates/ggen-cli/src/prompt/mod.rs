//! Questions asked on a terminal (stdin and stderr both terminals), never otherwise.

pub mod review;
pub mod vars;
