//! Plumbing commands: template render, graph query, binary files, completions.

mod common;

use common::{Scratch, stderr, stdout_json, tree};

const MODEL: &str = "@prefix ex: <http://example.org/> .\n\
ex:a a ex:Entity ; ex:name \"Alpha\" .\n\
ex:b a ex:Entity ; ex:name \"Beta\" .\n";

#[test]
fn graph_query_prints_rows_and_json() {
    let scratch = Scratch::new();
    scratch.write_tree("g", &[("model.ttl", MODEL)]);
    let query = "PREFIX ex: <http://example.org/> SELECT ?e ?name WHERE { ?e ex:name ?name } ORDER BY ?name";
    let output = scratch
        .ggen()
        .args(["graph", "query", query, "--graph", "g/model.ttl"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        text,
        "?e\t?name\nhttp://example.org/a\tAlpha\nhttp://example.org/b\tBeta\n"
    );
    let output = scratch
        .ggen()
        .args(["--json", "graph", "query", query, "--graph", "g/model.ttl"])
        .output()
        .unwrap();
    let doc = stdout_json(&output);
    assert_eq!(doc["rows"][1]["name"], "Beta");
    assert_eq!(doc["triples"], 4);
}

#[test]
fn template_render_expands_foreach() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "t",
        &[
            ("model.ttl", MODEL),
            (
                "entity.rs.tmpl",
                "---\nto: \"{{ name | snake_case }}.rs\"\nforeach: \"SELECT ?name WHERE { ?e ex:name ?name } ORDER BY ?name\"\n---\npub struct {{ name }}; // {{ owner }}\n",
            ),
        ],
    );
    let output = scratch
        .ggen()
        .args([
            "--json",
            "template",
            "render",
            "t/entity.rs.tmpl",
            "--graph",
            "t/model.ttl",
        ])
        .args(["--prefix", "ex=http://example.org/", "--var", "owner=me"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(doc["outputs"][0]["path"], "alpha.rs");
    assert_eq!(doc["outputs"][1]["content"], "pub struct Beta; // me\n");
}

#[test]
fn binary_files_are_copied_byte_for_byte() {
    let scratch = Scratch::new();
    let pack = scratch.write_tree(
        "pack",
        &[(
            "gpack.toml",
            "[pack]\nid = \"bin\"\nversion = \"1.0.0\"\ndescription = \"b\"\n",
        )],
    );
    let bytes: Vec<u8> = vec![
        0x89, b'P', b'N', b'G', 0, 0xff, 0xfe, b'{', b'{', b'x', b'}', b'}',
    ];
    std::fs::create_dir_all(pack.join("templates")).unwrap();
    std::fs::write(pack.join("templates/logo.png"), &bytes).unwrap();
    scratch
        .ggen()
        .args(["new", "out", "--pack", "./pack"])
        .assert()
        .success();
    assert_eq!(tree(&scratch.work().join("out"))["logo.png"], bytes);
}

#[test]
fn completions_are_printed_for_each_shell() {
    let scratch = Scratch::new();
    for shell in ["bash", "zsh", "fish"] {
        let output = scratch
            .ggen()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success());
        assert!(String::from_utf8_lossy(&output.stdout).contains("ggen"));
    }
}

/// A failed write on stdout is an error (exit 1, said on stderr), not silently dropped:
/// `/dev/full` refuses every write with ENOSPC.
#[test]
fn a_stdout_that_cannot_be_written_is_an_error() {
    let Ok(full) = std::fs::File::options().write(true).open("/dev/full") else {
        return; // not Linux
    };
    let scratch = Scratch::new();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ggen"))
        .env("GGEN_HOME", scratch.home())
        .current_dir(scratch.work())
        .args(["completions", "bash"])
        .stdout(full)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "stderr: {err}");
    assert!(err.contains("cannot write to stdout"), "{err}");
}
