//! A project's life: its lockfile, snapshot and object store, generating packs into it and
//! installing them. Reports progress through [`Reporter`] and never prints.
//!
//! The rooms, from the bottom up:
//! - [`merge`]: the three versions of one file as one value;
//! - [`state`]: what a project stores (layout, `ggen.lock`, snapshot, objects, git index);
//! - [`transaction`]: changing it safely (journal, undo, recovery, project lock, history);
//! - [`packs`]: where pack versions come from and rendering them into files;
//! - [`plan`]: deciding, file by file, what a generation does to the project;
//! - [`project`]: opening a project for a command;
//! - [`ops`]: one module per operation (`ops::install`, `ops::update`, …).

mod error;
pub mod merge;
pub mod ops;
pub mod packs;
pub mod plan;
pub mod project;
mod reporter;
pub mod state;
pub mod transaction;

pub use error::ProjectError;
pub use reporter::{NoReporter, Reporter};
pub use state::layout::Layout;
/// Settings every operation shares: where packs come from and how to behave.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `$GGEN_HOME` (default `~/.ggen`): cache and configuration.
    pub ggen_home: std::path::PathBuf,
    /// `[defaults]` of `$GGEN_HOME/config.toml`: variable values used after the lock and
    /// before a pack's own default.
    pub variable_defaults: std::collections::BTreeMap<String, String>,
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
