//! A pack directory loaded from disk: its manifest and its files.

use std::path::{Path, PathBuf};

use crate::{Manifest, ManifestWarning, PackError};

/// A pack directory with its validated manifest.
#[derive(Debug, Clone)]
pub struct Pack {
    pub root: PathBuf,
    pub manifest: Manifest,
    pub warnings: Vec<ManifestWarning>,
}

/// One file of a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFile {
    /// Path relative to the templates root (for templates) or the pack root (for graph
    /// files), `/`-separated.
    pub rel_path: String,
    pub bytes: Vec<u8>,
}

impl Pack {
    /// Reads and validates `root/gpack.toml`.
    pub fn load(root: &Path) -> Result<Pack, PackError> {
        unimplemented!()
    }

    pub fn id(&self) -> &str {
        &self.manifest.pack.id
    }

    pub fn version(&self) -> &semver::Version {
        &self.manifest.pack.version
    }

    /// Every regular file under the templates root, sorted by `rel_path`. Hidden files and
    /// directories (`.github/`) are included. A symlink inside the pack that resolves to a
    /// file inside the pack is followed; one leaving the pack is an error naming it.
    /// A missing templates root yields no files.
    pub fn template_files(&self) -> Result<Vec<PackFile>, PackError> {
        unimplemented!()
    }

    /// The files matched by `[graph] files` globs, relative to the pack root, sorted and
    /// without duplicates. A glob without wildcards that matches nothing is an error.
    pub fn graph_files(&self) -> Result<Vec<PackFile>, PackError> {
        unimplemented!()
    }
}
