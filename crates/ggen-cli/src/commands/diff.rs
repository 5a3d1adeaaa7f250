//! `ggen diff [PATH…]`: what the last generation wrote vs the files now.

use ggen_project::Layout;

use crate::args::{DiffArgs, GlobalArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(args: &DiffArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let diffs = ggen_project::ops::drift::diff(&Layout::new(env.cwd.clone()), &args.paths)?;
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
        if diff.diff.is_empty() {
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
