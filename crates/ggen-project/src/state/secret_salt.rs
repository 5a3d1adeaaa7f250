//! `.ggen/secret-salt`: a random value local to one checkout, so that the render cache's keys
//! can change with a secret variable without being a plain hash of it (a short token's plain
//! hash is found by trying values).

use std::sync::atomic::{AtomicBool, Ordering};

use ggen_fs::Durability;

use crate::{Layout, ProjectError};

/// The salt of one project, read from `.ggen/secret-salt` or made anew.
pub struct SecretSalt {
    salt: String,
    /// Not on disk yet.
    fresh: bool,
    /// A key was made with it, so it must be kept for the next command to reuse the cache.
    used: AtomicBool,
}

impl SecretSalt {
    /// The project's salt; a new random one when it has none (written by [`SecretSalt::keep`]).
    pub fn load(layout: &Layout) -> Result<SecretSalt, ProjectError> {
        let path = layout.secret_salt();
        if let Some(bytes) = ggen_fs::read_optional(&path)? {
            let salt = String::from_utf8_lossy(&bytes).trim().to_string();
            if salt.len() >= 32 {
                return Ok(SecretSalt {
                    salt,
                    fresh: false,
                    used: AtomicBool::new(false),
                });
            }
        }
        SecretSalt::random().map_err(|err| ProjectError::Internal {
            message: format!("no random numbers for {}: {err}", path.display()),
        })
    }

    /// A random salt for a render whose cache keys are thrown away (never written).
    pub fn unkept() -> Result<SecretSalt, ProjectError> {
        SecretSalt::random().map_err(|err| ProjectError::Internal {
            message: format!("no random numbers: {err}"),
        })
    }

    /// A new random salt, not on disk yet.
    fn random() -> Result<SecretSalt, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(SecretSalt {
            salt: hex::encode(bytes),
            fresh: true,
            used: AtomicBool::new(false),
        })
    }

    /// What a cache key holds for the secret `value`: a salted hash of it.
    pub fn hide(&self, value: &str) -> String {
        self.used.store(true, Ordering::Relaxed);
        let mut bytes = Vec::with_capacity(self.salt.len() + value.len() + 8);
        bytes.extend_from_slice(self.salt.as_bytes());
        bytes.extend_from_slice(&(value.len() as u64).to_le_bytes());
        bytes.extend_from_slice(value.as_bytes());
        ggen_pack::integrity::sha256(&bytes)
    }

    /// Writes a new salt that a key was made with, so the next command reuses the cache.
    /// Losing it only costs one full render.
    pub fn keep(&self, layout: &Layout) -> Result<(), ProjectError> {
        if self.fresh && self.used.load(Ordering::Relaxed) {
            layout.ensure_state_dir()?;
            ggen_fs::write_atomic(
                &layout.secret_salt(),
                format!("{}\n", self.salt).as_bytes(),
                Durability::Sync,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_salt_is_reused_and_hides_values() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        let first = SecretSalt::load(&layout).unwrap();
        let hidden = first.hide("s3cret");
        assert!(!hidden.contains("s3cret"));
        assert_ne!(hidden, ggen_pack::integrity::sha256(b"s3cret"));
        first.keep(&layout).unwrap();
        let again = SecretSalt::load(&layout).unwrap();
        assert_eq!(again.hide("s3cret"), hidden);
        // Another checkout has another salt: the same secret gives another key.
        let other = tempfile::tempdir().unwrap();
        let elsewhere = SecretSalt::load(&Layout::new(other.path())).unwrap();
        assert_ne!(elsewhere.hide("s3cret"), hidden);
    }

    #[test]
    fn an_unused_salt_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        SecretSalt::load(&layout).unwrap().keep(&layout).unwrap();
        assert!(!layout.secret_salt().exists());
    }
}
