//! `ggen resolve PATH --ours|--theirs|--merged`.

use ggen_project::ops::resolve::Side;

use crate::args::{GlobalArgs, ResolveArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(args: &ResolveArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let side = if args.ours {
        Side::Ours
    } else if args.theirs {
        Side::Theirs
    } else {
        Side::Merged
    };
    let layout = settings::project_layout(&env);
    // Relative to where the user is, like git: `ggen resolve main.rs` from `src/`.
    let path = settings::project_path(&env, layout.root(), &args.path)?;
    let reporter = Terminal::new(*printer);
    ggen_project::ops::resolve::resolve(&layout, &path, side, &env, &reporter)?;
    if printer.json {
        document = Some(serde_json::json!({
            "path": path,
            "side": side,
        }));
    } else {
        printer.status("Resolved", &path);
    }
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}
