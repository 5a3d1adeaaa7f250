//! Reading an untrusted `.tar.gz` into memory: entry by entry, every rule checked as we go,
//! and only a fully accepted archive handed back. Nothing is written to disk.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{self, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::mpsc;

use flate2::read::GzDecoder;

use super::{ArchiveLimits, entry_path};
use crate::PackError;

/// Below this much decompressed data the expansion ratio is not checked (see
/// [`ArchiveLimits::max_ratio`]).
const RATIO_FLOOR: u64 = 1 << 20;
/// Decompressed bytes allowed per entry beyond its data: its header, a GNU long-name or PAX
/// header, and padding to 512-byte blocks.
const OVERHEAD_PER_ENTRY: u64 = 3 * 512;
/// End-of-archive blocks and record padding (GNU tar pads to 10 KiB records).
const OVERHEAD_FIXED: u64 = 64 << 10;
/// The most an entry's declared size reserves before its data arrives.
const RESERVE_AT_MOST: u64 = 8 << 20;

/// Reads `bytes` into memory: the accepted files, each by its path in the archive, and the
/// directories the archive lists or implies. See [`super::read`] for the rules.
pub(crate) fn read(
    bytes: &[u8],
    archive: &str,
    limits: &ArchiveLimits,
) -> Result<InMemory, PackError> {
    let compressed = bytes.len() as u64;
    if compressed > limits.max_compressed_bytes {
        return Err(refusal(
            archive,
            format!(
                "it is {compressed} bytes, more than the limit of {} bytes",
                limits.max_compressed_bytes
            ),
        ));
    }
    let unpacker = Unpacker {
        archive,
        memory: RefCell::new(InMemory::default()),
        limits,
        meter: Rc::new(Meter::default()),
    };
    unpacker.extract(bytes)?;
    Ok(unpacker.memory.into_inner())
}

/// An archive's accepted entries, read into memory.
#[derive(Debug, Default)]
pub(crate) struct InMemory {
    /// File path (as in the archive, `/`-separated) → content and executable bit.
    pub(crate) files: BTreeMap<String, (Vec<u8>, bool)>,
    /// Every directory: listed in the archive or holding a file.
    pub(crate) dirs: BTreeSet<String>,
}

impl InMemory {
    /// Records a directory; false when a file is already there.
    fn add_dir(&mut self, rel: &str) -> bool {
        let mut ok = true;
        let mut at = rel;
        loop {
            ok &= !self.files.contains_key(at);
            self.dirs.insert(at.to_string());
            match at.rsplit_once('/') {
                Some((parent, _)) => at = parent,
                None => return ok,
            }
        }
    }
}

struct Unpacker<'a> {
    archive: &'a str,
    memory: RefCell<InMemory>,
    limits: &'a ArchiveLimits,
    meter: Rc<Meter>,
}

