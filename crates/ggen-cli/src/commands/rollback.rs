//! `ggen rollback [TXID] [--force]`.

use ggen_project::ops::rollback::RollbackOptions;

use crate::args::{GlobalArgs, RollbackArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(
    args: &RollbackArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let reporter = Terminal::new(*printer);
    let options = RollbackOptions {
        to: args.txid.clone(),
        force: args.force,
    };
    let report = ggen_project::ops::rollback::rollback(
        &settings::project_layout(&env),
        &options,
        &env,
        &reporter,
    )?;
    if printer.json {
        document = Some(serde_json::json!({
            "transaction": report.transaction,
            "undone": report.undone,
            "files": report.files,
            "overwritten": report.overwritten,
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    for path in &report.overwritten {
        printer.warn(&format!("{path} had changed since; overwritten (--force)"));
    }
    for file in &report.files {
        if file.action != "unchanged" {
            printer.detail(
                if file.action == "delete" {
                    "Deleted"
                } else {
                    "Restored"
                },
                &file.path,
            );
        }
    }
    for undone in &report.undone {
        printer.status(
            "Undone",
            &format!("{} `{}` ({})", undone.id, undone.command, undone.time),
        );
    }
    let changed = report
        .files
        .iter()
        .filter(|f| f.action != "unchanged")
        .count();
    printer.status(
        "Rolled back",
        &format!(
            "{changed} file(s), ggen.lock and the snapshot as they were; `ggen rollback` undoes this (transaction {})",
            report.transaction
        ),
    );
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}
