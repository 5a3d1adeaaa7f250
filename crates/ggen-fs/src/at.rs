//! Writes relative to held directory handles (the `openat(2)` family), for paths below a
//! confinement root ([`crate::confine_to`]). The directories from the root down to the
//! parent of the path are opened one at a time with `O_NOFOLLOW | O_DIRECTORY`, and the file
//! is then created, renamed or removed relative to the parent's handle. A directory that is
//! swapped for a symbolic link after it was opened changes nothing: the handle still names
//! the directory that was checked, so there is no window between the check and the write.
//!
//! A symbolic link met on the way is followed only when it leads to a directory inside the
//! root, and then by walking again from the root along where it leads (each step again
//! without following links); `.ggen` is never followed.

use std::ffi::{CStr, CString, OsStr, OsString};
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::confine::{self, Confined};
use crate::{Durability, FsError, fault, pending};

/// How many links a walk may pass through before it gives up (like the kernel's ELOOP).
const MAX_LINKS: usize = 40;

/// The directory holding the last component of a path, held open, and that component.
pub(crate) struct Parent {
    /// Shared with [`crate::DirHandles`] when it came from there.
    dir: Arc<OwnedFd>,
    /// The directory as the caller spelled it (for messages and later syncs).
    dir_path: PathBuf,
    name: CString,
}

/// Opens the parent of `path` if `path` is below a confinement root: `Ok(None)` when it is
/// not (the caller writes by path, as for any file outside a project), or when the parent is
/// missing and `create` is false. With `create`, missing directories are made on the way.
pub(crate) fn parent(
    action: &'static str,
    path: &Path,
    create: bool,
) -> Result<Option<Parent>, FsError> {
    let Some(confined) = confine::locate(action, path)? else {
        return Ok(None);
    };
    let Some((last, dirs)) = confined.inside.split_last() else {
        // The root itself: its parent is outside every root.
        return Ok(None);
    };
    let Some(dir) = open_dirs(action, path, &confined, dirs, create)? else {
        return Ok(None);
    };
    Parent::new(action, path, Arc::new(dir), last).map(Some)
}

/// [`parent`] through the handles held by `held`: each directory on the way is opened (and
/// created) once for the whole batch instead of once per file.
pub(crate) fn parent_held(
    action: &'static str,
    path: &Path,
    create: bool,
    held: &std::sync::Mutex<std::collections::HashMap<PathBuf, Arc<OwnedFd>>>,
) -> Result<Option<Parent>, FsError> {
    let Some(confined) = confine::locate(action, path)? else {
        return Ok(None);
    };
    let Some((last, dirs)) = confined.inside.split_last() else {
        return Ok(None);
    };
    let Ok(mut held) = held.lock() else {
        // A writer panicked while holding the map: walk without it.
        return parent(action, path, create);
    };
    let key = |n: usize| -> PathBuf {
        dirs[..n]
            .iter()
            .fold(confined.root.clone(), |p, c| p.join(c))
    };
    // The deepest directory on the way already held, then one step at a time from there; a
    // link on the way (or anything unusual) takes the full walk, which knows about links.
    let known = (0..=dirs.len())
        .rev()
        .find_map(|n| held.get(&key(n)).map(|fd| (n, fd.clone())));
    let (mut depth, mut fd) = match known {
        Some(found) => found,
        None => {
            let Some(root) = open_dirs(action, path, &confined, &[], create)? else {
                return Ok(None);
            };
            let root = Arc::new(root);
            held.insert(key(0), root.clone());
            (0, root)
        }
    };
    while depth < dirs.len() {
        let name = c_name(action, path, &dirs[depth])?;
        let next = match step_dir(&fd, &name, create) {
            Ok(next) => Arc::new(next),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) && !create => return Ok(None),
            Err(_) => match open_dirs(action, path, &confined, &dirs[..=depth], create)? {
                Some(next) => Arc::new(next),
                None => return Ok(None),
            },
        };
        depth += 1;
        held.insert(key(depth), next.clone());
        fd = next;
    }
    drop(held);
    Parent::new(action, path, fd, last).map(Some)
}

