//! `sha256-<hex>` integrity strings, the one hash format ggen stores.

use sha2::{Digest, Sha256};

/// `sha256-<lowercase hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("sha256-{}", hex::encode(digest))
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
    }
}
