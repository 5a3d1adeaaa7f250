//! `.ggen/objects/`: content-addressed copies of what ggen generated, the merge base of
//! later updates.

use std::path::PathBuf;

use ggen_fs::Durability;

use crate::ProjectError;

pub struct ObjectStore {
    dir: PathBuf,
}

impl ObjectStore {
    pub fn new(dir: PathBuf) -> ObjectStore {
        ObjectStore { dir }
    }

    /// Where the object with `hash` (`sha256-<hex>`) lives: `ab/cdef…`.
    pub fn path(&self, hash: &str) -> PathBuf {
        let hex = hash.strip_prefix("sha256-").unwrap_or(hash);
        let (head, tail) = hex.split_at(hex.len().min(2));
        self.dir.join(head).join(tail)
    }

    /// Stores `bytes`, whose hash the caller computed; existing objects are kept.
    pub fn put(&self, hash: &str, bytes: &[u8]) -> Result<(), ProjectError> {
        ggen_fs::write_new(&self.path(hash), bytes, Durability::Batch)?;
        Ok(())
    }

    /// The object's bytes, verified against its hash.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>, ProjectError> {
        let path = self.path(hash);
        let bytes = ggen_fs::read(&path)?;
        if ggen_pack::integrity::sha256(&bytes) != hash {
            return Err(ProjectError::CorruptObject { path });
        }
        Ok(bytes)
    }
}
