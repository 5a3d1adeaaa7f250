//! Publishing a pack directory into a registry directory (optionally signed), and yanking
//! or un-yanking a published version.

use std::fs::File;
use std::path::{Path, PathBuf};

use ggen_fs::Durability;
use ggen_pack::Pack;

use crate::index::{PackIndex, RootEntry, VersionEntry};
use crate::{Registry, RegistryError, SecretKey, Signature, time};

/// What `publish` added.
#[derive(Debug, Clone)]
pub struct Published {
    pub id: String,
    pub version: String,
    /// Absolute path of the archive written.
    pub archive: PathBuf,
    /// `sha256-<hex>`.
    pub integrity: String,
    pub signature: Option<Signature>,
    pub warnings: Vec<String>,
}

/// Packs `pack_dir` into a deterministic archive and adds it to `registry`, signed with
/// `sign_key` when given. A version already in the index is refused (versions are
/// immutable). Writes the archive first and the indexes last, each atomically, under an
/// exclusive lock on the registry.
pub fn publish(
    pack_dir: &Path,
    registry: &Registry,
    sign_key: Option<&SecretKey>,
) -> Result<Published, RegistryError> {
    let root = registry.dir("publishing")?.to_path_buf();
    // `packs/<id>` or `index/` made a link to elsewhere must not receive the archive.
    ggen_fs::confine_to(&root);
    let pack = Pack::load(pack_dir)?;
    let id = pack.id().to_string();
    let version = pack.version().clone();
    let bytes = ggen_pack::archive::pack_directory(&pack.root, &id, &version)?;
    let integrity = ggen_pack::integrity::sha256(&bytes);
    let sha256 = integrity.trim_start_matches("sha256-").to_string();
    let signature = sign_key
        .map(|key| key.sign(&id, &version.to_string(), &sha256))
        .transpose()?;

    let _lock = lock(&root)?;
    registry.forget(&id);
    let mut index = registry
        .pack_index_optional(&id)?
        .map(|index| index.as_ref().clone())
        .unwrap_or_else(|| PackIndex {
            id: id.clone(),
            versions: Vec::new(),
        });
    if index.entry(&version).is_some() {
        return Err(RegistryError::AlreadyPublished {
            id,
            version: version.to_string(),
            registry: root.display().to_string(),
        });
    }
    let relative = format!("packs/{id}/{id}-{version}.tar.gz");
    let archive = root.join(&relative);
    ggen_fs::write_atomic(&archive, &bytes, Durability::Sync)?;

    let manifest = &pack.manifest;
    index.versions.push(VersionEntry {
        version: version.to_string(),
        description: manifest.pack.description.clone(),
        archive: relative,
        sha256,
        dependencies: manifest
            .dependencies
            .iter()
            .map(|(dep, req)| (dep.clone(), req.to_string()))
            .collect(),
        yanked: false,
        published_at: time::now_rfc3339(),
        signature: signature.clone(),
    });
    index.versions.sort_by_key(VersionEntry::semver);
    write_indexes(registry, &root, &index)?;

    Ok(Published {
        id,
        version: version.to_string(),
        archive,
        integrity,
        signature,
        warnings: pack.warnings.iter().map(|w| w.to_string()).collect(),
    })
}

/// What `yank` did.
#[derive(Debug, Clone)]
pub struct Yanked {
    pub id: String,
    pub version: String,
    /// The state now.
    pub yanked: bool,
    /// False when the version was already in that state.
    pub changed: bool,
}

/// Marks `id@version` yanked (or, with `yanked == false`, not yanked) in a registry
/// directory. A yanked version stays downloadable for projects that lock it; new
/// resolutions skip it.
pub fn yank(
    registry: &Registry,
    id: &str,
    version: &semver::Version,
    yanked: bool,
) -> Result<Yanked, RegistryError> {
    let root = registry.dir("yanking")?.to_path_buf();
    ggen_fs::confine_to(&root);
    let _lock = lock(&root)?;
    registry.forget(id);
    let mut index = registry.pack_index(id)?.as_ref().clone();
    let entry = index
        .versions
        .iter_mut()
        .find(|e| e.semver().as_ref() == Some(version))
        .ok_or_else(|| RegistryError::UnknownVersion {
            id: id.to_string(),
            version: version.to_string(),
            registry: root.display().to_string(),
        })?;
    let changed = entry.yanked != yanked;
    entry.yanked = yanked;
    if changed {
        write_indexes(registry, &root, &index)?;
    }
    Ok(Yanked {
        id: id.to_string(),
        version: version.to_string(),
        yanked,
        changed,
    })
}

/// The registry's publish lock, held until the returned file is dropped.
fn lock(root: &Path) -> Result<File, RegistryError> {
    let lock_path = root.join(".publish.lock");
    let lock_file = File::create(&lock_path)
        .map_err(|e| ggen_fs::FsError::new("cannot create", &lock_path, e))?;
    lock_file
        .lock()
        .map_err(|e| ggen_fs::FsError::new("cannot lock", &lock_path, e))?;
    Ok(lock_file)
}

/// Writes `index/<id>.json`, then `index.json` with the pack's newest non-yanked version.
fn write_indexes(registry: &Registry, root: &Path, index: &PackIndex) -> Result<(), RegistryError> {
    write_json(&registry.pack_index_path(&index.id)?, index)?;
    registry.forget(&index.id);
    let mut root_index = registry.root_index()?;
    let newest = index.newest();
    let description = newest
        .or(index.versions.last())
        .map(|e| e.description.clone())
        .unwrap_or_default();
    root_index.packs.insert(
        index.id.clone(),
        RootEntry {
            description,
            newest: newest.map(|e| e.version.clone()),
        },
    );
    write_json(&root.join("index.json"), &root_index)
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), RegistryError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| RegistryError::Index {
        location: path.display().to_string(),
        message: e.to_string(),
    })?;
    text.push('\n');
    ggen_fs::write_atomic(path, text.as_bytes(), Durability::Sync)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Access;

    fn write_pack(dir: &Path, version: &str) {
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(
            dir.join("gpack.toml"),
            format!("[pack]\nid = \"p\"\nversion = \"{version}\"\ndescription = \"p {version}\"\n"),
        )
        .unwrap();
        std::fs::write(dir.join("templates/a.txt"), version).unwrap();
    }

    #[test]
    fn yanking_moves_newest_and_undo_restores_it() {
        let dir = tempfile::tempdir().unwrap();
        let access = Access::new(&dir.path().join("home"));
        let registry = Registry::create("reg", dir.path(), &access).unwrap();
        for version in ["1.0.0", "1.1.0"] {
            let pack = dir.path().join(version);
            write_pack(&pack, version);
            publish(&pack, &registry, None).unwrap();
        }
        let newest = || registry.root_index().unwrap().packs["p"].newest.clone();
        assert_eq!(newest().as_deref(), Some("1.1.0"));
        let v11 = semver::Version::new(1, 1, 0);
        assert!(yank(&registry, "p", &v11, true).unwrap().changed);
        assert_eq!(newest().as_deref(), Some("1.0.0"));
        assert!(!yank(&registry, "p", &v11, true).unwrap().changed);
        assert!(registry.pack_index("p").unwrap().versions[1].yanked);
        yank(&registry, "p", &v11, false).unwrap();
        assert_eq!(newest().as_deref(), Some("1.1.0"));
        let missing = yank(&registry, "p", &semver::Version::new(9, 0, 0), true);
        assert!(matches!(missing, Err(RegistryError::UnknownVersion { .. })));
    }
}
