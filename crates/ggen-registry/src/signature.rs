//! Pack signatures: Ed25519 or ML-DSA-65 key pairs in a small text format, signing a pack's
//! id, version and archive sha256, and verifying such a signature (which keys are trusted is
//! `trust.rs`'s business).
//!
//! A key file is TOML that names its algorithm:
//!
//! ```text
//! # ggen public key: trust it with `--trust-key FILE` or copy it into $GGEN_HOME/trusted_keys/
//! algorithm = "ed25519"
//! key_id = "8f3a…"                 16 hex digits: sha256("<algorithm>:" + public key)[..8]
//! public_key = "…"                 hex
//! ```
//!
//! The secret file has `secret_key` (the hex 32-byte seed both algorithms derive their key
//! pair from) instead of `public_key`. The signed message is
//! `ggen-pack-signature-v1\nid=<id>\nversion=<version>\nsha256=<hex>\n`.

use std::path::{Path, PathBuf};

use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::RegistryError;

/// ML-DSA's context string: signatures made for ggen packs mean nothing elsewhere.
const ML_DSA_CONTEXT: &[u8] = b"ggen-pack";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Ed25519,
    MlDsa65,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Ed25519 => "ed25519",
            Algorithm::MlDsa65 => "ml-dsa-65",
        }
    }

    pub fn parse(name: &str) -> Option<Algorithm> {
        match name {
            "ed25519" => Some(Algorithm::Ed25519),
            "ml-dsa-65" => Some(Algorithm::MlDsa65),
            _ => None,
        }
    }
}

/// A public key that signatures are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub algorithm: Algorithm,
    pub key_id: String,
    bytes: Vec<u8>,
}

/// A signing key: the 32-byte seed and the public key derived from it.
pub struct SecretKey {
    seed: [u8; 32],
    public: PublicKey,
}

/// A signature as stored in an index entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub algorithm: String,
    pub key_id: String,
    /// Hex.
    pub value: String,
}

impl Signature {
    /// The form recorded in `ggen.lock`: `<algorithm>:<key id>:<hex>`.
    pub fn to_lock_string(&self) -> String {
        format!("{}:{}:{}", self.algorithm, self.key_id, self.value)
    }
}

pub(crate) fn message(id: &str, version: &str, sha256: &str) -> Vec<u8> {
    format!("ggen-pack-signature-v1\nid={id}\nversion={version}\nsha256={sha256}\n").into_bytes()
}

fn key_id(algorithm: Algorithm, public: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(algorithm.name().as_bytes());
    hasher.update(b":");
    hasher.update(public);
    hex::encode(&hasher.finalize()[..8])
}

fn public_bytes(algorithm: Algorithm, seed: &[u8; 32]) -> Vec<u8> {
    match algorithm {
        Algorithm::Ed25519 => ed25519_dalek::SigningKey::from_bytes(seed)
            .verifying_key()
            .to_bytes()
            .to_vec(),
        Algorithm::MlDsa65 => {
            let key = ml_dsa::SigningKey::<ml_dsa::MlDsa65>::from_seed(&(*seed).into());
            key.expanded_key().verifying_key().encode().to_vec()
        }
    }
}

