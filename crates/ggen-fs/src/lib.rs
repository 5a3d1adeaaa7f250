//! The one place ggen writes files: atomic replacement (temp file in the same directory,
//! rename), durability barriers, and I/O errors that always name the path.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// An I/O failure with the path it happened on.
#[derive(Debug, thiserror::Error)]
#[error("{action} {path}: {source}")]
pub struct FsError {
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl FsError {
    pub fn new(action: &'static str, path: &Path, source: io::Error) -> FsError {
        FsError {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How hard a write insists on reaching the disk before it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync the file before the rename and the directory after it: the write survives power
    /// loss once this returns. For the commit point (lockfile, snapshot, journal).
    Sync,
    /// Rename without fsync; the caller issues one [`sync_filesystem`] for a whole batch before
    /// its commit point, which costs one barrier instead of thousands.
    Batch,
}

/// Replaces `path` with `bytes` atomically: readers see the old content or the new, never a
/// mix. Parent directories are created. An existing symlink at `path` is replaced, not
/// followed.
pub fn write_atomic(path: &Path, bytes: &[u8], durability: Durability) -> Result<(), FsError> {
    let dir = parent_dir(path);
    fs::create_dir_all(dir).map_err(|e| FsError::new("cannot create directory", dir, e))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".ggen-tmp-")
        .tempfile_in(dir)
        .map_err(|e| FsError::new("cannot create a temporary file in", dir, e))?;
    temp.write_all(bytes)
        .map_err(|e| FsError::new("cannot write", temp.path(), e))?;
    if durability == Durability::Sync {
        temp.as_file()
            .sync_all()
            .map_err(|e| FsError::new("cannot sync", temp.path(), e))?;
    }
    // Keep the executable bit of the file being replaced, as an editor would.
    #[cfg(unix)]
    if let Ok(meta) = fs::symlink_metadata(path)
        && meta.is_file()
    {
        let _ = temp.as_file().set_permissions(meta.permissions());
    }
    temp.persist(path)
        .map_err(|e| FsError::new("cannot replace", path, e.error))?;
    if durability == Durability::Sync {
        sync_dir(dir)?;
    }
    Ok(())
}

/// Writes `bytes` to `path` only if nothing is there yet (content-addressed stores: an
/// existing file already holds these bytes).
pub fn write_new(path: &Path, bytes: &[u8], durability: Durability) -> Result<(), FsError> {
    if path.exists() {
        return Ok(());
    }
    write_atomic(path, bytes, durability)
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>, FsError> {
    fs::read(path).map_err(|e| FsError::new("cannot read", path, e))
}

/// Reads a file that may be absent.
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, FsError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FsError::new("cannot read", path, e)),
    }
}

/// Removes a file; absence is fine.
pub fn remove_file(path: &Path) -> Result<(), FsError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(FsError::new("cannot remove", path, e)),
    }
}

pub fn create_dir_all(path: &Path) -> Result<(), FsError> {
    fs::create_dir_all(path).map_err(|e| FsError::new("cannot create directory", path, e))
}

/// fsyncs a directory so renames inside it are durable.
pub fn sync_dir(dir: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    {
        let handle = File::open(dir).map_err(|e| FsError::new("cannot open", dir, e))?;
        handle
            .sync_all()
            .map_err(|e| FsError::new("cannot sync", dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// One durability barrier for everything written under `dir` with [`Durability::Batch`]:
/// `syncfs(2)` on Linux (one flush for the filesystem), `sync(2)` elsewhere on Unix.
pub fn sync_filesystem(dir: &Path) -> Result<(), FsError> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let handle = File::open(dir).map_err(|e| FsError::new("cannot open", dir, e))?;
        // SAFETY: syncfs only reads the descriptor, which `handle` keeps open for the call.
        let rc = unsafe { libc::syncfs(handle.as_raw_fd()) };
        if rc != 0 {
            return Err(FsError::new("cannot sync", dir, io::Error::last_os_error()));
        }
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        let _ = dir;
        // SAFETY: sync(2) takes no arguments and cannot fail.
        unsafe { libc::sync() };
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_content_and_creates_parents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/c.txt");
        write_atomic(&path, b"one", Durability::Sync).unwrap();
        write_atomic(&path, b"two", Durability::Batch).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("c.txt")]);
        sync_filesystem(dir.path()).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_keeps_the_executable_bit() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.sh");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        write_atomic(&path, b"new", Durability::Batch).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o755
        );
    }

    #[test]
    fn write_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("obj");
        write_new(&path, b"first", Durability::Batch).unwrap();
        write_new(&path, b"second", Durability::Batch).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"first");
    }

    #[test]
    fn errors_name_the_path() {
        let err = read(Path::new("/nonexistent/ggen/file")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ggen/file"), "{err}");
        assert_eq!(read_optional(Path::new("/nonexistent/x")).unwrap(), None);
    }
}
