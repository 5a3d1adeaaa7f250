//! Errors when reading, fetching from or publishing to a registry.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Fs(#[from] ggen_fs::FsError),
    #[error(transparent)]
    Pack(#[from] ggen_pack::PackError),
    #[error(
        "registry {registry}: unsupported location (expected a directory path or a file:// URL)"
    )]
    Unsupported { registry: String },
    #[error("registry {registry} does not exist or is not a directory")]
    Missing { registry: String },
    #[error("registry index {path}: {message}")]
    Index { path: PathBuf, message: String },
    #[error("pack `{id}` is not in registry {registry}")]
    UnknownPack { id: String, registry: String },
    #[error("no version of pack `{id}` matches `{requirement}` (available: {available})")]
    NoMatchingVersion {
        id: String,
        requirement: String,
        available: String,
    },
    #[error("{id}@{version} is already published in {registry}; published versions are immutable")]
    AlreadyPublished {
        id: String,
        version: String,
        registry: String,
    },
    #[error(
        "{id}@{version}: archive {archive} has sha256 {actual}, but the registry index says {expected}"
    )]
    Checksum {
        id: String,
        version: String,
        archive: String,
        expected: String,
        actual: String,
    },
}
