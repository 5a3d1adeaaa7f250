//! The pack graph: Turtle files in an in-memory oxigraph store, queried with SPARQL.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use spargebra::SparqlParser;
use spargebra::algebra::GraphPattern;

use crate::TemplateError;
use crate::query_budget::Watchdog;

mod canonical;
#[cfg(test)]
mod tests;

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
///
/// `Sync`: many templates query one graph in parallel.
pub struct Graph {
    /// `None` only if oxigraph could not create an in-memory store (it cannot fail today);
    /// kept optional so [`Graph::empty`] needs no panic path.
    store: Option<Store>,
    /// A parser with the manifest's prefixes declared: a query's own `PREFIX` takes
    /// precedence, and line numbers in syntax errors stay those of the query text.
    parser: SparqlParser,
    /// An invalid prefix given to [`Graph::empty`], reported by the first query.
    prefix_error: Option<String>,
    triples: usize,
    hash: OnceLock<String>,
}

/// Why a SELECT failed, before the caller puts it in context.
#[derive(Debug)]
pub(crate) enum SelectError {
    /// Syntax, evaluation or setup error: the message.
    Query(String),
    /// The query would return more than this many rows.
    TooManyRows(usize),
}

impl Graph {
    /// An empty graph with the given prefixes (`name -> IRI`).
    pub fn empty(prefixes: &BTreeMap<String, String>) -> Graph {
        let (parser, prefix_error) = match parser_with(prefixes) {
            Ok(parser) => (parser, None),
            Err((name, message)) => (
                SparqlParser::new(),
                Some(format!("prefix `{name}`: {message}")),
            ),
        };
        Graph {
            store: Store::new().ok(),
            parser,
            prefix_error,
            triples: 0,
            hash: OnceLock::new(),
        }
    }

    /// Loads every source (Turtle) into one graph. A parse error names the source and line.
    ///
    /// Blank nodes are relabelled `b0`, `b1`, … in order of first appearance (sources in the
    /// given order). The parser would otherwise give anonymous nodes (`[]`) random labels,
    /// and those labels show up in query results and, through oxigraph's term encoding, in
    /// evaluation order. Each source gets its own labels, as RDF merge semantics require:
    /// `_:x` in two files are two nodes.
    pub fn load(
        sources: &[GraphSource],
        prefixes: &BTreeMap<String, String>,
    ) -> Result<Graph, TemplateError> {
        let parser = parser_with(prefixes).map_err(|(name, message)| TemplateError::Query {
            context: format!("graph prefix `{name}`"),
            message,
        })?;
        let store = Store::new().map_err(|err| TemplateError::Graph {
            file: sources.first().map(|s| s.name.clone()).unwrap_or_default(),
            message: format!("cannot create the in-memory store: {err}"),
        })?;
        let mut next_label = 0usize;
        for source in sources {
            let quads = parse_turtle(source, &mut next_label)?;
            store.extend(quads).map_err(|err| TemplateError::Graph {
                file: source.name.clone(),
                message: format!("cannot store the triples: {err}"),
            })?;
        }
        let triples = store.len().map_err(|err| TemplateError::Graph {
            file: sources.first().map(|s| s.name.clone()).unwrap_or_default(),
            message: format!("cannot count the triples: {err}"),
        })?;
        Ok(Graph {
            store: Some(store),
            parser,
            prefix_error: None,
            triples,
            hash: OnceLock::new(),
        })
    }

    /// Runs a SELECT query with the graph's prefixes declared. `context` names the query in
    /// errors. At most `max_rows` rows; more is a [`TemplateError::Limit`] (whose `template`
    /// field then holds `context`).
    /// Rows come in the query's order; a query without ORDER BY still gives a deterministic
    /// order (the same graph and query always give the same rows in the same order).
    ///
    /// Order without a top-level `ORDER BY`: rows are sorted by their values, compared
    /// variable by variable in `SELECT` order (unbound first, then by string). Evaluation
    /// order is already repeatable for one oxigraph version and one loading order, but it
    /// follows hash-join internals and the order of the graph files; sorting makes the result
    /// a function of the graph's content alone, and cheap next to evaluation. With
    /// `LIMIT`/`OFFSET` but no `ORDER BY`, which rows are picked still follows evaluation
    /// order (repeatable, see above), so write `ORDER BY` when paging.
    pub fn select(
        &self,
        query: &str,
        context: &str,
        max_rows: usize,
    ) -> Result<Vec<Row>, TemplateError> {
        self.select_rows(query, max_rows).map_err(|err| match err {
            SelectError::Query(message) => TemplateError::Query {
                context: context.to_string(),
                message,
            },
            SelectError::TooManyRows(limit) => TemplateError::Limit {
                template: context.to_string(),
                message: too_many_rows(limit),
            },
        })
    }

