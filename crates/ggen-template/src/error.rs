//! Errors in templates, graphs and queries, each naming the template or file involved.

/// One variant per failure a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// Bad YAML frontmatter, or a frontmatter key of the wrong type / unknown.
    #[error("template {template}: invalid frontmatter: {message}")]
    Frontmatter { template: String, message: String },
    /// Template syntax or render error; `message` includes the line when known.
    #[error("template {template}: {message}")]
    Render { template: String, message: String },
    /// A Turtle file that does not parse; `message` has the line when the parser gives it.
    #[error("graph file {file}: {message}")]
    Graph { file: String, message: String },
    /// A SPARQL query that does not parse or fails; `context` names the template and query
    /// (e.g. "template src/x.rs.tmpl, foreach" or "query file q.rq").
    #[error("{context}: SPARQL error: {message}")]
    Query { context: String, message: String },
    #[error("template {template}: output path {path:?} is not allowed: {reason}")]
    OutputPath {
        template: String,
        path: String,
        reason: String,
    },
    /// A resource bound was exceeded; `message` says which and the flag that raises it.
    #[error("template {template}: {message}")]
    Limit { template: String, message: String },
}
