//! `ggen template render T [--var K=V]… [--graph F.ttl]…`: render one template outside any
//! project, to see what it produces.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ggen_template::{Graph, GraphSource, Library, PackContext, Renderer, Template};

use crate::args::{GlobalArgs, RenderArgs};
use crate::commands::{var_map, var_values};
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
    // The file named on the command line is rendered whatever its suffix.
    let template = Template::parse_template(&name, &bytes)?;
    let pack_dir = args.pack.as_ref().map(|dir| env.cwd.join(dir));
    let pack = pack_dir.as_deref().map(ggen_pack::Pack::load).transpose()?;
    let graph = load_graph(&env.cwd, &args.graphs, &args.prefixes, pack.as_ref())?;
    let vars = var_values(&args.vars)?;
    let context = PackContext {
        id: pack.as_ref().map_or("local".into(), |p| p.id().to_string()),
        version: pack
            .as_ref()
            .map_or("0.0.0".into(), |p| p.version().to_string()),
        kinds: pack
            .as_ref()
            .map(|p| ggen_project::packs::variable_kinds(&p.manifest))
            .unwrap_or_default(),
    };
    let library = match &pack {
        Some(pack) => ggen_project::packs::template_library(&pack.template_files()?),
        None => Library::new(),
    };
    let outputs =
        Renderer::with_library(env.limits, library).render(&template, &vars, &context, &graph)?;
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

/// Loads Turtle files (relative to `cwd`) into one graph, with `pack`'s graph files and
/// `[graph] prefixes` when given (a `--prefix` of the same name wins).
pub fn load_graph(
    cwd: &std::path::Path,
    files: &[PathBuf],
    prefix_args: &[(String, String)],
    pack: Option<&ggen_pack::Pack>,
) -> Result<Graph, CliError> {
    let mut prefixes: BTreeMap<String, String> = pack
        .map(|pack| pack.manifest.graph.prefixes.clone())
        .unwrap_or_default();
    prefixes.extend(var_map(prefix_args)?);
    let mut sources = Vec::new();
    if let Some(pack) = pack {
        for file in pack.graph_files()? {
            let text = String::from_utf8(file.bytes.to_vec()).map_err(|_| {
                CliError::new(format!("graph file {}: not valid UTF-8", file.rel_path))
            })?;
            sources.push(GraphSource {
                name: file.rel_path,
                text,
            });
        }
    }
    let given = files
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
    sources.extend(given);
    Ok(Graph::load(&sources, &prefixes)?)
}
