//! Pack archives: a deterministic `.tar.gz` of a pack directory, and safe reading into memory.
//!
//! Layout: `<id>-<version>/` first, then every directory and regular file of the pack under it
//! in byte order of their `/`-separated paths (a parent always precedes its children). GNU
//! headers (long paths use the GNU long-name extension), mtime 0, uid/gid 0, empty user and
//! group names, mode 0755 for directories and executable files, 0644 for other files. The
//! gzip header has no name, mtime 0 and OS "unknown", at compression level 6.

mod entry_path;
mod unpack;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};
use walkdir::WalkDir;

use crate::PackError;
use crate::files::EXCLUDED_AT_ROOT;

/// Bounds that keep a hostile archive from exhausting the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    pub max_compressed_bytes: u64,
    pub max_unpacked_bytes: u64,
    pub max_entries: u64,
    /// Unpacked size / compressed size. Checked on the whole decompressed stream (headers
    /// included) once it passes 1 MiB, so that small archives that compress very well are
    /// not refused: a bomb needs far more than that to hurt.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_compressed_bytes: 256 << 20,
            max_unpacked_bytes: 1 << 30,
            max_entries: 100_000,
            max_ratio: 200,
        }
    }
}

/// A fixed level, so that the same tree gives the same bytes whatever flate2's default is.
/// The fastest one: a path pack's integrity is the hash of this archive, computed on every
/// regeneration (watch), and pack sources compress well at any level.
const COMPRESSION_LEVEL: u32 = 1;
/// gzip's "unknown" operating system, rather than the packing machine's.
const GZIP_OS_UNKNOWN: u8 = 255;

/// A deterministic `.tar.gz` of the pack at `root`: entries sorted, under a top directory
/// `<id>-<version>/`, mtime 0, uid/gid 0, modes 0644/0755, gzip header without time or name.
/// The same tree always gives the same bytes. `.git/` and `target/` are left out.
///
/// Symlinks, fifos, devices and names that [`unpack`] would refuse are errors naming the file:
/// an archive holds only regular files and directories.
pub fn pack_directory(
    root: &Path,
    id: &str,
    version: &semver::Version,
) -> Result<Vec<u8>, PackError> {
    let refuse = |message: String| PackError::Files {
        pack: id.to_string(),
        message,
    };
    if !crate::is_valid_pack_id(id) {
        return Err(refuse(format!("{id:?} is not a valid pack id")));
    }
    let top = format!("{id}-{version}");
    let tree = collect_tree(root).map_err(|err| match err {
        TreeError::Io { path, source } => PackError::Io { path, source },
        TreeError::Refused(message) => refuse(message),
    })?;

    let encoder = GzBuilder::new()
        .mtime(0)
        .operating_system(GZIP_OS_UNKNOWN)
        .write(Vec::new(), Compression::new(COMPRESSION_LEVEL));
    let mut builder = tar::Builder::new(encoder);
    let write_error = |source: std::io::Error| PackError::Io {
        path: root.to_path_buf(),
        source,
    };
    append(&mut builder, &format!("{top}/"), &Node::Directory).map_err(write_error)?;
    for (rel, node) in &tree {
        let name = match node {
            Node::Directory => format!("{top}/{rel}/"),
            Node::File { .. } => format!("{top}/{rel}"),
        };
        append(&mut builder, &name, node).map_err(write_error)?;
    }
    let encoder = builder.into_inner().map_err(write_error)?;
    encoder.finish().map_err(write_error)
}

/// Reads `bytes` (named `archive` in messages) into memory, nothing written to disk; the pack
/// root is the single top directory holding `gpack.toml`, or the top level itself
/// ([`crate::Pack::from_archive`]). Refuses absolute paths, `..`, symlinks and hard links,
/// device files and fifos, a path used twice or as both a file and a directory, and anything
/// beyond `limits`.
///
/// Entry paths must be made of plain names: `.` components, empty components (`a//b`) and
/// backslashes are refused too. Only the executable bit of a file's mode is kept.
pub(crate) fn read_in_memory(
    bytes: &[u8],
    archive: &str,
    limits: &ArchiveLimits,
) -> Result<unpack::InMemory, PackError> {
    unpack::read(bytes, archive, limits)
}

pub(crate) use unpack::{InMemory, no_manifest_in};

enum Node {
    Directory,
    File { bytes: Vec<u8>, executable: bool },
}

enum TreeError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    Refused(String),
}

/// Every directory and regular file under `root`, sorted by relative path, with contents read
/// now so that what is hashed is exactly what is written.
fn collect_tree(root: &Path) -> Result<Vec<(String, Node)>, TreeError> {
    let mut tree = Vec::new();
    let mut entries = WalkDir::new(root)
        .follow_links(false)
        .min_depth(1)
        .into_iter();
    while let Some(next) = entries.next() {
        let entry = next.map_err(|err| {
            let path = err.path().unwrap_or(root).to_path_buf();
            let source = err
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("cannot walk the directory"));
            TreeError::Io { path, source }
        })?;
        let path = entry.path();
        if entry.depth() == 1
            && EXCLUDED_AT_ROOT
                .iter()
                .any(|name| entry.file_name() == *name)
        {
            if entry.file_type().is_dir() {
                entries.skip_current_dir();
            }
            continue;
        }
        let rel = crate::files::rel_path(root, path).map_err(|err| match err {
            crate::files::WalkError::Io { path, source } => TreeError::Io { path, source },
            crate::files::WalkError::Refused(message) => TreeError::Refused(message),
        })?;
        if let Err(rule) = entry_path::check(rel.as_bytes()) {
            return Err(TreeError::Refused(format!(
                "`{rel}` cannot be put in an archive: its path {rule}"
            )));
        }
        let file_type = entry.file_type();
        let node = if file_type.is_symlink() {
            return Err(TreeError::Refused(format!(
                "`{rel}` is a symlink; pack archives hold only regular files and directories"
            )));
        } else if file_type.is_dir() {
            Node::Directory
        } else if file_type.is_file() {
            let bytes =
                ggen_fs::read_capped_io(path, ggen_fs::MAX_READ_BYTES).map_err(|source| {
                    TreeError::Io {
                        path: path.to_path_buf(),
                        source,
                    }
                })?;
            let metadata = entry.metadata().map_err(|err| TreeError::Io {
                path: path.to_path_buf(),
                source: err
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("cannot read metadata")),
            })?;
            Node::File {
                bytes,
                executable: is_executable(&metadata),
            }
        } else {
            return Err(TreeError::Refused(format!(
                "`{rel}` is not a regular file or directory"
            )));
        };
        tree.push((rel, node));
    }
    tree.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(tree)
}

fn append<W: Write>(builder: &mut tar::Builder<W>, name: &str, node: &Node) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    match node {
        Node::Directory => {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_mode(0o755);
            header.set_size(0);
            builder.append_data(&mut header, name, std::io::empty())
        }
        Node::File { bytes, executable } => {
            header.set_entry_type(tar::EntryType::Regular);
            header.set_mode(if *executable { 0o755 } else { 0o644 });
            header.set_size(bytes.len() as u64);
            builder.append_data(&mut header, name, bytes.as_slice())
        }
    }
}

#[cfg(unix)]
fn is_executable(metadata: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_metadata: &fs::Metadata) -> bool {
    false
}
