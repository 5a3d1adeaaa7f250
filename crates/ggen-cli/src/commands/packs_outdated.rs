//! `ggen packs outdated`.

use ggen_project::Layout;

use crate::args::GlobalArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let rows = ggen_project::ops::outdated::outdated(&Layout::new(env.cwd.clone()), &env)?;
    if printer.json {
        document = Some(serde_json::json!({
            "packs": rows,
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
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
    if !rows.iter().any(|r| r.is_outdated()) {
        printer.note("every pack is at its newest version");
    }
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}