    /// Runs an ASK query with the graph's prefixes declared.
    pub(crate) fn ask(&self, query: &str) -> Result<bool, SelectError> {
        if let Some(message) = &self.prefix_error {
            return Err(SelectError::Query(message.clone()));
        }
        let parsed = self
            .parser
            .clone()
            .parse_query(query)
            .map_err(|err| SelectError::Query(shorten(&err.to_string())))?;
        if !matches!(parsed, spargebra::Query::Ask { .. }) {
            return Err(SelectError::Query(
                "a `when` starting with ASK must be an ASK query".to_string(),
            ));
        }
        let Some(store) = &self.store else {
            return Err(SelectError::Query(
                "the in-memory store is unavailable".to_string(),
            ));
        };
        let results = SparqlEvaluator::new()
            .for_query(parsed)
            .on_store(store)
            .execute()
            .map_err(|err| SelectError::Query(err.to_string()))?;
        match results {
            QueryResults::Boolean(answer) => Ok(answer),
            _ => Err(SelectError::Query(
                "an ASK query gave no boolean".to_string(),
            )),
        }
    }

    pub(crate) fn select_rows(
        &self,
        query: &str,
        max_rows: usize,
    ) -> Result<Vec<Row>, SelectError> {
        if let Some(message) = &self.prefix_error {
            return Err(SelectError::Query(message.clone()));
        }
        crate::nesting::check_query(query).map_err(SelectError::Query)?;
        let parsed = self
            .parser
            .clone()
            .parse_query(query)
            .map_err(|err| SelectError::Query(shorten(&err.to_string())))?;
        let ordered = match &parsed {
            spargebra::Query::Select { pattern, .. } => has_top_level_order(pattern),
            spargebra::Query::Ask { .. } => return Err(not_select("an ASK")),
            spargebra::Query::Construct { .. } => return Err(not_select("a CONSTRUCT")),
            spargebra::Query::Describe { .. } => return Err(not_select("a DESCRIBE")),
        };
        let Some(store) = &self.store else {
            return Err(SelectError::Query(
                "the in-memory store is unavailable".to_string(),
            ));
        };
        let budget = Watchdog::start(crate::query_budget::query_time_limit());
        let stopped = |err: &dyn fmt::Display| {
            SelectError::Query(if budget.expired() {
                budget.message()
            } else {
                err.to_string()
            })
        };
        let results = SparqlEvaluator::new()
            .with_cancellation_token(budget.token.clone())
            .for_query(parsed)
            .on_store(store)
            .execute()
            .map_err(|err| stopped(&err))?;
        let QueryResults::Solutions(solutions) = results else {
            return Err(not_select("a non-SELECT"));
        };
        let variables: Vec<String> = solutions
            .variables()
            .iter()
            .map(|v| v.as_str().to_string())
            .collect();
        let mut rows = Vec::new();
        let mut bytes = 0usize;
        for solution in solutions {
            let solution = solution.map_err(|err| stopped(&err))?;
            if rows.len() == max_rows {
                return Err(SelectError::TooManyRows(max_rows));
            }
            let row: Row = solution
                .iter()
                .map(|(variable, term)| (variable.as_str().to_string(), plain_value(term)))
                .collect();
            bytes += row.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
            if bytes > crate::query_budget::MAX_RESULT_BYTES {
                return Err(SelectError::Query(crate::query_budget::too_large()));
            }
            rows.push(row);
        }
        if !ordered {
            rows.sort_by(|a, b| compare_rows(&variables, a, b));
        }
        Ok(rows)
    }

    pub fn triple_count(&self) -> usize {
        self.triples
    }

