//! `sha256-<hex>` integrity strings, the one hash format ggen stores.

use sha2::{Digest, Sha256};

/// `sha256-<lowercase hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    sha256_of_parts(&[bytes])
}

/// `sha256-<lowercase hex>` of the concatenation of `parts`, without building it.
pub fn sha256_of_parts(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    format!("sha256-{}", hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::sha256;

    #[test]
    fn matches_sha256sum() {
        // `printf abc | sha256sum`
        assert_eq!(
            sha256(b"abc"),
            "sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(super::sha256_of_parts(&[b"a", b"", b"bc"]), sha256(b"abc"));
    }
}
