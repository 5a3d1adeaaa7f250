//! `ggen template render T [--var K=V]… [--graph F.ttl]…`: render one template outside any
//! project, to see what it produces.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ggen_template::{Graph, GraphSource, PackContext, Renderer, Template};

use crate::args::{GlobalArgs, RenderArgs};
use crate::commands::var_map;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(args: &RenderArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let path = env.cwd.join(&args.template);
    let bytes = ggen_fs::read(&path)?;
    let name = args.template.display().to_string();
    let template = Template::parse(&name, &bytes)?;
    let graph = load_graph(&env.cwd, &args.graphs, &var_map(&args.prefixes)?)?;
    let vars = var_map(&args.vars.vars)?;
    let pack = PackContext {
        id: "local".into(),
        version: "0.0.0".into(),
    };
    let outputs = Renderer::new(env.limits).render(&template, &vars, &pack, &graph)?;
    if printer.json {
        document = Some(serde_json::json!({
            "outputs": outputs.iter().map(|o| serde_json::json!({
                "path": o.path,
                "content": String::from_utf8_lossy(&o.content),
            })).collect::<Vec<_>>(),
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    match outputs.as_slice() {
        [] => printer
            .note("the template produced no output (`when` is false, or `foreach` has no rows)"),
        [only] => printer.out_bytes(&only.content),
        many => {
            for output in many {
                printer.out(&format!("==> {} <==\n", output.path));
                printer.out_bytes(&output.content);
            }
        }
    }
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}

/// Loads Turtle files (relative to `cwd`) into one graph.
pub fn load_graph(
    cwd: &std::path::Path,
    files: &[PathBuf],
    prefixes: &BTreeMap<String, String>,
) -> Result<Graph, CliError> {
    let sources = files
        .iter()
        .map(|file| {
            let bytes = ggen_fs::read(&cwd.join(file))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                CliError::new(format!("graph file {}: not valid UTF-8", file.display()))
            })?;
            Ok(GraphSource {
                name: file.display().to_string(),
                text,
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    Ok(Graph::load(&sources, prefixes)?)
}
