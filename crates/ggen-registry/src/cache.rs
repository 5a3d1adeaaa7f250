//! The download cache under `$GGEN_HOME/cache`: archives by integrity hash (verified on
//! every use, and read into memory by whoever uses them: nothing is unpacked to disk), and
//! the index files of HTTP registries (for `--offline`).
//!
//! ```text
//! cache/archives/sha256-<hex>.tar.gz
//! cache/index/<registry key>/index.json and …/index/<id>.json
//! ```

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ggen_fs::Durability;

use crate::RegistryError;

/// `$GGEN_HOME/cache`.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    pub fn new(ggen_home: &Path) -> Cache {
        Cache {
            root: ggen_home.join("cache"),
        }
    }

    /// The cached archive named by `integrity`, if present and still matching it. A damaged
    /// entry is removed.
    pub(crate) fn archive(&self, integrity: &str) -> Result<Option<Vec<u8>>, RegistryError> {
        let path = self.archive_path(integrity)?;
        let Some(bytes) = ggen_fs::read_optional(&path)? else {
            return Ok(None);
        };
        if ggen_pack::integrity::sha256(&bytes) == integrity {
            return Ok(Some(bytes));
        }
        ggen_fs::remove_file(&path)?;
        Ok(None)
    }

    /// Stores verified archive bytes under their integrity.
    pub(crate) fn store_archive(&self, integrity: &str, bytes: &[u8]) -> Result<(), RegistryError> {
        let path = self.archive_path(integrity)?;
        ggen_fs::write_atomic(&path, bytes, Durability::Batch)?;
        Ok(())
    }

    fn archive_path(&self, integrity: &str) -> Result<PathBuf, RegistryError> {
        Ok(self
            .root
            .join("archives")
            .join(format!("{}.tar.gz", entry_name(integrity)?)))
    }

    /// A cached index file of the registry `key` and when it was fetched.
    pub(crate) fn index(
        &self,
        key: &str,
        relative: &str,
    ) -> Result<Option<(Vec<u8>, SystemTime)>, RegistryError> {
        let path = self.root.join("index").join(key).join(relative);
        let Some(bytes) = ggen_fs::read_optional(&path)? else {
            return Ok(None);
        };
        let fetched = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        Ok(Some((bytes, fetched)))
    }

    /// Records a freshly fetched index file.
    pub(crate) fn store_index(
        &self,
        key: &str,
        relative: &str,
        bytes: &[u8],
    ) -> Result<(), RegistryError> {
        let path = self.root.join("index").join(key).join(relative);
        ggen_fs::write_atomic(&path, bytes, Durability::Batch)?;
        Ok(())
    }
}

/// `sha256-<64 hex>` is the only shape of cache entry names: an index cannot make the cache
/// write outside itself.
fn entry_name(integrity: &str) -> Result<&str, RegistryError> {
    let valid = integrity
        .strip_prefix("sha256-")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if valid {
        Ok(integrity)
    } else {
        Err(RegistryError::Index {
            location: "cache".into(),
            message: format!("{integrity:?} is not a sha256 integrity"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive_of(dir: &Path) -> (Vec<u8>, String) {
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(
            dir.join("gpack.toml"),
            "[pack]\nid = \"p\"\nversion = \"1.0.0\"\ndescription = \"p\"\n",
        )
        .unwrap();
        std::fs::write(dir.join("templates/a.txt"), "a\n").unwrap();
        let version = semver::Version::new(1, 0, 0);
        let bytes = ggen_pack::archive::pack_directory(dir, "p", &version).unwrap();
        let integrity = ggen_pack::integrity::sha256(&bytes);
        (bytes, integrity)
    }

    #[test]
    fn a_damaged_cached_archive_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, integrity) = archive_of(&dir.path().join("src"));
        let cache = Cache::new(&dir.path().join("home"));
        cache.store_archive(&integrity, &bytes).unwrap();
        assert_eq!(cache.archive(&integrity).unwrap(), Some(bytes.clone()));
        let path = cache.archive_path(&integrity).unwrap();
        std::fs::write(&path, b"garbage").unwrap();
        assert_eq!(cache.archive(&integrity).unwrap(), None);
        assert!(!path.exists());
    }

    #[test]
    fn integrity_names_cannot_escape_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        assert!(cache.archive("sha256-../../etc/passwd").is_err());
        assert!(cache.store_archive("md5-00", b"x").is_err());
    }
}
