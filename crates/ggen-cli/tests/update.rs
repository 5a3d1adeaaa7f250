//! Living with a project through pack versions: update, regenerate, status, check, diff,
//! conflicts, resolve, uninstall and outdated — each file case and each strategy.

mod common;

use std::path::{Path, PathBuf};

use common::{Scratch, copy_dir, stderr, stdout_json, tree, whole_tree, write_app_pack};

const LIB_V1: &str = "\
// header kept as generated
// @ggen:generated-start id=api
pub fn version() -> u32 { 1 }
// @ggen:generated-end
// @ggen:manual-edit id=user
// your code here
// @ggen:manual-edit-end
// footer
";

const LIB_V2: &str = "\
// header kept as generated
// @ggen:generated-start id=api
pub fn version() -> u32 { 2 }
pub fn added_in_v2() {}
// @ggen:generated-end
// @ggen:manual-edit id=user
// your code here
// @ggen:manual-edit-end
// footer
";

/// Publishes v1 and v2 of pack `app` and creates `proj` from v1.
fn setup(scratch: &Scratch, v1: &[(&str, &[u8])], v2: &[(&str, &[u8])]) -> PathBuf {
    write_app_pack(&scratch.work().join("v1"), "1.0.0", v1);
    write_app_pack(&scratch.work().join("v2"), "2.0.0", v2);
    common::publish_and_create(scratch, &["v1", "v2"], "proj", "app@1.0.0")
}

fn update(scratch: &Scratch, args: &[&str]) -> std::process::Output {
    scratch
        .ggen()
        .args(["-C", "proj", "--json", "packs", "update", "app"])
        .args(args)
        .output()
        .unwrap()
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap()
}

