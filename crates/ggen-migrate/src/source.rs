//! Reading the three pack shapes of the original ggen into one picture.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::MigrateError;

/// An original pack, whatever file described it.
#[derive(Debug)]
pub(crate) struct OriginalPack {
    pub root: PathBuf,
    pub format: &'static str,
    /// The manifest file, relative to `root`.
    pub manifest: PathBuf,
    pub id: String,
    pub version: String,
    pub description: Option<String>,
    pub license: Option<String>,
    pub authors: Vec<String>,
    pub dependencies: BTreeMap<String, String>,
    pub prefixes: BTreeMap<String, String>,
    /// RDF files, as paths (absolute or relative to `root`).
    pub graphs: Vec<PathBuf>,
    /// Template files (relative to `root`); their templates root is `templates_root`.
    pub templates_root: PathBuf,
    pub templates: Vec<PathBuf>,
    /// `[[generation.rules]]` of a `ggen.toml`.
    pub rules: Vec<Rule>,
    /// `[preset] vars` of a v1 pack: variable defaults.
    pub preset: BTreeMap<String, String>,
    /// Manifest features with no equivalent here, for the report.
    pub unsupported: Vec<String>,
}

/// One `[[generation.rules]]` entry.
#[derive(Debug)]
pub(crate) struct Rule {
    pub name: String,
    pub query: Text,
    pub template: Text,
    pub output_file: String,
    pub skip_empty: bool,
    pub mode: Option<String>,
}

/// A query or template given inline or as a file (relative to the manifest's directory).
#[derive(Debug)]
pub(crate) enum Text {
    Inline(String),
    File(PathBuf),
}

pub(crate) fn read(src: &Path) -> Result<OriginalPack, MigrateError> {
    let pack_toml = src.join("pack.toml");
    let ggen_toml = src.join("ggen.toml");
    let gpack_toml = src.join("gpack.toml");
    // A `gpack.toml` without `[gpack]` next to a `pack.toml` is not a v1 manifest.
    let v1 = std::fs::read_to_string(&gpack_toml).is_ok_and(|text| text.contains("[gpack]"));
    if gpack_toml.is_file() && (v1 || !pack_toml.is_file()) {
        read_gpack(src, &gpack_toml)
    } else if pack_toml.is_file() {
        read_pack_toml(src, &pack_toml)
    } else if ggen_toml.is_file() {
        read_ggen_toml(src, &ggen_toml)
    } else if src.is_dir() {
        Err(MigrateError::NotAPack(src.to_path_buf()))
    } else {
        Err(MigrateError::io(
            src,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
        ))
    }
}

fn parse<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, MigrateError> {
    let text = std::fs::read_to_string(path).map_err(|source| MigrateError::io(path, source))?;
    toml::from_str(&text).map_err(|error| MigrateError::Manifest {
        path: path.to_path_buf(),
        message: error.to_string().trim().replace('\n', " "),
    })
}

/// Every `*.tmpl` and `*.tera` file under `root/dir`, sorted, relative to `root`.
fn template_files(root: &Path, dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root.join(dir))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy();
            name.ends_with(".tmpl") || name.ends_with(".tera")
        })
        .filter_map(|entry| entry.path().strip_prefix(root).ok().map(Path::to_path_buf))
        .collect();
    files.sort();
    files
}

#[derive(Deserialize)]
struct PackToml {
    pack: PackTable,
}

#[derive(Deserialize)]
struct PackTable {
    name: Option<String>,
    id: Option<String>,
    version: Option<String>,
    description: Option<String>,
    license: Option<String>,
    author: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
}

