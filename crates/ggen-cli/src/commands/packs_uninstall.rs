//! `ggen packs uninstall ID`.

use crate::args::{GlobalArgs, UninstallArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(
    args: &UninstallArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let reporter = Terminal::new(*printer);
    let report = ggen_project::ops::uninstall::uninstall(
        &settings::project_layout(&env),
        &args.id,
        args.force,
        &env,
        &reporter,
    )?;
    if printer.json {
        document = Some(serde_json::json!({
            "id": report.id,
            "version": report.version,
            "removed": report.removed,
            "kept": report.kept,
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
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
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}