/// Opens the directory `name` in `dir`, creating it first with `create` when it is missing.
fn step_dir(dir: &OwnedFd, name: &CStr, create: bool) -> io::Result<OwnedFd> {
    match open_dir_at(dir, name) {
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) && create => {
            match mkdir_at(dir, name) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {}
                Err(e) => return Err(e),
            }
            open_dir_at(dir, name)
        }
        other => other,
    }
}

/// For removals: `Ok(None)` when `path` is below no root (or is a root); `Ok(Some(None))`
/// when its parent is missing (so is the path: nothing to remove); otherwise its parent.
pub(crate) fn locate_parent(
    action: &'static str,
    path: &Path,
) -> Result<Option<Option<Parent>>, FsError> {
    match confine::locate(action, path)? {
        Some(confined) if !confined.inside.is_empty() => Ok(Some(parent(action, path, false)?)),
        _ => Ok(None),
    }
}

/// Opens the directory `path` itself below its root (creating it and its parents with
/// `create`); `Ok(None)` when it is not below a root, or missing and not created.
pub(crate) fn directory(
    action: &'static str,
    path: &Path,
    create: bool,
) -> Result<Option<OwnedFd>, FsError> {
    let Some(confined) = confine::locate(action, path)? else {
        return Ok(None);
    };
    open_dirs(action, path, &confined, &confined.inside, create)
}

/// Walks from the root through `dirs`, each opened without following links.
fn open_dirs(
    action: &'static str,
    path: &Path,
    confined: &Confined,
    dirs: &[OsString],
    create: bool,
) -> Result<Option<OwnedFd>, FsError> {
    let fail = |e: io::Error| FsError::new(action, path, e);
    let open_root = || -> Result<Option<OwnedFd>, FsError> {
        match open_path(&confined.root) {
            Ok(fd) => Ok(Some(fd)),
            Err(e) if e.kind() == io::ErrorKind::NotFound && create => {
                std::fs::create_dir_all(&confined.root)
                    .map_err(|e| FsError::new("cannot create directory", &confined.root, e))?;
                open_path(&confined.root).map(Some).map_err(fail)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(fail(e)),
        }
    };
    let Some(mut fd) = open_root()? else {
        return Ok(None);
    };
    let mut queue: std::collections::VecDeque<OsString> = dirs.iter().cloned().collect();
    let mut lexical = confined.root.clone();
    let mut first = true;
    let mut links = 0;
    while let Some(component) = queue.pop_front() {
        let name = c_name(action, path, &component)?;
        let opened = match open_dir_at(&fd, &name) {
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) && create => {
                match mkdir_at(&fd, &name) {
                    Ok(()) => {}
                    Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {}
                    Err(e) => {
                        return Err(FsError::new(
                            "cannot create directory",
                            &lexical.join(&component),
                            e,
                        ));
                    }
                }
                open_dir_at(&fd, &name)
            }
            other => other,
        };
        let is_first = std::mem::replace(&mut first, false);
        match opened {
            Ok(next) => {
                fd = next;
                lexical.push(&component);
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(None),
            Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) => {
                let current = lexical.join(&component);
                if !is_link_at(&fd, &name) {
                    return Err(fail(e));
                }
                if is_first && component == ".ggen" {
                    return Err(confine::refusal(
                        action,
                        path,
                        &format!(
                            "{} is a symbolic link; ggen keeps its state only in a real directory",
                            current.display()
                        ),
                    ));
                }
                links += 1;
                let real_root = confined
                    .root
                    .canonicalize()
                    .unwrap_or_else(|_| confined.root.clone());
                let inside = current
                    .canonicalize()
                    .ok()
                    .filter(|_| links <= MAX_LINKS)
                    .and_then(|target| {
                        target
                            .strip_prefix(&real_root)
                            .ok()
                            .map(|rel| rel.to_path_buf())
                    });
                let Some(rel) = inside else {
                    return Err(confine::refusal(
                        action,
                        path,
                        &format!(
                            "{} is a symbolic link leading out of {}",
                            current.display(),
                            confined.root.display()
                        ),
                    ));
                };
                // Walk again from the root to where the link leads, without following.
                let mut again: Vec<OsString> = rel
                    .components()
                    .filter_map(|c| match c {
                        Component::Normal(n) => Some(n.to_os_string()),
                        _ => None,
                    })
                    .collect();
                again.extend(queue.drain(..));
                queue = again.into();
                let Some(root) = open_root()? else {
                    return Ok(None);
                };
                fd = root;
                lexical = confined.root.clone();
            }
            Err(e) => return Err(fail(e)),
        }
    }
    Ok(Some(fd))
}

