//! Files a new pack version moves (SPEC §5, moves): declared with `moved_from` or found by
//! similarity like git's rename detection, the user's edits carried to the new path through
//! the normal merge, the old file gone, "moved A → B" in the plan, the report, `--json` and
//! history, rolled back byte for byte, and the same in a fresh clone. Each kind of move as
//! a tree (carried edits, conflicts, similarity, regions, deleted, in the way) is a case under
//! `tests/cases/move_*`.

mod common;

use std::path::{Path, PathBuf};

use common::{Scratch, copy_dir, stderr, stdout_json, tree, write_app_pack};

const OLD: &str = "src/handlers.rs";
const NEW: &str = "src/api/handlers.rs";

/// A handlers file: eight lines, the second and the last given.
fn handlers(second: &str, last: &str) -> String {
    format!(
        "// {{{{ name }}}} handlers\n{second}\nfn b() {{}}\nfn c() {{}}\nfn d() {{}}\nfn e() {{}}\nfn f() {{}}\n{last}\n"
    )
}

fn v1_handlers() -> String {
    handlers("fn a() {}", "fn h() {}")
}

/// Version 2 changes the second line.
fn v2_handlers() -> String {
    handlers("fn a() -> u8 { 1 }", "fn h() {}")
}

/// Publishes v1 and v2 of pack `app` (template files under `templates/`) and creates `proj`
/// from v1.
fn setup(scratch: &Scratch, v1: &[(&str, String)], v2: &[(&str, String)]) -> PathBuf {
    write_app_pack(&scratch.work().join("v1"), "1.0.0", v1);
    write_app_pack(&scratch.work().join("v2"), "2.0.0", v2);
    common::publish_and_create(scratch, &["v1", "v2"], "proj", "app@1.0.0")
}

/// v2 moves the handlers with `moved_from`.
fn declared_move(scratch: &Scratch) -> PathBuf {
    setup(
        scratch,
        &[("src/handlers.rs.tmpl", v1_handlers())],
        &[(
            "src/api/handlers.rs.tmpl",
            format!(
                "---\nmoved_from: \"src/{{{{ 'handlers' }}}}.rs\"\n---\n{}",
                v2_handlers()
            ),
        )],
    )
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap()
}

/// Replaces `from` by `to` in the project file `path`.
fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let text = read(root, path);
    assert!(text.contains(from), "{path}: {text}");
    std::fs::write(root.join(path), text.replace(from, to)).unwrap();
}

/// The `--json` entry of `path` in an update's files.
fn entry<'a>(doc: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
}

fn status(scratch: &Scratch, root: &Path) -> (Option<i32>, Vec<(String, String)>) {
    let output = scratch.run_in(root, &["--json", "status"]);
    let files = stdout_json(&output)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (output.status.code(), files)
}

#[test]
fn a_declared_move_carries_the_users_edits_and_rolls_back_byte_for_byte() {
    let scratch = Scratch::new();
    let root = declared_move(&scratch);
    edit(&root, OLD, "fn h() {}", "fn h() { mine() }");
    let before = tree(&root);

    // The plan says it, in words and in JSON.
    let output = scratch.run_in(&root, &["packs", "update", "app", "--dry-run"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = String::from_utf8_lossy(&output.stdout);
    assert!(plan.contains(&format!("move      {OLD} → {NEW}")), "{plan}");
    let output = scratch.run_in(&root, &["--json", "packs", "update", "app", "--dry-run"]);
    let doc = stdout_json(&output);
    let moved = entry(&doc, NEW).expect("the new path is planned");
    assert_eq!(moved["action"], "move", "{doc}");
    assert_eq!(moved["moved_from"], OLD, "{doc}");
    assert!(entry(&doc, OLD).is_none(), "one entry for the move: {doc}");
    assert_eq!(tree(&root), before, "a dry run writes nothing");

    let output = scratch.run_in(&root, &["packs", "update", "app"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("Moved {OLD} → {NEW}  (your edits merged)")),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("(1 files changed)"),
        "{}",
        stderr(&output)
    );
    assert!(!root.join(OLD).exists(), "the old file goes");
    assert_eq!(
        read(&root, NEW),
        handlers("fn a() -> u8 { 1 }", "fn h() { mine() }").replace("{{ name }}", "demo")
    );
    assert!(!read(&root, "ggen.lock").contains(&format!("\"{OLD}\"")));
    assert_eq!(
        status(&scratch, &root),
        (Some(0), vec![(NEW.to_string(), "modified".to_string())])
    );

    // History: one change, the move.
    let output = scratch.run_in(&root, &["--json", "history"]);
    let files = &stdout_json(&output)["transactions"][0]["files"];
    assert_eq!(
        files,
        &serde_json::json!([{ "path": NEW, "change": "move", "from": OLD }])
    );
    let output = scratch.run_in(&root, &["-v", "history"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("(1 files changed)"), "{text}");
    assert!(text.contains(&format!("move    {OLD} → {NEW}")), "{text}");

    let output = scratch.run_in(&root, &["rollback"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(tree(&root), before, "rollback restores both paths");
    assert_eq!(
        status(&scratch, &root),
        (Some(0), vec![(OLD.to_string(), "modified".to_string())])
    );
}

#[test]
fn a_fresh_clone_moves_like_the_original_checkout() {
    let scratch = Scratch::new();
    let original = declared_move(&scratch);
    let clone = scratch.work().join("clone");
    copy_dir(&original, &clone);
    std::fs::remove_dir_all(clone.join(".ggen")).unwrap();
    for root in [&original, &clone] {
        edit(root, OLD, "fn h() {}", "fn h() { mine() }");
    }
    let a = scratch.run_in(&original, &["packs", "update", "app"]);
    let b = scratch.run_in(&clone, &["packs", "update", "app"]);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(b.status.code(), a.status.code(), "{}", stderr(&b));
    assert!(
        stderr(&b).contains(&format!("Moved {OLD} → {NEW}")),
        "{}",
        stderr(&b)
    );
    let files = |root: &Path| {
        tree(root)
            .into_iter()
            .filter(|(path, _)| !path.starts_with(".ggen/"))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(files(&original), files(&clone));
    assert!(!clone.join(OLD).exists());
}

#[test]
fn a_moved_from_outside_the_project_is_an_error_naming_the_template() {
    let scratch = Scratch::new();
    let root = setup(
        &scratch,
        &[("src/handlers.rs.tmpl", v1_handlers())],
        &[(
            "src/api/handlers.rs.tmpl",
            format!("---\nmoved_from: ../../etc/passwd\n---\n{}", v2_handlers()),
        )],
    );
    let before = tree(&root);
    let output = scratch.run_in(&root, &["packs", "update", "app"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("src/api/handlers.rs.tmpl")
            && err.contains("`moved_from` \"../../etc/passwd\" is not allowed"),
        "{err}"
    );
    assert_eq!(tree(&root), before);
}
