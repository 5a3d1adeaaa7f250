//! Packs: the `gpack.toml` manifest, a pack's variables and files, and pack archives.
//!
//! A pack is a directory (or a `.tar.gz` of one) holding `gpack.toml`, a templates root and
//! optional RDF graph files. This crate reads and validates all of that; it knows nothing of
//! rendering (see `ggen-template`) or of projects (see `ggen-project`).

pub mod archive;
mod error;
mod files;
pub mod integrity;
pub mod manifest;
mod pack;
pub mod variables;

pub use error::PackError;
pub use manifest::{Manifest, ManifestWarning, VariableSpec, VariableType, is_valid_pack_id};
pub use pack::{Pack, PackFile};
