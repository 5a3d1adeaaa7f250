//! Reading inputs safely: only regular files are opened (a FIFO, `/dev/zero` or a directory
//! given as a manifest, template, graph or index is an error, never a hang), and every read
//! is capped so a huge file is refused instead of exhausting memory.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use crate::FsError;

/// The most any one read takes into memory unless the caller asks for less: 1 GiB.
pub const MAX_READ_BYTES: u64 = 1 << 30;

/// Opens `path` for reading if it is a regular file (following symbolic links). Opening does
/// not block on a FIFO.
pub fn open_regular(path: &Path) -> io::Result<File> {
    open_regular_sized(path).map(|(file, _)| file)
}

/// [`open_regular`] that also returns the file's size when opened.
fn open_regular_sized(path: &Path) -> io::Result<(File, u64)> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file ({})", kind_of(&meta)),
        ));
    }
    Ok((file, meta.len()))
}

/// Reads the regular file at `path`, at most `limit` bytes; larger is an error naming the
/// limit.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, FsError> {
    read_capped_io(path, limit).map_err(|e| FsError::new("cannot read", path, e))
}

/// [`read_capped`] with a bare [`io::Error`], for callers that wrap errors themselves.
pub fn read_capped_io(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, size) = open_regular_sized(path)?;
    // Sized for the whole file (plus the byte that tells it grew): one read, not a doubling
    // buffer's dozens. The cap still holds if the file grows meanwhile.
    let mut bytes = Vec::with_capacity(size.min(limit).saturating_add(1) as usize);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("larger than the limit of {limit} bytes"),
        ));
    }
    Ok(bytes)
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_directories_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads the NUL-terminated name only.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        for (path, kind) in [
            (fifo.as_path(), "a FIFO"),
            (Path::new("/dev/zero"), "a device"),
            (dir.path(), "a directory"),
        ] {
            let err = read_capped(path, 10).unwrap_err();
            assert!(err.to_string().contains(kind), "{err}");
        }
    }

    #[test]
    fn reads_over_the_cap_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, [b'x'; 11]).unwrap();
        let err = read_capped(&path, 10).unwrap_err();
        assert!(err.to_string().contains("limit of 10 bytes"), "{err}");
        assert_eq!(read_capped(&path, 11).unwrap().len(), 11);
    }
}
