//! Rendering as pack authors write packs: verbatim files, templated paths, includes, plain
//! values, errors that name things, ASK guards and templated queries.

use super::*;

const MODEL: &str = "@prefix ex: <http://example.org/> .
ex:User a ex:Entity ; ex:name \"User\" .
ex:Order a ex:Entity ; ex:name \"Order\" .
";

fn graph() -> Graph {
    super::tests::graph_of(MODEL)
}

fn vars() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("name".to_string(), "demo".to_string()),
        ("entity".to_string(), "User".to_string()),
        ("empty".to_string(), String::new()),
    ])
}

fn pack() -> PackContext {
    PackContext {
        id: "p".to_string(),
        version: "1.0.0".to_string(),
        kinds: BTreeMap::new(),
    }
}

fn render_in(
    library: &[(&str, &str)],
    source: &str,
    text: &str,
) -> Result<Vec<RenderedFile>, TemplateError> {
    let mut lib = Library::new();
    for (name, body) in library {
        lib.add(name, body.as_bytes());
    }
    let template = Template::parse(source, text.as_bytes())?;
    Renderer::with_library(Limits::default(), lib).render(&template, &vars(), &pack(), &graph())
}

fn render(source: &str, text: &str) -> Result<Vec<RenderedFile>, TemplateError> {
    render_in(&[], source, text)
}

fn outputs(files: &[RenderedFile]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|f| {
            (
                f.path.clone(),
                String::from_utf8_lossy(&f.content).into_owned(),
            )
        })
        .collect()
}

#[test]
fn files_without_tmpl_are_copied_exactly() {
    let workflow = "jobs:\n  t:\n    runs-on: ${{ matrix.os }}\n";
    let files = render(".github/workflows/ci.yml", workflow).expect("verbatim");
    assert_eq!(
        outputs(&files),
        [(".github/workflows/ci.yml".to_string(), workflow.to_string())]
    );
    let helm = "name: {{ .Values.name }}\n{{- if .Values.x }}\n";
    let files = render("chart/deployment.yaml", helm).expect("helm");
    assert_eq!(outputs(&files)[0].1, helm);
}

#[test]
fn path_segments_are_rendered() {
    let files = render(
        "src/{{ name }}/{{ entity | snake_case }}.py.tmpl",
        "x = 1\n",
    )
    .expect("ok");
    assert_eq!(outputs(&files)[0].0, "src/demo/user.py");
    // Verbatim files get templated paths too.
    let files = render("bin/{{ name }}-run.sh", "#!/bin/sh\n${{ x }}\n").expect("ok");
    assert_eq!(
        outputs(&files),
        [(
            "bin/demo-run.sh".to_string(),
            "#!/bin/sh\n${{ x }}\n".to_string()
        )]
    );
}

#[test]
fn a_segment_rendering_empty_skips_the_file() {
    assert!(render("{{ empty }}/x.txt", "x").expect("ok").is_empty());
    assert!(
        render("docs/{% if empty %}guide.md{% endif %}.tmpl", "x")
            .expect("ok")
            .is_empty()
    );
}

#[test]
fn foreach_rows_reach_path_segments() {
    let text = "---\nforeach: \"SELECT ?n WHERE { ?e ex:name ?n }\"\n---\n{{ n }}\n";
    let files = render("models/{{ n | snake_case }}/mod.rs.tmpl", text).expect("ok");
    let paths: Vec<String> = outputs(&files).into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["models/order/mod.rs", "models/user/mod.rs"]);
}

#[test]
fn hostile_path_segments_are_refused_naming_template_and_value() {
    for (source, shown) in [
        ("{{ '../x' }}/a.tmpl", "../x"),
        ("a/{{ '/' }}.tmpl", "/"),
        ("{{ 'a/b' }}.txt", "a/b.txt"),
        ("{{ '..' }}/f", ".."),
    ] {
        let err = render(source, "x").expect_err(source);
        let TemplateError::OutputPath { template, path, .. } = &err else {
            panic!("{source}: {err:?}");
        };
        assert_eq!(template, source);
        assert_eq!(path, shown, "{source}");
    }
    let err = render("{{ 'n' * 300 }}.tmpl", "x").expect_err("long");
    assert!(err.to_string().contains("longer than 255"), "{err}");
    // Two rows, one path.
    let text = "---\nforeach: \"SELECT ?n WHERE { ?e ex:name ?n }\"\n---\nx\n";
    let err = render("{{ name }}.txt.tmpl", text).expect_err("collision");
    assert!(err.to_string().contains("demo.txt"), "{err}");
}

#[test]
fn includes_read_from_the_templates_root() {
    let library = [
        ("_partials/header.txt", "// {{ name }} header\n"),
        (
            "_partials/macros.j2",
            "{% macro hi(who) %}hi {{ who }}{% endmacro %}",
        ),
        (
            "_partials/base.txt",
            "top\n{% block body %}{% endblock %}\n",
        ),
    ];
    let text = "{% include \"_partials/header.txt\" %}\
                {% import \"_partials/macros.j2\" as m %}{{ m.hi(name) }}\n\
                {% from \"_partials/macros.j2\" import hi %}{{ hi('x') }}\n";
    let files = render_in(&library, "a.rs.tmpl", text).expect("ok");
    assert_eq!(outputs(&files)[0].1, "// demo header\nhi demo\nhi x\n");
    let text = "{% extends \"_partials/base.txt\" %}{% block body %}mid{% endblock %}";
    let files = render_in(&library, "b.tmpl", text).expect("ok");
    assert_eq!(outputs(&files)[0].1, "top\nmid\n");
}