impl Parent {
    fn new(
        action: &'static str,
        path: &Path,
        dir: Arc<OwnedFd>,
        last: &OsStr,
    ) -> Result<Parent, FsError> {
        let dir_path = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Ok(Parent {
            dir,
            dir_path,
            name: c_name(action, path, last)?,
        })
    }

    /// [`crate::write_atomic`] relative to the parent's handle: a temporary file made with
    /// `O_EXCL | O_NOFOLLOW`, then `renameat` over the name.
    pub(crate) fn write_atomic(
        &self,
        path: &Path,
        bytes: &[u8],
        durability: Durability,
    ) -> Result<(), FsError> {
        self.write_file(path, bytes, durability, None).map(drop)
    }

    /// [`Parent::write_atomic`] that also sets or clears the executable bits (`None`: the
    /// mode of the file replaced, or the default) on the temporary file before the rename,
    /// and returns the new file's metadata (from its descriptor, after the rename).
    pub(crate) fn write_file(
        &self,
        path: &Path,
        bytes: &[u8],
        durability: Durability,
        executable: Option<bool>,
    ) -> Result<std::fs::Metadata, FsError> {
        let (temp_name, fd) = self.create_temporary(path)?;
        let temp_path = self.dir_path.join(OsStr::from_bytes(temp_name.as_bytes()));
        let mut file = File::from(fd);
        let written = fill_new_file(&mut file, &temp_path, bytes, durability, executable, || {
            // Keep the mode of the file being replaced, as an editor would.
            self.regular_mode()
        })
        .and_then(|()| {
            rename_at(&self.dir, &temp_name, &self.dir, &self.name)
                .map_err(|e| FsError::new("cannot replace", path, e))?;
            // After the rename, which changes the ctime.
            file.metadata()
                .map_err(|e| FsError::new("cannot read", path, e))
        });
        self.settle(path, written, &temp_name, durability)
    }

    /// After a file was written under `written_name` in this directory: on failure the
    /// file is removed again; on success the write is made as durable as asked.
    fn settle(
        &self,
        path: &Path,
        written: Result<std::fs::Metadata, FsError>,
        written_name: &CStr,
        durability: Durability,
    ) -> Result<std::fs::Metadata, FsError> {
        let meta = match written {
            Ok(meta) => meta,
            Err(err) => {
                let _ = unlink_at(&self.dir, written_name, 0);
                return Err(err);
            }
        };
        fault::checkpoint();
        match durability {
            Durability::Sync => self.sync()?,
            Durability::Batch => pending::file(path),
            Durability::Lossy => {}
        }
        Ok(meta)
    }

    /// Creates the file at the name, which must not exist (`Ok(None)` when something is
    /// there: the caller replaces it the atomic way instead), with `bytes` and the executable
    /// bits set (`Some(true)`) or not, and returns its metadata once written. No temporary
    /// name and no rename: for a path a journal recorded as absent, whose recovery removes
    /// whatever a crash left there, a half-written file is as recoverable as a temporary one.
    pub(crate) fn create_file(
        &self,
        path: &Path,
        bytes: &[u8],
        durability: Durability,
        executable: Option<bool>,
    ) -> Result<Option<std::fs::Metadata>, FsError> {
        let mut file = match create_exclusive(&self.dir, &self.name) {
            Ok(fd) => File::from(fd),
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => return Ok(None),
            Err(e) => return Err(FsError::new("cannot create", path, e)),
        };
        // Nothing replaced: the default mode, with the executable bits as asked.
        let written = fill_new_file(&mut file, path, bytes, durability, executable, || None)
            .and_then(|()| {
                // The last change made: the stat a later command compares with.
                file.metadata()
                    .map_err(|e| FsError::new("cannot read", path, e))
            });
        self.settle(path, written, &self.name, durability).map(Some)
    }

