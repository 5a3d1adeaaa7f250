//! Graph loading, SELECT, limits, determinism and the canonical hash.

use super::*;

fn source(name: &str, text: &str) -> GraphSource {
    GraphSource {
        name: name.to_string(),
        text: text.to_string(),
    }
}

fn no_prefixes() -> BTreeMap<String, String> {
    BTreeMap::new()
}

fn ex_prefix() -> BTreeMap<String, String> {
    BTreeMap::from([("ex".to_string(), "http://example.org/".to_string())])
}

const MODEL: &str = "@prefix ex: <http://example.org/> .
ex:User a ex:Entity ; ex:name \"User\" ; ex:field [ ex:fname \"id\" ] , [ ex:fname \"email\" ] .
ex:Order a ex:Entity ; ex:name \"Order\" .
ex:Invoice a ex:Entity ; ex:name \"Invoice\"@en .
";

fn model() -> Graph {
    Graph::load(&[source("graph/model.ttl", MODEL)], &ex_prefix()).expect("load")
}

fn names(rows: &[Row], var: &str) -> Vec<String> {
    rows.iter()
        .map(|r| r.get(var).cloned().unwrap_or_default())
        .collect()
}

#[test]
fn loads_and_counts_triples() {
    let graph = model();
    assert_eq!(graph.triple_count(), 10);
    assert_eq!(Graph::empty(&no_prefixes()).triple_count(), 0);
}

#[test]
fn select_gives_plain_values() {
    let graph = model();
    let rows = graph
        .select(
            "SELECT ?c ?name WHERE { ?c a ex:Entity ; ex:name ?name } ORDER BY ?name",
            "test",
            100,
        )
        .expect("select");
    assert_eq!(names(&rows, "name"), ["Invoice", "Order", "User"]);
    assert_eq!(rows[0]["c"], "http://example.org/Invoice");
}

#[test]
fn blank_nodes_are_labels_and_unbound_is_absent() {
    let graph = model();
    let rows = graph
        .select(
            "SELECT ?f ?n ?missing WHERE { ex:User ex:field ?f . ?f ex:fname ?n OPTIONAL { ?f ex:nope ?missing } }",
            "test",
            100,
        )
        .expect("select");
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(row["f"].starts_with('b'), "deterministic label: {row:?}");
        assert!(!row.contains_key("missing"));
    }
}

#[test]
fn query_may_declare_its_own_prefix() {
    let graph = model();
    let rows = graph
        .select(
            "PREFIX ex: <http://example.org/> SELECT ?n WHERE { ?c ex:name ?n }",
            "test",
            100,
        )
        .expect("select");
    assert_eq!(rows.len(), 3);
    // A query redeclaring the prefix differently wins over the manifest.
    let rows = graph
        .select(
            "PREFIX ex: <http://other.org/> SELECT ?n WHERE { ?c ex:name ?n }",
            "t",
            100,
        )
        .expect("select");
    assert!(rows.is_empty());
}

#[test]
fn rows_without_order_by_are_sorted_and_repeatable() {
    // Same triples in two loading orders: rows come out in the same order.
    let a = "@prefix ex: <http://example.org/> . ex:c ex:name \"c\" . ex:a ex:name \"a\" .";
    let b = "@prefix ex: <http://example.org/> . ex:b ex:name \"b\" . ex:d ex:name \"d\" .";
    let query = "SELECT ?n ?s WHERE { ?s ex:name ?n }";
    let one = Graph::load(&[source("a", a), source("b", b)], &ex_prefix()).expect("load");
    let two = Graph::load(&[source("b", b), source("a", a)], &ex_prefix()).expect("load");
    let rows_one = one.select(query, "q", 100).expect("select");
    let rows_two = two.select(query, "q", 100).expect("select");
    assert_eq!(names(&rows_one, "n"), ["a", "b", "c", "d"]);
    assert_eq!(rows_one, rows_two);
    for _ in 0..5 {
        assert_eq!(one.select(query, "q", 100).expect("select"), rows_one);
    }
}

#[test]
fn order_by_is_respected() {
    let graph = model();
    let rows = graph
        .select(
            "SELECT ?n WHERE { ?c ex:name ?n } ORDER BY DESC(?n)",
            "q",
            100,
        )
        .expect("select");
    assert_eq!(names(&rows, "n"), ["User", "Order", "Invoice"]);
    let rows = graph
        .select(
            "SELECT DISTINCT ?n WHERE { ?c ex:name ?n } ORDER BY DESC(?n) LIMIT 2",
            "q",
            100,
        )
        .expect("select");
    assert_eq!(names(&rows, "n"), ["User", "Order"]);
}

