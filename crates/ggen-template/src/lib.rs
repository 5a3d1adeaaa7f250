//! Templates over RDF: frontmatter, Jinja-style rendering, the pack graph and SPARQL queries,
//! `foreach` expansion and output-path safety.
//!
//! Pure computation over bytes handed in by the caller: this crate never touches the
//! filesystem, so it can be used by `ggen template render` and by project generation alike.

mod context;
mod engine;
mod error;
mod filters;
pub mod frontmatter;
pub mod graph;
mod library;
mod nesting;
pub mod output_path;
mod plain;
pub mod query_budget;
mod render;
pub mod render_budget;
mod strict_yaml;
mod substitution;
mod template;

pub use error::TemplateError;
pub use frontmatter::Frontmatter;
pub use graph::{Graph, GraphSource, Row};
pub use library::{Inputs, Library};
pub use render::{
    Limits, NoProgress, PackContext, RenderProgress, RenderedFile, Renderer, VarKind,
};
pub use template::{Template, TemplateBody, is_template_name};
