//! The pack registry: a static tree of indexes and archives (SPEC §8) reached as a directory,
//! a `file://` URL or an `http(s)://` URL; the download cache under `$GGEN_HOME`; dependency
//! resolution; signatures; and publishing and yanking in a registry directory.
//!
//! A registry needs no server code: `index.json`, `index/<id>.json` and
//! `packs/<id>/<id>-<version>.tar.gz` can be served by any static file host.

mod cache;
mod credentials;
mod error;
mod http;
pub mod index;
mod location;
mod progress;
mod publish;
mod registry;
pub mod resolve;
mod signature;
pub mod time;
mod trust;

pub use cache::Cache;
pub use credentials::{TOKEN_VARIABLE, redact};
pub use error::RegistryError;
pub use http::NetworkOptions;
pub use index::{PackIndex, RootEntry, RootIndex, VersionEntry};
pub use progress::{Progress, ProgressHandle, Silent};
pub use publish::{Published, Yanked, publish, yank};
pub use registry::{Access, Registry};
pub use signature::{Algorithm, PublicKey, SecretKey, Signature};
pub use trust::{SignatureStatus, TrustPolicy};
