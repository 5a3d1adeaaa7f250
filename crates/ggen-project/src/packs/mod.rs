//! Packs as a project uses them: where a version comes from ([`source`]) and rendering it
//! into files ([`generation`]).

pub(crate) mod generation;
pub use generation::{template_library, variable_kinds};
pub mod rebuild;
pub mod source;
