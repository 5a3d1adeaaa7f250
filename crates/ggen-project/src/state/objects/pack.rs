//! An object pack: many objects in one file, written at once, so a transaction that stores
//! thousands of merge bases creates one file instead of one per object (and the fan-out
//! directories they live in). Like git's packfiles, without deltas or compression.
//!
//! The format (integers little-endian):
//! - `GGENPACK`, then the format (`u32`, 1) and the number of objects (`u32`);
//! - one entry per object, sorted by hash: the raw sha256 (32 bytes), the offset of its
//!   bytes from the start of the file (`u64`) and their length (`u64`);
//! - the objects' bytes.
//!
//! Each object is verified against its hash when it is read, so the format carries no
//! checksum of its own; a file shorter than its index says (a write cut short) is no pack.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"GGENPACK";
const FORMAT: u32 = 1;
const HEADER: usize = 16;
const ENTRY: usize = 48;

/// The extension of pack files in `.ggen/objects/pack/`.
pub const EXTENSION: &str = "pack";

/// An object's raw sha256.
pub type Digest = [u8; 32];

/// Where one object's bytes are in its pack.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub digest: Digest,
    offset: u64,
    pub len: u64,
}

/// An open pack and its index.
#[derive(Debug)]
pub struct Pack {
    pub path: PathBuf,
    file: File,
    entries: Vec<Entry>,
}

impl Pack {
    /// Opens the pack at `path` and reads its index; `Ok(None)` when the file is not a whole
    /// pack (not one, another format, or cut short).
    pub fn open(path: &Path) -> io::Result<Option<Pack>> {
        let mut file = ggen_fs::open_regular(path)?;
        let size = file.metadata()?.len();
        let mut header = [0u8; HEADER];
        if size < HEADER as u64 || file.read_exact(&mut header).is_err() {
            return Ok(None);
        }
        let count = u32::from_le_bytes(header[12..16].try_into().unwrap_or_default()) as u64;
        let format = u32::from_le_bytes(header[8..12].try_into().unwrap_or_default());
        let index_end = HEADER as u64 + count * ENTRY as u64;
        if &header[..8] != MAGIC || format != FORMAT || index_end > size {
            return Ok(None);
        }
        let mut index = vec![0u8; (count as usize) * ENTRY];
        file.read_exact(&mut index)?;
        let mut entries = Vec::with_capacity(count as usize);
        for raw in index.chunks_exact(ENTRY) {
            let number =
                |at: usize| u64::from_le_bytes(raw[at..at + 8].try_into().unwrap_or_default());
            let entry = Entry {
                digest: raw[..32].try_into().unwrap_or_default(),
                offset: number(32),
                len: number(40),
            };
            let fits = entry.offset >= index_end
                && entry
                    .offset
                    .checked_add(entry.len)
                    .is_some_and(|end| end <= size);
            if !fits {
                return Ok(None);
            }
            entries.push(entry);
        }
        if !entries.is_sorted_by(|a, b| a.digest < b.digest) {
            return Ok(None);
        }
        Ok(Some(Pack {
            path: path.to_path_buf(),
            file,
            entries,
        }))
    }

    pub fn find(&self, digest: &Digest) -> Option<Entry> {
        let at = self
            .entries
            .binary_search_by(|entry| entry.digest.cmp(digest))
            .ok()?;
        Some(self.entries[at])
    }

    /// The bytes of the object at `entry` (not yet verified).
    pub fn read(&self, entry: Entry) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0u8; entry.len as usize];
        read_at(&self.file, &mut bytes, entry.offset)?;
        Ok(bytes)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut file = file.try_clone()?;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// The bytes of a pack holding `objects`, which must be sorted by digest without repeats,
/// and the pack's name: the hex sha256 of its sorted digests (the same objects, the same
/// name).
pub fn encode(objects: &[(Digest, &[u8])]) -> (String, Vec<u8>) {
    let index_end = HEADER + objects.len() * ENTRY;
    let data: usize = objects.iter().map(|(_, bytes)| bytes.len()).sum();
    let mut out = Vec::with_capacity(index_end + data);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(objects.len() as u32).to_le_bytes());
    let mut offset = index_end as u64;
    let mut digests = Vec::with_capacity(objects.len() * 32);
    for (digest, bytes) in objects {
        out.extend_from_slice(digest);
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        offset += bytes.len() as u64;
        digests.extend_from_slice(digest);
    }
    for (_, bytes) in objects {
        out.extend_from_slice(bytes);
    }
    let name = ggen_pack::integrity::sha256(&digests);
    let name = name.strip_prefix("sha256-").unwrap_or(&name).to_string();
    (name, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(text: &str) -> Digest {
        let hash = ggen_pack::integrity::sha256(text.as_bytes());
        hex::decode(&hash["sha256-".len()..])
            .unwrap()
            .try_into()
            .unwrap()
    }

    #[test]
    fn a_pack_gives_back_each_object_and_nothing_else() {
        let mut objects: Vec<(Digest, &[u8])> = ["one", "two", "three", ""]
            .iter()
            .map(|text| (digest(text), text.as_bytes()))
            .collect();
        objects.sort_by_key(|(digest, _)| *digest);
        let (name, bytes) = encode(&objects);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{name}.pack"));
        std::fs::write(&path, &bytes).unwrap();
        let pack = Pack::open(&path).unwrap().unwrap();
        for text in ["one", "two", "three", ""] {
            let entry = pack.find(&digest(text)).unwrap();
            assert_eq!(pack.read(entry).unwrap(), text.as_bytes());
        }
        assert!(pack.find(&digest("four")).is_none());
        assert_eq!(encode(&objects).0, name, "the same objects, the same name");
    }

    #[test]
    fn a_pack_cut_short_or_of_another_kind_is_no_pack() {
        let objects = [(digest("one"), "one".as_bytes())];
        let (_, bytes) = encode(&objects);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.pack");
        for broken in [
            &bytes[..bytes.len() - 1],
            &bytes[..20],
            &b"GGENPACX"[..],
            &[][..],
        ] {
            std::fs::write(&path, broken).unwrap();
            assert!(Pack::open(&path).unwrap().is_none(), "{broken:?}");
        }
    }
}
