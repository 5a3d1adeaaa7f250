//! The one place ggen writes files: atomic replacement (temp file in the same directory,
//! rename), durability barriers, and I/O errors that always name the path. Every write is a
//! [`fault`] checkpoint, so crash tests can stop the process after any one of them.

#[cfg(unix)]
mod at;
mod confine;
pub mod fault;
mod held;
mod regular;

pub use confine::confine_to;
pub use held::DirHandles;
pub use regular::{MAX_READ_BYTES, open_regular, read_capped, read_capped_io};

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
    /// Rename without any sync: for a derived cache whose loss costs only time (a crash
    /// leaves the old file, the new one or none, never a mix).
    Lossy,
}

/// Replaces `path` with `bytes` atomically: readers see the old content or the new, never a
/// mix. Parent directories are created. An existing symlink at `path` is replaced, not
/// followed.
pub fn write_atomic(path: &Path, bytes: &[u8], durability: Durability) -> Result<(), FsError> {
    #[cfg(unix)]
    if let Some(parent) = at::parent("cannot write", path, true)? {
        return parent.write_atomic(path, bytes, durability);
    }
    confine::check("cannot write", path, false)?;
    let dir = parent_dir(path);
    fs::create_dir_all(dir).map_err(|e| FsError::new("cannot create directory", dir, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ggen-tmp-");
    // A new file gets the usual 0666 & ~umask, like any editor's, not tempfile's 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder
        .tempfile_in(dir)
        .map_err(|e| FsError::new("cannot create a temporary file in", dir, e))?;
    temp.write_all(bytes)
        .map_err(|e| FsError::new("cannot write", temp.path(), e))?;
    fault::checkpoint();
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
    fault::checkpoint();
    match durability {
        Durability::Sync => sync_dir(dir)?,
        Durability::Batch => pending::file(path),
        Durability::Lossy => {}
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

/// Reads a regular file of at most [`MAX_READ_BYTES`], naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>, FsError> {
    read_capped(path, MAX_READ_BYTES)
}

/// Reads a regular file that may be absent.
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, FsError> {
    read_optional_capped(path, MAX_READ_BYTES)
}

/// Reads a regular file of at most `limit` bytes that may be absent.
pub fn read_optional_capped(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, FsError> {
    match regular::read_capped_io(path, limit) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FsError::new("cannot read", path, e)),
    }
}

/// Removes a file (or a symlink, not its target); absence is fine.
pub fn remove_file(path: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    if let Some(located) = at::locate_parent("cannot remove", path)? {
        let removed = match located {
            Some(parent) => parent.remove_file(path)?,
            None => false,
        };
        removed_something(path, removed);
        return Ok(());
    }
    confine::check("cannot remove", path, false)?;
    remove_with(path, |p| fs::remove_file(p))
}

/// Removes a directory and everything in it (a link in it is removed, never followed);
/// absence is fine.
pub fn remove_dir_all(path: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    if let Some(located) = at::locate_parent("cannot remove", path)? {
        let removed = match located {
            Some(parent) => parent.remove_all(path)?,
            None => false,
        };
        removed_something(path, removed);
        return Ok(());
    }
    confine::check("cannot remove", path, false)?;
    remove_with(path, |p| fs::remove_dir_all(p))
}

/// Removes `path` if it is an empty directory (confined like every removal); false when it
/// is not there, not empty, or not removable.
pub fn remove_empty_dir(path: &Path) -> bool {
    #[cfg(unix)]
    match at::locate_parent("cannot remove", path) {
        Ok(Some(Some(parent))) => return parent.remove_empty_dir(),
        Ok(Some(None)) | Err(_) => return false,
        Ok(None) => {}
    }
    confine::check("cannot remove", path, false).is_ok() && fs::remove_dir(path).is_ok()
}

/// After a removal: a checkpoint and a pending directory sync when something was removed.
#[cfg(unix)]
fn removed_something(path: &Path, removed: bool) {
    if removed {
        fault::checkpoint();
        pending::dir(parent_dir(path));
    }
}

/// Runs `remove` on `path`: a checkpoint and a pending directory sync when it removed
/// something, nothing when there was nothing to remove.
fn remove_with(path: &Path, remove: fn(&Path) -> io::Result<()>) -> Result<(), FsError> {
    match remove(path) {
        Ok(()) => {
            fault::checkpoint();
            pending::dir(parent_dir(path));
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(FsError::new("cannot remove", path, e)),
    }
}

/// Renames `from` to `to` (atomic within one filesystem) and makes the rename durable by
/// syncing both parent directories.
pub fn rename_durable(from: &Path, to: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    if let Some(source) = at::parent("cannot rename", from, false)?
        && let Some(target) = at::parent("cannot rename", to, true)?
    {
        source.rename_to(&target, from)?;
        fault::checkpoint();
        source.sync()?;
        if parent_dir(from) != parent_dir(to) {
            target.sync()?;
        }
        return Ok(());
    }
    confine::check("cannot rename", from, false)?;
    confine::check("cannot rename", to, false)?;
    let to_dir = parent_dir(to);
    fs::create_dir_all(to_dir).map_err(|e| FsError::new("cannot create directory", to_dir, e))?;
    fs::rename(from, to).map_err(|e| FsError::new("cannot rename", from, e))?;
    fault::checkpoint();
    sync_dir(parent_dir(from))?;
    if parent_dir(from) != to_dir {
        sync_dir(to_dir)?;
    }
    Ok(())
}

/// Replaces `path` with a symbolic link to `target`, atomically (link at a temporary name,
/// then renamed into place).
pub fn write_symlink(path: &Path, target: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    if let Some(parent) = at::parent("cannot create a symbolic link at", path, true)? {
        return parent.write_symlink(path, target);
    }
    confine::check("cannot create a symbolic link at", path, false)?;
    let dir = parent_dir(path);
    fs::create_dir_all(dir).map_err(|e| FsError::new("cannot create directory", dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temp = dir.join(format!(".ggen-tmp-link-{}-{name}", std::process::id()));
    let _ = fs::remove_file(&temp);
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, &temp)
        .map_err(|e| FsError::new("cannot create a symbolic link at", &temp, e))?;
    #[cfg(not(unix))]
    return Err(FsError::new(
        "cannot create a symbolic link at",
        path,
        io::Error::new(
            io::ErrorKind::Unsupported,
            format!("to {}", target.display()),
        ),
    ));
    fault::checkpoint();
    fs::rename(&temp, path).map_err(|e| FsError::new("cannot replace", path, e))?;
    fault::checkpoint();
    Ok(())
}

/// Sets or clears the executable bits of a file (for each of user, group and other that may
/// read it); a no-op where there are none.
pub fn set_executable(path: &Path, executable: bool) -> Result<(), FsError> {
    #[cfg(unix)]
    if let Some(parent) = at::parent("cannot change the permissions of", path, false)?
        && let Some(file) = parent.open_no_follow(path)?
    {
        // The file itself, opened without following a link: change the mode on its handle.
        let meta = file
            .metadata()
            .map_err(|e| FsError::new("cannot read", path, e))?;
        let wanted = executable_mode(&meta, executable);
        if wanted != std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) {
            file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(wanted))
                .map_err(|e| FsError::new("cannot change the permissions of", path, e))?;
        }
        return Ok(());
    }
    // Not below a root, or the last component is a link: followed if it leads inside.
    confine::check("cannot change the permissions of", path, true)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(path).map_err(|e| FsError::new("cannot read", path, e))?;
        let mode = meta.permissions().mode();
        let wanted = executable_mode(&meta, executable);
        if wanted != mode {
            fs::set_permissions(path, fs::Permissions::from_mode(wanted))
                .map_err(|e| FsError::new("cannot change the permissions of", path, e))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, executable);
    Ok(())
}

/// The mode with the executable bits set (for each of user, group and other that may read
/// it) or cleared.
#[cfg(unix)]
fn executable_mode(meta: &fs::Metadata, executable: bool) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    executable_bits(meta.permissions().mode(), executable)
}

/// `mode` with the executable bits set (for each of user, group and other that may read it)
/// or cleared.
#[cfg(unix)]
fn executable_bits(mode: u32, executable: bool) -> u32 {
    let readable = (mode & 0o444) >> 2;
    if executable {
        mode | readable
    } else {
        mode & !0o111
    }
}

/// True when the file at `path` has an executable bit set (never on non-Unix systems).
pub fn is_executable(meta: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Whether `name` is one of ggen's temporary files (left behind only by a crash).
pub fn is_temporary(name: &str) -> bool {
    name.starts_with(".ggen-tmp-")
}

/// Creates a directory and its parents (confined like every write).
pub fn create_dir_all(path: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    if at::directory("cannot create directory", path, true)?.is_some() {
        return Ok(());
    }
    confine::check("cannot create directory", path, true)?;
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

/// One durability barrier for everything written with [`Durability::Batch`] (and removed)
/// since the last one. A small batch is synced file by file, then each directory: cheap, and
/// independent of what other processes are writing. A large batch is one `syncfs(2)` on the
/// filesystem of `dir` on Linux (`sync(2)` elsewhere on Unix), which beats thousands of
/// fsyncs but also waits for every other writer's dirty pages.
pub fn sync_filesystem(dir: &Path) -> Result<(), FsError> {
    let Some((files, dirs)) = pending::take() else {
        return sync_whole_filesystem(dir);
    };
    if files.len() <= pending::SMALL_BATCH {
        for file in &files {
            sync_existing(file, false)?;
        }
        for dir in &dirs {
            sync_existing(dir, true)?;
        }
        return Ok(());
    }
    sync_whole_filesystem(dir)
}

/// Starts writing out a large batch ahead of its barrier, on a thread of `scope`, for a
/// caller that has other work to do before [`sync_filesystem`]: that barrier then waits
/// only for what was written since, and reports any error (so this flush's result is not
/// kept). Changes nothing about durability; a small batch, which the barrier syncs file by
/// file, is left alone (no thread).
pub fn flush_ahead<'scope>(scope: &'scope std::thread::Scope<'scope, '_>, dir: &'scope Path) {
    if pending::count().is_some_and(|files| files <= pending::SMALL_BATCH) {
        return;
    }
    scope.spawn(move || sync_whole_filesystem(dir));
}

/// fsyncs `path` if it still exists (a later step of the same change may have replaced it).
fn sync_existing(path: &Path, is_dir: bool) -> Result<(), FsError> {
    let opened = File::open(path);
    let handle = match opened {
        Ok(handle) => handle,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(FsError::new("cannot open", path, e)),
    };
    match handle.sync_all() {
        Ok(()) => Ok(()),
        // Some filesystems refuse fsync on a directory opened read-only; the data is synced.
        Err(_) if is_dir => Ok(()),
        Err(e) => Err(FsError::new("cannot sync", path, e)),
    }
}

fn sync_whole_filesystem(dir: &Path) -> Result<(), FsError> {
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

/// What was written or removed without its own fsync, waiting for the next barrier.
mod pending {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    /// Up to this many files, syncing each beats syncing the whole filesystem when other
    /// programs have dirty data on it (which `syncfs` waits for). Past a few dozen, one
    /// `syncfs` wins even then: at 200 files, 200 file and 100 directory fsyncs took twice
    /// as long as one `syncfs` of an otherwise clean filesystem (0.11 s against 0.06 s for
    /// the whole `ggen new`).
    pub const SMALL_BATCH: usize = 32;

    struct Pending {
        files: Vec<PathBuf>,
        dirs: BTreeSet<PathBuf>,
    }

    static PENDING: Mutex<Pending> = Mutex::new(Pending {
        files: Vec::new(),
        dirs: BTreeSet::new(),
    });

    pub fn file(path: &Path) {
        if let Ok(mut pending) = PENDING.lock() {
            pending.files.push(path.to_path_buf());
            pending.dirs.insert(super::parent_dir(path).to_path_buf());
        }
    }

    pub fn dir(path: &Path) {
        if let Ok(mut pending) = PENDING.lock() {
            pending.dirs.insert(path.to_path_buf());
        }
    }

    /// How many files are pending; `None` when the record is unusable.
    pub fn count() -> Option<usize> {
        Some(PENDING.lock().ok()?.files.len())
    }

    /// Everything pending, emptied; `None` when the record itself is unusable (a writer
    /// panicked), so the caller syncs the whole filesystem instead.
    pub fn take() -> Option<(Vec<PathBuf>, BTreeSet<PathBuf>)> {
        let mut pending = PENDING.lock().ok()?;
        Some((
            std::mem::take(&mut pending.files),
            std::mem::take(&mut pending.dirs),
        ))
    }
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
    fn new_files_are_readable_by_others_as_the_umask_allows() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.txt");
        write_atomic(&path, b"x", Durability::Batch).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // Linux reports the process's umask in /proc; elsewhere only the owner bits are sure.
        let umask = fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                let line = status.lines().find(|l| l.starts_with("Umask:"))?;
                u32::from_str_radix(line["Umask:".len()..].trim(), 8).ok()
            });
        match umask {
            Some(umask) => assert_eq!(mode, 0o666 & !umask, "{mode:o}"),
            None => assert_eq!(mode & 0o700, 0o600, "{mode:o}"),
        }
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
    fn rename_durable_moves_directories() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("journal/tx");
        write_atomic(&from.join("entry.json"), b"{}", Durability::Batch).unwrap();
        let to = dir.path().join("history/tx");
        rename_durable(&from, &to).unwrap();
        assert!(!from.exists());
        assert_eq!(fs::read(to.join("entry.json")).unwrap(), b"{}");
        remove_dir_all(&to).unwrap();
        remove_dir_all(&to).unwrap();
        assert!(!to.exists());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_and_executable_bits_are_restored() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("sub/link");
        write_symlink(&link, Path::new("../target")).unwrap();
        assert_eq!(fs::read_link(&link).unwrap(), Path::new("../target"));
        write_symlink(&link, Path::new("other")).unwrap();
        assert_eq!(fs::read_link(&link).unwrap(), Path::new("other"));
        let file = dir.path().join("run.sh");
        fs::write(&file, "x").unwrap();
        set_executable(&file, true).unwrap();
        assert!(is_executable(&fs::metadata(&file).unwrap()));
        set_executable(&file, false).unwrap();
        assert!(!is_executable(&fs::metadata(&file).unwrap()));
        let names: Vec<String> = fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| is_temporary(n)), "{names:?}");
    }

    #[test]
    fn errors_name_the_path() {
        let err = read(Path::new("/nonexistent/ggen/file")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ggen/file"), "{err}");
        assert_eq!(read_optional(Path::new("/nonexistent/x")).unwrap(), None);
    }
}