#[test]
fn anonymous_blank_node_labels_are_repeatable() {
    let query = "SELECT ?f WHERE { ?c ex:field ?f }";
    let first = model().select(query, "q", 100).expect("select");
    let second = model().select(query, "q", 100).expect("select");
    assert_eq!(first, second);
}

#[test]
fn row_limit_is_an_error_naming_the_flag() {
    let graph = model();
    assert_eq!(
        graph
            .select("SELECT ?n WHERE { ?c ex:name ?n }", "q", 3)
            .expect("at limit")
            .len(),
        3
    );
    let err = graph
        .select(
            "SELECT ?n WHERE { ?c ex:name ?n }",
            "template a.tmpl, foreach",
            2,
        )
        .expect_err("over the limit");
    let TemplateError::Limit { message, .. } = &err else {
        panic!("expected a limit error, got {err:?}");
    };
    assert!(
        message.contains('2') && message.contains("--max-rows"),
        "{message}"
    );
}

#[test]
fn bad_turtle_names_file_and_line() {
    let text = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b ;; oops\n";
    let err = Graph::load(
        &[source("graph/ok.ttl", MODEL), source("graph/bad.ttl", text)],
        &no_prefixes(),
    )
    .expect_err("bad turtle");
    let TemplateError::Graph { file, message } = &err else {
        panic!("expected a graph error, got {err:?}");
    };
    assert_eq!(file, "graph/bad.ttl");
    assert!(message.contains("line 3"), "{message}");
    assert!(err.to_string().contains("graph/bad.ttl"));
}

#[test]
fn bad_sparql_is_a_query_error_with_context() {
    let err = model()
        .select(
            "SELECT ?n WHERE { ?c ex:name ?n ",
            "template t.tmpl, foreach",
            10,
        )
        .expect_err("syntax error");
    let TemplateError::Query { context, message } = &err else {
        panic!("expected a query error, got {err:?}");
    };
    assert_eq!(context, "template t.tmpl, foreach");
    assert!(message.contains("1:"), "position: {message}");
    // The parser's list of expected character classes is cut to one short line.
    assert!(message.len() < 200 && !message.contains('\n'), "{message}");
    // An undeclared prefix is an error too.
    assert!(
        model()
            .select("SELECT ?n WHERE { ?c nope:name ?n }", "q", 10)
            .is_err()
    );
}

#[test]
fn only_select_is_supported() {
    for query in [
        "ASK { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DESCRIBE ex:User",
    ] {
        let err = model().select(query, "q", 10).expect_err(query);
        assert!(err.to_string().contains("only SELECT"), "{err}");
    }
}

#[test]
fn invalid_prefix_iri_is_reported() {
    let bad = BTreeMap::from([("ex".to_string(), "not an iri".to_string())]);
    assert!(Graph::load(&[], &bad).is_err());
    let graph = Graph::empty(&bad);
    assert!(
        graph
            .select("SELECT ?s WHERE { ?s ?p ?o }", "q", 10)
            .is_err()
    );
}

