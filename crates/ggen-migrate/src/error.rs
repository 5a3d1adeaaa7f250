//! What can stop a migration before any file is written.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{0}: no pack.toml, ggen.toml or gpack.toml here; this is not a pack of the original ggen"
    )]
    NotAPack(PathBuf),
    #[error("{path}: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("{0} exists and is not empty; choose another --out directory")]
    OutputNotEmpty(PathBuf),
}

impl MigrateError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> MigrateError {
        MigrateError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
