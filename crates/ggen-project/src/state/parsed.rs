//! State files parsed once per process: a command reads `ggen.lock` and the snapshot when
//! the project is opened (to see whether they need repair) and again when it runs; the
//! second read of the same bytes takes the value parsed the first time.
//!
//! The key is the file's whole content (compared byte for byte, never a digest or a stat),
//! so a file that changed in between — a transaction committed, a user edited it — is
//! always parsed again.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::ProjectError;

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

    /// The file at `path` parsed (`None` when absent): the value kept by [`Parsed::check`]
    /// when the bytes are the same (moved out: it is used once), else `parse(&bytes)`.
    pub(crate) fn load(
        &self,
        path: &Path,
        parse: impl FnOnce(&[u8]) -> Result<T, ProjectError>,
    ) -> Result<Option<T>, ProjectError> {
        let Some(bytes) = ggen_fs::read_optional(path)? else {
            return Ok(None);
        };
        let kept = self.slot().take();
        match kept {
            Some((kept_path, kept_bytes, value)) if kept_path == path && kept_bytes == bytes => {
                Ok(Some(value))
            }
            _ => parse(&bytes).map(Some),
        }
    }

    /// Whether the file at `path` (if any) parses; the value is kept for the next
    /// [`Parsed::load`] of the same bytes (the check before a command runs, whose value the
    /// command then uses).
    pub(crate) fn check(
        &self,
        path: &Path,
        parse: impl FnOnce(&[u8]) -> Result<T, ProjectError>,
    ) -> Result<(), ProjectError> {
        let Some(bytes) = ggen_fs::read_optional(path)? else {
            return Ok(());
        };
        let value = parse(&bytes)?;
        *self.slot() = Some((path.to_path_buf(), bytes, value));
        Ok(())
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
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let parsed: Parsed<String> = Parsed::new();
        let calls = std::cell::Cell::new(0);
        let parse = |bytes: &[u8]| {
            calls.set(calls.get() + 1);
            Ok(String::from_utf8_lossy(bytes).into_owned())
        };
        std::fs::write(&a, "one").unwrap();
        std::fs::write(&b, "one").unwrap();
        parsed.check(&a, parse).unwrap();
        assert_eq!(parsed.load(&a, parse).unwrap().unwrap(), "one");
        assert_eq!(calls.get(), 1);
        // Taken: the next load parses again.
        assert_eq!(parsed.load(&a, parse).unwrap().unwrap(), "one");
        assert_eq!(calls.get(), 2);
        // Changed bytes or another path: parsed, never the kept value.
        parsed.check(&a, parse).unwrap();
        std::fs::write(&a, "two").unwrap();
        assert_eq!(parsed.load(&a, parse).unwrap().unwrap(), "two");
        parsed.check(&a, parse).unwrap();
        assert_eq!(parsed.load(&b, parse).unwrap().unwrap(), "one");
        assert_eq!(calls.get(), 6);
        // Absent: nothing to check, nothing loaded.
        let absent = dir.path().join("absent");
        parsed.check(&absent, parse).unwrap();
        assert!(parsed.load(&absent, parse).unwrap().is_none());
    }
}