impl Unpacker<'_> {
    /// Inflates `bytes` on a thread of its own, a few chunks ahead, while this one parses
    /// and checks the entries: the two halves of reading a large pack side by side.
    fn extract(&self, bytes: &[u8]) -> Result<(), PackError> {
        std::thread::scope(|scope| {
            let inflated = Inflating::start(scope, bytes);
            self.extract_from(inflated, bytes.len() as u64)
        })
    }

    /// Reads the archive from `inflated`, the tar stream inflated from `compressed` bytes.
    fn extract_from(&self, inflated: impl Read, compressed: u64) -> Result<(), PackError> {
        let reader = Metered {
            inner: inflated,
            meter: Rc::clone(&self.meter),
            stream_cap: self
                .limits
                .max_unpacked_bytes
                .saturating_add(self.limits.max_entries.saturating_mul(OVERHEAD_PER_ENTRY))
                .saturating_add(OVERHEAD_FIXED),
            ratio_cap: compressed.saturating_mul(self.limits.max_ratio),
        };
        let mut tar = tar::Archive::new(reader);
        let mut entries = tar.entries().map_err(|err| self.stream_error(&err, None))?;
        let mut count: u64 = 0;
        let mut unpacked: u64 = 0;
        let mut seen = HashSet::new();
        let mut last: Option<String> = None;
        loop {
            let mut entry = match entries.next() {
                None => break,
                Some(Ok(entry)) => entry,
                Some(Err(err)) => return Err(self.stream_error(&err, last.as_deref())),
            };
            count += 1;
            if count > self.limits.max_entries {
                return Err(self.refuse(format!(
                    "it has more than {} entries",
                    self.limits.max_entries
                )));
            }
            let raw = entry.path_bytes().into_owned();
            let name = String::from_utf8_lossy(&raw).into_owned();
            last = Some(name.clone());
            let entry_type = entry.header().entry_type();
            match entry_type {
                tar::EntryType::Regular | tar::EntryType::Directory => {}
                // Archive-wide metadata (`git archive` writes one); nothing to create.
                tar::EntryType::XGlobalHeader => continue,
                other => {
                    return Err(self.refuse(format!(
                        "entry {name:?} is a {}; only regular files and directories are allowed",
                        describe(other)
                    )));
                }
            }
            let rel = entry_path::check(&raw)
                .map_err(|rule| self.refuse(format!("entry {name:?} {rule}")))?;
            if !seen.insert(rel.clone()) {
                return Err(self.refuse(format!("entry {name:?} appears twice")));
            }
            if entry_type == tar::EntryType::Directory {
                self.directory(&name, &rel)?;
                continue;
            }
            if raw.ends_with(b"/") {
                return Err(self.refuse(format!(
                    "entry {name:?} is a file whose name ends with \"/\""
                )));
            }
            let declared = entry.size();
            if unpacked.saturating_add(declared) > self.limits.max_unpacked_bytes {
                return Err(self.too_large(&name));
            }
            let executable = entry.header().mode().is_ok_and(|mode| mode & 0o111 != 0);
            let written =
                self.file(&mut entry, declared, &rel, &name, &mut unpacked, executable)?;
            if written != declared {
                return Err(self.refuse(format!(
                    "entry {name:?} is truncated ({written} of {declared} bytes)"
                )));
            }
        }
        // gzip checks its CRC and length only at the very end, after tar's end marker: read
        // to the end so a damaged archive is noticed rather than half trusted.
        let mut rest = tar.into_inner();
        io::copy(&mut rest, &mut io::sink())
            .map_err(|err| self.stream_error(&err, last.as_deref()))?;
        Ok(())
    }

    /// A directory entry.
    fn directory(&self, name: &str, rel: &Path) -> Result<(), PackError> {
        match self.memory.borrow_mut().add_dir(&slashed(rel)) {
            true => Ok(()),
            false => Err(self.collision(name)),
        }
    }

    /// A file entry of `declared` bytes (already within the unpacked-size limit): its data
    /// read into memory, and never more than the limit allows whatever the stream holds.
    /// Returns the bytes read.
    fn file(
        &self,
        entry: &mut impl Read,
        declared: u64,
        rel: &Path,
        name: &str,
        unpacked: &mut u64,
        executable: bool,
    ) -> Result<u64, PackError> {
        let rel = slashed(rel);
        let allowed = self.limits.max_unpacked_bytes.saturating_sub(*unpacked);
        // Room for the declared size at once, up to a bound: the size is the archive's word,
        // and a hostile one must not reserve a gigabyte before the stream proves it.
        let reserve = declared.min(allowed).min(RESERVE_AT_MOST);
        let mut bytes = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
        // One byte past what is allowed tells "too large" from "exactly at the limit".
        entry
            .take(allowed.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|err| self.stream_error(&err, Some(name)))?;
        *unpacked = unpacked.saturating_add(bytes.len() as u64);
        if *unpacked > self.limits.max_unpacked_bytes {
            return Err(self.too_large(name));
        }
        let mut memory = self.memory.borrow_mut();
        let clear = match rel.rsplit_once('/') {
            Some((parent, _)) => memory.add_dir(parent),
            None => true,
        };
        // `a` as a file, then `a/b`; or `a/b` as a directory, then as a file.
        if !clear || memory.dirs.contains(&rel) {
            return Err(self.collision(name));
        }
        let written = bytes.len() as u64;
        memory.files.insert(rel, (bytes, executable));
        Ok(written)
    }

    fn collision(&self, name: &str) -> PackError {
        self.refuse(format!("entry {name:?} collides with an earlier entry"))
    }

    fn refuse(&self, message: String) -> PackError {
        refusal(self.archive, message)
    }

    fn too_large(&self, name: &str) -> PackError {
        self.refuse(format!(
            "entry {name:?} makes the unpacked size exceed the limit of {} bytes",
            self.limits.max_unpacked_bytes
        ))
    }

    /// A read failure: one of our limits if the meter tripped, else a damaged archive.
    fn stream_error(&self, err: &io::Error, entry: Option<&str>) -> PackError {
        let at = entry.map_or_else(String::new, |name| format!(" (at entry {name:?})"));
        match self.meter.tripped.get() {
            Some(Trip::Size) => self.refuse(format!(
                "it unpacks to more than the limit of {} bytes{at}",
                self.limits.max_unpacked_bytes
            )),
            Some(Trip::Ratio) => self.refuse(format!(
                "it expands more than {}:1, the limit for its compressed size{at}",
                self.limits.max_ratio
            )),
            None => self.refuse(format!("it is truncated or not a valid .tar.gz{at}: {err}")),
        }
    }
}

#[derive(Clone, Copy)]
enum Trip {
    Size,
    Ratio,
}

