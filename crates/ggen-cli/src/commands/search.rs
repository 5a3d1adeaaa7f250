//! `ggen search TEXT`: the registry's packs whose id or description holds every word.

use crate::args::{GlobalArgs, SearchArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings::{self, registry_error};
use crate::{Outcome, Report};

pub fn run(args: &SearchArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let text = args.text.join(" ");
    let env = settings::environment(global)?;
    let registry = settings::open_registry(&env)?;
    let index = registry.root_index().map_err(registry_error)?;
    let hits = index.search(&text);
    if printer.json {
        document = Some(serde_json::json!({
            "query": text,
            "registry": registry.describe(),
            "packs": hits.iter().map(|(id, entry)| serde_json::json!({
                "id": id,
                "newest": entry.newest,
                "description": entry.description,
            })).collect::<Vec<_>>(),
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    if hits.is_empty() {
        printer.note(&format!(
            "no pack in registry {} matches `{text}`",
            registry.describe()
        ));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    let width = hits.iter().map(|(id, _)| id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (id, entry) in &hits {
        let newest = entry.newest.as_deref().unwrap_or("(all yanked)");
        out.push_str(&format!(
            "{id:<width$}  {newest:<10}  {}\n",
            entry.description
        ));
    }
    printer.out(&out);
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}
