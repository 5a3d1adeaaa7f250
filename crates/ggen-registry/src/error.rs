//! Errors when reading, fetching from or publishing to a registry, resolving dependencies,
//! or checking signatures; each names the registry, URL, pack or key involved.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Fs(#[from] ggen_fs::FsError),
    #[error(transparent)]
    Pack(#[from] ggen_pack::PackError),
    #[error(
        "registry {registry}: unsupported location (expected a directory path, a file:// URL or an http(s):// URL)"
    )]
    Unsupported { registry: String },
    #[error("registry {registry} does not exist or is not a directory")]
    Missing { registry: String },
    #[error("registry {registry} is not a directory on this machine; {action} needs one")]
    NotLocal {
        registry: String,
        action: &'static str,
    },
    #[error("registry index {location}: {message}")]
    Index { location: String, message: String },
    #[error("pack `{id}` is not in registry {registry}")]
    UnknownPack {
        id: String,
        registry: String,
        /// The registry's nearest id, for a did-you-mean.
        suggestion: Option<String>,
    },
    #[error("{id}@{version} is not published in registry {registry}")]
    UnknownVersion {
        id: String,
        version: String,
        registry: String,
    },
    #[error("no version of pack `{id}` matches `{requirement}` (available: {available})")]
    NoMatchingVersion {
        id: String,
        requirement: String,
        available: String,
    },
    #[error("pack `{id}` needs a registry, and none is configured")]
    NoRegistry { id: String },
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
    #[error("cannot download {url}: {message}")]
    Http { url: String, message: String },
    #[error("cannot download {url}: the server answered {status}{detail}")]
    HttpStatus {
        url: String,
        status: u16,
        detail: String,
    },
    #[error("cannot download {url}: it is larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("offline: {what} of registry {registry} is not in the cache")]
    NotCached { what: String, registry: String },
    #[error("cannot resolve the packs' dependencies:\n{report}")]
    Unsatisfiable { report: String },
    #[error("dependency cycle: {chain}")]
    DependencyCycle { chain: String },
    #[error("{id}@{version}: bad signature: {message}")]
    BadSignature {
        id: String,
        version: String,
        message: String,
    },
    #[error("{id}@{version} is not signed, and signatures are required")]
    Unsigned { id: String, version: String },
    #[error(
        "{id}@{version} is signed by {algorithm} key {key_id}, which is not trusted, and signatures are required"
    )]
    UntrustedKey {
        id: String,
        version: String,
        algorithm: String,
        key_id: String,
    },
    #[error("key file {path}: {message}")]
    Key { path: PathBuf, message: String },
}

impl RegistryError {
    /// What the user can do next, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            RegistryError::Unsupported { .. } | RegistryError::Missing { .. } => {
                "pass `--registry` a registry directory, file:// URL or http(s):// URL"
            }
            RegistryError::NotLocal { .. } => {
                "publish and yank in a local copy of the registry, then upload it to the server"
            }
            RegistryError::UnknownPack {
                suggestion: Some(near),
                ..
            } => {
                return Some(format!(
                    "did you mean `{near}`? (`ggen search TEXT` lists the registry's packs)"
                ));
            }
            RegistryError::UnknownPack { .. } => "`ggen search TEXT` lists the registry's packs",
            RegistryError::NoMatchingVersion { .. } | RegistryError::UnknownVersion { .. } => {
                "`ggen packs info ID` lists every version of a pack"
            }
            RegistryError::NoRegistry { .. } => {
                "pass `--registry PATH|URL`, set GGEN_REGISTRY, or give the pack as a path"
            }
            RegistryError::AlreadyPublished { .. } => {
                "bump `version` in gpack.toml and publish again"
            }
            RegistryError::Checksum { .. } => {
                "the archive was corrupted or altered in transit and nothing was written; try again, and tell the registry's owner if it persists"
            }
            RegistryError::Http { .. } | RegistryError::HttpStatus { .. } => {
                "check the registry URL and the network; `--offline` uses only what is cached"
            }
            RegistryError::NotCached { .. } => {
                "run the command once without `--offline` to fill the cache"
            }
            RegistryError::Unsatisfiable { .. } => {
                "`ggen packs info ID` shows each pack's versions and their dependencies"
            }
            RegistryError::DependencyCycle { .. } => {
                "packs cannot depend on each other in a circle: remove one of these dependencies"
            }
            RegistryError::BadSignature { .. } => {
                "the pack or its index entry was altered after signing, or signed with another key: do not use it, and tell the registry's owner"
            }
            RegistryError::Unsigned { .. } | RegistryError::UntrustedKey { .. } => {
                "trust the publisher's key with `--trust-key KEY.pub` or by copying it into $GGEN_HOME/trusted_keys/"
            }
            _ => return None,
        };
        Some(hint.to_string())
    }
}