    /// Removes the file (or link) at the name; absence is fine. True when it removed one.
    pub(crate) fn remove_file(&self, path: &Path) -> Result<bool, FsError> {
        match unlink_at(&self.dir, &self.name, 0) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(FsError::new("cannot remove", path, e)),
        }
    }

    /// Removes the directory at the name and everything in it, never following a link
    /// inside; a file or link there is removed as such. True when it removed something.
    pub(crate) fn remove_all(&self, path: &Path) -> Result<bool, FsError> {
        let fail = |e: io::Error| FsError::new("cannot remove", path, e);
        match stat_at(&self.dir, &self.name) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(fail(e)),
            Ok(mode) if mode & libc::S_IFMT == libc::S_IFDIR => {
                remove_tree(&self.dir, &self.name).map_err(fail)?;
                Ok(true)
            }
            Ok(_) => self.remove_file(path),
        }
    }

    /// Removes the name if it is an empty directory.
    pub(crate) fn remove_empty_dir(&self) -> bool {
        unlink_at(&self.dir, &self.name, libc::AT_REMOVEDIR).is_ok()
    }

    /// Renames the name to `to`'s name in `to`'s directory.
    pub(crate) fn rename_to(&self, to: &Parent, from_path: &Path) -> Result<(), FsError> {
        rename_at(&self.dir, &self.name, &to.dir, &to.name)
            .map_err(|e| FsError::new("cannot rename", from_path, e))
    }

    /// A symbolic link to `target` at a temporary name, renamed over the name.
    pub(crate) fn write_symlink(&self, path: &Path, target: &Path) -> Result<(), FsError> {
        let action = "cannot create a symbolic link at";
        let target_c = CString::new(target.as_os_str().as_bytes()).map_err(|_| {
            FsError::new(action, path, io::Error::from(io::ErrorKind::InvalidInput))
        })?;
        let temp_name = loop {
            let name = self.temporary_name(path, "link-")?;
            // SAFETY: both strings are NUL-terminated and the descriptor is open.
            let rc =
                unsafe { libc::symlinkat(target_c.as_ptr(), self.dir.as_raw_fd(), name.as_ptr()) };
            if rc == 0 {
                break name;
            }
            let e = io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EEXIST) {
                return Err(FsError::new(action, path, e));
            }
        };
        fault::checkpoint();
        if let Err(e) = rename_at(&self.dir, &temp_name, &self.dir, &self.name) {
            let _ = unlink_at(&self.dir, &temp_name, 0);
            return Err(FsError::new("cannot replace", path, e));
        }
        fault::checkpoint();
        Ok(())
    }

    /// The file at the name opened without following a link; `Ok(None)` when it is a link.
    pub(crate) fn open_no_follow(&self, path: &Path) -> Result<Option<File>, FsError> {
        let flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK;
        // SAFETY: the name is NUL-terminated and the descriptor is open.
        let fd = unsafe { libc::openat(self.dir.as_raw_fd(), self.name.as_ptr(), flags) };
        if fd >= 0 {
            // SAFETY: openat returned a new descriptor that nothing else owns.
            return Ok(Some(File::from(unsafe { OwnedFd::from_raw_fd(fd) })));
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::ELOOP) {
            return Ok(None);
        }
        Err(FsError::new("cannot read", path, e))
    }

    /// fsyncs the parent directory.
    pub(crate) fn sync(&self) -> Result<(), FsError> {
        // SAFETY: fsync only reads the descriptor `self.dir` keeps open.
        if unsafe { libc::fsync(self.dir.as_raw_fd()) } != 0 {
            return Err(FsError::new(
                "cannot sync",
                &self.dir_path,
                io::Error::last_os_error(),
            ));
        }
        Ok(())
    }

    fn regular_mode(&self) -> Option<libc::mode_t> {
        let mode = stat_at(&self.dir, &self.name).ok()?;
        (mode & libc::S_IFMT == libc::S_IFREG).then_some(mode & 0o7777)
    }

    fn create_temporary(&self, path: &Path) -> Result<(CString, OwnedFd), FsError> {
        loop {
            let name = self.temporary_name(path, "")?;
            match create_exclusive(&self.dir, &name) {
                Ok(fd) => return Ok((name, fd)),
                Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {}
                Err(e) => {
                    return Err(FsError::new(
                        "cannot create a temporary file in",
                        &self.dir_path,
                        e,
                    ));
                }
            }
        }
    }

    /// A fresh `.ggen-tmp-…` name ([`crate::is_temporary`]) in the parent.
    fn temporary_name(&self, path: &Path, kind: &str) -> Result<CString, FsError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        // The process id once, not a getpid(2) per file.
        static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
        let pid = PID.get_or_init(std::process::id);
        let name = format!(".ggen-tmp-{kind}{pid}-{n}-{nanos:x}");
        c_name("cannot write", path, OsStr::new(&name))
    }
}

