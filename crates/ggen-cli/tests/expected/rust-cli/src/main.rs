//! Says hello

use clap::{Parser, Subcommand};

// @ggen:generated-start id=cli pack=rust-cli version=0.1.0
/// Says hello
#[derive(Debug, Parser)]
#[command(name = "hello", version, about)]
struct Cli {
    /// Print more detail
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Say hello
    Hello {
        /// Who to greet
        #[arg(default_value = "world")]
        name: String,
    },
}
// @ggen:generated-end

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Command::Hello { name } => println!("{}", greeting(&name, cli.verbose)),
    }
}

// @ggen:manual-edit id=logic
fn greeting(name: &str, verbose: bool) -> String {
    if verbose {
        format!("Hello, {name}! (from hello)")
    } else {
        format!("Hello, {name}!")
    }
}
// @ggen:manual-edit-end

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets_by_name() {
        assert_eq!(greeting("ggen", false), "Hello, ggen!");
    }
}
