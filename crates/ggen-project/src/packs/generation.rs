//! Rendering one pack into the files it generates, with the records the snapshot keeps.

use std::collections::BTreeMap;

use ggen_pack::Pack;
use ggen_template::{
    Graph, GraphSource, Library, PackContext, RenderProgress, Renderer, Template, TemplateBody,
};
use rayon::prelude::*;

use crate::state::objects::ObjectStore;
use crate::state::secret_salt::SecretSalt;
use crate::state::snapshot::{GraphRecord, TemplateRecord};
use crate::{ProjectError, Reporter};

/// A template's outputs, each with the `sha256-<hex>` of its content.
type Outputs = Vec<(ggen_template::RenderedFile, String)>;

/// What the last generation of a pack left behind: its template records and the objects
/// holding their outputs. A template whose key is unchanged is not rendered again.
pub struct RenderCache<'a> {
    pub templates: &'a BTreeMap<String, TemplateRecord>,
    pub objects: &'a ObjectStore,
}

impl RenderCache<'_> {
    /// The outputs recorded for `template` under `key`, if every one is still in the store,
    /// each with its hash (the store checked the content against it).
    fn outputs(&self, template: &Template, key: &str) -> Option<Outputs> {
        let record = self.templates.get(&template.source)?;
        if record.key != key {
            return None;
        }
        record
            .outputs
            .iter()
            .map(|(path, hash)| {
                let content = self.objects.get(hash).ok()?;
                let output = ggen_template::RenderedFile {
                    path: path.clone(),
                    content,
                    template: template.source.clone(),
                    unless_exists: template.frontmatter.unless_exists,
                    moved_from: record.moved_from.get(path).cloned(),
                };
                Some((output, hash.clone()))
            })
            .collect()
    }
}

/// The cache key of one template's outputs (see [`TemplateRecord::key`]): its own hash,
/// the pack, the variables, every file it includes (transitively) and, when it queries, the
/// graph.
fn template_key(
    template: &Template,
    context: &PackContext,
    vars: &BTreeMap<String, String>,
    graph_hash: &str,
    library: &Library,
) -> Result<String, ProjectError> {
    let mut parts: Vec<String> = vec![
        template.hash.clone(),
        context.id.clone(),
        context.version.clone(),
    ];
    for (name, value) in vars {
        parts.push(name.clone());
        parts.push(value.clone());
    }
    if let TemplateBody::Text(text) = &template.body {
        let inputs = library.inputs(&template.source, text)?;
        for (name, hash) in inputs.files {
            parts.push(name);
            parts.push(hash);
        }
        if inputs.dynamic {
            parts.push(library.hash());
        }
    }
    let graph_hash = graph_hash.to_string();
    let queries = template.frontmatter.foreach.is_some()
        || !template.frontmatter.sparql.is_empty()
        || template.frontmatter.when.is_some();
    if queries {
        parts.push(graph_hash);
    }
    // Length-prefixed, so that no two different inputs give the same bytes.
    let mut bytes = Vec::new();
    for part in parts {
        bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    Ok(ggen_pack::integrity::sha256(&bytes))
}

/// One output of a pack.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    pub path: String,
    pub content: Vec<u8>,
    /// `sha256-<hex>` of `content`.
    pub hash: String,
    pub template: String,
    pub unless_exists: bool,
    /// Written with the executable bit (the pack file has it).
    pub executable: bool,
    /// Where the template says this output lived before (`moved_from`).
    pub moved_from: Option<String>,
}

/// Everything one pack generates from one set of variables.
pub struct PackGeneration {
    /// Sorted by path.
    pub files: Vec<GeneratedFile>,
    pub graph: GraphRecord,
    pub templates: BTreeMap<String, TemplateRecord>,
    /// Templates rendered this time (the others came from the render cache).
    pub rendered: usize,
}

