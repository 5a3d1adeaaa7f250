//! The YAML frontmatter block at the top of a template.

use std::collections::BTreeMap;

/// Keys a template may set between two `---` lines at its very start.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frontmatter {
    /// Output path template; default is the source path without a trailing `.tmpl`.
    pub to: Option<String>,
    /// SPARQL SELECT: one output per row (`for_each` is accepted as a spelling).
    pub foreach: Option<String>,
    /// Named SELECT queries, exposed as `sparql.<name>` (a list of maps).
    pub sparql: BTreeMap<String, String>,
    /// Skip the file when this renders to an empty string, `false`, `0`, `no` or `off`.
    pub when: Option<String>,
    /// Create once; never touched again afterwards.
    pub unless_exists: bool,
}
