//! A pack: a directory loaded from disk, or a verified archive read into memory; its
//! manifest and its files.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobSetBuilder};

use crate::files::{self, Walked};
use crate::{Manifest, ManifestWarning, PackError};

/// A pack with its validated manifest.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The pack directory; for a pack read from an archive, the archive's name (joined with
    /// its top-level directory), used only in messages.
    pub root: PathBuf,
    pub manifest: Manifest,
    pub warnings: Vec<ManifestWarning>,
    /// The files of a pack read from an archive; `None` for a directory on disk.
    in_memory: Option<Arc<InMemoryFiles>>,
}

/// A pack's files held in memory, by `/`-separated path relative to the pack root.
struct InMemoryFiles {
    files: BTreeMap<String, (Arc<[u8]>, bool)>,
    dirs: BTreeSet<String>,
}

impl std::fmt::Debug for InMemoryFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} files in memory", self.files.len())
    }
}

/// One file of a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFile {
    /// Path relative to the templates root (for templates) or the pack root (for graph
    /// files), `/`-separated.
    pub rel_path: String,
    /// Shared with the pack's own copy when it is held in memory (an archive): listing the
    /// files of a large pack copies none of them.
    pub bytes: Arc<[u8]>,
    /// The file has an executable bit set (kept through publish, install and update).
    pub executable: bool,
}