    /// `sha256-<hex>` over the canonical form of the graph: the same triples give the same
    /// hash whatever the order of loading or the blank node labels.
    ///
    /// Canonical form: blank nodes named by colour refinement over their neighbourhoods
    /// (bounded time, unlike RDFC-1.0; see the `canonical` module for why and for the exact
    /// guarantees), each triple written as an N-Triples line, lines sorted, the sha256 taken
    /// over the concatenation. Computed on first use and cached.
    pub fn hash(&self) -> String {
        self.hash
            .get_or_init(|| {
                // The in-memory store cannot fail to read (`flatten` only drops `Err`s).
                let triples = self.store.iter().flat_map(|store| store.iter().flatten());
                canonical::canonical_hash(triples.map(Triple::from))
            })
            .clone()
    }
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graph")
            .field("triples", &self.triples)
            .finish_non_exhaustive()
    }
}

/// The message of a row-limit error, naming the flag that raises it.
pub(crate) fn too_many_rows(limit: usize) -> String {
    format!("the query returns more than {limit} rows (the limit; raise it with --max-rows)")
}

/// The parser lists every character class it would have accepted, which can run to
/// several lines of Unicode ranges; the position and the first few alternatives say enough.
fn shorten(message: &str) -> String {
    const MAX: usize = 160;
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.len() <= MAX {
        return one_line;
    }
    let mut cut = MAX;
    while !one_line.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{} …", &one_line[..cut])
}

fn not_select(form: &str) -> SelectError {
    SelectError::Query(format!(
        "{form} query was given, but only SELECT queries are supported"
    ))
}

/// A SPARQL parser with the manifest prefixes; on error, the prefix name and message.
fn parser_with(prefixes: &BTreeMap<String, String>) -> Result<SparqlParser, (String, String)> {
    let mut parser = SparqlParser::new();
    for (name, iri) in prefixes {
        parser = parser
            .with_prefix(name.clone(), iri.clone())
            .map_err(|err| (name.clone(), format!("invalid prefix IRI <{iri}>: {err}")))?;
    }
    Ok(parser)
}

/// Parses one Turtle source, relabelling its blank nodes from `next_label` on.
fn parse_turtle(source: &GraphSource, next_label: &mut usize) -> Result<Vec<Quad>, TemplateError> {
    let mut labels: HashMap<BlankNode, BlankNode> = HashMap::new();
    let mut relabel = |node: BlankNode| -> BlankNode {
        labels
            .entry(node)
            .or_insert_with(|| {
                let label = BlankNode::new_unchecked(format!("b{next_label}"));
                *next_label += 1;
                label
            })
            .clone()
    };
    let mut quads = Vec::new();
    for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(source.text.as_bytes()) {
        let mut quad = quad.map_err(|err| TemplateError::Graph {
            file: source.name.clone(),
            message: err.to_string(),
        })?;
        if let NamedOrBlankNode::BlankNode(node) = quad.subject {
            quad.subject = relabel(node).into();
        }
        if let Term::BlankNode(node) = quad.object {
            quad.object = relabel(node).into();
        }
        quads.push(quad);
    }
    Ok(quads)
}

/// Does the query's solution sequence get an explicit order (`ORDER BY` under the
/// projection / DISTINCT / LIMIT wrappers the parser puts around it)?
fn has_top_level_order(pattern: &GraphPattern) -> bool {
    match pattern {
        GraphPattern::OrderBy { .. } => true,
        GraphPattern::Slice { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Project { inner, .. } => has_top_level_order(inner),
        _ => false,
    }
}

/// A term as templates see it: lexical form, IRI string or blank node label.
fn plain_value(term: &Term) -> String {
    #[allow(unreachable_patterns)] // triple terms exist only with oxrdf's `rdf-12` feature
    match term {
        Term::NamedNode(node) => node.as_str().to_string(),
        Term::BlankNode(node) => node.as_str().to_string(),
        Term::Literal(literal) => literal.value().to_string(),
        other => other.to_string(),
    }
}

fn compare_rows(variables: &[String], a: &Row, b: &Row) -> Ordering {
    variables
        .iter()
        .map(|v| a.get(v).cmp(&b.get(v)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}
