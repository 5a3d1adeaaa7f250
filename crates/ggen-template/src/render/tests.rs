//! Rendering: context, foreach, when/to, paths, limits, errors and determinism.

use super::*;
use crate::GraphSource;

const MODEL: &str = "@prefix ex: <http://example.org/> .
ex:User a ex:Entity ; ex:name \"User\" ;
  ex:field [ ex:fname \"id\" ; ex:ftype \"Uuid\" ] , [ ex:fname \"emailAddress\" ; ex:ftype \"String\" ] .
ex:OrderLine a ex:Entity ; ex:name \"OrderLine\" .
ex:HTTPClient a ex:Entity ; ex:name \"HTTPClient\" .
";

fn graph() -> Graph {
    graph_of(MODEL)
}

/// `model` (Turtle, with the `ex:` prefix declared for queries) as `graph/model.ttl`.
pub(super) fn graph_of(model: &str) -> Graph {
    let prefixes = BTreeMap::from([("ex".to_string(), "http://example.org/".to_string())]);
    Graph::load(
        &[GraphSource {
            name: "graph/model.ttl".to_string(),
            text: model.to_string(),
        }],
        &prefixes,
    )
    .expect("graph loads")
}

fn vars() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("project_name".to_string(), "my-app".to_string()),
        ("with_db".to_string(), "true".to_string()),
    ])
}

fn pack() -> PackContext {
    PackContext {
        id: "rust-web".to_string(),
        version: "1.2.0".to_string(),
        kinds: BTreeMap::new(),
    }
}

fn render_with(
    limits: Limits,
    source: &str,
    text: &str,
) -> Result<Vec<RenderedFile>, TemplateError> {
    let template = Template::parse(source, text.as_bytes())?;
    Renderer::new(limits).render(&template, &vars(), &pack(), &graph())
}

fn render(source: &str, text: &str) -> Result<Vec<RenderedFile>, TemplateError> {
    render_with(Limits::default(), source, text)
}

fn only(files: Vec<RenderedFile>) -> (String, String) {
    assert_eq!(files.len(), 1, "{files:?}");
    let file = &files[0];
    (
        file.path.clone(),
        String::from_utf8(file.content.clone()).expect("utf-8"),
    )
}

fn message(err: &TemplateError) -> String {
    err.to_string()
}

#[test]
fn trailing_newline_is_kept_exactly() {
    for (text, expected) in [
        ("name: {{ project_name }}\n", "name: my-app\n"),
        ("name: {{ project_name }}", "name: my-app"),
        ("name: {{ project_name }}\n\n", "name: my-app\n\n"),
        ("{{ project_name }}\r\n", "my-app\r\n"),
        ("plain text, no markup\n", "plain text, no markup\n"),
        ("plain text, no markup", "plain text, no markup"),
        ("", ""),
    ] {
        let (_, content) = only(render("f.txt.tmpl", text).expect("render"));
        assert_eq!(content, expected, "template {text:?}");
    }
}

#[test]
fn default_path_drops_tmpl_and_keeps_the_rest() {
    assert_eq!(
        only(render("src/main.rs.tmpl", "x").expect("render")).0,
        "src/main.rs"
    );
    assert_eq!(
        only(render("README.md", "x").expect("render")).0,
        "README.md"
    );
    assert_eq!(
        only(render(".github/ci.yml.tmpl", "x").expect("render")).0,
        ".github/ci.yml"
    );
}

#[test]
fn crlf_frontmatter_renders() {
    let text = "---\r\nto: \"out/{{ project_name }}.txt\"\r\n---\r\nhi {{ pack.id }}\r\n";
    let (path, content) = only(render("a.tmpl", text).expect("render"));
    assert_eq!(path, "out/my-app.txt");
    assert_eq!(content, "hi rust-web\r\n");
}

