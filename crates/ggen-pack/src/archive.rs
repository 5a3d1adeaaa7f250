//! Pack archives: a deterministic `.tar.gz` of a pack directory, and safe unpacking.

use std::path::{Path, PathBuf};

use crate::PackError;

/// Bounds that keep a hostile archive from exhausting the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    pub max_compressed_bytes: u64,
    pub max_unpacked_bytes: u64,
    pub max_entries: u64,
    /// Unpacked size / compressed size.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_compressed_bytes: 256 << 20,
            max_unpacked_bytes: 1 << 30,
            max_entries: 100_000,
            max_ratio: 200,
        }
    }
}

/// A deterministic `.tar.gz` of the pack at `root`: entries sorted, under a top directory
/// `<id>-<version>/`, mtime 0, uid/gid 0, modes 0644/0755, gzip header without time or name.
/// The same tree always gives the same bytes. `.git/` and `target/` are left out.
pub fn pack_directory(root: &Path, id: &str, version: &semver::Version) -> Result<Vec<u8>, PackError> {
    unimplemented!()
}

/// Unpacks `bytes` (named `archive` in messages) into the new directory `dest`, which must not
/// exist yet, and returns the pack root inside it (the single top directory holding
/// `gpack.toml`, or `dest` itself). Refuses, before `dest` exists, absolute paths, `..`,
/// symlinks and hard links, device files and fifos, and anything beyond `limits`.
pub fn unpack(bytes: &[u8], archive: &str, dest: &Path, limits: &ArchiveLimits) -> Result<PathBuf, PackError> {
    unimplemented!()
}
