//! Turning global flags, environment variables and `$GGEN_HOME/config.toml` into the
//! settings operations run with.

use std::path::{Path, PathBuf};

use ggen_project::Environment;
use serde::Deserialize;

use crate::args::GlobalArgs;
use crate::error::CliError;

/// `$GGEN_HOME/config.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    registry: Option<String>,
    #[serde(default)]
    require_signatures: bool,
}

/// Builds the environment: `-C` sets the working directory; the registry comes from
/// `--registry`, else `GGEN_REGISTRY`, else the config file.
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
    let _ = config.require_signatures;
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
    Ok(Environment {
        ggen_home,
        registry,
        cwd,
        no_wait: args.no_wait,
        limits,
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

fn read_config(ggen_home: &Path) -> Result<Config, CliError> {
    let path = ggen_home.join("config.toml");
    let Some(bytes) = ggen_fs::read_optional(&path)? else {
        return Ok(Config::default());
    };
    let text = String::from_utf8_lossy(&bytes);
    toml::from_str(&text)
        .map_err(|e| CliError::new(format!("invalid configuration {}: {e}", path.display())))
}
