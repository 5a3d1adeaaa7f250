//! Dependency resolution as a user meets it: transitive dependencies, conflicts and cycles
//! explained, yanked versions, and locked versions kept.

mod common;
mod registry_support;

use common::{Scratch, stderr, stdout_json};
use registry_support::publish;

/// `ggen` with the scratch registry (an absolute path: `-C` moves relative ones).
fn ggen(scratch: &Scratch) -> assert_cmd::Command {
    let mut cmd = scratch.ggen();
    cmd.arg("--registry").arg(scratch.work().join("registry"));
    cmd
}

fn lock_of(scratch: &Scratch, project: &str) -> String {
    std::fs::read_to_string(scratch.work().join(project).join("ggen.lock")).unwrap()
}

/// `id version` of every pack of an install's JSON document, in install order.
fn installed(doc: &serde_json::Value) -> Vec<String> {
    doc["packs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["id"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn transitive_dependencies_take_the_newest_matching_versions_first() {
    let scratch = Scratch::new();
    for version in ["1.2.0", "1.2.7", "1.3.0"] {
        publish(&scratch, "base", version, &[], None);
    }
    publish(&scratch, "mid", "1.0.0", &[("base", "~1.2")], None);
    publish(&scratch, "mid", "1.4.0", &[("base", "~1.2")], None);
    publish(&scratch, "mid", "2.0.0", &[], None);
    publish(&scratch, "app", "0.3.0", &[("mid", "^1")], None);
    let output = ggen(&scratch)
        .args(["--json", "new", "proj", "--pack", "app"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(installed(&doc), ["base 1.2.7", "mid 1.4.0", "app 0.3.0"]);
    let lock = lock_of(&scratch, "proj");
    assert!(lock.contains("dependencies = [\"mid@1.4.0\"]"), "{lock}");
    assert!(lock.contains("dependencies = [\"base@1.2.7\"]"), "{lock}");
}

#[test]
fn conflicting_requirements_are_explained_and_nothing_is_written() {
    let scratch = Scratch::new();
    publish(&scratch, "shared", "1.4.0", &[], None);
    publish(&scratch, "shared", "2.1.0", &[], None);
    publish(&scratch, "web", "1.0.0", &[("shared", "^1.2")], None);
    publish(&scratch, "cli", "3.0.0", &[("shared", "^2")], None);
    let output = ggen(&scratch)
        .args(["new", "proj", "--pack", "web", "--pack", "cli"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    for needle in [
        "cannot resolve",
        "web 1.0.0 depends on shared ^1.2",
        "cli 3.0.0 depends on shared ^2",
        "hint:",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    assert!(!scratch.work().join("proj").exists());

    // A requirement no published version meets says what exists.
    let output = ggen(&scratch)
        .args(["new", "proj", "--pack", "shared@^3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("shared ^3") && err.contains("1.4.0, 2.1.0"),
        "{err}"
    );
}

#[test]
fn a_dependency_cycle_is_an_error_naming_packs_and_requirements() {
    let scratch = Scratch::new();
    publish(&scratch, "egg", "1.0.0", &[("hen", "^1")], None);
    publish(&scratch, "hen", "1.1.0", &[("egg", ">=1.0")], None);
    let output = ggen(&scratch)
        .args(["new", "proj", "--pack", "egg"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(
            "dependency cycle: egg 1.0.0 depends on hen ^1, and hen 1.1.0 depends on egg >=1.0"
        ),
        "{err}"
    );
    assert!(!scratch.work().join("proj").exists());
}

#[test]
fn yanked_versions_are_skipped_for_new_installs_but_kept_where_locked() {
    let scratch = Scratch::new();
    publish(&scratch, "lib", "1.0.0", &[], None);
    publish(&scratch, "lib", "1.1.0", &[], None);
    publish(&scratch, "app", "1.0.0", &[("lib", "^1")], None);
    publish(&scratch, "tool", "1.0.0", &[("lib", "^1.0")], None);
    ggen(&scratch)
        .args(["new", "locked", "--pack", "app"])
        .assert()
        .success();
    assert!(lock_of(&scratch, "locked").contains("dependencies = [\"lib@1.1.0\"]"));

    let output = scratch
        .ggen()
        .args([
            "--json",
            "packs",
            "yank",
            "lib@1.1.0",
            "--registry",
            "registry",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["yanked"], true);

    // New resolutions skip it.
    let output = ggen(&scratch)
        .args(["--json", "new", "fresh", "--pack", "app"])
        .output()
        .unwrap();
    assert_eq!(installed(&stdout_json(&output)), ["lib 1.0.0", "app 1.0.0"]);

    // The project that locks it keeps it: a new dependent reuses it, and it reinstalls.
    let output = ggen(&scratch)
        .args(["-C", "locked", "--json", "packs", "install", "tool"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(installed(&stdout_json(&output)), ["tool 1.0.0"]);
    assert!(lock_of(&scratch, "locked").contains("dependencies = [\"lib@1.1.0\"]"));
    // Nothing cached either (a directory registry's archives are read in place).
    let cache = scratch.home().join("cache");
    if cache.exists() {
        std::fs::remove_dir_all(cache).unwrap();
    }
    let output = ggen(&scratch)
        .args([
            "-C", "locked", "--json", "packs", "install", "lib", "--force",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(installed(&stdout_json(&output)), ["lib 1.1.0"]);

    // Undo makes it selectable again.
    scratch
        .ggen()
        .args([
            "packs",
            "yank",
            "lib@1.1.0",
            "--undo",
            "--registry",
            "registry",
        ])
        .assert()
        .success();
    let output = ggen(&scratch)
        .args(["--json", "new", "again", "--pack", "lib"])
        .output()
        .unwrap();
    assert_eq!(installed(&stdout_json(&output)), ["lib 1.1.0"]);

    let output = scratch
        .ggen()
        .args(["packs", "yank", "lib@9.9.9", "--registry", "registry"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("lib@9.9.9 is not published"),
        "{}",
        stderr(&output)
    );
    let output = scratch
        .ggen()
        .args(["packs", "yank", "lib", "--registry", "registry"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn an_installed_dependency_in_the_way_is_named() {
    let scratch = Scratch::new();
    publish(&scratch, "base", "1.0.0", &[], None);
    publish(&scratch, "base", "2.0.0", &[], None);
    publish(&scratch, "new-tool", "1.0.0", &[("base", "^2")], None);
    ggen(&scratch)
        .args(["new", "proj", "--pack", "base@^1"])
        .assert()
        .success();
    let output = ggen(&scratch)
        .args(["-C", "proj", "packs", "install", "new-tool"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("new-tool 1.0.0 depends on base ^2"), "{err}");
    assert!(
        err.contains("version 1.0.0 is installed in this project"),
        "{err}"
    );
    assert!(!scratch.work().join("proj/new-tool.txt").exists());
}

#[test]
fn a_pack_directory_can_depend_on_registry_packs_and_satisfy_others() {
    let scratch = Scratch::new();
    publish(&scratch, "base", "1.0.0", &[], None);
    publish(&scratch, "addon", "1.0.0", &[("local", "^0.2")], None);
    scratch.write_tree(
        "local",
        &[
            (
                "gpack.toml",
                "[pack]\nid = \"local\"\nversion = \"0.2.1\"\ndescription = \"l\"\n\n[dependencies]\nbase = \"1\"\n",
            ),
            ("templates/local.txt", "local\n"),
        ],
    );
    let output = ggen(&scratch)
        .args([
            "--json", "new", "proj", "--pack", "./local", "--pack", "addon",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        installed(&stdout_json(&output)),
        ["base 1.0.0", "local 0.2.1", "addon 1.0.0"]
    );
    let lock = lock_of(&scratch, "proj");
    assert!(lock.contains("source = \"path+file://"), "{lock}");
}