impl SecretKey {
    /// A new key pair from the operating system's random source.
    pub fn generate(algorithm: Algorithm) -> Result<SecretKey, RegistryError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| RegistryError::Key {
            path: PathBuf::from("(new key)"),
            message: format!("no randomness available: {e}"),
        })?;
        Ok(SecretKey::from_seed(algorithm, seed))
    }

    pub(crate) fn from_seed(algorithm: Algorithm, seed: [u8; 32]) -> SecretKey {
        let bytes = public_bytes(algorithm, &seed);
        SecretKey {
            seed,
            public: PublicKey {
                algorithm,
                key_id: key_id(algorithm, &bytes),
                bytes,
            },
        }
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Signs the index entry fields that identify one archive.
    pub fn sign(&self, id: &str, version: &str, sha256: &str) -> Result<Signature, RegistryError> {
        let message = message(id, version, sha256);
        let value = match self.public.algorithm {
            Algorithm::Ed25519 => ed25519_dalek::SigningKey::from_bytes(&self.seed)
                .sign(&message)
                .to_bytes()
                .to_vec(),
            Algorithm::MlDsa65 => {
                let key = ml_dsa::SigningKey::<ml_dsa::MlDsa65>::from_seed(&self.seed.into());
                key.expanded_key()
                    .sign_deterministic(&message, ML_DSA_CONTEXT)
                    .map_err(|e| RegistryError::Key {
                        path: PathBuf::from(&self.public.key_id),
                        message: format!("ML-DSA signing failed: {e}"),
                    })?
                    .encode()
                    .to_vec()
            }
        };
        Ok(Signature {
            algorithm: self.public.algorithm.name().to_string(),
            key_id: self.public.key_id.clone(),
            value: hex::encode(value),
        })
    }

    /// Writes the secret key to `path` (readable by its owner only) and the public key to
    /// `path.pub`, refusing to replace either. Returns the public key's path.
    pub fn write_pair(&self, path: &Path) -> Result<PathBuf, RegistryError> {
        let mut public_path = path.as_os_str().to_owned();
        public_path.push(".pub");
        let public_path = PathBuf::from(public_path);
        for existing in [path, public_path.as_path()] {
            if std::fs::symlink_metadata(existing).is_ok() {
                return Err(RegistryError::Key {
                    path: existing.to_path_buf(),
                    message: "already exists; a key is never overwritten".into(),
                });
            }
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            ggen_fs::create_dir_all(parent)?;
        }
        write_new_file(path, self.to_text().as_bytes(), 0o600)?;
        write_new_file(&public_path, self.public.to_text().as_bytes(), 0o644)?;
        Ok(public_path)
    }

    pub fn to_text(&self) -> String {
        format!(
            "# ggen secret key: keep it private; sign with `ggen packs publish DIR --sign-key FILE`\n\
             algorithm = \"{}\"\nkey_id = \"{}\"\nsecret_key = \"{}\"\n",
            self.public.algorithm.name(),
            self.public.key_id,
            hex::encode(self.seed)
        )
    }

    /// Reads a secret key file.
    pub fn read(path: &Path) -> Result<SecretKey, RegistryError> {
        let file: KeyFile = read_key_file(path)?;
        let bad = |message: String| RegistryError::Key {
            path: path.to_path_buf(),
            message,
        };
        let algorithm = file.algorithm(path)?;
        let hex_seed = file.secret_key.ok_or_else(|| {
            bad("no `secret_key` (is this the public half? the secret file has no .pub)".into())
        })?;
        let seed: [u8; 32] = hex::decode(hex_seed.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("`secret_key` is not 32 bytes of hex".into()))?;
        let key = SecretKey::from_seed(algorithm, seed);
        if file.key_id != key.public.key_id {
            return Err(bad(format!(
                "`key_id` {} does not match the key (expected {})",
                file.key_id, key.public.key_id
            )));
        }
        Ok(key)
    }
}

impl PublicKey {
    pub fn to_text(&self) -> String {
        format!(
            "# ggen public key: trust it with `--trust-key FILE` or copy it into $GGEN_HOME/trusted_keys/\n\
             algorithm = \"{}\"\nkey_id = \"{}\"\npublic_key = \"{}\"\n",
            self.algorithm.name(),
            self.key_id,
            hex::encode(&self.bytes)
        )
    }

