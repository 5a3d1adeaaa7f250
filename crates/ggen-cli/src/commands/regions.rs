//! `ggen regions FILE`: the region markers ggen finds in a file.

use crate::args::{GlobalArgs, RegionsArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(args: &RegionsArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let bytes = ggen_fs::read(&env.cwd.join(&args.file))?;
    let name = args.file.display().to_string();
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::new(format!("{name} is not UTF-8 text, so it has no regions")))?;
    let scan = ggen_merge::regions::scan(&name, &text);
    for warning in &scan.warnings {
        printer.warn(&format!(
            "{name}:{}: {} (the file is merged as plain lines)",
            warning.line, warning.message
        ));
    }
    if printer.json {
        document = Some(serde_json::json!({
            "file": name,
            "regions": scan.regions.iter().map(|r| serde_json::json!({
                "kind": r.kind.name(),
                "id": r.id,
                "start_line": r.start_line,
                "end_line": r.end_line,
                "attributes": r.attrs,
            })).collect::<Vec<_>>(),
            "warnings": scan.warnings.iter().map(|w| serde_json::json!({
                "line": w.line,
                "message": w.message,
            })).collect::<Vec<_>>(),
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    let mut text = String::new();
    for region in &scan.regions {
        text.push_str(&format!(
            "{:<12} {:<20} {}-{}\n",
            region.kind.name(),
            region.id.as_deref().unwrap_or("-"),
            region.start_line,
            region.end_line
        ));
    }
    if scan.regions.is_empty() && scan.warnings.is_empty() {
        printer.note(&format!("{name} has no region markers"));
    }
    printer.out(&text);
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}
