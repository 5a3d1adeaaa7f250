//! Rendering a template into zero or more output files.

use std::collections::BTreeMap;

use std::sync::Arc;

use minijinja::value::Value;

use crate::context::Scope;
use crate::engine::{
    Engine, Fragment, RenderFailure, describe, describe_short, describe_short_with, has_markup,
};
use crate::graph::{SelectError, too_many_rows};
use crate::library::Library;
use crate::output_path::normalize;
use crate::{Graph, Row, Template, TemplateBody, TemplateError};

/// Resource bounds that keep a hostile pack from exhausting the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows one SPARQL query may return (default 100,000).
    pub max_rows: usize,
    /// Outputs one template may produce through `foreach` (default 100,000).
    pub max_outputs_per_template: usize,
    /// Bytes of one rendered output (default 64 MiB).
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 100_000,
            max_outputs_per_template: 100_000,
            max_output_bytes: 64 << 20,
        }
    }
}

/// What a template sees as `pack.id` and `pack.version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackContext {
    pub id: String,
    pub version: String,
    /// How each variable's text reaches templates; a variable not listed is a string.
    pub kinds: BTreeMap<String, VarKind>,
}

/// The template-side type of a variable whose value is passed as canonical text: `Bool` is
/// `true`/`false`, `Int` decimal, `List` comma-separated items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarKind {
    Text,
    Bool,
    Int,
    List,
}

/// Watches a template render row by row (a template without `foreach` has one row). `Sync`:
/// one value may watch templates rendering in parallel.
pub trait RenderProgress: Sync {
    /// The template has `rows` rows; each ends with one [`RenderProgress::row_done`] unless
    /// the render fails.
    fn rows(&self, _rows: usize) {}
    /// A row is done: it became an output (`true`) or was skipped (`false`: `when` was
    /// false or its path rendered empty).
    fn row_done(&self, _output: bool) {}
}

/// Watches nothing.
pub struct NoProgress;

impl RenderProgress for NoProgress {}

/// One output of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Normalised relative path (see [`crate::output_path::normalize`]).
    pub path: String,
    pub content: Vec<u8>,
    /// The template's `source`.
    pub template: String,
    pub unless_exists: bool,
    /// The frontmatter's `moved_from`, rendered like `to` and normalised: where this output
    /// lived before. `None` when not declared (or rendered empty).
    pub moved_from: Option<String>,
}

/// A configured template engine (Jinja-style, strict undefined, trailing newline kept, the
/// case filters and `local`, plain value output). `Sync`: render templates in parallel from
/// one `Renderer`.
pub struct Renderer {
    engine: Engine,
    limits: Limits,
    library: Arc<Library>,
    budget: crate::render_budget::Budget,
}

impl Renderer {
    /// A renderer without includable files (every include is an error).
    pub fn new(limits: Limits) -> Renderer {
        Renderer::with_library(limits, Library::new())
    }

    /// A renderer whose `{% include %}` (and `import`, `from`, `extends`) read from `library`.
    pub fn with_library(limits: Limits, library: Library) -> Renderer {
        let library = Arc::new(library);
        Renderer {
            engine: Engine::new(Arc::clone(&library)),
            limits,
            library,
            budget: crate::render_budget::Budget::new(),
        }
    }

    /// The limits this renderer enforces.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The includable files.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Renders `template`. Context: every variable by name, `pack` (id, version), `sparql`
    /// (each named query's rows), and with `foreach` each row's bindings by name (a row value
    /// shadows a variable of the same name). `when` false skips the output; a `to` that renders
    /// empty skips it too. Outputs are sorted by path. Errors name the template.
    ///
    /// Queries (`foreach`, `sparql`, an ASK `when`) are rendered with the variables first.
    /// The rendered `to` is trimmed, then normalised (see [`normalize`]); without `to` the
    /// path is `source` minus a trailing `.tmpl`, each segment holding markup rendered (one
    /// that renders empty skips the output). Two rows rendering to one path are an
    /// [`TemplateError::OutputPath`] error. Verbatim (non-`.tmpl`) files are copied as they
    /// are, only their path rendered.
    ///
    /// Deterministic: rows come in a fixed order (see [`Graph::select`]), the context is
    /// made of sorted maps, and outputs are sorted by path.
    pub fn render(
        &self,
        template: &Template,
        vars: &BTreeMap<String, String>,
        pack: &PackContext,
        graph: &Graph,
    ) -> Result<Vec<RenderedFile>, TemplateError> {
        self.render_counted(template, vars, pack, graph, &NoProgress)
    }

