//! Reading each `gpack.toml` section into the validated public types.

use std::collections::BTreeMap;
use std::path::{Component, Path};

use toml::de::DeValue;

use super::document::{Document, Table, Value, key_path};
use super::{
    GraphSection, HooksSection, Manifest, ManifestWarning, PackInfo, TemplatesSection,
    VariableSpec, VariableType, is_valid_pack_id,
};
use crate::PackError;
use crate::variables::{anchored_pattern, check_value};

const TOP_KEYS: &[&str] = &[
    "pack",
    "dependencies",
    "variables",
    "templates",
    "graph",
    "hooks",
];
const PACK_KEYS: &[&str] = &["id", "version", "description", "authors", "license", "ggen"];
const VARIABLE_KEYS: &[&str] = &[
    "description",
    "default",
    "pattern",
    "type",
    "choices",
    "secret",
];
const TEMPLATES_KEYS: &[&str] = &["root", "partials"];
const GRAPH_KEYS: &[&str] = &["files", "prefixes"];
const HOOKS_KEYS: &[&str] = &["post_install", "post_update"];

/// Words that Jinja expressions read as literals or operators, so a variable with that name
/// could never be referenced from a template.
const JINJA_KEYWORDS: &[&str] = &[
    "true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is", "if", "else",
];

/// A manifest with what [`Manifest`] itself does not keep but pack loading needs.
pub(crate) struct Parsed {
    pub(crate) manifest: Manifest,
    pub(crate) warnings: Vec<ManifestWarning>,
    /// `[templates] root` was written in the file (a missing default root is fine, a missing
    /// explicit one is a mistake).
    pub(crate) templates_root_explicit: bool,
}

pub(crate) fn parse(text: &str, path: &Path) -> Result<Parsed, PackError> {
    let mut doc = Document::new(text, path);
    let root = doc.parse()?;
    doc.check_keys(&root, "", TOP_KEYS);

    let Some(pack) = root.get("pack") else {
        return Err(doc.error(None, "missing table `[pack]` (with `id` and `version`)"));
    };
    let pack_table = doc.table("pack", pack)?;
    let pack = pack_info(&mut doc, pack_table)?;

    let dependencies = match root.get("dependencies") {
        Some(value) => dependencies(&doc, doc.table("dependencies", value)?, &pack.id)?,
        None => BTreeMap::new(),
    };
    let variables = match root.get("variables") {
        Some(value) => variables(&mut doc, value)?,
        None => BTreeMap::new(),
    };
    let (templates, templates_root_explicit) = match root.get("templates") {
        Some(value) => {
            let table = doc.table("templates", value)?;
            templates(&mut doc, table)?
        }
        None => (default_templates(), false),
    };
    let graph = match root.get("graph") {
        Some(value) => {
            let table = doc.table("graph", value)?;
            graph(&mut doc, table)?
        }
        None => GraphSection::default(),
    };
    let hooks = match root.get("hooks") {
        Some(value) => {
            let table = doc.table("hooks", value)?;
            hooks(&mut doc, table)?
        }
        None => HooksSection::default(),
    };

    Ok(Parsed {
        manifest: Manifest {
            pack,
            dependencies,
            variables,
            templates,
            graph,
            hooks,
        },
        warnings: doc.warnings,
        templates_root_explicit,
    })
}

