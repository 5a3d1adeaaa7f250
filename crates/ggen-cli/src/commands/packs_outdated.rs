//! `ggen packs outdated`.

use crate::args::{GlobalArgs, OutdatedArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(
    args: &OutdatedArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Report, CliError> {
    let env = settings::environment(global)?;
    let rows = ggen_project::ops::outdated::outdated(&settings::project_layout(&env), &env)?;
    let behind: Vec<&str> = rows
        .iter()
        .filter(|r| r.has_newer(args.compatible))
        .map(|r| r.id.as_str())
        .collect();
    // Only --exit-code turns "a newer version exists" into exit 1 (a CI gate).
    let gate_fails = args.exit_code && !behind.is_empty();
    let range = if args.compatible { "compatible " } else { "" };
    let report = Report::new(Outcome::Success).with_json(
        printer,
        || serde_json::json!({ "outdated": behind, "packs": rows }),
    );
    let report = if gate_fails {
        report.failed(
            CliError::new(format!(
                "{} pack(s) have a newer {range}version: {}",
                behind.len(),
                behind.join(", ")
            ))
            .with_hint(format!(
                "`ggen packs update --all{}` moves them; `--dry-run` shows the plan first",
                if args.compatible { " --compatible" } else { "" }
            )),
        )
    } else {
        report
    };
    if printer.json {
        return Ok(report);
    }
    let mut text = format!(
        "{:<24} {:<12} {:<12} {:<12}\n",
        "pack", "current", "compatible", "newest"
    );
    for row in &rows {
        text.push_str(&format!(
            "{:<24} {:<12} {:<12} {:<12}\n",
            row.id,
            row.current,
            row.compatible.as_deref().unwrap_or("-"),
            row.newest.as_deref().unwrap_or("-"),
        ));
    }
    printer.out(&text);
    if behind.is_empty() {
        printer.note(&format!("every pack is at its newest {range}version"));
    }
    Ok(report)
}
