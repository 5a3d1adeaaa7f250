//! `ggen packs yank ID@VERSION --registry PATH [--undo]`.

use ggen_registry::Registry;

use crate::args::{GlobalArgs, YankArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings::{self, registry_error};
use crate::{Outcome, Report};

pub fn run(args: &YankArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let (id, version) = parse_pack_version(&args.pack)?;
    let env = settings::environment(global)?;
    let location = env.registry.as_deref().ok_or_else(|| {
        CliError::usage("yanking needs a registry directory").with_hint("pass `--registry PATH`")
    })?;
    let access = ggen_project::packs::source::registry_access(&env);
    let registry = Registry::open(location, &env.cwd, &access).map_err(registry_error)?;
    let yanked =
        ggen_registry::yank(&registry, &id, &version, !args.undo).map_err(registry_error)?;
    if printer.json {
        document = Some(serde_json::json!({
            "id": yanked.id,
            "version": yanked.version,
            "yanked": yanked.yanked,
            "changed": yanked.changed,
            "registry": registry.describe(),
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    let what = format!("{}@{}", yanked.id, yanked.version);
    match (yanked.changed, yanked.yanked) {
        (true, true) => printer.status("Yanked", &what),
        (true, false) => printer.status("Unyanked", &what),
        (false, true) => printer.note(&format!("{what} was already yanked")),
        (false, false) => printer.note(&format!("{what} was not yanked")),
    }
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}

/// `ID@VERSION` with an exact version; anything else is a usage error.
fn parse_pack_version(spec: &str) -> Result<(String, semver::Version), CliError> {
    let usage = |message: String| {
        CliError::usage(format!("`{spec}`: {message}"))
            .with_hint("name one published version, e.g. `rust-web@1.2.0`")
    };
    let (id, version) = spec
        .split_once('@')
        .ok_or_else(|| usage("expected ID@VERSION".into()))?;
    if !ggen_pack::is_valid_pack_id(id) {
        return Err(usage("a pack id is [a-z0-9][a-z0-9_-]{0,63}".into()));
    }
    let version = semver::Version::parse(version)
        .map_err(|e| usage(format!("`{version}` is not a version ({e})")))?;
    Ok((id.to_string(), version))
}