    /// [`Renderer::render`], telling `progress` how many rows the template has and when
    /// each is done, so a `foreach` of 20,000 rows counts as 20,000 steps.
    pub fn render_counted(
        &self,
        template: &Template,
        vars: &BTreeMap<String, String>,
        pack: &PackContext,
        graph: &Graph,
        progress: &dyn RenderProgress,
    ) -> Result<Vec<RenderedFile>, TemplateError> {
        let name = template.source.as_str();
        let frontmatter = &template.frontmatter;
        let base_scope = Scope::new(vars, pack, BTreeMap::new());
        let base_context = base_scope.with_row(None);
        let text = match &template.body {
            TemplateBody::Text(text) => text.as_str(),
            TemplateBody::Verbatim(bytes) => {
                progress.rows(1);
                let names = base_scope.names(None);
                let Some(path) = self.source_path(name, &base_context, &names)? else {
                    progress.row_done(false);
                    return Ok(Vec::new());
                };
                if bytes.len() > self.limits.max_output_bytes {
                    return Err(TemplateError::Limit {
                        template: name.to_string(),
                        message: format!(
                            "output {path} {}",
                            too_large(self.limits.max_output_bytes)
                        ),
                    });
                }
                progress.row_done(true);
                return Ok(vec![RenderedFile {
                    path,
                    content: bytes.clone(),
                    template: name.to_string(),
                    unless_exists: frontmatter.unless_exists,
                    moved_from: None,
                }]);
            }
        };
        // Include cycles and names leaving the pack are found before anything renders.
        self.library.inputs(name, text)?;
        let body = self
            .engine
            .fragment(name, text)
            .map_err(|err| render_error(name, describe(&err, name, template.body_line(), &[])))?;
        let to = self.frontmatter_fragment(name, "to", frontmatter.to.as_deref())?;
        let when_is_ask = frontmatter.when.as_deref().is_some_and(is_ask);
        let when = self.frontmatter_fragment(name, "when", frontmatter.when.as_deref())?;
        let moved_from =
            self.frontmatter_fragment(name, "moved_from", frontmatter.moved_from.as_deref())?;

        // Named queries run even when nothing renders: their errors must not depend on
        // whether the body happens to use them.
        let sparql = self.named_queries(template, graph, &base_context, &base_scope.names(None))?;
        let scope = Scope::new(vars, pack, sparql);
        let rows: Vec<Option<Row>> = match &frontmatter.foreach {
            Some(query) => {
                let query = self.render_query(
                    name,
                    "foreach",
                    query,
                    &base_context,
                    &base_scope.names(None),
                )?;
                self.query(graph, &query, template, "foreach")?
                    .into_iter()
                    .map(Some)
                    .collect()
            }
            None => vec![None],
        };
        progress.rows(rows.len());

        let mut outputs: BTreeMap<String, (usize, Vec<u8>, Option<String>)> = BTreeMap::new();
        for (index, row) in rows.iter().enumerate() {
            let context = scope.with_row(row.as_ref());
            let names = scope.names(row.as_ref());
            let path = 'path: {
                if let Some(when) = &when {
                    let condition = self.render_small(name, "when", when, &context, &names)?;
                    let holds = if when_is_ask {
                        self.ask(graph, &condition, template)?
                    } else {
                        !is_false(&condition)
                    };
                    if !holds {
                        break 'path None;
                    }
                }
                match &to {
                    Some(to) => {
                        let raw_path = self.render_small(name, "to", to, &context, &names)?;
                        let raw_path = raw_path.trim();
                        if raw_path.is_empty() {
                            break 'path None;
                        }
                        Some(self.output_path(name, raw_path)?)
                    }
                    None => self.source_path(name, &context, &names)?,
                }
            };
            let Some(path) = path else {
                progress.row_done(false);
                continue;
            };
            if let Some((first, _, _)) = outputs.get(&path) {
                return Err(TemplateError::OutputPath {
                    template: name.to_string(),
                    path,
                    reason: format!(
                        "foreach rows {} and {} both render to it (make the path depend on the row)",
                        first + 1,
                        index + 1
                    ),
                });
            }
            if outputs.len() == self.limits.max_outputs_per_template {
                return Err(TemplateError::Limit {
                    template: name.to_string(),
                    message: format!(
                        "renders more than {} outputs (the limit; raise it with --max-outputs)",
                        self.limits.max_outputs_per_template
                    ),
                });
            }
            let content = body
                .render(&context, self.limits.max_output_bytes)
                .map_err(|failure| self.body_error(template, failure, &path, &names))?;
            self.budget.charge(name, content.len())?;
            let moved_from = match &moved_from {
                Some(fragment) => self.moved_from(name, fragment, &path, &context, &names)?,
                None => None,
            };
            outputs.insert(path, (index, content, moved_from));
            progress.row_done(true);
        }
        Ok(outputs
            .into_iter()
            .map(|(path, (_, content, moved_from))| RenderedFile {
                path,
                content,
                template: name.to_string(),
                unless_exists: frontmatter.unless_exists,
                moved_from,
            })
            .collect())
    }

    /// The rendered `moved_from` of the output `path`: a project-relative path like an
    /// output's (neither absolute nor leaving the project), other than `path` itself.
    fn moved_from(
        &self,
        name: &str,
        fragment: &Fragment<'_>,
        path: &str,
        context: &Value,
        names: &[String],
    ) -> Result<Option<String>, TemplateError> {
        let raw = self.render_small(name, "moved_from", fragment, context, names)?;
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let old = normalize(raw).map_err(|reason| {
            render_error(
                name,
                format!("`moved_from` {raw:?} is not allowed: {reason}"),
            )
        })?;
        if old == path {
            return Err(render_error(
                name,
                format!("`moved_from` {raw:?} is the output path itself"),
            ));
        }
        Ok(Some(old))
    }

    /// The output path of a template without `to`: its source path minus `.tmpl`, each
    /// segment that holds markup rendered. `None` when a segment renders empty (the file,
    /// or the whole directory, is skipped). A segment rendering to more than one name
    /// (`a/b`, `..`) is refused naming the template and the rendered value.
    fn source_path(
        &self,
        name: &str,
        context: &Value,
        names: &[String],
    ) -> Result<Option<String>, TemplateError> {
        let base = default_path(name);
        if !has_markup(base) {
            return self.output_path(name, base).map(Some);
        }
        let mut parts = Vec::new();
        for segment in segments(base) {
            if !has_markup(segment) {
                parts.push(segment.to_string());
                continue;
            }
            let key = format!("path segment `{segment}`");
            let fragment = self
                .engine
                .fragment(name, segment)
                .map_err(|err| render_error(name, format!("in {key}: {}", describe_short(&err))))?;
            let rendered = self.render_small(name, &key, &fragment, context, names)?;
            let rendered = rendered.trim();
            if rendered.is_empty() {
                return Ok(None);
            }
            let single =
                !rendered.contains(['/', '\\', '\0']) && rendered != "." && rendered != "..";
            if !single {
                return Err(TemplateError::OutputPath {
                    template: name.to_string(),
                    path: rendered.to_string(),
                    reason: format!(
                        "{key} must render to one file or directory name (no `/`, `\\`, NUL, \
                         `.` or `..`)"
                    ),
                });
            }
            parts.push(rendered.to_string());
        }
        let path = parts.join("/");
        self.output_path(name, &path).map(Some)
    }

    /// Renders a bare string with the variables in scope (no frontmatter); used for hooks and
    /// messages. `name` labels errors.
    pub fn render_str(
        &self,
        name: &str,
        source: &str,
        vars: &BTreeMap<String, String>,
    ) -> Result<String, TemplateError> {
        let fragment = self
            .engine
            .fragment(name, source)
            .map_err(|err| render_error(name, describe(&err, name, 1, &[])))?;
        let scope = Scope::vars_only(vars);
        let context = scope.with_row(None);
        fragment
            .render_string(&context, self.limits.max_output_bytes)
            .map_err(|failure| match failure {
                RenderFailure::Engine(err) => {
                    render_error(name, describe(&err, name, 1, &scope.names(None)))
                }
                RenderFailure::TooLarge(limit) => TemplateError::Limit {
                    template: name.to_string(),
                    message: too_large(limit),
                },
            })
    }

    fn frontmatter_fragment<'a>(
        &'a self,
        name: &'a str,
        key: &str,
        source: Option<&'a str>,
    ) -> Result<Option<Fragment<'a>>, TemplateError> {
        source
            .map(|source| {
                self.engine.fragment(name, source).map_err(|err| {
                    render_error(name, format!("in `{key}`: {}", describe_short(&err)))
                })
            })
            .transpose()
    }

    /// Renders `to`, `when`, a query or a path segment; their output is small, so the byte
    /// cap is only a backstop.
    fn render_small(
        &self,
        name: &str,
        key: &str,
        fragment: &Fragment<'_>,
        context: &Value,
        names: &[String],
    ) -> Result<String, TemplateError> {
        fragment
            .render_string(context, self.limits.max_output_bytes)
            .map_err(|failure| match failure {
                RenderFailure::Engine(err) => render_error(
                    name,
                    format!("in `{key}`: {}", describe_short_with(&err, names)),
                ),
                RenderFailure::TooLarge(limit) => TemplateError::Limit {
                    template: name.to_string(),
                    message: format!("`{key}` {}", too_large(limit)),
                },
            })
    }

    fn body_error(
        &self,
        template: &Template,
        failure: RenderFailure,
        path: &str,
        names: &[String],
    ) -> TemplateError {
        let name = template.source.as_str();
        match failure {
            RenderFailure::Engine(err) => {
                render_error(name, describe(&err, name, template.body_line(), names))
            }
            RenderFailure::TooLarge(limit) => TemplateError::Limit {
                template: name.to_string(),
                message: format!("output {path} {}", too_large(limit)),
            },
        }
    }

    fn named_queries(
        &self,
        template: &Template,
        graph: &Graph,
        context: &Value,
        names: &[String],
    ) -> Result<BTreeMap<String, Vec<Row>>, TemplateError> {
        let mut results = BTreeMap::new();
        for (key, query) in &template.frontmatter.sparql {
            let what = format!("sparql.{key}");
            let query = self.render_query(&template.source, &what, query, context, names)?;
            let rows = self.query(graph, &query, template, &what)?;
            results.insert(key.clone(), rows);
        }
        Ok(results)
    }

    /// A query is a template too: rendered with the variables before it runs.
    fn render_query(
        &self,
        name: &str,
        what: &str,
        query: &str,
        context: &Value,
        names: &[String],
    ) -> Result<String, TemplateError> {
        let fragment = self
            .engine
            .fragment(name, query)
            .map_err(|err| render_error(name, format!("in `{what}`: {}", describe_short(&err))))?;
        self.render_small(name, what, &fragment, context, names)
    }

    /// Runs a `when` that is a SPARQL ASK query.
    fn ask(&self, graph: &Graph, query: &str, template: &Template) -> Result<bool, TemplateError> {
        let name = template.source.as_str();
        graph.ask(query).map_err(|err| match err {
            SelectError::Query(message) => TemplateError::Query {
                context: format!("template {name}, when"),
                message: readable_query_error(&message, query, template, "when"),
            },
            SelectError::TooManyRows(limit) => TemplateError::Limit {
                template: name.to_string(),
                message: format!("when: {}", too_many_rows(limit)),
            },
        })
    }

    fn query(
        &self,
        graph: &Graph,
        query: &str,
        template: &Template,
        what: &str,
    ) -> Result<Vec<Row>, TemplateError> {
        let name = template.source.as_str();
        graph
            .select_rows(query, self.limits.max_rows)
            .map_err(|err| match err {
                SelectError::Query(message) => TemplateError::Query {
                    context: format!("template {name}, {what}"),
                    message: readable_query_error(&message, query, template, what),
                },
                SelectError::TooManyRows(limit) => TemplateError::Limit {
                    template: name.to_string(),
                    message: format!("{what}: {}", too_many_rows(limit)),
                },
            })
    }

    fn output_path(&self, name: &str, raw: &str) -> Result<String, TemplateError> {
        normalize(raw).map_err(|reason| TemplateError::OutputPath {
            template: name.to_string(),
            path: raw.to_string(),
            reason,
        })
    }
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The source path without a trailing `.tmpl`.
fn default_path(source: &str) -> &str {
    source.strip_suffix(".tmpl").unwrap_or(source)
}

