//! Rendering a template into zero or more output files.

use std::collections::BTreeMap;

use minijinja::value::Value;

use crate::context::Scope;
use crate::engine::{Engine, Fragment, RenderFailure, describe, describe_short};
use crate::graph::{SelectError, too_many_rows};
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
}

/// One output of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Normalised relative path (see [`crate::output_path::normalize`]).
    pub path: String,
    pub content: Vec<u8>,
    /// The template's `source`.
    pub template: String,
    pub unless_exists: bool,
}

/// A configured template engine (Jinja-style, strict undefined, trailing newline kept, the
/// case filters and `local`). `Sync`: render templates in parallel from one `Renderer`.
pub struct Renderer {
    engine: Engine,
    limits: Limits,
    budget: crate::render_budget::Budget,
}

impl Renderer {
    pub fn new(limits: Limits) -> Renderer {
        Renderer {
            engine: Engine::new(),
            limits,
            budget: crate::render_budget::Budget::new(),
        }
    }

    /// The limits this renderer enforces.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Renders `template`. Context: every variable by name, `pack` (id, version), `sparql`
    /// (each named query's rows), and with `foreach` each row's bindings by name (a row value
    /// shadows a variable of the same name). `when` false skips the output; a `to` that renders
    /// empty skips it too. Outputs are sorted by path. Errors name the template.
    ///
    /// The rendered `to` is trimmed, then normalised (see [`normalize`]); without `to` the
    /// path is `source` minus a trailing `.tmpl`. Two rows rendering to one path are an
    /// [`TemplateError::OutputPath`] error. Binary bodies are copied to the default path.
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
        let name = template.source.as_str();
        let frontmatter = &template.frontmatter;
        let text = match &template.body {
            TemplateBody::Text(text) => text.as_str(),
            TemplateBody::Binary(bytes) => {
                // Binary files carry no frontmatter: default path, content as-is.
                return Ok(vec![RenderedFile {
                    path: self.output_path(name, default_path(name))?,
                    content: bytes.clone(),
                    template: name.to_string(),
                    unless_exists: frontmatter.unless_exists,
                }]);
            }
        };
        let body = self
            .engine
            .fragment(name, text)
            .map_err(|err| render_error(name, describe(&err, template.body_line())))?;
        let to = self.frontmatter_fragment(name, "to", frontmatter.to.as_deref())?;
        let when = self.frontmatter_fragment(name, "when", frontmatter.when.as_deref())?;

        let needs_context = !body.is_literal()
            || to.as_ref().is_some_and(|f| !f.is_literal())
            || when.as_ref().is_some_and(|f| !f.is_literal())
            || frontmatter.foreach.is_some();
        // Named queries run even when nothing renders: their errors must not depend on
        // whether the body happens to use them.
        let sparql = self.named_queries(template, graph)?;
        let scope = needs_context.then(|| Scope::new(vars, pack, sparql));
        let rows: Vec<Option<Row>> = match &frontmatter.foreach {
            Some(query) => self
                .query(graph, query, name, "foreach")?
                .into_iter()
                .map(Some)
                .collect(),
            None => vec![None],
        };

        let mut outputs: BTreeMap<String, (usize, Vec<u8>)> = BTreeMap::new();
        for (index, row) in rows.iter().enumerate() {
            let context = match &scope {
                Some(scope) => scope.with_row(row.as_ref()),
                None => Value::UNDEFINED,
            };
            if let Some(when) = &when {
                let condition = self.render_small(name, "when", when, &context)?;
                if is_false(&condition) {
                    continue;
                }
            }
            let raw_path = match &to {
                Some(to) => self.render_small(name, "to", to, &context)?,
                None => default_path(name).to_string(),
            };
            let raw_path = raw_path.trim();
            if raw_path.is_empty() {
                continue;
            }
            let path = self.output_path(name, raw_path)?;
            if let Some((first, _)) = outputs.get(&path) {
                return Err(TemplateError::OutputPath {
                    template: name.to_string(),
                    path,
                    reason: format!(
                        "foreach rows {} and {} both render to it (make `to` depend on the row)",
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
                .map_err(|failure| self.body_error(template, failure, &path))?;
            self.budget.charge(name, content.len())?;
            outputs.insert(path, (index, content));
        }
        Ok(outputs
            .into_iter()
            .map(|(path, (_, content))| RenderedFile {
                path,
                content,
                template: name.to_string(),
                unless_exists: frontmatter.unless_exists,
            })
            .collect())
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
            .map_err(|err| render_error(name, describe(&err, 1)))?;
        let context = Scope::vars_only(vars).with_row(None);
        fragment
            .render_string(&context, self.limits.max_output_bytes)
            .map_err(|failure| match failure {
                RenderFailure::Engine(err) => render_error(name, describe(&err, 1)),
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

    /// Renders `to` or `when`; their output is small, so the byte cap is only a backstop.
    fn render_small(
        &self,
        name: &str,
        key: &str,
        fragment: &Fragment<'_>,
        context: &Value,
    ) -> Result<String, TemplateError> {
        fragment
            .render_string(context, self.limits.max_output_bytes)
            .map_err(|failure| match failure {
                RenderFailure::Engine(err) => {
                    render_error(name, format!("in `{key}`: {}", describe_short(&err)))
                }
                RenderFailure::TooLarge(limit) => TemplateError::Limit {
                    template: name.to_string(),
                    message: format!("`{key}` {}", too_large(limit)),
                },
            })
    }

    fn body_error(&self, template: &Template, failure: RenderFailure, path: &str) -> TemplateError {
        let name = template.source.as_str();
        match failure {
            RenderFailure::Engine(err) => render_error(name, describe(&err, template.body_line())),
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
    ) -> Result<BTreeMap<String, Vec<Row>>, TemplateError> {
        let mut results = BTreeMap::new();
        for (key, query) in &template.frontmatter.sparql {
            let rows = self.query(graph, query, &template.source, &format!("sparql.{key}"))?;
            results.insert(key.clone(), rows);
        }
        Ok(results)
    }

    fn query(
        &self,
        graph: &Graph,
        query: &str,
        name: &str,
        what: &str,
    ) -> Result<Vec<Row>, TemplateError> {
        graph
            .select_rows(query, self.limits.max_rows)
            .map_err(|err| match err {
                SelectError::Query(message) => TemplateError::Query {
                    context: format!("template {name}, {what}"),
                    message,
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
