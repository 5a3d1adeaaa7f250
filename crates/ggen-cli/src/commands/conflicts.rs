//! `ggen conflicts`: the files with unresolved conflicts.

use ggen_project::Layout;

use crate::Outcome;
use crate::args::GlobalArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

pub fn list(global: &GlobalArgs, printer: &Printer) -> Result<Outcome, CliError> {
    let env = settings::environment(global)?;
    let conflicts = ggen_project::ops::resolve::conflicts(&Layout::new(env.cwd.clone()))?;
    let outcome = if conflicts.iter().all(|c| c.settled.is_some()) {
        Outcome::Success
    } else {
        Outcome::Unresolved
    };
    if printer.json {
        let (status, exit_code) = crate::commands::json_status(&outcome);
        printer.json_document(serde_json::json!({
            "status": status,
            "exit_code": exit_code,
            "conflicts": conflicts,
        }));
        return Ok(outcome);
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
    Ok(outcome)
}
