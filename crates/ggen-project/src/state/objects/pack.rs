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
/// No pack holds more objects ([`super::ObjectStore::store_all`] splits a batch there); a
/// larger count is no pack (and never makes ggen allocate a huge index).
pub const MAX_OBJECTS: u64 = 1 << 20;

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
    damaged: bool,
}

impl Pack {
    /// Opens the pack at `path` and reads its index; `Ok(None)` when the file is not a pack
    /// at all (not one, another format, an index longer than the file: cut short). An entry
    /// pointing outside the file is left out and the pack marked [`Pack::damaged`]; the
    /// other objects stay readable.
    pub fn open(path: &Path) -> io::Result<Option<Pack>> {
        let mut file = ggen_fs::open_regular(path)?;
        let size = file.metadata()?.len();
        let mut header = [0u8; HEADER];
        if size < HEADER as u64 || file.read_exact(&mut header).is_err() {
            return Ok(None);
        }
        let number32 =
            |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().unwrap_or_default());
        let (format, count) = (number32(8), u64::from(number32(12)));
        let index_end = HEADER as u64 + count * ENTRY as u64;
        if &header[..8] != MAGIC || format != FORMAT || index_end > size || count > MAX_OBJECTS {
            return Ok(None);
        }
        let mut index = vec![0u8; (count as usize) * ENTRY];
        match file.read_exact(&mut index) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let mut entries = Vec::with_capacity(count as usize);
        let mut damaged = false;
        for raw in index.chunks_exact(ENTRY) {
            let number =
                |at: usize| u64::from_le_bytes(raw[at..at + 8].try_into().unwrap_or_default());
            let entry = Entry {
                digest: raw[..32].try_into().unwrap_or_default(),
                offset: number(32),
                len: number(40),
            };
            let fits = entry.offset >= index_end
                && entry.len <= ggen_fs::MAX_READ_BYTES
                && entry
                    .offset
                    .checked_add(entry.len)
                    .is_some_and(|end| end <= size);
            if fits {
                entries.push(entry);
            } else {
                damaged = true;
            }
        }
        if !entries.is_sorted_by(|a, b| a.digest < b.digest) {
            damaged = true;
            entries.sort_by_key(|entry| entry.digest);
            entries.dedup_by_key(|entry| entry.digest);
        }
        Ok(Some(Pack {
            path: path.to_path_buf(),
            file,
            entries,
            damaged,
        }))
    }

    /// Whether some of the index was unusable (damage after the pack was written): such a
    /// pack is read but never rewritten or removed.
    pub fn damaged(&self) -> bool {
        self.damaged
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
    fn an_entry_pointing_outside_the_file_hides_only_that_object() {
        let mut objects: Vec<(Digest, &[u8])> = ["one", "two"]
            .iter()
            .map(|text| (digest(text), text.as_bytes()))
            .collect();
        objects.sort_by_key(|(digest, _)| *digest);
        let (_, mut bytes) = encode(&objects);
        // The first entry's length, far past the end.
        bytes[HEADER + 40..HEADER + 48].copy_from_slice(&u64::MAX.to_le_bytes());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.pack");
        std::fs::write(&path, &bytes).unwrap();
        let pack = Pack::open(&path).unwrap().unwrap();
        assert!(pack.damaged());
        assert!(pack.find(&objects[0].0).is_none());
        let entry = pack.find(&objects[1].0).unwrap();
        assert_eq!(pack.read(entry).unwrap(), objects[1].1);
    }

    #[test]
    fn a_pack_cut_short_or_of_another_kind_is_no_pack() {
        let objects = [(digest("one"), "one".as_bytes())];
        let (_, bytes) = encode(&objects);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.pack");
        for broken in [&bytes[..20], &b"GGENPACX"[..], &[][..]] {
            std::fs::write(&path, broken).unwrap();
            assert!(Pack::open(&path).unwrap().is_none(), "{broken:?}");
        }
        // The index whole, the data cut short: the object it lost is not offered.
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        let pack = Pack::open(&path).unwrap().unwrap();
        assert!(pack.damaged() && pack.find(&objects[0].0).is_none());
    }
}
