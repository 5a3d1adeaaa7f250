//! Unpacking an untrusted `.tar.gz`: entry by entry into a private staging directory, every
//! rule checked as we go, and only a fully accepted archive renamed into place.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

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

pub(super) fn unpack(
    bytes: &[u8],
    archive: &str,
    dest: &Path,
    limits: &ArchiveLimits,
) -> Result<PathBuf, PackError> {
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
    match fs::symlink_metadata(dest) {
        Ok(_) => {
            return Err(PackError::Io {
                path: dest.to_path_buf(),
                source: io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "the destination of an unpacked archive must not exist yet",
                ),
            });
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(PackError::Io {
                path: dest.to_path_buf(),
                source,
            });
        }
    }
    let parent = match dest.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent).map_err(|source| io_error(parent, source))?;
    // Same directory as `dest`, hence the same filesystem: the final rename is atomic. The
    // staging directory is removed on every early return, so a refusal leaves nothing.
    let staging = tempfile::Builder::new()
        .prefix(".ggen-unpack-")
        .tempdir_in(parent)
        .map_err(|source| io_error(parent, source))?;

    let unpacker = Unpacker {
        archive,
        staging: staging.path(),
        dest,
        limits,
        meter: Rc::new(Meter::default()),
    };
    unpacker.extract(bytes)?;
    let root_name = single_pack_dir(staging.path()).map_err(|source| io_error(dest, source))?;
    if root_name.is_none() && !staging.path().join("gpack.toml").is_file() {
        return Err(PackError::Archive {
            archive: archive.to_string(),
            message: no_manifest(staging.path()),
        });
    }
    make_shared(staging.path()).map_err(|source| io_error(dest, source))?;

    let staged = staging.keep();
    if let Err(source) = fs::rename(&staged, dest) {
        // Best effort: the error about `dest` is the one worth reporting.
        let _ = fs::remove_dir_all(&staged);
        return Err(io_error(dest, source));
    }
    Ok(match root_name {
        Some(name) => dest.join(name),
        None => dest.to_path_buf(),
    })
}

struct Unpacker<'a> {
    archive: &'a str,
    staging: &'a Path,
    dest: &'a Path,
    limits: &'a ArchiveLimits,
    meter: Rc<Meter>,
}

impl Unpacker<'_> {
    fn extract(&self, bytes: &[u8]) -> Result<(), PackError> {
        let compressed = bytes.len() as u64;
        let reader = Metered {
            inner: GzDecoder::new(bytes),
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
        let mut seen = BTreeSet::new();
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
            let target = self.staging.join(&rel);
            if entry_type == tar::EntryType::Directory {
                fs::create_dir_all(&target)
                    .map_err(|source| self.create_error(&name, &rel, source))?;
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
            let written = self.write_file(&mut entry, &target, &rel, &name, &mut unpacked)?;
            if written != declared {
                return Err(self.refuse(format!(
                    "entry {name:?} is truncated ({written} of {declared} bytes)"
                )));
            }
            let executable = entry.header().mode().is_ok_and(|mode| mode & 0o111 != 0);
            set_mode(&target, executable)
                .map_err(|source| io_error(&self.dest.join(&rel), source))?;
        }
        // gzip checks its CRC and length only at the very end, after tar's end marker: read
        // to the end so a damaged archive is noticed rather than half trusted.
        let mut rest = tar.into_inner();
        io::copy(&mut rest, &mut io::sink())
            .map_err(|err| self.stream_error(&err, last.as_deref()))?;
        Ok(())
    }

    /// Copies one file's data, counting it against the unpacked-size limit as it arrives.
    fn write_file(
        &self,
        entry: &mut impl Read,
        target: &Path,
        rel: &Path,
        name: &str,
        unpacked: &mut u64,
    ) -> Result<u64, PackError> {
        let shown = self.dest.join(rel);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|source| self.create_error(name, rel, source))?;
        }
        // `create_new` never follows or reuses anything already at the path.
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(target)
            .map_err(|source| self.create_error(name, rel, source))?;
        let mut buffer = vec![0u8; 64 << 10];
        let mut written: u64 = 0;
        loop {
            let read = match entry.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(self.stream_error(&err, Some(name))),
            };
            written += read as u64;
            *unpacked = unpacked.saturating_add(read as u64);
            if *unpacked > self.limits.max_unpacked_bytes {
                return Err(self.too_large(name));
            }
            let chunk = buffer.get(..read).unwrap_or_default();
            file.write_all(chunk)
                .map_err(|source| io_error(&shown, source))?;
        }
        Ok(written)
    }

    fn refuse(&self, message: String) -> PackError {
        refusal(self.archive, message)
    }

    /// A file or directory that cannot be created where an earlier entry already put something
    /// else (`a` as a file, then `a/b`; or names equal on a case-insensitive filesystem).
    fn create_error(&self, name: &str, rel: &Path, source: io::Error) -> PackError {
        match source.kind() {
            io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => {
                self.refuse(format!("entry {name:?} collides with an earlier entry"))
            }
            _ => io_error(&self.dest.join(rel), source),
        }
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

/// The name of the archive's only top-level entry, if it is a directory holding `gpack.toml`.
fn single_pack_dir(staging: &Path) -> io::Result<Option<std::ffi::OsString>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(staging)? {
        names.push(entry?.file_name());
        if names.len() > 1 {
            return Ok(None);
        }
    }
    let Some(name) = names.pop() else {
        return Ok(None);
    };
    let dir = staging.join(&name);
    let is_dir = fs::symlink_metadata(&dir).is_ok_and(|meta| meta.is_dir());
    let has_manifest =
        fs::symlink_metadata(dir.join("gpack.toml")).is_ok_and(|meta| meta.is_file());
    Ok((is_dir && has_manifest).then_some(name))
}

/// Why an archive holds no pack: what its top level has instead.
fn no_manifest(staging: &Path) -> String {
    let mut names: Vec<String> = fs::read_dir(staging)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
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

/// Regular permissions for what we create: archives carry only the executable bit.
#[cfg(unix)]
fn set_mode(path: &Path, executable: bool) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _executable: bool) -> io::Result<()> {
    Ok(())
}

/// The staging directory is created private (0700); once renamed it is an ordinary directory.
#[cfg(unix)]
fn make_shared(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_shared(_path: &Path) -> io::Result<()> {
    Ok(())
}

fn refusal(archive: &str, message: String) -> PackError {
    PackError::Archive {
        archive: archive.to_string(),
        message,
    }
}

fn io_error(path: &Path, source: io::Error) -> PackError {
    PackError::Io {
        path: path.to_path_buf(),
        source,
    }
}
