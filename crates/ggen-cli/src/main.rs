//! The `ggen` binary: parse arguments, run one command, turn its outcome into an exit code.

mod args;
mod commands;
mod error;
mod printer;
mod progress;
mod prompt;
mod report;
mod settings;
mod var_file;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::error::{CliError, EXIT_USAGE};
use crate::printer::Printer;
pub use crate::report::{Outcome, Report};

fn main() -> ExitCode {
    // `merge-file` is git's drop-in with git's own argument syntax: dispatched before the
    // command tree is built, so it starts as fast as `git merge-file`.
    let mut argv = std::env::args_os();
    if argv.nth(1).is_some_and(|a| a == "merge-file") {
        return commands::merge_file::run_git_args(&argv.collect::<Vec<_>>());
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = err.print();
            if code != 0 && std::env::args().any(|a| a == "--json") {
                let message = err.kind().to_string();
                let doc = serde_json::json!({
                    "status": "error",
                    "exit_code": code,
                    "error": { "message": message, "hints": ["run `ggen --help`"] },
                });
                let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
                let _ = std::io::Write::write_all(
                    &mut std::io::stdout(),
                    format!("{text}\n").as_bytes(),
                );
            }
            return ExitCode::from(code);
        }
    };
    let printer = Printer::new(&cli.global);
    let (recovered, result) = match commands::recover(&cli.command, &cli.global, &printer) {
        Ok(recovered) => (recovered, commands::run(cli, &printer)),
        Err(err) => (None, Err(err)),
    };
    finish(printer, result, recovered)
}

/// The one place a run ends: prints the report (the JSON document with `status` and
/// `exit_code` from the outcome, or a failure's message) and gives the exit code.
fn finish(
    printer: Printer,
    result: Result<Report, CliError>,
    recovered: Option<serde_json::Value>,
) -> ExitCode {
    let (outcome, document) = match result {
        Ok(report) => {
            if let Some(failure) = &report.failure
                && !printer.json
            {
                printer.error(failure);
            }
            (report.outcome, report.document)
        }
        Err(err) => {
            printer.error(&err);
            let document = serde_json::json!({
                "error": { "message": err.message, "hints": err.hints },
            });
            (Outcome::Failed(err.code), Some(document))
        }
    };
    if printer.json
        && let Some(mut document) = document
    {
        if let Some(fields) = document.as_object_mut() {
            fields.insert("status".into(), outcome.status().into());
            fields.insert("exit_code".into(), outcome.exit_code().into());
            if let Some(recovered) = recovered {
                fields.entry("recovered").or_insert(recovered);
            }
        }
        printer.json_document(document);
    }
    match printer.stdout_error() {
        // The reader went away (`ggen ... | head`): nothing more to say to it.
        Some(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(outcome.exit_code())
        }
        Some(err) => {
            printer.error(&CliError::from(err));
            ExitCode::from(outcome.exit_code().max(crate::error::EXIT_ERROR))
        }
        None => ExitCode::from(outcome.exit_code()),
    }
}
