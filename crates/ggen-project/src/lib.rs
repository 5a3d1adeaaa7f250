//! A project's life: its lockfile, snapshot and object store, generating packs into it and
//! installing them. Reports progress through [`Reporter`] and never prints.

pub mod drift;
mod error;
mod generation;
mod git_index;
pub mod history;
pub mod hooks;
pub mod install;
pub mod journal;
mod layout;
pub mod lifecycle;
pub mod lockfile;
pub mod objects;
pub mod outdated;
pub mod project_lock;
pub mod recovery;
mod reporter;
pub mod resolve;
pub mod rollback;
pub mod snapshot;
pub mod source;
pub mod transaction;
pub mod uninstall;
pub mod update;
pub mod watch;

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
    /// `--offline`: HTTP registries are read from the cache only.
    pub offline: bool,
    /// Timeouts and retries for HTTP registries.
    pub network: ggen_registry::NetworkOptions,
    /// Download progress and registry notices (the binary shows them).
    pub progress: ggen_registry::ProgressHandle,
    /// Trusted signing keys, and whether registry packs must be signed by one.
    pub trust: ggen_registry::TrustPolicy,
    /// How many transactions `.ggen/history` keeps (`history_limit`, `GGEN_HISTORY_LIMIT`).
    pub history_limit: usize,
}