/// Loads the pack's graph, renders every template (in parallel; with a cache, only those
/// whose key changed) and checks that no two templates write the same path. The keys hold
/// secret variables only as hashes salted with `salt`.
pub fn generate(
    pack: &Pack,
    vars: &BTreeMap<String, String>,
    renderer: &Renderer,
    reporter: &dyn Reporter,
    cache: Option<&RenderCache<'_>>,
    salt: &SecretSalt,
) -> Result<PackGeneration, ProjectError> {
    reporter.phase(&format!("loading graph of {}", pack.id()));
    let graph_files = pack.graph_files()?;
    let sources: Vec<GraphSource> = graph_files
        .iter()
        .map(|file| {
            String::from_utf8(file.bytes.to_vec())
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

    let all_files = pack.template_files()?;
    // Every text file under the templates root can be included; partials are never output.
    let partials = pack.manifest.templates.partials.as_str();
    let library = template_library(&all_files);
    let renderer = Renderer::with_library(renderer.limits(), library);
    let renderer = &renderer;
    let executable: BTreeMap<&str, bool> = all_files
        .iter()
        .map(|file| (file.rel_path.as_str(), file.executable))
        .collect();
    let template_files: Vec<&ggen_pack::PackFile> = all_files
        .iter()
        .filter(|file| !file.is_partial(partials))
        .collect();
    let context = PackContext {
        id: pack.id().to_string(),
        version: pack.version().to_string(),
        kinds: variable_kinds(&pack.manifest),
    };
    // One step per output: each template counts as one until its rows are known.
    reporter.start(
        &format!("rendering outputs of {}", pack.id()),
        template_files.len() as u64,
    );
    let progress = OutputSteps(reporter);
    let graph_hash = graph_record.hash.clone();
    let key_vars: BTreeMap<String, String> = vars
        .iter()
        .map(|(name, value)| {
            let secret = pack.manifest.variables.get(name).is_some_and(|s| s.secret);
            let value = if secret {
                salt.hide(value)
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect();
    let rendered: Vec<(Template, String, Outputs, bool)> = template_files
        .par_iter()
        .map(|file| {
            let template = Template::parse(&file.rel_path, &file.bytes)?;
            let key = template_key(
                &template,
                &context,
                &key_vars,
                &graph_hash,
                renderer.library(),
            )?;
            let cached = cache.and_then(|c| c.outputs(&template, &key));
            let fresh = cached.is_none();
            let outputs = match cached {
                Some(outputs) => {
                    progress.rows(outputs.len());
                    reporter.advance(outputs.len() as u64);
                    outputs
                }
                // Hashed on the core that rendered them.
                None => renderer
                    .render_counted(&template, vars, &context, &graph, &progress)?
                    .into_iter()
                    .map(|output| {
                        let hash = ggen_pack::integrity::sha256(&output.content);
                        (output, hash)
                    })
                    .collect(),
            };
            Ok::<_, ProjectError>((template, key, outputs, fresh))
        })
        .collect::<Result<_, _>>()?;
    reporter.finish();

    let mut templates = BTreeMap::new();
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut files = Vec::new();
    let fresh_count = rendered.iter().filter(|r| r.3).count();
    for (template, key, outputs, _) in rendered {
        let mut record = TemplateRecord {
            hash: template.hash.clone(),
            foreach: template.frontmatter.foreach.clone(),
            sparql: template.frontmatter.sparql.clone(),
            outputs: BTreeMap::new(),
            moved_from: BTreeMap::new(),
            key,
        };
        for (output, hash) in outputs {
            if let Some(first) = owner.insert(output.path.clone(), output.template.clone()) {
                return Err(ProjectError::PathCollision {
                    path: output.path,
                    first: format!("template {first}"),
                    second: format!("template {}", output.template),
                });
            }
            record.outputs.insert(output.path.clone(), hash.clone());
            if let Some(old) = &output.moved_from {
                record.moved_from.insert(output.path.clone(), old.clone());
            }
            let executable = executable
                .get(output.template.as_str())
                .copied()
                .unwrap_or(false);
            files.push(GeneratedFile {
                hash,
                path: output.path,
                content: output.content,
                template: output.template,
                unless_exists: output.unless_exists,
                executable,
                moved_from: output.moved_from,
            });
        }
        templates.insert(template.source.clone(), record);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(PackGeneration {
        files,
        graph: graph_record,
        templates,
        rendered: fresh_count,
    })
}

/// A render's rows as steps of the reporter's phase: a template's placeholder step becomes
/// its rows, a row done is a step, a skipped row is one step fewer.
struct OutputSteps<'a>(&'a dyn Reporter);

impl RenderProgress for OutputSteps<'_> {
    fn rows(&self, rows: usize) {
        self.0.adjust_total(rows as i64 - 1);
    }

    fn row_done(&self, output: bool) {
        if output {
            self.0.advance(1);
        } else {
            self.0.adjust_total(-1);
        }
    }
}

/// The includable files of a pack: every file under its templates root
/// ([`ggen_pack::Pack::template_files`]), their bytes shared with the pack.
pub fn template_library(files: &[ggen_pack::PackFile]) -> Library {
    Library::of_files(
        &files
            .iter()
            .map(|file| (file.rel_path.as_str(), &file.bytes))
            .collect::<Vec<_>>(),
    )
}

/// How each of `manifest`'s variables reaches templates: booleans, integers and lists as
/// real values, strings and choices as text.
pub fn variable_kinds(manifest: &ggen_pack::Manifest) -> BTreeMap<String, ggen_template::VarKind> {
    use ggen_pack::VariableType;
    use ggen_template::VarKind;
    manifest
        .variables
        .iter()
        .map(|(name, spec)| {
            let kind = match spec.kind {
                VariableType::String | VariableType::Choice => VarKind::Text,
                VariableType::Bool => VarKind::Bool,
                VariableType::Int => VarKind::Int,
                VariableType::List => VarKind::List,
            };
            (name.clone(), kind)
        })
        .collect()
}
