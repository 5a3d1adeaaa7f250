//! `ggen completions SHELL`.

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::{Outcome, Report};

pub fn run(args: &CompletionsArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "ggen", &mut script);
    printer.out_bytes(&script);
    Ok(Report::new(Outcome::Success))
}
