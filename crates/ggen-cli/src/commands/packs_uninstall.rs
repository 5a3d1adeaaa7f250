//! `ggen packs uninstall ID`.

use ggen_project::Layout;

use crate::Outcome;
use crate::args::{GlobalArgs, UninstallArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::TerminalReporter;
use crate::settings;

pub fn run(
    args: &UninstallArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Outcome, CliError> {
    let env = settings::environment(global)?;
    let reporter = TerminalReporter::new(printer.interactive(), global.quiet);
    let report = ggen_project::ops::uninstall::uninstall(
        &Layout::new(env.cwd.clone()),
        &args.id,
        args.force,
        &env,
        &reporter,
    )?;
    if printer.json {
        printer.json_document(serde_json::json!({
            "status": "ok",
            "exit_code": 0,
            "id": report.id,
            "version": report.version,
            "removed": report.removed,
            "kept": report.kept,
        }));
        return Ok(Outcome::Success);
    }
    for path in &report.removed {
        printer.detail("Removed", path);
    }
    for path in &report.kept {
        printer.warn(&format!(
            "{path} was changed by you: kept (no longer tracked)"
        ));
    }
    printer.status(
        "Uninstalled",
        &format!(
            "{} {} ({} files removed, {} kept)",
            report.id,
            report.version,
            report.removed.len(),
            report.kept.len()
        ),
    );
    Ok(Outcome::Success)
}
