//! How the registry tells the user about downloads and stale caches without printing: the
//! binary implements [`Progress`] (progress bars, warnings); libraries only call it.

use std::sync::Arc;

/// Download progress and notices. Every method has a silent default.
pub trait Progress: Send + Sync {
    /// A download of `url` begins; `total` is its size when the server says.
    fn download_started(&self, _url: &str, _total: Option<u64>) {}
    /// `bytes` more of `url` arrived.
    fn download_advanced(&self, _url: &str, _bytes: u64) {}
    /// The download of `url` ended (successfully or not).
    fn download_finished(&self, _url: &str) {}
    /// Something the user should know that does not stop the command (a stale cache, a
    /// retry).
    fn warning(&self, _message: &str) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}

/// A shareable [`Progress`], silent by default.
#[derive(Clone)]
pub struct ProgressHandle(pub Arc<dyn Progress>);

impl ProgressHandle {
    pub fn new(progress: impl Progress + 'static) -> ProgressHandle {
        ProgressHandle(Arc::new(progress))
    }
}

impl Default for ProgressHandle {
    fn default() -> Self {
        ProgressHandle(Arc::new(Silent))
    }
}

impl std::fmt::Debug for ProgressHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHandle")
    }
}

impl std::ops::Deref for ProgressHandle {
    type Target = dyn Progress;

    fn deref(&self) -> &Self::Target {
        self.0.as_ref()
    }
}
