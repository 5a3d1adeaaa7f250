//! `ggen graph query Q --graph F.ttl`: run a SPARQL SELECT over Turtle files.

use crate::args::{GlobalArgs, QueryArgs};
use crate::commands::template_render::load_graph;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(args: &QueryArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let (query, context) = match args.query.strip_prefix('@') {
        Some(file) => {
            let bytes = ggen_fs::read(&env.cwd.join(file))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| CliError::new(format!("query file {file}: not valid UTF-8")))?;
            (text, format!("query file {file}"))
        }
        None => (args.query.clone(), "query".to_string()),
    };
    let pack_dir = args.pack.as_ref().map(|dir| env.cwd.join(dir));
    let pack = pack_dir.as_deref().map(ggen_pack::Pack::load).transpose()?;
    let graph = load_graph(&env.cwd, &args.graphs, &args.prefixes, pack.as_ref())?;
    let rows = graph.select(&query, &context, env.limits.max_rows)?;
    if printer.json {
        document = Some(serde_json::json!({
            "triples": graph.triple_count(),
            "rows": rows,
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    let mut columns: Vec<&String> = rows.iter().flat_map(|r| r.keys()).collect();
    columns.sort();
    columns.dedup();
    let mut text = String::new();
    if !columns.is_empty() {
        let header: Vec<String> = columns.iter().map(|c| format!("?{c}")).collect();
        text.push_str(&header.join("\t"));
        text.push('\n');
    }
    for row in &rows {
        let cells: Vec<&str> = columns
            .iter()
            .map(|c| row.get(*c).map(String::as_str).unwrap_or(""))
            .collect();
        text.push_str(&cells.join("\t"));
        text.push('\n');
    }
    printer.out(&text);
    printer.detail("Rows", &rows.len().to_string());
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}
