//! `.ggen/objects/`: content-addressed copies of what ggen generated (the merge base of later
//! updates) and of the states a transaction may have to restore. An object lives loose
//! (`ab/cdef…`, one file) or in a [`pack`] (`pack/<name>.pack`, many objects in one file):
//! a batch of objects is written as packs, a lone object loose; both are read alike.

pub mod pack;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use ggen_fs::Durability;
use rayon::prelude::*;

use crate::ProjectError;
use pack::{Digest, Pack};

/// The directory of the packs inside the store.
pub const PACK_DIR: &str = "pack";

/// A pack is written with at most this many bytes of objects (and [`pack::MAX_OBJECTS`]
/// objects); a larger batch is split, so writing one holds no more than this in memory
/// besides the objects themselves.
const PACK_BYTES: usize = 32 << 20;

/// A store lives for one command or transaction: it holds its directories open while it
/// writes ([`ggen_fs::DirHandles`]), so each `ab/` is opened once, not once per object, and it
/// reads the packs' indexes once, when an object is first looked up.
pub struct ObjectStore {
    dir: PathBuf,
    handles: ggen_fs::DirHandles,
    packs: RwLock<Option<Vec<Arc<Pack>>>>,
    /// The fan-out directories (`ab`) of loose objects, listed on first use and kept up to
    /// date by [`ObjectStore::write`]: an object whose directory is not there is not loose,
    /// without a `stat` to ask.
    heads: RwLock<Option<HashSet<String>>>,
}

impl ObjectStore {
    pub fn new(dir: PathBuf) -> ObjectStore {
        ObjectStore {
            dir,
            handles: ggen_fs::DirHandles::new(),
            packs: RwLock::new(None),
            heads: RwLock::new(None),
        }
    }

    /// Where the object with `hash` (`sha256-<hex>`) lives when it is loose: `ab/cdef…`.
    pub fn path(&self, hash: &str) -> PathBuf {
        let hex = hash.strip_prefix("sha256-").unwrap_or(hash);
        let (head, tail) = hex.split_at(hex.len().min(2));
        self.dir.join(head).join(tail)
    }

    fn pack_dir(&self) -> PathBuf {
        self.dir.join(PACK_DIR)
    }

    /// Writes `bytes`, whose hash the caller computed, as a loose object (replacing whatever
    /// is there); durability is the caller's barrier.
    pub fn write(&self, hash: &str, bytes: &[u8]) -> Result<(), ProjectError> {
        self.handles
            .write_file(&self.path(hash), bytes, Durability::Batch, None)?;
        let mut heads = self.heads.write().unwrap_or_else(|e| e.into_inner());
        if let (Some(heads), Some(head)) = (heads.as_mut(), head_of(hash)) {
            heads.insert(head.to_string());
        }
        Ok(())
    }

    /// Stores each of `objects` (hash, bytes) that the store does not hold yet with that
    /// size (an object whose write never reached the disk is written again): more than one
    /// as packs, one loose. Durability is the caller's barrier.
    pub fn store_all(&self, objects: &[(&str, &[u8])]) -> Result<(), ProjectError> {
        let mut missing: Vec<(Digest, &str, &[u8])> = Vec::new();
        for (hash, bytes) in objects {
            if !self.holds(hash, bytes.len() as u64)? {
                missing.push((digest(hash)?, hash, bytes));
            }
        }
        missing.sort_by_key(|(digest, _, _)| *digest);
        missing.dedup_by_key(|(digest, _, _)| *digest);
        if let [(_, hash, bytes)] = missing.as_slice() {
            return self.write(hash, bytes);
        }
        let mut batches: Vec<Vec<(Digest, &[u8])>> = Vec::new();
        let mut size = 0;
        for (digest, _, bytes) in missing {
            match batches.last_mut() {
                Some(batch)
                    if size + bytes.len() <= PACK_BYTES
                        && (batch.len() as u64) < pack::MAX_OBJECTS =>
                {
                    batch.push((digest, bytes))
                }
                _ => {
                    batches.push(vec![(digest, bytes)]);
                    size = 0;
                }
            }
            size += bytes.len();
        }
        batches
            .par_iter()
            .try_for_each(|batch| self.write_pack(batch, Durability::Batch))
    }

    fn write_pack(
        &self,
        objects: &[(Digest, &[u8])],
        durability: Durability,
    ) -> Result<(), ProjectError> {
        let (name, bytes) = pack::encode(objects);
        let path = self.pack_dir().join(format!("{name}.{}", pack::EXTENSION));
        self.handles.write_file(&path, &bytes, durability, None)?;
        let mut packs = self.packs.write().unwrap_or_else(|e| e.into_inner());
        if let Some(packs) = packs.as_mut() {
            let opened = Pack::open(&path).map_err(|e| read_error(&path, e))?;
            packs.retain(|p| p.path != path);
            packs.extend(opened.map(Arc::new));
        }
        Ok(())
    }

