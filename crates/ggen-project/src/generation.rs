//! Rendering one pack into the files it generates, with the records the snapshot keeps.

use std::collections::BTreeMap;

use ggen_pack::Pack;
use ggen_template::{Graph, GraphSource, PackContext, Renderer, Template};
use rayon::prelude::*;

use crate::snapshot::{GraphRecord, TemplateRecord};
use crate::{ProjectError, Reporter};

/// One output of a pack.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    pub path: String,
    pub content: Vec<u8>,
    /// `sha256-<hex>` of `content`.
    pub hash: String,
    pub template: String,
    pub unless_exists: bool,
}

/// Everything one pack generates from one set of variables.
pub struct PackGeneration {
    /// Sorted by path.
    pub files: Vec<GeneratedFile>,
    pub graph: GraphRecord,
    pub templates: BTreeMap<String, TemplateRecord>,
}

/// Loads the pack's graph, renders every template (in parallel) and checks that no two
/// templates write the same path.
pub fn generate(
    pack: &Pack,
    vars: &BTreeMap<String, String>,
    renderer: &Renderer,
    reporter: &dyn Reporter,
) -> Result<PackGeneration, ProjectError> {
    let graph_files = pack.graph_files()?;
    let sources: Vec<GraphSource> = graph_files
        .iter()
        .map(|file| {
            String::from_utf8(file.bytes.clone())
                .map(|text| GraphSource {
                    name: file.rel_path.clone(),
                    text,
                })
                .map_err(|_| ggen_template::TemplateError::Graph {
                    file: file.rel_path.clone(),
                    message: "not valid UTF-8".into(),
                })
        })
        .collect::<Result<_, _>>()?;
    let graph = Graph::load(&sources, &pack.manifest.graph.prefixes)?;
    let graph_record = GraphRecord {
        hash: graph.hash(),
        triples: graph.triple_count(),
        sources: graph_files
            .iter()
            .map(|f| (f.rel_path.clone(), ggen_pack::integrity::sha256(&f.bytes)))
            .collect(),
    };

    let template_files = pack.template_files()?;
    let context = PackContext {
        id: pack.id().to_string(),
        version: pack.version().to_string(),
    };
    reporter.start(
        &format!("rendering {}", pack.id()),
        template_files.len() as u64,
    );
    let rendered: Vec<(Template, Vec<ggen_template::RenderedFile>)> = template_files
        .par_iter()
        .map(|file| {
            let template = Template::parse(&file.rel_path, &file.bytes)?;
            let outputs = renderer.render(&template, vars, &context, &graph)?;
            reporter.advance(1);
            Ok::<_, ProjectError>((template, outputs))
        })
        .collect::<Result<_, _>>()?;
    reporter.finish();

    let mut templates = BTreeMap::new();
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut files = Vec::new();
    for (template, outputs) in rendered {
        let mut record = TemplateRecord {
            hash: template.hash.clone(),
            foreach: template.frontmatter.foreach.clone(),
            sparql: template.frontmatter.sparql.clone(),
            outputs: Vec::new(),
        };
        for output in outputs {
            if let Some(first) = owner.insert(output.path.clone(), output.template.clone()) {
                return Err(ProjectError::PathCollision {
                    path: output.path,
                    first: format!("template {first}"),
                    second: format!("template {}", output.template),
                });
            }
            record.outputs.push(output.path.clone());
            files.push(GeneratedFile {
                hash: ggen_pack::integrity::sha256(&output.content),
                path: output.path,
                content: output.content,
                template: output.template,
                unless_exists: output.unless_exists,
            });
        }
        templates.insert(template.source.clone(), record);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(PackGeneration {
        files,
        graph: graph_record,
        templates,
    })
}
