//! `sha256-<hex>` integrity strings, the one hash format ggen stores.

/// `sha256-<lowercase hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    unimplemented!()
}
