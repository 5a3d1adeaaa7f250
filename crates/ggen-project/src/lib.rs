//! A project's life: its lockfile, snapshot and object store, generating packs into it and
//! installing them. Reports progress through [`Reporter`] and never prints.

mod error;
mod generation;
pub mod hooks;
pub mod install;
mod layout;
pub mod lockfile;
pub mod objects;
mod project_lock;
mod reporter;
pub mod snapshot;
pub mod source;

pub use error::ProjectError;
pub use layout::Layout;
pub use reporter::{NoReporter, Reporter};

/// Settings every operation shares: where packs come from and how to behave.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `$GGEN_HOME` (default `~/.ggen`): cache and configuration.
    pub ggen_home: std::path::PathBuf,
    /// The registry location (`--registry`, `GGEN_REGISTRY` or config), if any.
    pub registry: Option<String>,
    /// Directory that relative paths on the command line are relative to.
    pub cwd: std::path::PathBuf,
    /// Fail at once instead of waiting when another ggen holds the project lock.
    pub no_wait: bool,
    /// Resource bounds for rendering.
    pub limits: ggen_template::Limits,
}
