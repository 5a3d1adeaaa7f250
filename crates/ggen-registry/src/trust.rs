//! Which signed packs to accept: the keys the user trusts (`$GGEN_HOME/trusted_keys/*.pub`
//! and `--trust-key`), whether signatures are required, and each index entry's status.

use std::path::{Path, PathBuf};

use crate::signature::{Algorithm, PublicKey, message};
use crate::{RegistryError, VersionEntry};

/// What is known of an index entry's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    Unsigned,
    /// Signed by a trusted key, and the signature verifies.
    Verified {
        algorithm: String,
        key_id: String,
    },
    /// Signed by a key the user does not trust: it cannot be checked.
    UntrustedKey {
        algorithm: String,
        key_id: String,
    },
    /// Malformed, or does not verify against the trusted key it names.
    Bad {
        message: String,
    },
}

impl SignatureStatus {
    /// A word or phrase for listings.
    pub fn describe(&self) -> String {
        match self {
            SignatureStatus::Unsigned => "unsigned".into(),
            SignatureStatus::Verified { algorithm, key_id } => {
                format!("signed ({algorithm} {key_id}, trusted, verified)")
            }
            SignatureStatus::UntrustedKey { algorithm, key_id } => {
                format!("signed ({algorithm} {key_id}, key not trusted)")
            }
            SignatureStatus::Bad { message } => format!("BAD SIGNATURE: {message}"),
        }
    }
}

/// The keys the user trusts and whether signatures are required.
#[derive(Debug, Clone, Default)]
pub struct TrustPolicy {
    pub keys: Vec<PublicKey>,
    pub require: bool,
}

impl TrustPolicy {
    /// Every `*.pub` in `$GGEN_HOME/trusted_keys/` (sorted) and each of `extra`.
    pub fn load(
        ggen_home: &Path,
        extra: &[PathBuf],
        require: bool,
    ) -> Result<TrustPolicy, RegistryError> {
        let dir = ggen_home.join("trusted_keys");
        let mut paths = Vec::new();
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for entry in entries {
                    let entry = entry.map_err(|e| ggen_fs::FsError::new("cannot read", &dir, e))?;
                    let path = entry.path();
                    if path.extension().is_some_and(|e| e == "pub") {
                        paths.push(path);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(ggen_fs::FsError::new("cannot read", &dir, e).into()),
        }
        paths.sort();
        paths.extend(extra.iter().cloned());
        let keys = paths
            .iter()
            .map(|p| PublicKey::read(p))
            .collect::<Result<_, _>>()?;
        Ok(TrustPolicy { keys, require })
    }

    /// The status of `entry`'s signature, never failing: for listings.
    pub fn status(&self, id: &str, entry: &VersionEntry) -> SignatureStatus {
        let Some(signature) = &entry.signature else {
            return SignatureStatus::Unsigned;
        };
        let bad = |message: String| SignatureStatus::Bad { message };
        let Some(algorithm) = Algorithm::parse(&signature.algorithm) else {
            return bad(format!("unknown algorithm {:?}", signature.algorithm));
        };
        let Ok(value) = hex::decode(&signature.value) else {
            return bad("the signature is not hex".into());
        };
        let Some(key) = self
            .keys
            .iter()
            .find(|k| k.algorithm == algorithm && k.key_id == signature.key_id)
        else {
            return SignatureStatus::UntrustedKey {
                algorithm: signature.algorithm.clone(),
                key_id: signature.key_id.clone(),
            };
        };
        if key.verifies(&message(id, &entry.version, &entry.sha256), &value) {
            SignatureStatus::Verified {
                algorithm: signature.algorithm.clone(),
                key_id: signature.key_id.clone(),
            }
        } else {
            bad(format!(
                "it does not verify against trusted {} key {}",
                signature.algorithm, signature.key_id
            ))
        }
    }

    /// Accepts or refuses `entry` before anything of it is written: a bad signature always
    /// refuses it; a missing or unverifiable one only when signatures are required.
    pub fn check(&self, id: &str, entry: &VersionEntry) -> Result<SignatureStatus, RegistryError> {
        let status = self.status(id, entry);
        let version = entry.version.clone();
        match &status {
            SignatureStatus::Bad { message } => Err(RegistryError::BadSignature {
                id: id.to_string(),
                version,
                message: message.clone(),
            }),
            SignatureStatus::Unsigned if self.require => Err(RegistryError::Unsigned {
                id: id.to_string(),
                version,
            }),
            SignatureStatus::UntrustedKey { algorithm, key_id } if self.require => {
                Err(RegistryError::UntrustedKey {
                    id: id.to_string(),
                    version,
                    algorithm: algorithm.clone(),
                    key_id: key_id.clone(),
                })
            }
            _ => Ok(status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, SecretKey, Signature};

    fn entry(signature: Option<Signature>) -> VersionEntry {
        VersionEntry {
            version: "1.0.0".into(),
            description: String::new(),
            archive: "packs/p/p-1.0.0.tar.gz".into(),
            sha256: "ab".repeat(32),
            dependencies: Default::default(),
            yanked: false,
            published_at: String::new(),
            signature,
        }
    }

    fn round_trip(algorithm: Algorithm) {
        let secret = SecretKey::from_seed(algorithm, [7; 32]);
        let public = secret.public().clone();

        let signed = entry(Some(secret.sign("p", "1.0.0", &"ab".repeat(32)).unwrap()));
        let trusting = TrustPolicy {
            keys: vec![public],
            require: true,
        };
        assert!(matches!(
            trusting.check("p", &signed).unwrap(),
            SignatureStatus::Verified { .. }
        ));
        // The signature binds id, version and hash.
        let mut other_hash = signed.clone();
        other_hash.sha256 = "cd".repeat(32);
        assert!(matches!(
            trusting.check("p", &other_hash),
            Err(RegistryError::BadSignature { .. })
        ));
        let mut other_version = signed.clone();
        other_version.version = "1.0.1".into();
        assert!(trusting.check("p", &other_version).is_err());
        assert!(trusting.check("q", &signed).is_err());

        let nobody = TrustPolicy::default();
        assert!(matches!(
            nobody.check("p", &signed).unwrap(),
            SignatureStatus::UntrustedKey { .. }
        ));
        let strict = TrustPolicy {
            keys: Vec::new(),
            require: true,
        };
        assert!(matches!(
            strict.check("p", &signed),
            Err(RegistryError::UntrustedKey { .. })
        ));
        assert!(matches!(
            strict.check("p", &entry(None)),
            Err(RegistryError::Unsigned { .. })
        ));
    }

    #[test]
    fn ed25519_signatures_verify_and_bind_the_entry() {
        round_trip(Algorithm::Ed25519);
    }

    #[test]
    fn ml_dsa_65_signatures_verify_and_bind_the_entry() {
        round_trip(Algorithm::MlDsa65);
    }

    #[test]
    fn malformed_signatures_are_refused_even_when_not_required() {
        let policy = TrustPolicy::default();
        let garbage = Signature {
            algorithm: "rsa".into(),
            key_id: "00".into(),
            value: "00".into(),
        };
        assert!(matches!(
            policy.check("p", &entry(Some(garbage))),
            Err(RegistryError::BadSignature { .. })
        ));
    }
}