fn read_pack_toml(root: &Path, path: &Path) -> Result<OriginalPack, MigrateError> {
    let manifest: PackToml = parse(path)?;
    let pack = manifest.pack;
    let id = pack.id.or(pack.name).unwrap_or_else(|| dir_name(root));
    let mut authors = pack.authors;
    authors.extend(pack.author);
    let mut graphs = Vec::new();
    if root.join("ontology.ttl").is_file() {
        graphs.push(PathBuf::from("ontology.ttl"));
    }
    let mut unsupported = Vec::new();
    if root.join("gates").is_dir() {
        unsupported.push(
            "gates/*.rq admission gates are not run here (no equivalent); they are left out"
                .to_string(),
        );
    }
    Ok(OriginalPack {
        root: root.to_path_buf(),
        format: "pack.toml",
        manifest: PathBuf::from("pack.toml"),
        id,
        version: pack.version.unwrap_or_else(|| "0.1.0".to_string()),
        description: pack.description,
        license: pack.license,
        authors,
        dependencies: BTreeMap::new(),
        prefixes: BTreeMap::new(),
        graphs,
        templates_root: PathBuf::from("templates"),
        templates: template_files(root, Path::new("templates")),
        rules: Vec::new(),
        preset: BTreeMap::new(),
        unsupported,
    })
}

#[derive(Deserialize)]
struct GgenToml {
    project: Option<ProjectTable>,
    ontology: Option<OntologyTable>,
    generation: Option<GenerationTable>,
    inference: Option<toml::Value>,
}

#[derive(Deserialize)]
struct ProjectTable {
    name: Option<String>,
    version: Option<String>,
    description: Option<String>,
    license: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
}

