//! `ggen packs publish DIR --registry PATH`.

use ggen_registry::Registry;

use crate::Outcome;
use crate::args::{GlobalArgs, PublishArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

pub fn run(
    args: &PublishArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Outcome, CliError> {
    let env = settings::environment(global)?;
    let location = env.registry.as_deref().ok_or_else(|| {
        CliError::usage("publishing needs a registry directory")
            .with_hint("pass `--registry PATH` (it is created if missing)")
    })?;
    let registry = Registry::create(location, &env.cwd)?;
    let published = ggen_registry::publish(&env.cwd.join(&args.dir), &registry).map_err(|e| {
        let hint = match &e {
            ggen_registry::RegistryError::AlreadyPublished { .. } => {
                Some("bump `version` in gpack.toml and publish again")
            }
            _ => None,
        };
        let err = CliError::from(e);
        match hint {
            Some(h) => err.with_hint(h),
            None => err,
        }
    })?;
    for warning in &published.warnings {
        printer.warn(warning);
    }
    if printer.json {
        printer.json_document(serde_json::json!({
            "status": "ok",
            "exit_code": 0,
            "id": published.id,
            "version": published.version,
            "archive": published.archive,
            "integrity": published.integrity,
            "registry": registry.root(),
        }));
    } else {
        printer.status(
            "Published",
            &format!(
                "{} {} to {} ({})",
                published.id,
                published.version,
                registry.root().display(),
                published.integrity
            ),
        );
    }
    Ok(Outcome::Success)
}
