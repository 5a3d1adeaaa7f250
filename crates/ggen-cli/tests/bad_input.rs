//! Every bad input gets exit 1, a message naming the culprit, no panic, and nothing written.

mod common;

use common::{Scratch, stderr, stdout_json};

const MANIFEST: &str = "[pack]\nid = \"bad\"\nversion = \"1.0.0\"\ndescription = \"bad pack\"\n";

/// Runs `ggen new out --pack ./pack` on a pack made of `files` and checks the failure.
fn assert_new_fails(files: &[(&str, &str)], extra: &[&str], expected: &[&str]) {
    let scratch = Scratch::new();
    scratch.write_tree("pack", files);
    let output = scratch
        .ggen()
        .args(["new", "out", "--pack", "./pack"])
        .args(extra)
        .output()
        .expect("run");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for needle in expected {
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
    }
    assert!(
        !scratch.work().join("out").exists(),
        "something was written"
    );

    // --json agrees with the exit code.
    let output = scratch
        .ggen()
        .args(["--json", "new", "out", "--pack", "./pack"])
        .args(extra)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let doc = stdout_json(&output);
    assert_eq!(doc["status"], "error");
    assert_eq!(doc["exit_code"], 1);
}

#[test]
fn invalid_toml_names_the_manifest() {
    assert_new_fails(&[("gpack.toml", "[pack\nid = 1\n")], &[], &["gpack.toml"]);
}

#[test]
fn a_value_of_the_wrong_type_names_the_key() {
    assert_new_fails(
        &[("gpack.toml", "[pack]\nid = \"x\"\nversion = 1\n")],
        &[],
        &["gpack.toml", "version"],
    );
}

#[test]
fn unknown_manifest_keys_warn_with_a_suggestion() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "pack",
        &[
            (
                "gpack.toml",
                "[pack]\nid = \"x\"\nversion = \"1.0.0\"\ndescription = \"d\"\nlicence = \"MIT\"\n",
            ),
            ("templates/a.txt", "a\n"),
        ],
    );
    let output = scratch
        .ggen()
        .args(["new", "out", "--pack", "./pack"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("warning") && err.contains("licence") && err.contains("license"),
        "{err}"
    );
}

#[test]
fn a_missing_required_variable_is_named_with_a_hint() {
    assert_new_fails(
        &[
            (
                "gpack.toml",
                &format!("{MANIFEST}\n[variables.owner]\ndescription = \"who\"\n"),
            ),
            ("templates/a.txt.tmpl", "{{ owner }}\n"),
        ],
        &[],
        &["owner", "--var owner="],
    );
}

#[test]
fn a_variable_failing_its_pattern_is_named() {
    assert_new_fails(
        &[
            (
                "gpack.toml",
                &format!(
                    "{MANIFEST}\n[variables.name]\ndefault = \"ok\"\npattern = \"^[a-z]+$\"\n"
                ),
            ),
            ("templates/a.txt.tmpl", "{{ name }}\n"),
        ],
        &["--var", "name=Not Valid"],
        &["name", "pattern"],
    );
}

#[test]
fn an_unknown_variable_suggests_the_near_one() {
    assert_new_fails(
        &[
            (
                "gpack.toml",
                &format!("{MANIFEST}\n[variables.project_name]\ndefault = \"x\"\n"),
            ),
            ("templates/a.txt.tmpl", "{{ project_name }}\n"),
        ],
        &["--var", "projct_name=y"],
        &["projct_name", "project_name"],
    );
}

#[test]
fn bad_turtle_names_the_file_and_line() {
    assert_new_fails(
        &[
            (
                "gpack.toml",
                &format!("{MANIFEST}\n[graph]\nfiles = [\"graph/*.ttl\"]\n"),
            ),
            (
                "graph/model.ttl",
                "@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b \"unterminated .\n",
            ),
            ("templates/a.txt", "x\n"),
        ],
        &[],
        &["graph/model.ttl", "3"],
    );
}

#[test]
fn bad_sparql_names_the_template() {
    assert_new_fails(
        &[
            ("gpack.toml", MANIFEST),
            (
                "templates/a.txt.tmpl",
                "---\nforeach: \"SELECT ?x WHERE { ?x \"\n---\n{{ x }}\n",
            ),
        ],
        &[],
        &["a.txt", "SPARQL"],
    );
}