#[test]
fn hash_ignores_blank_node_labels_and_order() {
    let one = "@prefix ex: <http://example.org/> .
_:x ex:name \"a\" ; ex:next _:y .
_:y ex:name \"b\" .
ex:root ex:has [ ex:name \"c\" ] .
";
    let two = "@prefix ex: <http://example.org/> .
ex:root ex:has _:anon .
_:anon ex:name \"c\" .
_:second ex:name \"b\" .
_:first ex:next _:second ; ex:name \"a\" .
";
    let a = Graph::load(&[source("one.ttl", one)], &no_prefixes()).expect("load");
    let b = Graph::load(&[source("two.ttl", two)], &no_prefixes()).expect("load");
    assert!(a.hash().starts_with("sha256-"));
    assert_eq!(a.hash().len(), "sha256-".len() + 64);
    assert_eq!(a.hash(), b.hash());
    assert_eq!(a.hash(), a.hash(), "cached value is stable");

    // Loading order of files does not matter either.
    let extra = "<http://example.org/z> <http://example.org/p> \"z\" .";
    let c = Graph::load(&[source("one", one), source("x", extra)], &no_prefixes()).expect("load");
    let d = Graph::load(&[source("x", extra), source("two", two)], &no_prefixes()).expect("load");
    assert_eq!(c.hash(), d.hash());

    // A different triple gives a different hash.
    let changed = one.replace("\"c\"", "\"C\"");
    let e = Graph::load(&[source("one", &changed)], &no_prefixes()).expect("load");
    assert_ne!(a.hash(), e.hash());
    assert_ne!(Graph::empty(&no_prefixes()).hash(), a.hash());
}

#[test]
fn same_label_in_two_files_is_two_nodes() {
    let a = "_:n <http://example.org/p> \"1\" .";
    let b = "_:n <http://example.org/p> \"2\" .";
    let graph = Graph::load(&[source("a", a), source("b", b)], &no_prefixes()).expect("load");
    let rows = graph
        .select("SELECT DISTINCT ?s WHERE { ?s ?p ?o }", "q", 10)
        .expect("select");
    assert_eq!(rows.len(), 2);
}

#[test]
fn graph_is_send_and_sync() {
    fn assert_sync<T: Send + Sync>() {}
    assert_sync::<Graph>();
}

fn load(text: &str) -> Graph {
    Graph::load(&[source("g.ttl", text)], &no_prefixes()).expect("load")
}

#[test]
fn hash_tells_apart_graphs_that_differ_only_in_blank_node_wiring() {
    let one = "<http://e/a> <http://e/p> _:x . _:x <http://e/q> \"1\" .
<http://e/b> <http://e/p> _:y . _:y <http://e/q> \"2\" .";
    let swapped = "<http://e/a> <http://e/p> _:x . _:x <http://e/q> \"2\" .
<http://e/b> <http://e/p> _:y . _:y <http://e/q> \"1\" .";
    assert_ne!(load(one).hash(), load(swapped).hash());

    // Chains of equal blank nodes of two lengths hanging off one IRI.
    let chain = |n: usize| {
        let mut text = String::from("<http://e/s> <http://e/p> _:c0 .\n");
        for i in 0..n {
            text.push_str(&format!("_:c{i} <http://e/p> _:c{} .\n", i + 1));
        }
        text
    };
    assert_ne!(load(&chain(5)).hash(), load(&chain(6)).hash());
    // A branch moved one step along the chain.
    let moved = chain(5).replace(
        "_:c2 <http://e/p> _:c3 .",
        "_:c2 <http://e/p> _:c3 . _:c1 <http://e/r> \"x\" .",
    );
    let moved_further = chain(5).replace(
        "_:c2 <http://e/p> _:c3 .",
        "_:c2 <http://e/p> _:c3 . _:c2 <http://e/r> \"x\" .",
    );
    assert_ne!(load(&moved).hash(), load(&moved_further).hash());
}

#[test]
fn hash_is_equal_for_shuffled_relabelled_symmetric_graphs() {
    // Identical siblings and a blank-node cycle: symmetric structures, relabelled and reordered.
    let one = "<http://e/s> <http://e/p> [ <http://e/q> \"x\" ] , [ <http://e/q> \"x\" ] .
_:a <http://e/n> _:b . _:b <http://e/n> _:c . _:c <http://e/n> _:a .";
    let two = "_:k3 <http://e/n> _:k1 . _:k2 <http://e/n> _:k3 . _:k1 <http://e/n> _:k2 .
<http://e/s> <http://e/p> _:z1 . _:z2 <http://e/q> \"x\" . <http://e/s> <http://e/p> _:z2 . _:z1 <http://e/q> \"x\" .";
    assert_eq!(load(one).hash(), load(two).hash());
}

#[test]
fn hash_takes_bounded_time_on_hostile_graphs() {
    // Each of these takes RDFC-1.0 from seconds to hours.
    let mut clique = String::new();
    for i in 0..12 {
        for j in 0..12 {
            if i != j {
                clique.push_str(&format!("_:a{i} <http://e/p> _:a{j} .\n"));
            }
        }
    }
    let mut chain = String::from("<http://e/s> <http://e/p> _:c0 .\n");
    for i in 0..2000 {
        chain.push_str(&format!("_:c{i} <http://e/p> _:c{} .\n", i + 1));
    }
    for text in [clique, chain] {
        let started = std::time::Instant::now();
        let graph = load(&text);
        assert!(graph.hash().starts_with("sha256-"));
        assert!(
            started.elapsed().as_secs() < 20,
            "took {:?}",
            started.elapsed()
        );
    }
}
