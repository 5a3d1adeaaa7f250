//! Turning global flags, environment variables and `$GGEN_HOME/config.toml` into the
//! settings operations run with.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ggen_project::Environment;
use ggen_registry::{NetworkOptions, ProgressHandle, TrustPolicy};
use serde::Deserialize;

use crate::args::GlobalArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;

/// `$GGEN_HOME/config.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    registry: Option<String>,
    #[serde(default)]
    require_signatures: bool,
    /// Seconds one HTTP request may take, body included.
    http_timeout: Option<u64>,
    /// How many transactions `.ggen/history` keeps.
    history_limit: Option<usize>,
    /// Variable values used after the lock and before a pack's default (`author = "Ada"`).
    #[serde(default)]
    defaults: toml::Table,
}

/// For tests: the first retry backoff in milliseconds (each retry doubles it).
const RETRY_BASE_VAR: &str = "GGEN_RETRY_BASE_MS";

/// Builds the environment: `-C` sets the working directory; the registry comes from
/// `--registry`, else `GGEN_REGISTRY`, else the config file; trusted keys from
/// `$GGEN_HOME/trusted_keys/*.pub` and `--trust-key`; signatures are required with
/// `--require-signatures` or `require_signatures = true`.
pub fn environment(args: &GlobalArgs) -> Result<Environment, CliError> {
    let current = std::env::current_dir()
        .map_err(|e| CliError::new(format!("cannot read the current directory: {e}")))?;
    let cwd = match &args.directory {
        Some(dir) => {
            let dir = current.join(dir);
            if !dir.is_dir() {
                return Err(CliError::usage(format!(
                    "-C {}: not a directory",
                    dir.display()
                )));
            }
            dir
        }
        None => current,
    };
    let ggen_home = ggen_home()?;
    let config = read_config(&ggen_home)?;
    let registry = args
        .registry
        .clone()
        .or_else(|| {
            std::env::var("GGEN_REGISTRY")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .or(config.registry);
    let trust = TrustPolicy::load(
        &ggen_home,
        &args
            .trust_keys
            .iter()
            .map(|p| cwd.join(p))
            .collect::<Vec<_>>(),
        args.require_signatures || config.require_signatures,
    )
    .map_err(|e| {
        let hint = e.hint();
        let err = CliError::from(e);
        match hint {
            Some(h) => err.with_hint(h),
            None => err.with_hint("a trusted key is a FILE.pub written by `ggen keys generate`"),
        }
    })?;
    let mut network = NetworkOptions::default();
    if let Some(secs) = config.http_timeout {
        network.timeout = Duration::from_secs(secs.max(1));
    }
    if let Some(ms) = std::env::var(RETRY_BASE_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        network.retry_base = Duration::from_millis(ms);
    }
    let history_limit = std::env::var(ggen_project::transaction::history::LIMIT_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .or(config.history_limit)
        .unwrap_or(ggen_project::transaction::history::DEFAULT_LIMIT);
    let progress = ProgressHandle::new(Terminal::new(Printer::new(args)));
    let mut limits = ggen_template::Limits::default();
    if let Some(n) = args.max_rows {
        limits.max_rows = n;
    }
    if let Some(n) = args.max_outputs {
        limits.max_outputs_per_template = n;
    }
    if let Some(n) = args.max_output_bytes {
        limits.max_output_bytes = n;
    }
    let variable_defaults = crate::var_file::table_values(&config.defaults).map_err(|message| {
        CliError::usage(format!(
            "{}: [defaults]: {message}",
            ggen_home.join("config.toml").display()
        ))
    })?;
    Ok(Environment {
        variable_defaults,
        ggen_home,
        registry,
        cwd,
        no_wait: args.no_wait,
        limits,
        offline: args.offline,
        network,
        progress,
        trust,
        history_limit,
    })
}

fn ggen_home() -> Result<PathBuf, CliError> {
    if let Some(home) = std::env::var_os("GGEN_HOME").filter(|s| !s.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    match std::env::var_os("HOME").filter(|s| !s.is_empty()) {
        Some(home) => Ok(Path::new(&home).join(".ggen")),
        None => Err(CliError::new("neither GGEN_HOME nor HOME is set")
            .with_hint("set GGEN_HOME to a directory ggen may use for its cache")),
    }
}

/// A registry error as the user sees it, with its hint.
pub fn registry_error(err: ggen_registry::RegistryError) -> CliError {
    let hint = err.hint();
    let cli = CliError::from(err);
    match hint {
        Some(h) => cli.with_hint(h),
        None => cli,
    }
}

/// The configured registry, opened for reading (directory, file:// or http(s)://).
pub fn open_registry(env: &Environment) -> Result<ggen_registry::Registry, CliError> {
    let location = env.registry.as_deref().ok_or_else(|| {
        CliError::new("no registry is configured")
            .with_hint("pass `--registry PATH|URL`, set GGEN_REGISTRY, or set `registry` in $GGEN_HOME/config.toml")
    })?;
    ggen_registry::Registry::open(
        location,
        &env.cwd,
        &ggen_project::packs::source::registry_access(env),
    )
    .map_err(registry_error)
}

fn read_config(ggen_home: &Path) -> Result<Config, CliError> {
    let path = ggen_home.join("config.toml");
    let Some(bytes) = ggen_fs::read_optional(&path)? else {
        return Ok(Config::default());
    };
    let text = String::from_utf8_lossy(&bytes);
    toml::from_str(&text)
        .map_err(|e| CliError::new(format!("invalid configuration {}: {e}", path.display())))
}

/// The project a command works on, found like git and cargo find theirs: the nearest
/// directory at or above the working directory (after `-C`) that holds `ggen.lock`; the
/// working directory itself when none does (a command that needs a project then says it
/// is not one; `packs install` creates one there).
pub fn project_root(env: &Environment) -> PathBuf {
    find_project(&env.cwd).unwrap_or_else(|| env.cwd.clone())
}

/// The nearest directory at or above `start` that holds `ggen.lock`.
pub fn find_project(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("ggen.lock").is_file())
        .map(Path::to_path_buf)
}

/// The layout of [`project_root`].
pub fn project_layout(env: &Environment) -> ggen_project::Layout {
    ggen_project::Layout::new(project_root(env))
}

/// A path the user typed (relative to the working directory, or absolute) as the
/// `/`-separated path inside the project at `root` that ggen.lock uses.
pub fn project_path(env: &Environment, root: &Path, given: &str) -> Result<String, CliError> {
    let full = lexical(&env.cwd.join(given));
    let inside = full.strip_prefix(lexical(root)).map_err(|_| {
        CliError::new(format!(
            "{given}: not inside the project at {}",
            root.display()
        ))
    })?;
    let parts: Vec<String> = inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(parts.join("/"))
}

/// `path` with `.` and `..` taken out without asking the file system (the file may be gone).
fn lexical(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}