fn pack_info(doc: &mut Document<'_>, table: &Table<'_>) -> Result<PackInfo, PackError> {
    doc.check_keys(table, "pack", PACK_KEYS);

    let Some(id_value) = table.get("id") else {
        return Err(doc.error(None, "missing key `pack.id`"));
    };
    let id = doc.string("pack.id", id_value)?;
    if !is_valid_pack_id(&id) {
        return Err(doc.error(
            Some(id_value.span()),
            format!(
                "`pack.id` = {id:?} is not a valid pack id (1 to 64 lowercase letters, digits, \
                 `_` or `-`, starting with a letter or digit)"
            ),
        ));
    }

    let Some(version_value) = table.get("version") else {
        return Err(doc.error(None, "missing key `pack.version`"));
    };
    let version_text = doc.string("pack.version", version_value)?;
    let version = semver::Version::parse(&version_text).map_err(|err| {
        doc.error(
            Some(version_value.span()),
            format!("`pack.version` = {version_text:?} is not a semver version: {err}"),
        )
    })?;

    let description = match table.get("description") {
        Some(value) => doc.string("pack.description", value)?,
        None => {
            // Optional so that a sketch of a pack loads, but search results need it.
            doc.warn("missing key `pack.description` (shown by `ggen search` and `packs info`)");
            String::new()
        }
    };
    let authors = match table.get("authors") {
        Some(value) => doc.strings("pack.authors", value)?,
        None => Vec::new(),
    };
    let license = match table.get("license") {
        Some(value) => Some(doc.string("pack.license", value)?),
        None => None,
    };
    let ggen = match table.get("ggen") {
        Some(value) => Some(ggen_requirement(doc, value)?),
        None => None,
    };

    Ok(PackInfo {
        id,
        version,
        description,
        authors,
        license,
        ggen,
    })
}

/// `pack.ggen`, checked against the running ggen: a pack written for a newer ggen would
/// otherwise fail later in some obscure way.
fn ggen_requirement(
    doc: &Document<'_>,
    value: &Value<'_>,
) -> Result<semver::VersionReq, PackError> {
    let text = doc.string("pack.ggen", value)?;
    let requirement = semver::VersionReq::parse(&text).map_err(|err| {
        doc.error(
            Some(value.span()),
            format!("`pack.ggen` = {text:?} is not a semver requirement: {err}"),
        )
    })?;
    let running = env!("CARGO_PKG_VERSION");
    if let Ok(mut version) = semver::Version::parse(running) {
        // A pre-release build of ggen x.y.z counts as x.y.z here; semver would otherwise
        // refuse it for every requirement that does not name that exact pre-release.
        version.pre = semver::Prerelease::EMPTY;
        if !requirement.matches(&version) {
            return Err(doc.error(
                Some(value.span()),
                format!("this pack requires ggen {requirement} (`pack.ggen`), but this is ggen {running}"),
            ));
        }
    }
    Ok(requirement)
}

fn dependencies(
    doc: &Document<'_>,
    table: &Table<'_>,
    own_id: &str,
) -> Result<BTreeMap<String, semver::VersionReq>, PackError> {
    let mut out = BTreeMap::new();
    for (key, value) in table.iter() {
        let id: &str = key.get_ref();
        let full = key_path("dependencies", id);
        if !is_valid_pack_id(id) {
            return Err(doc.error(
                Some(key.span()),
                format!("dependency `{full}`: {id:?} is not a valid pack id"),
            ));
        }
        if id == own_id {
            return Err(doc.error(
                Some(key.span()),
                format!("the pack depends on itself (`{full}`)"),
            ));
        }
        let text = doc.string(&full, value)?;
        let requirement = semver::VersionReq::parse(&text).map_err(|err| {
            doc.error(
                Some(value.span()),
                format!("dependency `{id}`: {text:?} is not a semver requirement: {err}"),
            )
        })?;
        out.insert(id.to_string(), requirement);
    }
    Ok(out)
}

