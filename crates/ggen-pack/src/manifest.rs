//! `gpack.toml`: parsing, validation, and warnings for unknown keys.

mod document;
mod sections;

use std::collections::BTreeMap;
use std::path::Path;

use crate::PackError;

/// A parsed and validated `gpack.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub pack: PackInfo,
    /// Other packs this one needs, cargo-style requirements. Sorted by id.
    pub dependencies: BTreeMap<String, semver::VersionReq>,
    /// Variables the templates use, sorted by name.
    pub variables: BTreeMap<String, VariableSpec>,
    pub templates: TemplatesSection,
    pub graph: GraphSection,
    pub hooks: HooksSection,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PackInfo {
    /// `[a-z0-9][a-z0-9_-]{0,63}`
    pub id: String,
    pub version: semver::Version,
    pub description: String,
    pub authors: Vec<String>,
    pub license: Option<String>,
    /// Required ggen version, if the pack states one.
    pub ggen: Option<semver::VersionReq>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariableSpec {
    pub description: Option<String>,
    /// `None` means the variable is required. Non-string TOML defaults (bool, integer, float)
    /// are kept as their TOML text (`true`, `3`).
    pub default: Option<String>,
    /// Validated to be a valid regex at parse time; matched against the whole value.
    pub pattern: Option<String>,
    /// `type = ...`, `string` when not written.
    pub kind: VariableType,
    /// The allowed values of a `choice` (one of them) or `list` (any of them; empty: any).
    pub choices: Vec<String>,
    /// `secret = true`: typed without echo, never recorded in the project (`ggen.lock`,
    /// `.ggen/`), never shown in messages or `--json` output.
    pub secret: bool,
}

/// A variable's `type` in `gpack.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VariableType {
    #[default]
    String,
    Bool,
    Int,
    Choice,
    List,
}

impl VariableType {
    /// The name written in `gpack.toml`.
    pub fn name(self) -> &'static str {
        match self {
            VariableType::String => "string",
            VariableType::Bool => "bool",
            VariableType::Int => "int",
            VariableType::Choice => "choice",
            VariableType::List => "list",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TemplatesSection {
    /// Relative to the pack root, default `templates`.
    pub root: String,
    /// Relative to the templates root, default `_partials`: files here can be included by
    /// templates and are never output.
    pub partials: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphSection {
    /// Globs relative to the pack root, default none.
    pub files: Vec<String>,
    /// Prefix name -> IRI, applied to every SPARQL query of the pack.
    pub prefixes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HooksSection {
    /// Shell commands run after the pack is installed into a project (only with consent).
    pub post_install: Vec<String>,
    /// Shell commands run after the pack is updated to a new version (only with consent).
    pub post_update: Vec<String>,
}

/// Something odd but not fatal in a manifest, e.g. an unknown key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestWarning {
    /// Full message, e.g. "gpack.toml: unknown key `pack.verison` (did you mean `version`?)".
    pub message: String,
}

impl std::fmt::Display for ManifestWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Manifest {
    /// Parses `text` read from `path` (used only in messages).
    pub fn parse(text: &str, path: &Path) -> Result<(Manifest, Vec<ManifestWarning>), PackError> {
        let parsed = sections::parse(text, path)?;
        Ok((parsed.manifest, parsed.warnings))
    }
}

pub(crate) use sections::parse as parse_detailed;

/// Whether `id` is a valid pack id: `[a-z0-9][a-z0-9_-]{0,63}`.
pub fn is_valid_pack_id(id: &str) -> bool {
    let mut bytes = id.bytes();
    let Some(first) = bytes.next() else {
        return false;
    };
    id.len() <= 64
        && (first.is_ascii_lowercase() || first.is_ascii_digit())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}
