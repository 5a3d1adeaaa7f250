//! The pack registry: a static directory tree of indexes and archives (SPEC §8), the
//! download cache under `$GGEN_HOME`, and publishing into a registry directory.
//!
//! A registry needs no server code: `index.json`, `index/<id>.json` and
//! `packs/<id>/<id>-<version>.tar.gz` can be served by any static file host.

mod cache;
mod error;
pub mod index;
mod publish;
mod registry;
mod time;

pub use cache::Cache;
pub use error::RegistryError;
pub use index::{PackIndex, RootIndex, VersionEntry};
pub use publish::{Published, publish};
pub use registry::Registry;
