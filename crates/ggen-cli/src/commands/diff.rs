//! `ggen diff [PATH…]`: what the last generation wrote vs the files now.

use crate::args::{DiffArgs, GlobalArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(args: &DiffArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let reporter = Terminal::new(*printer);
    let layout = settings::project_layout(&env);
    // Relative to where the user is, like git: `ggen diff main.rs` from `src/`.
    let paths = args
        .paths
        .iter()
        .map(|p| settings::project_path(&env, layout.root(), p))
        .collect::<Result<Vec<_>, _>>()?;
    let diffs = ggen_project::ops::drift::diff(&layout, &paths, &env, &reporter)?;
    if printer.json {
        document = Some(serde_json::json!({
            "files": diffs,
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    for diff in &diffs {
        if let Some(reason) = &diff.no_base {
            printer.warn(&format!("{}: no diff to show: {reason}", diff.path));
        } else if diff.diff.is_empty() {
            printer.out(&format!("Binary or missing file {} differs\n", diff.path));
        } else {
            printer.diff(&diff.diff);
        }
    }
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}
