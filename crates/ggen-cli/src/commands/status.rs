//! `ggen status`.

use ggen_project::ops::drift::{FileState, StatusReport};

use crate::args::GlobalArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn status(global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let report = ggen_project::ops::drift::status(&settings::project_layout(&env))?;
    let conflicted = report
        .files
        .iter()
        .any(|f| f.state == FileState::Conflicted);
    let outcome = if conflicted {
        Outcome::Unresolved
    } else {
        Outcome::Success
    };
    if printer.json {
        document = Some(serde_json::json!({
            "tracked": report.tracked,
            "files": report.files,
        }));
    } else {
        print_files(&report, printer);
        if report.is_clean() {
            printer.note(&format!(
                "{} generated files, all as generated",
                report.tracked
            ));
        }
    }
    Ok(Report {
        outcome,
        document,
        failure: None,
    })
}

pub(super) fn print_files(report: &StatusReport, printer: &Printer) {
    let mut text = String::new();
    for file in &report.files {
        let word = match file.state {
            FileState::Modified => "modified",
            FileState::Missing => "missing",
            FileState::Conflicted => "conflict",
        };
        let how = match (&file.state, &file.reason) {
            (FileState::Modified, Some(how)) => format!(", {how}"),
            _ => String::new(),
        };
        text.push_str(&format!("{word:<10} {}  ({}{how})\n", file.path, file.pack));
    }
    printer.plan(&text);
}
