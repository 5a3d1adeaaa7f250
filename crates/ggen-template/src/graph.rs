//! The pack graph: Turtle files in an in-memory oxigraph store, queried with SPARQL.

use std::collections::BTreeMap;

use crate::TemplateError;

/// One SPARQL solution: variable name -> plain value (literal lexical form, IRI string,
/// blank node label). Unbound variables are absent.
pub type Row = BTreeMap<String, String>;

/// A Turtle source handed in by the caller.
#[derive(Debug, Clone)]
pub struct GraphSource {
    /// Shown in errors, e.g. `graph/model.ttl`.
    pub name: String,
    pub text: String,
}

/// All of a pack's graph files loaded into one in-memory store.
pub struct Graph {
    // private: oxigraph store, prefixes, cached hash and count
}

impl Graph {
    /// An empty graph with the given prefixes (`name -> IRI`).
    pub fn empty(prefixes: &BTreeMap<String, String>) -> Graph {
        unimplemented!()
    }

    /// Loads every source (Turtle) into one graph. A parse error names the source and line.
    pub fn load(sources: &[GraphSource], prefixes: &BTreeMap<String, String>) -> Result<Graph, TemplateError> {
        unimplemented!()
    }

    /// Runs a SELECT query with the graph's prefixes declared. `context` names the query in
    /// errors. At most `max_rows` rows; more is a [`TemplateError::Limit`].
    /// Rows come in the query's order; a query without ORDER BY still gives a deterministic
    /// order (the same graph and query always give the same rows in the same order).
    pub fn select(&self, query: &str, context: &str, max_rows: usize) -> Result<Vec<Row>, TemplateError> {
        unimplemented!()
    }

    pub fn triple_count(&self) -> usize {
        unimplemented!()
    }

    /// `sha256-<hex>` over the canonical form of the graph: the same triples give the same
    /// hash whatever the order of loading or the blank node labels.
    pub fn hash(&self) -> String {
        unimplemented!()
    }
}
