//! `ggen conflicts`: the files with unresolved conflicts.

use crate::args::GlobalArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn list(global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let conflicts = ggen_project::ops::resolve::conflicts(&settings::project_layout(&env))?;
    let outcome = if conflicts.iter().all(|c| c.settled.is_some()) {
        Outcome::Success
    } else {
        Outcome::Unresolved
    };
    if printer.json {
        document = Some(serde_json::json!({
            "conflicts": conflicts,
        }));
        return Ok(Report {
            outcome,
            document,
            failure: None,
        });
    }
    let mut text = String::new();
    for entry in &conflicts {
        let what = match entry.settled.unwrap_or(entry.conflict.reason.as_str()) {
            "resolved in git" => "resolved in git; `ggen resolve --merged` records it",
            "merge" => "conflict blocks in the file",
            "binary" => "binary file changed on both sides; yours is on disk",
            "exists" => "your file was in the way; yours is on disk",
            other => other,
        };
        text.push_str(&format!(
            "{}  ({}: {what})\n",
            entry.path, entry.conflict.pack
        ));
    }
    printer.out(&text);
    if conflicts.is_empty() {
        printer.note("no conflicts");
    }
    Ok(Report {
        outcome,
        document,
        failure: None,
    })
}