    /// The packs, their indexes read on first use (once, under the lock). A file that is no
    /// pack at all is left out; a pack that cannot be read is an error, never taken for
    /// absent (garbage collection must not mistake an unreadable pack for no objects).
    fn packs(&self) -> Result<Vec<Arc<Pack>>, ProjectError> {
        if let Some(packs) = self
            .packs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            return Ok(packs.clone());
        }
        let mut packs = self.packs.write().unwrap_or_else(|e| e.into_inner());
        if let Some(packs) = packs.as_ref() {
            return Ok(packs.clone());
        }
        let mut loaded = Vec::new();
        for path in pack_files(&self.pack_dir())? {
            if let Some(pack) = Pack::open(&path).map_err(|e| read_error(&path, e))? {
                loaded.push(Arc::new(pack));
            }
        }
        Ok(packs.insert(loaded).clone())
    }

    /// Every copy of the object with `hash` the packs hold, in pack order.
    fn in_packs(&self, hash: &str) -> Result<Vec<(Arc<Pack>, pack::Entry)>, ProjectError> {
        let digest = digest(hash)?;
        Ok(self
            .packs()?
            .into_iter()
            .filter_map(|pack| pack.find(&digest).map(|entry| (pack, entry)))
            .collect())
    }

    /// Whether the object with `hash` may be loose: its fan-out directory exists.
    fn may_be_loose(&self, hash: &str) -> bool {
        let Some(head) = head_of(hash) else {
            return false;
        };
        if let Some(heads) = self
            .heads
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            return heads.contains(head);
        }
        // Listed under the lock, so a loose write meanwhile cannot be missed.
        let mut heads = self.heads.write().unwrap_or_else(|e| e.into_inner());
        heads
            .get_or_insert_with(|| {
                std::fs::read_dir(&self.dir)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| name.len() == 2)
                    .collect()
            })
            .contains(head)
    }

    /// Whether the store holds the object with `hash` and `size` bytes (an object whose
    /// write never reached the disk has another size: it is written again).
    pub(crate) fn holds(&self, hash: &str, size: u64) -> Result<bool, ProjectError> {
        if self
            .in_packs(hash)?
            .iter()
            .any(|(_, entry)| entry.len == size)
        {
            return Ok(true);
        }
        Ok(self.may_be_loose(hash)
            && std::fs::metadata(self.path(hash))
                .is_ok_and(|meta| meta.is_file() && meta.len() == size))
    }

    /// Whether the store holds the object with `hash`.
    pub fn contains(&self, hash: &str) -> Result<bool, ProjectError> {
        Ok(!self.in_packs(hash)?.is_empty()
            || (self.may_be_loose(hash) && self.path(hash).is_file()))
    }

    /// The object's bytes, verified against its hash: the first copy that verifies, packed
    /// or loose (a damaged copy does not hide a good one written since).
    pub fn get(&self, hash: &str) -> Result<Vec<u8>, ProjectError> {
        let mut damaged = None;
        for (pack, entry) in self.in_packs(hash)? {
            let bytes = pack.read(entry).map_err(|e| read_error(&pack.path, e))?;
            if ggen_pack::integrity::sha256(&bytes) == hash {
                return Ok(bytes);
            }
            damaged.get_or_insert(pack.path.clone());
        }
        let path = self.path(hash);
        match ggen_fs::read_optional(&path)? {
            Some(bytes) if ggen_pack::integrity::sha256(&bytes) == hash => Ok(bytes),
            Some(_) => Err(ProjectError::CorruptObject { path }),
            None => match damaged {
                Some(path) => Err(ProjectError::CorruptObject { path }),
                None => Err(ggen_fs::FsError::new(
                    "cannot read",
                    &path,
                    std::io::Error::from(std::io::ErrorKind::NotFound),
                )
                .into()),
            },
        }
    }

    /// The object with `hash` parsed by `parse` (a history entry's copy of `ggen.lock` or the
    /// snapshot: `Lockfile::parse`, `Snapshot::parse`); `None` when the store does not hold it.
    pub fn load<T>(
        &self,
        hash: &str,
        parse: impl FnOnce(&[u8], &Path) -> Result<T, ProjectError>,
    ) -> Result<Option<T>, ProjectError> {
        match self.get_optional(hash)? {
            Some(bytes) => parse(&bytes, &self.path(hash)).map(Some),
            None => Ok(None),
        }
    }

    /// [`ObjectStore::get`], `None` when the store does not hold the object.
    pub fn get_optional(&self, hash: &str) -> Result<Option<Vec<u8>>, ProjectError> {
        match self.contains(hash)? {
            true => self.get(hash).map(Some),
            false => Ok(None),
        }
    }

    /// Removes every object not in `keep` and every temporary file; returns how many objects
    /// went. A pack none of whose objects are kept is removed; one with fewer than half kept
    /// is written again with only those (durably, before the old one goes); otherwise it
    /// stays whole. The caller holds the project lock.
    pub fn collect(&self, keep: &HashSet<String>) -> Result<usize, ProjectError> {
        let mut removed = 0;
        let Ok(heads) = std::fs::read_dir(&self.dir) else {
            return Ok(0);
        };
        for head in heads.filter_map(|e| e.ok()) {
            let head_name = head.file_name().to_string_lossy().into_owned();
            if head.path() == self.pack_dir() {
                continue;
            }
            let Ok(objects) = std::fs::read_dir(head.path()) else {
                continue;
            };
            for object in objects.filter_map(|e| e.ok()) {
                let name = object.file_name().to_string_lossy().into_owned();
                let hash = format!("sha256-{head_name}{name}");
                if ggen_fs::is_temporary(&name) || !keep.contains(&hash) {
                    ggen_fs::remove_file(&object.path())?;
                    removed += 1;
                }
            }
        }
        if let Ok(entries) = std::fs::read_dir(self.pack_dir()) {
            for entry in entries.filter_map(|e| e.ok()) {
                if ggen_fs::is_temporary(&entry.file_name().to_string_lossy()) {
                    ggen_fs::remove_file(&entry.path())?;
                }
            }
        }
        for path in pack_files(&self.pack_dir())? {
            removed += self.collect_pack(&path, keep)?;
        }
        *self.packs.write().unwrap_or_else(|e| e.into_inner()) = None;
        *self.heads.write().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(removed)
    }

    fn collect_pack(&self, path: &Path, keep: &HashSet<String>) -> Result<usize, ProjectError> {
        let Some(pack) = Pack::open(path).map_err(|e| read_error(path, e))? else {
            // No pack at all: kept aside under another name, never read again, for whoever
            // looks into the damage (a write cut short before its barrier looks the same).
            let aside = path.with_extension(format!("{}.damaged", pack::EXTENSION));
            std::fs::rename(path, &aside)
                .map_err(|e| ggen_fs::FsError::new("cannot rename", path, e))?;
            return Ok(0);
        };
        if pack.damaged() {
            // Part of its index is unusable: left as it is.
            return Ok(0);
        }
        let entries = pack.entries();
        let kept: Vec<pack::Entry> = entries
            .iter()
            .filter(|entry| keep.contains(&hash_of(&entry.digest)))
            .copied()
            .collect();
        if kept.len() * 2 >= entries.len() && !kept.is_empty() {
            return Ok(0);
        }
        if !kept.is_empty() {
            let mut objects = Vec::with_capacity(kept.len());
            for entry in &kept {
                let bytes = pack.read(*entry).map_err(|e| read_error(path, e))?;
                if ggen_pack::integrity::sha256(&bytes) != hash_of(&entry.digest) {
                    // A damaged object: the pack stays as it is.
                    return Ok(0);
                }
                objects.push((entry.digest, bytes));
            }
            let borrowed: Vec<(Digest, &[u8])> =
                objects.iter().map(|(d, b)| (*d, b.as_slice())).collect();
            // The kept objects are durable in their new pack before the old one goes.
            self.write_pack(&borrowed, Durability::Sync)?;
        }
        ggen_fs::remove_file(path)?;
        Ok(entries.len() - kept.len())
    }
}

