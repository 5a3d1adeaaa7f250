//! `ggen packs check`: fail (exit 1) unless every generated file is as generated and no pack
//! needs regenerating.

use crate::args::GlobalArgs;
use crate::commands::status::print_files;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let report = ggen_project::ops::drift::check(&settings::project_layout(&env))?;
    let clean = report.is_clean();
    if printer.json {
        document = Some(serde_json::json!({
            "clean": clean,
            "tracked": report.status.tracked,
            "files": report.status.files,
            "regenerate": report.regenerate,
        }));
    } else {
        print_files(&report.status, printer);
        let mut text = String::new();
        for reason in &report.regenerate {
            text.push_str(&format!("regenerate {}: {}\n", reason.pack, reason.reason));
        }
        printer.out(&text);
        if clean {
            printer.note(&format!(
                "{} generated files as generated; nothing to regenerate",
                report.status.tracked
            ));
        }
    }
    if clean {
        Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        })
    } else {
        // Drift is what `check` is for, not an error: exit 1 (SPEC §4) with the verdict and
        // what to do, no `error:` line. In `--json` mode the document says it all.
        if !printer.json {
            printer.verdict(
                "drift",
                &format!(
                    "{} file(s) not as generated, {} pack change(s) to regenerate",
                    report.status.files.len(),
                    report.regenerate.len()
                ),
            );
            if !report.status.files.is_empty() {
                printer.hint("`ggen diff` shows what changed; `ggen status` lists the files");
            }
            if !report.regenerate.is_empty() {
                printer.hint("`ggen packs regenerate` picks up the pack changes");
            }
        }
        Ok(Report {
            outcome: Outcome::Failed(1),
            document,
            failure: None,
        })
    }
}