#[test]
fn binary_is_copied_byte_for_byte() {
    let bytes = vec![0x89, b'P', b'N', b'G', 0xff, b'{', b'{', 0xfe, b'\n'];
    let template = Template::parse("assets/logo.png", &bytes).expect("parse");
    let files = Renderer::new(Limits::default())
        .render(&template, &vars(), &pack(), &graph())
        .expect("render");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].path, "assets/logo.png");
    assert_eq!(files[0].content, bytes);
    assert_eq!(files[0].template, "assets/logo.png");
}

#[test]
fn context_has_vars_pack_and_filters() {
    let text = "{{ project_name | snake_case }} {{ project_name | pascal_case }} \
                {{ project_name | camel_case }} {{ project_name | shouty_snake_case }} \
                {{ 'HTTPServer' | kebab_case }} {{ pack.id | upper }}@{{ pack.version }} \
                {{ 'http://example.org/ns#Thing' | local }} {{ 'entity' | plural }} {{ 42 | upper }}";
    let (_, content) = only(render("f.tmpl", text).expect("render"));
    assert_eq!(
        content,
        "my_app MyApp myApp MY_APP http-server RUST-WEB@1.2.0 Thing entities 42"
    );
}

#[test]
fn strict_undefined_names_template_and_file_line() {
    let text = "---\nto: out.txt\n---\nline one\nhello {{ projet_name }}\n";
    let err = render("src/hello.txt.tmpl", text).expect_err("typo");
    let TemplateError::Render { template, message } = &err else {
        panic!("expected a render error, got {err:?}");
    };
    assert_eq!(template, "src/hello.txt.tmpl");
    // Line 5 of the file (the frontmatter takes lines 1-3).
    assert!(message.contains("line 5"), "{message}");
    assert!(message.contains("undefined"), "{message}");
    assert!(message.contains("projet_name"), "{message}");
}

#[test]
fn optional_values_can_be_tested_or_defaulted() {
    let text = "{% if missing is defined %}yes{% else %}no{% endif %} {{ missing | default('d') }}";
    assert_eq!(only(render("f.tmpl", text).expect("render")).1, "no d");
}

#[test]
fn syntax_error_has_the_line() {
    let err = render("f.tmpl", "ok\nok\n{% if x %}\nnever closed\n").expect_err("syntax");
    let text = message(&err);
    assert!(text.contains("f.tmpl") && text.contains("line"), "{text}");
}

#[test]
fn unknown_filter_fails_at_render_with_its_name() {
    let err = render("f.tmpl", "{{ project_name | snakecase }}").expect_err("unknown filter");
    let text = message(&err);
    assert!(
        text.contains("unknown filter") && text.contains("snakecase"),
        "{text}"
    );
    assert!(text.contains("f.tmpl") && text.contains("line 1"), "{text}");
}

#[test]
fn foreach_makes_one_file_per_row() {
    let text = "---
to: \"src/models/{{ name | snake_case }}.rs\"
foreach: |
  SELECT ?c ?name WHERE { ?c a ex:Entity ; ex:name ?name } ORDER BY ?name
---
pub struct {{ name | pascal_case }}; // {{ c | local }} from {{ project_name }}
";
    let files = render("model.rs.tmpl", text).expect("render");
    let got: Vec<(&str, String)> = files
        .iter()
        .map(|f| {
            (
                f.path.as_str(),
                String::from_utf8(f.content.clone()).expect("utf-8"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "src/models/http_client.rs",
                "pub struct HttpClient; // HTTPClient from my-app\n".to_string()
            ),
            (
                "src/models/order_line.rs",
                "pub struct OrderLine; // OrderLine from my-app\n".to_string()
            ),
            (
                "src/models/user.rs",
                "pub struct User; // User from my-app\n".to_string()
            ),
        ]
    );
    assert!(
        files
            .iter()
            .all(|f| f.template == "model.rs.tmpl" && !f.unless_exists)
    );
}

#[test]
fn row_values_shadow_variables() {
    let text = "---
to: \"{{ project_name }}.txt\"
for_each: \"SELECT ?project_name WHERE { ?c ex:name ?project_name }\"
---
{{ project_name }}";
    let files = render("t.tmpl", text).expect("render");
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["HTTPClient.txt", "OrderLine.txt", "User.txt"]);
}

