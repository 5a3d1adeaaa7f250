//! A pack directory loaded from disk: its manifest and its files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSetBuilder};

use crate::files::{self, Walked};
use crate::{Manifest, ManifestWarning, PackError};

/// A pack directory with its validated manifest.
#[derive(Debug, Clone)]
pub struct Pack {
    pub root: PathBuf,
    pub manifest: Manifest,
    pub warnings: Vec<ManifestWarning>,
}

/// One file of a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFile {
    /// Path relative to the templates root (for templates) or the pack root (for graph
    /// files), `/`-separated.
    pub rel_path: String,
    pub bytes: Vec<u8>,
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
        };
        if parsed.templates_root_explicit {
            let dir = pack.templates_dir();
            if !dir.is_dir() {
                return Err(pack.files_error(format!(
                    "templates root `{}` (set by `[templates] root` in gpack.toml) is not a \
                     directory in {}",
                    pack.manifest.templates.root,
                    root.display()
                )));
            }
        }
        Ok(pack)
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

        let canonical_root = self.canonical_root()?;
        let mut matched = vec![false; globs.len()];
        let mut out = Vec::new();
        // Only what a glob matches matters: a broken link elsewhere in the pack is not our
        // business, but one the globs pick is an error.
        let walked = files::walk_filtered(&self.root, &canonical_root, |rel| set.is_match(rel))
            .map_err(|err| self.walk_error(err))?;
        for file in walked {
            for index in set.matches(&file.rel_path) {
                if let Some(flag) = matched.get_mut(index) {
                    *flag = true;
                }
            }
            out.push(self.read(file)?);
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
            bytes,
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

fn has_wildcards(glob: &str) -> bool {
    glob.contains(['*', '?', '[', '{', '\\'])
}
