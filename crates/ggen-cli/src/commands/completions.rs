//! `ggen completions SHELL`.

use clap::CommandFactory;

use crate::Outcome;
use crate::args::{Cli, CompletionsArgs};
use crate::error::CliError;
use crate::printer::Printer;

pub fn run(args: &CompletionsArgs, printer: &Printer) -> Result<Outcome, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "ggen", &mut script);
    printer.out_bytes(&script);
    Ok(Outcome::Success)
}
