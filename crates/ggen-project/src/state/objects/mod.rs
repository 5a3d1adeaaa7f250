//! `.ggen/objects/`: content-addressed copies of what ggen generated, the merge base of
//! later updates.

use std::path::PathBuf;

use ggen_fs::Durability;

use crate::ProjectError;

/// A store lives for one command or transaction: it holds its directories open while it
/// writes ([`ggen_fs::DirHandles`]), so each `ab/` is opened once, not once per object.
pub struct ObjectStore {
    dir: PathBuf,
    handles: ggen_fs::DirHandles,
}

impl ObjectStore {
    pub fn new(dir: PathBuf) -> ObjectStore {
        ObjectStore {
            dir,
            handles: ggen_fs::DirHandles::new(),
        }
    }

    /// Where the object with `hash` (`sha256-<hex>`) lives: `ab/cdef…`.
    pub fn path(&self, hash: &str) -> PathBuf {
        let hex = hash.strip_prefix("sha256-").unwrap_or(hash);
        let (head, tail) = hex.split_at(hex.len().min(2));
        self.dir.join(head).join(tail)
    }

    /// Writes `bytes`, whose hash the caller computed, as the object (replacing whatever is
    /// there); durability is the caller's barrier.
    pub fn write(&self, hash: &str, bytes: &[u8]) -> Result<(), ProjectError> {
        self.handles
            .write_file(&self.path(hash), bytes, Durability::Batch, None)?;
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