    /// Reads a public key file.
    pub fn read(path: &Path) -> Result<PublicKey, RegistryError> {
        let file: KeyFile = read_key_file(path)?;
        let bad = |message: String| RegistryError::Key {
            path: path.to_path_buf(),
            message,
        };
        let algorithm = file.algorithm(path)?;
        let bytes = file
            .public_key
            .as_deref()
            .and_then(|h| hex::decode(h.trim()).ok())
            .ok_or_else(|| bad("no hex `public_key`".into()))?;
        let expected_len = match algorithm {
            Algorithm::Ed25519 => 32,
            Algorithm::MlDsa65 => 1952,
        };
        if bytes.len() != expected_len {
            return Err(bad(format!(
                "an {} public key is {expected_len} bytes, this one is {}",
                algorithm.name(),
                bytes.len()
            )));
        }
        if algorithm == Algorithm::Ed25519 {
            let array: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| bad("bad length".into()))?;
            ed25519_dalek::VerifyingKey::from_bytes(&array)
                .map_err(|_| bad("not a valid ed25519 public key".into()))?;
        }
        let computed = key_id(algorithm, &bytes);
        if file.key_id != computed {
            return Err(bad(format!(
                "`key_id` {} does not match the key (expected {computed})",
                file.key_id
            )));
        }
        Ok(PublicKey {
            algorithm,
            key_id: computed,
            bytes,
        })
    }

    /// True when `value` (raw signature bytes) signs `message` under this key.
    pub(crate) fn verifies(&self, message: &[u8], value: &[u8]) -> bool {
        match self.algorithm {
            Algorithm::Ed25519 => {
                let Ok(key_bytes) = <[u8; 32]>::try_from(self.bytes.as_slice()) else {
                    return false;
                };
                let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key_bytes) else {
                    return false;
                };
                let Ok(signature) = ed25519_dalek::Signature::from_slice(value) else {
                    return false;
                };
                key.verify_strict(message, &signature).is_ok()
            }
            Algorithm::MlDsa65 => {
                let Ok(encoded_key) =
                    ml_dsa::EncodedVerifyingKey::<ml_dsa::MlDsa65>::try_from(self.bytes.as_slice())
                else {
                    return false;
                };
                let key = ml_dsa::VerifyingKey::<ml_dsa::MlDsa65>::decode(&encoded_key);
                let Ok(encoded) = ml_dsa::EncodedSignature::<ml_dsa::MlDsa65>::try_from(value)
                else {
                    return false;
                };
                let Some(signature) = ml_dsa::Signature::<ml_dsa::MlDsa65>::decode(&encoded) else {
                    return false;
                };
                key.verify_with_context(message, ML_DSA_CONTEXT, &signature)
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    algorithm: String,
    key_id: String,
    public_key: Option<String>,
    secret_key: Option<String>,
}

impl KeyFile {
    fn algorithm(&self, path: &Path) -> Result<Algorithm, RegistryError> {
        Algorithm::parse(&self.algorithm).ok_or_else(|| RegistryError::Key {
            path: path.to_path_buf(),
            message: format!(
                "unknown algorithm {:?} (expected \"ed25519\" or \"ml-dsa-65\")",
                self.algorithm
            ),
        })
    }
}

fn write_new_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), RegistryError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options
        .open(path)
        .map_err(|e| ggen_fs::FsError::new("cannot create", path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| ggen_fs::FsError::new("cannot write", path, e))?;
    Ok(())
}

fn read_key_file(path: &Path) -> Result<KeyFile, RegistryError> {
    let bytes = ggen_fs::read(path)?;
    let text = String::from_utf8(bytes).map_err(|_| RegistryError::Key {
        path: path.to_path_buf(),
        message: "not UTF-8 text".into(),
    })?;
    toml::from_str(&text).map_err(|e| RegistryError::Key {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_round_trip_for_both_algorithms() {
        let dir = tempfile::tempdir().unwrap();
        for algorithm in [Algorithm::Ed25519, Algorithm::MlDsa65] {
            let key = SecretKey::from_seed(algorithm, [7; 32]);
            let path = dir.path().join(algorithm.name());
            let public_path = key.write_pair(&path).unwrap();
            let secret = SecretKey::read(&path).unwrap();
            assert_eq!(secret.public(), key.public());
            assert_eq!(&PublicKey::read(&public_path).unwrap(), key.public());
            assert!(key.write_pair(&path).is_err(), "a key is never overwritten");
            let signature = secret.sign("p", "1.0.0", &"ab".repeat(32)).unwrap();
            let message = message("p", "1.0.0", &"ab".repeat(32));
            let value = hex::decode(&signature.value).unwrap();
            assert!(key.public().verifies(&message, &value));
            assert!(!key.public().verifies(&message[1..], &value));
        }
    }

    #[test]
    fn a_key_file_with_a_wrong_id_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretKey::from_seed(Algorithm::Ed25519, [1; 32]);
        let text = key
            .public()
            .to_text()
            .replace(&key.public().key_id, "0000000000000000");
        std::fs::write(dir.path().join("k.pub"), text).unwrap();
        let err = PublicKey::read(&dir.path().join("k.pub")).unwrap_err();
        assert!(err.to_string().contains("does not match"), "{err}");
    }
}