fn variables(
    doc: &mut Document<'_>,
    value: &Value<'_>,
) -> Result<BTreeMap<String, VariableSpec>, PackError> {
    let table = doc.table("variables", value)?;
    let mut out = BTreeMap::new();
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        let full = key_path("variables", name);
        if !is_identifier(name) {
            return Err(doc.error(
                Some(key.span()),
                format!(
                    "variable `{full}`: {name:?} is not a valid variable name (letters, digits \
                     and `_`, not starting with a digit)"
                ),
            ));
        }
        if JINJA_KEYWORDS.contains(&name) {
            return Err(doc.error(
                Some(key.span()),
                format!(
                    "variable `{full}`: `{name}` is a template keyword and cannot be used as a name"
                ),
            ));
        }
        if matches!(name, "pack" | "sparql") {
            return Err(doc.error(
                Some(key.span()),
                format!(
                    "variable `{full}`: `{name}` is built into every template (`{name}.…`) and \
                     cannot be a variable's name"
                ),
            ));
        }
        let spec_table = doc.table(&full, value)?;
        let spec = variable(doc, spec_table, &full)?;
        out.insert(name.to_string(), spec);
    }
    Ok(out)
}

fn variable(
    doc: &mut Document<'_>,
    table: &Table<'_>,
    full: &str,
) -> Result<VariableSpec, PackError> {
    doc.check_keys(table, full, VARIABLE_KEYS);
    let description = match table.get("description") {
        Some(value) => Some(doc.string(&format!("{full}.description"), value)?),
        None => None,
    };
    let kind = match table.get("type") {
        Some(value) => {
            let key = format!("{full}.type");
            match doc.string(&key, value)?.as_str() {
                "string" => VariableType::String,
                "bool" => VariableType::Bool,
                "int" => VariableType::Int,
                "choice" => VariableType::Choice,
                "list" => VariableType::List,
                other => {
                    return Err(doc.error(
                        Some(value.span()),
                        format!(
                            "`{key}` = {other:?} is not a variable type (string, bool, int, \
                             choice, list)"
                        ),
                    ));
                }
            }
        }
        None => VariableType::String,
    };
    let choices = match table.get("choices") {
        Some(value) => {
            let key = format!("{full}.choices");
            if !matches!(kind, VariableType::Choice | VariableType::List) {
                return Err(doc.error(
                    Some(value.span()),
                    format!("`{key}` is only for `type = \"choice\"` or `type = \"list\"`"),
                ));
            }
            let choices = doc.strings(&key, value)?;
            if choices.iter().any(|choice| choice.contains(',')) {
                return Err(doc.error(
                    Some(value.span()),
                    format!("`{key}`: a choice cannot contain `,`"),
                ));
            }
            choices
        }
        None => Vec::new(),
    };
    if kind == VariableType::Choice && choices.is_empty() {
        return Err(doc.error(
            None,
            format!("variable `{full}` has `type = \"choice\"` but no `choices = [...]`"),
        ));
    }
    let default = match table.get("default") {
        Some(value) => {
            let key = format!("{full}.default");
            let text = default_text(doc, &key, value, kind)?;
            let text = check_value(kind, &choices, &text).map_err(|allowed| {
                doc.error(
                    Some(value.span()),
                    format!("`{key}` = {text:?} is not allowed: {allowed}"),
                )
            })?;
            Some(text)
        }
        None => None,
    };
    let pattern = match table.get("pattern") {
        Some(value) => {
            let key = format!("{full}.pattern");
            let pattern = doc.string(&key, value)?;
            // Compile the pattern as written first so the error talks about the author's text,
            // then anchored, as it is used (a `(?x)` comment can swallow the anchor).
            let compiled = regex::Regex::new(&pattern)
                .map_err(|err| err.to_string())
                .and_then(|_| anchored_pattern(&pattern).map_err(|err| err.to_string()));
            match compiled {
                Ok(anchored) => {
                    if let Some(default) = &default
                        && !anchored.is_match(default)
                    {
                        doc.warn(format!(
                            "the default {default:?} of `{full}` does not match its pattern `{pattern}`"
                        ));
                    }
                }
                Err(err) => {
                    return Err(doc.error(
                        Some(value.span()),
                        format!("`{key}` is not a valid regular expression: {err}"),
                    ));
                }
            }
            Some(pattern)
        }
        None => None,
    };
    let secret = match table.get("secret") {
        Some(value) => match value.get_ref() {
            DeValue::Boolean(flag) => *flag,
            _ => return Err(doc.wrong_type(&format!("{full}.secret"), value, "a boolean")),
        },
        None => false,
    };
    Ok(VariableSpec {
        description,
        default,
        pattern,
        kind,
        choices,
        secret,
    })
}

