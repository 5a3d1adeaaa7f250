//! Confinement to a project: every write, rename and removal under a registered root checks,
//! at the time of the call, that no existing directory on the way is a symbolic link leading
//! out of that root (a generated `dir/` the user replaced by a link to `/etc`, a `.ggen` that is
//! a link), and that the path has no `..` component.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::FsError;

/// The roots writes are confined to, as callers spell them (absolute, not resolved: where a
/// root really is gets resolved when a link is met, so a root created later is fine).
static ROOTS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Confines every later write below `root` (a project directory, a directory registry) to
/// the real directory `root` names. Registering a root again is a no-op.
pub fn confine_to(root: &Path) {
    let Ok(lexical) = std::path::absolute(root) else {
        return;
    };
    let Ok(mut roots) = ROOTS.lock() else {
        return;
    };
    if !roots.contains(&lexical) {
        roots.push(lexical);
    }
}

/// A path below a confinement root: the root as registered, and the components inside it.
pub(crate) struct Confined {
    pub root: PathBuf,
    pub inside: Vec<std::ffi::OsString>,
}

/// The root `path` is confined to (the longest registered one it is below), and its
/// components inside; `Ok(None)` when it is below none. A `..` inside is refused.
pub(crate) fn locate(action: &'static str, path: &Path) -> Result<Option<Confined>, FsError> {
    let Ok(absolute) = std::path::absolute(path) else {
        return Ok(None);
    };
    let root = {
        let Ok(roots) = ROOTS.lock() else {
            return Ok(None);
        };
        let Some(root) = roots
            .iter()
            .filter(|r| absolute.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())
        else {
            return Ok(None);
        };
        root.clone()
    };
    let Ok(inside) = absolute.strip_prefix(&root) else {
        return Ok(None);
    };
    let mut components = Vec::new();
    for component in inside.components() {
        match component {
            Component::Normal(name) => components.push(name.to_os_string()),
            _ => {
                return Err(refusal(
                    action,
                    path,
                    "the path leaves the project through `..`",
                ));
            }
        }
    }
    Ok(Some(Confined {
        root,
        inside: components,
    }))
}

/// Checks `path` before `action` touches it. With `final_too`, the last component must not be
/// a link leading out either (operations that follow it, like changing permissions);
/// otherwise a link there is fine (it is replaced or removed, never followed).
///
/// On Unix the writes themselves go through held directory handles (`at`), which leaves no
/// window between this kind of check and the write; this path-based check remains for
/// other systems and for following a final link.
pub(crate) fn check(action: &'static str, path: &Path, final_too: bool) -> Result<(), FsError> {
    let Some(Confined {
        root: lexical,
        inside: components,
    }) = locate(action, path)?
    else {
        return Ok(());
    };
    let mut current = lexical.clone();
    let walk = if final_too {
        components.len()
    } else {
        components.len().saturating_sub(1)
    };
    for (index, component) in components.iter().take(walk).enumerate() {
        current.push(component);
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            // Nothing further exists: what gets created is created fresh, inside.
            Err(_) => break,
        };
        if !meta.file_type().is_symlink() {
            continue;
        }
        if index == 0 && component.as_os_str() == ".ggen" {
            return Err(refusal(
                action,
                path,
                &format!(
                    "{} is a symbolic link; ggen keeps its state only in a real directory",
                    current.display()
                ),
            ));
        }
        let real = lexical.canonicalize().unwrap_or_else(|_| lexical.clone());
        let leads_inside = current
            .canonicalize()
            .map(|target| target.starts_with(&real))
            .unwrap_or(false);
        if !leads_inside {
            return Err(refusal(
                action,
                path,
                &format!(
                    "{} is a symbolic link leading out of {}",
                    current.display(),
                    lexical.display()
                ),
            ));
        }
    }
    Ok(())
}

pub(crate) fn refusal(action: &'static str, path: &Path, why: &str) -> FsError {
    FsError::new(
        action,
        path,
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("refused: {why} (ggen never writes outside the project)"),
        ),
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::{Durability, remove_dir_all, remove_file, write_atomic};
    use std::fs;

    #[test]
    fn writes_through_a_link_leaving_the_root_are_refused() {
        let project = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("keep.txt"), "outside\n").unwrap();
        std::os::unix::fs::symlink(outside.path(), project.path().join("dir")).unwrap();
        confine_to(project.path());
        let err = write_atomic(
            &project.path().join("dir/keep.txt"),
            b"pack\n",
            Durability::Batch,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("symbolic link leading out"),
            "{err}"
        );
        remove_file(&project.path().join("dir/keep.txt")).unwrap_err();
        remove_dir_all(&project.path().join("dir/sub")).unwrap_err();
        assert_eq!(
            fs::read(outside.path().join("keep.txt")).unwrap(),
            b"outside\n"
        );
        // The link itself may be replaced: that changes nothing outside.
        write_atomic(&project.path().join("dir"), b"file\n", Durability::Batch).unwrap();
        assert!(
            fs::symlink_metadata(project.path().join("dir"))
                .unwrap()
                .is_file()
        );
    }

    #[test]
    fn links_inside_the_root_and_a_linked_ggen() {
        let project = tempfile::tempdir().unwrap();
        fs::create_dir(project.path().join("real")).unwrap();
        std::os::unix::fs::symlink("real", project.path().join("alias")).unwrap();
        std::os::unix::fs::symlink("real", project.path().join(".ggen")).unwrap();
        confine_to(project.path());
        write_atomic(&project.path().join("alias/a"), b"a", Durability::Batch).unwrap();
        let err =
            write_atomic(&project.path().join(".ggen/x"), b"a", Durability::Batch).unwrap_err();
        assert!(
            err.to_string().contains(".ggen is a symbolic link"),
            "{err}"
        );
        let err =
            write_atomic(&project.path().join("a/../../x"), b"a", Durability::Batch).unwrap_err();
        assert!(err.to_string().contains("`..`"), "{err}");
    }
}