fn read_error(path: &Path, e: std::io::Error) -> ProjectError {
    ggen_fs::FsError::new("cannot read", path, e).into()
}

/// The pack files in `dir`, sorted (temporary files and anything not a file left out).
fn pack_files(dir: &Path) -> Result<Vec<PathBuf>, ProjectError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(read_error(dir, e)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| read_error(dir, e))?;
        let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
        let path = entry.path();
        if is_file
            && !ggen_fs::is_temporary(&entry.file_name().to_string_lossy())
            && path.extension().is_some_and(|x| x == pack::EXTENSION)
        {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// The fan-out directory name of a loose object: the first two hex digits.
fn head_of(hash: &str) -> Option<&str> {
    hash.strip_prefix("sha256-").unwrap_or(hash).get(..2)
}

/// The raw sha256 of an object hash (`sha256-<hex>`).
fn digest(hash: &str) -> Result<Digest, ProjectError> {
    let hex = hash.strip_prefix("sha256-").unwrap_or(hash);
    let mut digest = [0u8; 32];
    hex::decode_to_slice(hex, &mut digest).map_err(|_| ProjectError::Internal {
        message: format!("`{hash}` is not an object hash"),
    })?;
    Ok(digest)
}

fn hash_of(digest: &Digest) -> String {
    format!("sha256-{}", hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(text: &str) -> String {
        ggen_pack::integrity::sha256(text.as_bytes())
    }

    fn store_of(texts: &[&str]) -> (tempfile::TempDir, ObjectStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = ObjectStore::new(dir.path().join("objects"));
        let hashes: Vec<String> = texts.iter().map(|t| sha(t)).collect();
        let objects: Vec<(&str, &[u8])> = hashes
            .iter()
            .zip(texts)
            .map(|(h, t)| (h.as_str(), t.as_bytes()))
            .collect();
        store.store_all(&objects).unwrap();
        (dir, store)
    }

    fn files_in(dir: &Path) -> usize {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .count()
    }

    #[test]
    fn a_batch_is_one_pack_and_a_lone_object_is_loose() {
        let (dir, store) = store_of(&["a", "b", "c", "b"]);
        assert_eq!(files_in(&dir.path().join("objects")), 1, "one pack");
        for text in ["a", "b", "c"] {
            assert_eq!(store.get(&sha(text)).unwrap(), text.as_bytes());
        }
        // Already held: nothing more is written.
        store
            .store_all(&[(&sha("a"), b"a"), (&sha("c"), b"c")])
            .unwrap();
        assert_eq!(files_in(&dir.path().join("objects")), 1);
        store.store_all(&[(&sha("d"), b"d")]).unwrap();
        assert!(store.path(&sha("d")).is_file(), "a lone object is loose");
        // A fresh store (the next command) reads both forms.
        let again = ObjectStore::new(dir.path().join("objects"));
        assert!(again.contains(&sha("b")).unwrap() && again.contains(&sha("d")).unwrap());
        assert_eq!(again.get_optional(&sha("e")).unwrap(), None);
    }

    #[test]
    fn collecting_removes_unkept_objects_and_repacks_a_mostly_dead_pack() {
        let (dir, store) = store_of(&["a", "b", "c", "d"]);
        store.store_all(&[(&sha("loose"), b"loose")]).unwrap();
        // Three of four kept: the pack stays whole.
        let keep: HashSet<String> = ["a", "b", "c"].iter().map(|t| sha(t)).collect();
        assert_eq!(store.collect(&keep).unwrap(), 1, "the loose object went");
        assert!(
            store.contains(&sha("d")).unwrap(),
            "a mostly live pack is kept whole"
        );
        // One of four kept: written again with it alone.
        let keep: HashSet<String> = [sha("b")].into_iter().collect();
        assert_eq!(store.collect(&keep).unwrap(), 3);
        assert_eq!(store.get(&sha("b")).unwrap(), b"b");
        assert!(!store.contains(&sha("a")).unwrap());
        assert_eq!(files_in(&dir.path().join("objects")), 1);
        // None kept: nothing left.
        store.collect(&HashSet::new()).unwrap();
        assert_eq!(files_in(&dir.path().join("objects")), 0);
    }

    /// Flips the last byte of the first pack under `dir` (the last object's bytes).
    fn damage_last_object(dir: &Path) -> PathBuf {
        let pack = pack_files(&dir.join("objects/pack")).unwrap().remove(0);
        let mut bytes = std::fs::read(&pack).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&pack, bytes).unwrap();
        pack
    }

    #[test]
    fn a_damaged_packed_object_is_reported_and_a_good_copy_found_instead() {
        let (dir, _) = store_of(&["alpha", "beta"]);
        damage_last_object(dir.path());
        let fresh = ObjectStore::new(dir.path().join("objects"));
        let damaged = ["alpha", "beta"]
            .into_iter()
            .find(|text| fresh.get(&sha(text)).is_err())
            .unwrap();
        assert!(matches!(
            fresh.get(&sha(damaged)),
            Err(ProjectError::CorruptObject { .. })
        ));
        // A good copy written since (loose, say) is the one read.
        fresh.write(&sha(damaged), damaged.as_bytes()).unwrap();
        assert_eq!(fresh.get(&sha(damaged)).unwrap(), damaged.as_bytes());
    }

    #[test]
    fn collecting_never_removes_what_it_cannot_read_whole() {
        let (dir, store) = store_of(&["alpha", "beta"]);
        let pack = damage_last_object(dir.path());
        // A damaged object is not copied into a smaller pack: the pack stays as it is.
        let keep: HashSet<String> = [sha("alpha"), sha("beta")].into_iter().take(1).collect();
        store.collect(&keep).unwrap();
        assert!(pack.is_file());
        // A file that is no pack at all is put aside, not deleted.
        std::fs::write(&pack, b"GGENPACK but cut short").unwrap();
        store.collect(&HashSet::new()).unwrap();
        assert!(!pack.is_file());
        assert!(pack.with_extension("pack.damaged").is_file());
    }
}
