//! Projects that live in git: `.ggen/` stays out of `git add -A`, merge bases survive the
//! history limit across update/regenerate/rollback, and commands that change nothing leave
//! no history entry.

mod common;
mod txn_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Scratch, stderr};
use txn_support::history_ids;

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// README.md with a generated region that names the version and a manual-edit region.
fn readme(version: &str) -> String {
    format!(
        "# demo\n<!-- @ggen:generated-start id=head -->\nversion {version}\n<!-- @ggen:generated-end -->\n<!-- @ggen:manual-edit id=notes -->\nyour notes\n<!-- @ggen:manual-edit-end -->\n"
    )
}

fn write_pack(dir: &Path, version: &str) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("gpack.toml"),
        format!("[pack]\nid = \"app\"\nversion = \"{version}\"\ndescription = \"app\"\n"),
    )
    .unwrap();
    std::fs::write(dir.join("templates/README.md"), readme(version)).unwrap();
}

/// Publishes app 1.0.0, 1.1.0 and 1.2.0 and creates `proj` from 1.0.0.
fn setup(scratch: &Scratch) -> PathBuf {
    for (dir, version) in [("v1", "1.0.0"), ("v2", "1.1.0"), ("v3", "1.2.0")] {
        write_pack(&scratch.work().join(dir), version);
    }
    common::publish_and_create(scratch, &["v1", "v2", "v3"], "proj", "app@=1.0.0")
}

fn run(scratch: &Scratch, project: &Path, args: &[&str]) -> std::process::Output {
    scratch
        .ggen()
        .env("GGEN_HISTORY_LIMIT", "3")
        .arg("-C")
        .arg(project)
        .arg("--registry")
        .arg(scratch.work().join("reg"))
        .args(args)
        .output()
        .expect("run ggen")
}

fn ok(scratch: &Scratch, project: &Path, args: &[&str]) {
    let output = run(scratch, project, args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
}

fn edit_notes(project: &Path) {
    let path = project.join("README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("your notes\n", "my own notes\n")).unwrap();
}

#[test]
fn ggen_dir_is_ignored_by_git_add_all() {
    let scratch = Scratch::new();
    git(&scratch.work(), &["init", "-q"]);
    let project = setup(&scratch);
    assert_eq!(
        std::fs::read_to_string(project.join(".ggen/.gitignore")).unwrap(),
        "*\n"
    );
    git(&scratch.work(), &["add", "-A"]);
    let status = git(&scratch.work(), &["status", "--porcelain"]);
    assert!(status.contains("proj/ggen.lock"), "{status}");
    assert!(status.contains("proj/README.md"), "{status}");
    assert!(!status.contains(".ggen"), "{status}");

    // A `.ggen/` found without its .gitignore gets one back.
    std::fs::remove_file(project.join(".ggen/.gitignore")).unwrap();
    edit_notes(&project);
    ok(
        &scratch,
        &project,
        &["packs", "update", "app", "--to", "1.1.0"],
    );
    assert!(project.join(".ggen/.gitignore").is_file());
}

#[test]
fn merge_bases_survive_the_history_limit_through_rollback() {
    let scratch = Scratch::new();
    let project = setup(&scratch);
    edit_notes(&project);
    ok(
        &scratch,
        &project,
        &["packs", "update", "app", "--to", "1.1.0"],
    );
    ok(&scratch, &project, &["packs", "regenerate"]);
    ok(
        &scratch,
        &project,
        &["packs", "update", "app", "--to", "1.2.0"],
    );
    ok(&scratch, &project, &["rollback"]);
    let text = std::fs::read_to_string(project.join("README.md")).unwrap();
    assert!(
        text.contains("version 1.1.0") && text.contains("my own notes"),
        "{text}"
    );
    ok(
        &scratch,
        &project,
        &["packs", "update", "app", "--to", "1.2.0"],
    );
    let text = std::fs::read_to_string(project.join("README.md")).unwrap();
    assert!(
        text.contains("version 1.2.0") && text.contains("my own notes"),
        "{text}"
    );
}

#[test]
fn a_no_op_regenerate_adds_no_history_entry() {
    let scratch = Scratch::new();
    let project = setup(&scratch);
    edit_notes(&project);
    ok(
        &scratch,
        &project,
        &["packs", "update", "app", "--to", "1.1.0"],
    );
    let before = history_ids(&project);
    ok(&scratch, &project, &["packs", "regenerate"]);
    ok(&scratch, &project, &["packs", "regenerate"]);
    assert_eq!(history_ids(&project), before);

    // Rollback undoes the real last change: the update to 1.1.0.
    ok(&scratch, &project, &["rollback"]);
    let text = std::fs::read_to_string(project.join("README.md")).unwrap();
    assert!(
        text.contains("version 1.0.0") && text.contains("my own notes"),
        "{text}"
    );
}
