//! Walking the files of a pack directory: hidden files included, symlinks followed only while
//! they stay inside the pack, `.git` and `target` at the pack root left out (as in archives).

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

/// A regular file found in a pack.
pub(crate) struct Walked {
    /// Where to read it (possibly through a symlink that stays in the pack).
    pub(crate) path: PathBuf,
    /// Relative to the walked directory, `/`-separated.
    pub(crate) rel_path: String,
}

pub(crate) enum WalkError {
    Io {
        path: PathBuf,
        source: io::Error,
    },
    /// Something in the pack that must not be there; the message names it.
    Refused(String),
}

/// Names at the pack root that are never part of a pack: version control and build output.
pub(crate) const EXCLUDED_AT_ROOT: &[&str] = &[".git", "target"];

/// Every regular file under `base` (a directory inside the pack at `root`); any problem is an
/// error.
pub(crate) fn walk(
    root: &Path,
    base: &Path,
    canonical_root: &Path,
) -> Result<Vec<Walked>, WalkError> {
    walk_inner(root, base, canonical_root, None)
}

/// The regular files under the pack root whose relative path `keep` accepts; only problems
/// with such paths are errors.
pub(crate) fn walk_filtered(
    root: &Path,
    canonical_root: &Path,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<Walked>, WalkError> {
    walk_inner(root, root, canonical_root, Some(&keep))
}

fn walk_inner(
    root: &Path,
    base: &Path,
    canonical_root: &Path,
    keep: Option<&dyn Fn(&str) -> bool>,
) -> Result<Vec<Walked>, WalkError> {
    let mut out = Vec::new();
    // Following links lets walkdir detect loops; escapes are checked below before descending.
    let mut entries = WalkDir::new(base)
        .follow_links(true)
        .min_depth(1)
        .into_iter();
    while let Some(next) = entries.next() {
        let entry = match next {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(base).to_path_buf();
                let rel = display_rel(base, &path);
                if keep.is_some_and(|keep| !keep(&rel)) {
                    continue;
                }
                return Err(walk_failure(err, path, rel));
            }
        };
        let path = entry.path();
        if is_excluded(root, path) {
            if entry.file_type().is_dir() {
                entries.skip_current_dir();
            }
            continue;
        }
        let rel = rel_path(base, path)?;
        let wanted = keep.is_none_or(|keep| keep(&rel));
        if entry.path_is_symlink() {
            let real = fs::canonicalize(path).map_err(|source| WalkError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            if !real.starts_with(canonical_root) {
                if !wanted {
                    // Never walk out of the pack, even looking for matches.
                    if entry.file_type().is_dir() {
                        entries.skip_current_dir();
                    }
                    continue;
                }
                return Err(WalkError::Refused(format!(
                    "`{rel}` is a symlink to {}, outside the pack",
                    real.display()
                )));
            }
        }
        if entry.file_type().is_dir() || !wanted {
            continue;
        }
        if !entry.file_type().is_file() {
            // Reading a fifo would block forever; devices and sockets are no templates.
            return Err(WalkError::Refused(format!("`{rel}` is not a regular file")));
        }
        out.push(Walked {
            path: path.to_path_buf(),
            rel_path: rel,
        });
    }
    Ok(out)
}

fn walk_failure(err: walkdir::Error, path: PathBuf, rel: String) -> WalkError {
    if let Some(ancestor) = err.loop_ancestor() {
        return WalkError::Refused(format!(
            "`{rel}` is a symlink loop (back to {})",
            ancestor.display()
        ));
    }
    let is_link = fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink());
    if is_link && fs::metadata(&path).is_err() {
        return WalkError::Refused(format!("`{rel}` is a broken symlink"));
    }
    let source = err
        .into_io_error()
        .unwrap_or_else(|| io::Error::other("cannot walk the directory"));
    WalkError::Io { path, source }
}

/// `.git` or `target` directly under the pack root.
fn is_excluded(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut components = rel.components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(name)), None) => {
            EXCLUDED_AT_ROOT.iter().any(|excluded| name == *excluded)
        }
        _ => false,
    }
}

/// `path` relative to `base`, `/`-separated; a name that is not UTF-8 cannot be a template
/// path or an archive entry, so it is refused.
pub(crate) fn rel_path(base: &Path, path: &Path) -> Result<String, WalkError> {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let mut parts = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => match name.to_str() {
                Some(name) => parts.push(name),
                None => {
                    return Err(WalkError::Refused(format!(
                        "the name of {} is not valid UTF-8",
                        path.display()
                    )));
                }
            },
            Component::CurDir => {}
            _ => {
                return Err(WalkError::Refused(format!(
                    "{} is not inside the pack",
                    path.display()
                )));
            }
        }
    }
    Ok(parts.join("/"))
}

fn display_rel(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.to_string_lossy().into_owned()
}