#[test]
fn dry_run_and_unanswered_manual_review_write_nothing_at_all() {
    let scratch = Scratch::new();
    let root = setup(
        &scratch,
        &[("src/lib.rs", LIB_V1.as_bytes()), ("gone.txt", b"x\n")],
        &[("src/lib.rs", LIB_V2.as_bytes()), ("new.txt", b"n\n")],
    );
    let edited = read(&root, "src/lib.rs").replace("// footer", "// footer, edited");
    std::fs::write(root.join("src/lib.rs"), &edited).unwrap();
    let before = whole_tree(&root);

    let output = scratch
        .ggen()
        .args(["-C", "proj", "packs", "update", "app", "--dry-run"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = String::from_utf8_lossy(&output.stdout);
    assert!(
        plan.contains("merge") && plan.contains("src/lib.rs"),
        "{plan}"
    );
    assert!(
        plan.contains("create") && plan.contains("new.txt"),
        "{plan}"
    );
    assert!(
        plan.contains("delete") && plan.contains("gone.txt"),
        "{plan}"
    );
    assert_eq!(whole_tree(&root), before);

    // manual, no terminal, no --yes: nothing written, exit 3.
    let output = update(&scratch, &["--merge-strategy", "manual"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(doc["review_required"][0], "src/lib.rs");
    assert_eq!(whole_tree(&root), before);

    // manual with --yes merges like auto.
    let output = update(&scratch, &["--merge-strategy", "manual", "--yes"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let lib = read(&root, "src/lib.rs");
    assert!(
        lib.contains("// footer, edited") && lib.contains("added_in_v2"),
        "{lib}"
    );
}

/// What `tests/cases/regenerate_follows_the_pack` cannot show: a file whose bytes do not
/// change is not written again (its modification time stays).
#[test]
fn regenerate_does_not_rewrite_a_file_that_did_not_change() {
    let scratch = Scratch::new();
    let pack = scratch.work().join("models-pack");
    copy_dir(&common::example_pack("entity-models"), &pack);
    scratch
        .ggen()
        .args(["new", "proj", "--pack", "./models-pack"])
        .assert()
        .success();
    let root = scratch.work().join("proj");
    let mtime = |p: &str| std::fs::metadata(root.join(p)).unwrap().modified().unwrap();
    let cargo_mtime = mtime("Cargo.toml");
    let mut ttl = std::fs::read_to_string(pack.join("graph/model.ttl")).unwrap();
    ttl.push_str("\nex:Comment a ex:Entity ; ex:name \"Comment\" .\n");
    std::fs::write(pack.join("graph/model.ttl"), ttl).unwrap();
    let output = scratch
        .ggen()
        .args(["-C", "proj", "packs", "regenerate"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(root.join("src/models/comment.rs").exists());
    assert_eq!(
        mtime("Cargo.toml"),
        cargo_mtime,
        "an unchanged file was rewritten"
    );
}

#[test]
fn status_diff_and_uninstall() {
    let scratch = Scratch::new();
    let root = setup(
        &scratch,
        &[("keep.txt", b"one\ntwo\n"), ("plain.txt", b"plain\n")],
        &[("keep.txt", b"one\ntwo\n")],
    );
    let output = scratch
        .ggen()
        .args(["-C", "proj", "--json", "status"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(stdout_json(&output)["files"].as_array().unwrap().is_empty());

    std::fs::write(root.join("keep.txt"), "one\n2\n").unwrap();
    let output = scratch
        .ggen()
        .args(["-C", "proj", "diff"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let diff = String::from_utf8_lossy(&output.stdout);
    assert!(
        diff.contains("-two") && diff.contains("+2") && diff.contains("a/keep.txt"),
        "{diff}"
    );

    let output = scratch
        .ggen()
        .args(["-C", "proj", "--json", "packs", "uninstall", "app"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(doc["removed"][0], "plain.txt");
    assert_eq!(doc["kept"][0], "keep.txt");
    assert!(!root.join("plain.txt").exists());
    assert_eq!(read(&root, "keep.txt"), "one\n2\n");
    assert!(!read(&root, "ggen.lock").contains("id = \"app\""));
    assert_eq!(tree(&root).len(), 2, "{:?}", tree(&root).keys());
}

#[test]
fn conflicts_show_as_unmerged_in_git_until_resolved() {
    let scratch = Scratch::new();
    let root = setup(
        &scratch,
        &[("src/lib.rs", LIB_V1.as_bytes())],
        &[("src/lib.rs", LIB_V2.as_bytes())],
    );
    let git = |args: &[&str]| {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "generated"]);
    let edited = read(&root, "src/lib.rs").replace("{ 1 }", "{ 100 }");
    std::fs::write(root.join("src/lib.rs"), &edited).unwrap();

    let output = update(&scratch, &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let status = git(&["status", "--porcelain", "--", "src/lib.rs"]);
    assert!(status.starts_with("UU src/lib.rs"), "{status}");
    let stages = git(&["ls-files", "-u", "--", "src/lib.rs"]);
    assert_eq!(stages.lines().count(), 3, "{stages}");

    scratch
        .ggen()
        .args(["-C", "proj", "resolve", "src/lib.rs", "--theirs"])
        .assert()
        .success();
    let status = git(&["status", "--porcelain", "--", "src/lib.rs"]);
    assert!(status.starts_with(" M src/lib.rs"), "{status}");
    assert_eq!(read(&root, "src/lib.rs"), LIB_V2);
}

#[test]
fn a_failing_test_phase_rolls_the_update_back_byte_for_byte() {
    let scratch = Scratch::new();
    let root = setup(
        &scratch,
        &[("src/lib.rs", LIB_V1.as_bytes()), ("gone.txt", b"x\n")],
        &[("src/lib.rs", LIB_V2.as_bytes()), ("new.txt", b"n\n")],
    );
    let edited = read(&root, "src/lib.rs").replace("// footer", "// footer, edited");
    std::fs::write(root.join("src/lib.rs"), &edited).unwrap();
    std::fs::write(
        root.join("make.toml"),
        "[lifecycle.test]\ncommand = \"grep -q added_in_v2 src/lib.rs && exit 4\"\n",
    )
    .unwrap();
    let before = whole_tree(&root)
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().contains("/.ggen/"))
        .collect::<Vec<_>>();

    let output = update(&scratch, &["--test"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(doc["test"]["passed"], false);
    assert_eq!(doc["test"]["exit_code"], 4);
    let after = whole_tree(&root)
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().contains("/.ggen/"))
        .collect::<Vec<_>>();
    assert_eq!(after, before, "the project is not as before the update");

    // A passing test keeps the update.
    std::fs::write(
        root.join("make.toml"),
        "[lifecycle.test]\ncommand = \"grep -q added_in_v2 src/lib.rs\"\n",
    )
    .unwrap();
    let output = update(&scratch, &["--test"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(read(&root, "src/lib.rs").contains("added_in_v2"));
    assert!(read(&root, "ggen.lock").contains("version = \"2.0.0\""));
}

/// `--test` holds the project lock from the update through the test phase: another ggen
/// that wants to change the project meanwhile is refused (`--no-wait`), so it cannot
/// commit in the gap and be rolled back with the update.
#[test]
fn the_test_phase_runs_under_the_update_s_project_lock() {
    let scratch = Scratch::new();
    let root = setup(
        &scratch,
        &[("src/lib.rs", LIB_V1.as_bytes())],
        &[("src/lib.rs", LIB_V2.as_bytes())],
    );
    let ggen = env!("CARGO_BIN_EXE_ggen");
    std::fs::write(
        root.join("make.toml"),
        format!("[lifecycle.test]\ncommand = \"'{ggen}' --no-wait packs regenerate\"\n"),
    )
    .unwrap();

    let output = update(&scratch, &["--test"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("lock"),
        "the nested ggen was not refused: {err}"
    );
    let doc = stdout_json(&output);
    assert_eq!(doc["test"]["passed"], false);
    assert!(doc["test"]["rolled_back"].is_string(), "{doc}");
    assert_eq!(read(&root, "src/lib.rs"), LIB_V1);
}

/// Runs ggen in `proj_dir` on a real terminal (`script(1)` gives it a pty) with `answer`
/// typed at it; returns whether it succeeded and what the terminal showed.
fn on_terminal(scratch: &Scratch, proj_dir: &str, args: &str, answer: &str) -> (bool, String) {
    use std::io::Write;
    let ggen = env!("CARGO_BIN_EXE_ggen");
    let mut child = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("'{ggen}' -C {proj_dir} {args}"),
            "/dev/null",
        ])
        .current_dir(scratch.work())
        .env("GGEN_HOME", scratch.home())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux runs the pty tests");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Issue 19, item 3: a `make.toml` that the update itself wrote holds a pack's commands;
/// `--test` runs them only with `--allow-hooks` or a yes at a prompt that shows them.
/// Without consent the test phase does not run, the update is kept, and ggen exits 1.
#[test]
fn a_make_toml_the_update_wrote_runs_only_with_consent() {
    let scratch = Scratch::new();
    let root = setup(
        &scratch,
        &[
            ("src/lib.rs", LIB_V1.as_bytes()),
            ("make.toml", b"[lifecycle.test]\ncommand = \"true\"\n"),
        ],
        &[
            ("src/lib.rs", LIB_V2.as_bytes()),
            (
                "make.toml",
                b"[lifecycle.test]\ncommand = \"touch pack-ran-this\"\n",
            ),
        ],
    );
    let output = scratch
        .ggen()
        .args(["-C", "proj", "packs", "update", "app", "--test"])
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(!root.join("pack-ran-this").exists(), "ran without consent");
    assert!(
        err.contains("make.toml was written by this update (pack app)")
            && err.contains("`touch pack-ran-this`")
            && err.contains("hint:")
            && err.contains("--allow-hooks")
            && err.contains("the update is kept"),
        "{err}"
    );
    assert!(read(&root, "ggen.lock").contains("version = \"2.0.0\""));
    assert!(read(&root, "src/lib.rs").contains("added_in_v2"));

    let create = |name: &str| {
        scratch
            .ggen()
            .args(["--registry", "reg", "new", name, "--pack", "app@1.0.0"])
            .assert()
            .success();
        scratch.work().join(name)
    };
    // --json: the document says the phase did not run, and what it would have run.
    let json = create("json");
    let output = scratch
        .ggen()
        .args(["-C", "json", "--json", "packs", "update", "app", "--test"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(doc["test"]["ran"], false, "{doc}");
    assert_eq!(
        doc["test"]["needs_consent"]["commands"],
        serde_json::json!(["touch pack-ran-this"])
    );
    assert!(!json.join("pack-ran-this").exists());
    let allowed = create("allowed");
    let output = scratch
        .ggen()
        .args(["-C", "allowed", "packs", "update", "app", "--test"])
        .arg("--allow-hooks")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(allowed.join("pack-ran-this").exists());

    // At a terminal the prompt shows the commands; no (or nothing) runs nothing.
    let declined = create("declined");
    let (ok, screen) = on_terminal(&scratch, "declined", "packs update app --test", "n\n");
    assert!(!ok, "{screen}");
    assert!(
        screen.contains("touch pack-ran-this") && screen.contains("Run them? [y/N]"),
        "{screen}"
    );
    assert!(!declined.join("pack-ran-this").exists(), "{screen}");

    let accepted = create("accepted");
    let (ok, screen) = on_terminal(&scratch, "accepted", "packs update app --test", "y\n");
    assert!(ok, "{screen}");
    assert!(accepted.join("pack-ran-this").exists(), "{screen}");
}