/// Shared between the reader deep inside tar/gzip and the code that explains its errors.
#[derive(Default)]
struct Meter {
    decompressed: Cell<u64>,
    tripped: Cell<Option<Trip>>,
}

/// How much is inflated at a time, and how many such chunks may wait for the reader: the
/// inflating thread is never more than 256 KiB ahead of the limits the reader checks.
const CHUNK: usize = 64 << 10;
const CHUNKS_AHEAD: usize = 4;

/// The tar stream inside a `.tar.gz`, inflated on a scoped thread and handed over in chunks.
/// The thread stops at the end of the stream (after gzip's own check of its length and CRC),
/// at the first error (passed on to the reader), or as soon as the reader is dropped.
struct Inflating {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    at: usize,
}

impl Inflating {
    fn start<'scope>(scope: &'scope std::thread::Scope<'scope, '_>, bytes: &'scope [u8]) -> Self {
        let (sender, chunks) = mpsc::sync_channel(CHUNKS_AHEAD);
        scope.spawn(move || {
            let mut gzip = GzDecoder::new(bytes);
            loop {
                let mut chunk = Vec::with_capacity(CHUNK);
                let filled = (&mut gzip).take(CHUNK as u64).read_to_end(&mut chunk);
                let last = !matches!(filled, Ok(n) if n == CHUNK);
                let message = filled.map(|_| chunk);
                // A reader gone (done, or stopped at a refusal) ends the inflating too.
                if sender.send(message).is_err() || last {
                    break;
                }
            }
        });
        Inflating {
            chunks,
            current: Vec::new(),
            at: 0,
        }
    }
}

impl Read for Inflating {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.current.len() {
            match self.chunks.recv() {
                Ok(Ok(chunk)) if chunk.is_empty() => return Ok(0),
                Ok(Ok(chunk)) => {
                    self.current = chunk;
                    self.at = 0;
                }
                Ok(Err(err)) => return Err(err),
                // The stream ended (the thread sent its last chunk and left).
                Err(mpsc::RecvError) => return Ok(0),
            }
        }
        let n = (self.current.len() - self.at).min(buf.len());
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Counts every decompressed byte (headers included, which the entry sizes do not show) and
/// fails the stream as soon as a limit is passed, so a bomb is never fully inflated.
struct Metered<R> {
    inner: R,
    meter: Rc<Meter>,
    stream_cap: u64,
    ratio_cap: u64,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.meter.tripped.get().is_some() {
            return Err(io::Error::other("archive limit exceeded"));
        }
        let read = self.inner.read(buf)?;
        let total = self.meter.decompressed.get().saturating_add(read as u64);
        self.meter.decompressed.set(total);
        let trip = if total > self.stream_cap {
            Some(Trip::Size)
        } else if total > RATIO_FLOOR && total > self.ratio_cap {
            Some(Trip::Ratio)
        } else {
            None
        };
        if trip.is_some() {
            self.meter.tripped.set(trip);
            return Err(io::Error::other("archive limit exceeded"));
        }
        Ok(read)
    }
}

fn describe(entry_type: tar::EntryType) -> String {
    match entry_type {
        tar::EntryType::Symlink => "symlink".to_string(),
        tar::EntryType::Link => "hard link".to_string(),
        tar::EntryType::Char => "character device".to_string(),
        tar::EntryType::Block => "block device".to_string(),
        tar::EntryType::Fifo => "fifo".to_string(),
        tar::EntryType::GNUSparse => "sparse file".to_string(),
        tar::EntryType::Continuous => "contiguous file".to_string(),
        other => format!("entry of type {:?}", char::from(other.as_byte())),
    }
}

/// Why an archive holds no pack, from the names at its top level.
fn describe_top_level(names: Vec<String>) -> String {
    let shown: Vec<String> = names.iter().take(5).map(|n| format!("`{n}`")).collect();
    let listing = match names.len() {
        0 => "it is empty".to_string(),
        1 => format!("its only top-level entry {} has no gpack.toml", shown[0]),
        n => format!(
            "it has {n} top-level entries ({}{}) and no gpack.toml at its root",
            shown.join(", "),
            if n > 5 { ", …" } else { "" }
        ),
    };
    format!(
        "no manifest: {listing}; a pack archive holds gpack.toml at its root or in its one \
         top-level directory"
    )
}

/// A checked entry path (plain components only) as `/`-separated text.
fn slashed(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Why an archive read into memory holds no pack: what its top level has instead.
pub(crate) fn no_manifest_in(memory: &InMemory) -> String {
    let top: BTreeSet<&str> = memory
        .files
        .keys()
        .chain(&memory.dirs)
        .map(|p| p.split('/').next().unwrap_or(p))
        .collect();
    describe_top_level(top.into_iter().map(str::to_string).collect())
}

fn refusal(archive: &str, message: String) -> PackError {
    PackError::Archive {
        archive: archive.to_string(),
        message,
    }
}