#[test]
fn named_sparql_results_in_a_loop() {
    let text = "---
sparql:
  fields: |
    SELECT ?n ?t WHERE { ex:User ex:field ?f . ?f ex:fname ?n ; ex:ftype ?t } ORDER BY ?n
unless_exists: true
---
{% for f in sparql.fields %}{{ f.n | snake_case }}: {{ f.t }}
{% endfor %}{{ sparql.fields | length }} fields
";
    let files = render("user.rs.tmpl", text).expect("render");
    assert!(files[0].unless_exists);
    let (path, content) = only(files);
    assert_eq!(path, "user.rs");
    assert_eq!(content, "email_address: String\nid: Uuid\n2 fields\n");
}

#[test]
fn when_false_skips_the_output() {
    for condition in [
        "false",
        "\"{{ 'False' }}\"",
        "no",
        "\" OFF \"",
        "0",
        "\"\"",
        "\"{{ '' }}\"",
    ] {
        let text = format!("---\nwhen: {condition}\n---\nbody\n");
        assert!(
            render("f.tmpl", &text).expect("render").is_empty(),
            "when: {condition}"
        );
    }
    for condition in ["true", "\"{{ with_db }}\"", "yes", "1", "anything"] {
        let text = format!("---\nwhen: {condition}\n---\nbody\n");
        assert_eq!(
            render("f.tmpl", &text).expect("render").len(),
            1,
            "when: {condition}"
        );
    }
}

#[test]
fn when_per_row_and_empty_to_skip() {
    let text = "---
to: \"{% if name != 'User' %}{{ name }}.txt{% endif %}\"
foreach: \"SELECT ?name WHERE { ?c ex:name ?name }\"
when: \"{{ name != 'OrderLine' }}\"
---
x";
    let files = render("f.tmpl", text).expect("render");
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["HTTPClient.txt"]);
}

/// Counts what [`RenderProgress`] is told, as a progress bar would.
#[derive(Default)]
struct Counted {
    rows: std::sync::Mutex<Vec<usize>>,
    done: std::sync::Mutex<Vec<bool>>,
}

impl RenderProgress for Counted {
    fn rows(&self, rows: usize) {
        self.rows.lock().unwrap().push(rows);
    }
    fn row_done(&self, output: bool) {
        self.done.lock().unwrap().push(output);
    }
}

fn counted(source: &str, text: &str) -> (Vec<usize>, Vec<bool>) {
    let template = Template::parse(source, text.as_bytes()).expect("parse");
    let progress = Counted::default();
    Renderer::new(Limits::default())
        .render_counted(&template, &vars(), &pack(), &graph(), &progress)
        .expect("render");
    (
        progress.rows.into_inner().unwrap(),
        progress.done.into_inner().unwrap(),
    )
}

#[test]
fn progress_counts_every_row_and_says_which_became_outputs() {
    // Rows sorted by name: HTTPClient (an output), OrderLine (when false), User (empty to).
    let text = "---
to: \"{% if name != 'User' %}{{ name }}.txt{% endif %}\"
foreach: \"SELECT ?name WHERE { ?c ex:name ?name } ORDER BY ?name\"
when: \"{{ name != 'OrderLine' }}\"
---
x";
    assert_eq!(counted("f.tmpl", text), (vec![3], vec![true, false, false]));
    // Without foreach a template is one row; a verbatim file too.
    assert_eq!(
        counted("a.txt.tmpl", "{{ project_name }}"),
        (vec![1], vec![true])
    );
    assert_eq!(counted("logo.png", "\u{0}bytes"), (vec![1], vec![true]));
    let skipped = "---\nwhen: \"false\"\n---\nx";
    assert_eq!(counted("b.txt.tmpl", skipped), (vec![1], vec![false]));
}

