//! `ggen status` and `ggen packs check`.

use ggen_project::Layout;
use ggen_project::drift::{FileState, StatusReport};

use crate::Outcome;
use crate::args::GlobalArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

pub fn status(global: &GlobalArgs, printer: &Printer) -> Result<Outcome, CliError> {
    let env = settings::environment(global)?;
    let report = ggen_project::drift::status(&Layout::new(env.cwd.clone()))?;
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
        let (status, exit_code) = crate::commands::json_status(&outcome);
        printer.json_document(serde_json::json!({
            "status": status,
            "exit_code": exit_code,
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
    Ok(outcome)
}

pub fn check(global: &GlobalArgs, printer: &Printer) -> Result<Outcome, CliError> {
    let env = settings::environment(global)?;
    let report = ggen_project::drift::check(&Layout::new(env.cwd.clone()))?;
    let clean = report.is_clean();
    if printer.json {
        printer.json_document(serde_json::json!({
            "status": if clean { "ok" } else { "error" },
            "exit_code": if clean { 0 } else { 1 },
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
        Ok(Outcome::Success)
    } else {
        // Not clean is exit 1 by the SPEC; the report above is the message.
        if printer.json {
            return Err(CliError::reported());
        }
        let mut err = CliError::new(format!(
            "the project is not clean: {} file(s) not as generated, {} pack change(s) to regenerate",
            report.status.files.len(),
            report.regenerate.len()
        ));
        if !report.status.files.is_empty() {
            err = err.with_hint("`ggen diff` shows what changed; `ggen status` lists the files");
        }
        if !report.regenerate.is_empty() {
            err = err.with_hint("`ggen packs regenerate` picks up the pack changes");
        }
        Err(err)
    }
}

fn print_files(report: &StatusReport, printer: &Printer) {
    let mut text = String::new();
    for file in &report.files {
        let word = match file.state {
            FileState::Modified => "modified",
            FileState::Missing => "missing",
            FileState::Conflicted => "conflict",
        };
        text.push_str(&format!("{word:<10} {}  ({})\n", file.path, file.pack));
    }
    printer.out(&text);
}