/// A default as the text templates will see: strings as they are, booleans and numbers as
/// written in the file (`true`, `3`, `0.5`).
fn default_text(
    doc: &Document<'_>,
    key: &str,
    value: &Value<'_>,
    kind: VariableType,
) -> Result<String, PackError> {
    match value.get_ref() {
        DeValue::Array(_) if kind == VariableType::List => Ok(doc.strings(key, value)?.join(",")),
        DeValue::String(text) => Ok(text.to_string()),
        DeValue::Boolean(flag) => Ok(flag.to_string()),
        // Decimal even when written `0x1F` or `1_000`; every TOML integer fits in i128.
        DeValue::Integer(integer) => Ok(i128::from_str_radix(integer.as_str(), integer.radix())
            .map_or_else(
                |_| integer.as_str().to_string(),
                |number| number.to_string(),
            )),
        DeValue::Float(float) => Ok(float.as_str().to_string()),
        _ => Err(doc.wrong_type(key, value, "a string, boolean or number")),
    }
}

/// Where partials live unless `[templates] partials` says otherwise.
pub(crate) const DEFAULT_PARTIALS: &str = "_partials";

fn default_templates() -> TemplatesSection {
    TemplatesSection {
        root: "templates".to_string(),
        partials: DEFAULT_PARTIALS.to_string(),
    }
}

fn templates(
    doc: &mut Document<'_>,
    table: &Table<'_>,
) -> Result<(TemplatesSection, bool), PackError> {
    doc.check_keys(table, "templates", TEMPLATES_KEYS);
    let mut section = default_templates();
    if let Some(value) = table.get("partials") {
        let text = doc.string("templates.partials", value)?;
        let partials = relative_path(&text).map_err(|why| {
            doc.error(
                Some(value.span()),
                format!("`templates.partials` = {text:?} {why}"),
            )
        })?;
        if partials == "." {
            return Err(doc.error(
                Some(value.span()),
                "`templates.partials` = \".\" would make every template a partial (name a \
                 directory under the templates root, e.g. \"_partials\")"
                    .to_string(),
            ));
        }
        section.partials = partials;
    }
    let Some(value) = table.get("root") else {
        return Ok((section, false));
    };
    let text = doc.string("templates.root", value)?;
    section.root = relative_path(&text).map_err(|why| {
        doc.error(
            Some(value.span()),
            format!("`templates.root` = {text:?} {why}"),
        )
    })?;
    Ok((section, true))
}

/// `text` as a normalized relative path inside the pack (`/`-separated, `.` for the pack root
/// itself), or why it is not one.
fn relative_path(text: &str) -> Result<String, &'static str> {
    if text.is_empty() {
        return Err("is empty (use \".\" for the pack root)");
    }
    let mut parts = Vec::new();
    for component in Path::new(text).components() {
        match component {
            Component::Normal(part) => match part.to_str() {
                Some(part) => parts.push(part),
                None => return Err("is not valid UTF-8"),
            },
            Component::CurDir => {}
            Component::ParentDir => return Err("must not contain `..`"),
            Component::RootDir | Component::Prefix(_) => {
                return Err("must be relative to the pack root");
            }
        }
    }
    if parts.is_empty() {
        Ok(".".to_string())
    } else {
        Ok(parts.join("/"))
    }
}

