//! Rendering a template into zero or more output files.

use std::collections::BTreeMap;

use crate::{Graph, Template, TemplateError};

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
    // private: the engine environment and limits
}

impl Renderer {
    pub fn new(limits: Limits) -> Renderer {
        unimplemented!()
    }

    /// Renders `template`. Context: every variable by name, `pack` (id, version), `sparql`
    /// (each named query's rows), and with `foreach` each row's bindings by name (a row value
    /// shadows a variable of the same name). `when` false skips the output; a `to` that renders
    /// empty skips it too. Outputs are sorted by path. Errors name the template.
    pub fn render(
        &self,
        template: &Template,
        vars: &BTreeMap<String, String>,
        pack: &PackContext,
        graph: &Graph,
    ) -> Result<Vec<RenderedFile>, TemplateError> {
        unimplemented!()
    }

    /// Renders a bare string with the variables in scope (no frontmatter); used for hooks and
    /// messages. `name` labels errors.
    pub fn render_str(&self, name: &str, source: &str, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
        unimplemented!()
    }
}