/// A parse error as a reader wants it: where in the template file, and what is wrong in
/// words (an unclosed `{`), with a few of the expected tokens rather than the parser's whole
/// token set. Other messages pass through.
fn readable_query_error(message: &str, query: &str, template: &Template, what: &str) -> String {
    let Some(rest) = message.strip_prefix("error at ") else {
        return message.to_string();
    };
    let Some((position, detail)) = rest.split_once(": ") else {
        return message.to_string();
    };
    let Some((line, column)) = position.split_once(':') else {
        return message.to_string();
    };
    let (Ok(line), Ok(column)) = (line.parse::<usize>(), column.parse::<usize>()) else {
        return message.to_string();
    };
    let mut out = match template.query_line(what) {
        Some(first) => format!(
            "syntax error at line {}, column {column} of {} (line {line} of the query)",
            first + line.saturating_sub(1),
            template.source
        ),
        None => format!("syntax error at line {line}, column {column} of the query"),
    };
    let opened = query.matches('{').count();
    let closed = query.matches('}').count();
    if opened > closed {
        out.push_str(": a `{` is never closed");
    } else if closed > opened {
        out.push_str(": a `}` closes nothing");
    }
    if let Some(tokens) = detail.strip_prefix("expected one of ") {
        // Character classes (`[_]`, long Unicode ranges) say nothing to a reader.
        let shown: Vec<&str> = tokens
            .split(", ")
            .map(str::trim)
            .filter(|token| !token.starts_with('[') && !token.is_empty())
            .take(6)
            .collect();
        if shown.is_empty() {
            out.push_str("; unexpected text here (a misspelt keyword?)");
        } else {
            let more = if tokens.split(", ").count() > shown.len() {
                ", …"
            } else {
                ""
            };
            out.push_str(&format!("; expected one of {}{more}", shown.join(", ")));
        }
    } else {
        out.push_str(&format!("; {detail}"));
    }
    out
}

