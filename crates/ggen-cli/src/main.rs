//! The `ggen` binary: parse arguments, run one command, turn its outcome into an exit code.

mod args;
mod commands;
mod error;
mod printer;
mod progress;
mod settings;
mod var_file;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::error::{EXIT_UNRESOLVED, EXIT_USAGE};
use crate::printer::Printer;

/// How a command that did not fail ended.
pub enum Outcome {
    /// Everything done: exit 0.
    Success,
    /// Done, but conflicts or changes awaiting review remain: exit 3.
    Unresolved,
}

fn main() -> ExitCode {
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
    match commands::run(cli, &printer) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Unresolved) => ExitCode::from(EXIT_UNRESOLVED),
        Err(err) => {
            if !err.reported {
                printer.error(&err);
            }
            ExitCode::from(err.code)
        }
    }
}