#[test]
fn bad_includes_are_errors_naming_the_template() {
    let err = render("a.tmpl", "{% include \"../../etc/passwd\" %}").expect_err("leaves");
    assert!(err.to_string().contains("a.tmpl") && err.to_string().contains("leaves the pack"));
    let err = render("a.tmpl", "{% include \"_partials/nope\" %}").expect_err("missing");
    assert!(
        err.to_string().contains("no file `_partials/nope`"),
        "{err}"
    );
    let library = [
        ("_partials/a", "{% include \"_partials/b\" %}"),
        ("_partials/b", "{% include \"_partials/a\" %}"),
    ];
    let err = render_in(&library, "t.tmpl", "{% include \"_partials/a\" %}").expect_err("cycle");
    assert!(err.to_string().contains("include cycle"), "{err}");
    // Dynamic names are checked when they render.
    let err = render("a.tmpl", "{% include '../' ~ name %}").expect_err("dynamic");
    assert!(err.to_string().contains("leaves the pack"), "{err}");
}

#[test]
fn values_render_plainly() {
    let text = "{{ true }} {{ false }} [{{ none }}] {{ ['a', 1] }} {{ {'a': 1} }} \
                {{ ['a', true, none] | tojson }} {{ name | tojson }}";
    let files = render("v.tmpl", text).expect("ok");
    assert_eq!(
        outputs(&files)[0].1,
        "true false [] [\"a\", 1] {\"a\": 1} [\"a\", true, null] \"demo\""
    );
    // Also in paths.
    let files = render("{{ [1] }}{{ none }}.txt", "x").expect("ok");
    assert_eq!(outputs(&files)[0].0, "[1].txt");
}

#[test]
fn undefined_names_are_named_with_a_did_you_mean() {
    let err = render("src/a.rs.tmpl", "ok\n{{ nmae }}\n").expect_err("typo");
    let text = err.to_string();
    assert!(text.contains("src/a.rs.tmpl"), "{text}");
    assert!(text.contains("line 2"), "{text}");
    assert!(text.contains("undefined name `nmae`"), "{text}");
    assert!(text.contains("did you mean `name`"), "{text}");
    // Row bindings are in scope too.
    let foreach = "---\nforeach: \"SELECT ?entity_name WHERE { ?e ex:name ?entity_name }\"\nto: \"{{ entity_name }}\"\n---\n{{ entity_nam }}\n";
    let err = render("r.tmpl", foreach).expect_err("row typo");
    assert!(
        err.to_string().contains("did you mean `entity_name`"),
        "{err}"
    );
}

#[test]
fn unknown_filters_have_a_did_you_mean() {
    let err = render("f.tmpl", "{{ name | snake_cas }}").expect_err("filter");
    let text = err.to_string();
    assert!(text.contains("unknown filter `snake_cas`"), "{text}");
    assert!(text.contains("did you mean `snake_case`"), "{text}");
}

#[test]
fn ask_guards_run_as_sparql() {
    let yes = "---\nwhen: |\n  PREFIX ex: <http://example.org/>\n  ASK { ?e ex:name \"{{ entity }}\" }\n---\nyes\n";
    assert_eq!(render("y.tmpl", yes).expect("ok").len(), 1);
    let no = "---\nwhen: \"ASK { ?e ex:name \\\"Nobody\\\" }\"\n---\nno\n";
    assert!(render("n.tmpl", no).expect("ok").is_empty());
    let bad = "---\nwhen: \"ASK { ?e ex:name \"\n---\nx\n";
    let err = render("b.tmpl", bad).expect_err("parse");
    assert!(err.to_string().contains("b.tmpl, when"), "{err}");
}

#[test]
fn queries_are_rendered_with_the_variables() {
    let text = "---\nforeach: \"SELECT ?e WHERE { ?e ex:name \\\"{{ entity }}\\\" }\"\nto: \"{{ e | local }}.txt\"\n---\nx\n";
    let files = render("q.tmpl", text).expect("ok");
    assert_eq!(outputs(&files)[0].0, "User.txt");
    let text = "---\nsparql:\n  one: \"SELECT ?n WHERE { ?e ex:name ?n FILTER(?n = \\\"{{ entity }}\\\") }\"\n---\n{{ sparql.one | length }}\n";
    let files = render("s.tmpl", text).expect("ok");
    assert_eq!(outputs(&files)[0].1, "1\n");
}

#[test]
fn sparql_parse_errors_point_into_the_template() {
    let text = "---\nforeach: |\n  SELECT ?n\n  WHERE { ?e ex:name ?n \n---\nx\n";
    let err = render("q.tmpl", text).expect_err("bad");
    let message = err.to_string();
    assert!(message.contains("template q.tmpl, foreach"), "{message}");
    assert!(message.contains("line 5, column 1 of q.tmpl"), "{message}");
    assert!(message.contains("a `{` is never closed"), "{message}");
    assert!(!message.contains("[_]"), "{message}");
    let text = "---\nsparql:\n  rows: \"SELECT ?n WHER { ?e ex:name ?n }\"\n---\nx\n";
    let err = render("s.tmpl", text).expect_err("bad");
    let message = err.to_string();
    assert!(
        message.contains("of s.tmpl") && message.contains("; "),
        "{message}"
    );
    assert!(
        message.contains("sparql.rows") && message.contains("line 3, column"),
        "{message}"
    );
}

#[test]
fn a_segment_rendering_a_nul_or_control_character_is_refused() {
    let err = render("{{ 'a\\u0000b' }}.txt", "x").expect_err("nul");
    assert!(matches!(err, TemplateError::OutputPath { .. }), "{err:?}");
    let err = render("{{ 'a\\nb' }}.txt", "x").expect_err("newline");
    assert!(err.to_string().contains("control character"), "{err}");
}
