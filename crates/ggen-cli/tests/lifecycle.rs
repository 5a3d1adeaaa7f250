//! `ggen lifecycle`: phases and hooks in order, failures, cache keys, the built-in template
//! phase, and the record in `.ggen/state.json`.

mod common;

use common::{Scratch, stderr, stdout_json};

const MAKE: &str = r#"
[lifecycle.setup]
command = "echo setup >> log.txt"
[lifecycle.build]
description = "compile"
commands = ["echo build >> log.txt", "echo built > out.txt"]
inputs = ["src/*.txt"]
outputs = ["out.txt"]
[lifecycle.lint]
command = "echo lint >> log.txt"
[lifecycle.test]
command = "echo test >> log.txt; exit 7"
[lifecycle.after]
command = "echo never >> log.txt"

[hooks]
before_all = ["lint"]
before_build = ["setup"]
after_test = ["after"]
"#;

fn project(scratch: &Scratch) -> std::path::PathBuf {
    scratch.write_tree("proj", &[("make.toml", MAKE), ("src/a.txt", "a\n")])
}

fn log(root: &std::path::Path) -> String {
    std::fs::read_to_string(root.join("log.txt")).unwrap_or_default()
}

/// `.ggen/state.json`, and the phases of its history in order.
fn recorded(root: &std::path::Path) -> (serde_json::Value, Vec<String>) {
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(".ggen/state.json")).unwrap()).unwrap();
    let phases = state["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["phase"].as_str().unwrap().to_string())
        .collect();
    (state, phases)
}

#[test]
fn phases_and_hooks_run_in_order_and_are_recorded() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    let output = scratch
        .ggen()
        .args(["-C", "proj", "lifecycle", "run", "build"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(log(&root), "lint\nsetup\nbuild\n");
    let (state, phases) = recorded(&root);
    assert_eq!(state["last_phase"], "build");
    assert_eq!(phases, ["lint", "setup", "build"]);
    assert_eq!(state["history"][2]["status"], "succeeded");
    assert!(
        state["cache"]["build"]
            .as_str()
            .unwrap()
            .starts_with("sha256-")
    );

    let output = scratch
        .ggen()
        .args(["-C", "proj", "--json", "lifecycle", "list"])
        .output()
        .unwrap();
    let doc = stdout_json(&output);
    let names: Vec<&str> = doc["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"template") && names.contains(&"build"),
        "{names:?}"
    );
}

#[test]
fn a_phase_that_runs_ggen_itself_keeps_the_inner_runs_record() {
    let scratch = Scratch::new();
    let make = format!(
        "[lifecycle.inner]\ncommand = \"echo inner >> log.txt\"\n\
         [lifecycle.outer]\ncommand = \"'{}' lifecycle run inner\"\n",
        env!("CARGO_BIN_EXE_ggen")
    );
    let root = scratch.write_tree("proj", &[("make.toml", make.as_str())]);
    let output = scratch
        .ggen()
        .args(["-C", "proj", "lifecycle", "run", "outer"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(log(&root), "inner\n");
    let (state, phases) = recorded(&root);
    // The inner run finished first and is kept: the outer one adds its record to it.
    assert_eq!(phases, ["inner", "outer"]);
    assert_eq!(state["last_phase"], "outer");
}

#[test]
fn a_failing_phase_stops_the_run_with_its_exit_code() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    let output = scratch
        .ggen()
        .args(["-C", "proj", "lifecycle", "run", "test", "build"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("exit 7") || stderr(&output).contains("exit status 7"),
        "{}",
        stderr(&output)
    );
    assert_eq!(log(&root), "lint\ntest\n");
    let output = scratch
        .ggen()
        .args(["-C", "proj", "--json", "lifecycle", "run", "test"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    let doc = stdout_json(&output);
    assert_eq!(doc["exit_code"], 7);
    assert_eq!(doc["runs"][1]["status"], "failed");
}

#[test]
fn cache_keys_skip_unchanged_phases_and_rerun_on_change_or_force() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    let run = |extra: &[&str]| {
        let output = scratch
            .ggen()
            .args(["-C", "proj", "--json", "lifecycle", "run", "build"])
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let doc = stdout_json(&output);
        doc["runs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["phase"] == "build")
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(run(&[]), "succeeded");
    assert_eq!(run(&[]), "skipped");
    std::fs::write(root.join("src/a.txt"), "changed\n").unwrap();
    assert_eq!(run(&[]), "succeeded");
    assert_eq!(run(&[]), "skipped");
    assert_eq!(run(&["--force"]), "succeeded");
    std::fs::remove_file(root.join("out.txt")).unwrap();
    assert_eq!(run(&[]), "succeeded");
    // The skip reason is printed for people.
    let output = scratch
        .ggen()
        .args(["-C", "proj", "lifecycle", "run", "build"])
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("inputs unchanged"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_template_phase_regenerates_by_default() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "pack",
        &[
            (
                "gpack.toml",
                "[pack]\nid = \"p\"\nversion = \"1.0.0\"\ndescription = \"p\"\n",
            ),
            ("templates/a.txt", "one\n"),
        ],
    );
    scratch
        .ggen()
        .args(["new", "proj", "--pack", "./pack"])
        .assert()
        .success();
    std::fs::write(scratch.work().join("pack/templates/a.txt"), "two\n").unwrap();
    let output = scratch
        .ggen()
        .args(["-C", "proj", "--json", "lifecycle", "run", "template"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["runs"][0]["files"][0], "a.txt");
    assert_eq!(
        std::fs::read_to_string(scratch.work().join("proj/a.txt")).unwrap(),
        "two\n"
    );
}

#[test]
fn hook_cycles_and_unknown_phases_are_refused() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "proj",
        &[("make.toml", "[lifecycle.a]\ncommand = \"true\"\n[lifecycle.b]\ncommand = \"true\"\n[hooks]\nbefore_a = [\"b\"]\nbefore_b = [\"a\"]\n")],
    );
    let output = scratch
        .ggen()
        .args(["-C", "proj", "lifecycle", "run", "a"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cycle"), "{}", stderr(&output));
    let scratch = Scratch::new();
    project(&scratch);
    let output = scratch
        .ggen()
        .args(["-C", "proj", "lifecycle", "run", "deploy"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("`deploy`"), "{}", stderr(&output));
}

#[test]
fn before_all_runs_once_commands_are_echoed_and_list_shows_every_hook() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    let output = scratch
        .ggen()
        .args(["-C", "proj", "lifecycle", "run", "build", "setup"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    // before_all once before the phases, not before each of them.
    assert_eq!(log(&root), "lint\nsetup\nbuild\nsetup\n");
    let err = stderr(&output);
    assert!(
        err.contains("Running `echo build >> log.txt` (build)"),
        "{err}"
    );
    assert!(
        err.contains("Running `echo lint >> log.txt` (lint)"),
        "{err}"
    );

    let output = scratch
        .ggen()
        .args(["-C", "proj", "lifecycle", "list"])
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&output.stdout);
    assert!(list.contains("before all:  lint"), "{list}");
    assert!(
        list.contains("before: setup") && list.contains("after: after"),
        "{list}"
    );
}

#[test]
fn lifecycle_outside_a_project_says_so() {
    let scratch = Scratch::new();
    scratch.write_tree("empty", &[("notes.txt", "x\n")]);
    let output = scratch
        .ggen()
        .args(["-C", "empty", "lifecycle", "run", "build"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("not a ggen project"), "{err}");
    assert!(!err.contains("has no phase"), "{err}");
}
