//! The download cache under `$GGEN_HOME/cache`: archives by integrity hash (verified on
//! every use), the packs unpacked from them (checked against a digest of their tree on every
//! use), and the index files of HTTP registries (for `--offline`).
//!
//! ```text
//! cache/archives/sha256-<hex>.tar.gz
//! cache/packs/sha256-<hex>/…            unpacked, with cache/packs/sha256-<hex>.tree
//! cache/index/<registry key>/index.json and …/index/<id>.json
//! ```

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ggen_fs::Durability;
use ggen_pack::archive::{self, ArchiveLimits};
use sha2::{Digest, Sha256};

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

    /// The pack root of `bytes` unpacked in the cache, unpacking it on first use, or again
    /// when the unpacked tree no longer matches what was unpacked. The caller has verified
    /// `bytes` against `integrity`, which names the cache entry.
    pub fn unpacked(
        &self,
        integrity: &str,
        archive_name: &str,
        bytes: &[u8],
    ) -> Result<PathBuf, RegistryError> {
        let name = entry_name(integrity)?;
        let packs = self.root.join("packs");
        let dest = packs.join(name);
        let digest_path = packs.join(format!("{name}.tree"));
        if let Some(root) = pack_root(&dest) {
            let recorded = ggen_fs::read_optional(&digest_path)?;
            if recorded.as_deref() == Some(tree_digest(&dest)?.as_bytes()) {
                return Ok(root);
            }
            // Edited, damaged or half-recorded: start again from the verified archive.
            remove_tree(&dest)?;
        } else if dest.exists() {
            remove_tree(&dest)?;
        }
        ggen_fs::create_dir_all(&packs)?;
        // A concurrent ggen may unpack the same archive: the loser's rename fails, and the
        // winner's copy is identical, so take it.
        let root = match archive::unpack(bytes, archive_name, &dest, &ArchiveLimits::default()) {
            Ok(root) => root,
            Err(err) => pack_root(&dest).ok_or(RegistryError::Pack(err))?,
        };
        ggen_fs::write_atomic(
            &digest_path,
            tree_digest(&dest)?.as_bytes(),
            Durability::Batch,
        )?;
        Ok(root)
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

fn remove_tree(dir: &Path) -> Result<(), RegistryError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ggen_fs::FsError::new("cannot remove", dir, e).into()),
    }
}

fn pack_root(dest: &Path) -> Option<PathBuf> {
    if dest.join("gpack.toml").is_file() {
        return Some(dest.to_path_buf());
    }
    let mut dirs = std::fs::read_dir(dest).ok()?.filter_map(Result::ok);
    let first = dirs.next()?;
    if dirs.next().is_none() && first.path().join("gpack.toml").is_file() {
        return Some(first.path());
    }
    None
}

/// sha256 over every entry under `root`, sorted by path, each as length-prefixed kind, path
/// and content: any added, removed, renamed or edited file changes it.
fn tree_digest(root: &Path) -> Result<String, RegistryError> {
    let mut entries = Vec::new();
    collect(root, root, &mut entries)?;
    entries.sort();
    let mut hasher = Sha256::new();
    for (path, kind, content) in &entries {
        for part in [path.as_bytes(), &[*kind], content.as_slice()] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

fn collect(
    root: &Path,
    dir: &Path,
    entries: &mut Vec<(String, u8, Vec<u8>)>,
) -> Result<(), RegistryError> {
    let read = std::fs::read_dir(dir).map_err(|e| ggen_fs::FsError::new("cannot read", dir, e))?;
    for entry in read {
        let entry = entry.map_err(|e| ggen_fs::FsError::new("cannot read", dir, e))?;
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let kind = entry
            .file_type()
            .map_err(|e| ggen_fs::FsError::new("cannot read", &path, e))?;
        if kind.is_dir() {
            entries.push((rel, b'd', Vec::new()));
            collect(root, &path, entries)?;
        } else if kind.is_file() {
            entries.push((rel, b'f', ggen_fs::read(&path)?));
        } else {
            // Unpacking never creates anything else: its presence means tampering.
            entries.push((rel, b'o', Vec::new()));
        }
    }
    Ok(())
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
        let bytes = archive::pack_directory(dir, "p", &version).unwrap();
        let integrity = ggen_pack::integrity::sha256(&bytes);
        (bytes, integrity)
    }

    #[test]
    fn an_edited_unpacked_pack_is_unpacked_again() {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, integrity) = archive_of(&dir.path().join("src"));
        let cache = Cache::new(&dir.path().join("home"));
        let root = cache.unpacked(&integrity, "p.tar.gz", &bytes).unwrap();
        let template = root.join("templates/a.txt");
        assert_eq!(std::fs::read_to_string(&template).unwrap(), "a\n");
        std::fs::write(&template, "tampered\n").unwrap();
        let again = cache.unpacked(&integrity, "p.tar.gz", &bytes).unwrap();
        assert_eq!(
            std::fs::read_to_string(again.join("templates/a.txt")).unwrap(),
            "a\n"
        );
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