fn c_name(action: &'static str, path: &Path, name: &OsStr) -> Result<CString, FsError> {
    CString::new(name.as_bytes()).map_err(|_| {
        FsError::new(
            action,
            path,
            io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in the path"),
        )
    })
}

fn cvt(rc: libc::c_int) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn open_path(path: &Path) -> io::Result<OwnedFd> {
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;
    // SAFETY: the path is NUL-terminated.
    let fd = unsafe { libc::open(c.as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: open returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn open_dir_at(dir: &OwnedFd, name: &CStr) -> io::Result<OwnedFd> {
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: the name is NUL-terminated and the descriptor is open.
    let fd = unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: openat returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn mkdir_at(dir: &OwnedFd, name: &CStr) -> io::Result<()> {
    // SAFETY: the name is NUL-terminated and the descriptor is open.
    cvt(unsafe { libc::mkdirat(dir.as_raw_fd(), name.as_ptr(), 0o777) })
}

/// The `st_mode` of the name in `dir`, not following a link.
fn stat_at(dir: &OwnedFd, name: &CStr) -> io::Result<libc::mode_t> {
    let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: the name is NUL-terminated, the descriptor is open and `stat` is written by
    // the call before it is read.
    cvt(unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            stat.as_mut_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    })?;
    // SAFETY: fstatat succeeded, so it filled `stat`.
    Ok(unsafe { stat.assume_init() }.st_mode)
}

fn is_link_at(dir: &OwnedFd, name: &CStr) -> bool {
    stat_at(dir, name).is_ok_and(|mode| mode & libc::S_IFMT == libc::S_IFLNK)
}

/// Writes `bytes` into the newly created `file` (`shown` in messages), syncs it when
/// `durability` asks, and gives it its mode: that of the file it replaces (`replaced`, read
/// once the bytes are written) or the default, with the executable bits set or cleared as
/// `executable` says (`None`: left as they are).
fn fill_new_file(
    file: &mut File,
    shown: &Path,
    bytes: &[u8],
    durability: Durability,
    executable: Option<bool>,
    replaced: impl FnOnce() -> Option<libc::mode_t>,
) -> Result<(), FsError> {
    file.write_all(bytes)
        .map_err(|e| FsError::new("cannot write", shown, e))?;
    fault::checkpoint();
    if durability == Durability::Sync {
        file.sync_all()
            .map_err(|e| FsError::new("cannot sync", shown, e))?;
    }
    let replaced = replaced();
    if replaced.is_none() && executable != Some(true) {
        // The default mode, as created (0o666 less the umask: never executable).
        return Ok(());
    }
    let meta = file
        .metadata()
        .map_err(|e| FsError::new("cannot read", shown, e))?;
    let created = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777;
    let base = replaced.map_or(created, u32::from);
    let wanted = match executable {
        Some(executable) => crate::executable_bits(base, executable),
        None => base,
    };
    if replaced.is_some() || wanted != created {
        // SAFETY: fchmod only reads the descriptor `file` keeps open.
        let _ = unsafe { libc::fchmod(file.as_raw_fd(), wanted as libc::mode_t) };
    }
    Ok(())
}

/// A new regular file `name` in `dir`, opened for writing: never an existing file and never
/// through a link (`EEXIST` when anything is at the name), mode 0o666 less the umask.
fn create_exclusive(dir: &OwnedFd, name: &CStr) -> io::Result<OwnedFd> {
    let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: the name is NUL-terminated and the descriptor is open; the mode is passed as
    // the variadic third argument, as open(2) expects with O_CREAT.
    let fd = unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags, 0o666 as libc::c_uint) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: openat returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn unlink_at(dir: &OwnedFd, name: &CStr, flags: libc::c_int) -> io::Result<()> {
    // SAFETY: the name is NUL-terminated and the descriptor is open.
    cvt(unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), flags) })
}