/// The `/`-separated segments of a path, a `/` inside `{{ }}` or `{% %}` not splitting
/// (so `{{ "a/b" }}` is one segment, refused once it renders).
fn segments(path: &str) -> Vec<&str> {
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut inside: Option<u8> = None;
    let mut at = 0;
    while at < bytes.len() {
        match (inside, bytes[at], bytes.get(at + 1)) {
            (None, b'{', Some(b'{')) => {
                inside = Some(b'}');
                at += 1;
            }
            (None, b'{', Some(b'%')) => {
                inside = Some(b'%');
                at += 1;
            }
            (Some(b'}'), b'}', Some(b'}')) | (Some(b'%'), b'%', Some(b'}')) => {
                inside = None;
                at += 1;
            }
            (None, b'/', _) => {
                out.push(&path[start..at]);
                start = at + 1;
            }
            _ => {}
        }
        at += 1;
    }
    out.push(&path[start..]);
    out
}

/// Does a `when` start with `ASK` (after comments and `PREFIX`/`BASE` lines)?
fn is_ask(when: &str) -> bool {
    for line in when.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let word = line.split_whitespace().next().unwrap_or("");
        if word.eq_ignore_ascii_case("prefix") || word.eq_ignore_ascii_case("base") {
            continue;
        }
        let head: String = line.chars().take(3).collect();
        let after = line.chars().nth(3);
        return head.eq_ignore_ascii_case("ask")
            && after.is_none_or(|c| c.is_whitespace() || c == '{');
    }
    false
}

/// `when` is false when it renders (trimmed, any case) to nothing, `false`, `0`, `no` or `off`.
fn is_false(condition: &str) -> bool {
    let condition = condition.trim();
    condition.is_empty()
        || ["false", "0", "no", "off"]
            .iter()
            .any(|falsy| condition.eq_ignore_ascii_case(falsy))
}

fn render_error(template: &str, message: String) -> TemplateError {
    TemplateError::Render {
        template: template.to_string(),
        message,
    }
}

fn too_large(limit: usize) -> String {
    format!("is larger than {limit} bytes (the limit; raise it with --max-output-bytes)")
}

#[cfg(test)]
mod tests;

#[cfg(test)]
#[path = "render/authoring_tests.rs"]
mod authoring_tests;
