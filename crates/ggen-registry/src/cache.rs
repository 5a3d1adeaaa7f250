//! The download cache under `$GGEN_HOME`: unpacked packs keyed by archive integrity.

use std::path::{Path, PathBuf};

use ggen_pack::archive::{self, ArchiveLimits};

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

    /// The pack root of `bytes` unpacked in the cache, unpacking it on first use. The caller
    /// has verified `bytes` against `integrity`, which names the cache entry.
    pub fn unpacked(
        &self,
        integrity: &str,
        archive_name: &str,
        bytes: &[u8],
    ) -> Result<PathBuf, RegistryError> {
        let dest = self.root.join("packs").join(integrity);
        if let Some(root) = pack_root(&dest) {
            return Ok(root);
        }
        ggen_fs::create_dir_all(&self.root.join("packs"))?;
        // A concurrent ggen may unpack the same archive: the loser's rename fails, and the
        // winner's copy is identical, so take it.
        match archive::unpack(bytes, archive_name, &dest, &ArchiveLimits::default()) {
            Ok(root) => Ok(root),
            Err(err) => pack_root(&dest).ok_or(RegistryError::Pack(err)),
        }
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