#[derive(Deserialize)]
struct OntologyTable {
    source: Option<String>,
    #[serde(default)]
    imports: Vec<String>,
    #[serde(default)]
    prefixes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct GenerationTable {
    output_dir: Option<String>,
    #[serde(default)]
    rules: Vec<RuleTable>,
}

#[derive(Deserialize)]
struct RuleTable {
    name: String,
    query: TextTable,
    template: TextTable,
    output_file: String,
    #[serde(default)]
    skip_empty: bool,
    mode: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TextTable {
    Plain(String),
    Inline { inline: String },
    File { file: String },
}

impl TextTable {
    fn into_text(self) -> Text {
        match self {
            // A bare string is a file path when it names one, else the text itself.
            TextTable::Plain(text)
                if !text.contains('\n') && !text.contains("{{") && !text.contains('{') =>
            {
                Text::File(PathBuf::from(text))
            }
            TextTable::Plain(text) | TextTable::Inline { inline: text } => Text::Inline(text),
            TextTable::File { file } => Text::File(PathBuf::from(file)),
        }
    }
}

fn read_ggen_toml(root: &Path, path: &Path) -> Result<OriginalPack, MigrateError> {
    let manifest: GgenToml = parse(path)?;
    let project = manifest.project.unwrap_or(ProjectTable {
        name: None,
        version: None,
        description: None,
        license: None,
        authors: Vec::new(),
    });
    let mut graphs = Vec::new();
    let mut prefixes = BTreeMap::new();
    if let Some(ontology) = manifest.ontology {
        graphs.extend(ontology.source.map(PathBuf::from));
        graphs.extend(ontology.imports.into_iter().map(PathBuf::from));
        prefixes = ontology.prefixes;
    }
    let mut unsupported = Vec::new();
    if manifest.inference.is_some() {
        unsupported.push(
            "[inference] rules (CONSTRUCT queries that add triples before generation) have no equivalent here; the templates see the graph without the inferred triples"
                .to_string(),
        );
    }
    let generation = manifest.generation;
    let output_dir = generation
        .as_ref()
        .and_then(|g| g.output_dir.clone())
        .filter(|dir| !dir.is_empty() && dir != ".");
    let rules = generation
        .map(|g| g.rules)
        .unwrap_or_default()
        .into_iter()
        .map(|rule| Rule {
            name: rule.name,
            query: rule.query.into_text(),
            template: rule.template.into_text(),
            output_file: match &output_dir {
                Some(dir) => format!("{}/{}", dir.trim_end_matches('/'), rule.output_file),
                None => rule.output_file,
            },
            skip_empty: rule.skip_empty,
            mode: rule.mode,
        })
        .collect();
    Ok(OriginalPack {
        root: root.to_path_buf(),
        format: "ggen.toml",
        manifest: PathBuf::from("ggen.toml"),
        id: project.name.unwrap_or_else(|| dir_name(root)),
        version: project.version.unwrap_or_else(|| "0.1.0".to_string()),
        description: project.description,
        license: project.license,
        authors: project.authors,
        dependencies: BTreeMap::new(),
        prefixes,
        graphs,
        templates_root: PathBuf::from("templates"),
        // Frontmatter templates of a ggen.toml project live under templates/ as well; the
        // files the rules name are read through the rules.
        templates: Vec::new(),
        rules,
        preset: BTreeMap::new(),
        unsupported,
    })
}

#[derive(Deserialize)]
struct GpackToml {
    gpack: Option<GpackTable>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    templates: Option<GpackTemplates>,
    rdf: Option<GpackRdf>,
    preset: Option<GpackPreset>,
}

#[derive(Deserialize)]
struct GpackTable {
    id: Option<String>,
    name: Option<String>,
    version: Option<String>,
    description: Option<String>,
    license: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
}

#[derive(Deserialize)]
struct GpackTemplates {
    #[serde(default)]
    patterns: Vec<String>,
}

#[derive(Deserialize)]
struct GpackRdf {
    #[serde(default)]
    prefixes: BTreeMap<String, String>,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    files: Vec<String>,
}

#[derive(Deserialize)]
struct GpackPreset {
    #[serde(default)]
    vars: BTreeMap<String, toml::Value>,
}

fn read_gpack(root: &Path, path: &Path) -> Result<OriginalPack, MigrateError> {
    let manifest: GpackToml = parse(path)?;
    let Some(gpack) = manifest.gpack else {
        return Err(MigrateError::Manifest {
            path: path.to_path_buf(),
            message: "no [gpack] table: this gpack.toml is not the original ggen's v1 format (is it already a pack of this ggen?)".to_string(),
        });
    };
    let dependencies = manifest
        .dependencies
        .into_iter()
        .map(|(id, req)| {
            let req = match req {
                toml::Value::String(req) => req,
                toml::Value::Table(table) => table
                    .get("version")
                    .and_then(toml::Value::as_str)
                    .unwrap_or("*")
                    .to_string(),
                other => other.to_string(),
            };
            (id, req)
        })
        .collect();
    // `[templates] patterns` are globs like `templates/**/*.tmpl`: every pattern seen in
    // the original's packs roots them in one directory.
    let patterns = manifest.templates.map(|t| t.patterns).unwrap_or_default();
    let templates_root = patterns
        .iter()
        .find_map(|pattern| {
            pattern
                .split('/')
                .next()
                .filter(|first| !first.contains('*'))
        })
        .map_or_else(|| PathBuf::from("templates"), PathBuf::from);
    let mut graphs: Vec<PathBuf> = Vec::new();
    let mut prefixes = BTreeMap::new();
    if let Some(rdf) = manifest.rdf {
        prefixes = rdf.prefixes;
        graphs.extend(rdf.files.into_iter().map(PathBuf::from));
        if !rdf.patterns.is_empty() {
            graphs.extend(rdf_files(root));
        }
    }
    if graphs.is_empty() {
        // v1 packs keep their graphs next to the templates (`templates/*/graphs/*.ttl`).
        graphs.extend(rdf_files(root));
    }
    graphs.sort();
    graphs.dedup();
    let preset = manifest
        .preset
        .map(|p| p.vars)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| {
            let text = match value {
                toml::Value::String(s) => s,
                other => other.to_string(),
            };
            (name, text)
        })
        .collect();
    Ok(OriginalPack {
        root: root.to_path_buf(),
        format: "gpack.toml v1",
        manifest: PathBuf::from("gpack.toml"),
        id: gpack.id.or(gpack.name).unwrap_or_else(|| dir_name(root)),
        version: gpack.version.unwrap_or_else(|| "0.1.0".to_string()),
        description: gpack.description,
        license: gpack.license,
        authors: gpack.authors,
        dependencies,
        prefixes,
        graphs,
        templates: template_files(root, &templates_root),
        templates_root,
        rules: Vec::new(),
        preset,
        unsupported: Vec::new(),
    })
}

/// Every `*.ttl` file of the pack, relative to `root`.
fn rdf_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "ttl"))
        .filter(|entry| !entry.file_name().to_string_lossy().contains(".shacl."))
        .filter_map(|entry| entry.path().strip_prefix(root).ok().map(Path::to_path_buf))
        .collect()
}

fn dir_name(root: &Path) -> String {
    root.canonicalize()
        .ok()
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "migrated".to_string())
}
