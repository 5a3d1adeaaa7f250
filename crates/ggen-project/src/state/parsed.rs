//! State files parsed once per process: a command reads `ggen.lock` and the snapshot when
//! the project is opened (to see whether they need repair) and again when it runs; the
//! second read of the same bytes takes the value parsed the first time.
//!
//! The key is the file's whole content (compared byte for byte, never a digest or a stat),
//! so a file that changed in between — a transaction committed, a user edited it — is
//! always parsed again.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The last file of one kind parsed by this process: its path, bytes and value.
pub(crate) struct Parsed<T> {
    last: Mutex<Option<(PathBuf, Vec<u8>, T)>>,
}

impl<T> Parsed<T> {
    pub(crate) const fn new() -> Parsed<T> {
        Parsed {
            last: Mutex::new(None),
        }
    }

    /// Parses `bytes` read from `path` and keeps the value for the next [`Parsed::take`] of
    /// the same bytes (the check before a command runs, whose value the command then uses).
    pub(crate) fn check<E>(
        &self,
        path: &Path,
        bytes: Vec<u8>,
        parse: impl FnOnce(&[u8]) -> Result<T, E>,
    ) -> Result<(), E> {
        let value = parse(&bytes)?;
        *self.slot() = Some((path.to_path_buf(), bytes, value));
        Ok(())
    }

    /// The value of `bytes` read from `path`: the one kept by [`Parsed::check`] when the
    /// bytes are the same (moved out: it is used once), else `parse(&bytes)`.
    pub(crate) fn take<E>(
        &self,
        path: &Path,
        bytes: Vec<u8>,
        parse: impl FnOnce(&[u8]) -> Result<T, E>,
    ) -> Result<T, E> {
        let kept = {
            let mut slot = self.slot();
            match slot.take() {
                Some((kept_path, kept_bytes, value))
                    if kept_path == path && kept_bytes == bytes =>
                {
                    Some(value)
                }
                _ => None,
            }
        };
        match kept {
            Some(value) => Ok(value),
            None => parse(&bytes),
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<(PathBuf, Vec<u8>, T)>> {
        self.last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checked_value_is_taken_once_for_the_same_bytes_only() {
        let parsed: Parsed<String> = Parsed::new();
        let calls = std::cell::Cell::new(0);
        let parse = |b: &[u8]| {
            calls.set(calls.get() + 1);
            Ok::<_, ()>(String::from_utf8_lossy(b).into_owned())
        };
        let (a, b) = (Path::new("a"), Path::new("b"));
        parsed.check(a, b"one".to_vec(), parse).unwrap();
        assert_eq!(parsed.take(a, b"one".to_vec(), parse).unwrap(), "one");
        assert_eq!(calls.get(), 1);
        // Taken: the next read parses again.
        assert_eq!(parsed.take(a, b"one".to_vec(), parse).unwrap(), "one");
        assert_eq!(calls.get(), 2);
        // Other bytes or another path: parsed, never the kept value.
        parsed.check(a, b"one".to_vec(), parse).unwrap();
        assert_eq!(parsed.take(a, b"two".to_vec(), parse).unwrap(), "two");
        parsed.check(a, b"one".to_vec(), parse).unwrap();
        assert_eq!(parsed.take(b, b"one".to_vec(), parse).unwrap(), "one");
        assert_eq!(calls.get(), 6);
    }
}
