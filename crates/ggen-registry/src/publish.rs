//! Publishing a pack directory into a registry directory.

use std::fs::File;
use std::path::{Path, PathBuf};

use ggen_fs::Durability;
use ggen_pack::Pack;

use crate::index::{PackIndex, RootEntry, VersionEntry};
use crate::{Registry, RegistryError, time};

/// What `publish` added.
#[derive(Debug, Clone)]
pub struct Published {
    pub id: String,
    pub version: String,
    /// Absolute path of the archive written.
    pub archive: PathBuf,
    /// `sha256-<hex>`.
    pub integrity: String,
    pub warnings: Vec<String>,
}

/// Packs `pack_dir` into a deterministic archive and adds it to `registry`. A version already
/// in the index is refused (versions are immutable). Writes the archive first and the indexes
/// last, each atomically, under an exclusive lock on the registry.
pub fn publish(pack_dir: &Path, registry: &Registry) -> Result<Published, RegistryError> {
    let pack = Pack::load(pack_dir)?;
    let id = pack.id().to_string();
    let version = pack.version().clone();
    let bytes = ggen_pack::archive::pack_directory(&pack.root, &id, &version)?;
    let integrity = ggen_pack::integrity::sha256(&bytes);

    let lock_path = registry.root().join(".publish.lock");
    let lock_file = File::create(&lock_path)
        .map_err(|e| ggen_fs::FsError::new("cannot create", &lock_path, e))?;
    lock_file
        .lock()
        .map_err(|e| ggen_fs::FsError::new("cannot lock", &lock_path, e))?;

    let mut index = registry
        .pack_index_optional(&id)?
        .unwrap_or_else(|| PackIndex {
            id: id.clone(),
            versions: Vec::new(),
        });
    if index
        .versions
        .iter()
        .any(|e| e.semver().as_ref() == Some(&version))
    {
        return Err(RegistryError::AlreadyPublished {
            id,
            version: version.to_string(),
            registry: registry.root().display().to_string(),
        });
    }
    let relative = format!("packs/{id}/{id}-{version}.tar.gz");
    let archive = registry.root().join(&relative);
    ggen_fs::write_atomic(&archive, &bytes, Durability::Sync)?;

    let manifest = &pack.manifest;
    index.versions.push(VersionEntry {
        version: version.to_string(),
        description: manifest.pack.description.clone(),
        archive: relative,
        sha256: integrity.trim_start_matches("sha256-").to_string(),
        dependencies: manifest
            .dependencies
            .iter()
            .map(|(dep, req)| (dep.clone(), req.to_string()))
            .collect(),
        yanked: false,
        published_at: time::now_rfc3339(),
        signature: None,
    });
    index.versions.sort_by_key(VersionEntry::semver);
    write_json(&registry.pack_index_path(&id), &index)?;

    let mut root = registry.root_index()?;
    let newest = index.newest().map(|e| e.version.clone());
    let description = index
        .newest()
        .map(|e| e.description.clone())
        .unwrap_or_else(|| manifest.pack.description.clone());
    root.packs.insert(
        id.clone(),
        RootEntry {
            description,
            newest,
        },
    );
    write_json(&registry.root().join("index.json"), &root)?;

    Ok(Published {
        id,
        version: version.to_string(),
        archive,
        integrity,
        warnings: pack.warnings.iter().map(|w| w.to_string()).collect(),
    })
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), RegistryError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| RegistryError::Index {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    text.push('\n');
    ggen_fs::write_atomic(path, text.as_bytes(), Durability::Sync)?;
    Ok(())
}