#[test]
fn unsafe_output_paths_are_refused_naming_the_template() {
    for to in [
        "../escape.txt",
        "/etc/passwd",
        "a/../../b",
        "C:\\\\x",
        "\"{{ project_name }}/\"",
    ] {
        let text = format!("---\nto: {to}\n---\nx");
        let err = render("evil.tmpl", &text).expect_err(to);
        assert!(
            matches!(&err, TemplateError::OutputPath { template, .. } if template == "evil.tmpl"),
            "{err:?}"
        );
    }
}

#[test]
fn output_paths_are_normalised() {
    let text = "---\nto: \"./src//{{ project_name }}/./lib.rs\"\n---\nx";
    assert_eq!(
        only(render("f.tmpl", text).expect("render")).0,
        "src/my-app/lib.rs"
    );
}

#[test]
fn two_rows_to_one_path_is_an_error() {
    let text = "---
to: \"same.txt\"
foreach: \"SELECT ?name WHERE { ?c ex:name ?name }\"
---
{{ name }}";
    let err = render("dup.tmpl", text).expect_err("duplicate");
    let TemplateError::OutputPath {
        template,
        path,
        reason,
    } = &err
    else {
        panic!("expected an output path error, got {err:?}");
    };
    assert_eq!((template.as_str(), path.as_str()), ("dup.tmpl", "same.txt"));
    assert!(reason.contains("rows 1 and 2"), "{reason}");
}

#[test]
fn limits_are_enforced_with_the_flag_named() {
    let foreach = "---
to: \"{{ name }}\"
foreach: \"SELECT ?name WHERE { ?c ex:name ?name }\"
---
{{ name }}";
    let rows = Limits {
        max_rows: 2,
        ..Limits::default()
    };
    let err = render_with(rows, "f.tmpl", foreach).expect_err("rows");
    assert!(
        matches!(&err, TemplateError::Limit { message, .. } if message.contains("--max-rows")),
        "{err:?}"
    );

    let outputs = Limits {
        max_outputs_per_template: 2,
        ..Limits::default()
    };
    let err = render_with(outputs, "f.tmpl", foreach).expect_err("outputs");
    assert!(
        matches!(&err, TemplateError::Limit { message, .. } if message.contains("more than 2 outputs")),
        "{err:?}"
    );
    let three = Limits {
        max_outputs_per_template: 3,
        ..Limits::default()
    };
    assert_eq!(
        render_with(three, "f.tmpl", foreach)
            .expect("at the limit")
            .len(),
        3
    );

    let bytes = Limits {
        max_output_bytes: 10,
        ..Limits::default()
    };
    let err =
        render_with(bytes, "f.tmpl", "{% for i in range(100) %}x{% endfor %}").expect_err("bytes");
    assert!(
        matches!(&err, TemplateError::Limit { message, .. } if message.contains("10 bytes")),
        "{err:?}"
    );
    let err =
        render_with(bytes, "f.tmpl", "a literal body longer than ten bytes").expect_err("bytes");
    assert!(matches!(err, TemplateError::Limit { .. }));
    assert_eq!(
        only(render_with(bytes, "f.tmpl", "{{ 'abc' }}").expect("small")).1,
        "abc"
    );
}