#[test]
fn a_template_syntax_error_names_the_template_and_line() {
    assert_new_fails(
        &[
            ("gpack.toml", MANIFEST),
            ("templates/src/broken.rs.tmpl", "fine\nfine\n{% if %}\n"),
        ],
        &[],
        &["src/broken.rs.tmpl", "line 3"],
    );
}

#[test]
fn an_undefined_variable_is_an_error_not_an_empty_string() {
    assert_new_fails(
        &[
            ("gpack.toml", MANIFEST),
            ("templates/a.txt.tmpl", "hello {{ nmae }}\n"),
        ],
        &[],
        &["a.txt", "nmae"],
    );
}

#[test]
fn output_paths_leaving_the_project_are_refused() {
    for to in ["../escape.txt", "/etc/evil", "a/../../b"] {
        let template = format!("---\nto: \"{to}\"\n---\nx\n");
        assert_new_fails(
            &[
                ("gpack.toml", MANIFEST),
                ("templates/a.txt.tmpl", &template),
            ],
            &[],
            &["a.txt"],
        );
    }
}

#[test]
fn two_templates_writing_one_path_is_an_error() {
    assert_new_fails(
        &[
            ("gpack.toml", MANIFEST),
            ("templates/a.txt", "one\n"),
            ("templates/b.txt.tmpl", "---\nto: a.txt\n---\ntwo\n"),
        ],
        &[],
        &["a.txt", "b.txt"],
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_leading_out_of_the_project_is_refused() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "pack",
        &[("gpack.toml", MANIFEST), ("templates/out/evil.txt", "x\n")],
    );
    let outside = scratch.work().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(scratch.work().join("proj")).unwrap();
    std::os::unix::fs::symlink(&outside, scratch.work().join("proj/out")).unwrap();
    let output = scratch
        .ggen()
        .args(["-C", "proj", "packs", "install", "../pack"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("outside the project"),
        "{}",
        stderr(&output)
    );
    assert!(!outside.join("evil.txt").exists());
    assert!(!scratch.work().join("proj/ggen.lock").exists());
}

#[test]
fn new_refuses_a_non_empty_directory() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "pack",
        &[("gpack.toml", MANIFEST), ("templates/a.txt", "a\n")],
    );
    scratch.write_tree("out", &[("keep.txt", "mine\n")]);
    let output = scratch
        .ggen()
        .args(["new", "out", "--pack", "./pack"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("not empty") && err.contains("packs install"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(scratch.work().join("out/keep.txt")).unwrap(),
        "mine\n"
    );
    assert!(!scratch.work().join("out/a.txt").exists());
}

#[test]
fn a_missing_pack_directory_is_named() {
    let scratch = Scratch::new();
    let output = scratch
        .ggen()
        .args(["new", "out", "--pack", "./nowhere"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("nowhere"), "{}", stderr(&output));
}

#[test]
fn usage_errors_exit_2() {
    let scratch = Scratch::new();
    let output = scratch.ggen().args(["new"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = scratch
        .ggen()
        .args(["new", "x", "--pack", "BAD ID"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = scratch
        .ggen()
        .args(["new", "x", "--pack", "./p", "--var", "novalue"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn republishing_a_version_is_refused() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "pack",
        &[("gpack.toml", MANIFEST), ("templates/a.txt", "a\n")],
    );
    scratch
        .ggen()
        .args(["packs", "publish", "pack", "--registry", "reg", "--init"])
        .assert()
        .success();
    let index_before = std::fs::read(scratch.work().join("reg/index/bad.json")).unwrap();
    std::fs::write(scratch.work().join("pack/templates/a.txt"), "changed\n").unwrap();
    let output = scratch
        .ggen()
        .args(["packs", "publish", "pack", "--registry", "reg", "--init"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("already published") && err.contains("hint:"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(scratch.work().join("reg/index/bad.json")).unwrap(),
        index_before
    );
}

#[test]
fn a_tampered_registry_archive_is_refused_before_writing() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "pack",
        &[("gpack.toml", MANIFEST), ("templates/a.txt", "a\n")],
    );
    scratch
        .ggen()
        .args(["packs", "publish", "pack", "--registry", "reg", "--init"])
        .assert()
        .success();
    let archive = scratch.work().join("reg/packs/bad/bad-1.0.0.tar.gz");
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 0xff;
    std::fs::write(&archive, bytes).unwrap();
    let output = scratch
        .ggen()
        .args(["--registry", "reg", "new", "out", "--pack", "bad"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("sha256"), "{}", stderr(&output));
    assert!(!scratch.work().join("out").exists());
}