fn graph(doc: &mut Document<'_>, table: &Table<'_>) -> Result<GraphSection, PackError> {
    doc.check_keys(table, "graph", GRAPH_KEYS);
    let mut section = GraphSection::default();
    if let Some(value) = table.get("files") {
        section.files = doc.strings("graph.files", value)?;
        for glob in &section.files {
            if let Err(why) = check_glob(glob) {
                return Err(doc.error(Some(value.span()), format!("`graph.files`: {glob:?} {why}")));
            }
        }
    }
    if let Some(value) = table.get("prefixes") {
        for (key, iri_value) in doc.table("graph.prefixes", value)?.iter() {
            let name: &str = key.get_ref();
            let full = key_path("graph.prefixes", name);
            if !is_prefix_name(name) {
                return Err(doc.error(
                    Some(key.span()),
                    format!("`{full}`: {name:?} is not a valid SPARQL prefix name"),
                ));
            }
            let iri = doc.string(&full, iri_value)?;
            if !is_iri(&iri) {
                return Err(doc.error(
                    Some(iri_value.span()),
                    format!("`{full}` = {iri:?} is not a valid IRI"),
                ));
            }
            section.prefixes.insert(name.to_string(), iri);
        }
    }
    Ok(section)
}

/// Graph globs are matched against paths inside the pack, so they may not point out of it.
fn check_glob(glob: &str) -> Result<(), String> {
    if glob.is_empty() {
        return Err("is empty".to_string());
    }
    if glob.starts_with('/') || glob.starts_with('\\') || Path::new(glob).is_absolute() {
        return Err("must be relative to the pack root".to_string());
    }
    if glob.split(['/', '\\']).any(|part| part == "..") {
        return Err("must not contain `..`".to_string());
    }
    globset::GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .map(|_| ())
        .map_err(|err| format!("is not a valid glob: {err}"))
}

fn hooks(doc: &mut Document<'_>, table: &Table<'_>) -> Result<HooksSection, PackError> {
    doc.check_keys(table, "hooks", HOOKS_KEYS);
    let mut section = HooksSection::default();
    if let Some(value) = table.get("post_install") {
        section.post_install = doc.strings("hooks.post_install", value)?;
    }
    if let Some(value) = table.get("post_update") {
        section.post_update = doc.strings("hooks.post_update", value)?;
    }
    Ok(section)
}

/// `[A-Za-z_][A-Za-z0-9_]*`: a name a Jinja expression can refer to.
fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A SPARQL `PN_PREFIX` (ASCII subset), or empty for the default prefix `:`.
fn is_prefix_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    match bytes.next() {
        None => true,
        Some(first) => {
            first.is_ascii_alphabetic()
                && !name.ends_with('.')
                && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        }
    }
}

/// Characters SPARQL forbids inside `<...>`; anything else (with a scheme) is accepted.
fn is_iri(iri: &str) -> bool {
    iri.contains(':')
        && !iri.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_normalized_or_refused() {
        assert_eq!(relative_path("templates/").as_deref(), Ok("templates"));
        assert_eq!(relative_path("./a/./b").as_deref(), Ok("a/b"));
        assert_eq!(relative_path(".").as_deref(), Ok("."));
        assert!(relative_path("../x").is_err());
        assert!(relative_path("a/../../x").is_err());
        assert!(relative_path("/abs").is_err());
        assert!(relative_path("").is_err());
    }

    #[test]
    fn names() {
        assert!(is_identifier("project_name"));
        assert!(is_identifier("_x9"));
        assert!(!is_identifier("9x"));
        assert!(!is_identifier("project-name"));
        assert!(!is_identifier(""));
        assert!(is_prefix_name("ex"));
        assert!(is_prefix_name(""));
        assert!(!is_prefix_name("1ex"));
        assert!(is_iri("http://example.org/"));
        assert!(!is_iri("http://exa mple.org/"));
        assert!(!is_iri("no-scheme"));
    }

    #[test]
    fn globs_stay_inside_the_pack() {
        assert!(check_glob("graph/*.ttl").is_ok());
        assert!(check_glob("../graph/*.ttl").is_err());
        assert!(check_glob("/etc/*.ttl").is_err());
        assert!(check_glob("graph/[.ttl").is_err());
    }
}
