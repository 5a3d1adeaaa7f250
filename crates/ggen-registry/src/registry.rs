//! Reading a registry: its indexes and verified archives.

use std::path::{Path, PathBuf};

use crate::{PackIndex, RegistryError, RootIndex, VersionEntry};

/// A registry reached as a local directory or a `file://` URL.
#[derive(Debug, Clone)]
pub struct Registry {
    root: PathBuf,
}

impl Registry {
    /// Opens `location` (a path, relative to `cwd` if relative, or a `file://` URL).
    pub fn open(location: &str, cwd: &Path) -> Result<Registry, RegistryError> {
        let path = if let Some(rest) = location.strip_prefix("file://") {
            PathBuf::from(rest)
        } else if location.contains("://") {
            return Err(RegistryError::Unsupported {
                registry: location.to_string(),
            });
        } else {
            cwd.join(location)
        };
        if !path.is_dir() {
            return Err(RegistryError::Missing {
                registry: location.to_string(),
            });
        }
        let root = path.canonicalize().unwrap_or(path);
        Ok(Registry { root })
    }

    /// Opens a registry directory to publish into, creating it when absent.
    pub fn create(location: &str, cwd: &Path) -> Result<Registry, RegistryError> {
        let path = location.strip_prefix("file://").unwrap_or(location);
        if path.contains("://") {
            return Err(RegistryError::Unsupported {
                registry: location.to_string(),
            });
        }
        let path = cwd.join(path);
        ggen_fs::create_dir_all(&path)?;
        Registry::open(&path.to_string_lossy(), cwd)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The `source` recorded in `ggen.lock` for packs from this registry.
    pub fn source_id(&self) -> String {
        format!("registry+file://{}", self.root.display())
    }

    /// `index.json`; an empty index when the registry has none yet.
    pub fn root_index(&self) -> Result<RootIndex, RegistryError> {
        let path = self.root.join("index.json");
        match ggen_fs::read_optional(&path)? {
            Some(bytes) => parse_json(&path, &bytes),
            None => Ok(RootIndex::default()),
        }
    }

    /// `index/<id>.json`, or `None` when the pack was never published here.
    pub fn pack_index_optional(&self, id: &str) -> Result<Option<PackIndex>, RegistryError> {
        let path = self.pack_index_path(id);
        match ggen_fs::read_optional(&path)? {
            Some(bytes) => {
                let index: PackIndex = parse_json(&path, &bytes)?;
                if index.id != id {
                    return Err(RegistryError::Index {
                        path,
                        message: format!("names pack `{}`, expected `{id}`", index.id),
                    });
                }
                Ok(Some(index))
            }
            None => Ok(None),
        }
    }

    /// `index/<id>.json`; an unknown pack is an error naming it and the registry.
    pub fn pack_index(&self, id: &str) -> Result<PackIndex, RegistryError> {
        self.pack_index_optional(id)?
            .ok_or_else(|| RegistryError::UnknownPack {
                id: id.to_string(),
                registry: self.root.display().to_string(),
            })
    }

    pub(crate) fn pack_index_path(&self, id: &str) -> PathBuf {
        self.root.join("index").join(format!("{id}.json"))
    }

    /// The archive of `entry`, verified against the index's sha256.
    pub fn fetch_archive(&self, id: &str, entry: &VersionEntry) -> Result<Vec<u8>, RegistryError> {
        let relative = Path::new(&entry.archive);
        if relative.is_absolute()
            || relative
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(RegistryError::Index {
                path: self.pack_index_path(id),
                message: format!("archive path {:?} leaves the registry", entry.archive),
            });
        }
        let path = self.root.join(relative);
        let bytes = ggen_fs::read(&path)?;
        let actual = ggen_pack::integrity::sha256(&bytes);
        if actual != entry.integrity() {
            return Err(RegistryError::Checksum {
                id: id.to_string(),
                version: entry.version.clone(),
                archive: path.display().to_string(),
                expected: entry.sha256.clone(),
                actual: actual.trim_start_matches("sha256-").to_string(),
            });
        }
        Ok(bytes)
    }
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    bytes: &[u8],
) -> Result<T, RegistryError> {
    serde_json::from_slice(bytes).map_err(|e| RegistryError::Index {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}
