//! `ggen diff [PATH…]`: what the last generation wrote vs the files now.

use ggen_project::Layout;

use crate::Outcome;
use crate::args::{DiffArgs, GlobalArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

pub fn run(args: &DiffArgs, global: &GlobalArgs, printer: &Printer) -> Result<Outcome, CliError> {
    let env = settings::environment(global)?;
    let diffs = ggen_project::ops::drift::diff(&Layout::new(env.cwd.clone()), &args.paths)?;
    if printer.json {
        printer.json_document(serde_json::json!({
            "status": "ok",
            "exit_code": 0,
            "files": diffs,
        }));
        return Ok(Outcome::Success);
    }
    for diff in &diffs {
        if diff.diff.is_empty() {
            printer.out(&format!("Binary or missing file {} differs\n", diff.path));
        } else {
            printer.out(&diff.diff);
        }
    }
    Ok(Outcome::Success)
}