fn rename_at(from_dir: &OwnedFd, from: &CStr, to_dir: &OwnedFd, to: &CStr) -> io::Result<()> {
    // SAFETY: both names are NUL-terminated and both descriptors are open.
    cvt(unsafe {
        libc::renameat(
            from_dir.as_raw_fd(),
            from.as_ptr(),
            to_dir.as_raw_fd(),
            to.as_ptr(),
        )
    })
}

/// The names in the directory `dir` (without `.` and `..`).
fn entries(dir: &OwnedFd) -> io::Result<Vec<CString>> {
    // fdopendir takes the descriptor it is given: hand it a duplicate.
    // SAFETY: dup only reads the descriptor `dir` keeps open.
    let copy: RawFd = unsafe { libc::dup(dir.as_raw_fd()) };
    if copy < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `copy` is a descriptor of a directory that nothing else owns.
    let stream = unsafe { libc::fdopendir(copy) };
    if stream.is_null() {
        let e = io::Error::last_os_error();
        // SAFETY: fdopendir failed, so `copy` is still ours to close.
        unsafe { libc::close(copy) };
        return Err(e);
    }
    let mut names = Vec::new();
    loop {
        // SAFETY: `stream` is an open directory stream used by this thread only.
        let entry = unsafe { libc::readdir(stream) };
        if entry.is_null() {
            break;
        }
        // SAFETY: readdir returned an entry whose d_name is NUL-terminated.
        let name = unsafe { CStr::from_ptr((*entry).d_name.as_ptr()) };
        if name.to_bytes() != b"." && name.to_bytes() != b".." {
            names.push(name.to_owned());
        }
    }
    // SAFETY: the stream is open and closed once, which closes `copy` too.
    unsafe { libc::closedir(stream) };
    Ok(names)
}

/// Removes the directory `name` in `dir` and everything below it, never following a link.
fn remove_tree(dir: &OwnedFd, name: &CStr) -> io::Result<()> {
    let sub = open_dir_at(dir, name)?;
    for entry in entries(&sub)? {
        match stat_at(&sub, &entry) {
            Ok(mode) if mode & libc::S_IFMT == libc::S_IFDIR => remove_tree(&sub, &entry)?,
            Ok(_) => unlink_at(&sub, &entry, 0)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    drop(sub);
    unlink_at(dir, name, libc::AT_REMOVEDIR)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// The race the path-based check had: `dir` is checked, then swapped for a link to
    /// elsewhere before the write. Through the held handle the write still lands in the
    /// directory that was checked, never in the link's target.
    #[test]
    fn a_directory_swapped_for_a_link_after_the_check_is_not_written_through() {
        let project = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        crate::confine_to(project.path());
        let target = project.path().join("dir/f.txt");
        let parent = parent("cannot write", &target, true).unwrap().unwrap();
        fs::rename(project.path().join("dir"), project.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(outside.path(), project.path().join("dir")).unwrap();
        parent
            .write_atomic(&target, b"pack\n", Durability::Batch)
            .unwrap();
        assert!(!outside.path().join("f.txt").exists());
        assert_eq!(
            fs::read(project.path().join("moved/f.txt")).unwrap(),
            b"pack\n"
        );
        // A fresh write sees the link and refuses it.
        let err = crate::write_atomic(&target, b"x", Durability::Batch).unwrap_err();
        assert!(err.to_string().contains("leading out"), "{err}");
        let err = crate::remove_dir_all(&project.path().join("dir/sub")).unwrap_err();
        assert!(err.to_string().contains("leading out"), "{err}");
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn remove_dir_all_removes_links_inside_without_following_them() {
        let project = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("keep"), "k").unwrap();
        crate::confine_to(project.path());
        let tree = project.path().join("gen");
        fs::create_dir_all(tree.join("a/b")).unwrap();
        fs::write(tree.join("a/b/f"), "f").unwrap();
        std::os::unix::fs::symlink(outside.path(), tree.join("a/out")).unwrap();
        crate::remove_dir_all(&tree).unwrap();
        assert!(!tree.exists());
        assert!(outside.path().join("keep").exists());
        crate::remove_dir_all(&tree).unwrap();
        crate::create_dir_all(&project.path().join("x/y/z")).unwrap();
        assert!(project.path().join("x/y/z").is_dir());
        assert!(crate::remove_empty_dir(&project.path().join("x/y/z")));
    }
}