impl PackFile {
    /// Is this template file under the partials directory `partials` (relative to the
    /// templates root)? Partials are includable and never output.
    pub fn is_partial(&self, partials: &str) -> bool {
        self.rel_path
            .strip_prefix(partials)
            .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// The largest `gpack.toml` read: 16 MiB.
const MAX_MANIFEST_BYTES: u64 = 16 << 20;

impl Pack {
    /// Reads and validates `root/gpack.toml`.
    ///
    /// A `[templates] root` written in the manifest must exist (a typo there would otherwise
    /// silently give a pack without templates); the default `templates` may be absent.
    pub fn load(root: &Path) -> Result<Pack, PackError> {
        let path = root.join("gpack.toml");
        let text = ggen_fs::read_capped_io(&path, MAX_MANIFEST_BYTES)
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|e| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error())
                })
            })
            .map_err(|source| PackError::Io {
                path: path.clone(),
                source,
            })?;
        let parsed = crate::manifest::parse_detailed(&text, &path)?;
        let pack = Pack {
            root: root.to_path_buf(),
            manifest: parsed.manifest,
            warnings: parsed.warnings,
            in_memory: None,
        };
        pack.check_templates_root(parsed.templates_root_explicit)?;
        Ok(pack)
    }

    /// Reads a pack from the `.tar.gz` `bytes` (named `archive` in messages) into memory,
    /// with every rule of [`crate::archive::unpack`] and nothing written to disk. The
    /// caller has verified the bytes (the registry's integrity hash).
    pub fn from_archive(
        bytes: &[u8],
        archive: &str,
        limits: &crate::archive::ArchiveLimits,
    ) -> Result<Pack, PackError> {
        let memory = crate::archive::read_in_memory(bytes, archive, limits)?;
        let prefix = match memory.files.contains_key("gpack.toml") {
            true => String::new(),
            false => single_pack_dir(&memory).ok_or_else(|| PackError::Archive {
                archive: archive.to_string(),
                message: crate::archive::no_manifest_in(&memory),
            })?,
        };
        let inside = |path: String| match prefix.is_empty() {
            true => Some(path),
            false => path
                .strip_prefix(&prefix)
                .and_then(|rest| rest.strip_prefix('/'))
                .map(str::to_string),
        };
        let files: BTreeMap<String, (Arc<[u8]>, bool)> = memory
            .files
            .into_iter()
            .filter_map(|(path, (bytes, executable))| {
                Some((inside(path)?, (Arc::from(bytes), executable)))
            })
            .collect();
        let dirs = memory.dirs.into_iter().filter_map(inside).collect();
        let root = Path::new(archive).join(&prefix);
        let path = root.join("gpack.toml");
        let manifest = files.get("gpack.toml").map(|(bytes, _)| &bytes[..]);
        let text = match manifest {
            Some(bytes) if bytes.len() as u64 > MAX_MANIFEST_BYTES => Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("larger than the limit of {MAX_MANIFEST_BYTES} bytes"),
            )),
            Some(bytes) => std::str::from_utf8(bytes)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
            None => Err(io::Error::from(io::ErrorKind::NotFound)),
        }
        .map_err(|source| PackError::Io {
            path: path.clone(),
            source,
        })?;
        let parsed = crate::manifest::parse_detailed(text, &path)?;
        let pack = Pack {
            root,
            manifest: parsed.manifest,
            warnings: parsed.warnings,
            in_memory: Some(Arc::new(InMemoryFiles { files, dirs })),
        };
        pack.check_templates_root(parsed.templates_root_explicit)?;
        Ok(pack)
    }

    /// A `[templates] root` written in the manifest must be a directory of the pack.
    fn check_templates_root(&self, explicit: bool) -> Result<(), PackError> {
        if explicit {
            let root = self.manifest.templates.root.as_str();
            let exists = match &self.in_memory {
                Some(memory) => root == "." || memory.dirs.contains(root),
                None => self.templates_dir().is_dir(),
            };
            if !exists {
                return Err(self.files_error(format!(
                    "templates root `{root}` (set by `[templates] root` in gpack.toml) is not a \
                     directory in {}",
                    self.root.display()
                )));
            }
        }
        Ok(())
    }

    pub fn id(&self) -> &str {
        &self.manifest.pack.id
    }

    pub fn version(&self) -> &semver::Version {
        &self.manifest.pack.version
    }

    /// Every regular file under the templates root, sorted by `rel_path`. Hidden files and
    /// directories (`.github/`) are included. A symlink inside the pack that resolves to a
    /// file inside the pack is followed; one leaving the pack is an error naming it.
    /// A missing templates root yields no files.
    pub fn template_files(&self) -> Result<Vec<PackFile>, PackError> {
        if let Some(memory) = &self.in_memory {
            let base = match self.manifest.templates.root.as_str() {
                "." => String::new(),
                root => format!("{root}/"),
            };
            return Ok(memory
                .files
                .iter()
                .filter(|(path, _)| !excluded_at_root(path))
                .filter_map(|(path, (bytes, executable))| {
                    Some(PackFile {
                        rel_path: path.strip_prefix(&base)?.to_string(),
                        bytes: bytes.clone(),
                        executable: *executable,
                    })
                })
                .collect());
        }
        let dir = self.templates_dir();
        match fs::symlink_metadata(&dir) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(PackError::Io { path: dir, source }),
            Ok(_) => {}
        }
        let canonical_root = self.canonical_root()?;
        self.check_inside(&dir, &canonical_root)?;
        let walked =
            files::walk(&self.root, &dir, &canonical_root).map_err(|err| self.walk_error(err))?;
        let mut out = Vec::with_capacity(walked.len());
        for file in walked {
            out.push(self.read(file)?);
        }
        out.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
        Ok(out)
    }

    /// The files matched by `[graph] files` globs, relative to the pack root, sorted and
    /// without duplicates. A glob without wildcards that matches nothing is an error.
    /// `*` does not cross `/`; `**` does.
    pub fn graph_files(&self) -> Result<Vec<PackFile>, PackError> {
        let globs = &self.manifest.graph.files;
        if globs.is_empty() {
            return Ok(Vec::new());
        }
        let mut builder = GlobSetBuilder::new();
        for glob in globs {
            let glob = GlobBuilder::new(glob)
                .literal_separator(true)
                .build()
                .map_err(|err| self.files_error(format!("graph glob {glob:?}: {err}")))?;
            builder.add(glob);
        }
        let set = builder
            .build()
            .map_err(|err| self.files_error(format!("graph globs: {err}")))?;

        let mut out = match &self.in_memory {
            Some(memory) => memory
                .files
                .iter()
                .filter(|(path, _)| !excluded_at_root(path) && set.is_match(path.as_str()))
                .map(|(path, (bytes, executable))| PackFile {
                    rel_path: path.clone(),
                    bytes: bytes.clone(),
                    executable: *executable,
                })
                .collect(),
            None => {
                let canonical_root = self.canonical_root()?;
                // Only what a glob matches matters: a broken link elsewhere in the pack is
                // not our business, but one the globs pick is an error.
                let walked =
                    files::walk_filtered(&self.root, &canonical_root, |rel| set.is_match(rel))
                        .map_err(|err| self.walk_error(err))?;
                walked
                    .into_iter()
                    .map(|file| self.read(file))
                    .collect::<Result<Vec<_>, _>>()?
            }
        };
        let mut matched = vec![false; globs.len()];
        for file in &out {
            for index in set.matches(&file.rel_path) {
                if let Some(flag) = matched.get_mut(index) {
                    *flag = true;
                }
            }
        }
        for (glob, found) in globs.iter().zip(&matched) {
            if !found && !has_wildcards(glob) {
                return Err(self.files_error(format!(
                    "graph file `{glob}` (listed in `[graph] files`) does not exist"
                )));
            }
        }
        out.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
        out.dedup_by(|a, b| a.rel_path == b.rel_path);
        Ok(out)
    }

    fn templates_dir(&self) -> PathBuf {
        match self.manifest.templates.root.as_str() {
            "." => self.root.clone(),
            root => self.root.join(root),
        }
    }

    fn canonical_root(&self) -> Result<PathBuf, PackError> {
        fs::canonicalize(&self.root).map_err(|source| PackError::Io {
            path: self.root.clone(),
            source,
        })
    }

    /// The templates root itself may be a symlink; it too must stay in the pack.
    fn check_inside(&self, path: &Path, canonical_root: &Path) -> Result<(), PackError> {
        let real = fs::canonicalize(path).map_err(|source| PackError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if real.starts_with(canonical_root) {
            Ok(())
        } else {
            Err(self.files_error(format!(
                "`{}` resolves to {}, outside the pack",
                path.display(),
                real.display()
            )))
        }
    }

    fn read(&self, file: Walked) -> Result<PackFile, PackError> {
        let bytes =
            ggen_fs::read_capped_io(&file.path, ggen_fs::MAX_READ_BYTES).map_err(|source| {
                PackError::Io {
                    path: file.path.clone(),
                    source,
                }
            })?;
        let executable = is_executable(&file.path).map_err(|source| PackError::Io {
            path: file.path.clone(),
            source,
        })?;
        Ok(PackFile {
            rel_path: file.rel_path,
            bytes: Arc::from(bytes),
            executable,
        })
    }

    fn walk_error(&self, err: files::WalkError) -> PackError {
        match err {
            files::WalkError::Io { path, source } => PackError::Io { path, source },
            files::WalkError::Refused(message) => self.files_error(message),
        }
    }

    fn files_error(&self, message: String) -> PackError {
        PackError::Files {
            pack: self.manifest.pack.id.clone(),
            message,
        }
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    Ok(fs::metadata(path)?.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_path: &Path) -> io::Result<bool> {
    Ok(false)
}

/// `.git/…` and `target/…` at the pack root are never part of a pack (as in a walk).
fn excluded_at_root(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or(path);
    files::EXCLUDED_AT_ROOT.contains(&first)
}

/// The archive's one top-level directory, when it holds `gpack.toml`.
fn single_pack_dir(memory: &crate::archive::InMemory) -> Option<String> {
    let mut top = memory
        .files
        .keys()
        .chain(&memory.dirs)
        .map(|path| path.split('/').next().unwrap_or(path));
    let first = top.next()?;
    let single = top.all(|name| name == first);
    (single && memory.files.contains_key(&format!("{first}/gpack.toml"))).then(|| first.to_string())
}

fn has_wildcards(glob: &str) -> bool {
    glob.contains(['*', '?', '[', '{', '\\'])
}
