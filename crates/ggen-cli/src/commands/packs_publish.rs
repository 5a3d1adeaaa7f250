//! `ggen packs publish DIR --registry PATH [--sign-key FILE]`.

use std::path::Path;

use ggen_registry::{Registry, SecretKey};

use crate::args::{GlobalArgs, PublishArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings::{self, registry_error};
use crate::{Outcome, Report};

pub fn run(args: &PublishArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let location = env.registry.as_deref().ok_or_else(|| {
        CliError::usage("publishing needs a registry directory")
            .with_hint("pass `--registry PATH` (and `--init` to create a new one)")
    })?;
    refuse_new_registry(location, &env.cwd, args.init)?;
    let sign_key = args
        .sign_key
        .as_ref()
        .map(|path| SecretKey::read(&env.cwd.join(path)))
        .transpose()
        .map_err(|e| {
            registry_error(e).with_hint("a signing key is the FILE written by `ggen keys generate`")
        })?;
    let access = ggen_project::packs::source::registry_access(&env);
    let registry = Registry::create(location, &env.cwd, &access).map_err(registry_error)?;
    let published = ggen_registry::publish(&env.cwd.join(&args.dir), &registry, sign_key.as_ref())
        .map_err(registry_error)?;
    for warning in &published.warnings {
        printer.warn(warning);
    }
    let registry_dir = registry.describe();
    if printer.json {
        document = Some(serde_json::json!({
            "id": published.id,
            "version": published.version,
            "archive": published.archive,
            "integrity": published.integrity,
            "signature": published.signature,
            "registry": registry_dir,
        }));
    } else {
        let signed = match &published.signature {
            Some(s) => format!(", signed with {} key {}", s.algorithm, s.key_id),
            None => String::new(),
        };
        printer.status(
            "Published",
            &format!(
                "{} {} to {registry_dir} ({}{signed})",
                published.id, published.version, published.integrity
            ),
        );
    }
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}

/// A local registry must exist (a directory with `index.json` or `index/`) unless `--init`:
/// a typo in `--registry` must not quietly start a second registry.
fn refuse_new_registry(location: &str, cwd: &Path, init: bool) -> Result<(), CliError> {
    if init || location.starts_with("http://") || location.starts_with("https://") {
        return Ok(());
    }
    let dir = cwd.join(location.strip_prefix("file://").unwrap_or(location));
    if dir.join("index.json").is_file() || dir.join("index").is_dir() {
        return Ok(());
    }
    let what = if dir.exists() {
        "is not a registry yet"
    } else {
        "does not exist"
    };
    Err(CliError::new(format!("registry {} {what}", dir.display())).with_hint(format!(
        "check the path for a typo, or pass `--init` to create a new registry there: `ggen packs publish DIR --registry {location} --init`"
    )))
}