#[test]
fn runaway_loops_run_out_of_fuel() {
    let text = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
    let started = std::time::Instant::now();
    let err = render("loop.tmpl", text).expect_err("fuel");
    assert!(message(&err).contains("fuel"), "{err}");
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn query_errors_name_template_and_query() {
    let text = "---\nforeach: \"SELECT ?x WHERE { broken\"\n---\nx";
    let err = render("q.tmpl", text).expect_err("bad query");
    assert!(
        matches!(&err, TemplateError::Query { context, .. } if context == "template q.tmpl, foreach"),
        "{err:?}"
    );
    let text = "---\nsparql:\n  things: \"ASK { ?s ?p ?o }\"\n---\nx";
    let err = render("q.tmpl", text).expect_err("ask");
    assert!(
        matches!(&err, TemplateError::Query { context, .. } if context == "template q.tmpl, sparql.things"),
        "{err:?}"
    );
}

#[test]
fn errors_in_to_and_when_name_the_key() {
    let err = render("p.tmpl", "---\nto: \"{{ nope }}\"\n---\nx").expect_err("to");
    assert!(
        message(&err).contains("`to`") && message(&err).contains("p.tmpl"),
        "{err}"
    );
    let err = render("p.tmpl", "---\nwhen: \"{{ nope }}\"\n---\nx").expect_err("when");
    assert!(message(&err).contains("`when`"), "{err}");
}

#[test]
fn rendering_is_deterministic() {
    let text = "---
to: \"{{ name | snake_case }}/{{ f | default('none') }}.txt\"
foreach: \"SELECT ?name ?f WHERE { ?c ex:name ?name OPTIONAL { ?c ex:field ?x . ?x ex:fname ?f } }\"
---
{{ name }} {{ pack.id }}
";
    let first = render("d.tmpl", text).expect("render");
    assert_eq!(first.len(), 4);
    let mut sorted = first.clone();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(first, sorted, "outputs are sorted by path");
    for _ in 0..3 {
        assert_eq!(render("d.tmpl", text).expect("render"), first);
    }
}

#[test]
fn render_str_uses_variables() {
    let renderer = Renderer::new(Limits::default());
    assert_eq!(
        renderer
            .render_str("hook", "cargo new {{ project_name | snake_case }}", &vars())
            .expect("render"),
        "cargo new my_app"
    );
    let err = renderer
        .render_str("hook", "{{ nope }}", &vars())
        .expect_err("undefined");
    assert!(matches!(&err, TemplateError::Render { template, .. } if template == "hook"));
}

#[test]
fn renderer_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Renderer>();
    let renderer = Renderer::new(Limits::default());
    let graph = graph();
    let template = Template::parse("t.tmpl", b"{{ project_name | pascal_case }}\n").expect("parse");
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| renderer.render(&template, &vars(), &pack(), &graph)))
            .collect();
        for handle in handles {
            let files = handle.join().expect("thread").expect("render");
            assert_eq!(files[0].content, b"MyApp\n");
        }
    });
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
    #[test]
    fn arbitrary_template_text_never_panics(text in "[a-z{}%#|() '\n._-]{0,40}") {
        let _ = render("p.tmpl", &text);
    }
}

#[test]
fn moved_from_renders_per_row_like_to() {
    let files = render(
        "model.rs.tmpl",
        "---\nforeach: \"SELECT ?name WHERE { ?e a ex:Entity ; ex:name ?name } ORDER BY ?name\"\n\
         to: \"src/models/{{ name | snake_case }}.rs\"\n\
         moved_from: \"src/{{ name | snake_case }}.rs\"\n---\n{{ name }}\n",
    )
    .expect("renders");
    let moves: Vec<(&str, Option<&str>)> = files
        .iter()
        .map(|f| (f.path.as_str(), f.moved_from.as_deref()))
        .collect();
    assert_eq!(
        moves,
        [
            ("src/models/http_client.rs", Some("src/http_client.rs")),
            ("src/models/order_line.rs", Some("src/order_line.rs")),
            ("src/models/user.rs", Some("src/user.rs")),
        ]
    );
    let (_, plain) = only(render("a.txt.tmpl", "a\n").expect("renders"));
    assert_eq!(plain, "a\n");
    let files = render("a.txt.tmpl", "---\nmoved_from: \"\"\n---\na\n").expect("renders");
    assert_eq!(files[0].moved_from, None, "empty means not moved");
}

#[test]
fn moved_from_outside_the_project_is_refused_naming_the_template() {
    for old in ["/etc/passwd", "../outside.txt", "a/../../b", "a.txt"] {
        let err = render(
            "moved.txt.tmpl",
            &format!("---\nto: a.txt\nmoved_from: \"{old}\"\n---\nx\n"),
        )
        .expect_err(old);
        let text = message(&err);
        assert!(
            text.contains("moved.txt.tmpl") && text.contains("moved_from"),
            "{old}: {text}"
        );
    }
}
