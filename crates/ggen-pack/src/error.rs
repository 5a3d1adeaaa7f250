//! Errors a user can act on when reading, validating or archiving a pack.

use std::path::PathBuf;

/// One variant per failure a user can act on; each names the file, key or variable involved.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `gpack.toml` is not valid TOML, or a value has the wrong type / an invalid value.
    /// `message` carries the parser's text (with line and column where it gives them).
    #[error("invalid manifest {path}: {message}")]
    Manifest { path: PathBuf, message: String },
    /// Every required variable without a value, at once; `list` is their names and
    /// descriptions, one per line.
    #[error("pack `{pack}`: required variables without a value:{list}")]
    MissingVariables {
        pack: String,
        missing: Vec<crate::variables::MissingVariable>,
        list: String,
    },
    #[error("pack `{pack}`: variable `{name}` = {value:?} does not match pattern `{pattern}`")]
    VariablePattern {
        pack: String,
        name: String,
        value: String,
        pattern: String,
    },
    #[error("pack `{pack}`: variable `{name}` = {value:?} is not allowed: expected {allowed}")]
    VariableValue {
        pack: String,
        name: String,
        value: String,
        allowed: String,
    },
    #[error("pack `{pack}`: {message}")]
    Files { pack: String, message: String },
    /// An archive that is hostile or malformed: the message names the entry and the rule broken.
    #[error("refusing pack archive {archive}: {message}")]
    Archive { archive: String, message: String },
}
