//! Projects that live in git, seen from a fresh clone (`ggen.lock` without `.ggen/`): the
//! same status, check and update as the original checkout; merge bases rebuilt from the
//! locked pack version, or an empty base (every user byte kept) with a warning when they
//! cannot be; the project found from any directory inside it; a lockfile from a newer ggen.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Scratch, copy_dir, git, stderr, stdout_json, tree, write_app_pack};

/// Versions 1.0.0 and 1.1.0 of `app` published to `work/reg`, and `proj` created at 1.0.0.
fn project_at_v1() -> (Scratch, PathBuf) {
    let scratch = Scratch::new();
    write_app_pack(&scratch.work().join("v1"), "1.0.0", &v1_files());
    write_app_pack(&scratch.work().join("v2"), "1.1.0", &v2_files());
    let project = common::publish_and_create(&scratch, &["v1", "v2"], "proj", "app@=1.0.0");
    (scratch, project)
}

/// Commits `project` the way a team does (`git add -A`) and clones it next to it.
fn commit_and_clone(project: &Path, clone: &Path) {
    git(project, &["init", "-q", "-b", "main"]);
    git(project, &["add", "-A"]);
    git(project, &["commit", "-q", "-m", "generated"]);
    let status = Command::new("git")
        .args(["clone", "-q"])
        .arg(project)
        .arg(clone)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .expect("git clone");
    assert!(status.success());
    assert!(
        !clone.join(".ggen").exists(),
        ".ggen/ must not be committed"
    );
    assert!(clone.join("ggen.lock").is_file());
}

/// Version 1 of the pack: every kind of file the equivalence test needs.
fn v1_files() -> Vec<(&'static str, String)> {
    vec![
        (".gitignore", "target/\n".into()),
        (
            "README.md.tmpl",
            "# {{ name }}\n<!-- @ggen:generated-start id=head -->\nversion 1\n<!-- @ggen:generated-end -->\n<!-- @ggen:manual-edit id=notes -->\nyour notes\n<!-- @ggen:manual-edit-end -->\n".into(),
        ),
        ("src/main.rs.tmpl", "// {{ name }}\nfn main() {\n    run();\n}\n\nfn run() {}\n".into()),
        ("src/lib.rs", "pub fn lib() {}\n".into()),
        ("config.txt", "port = 8080\nhost = localhost\n".into()),
    ]
}

fn v2_files() -> Vec<(&'static str, String)> {
    vec![
        (".gitignore", "target/\n*.log\n".into()),
        (
            "README.md.tmpl",
            "# {{ name }}\n<!-- @ggen:generated-start id=head -->\nversion 2\n<!-- @ggen:generated-end -->\n<!-- @ggen:manual-edit id=notes -->\nyour notes\n<!-- @ggen:manual-edit-end -->\n".into(),
        ),
        ("src/main.rs.tmpl", "// {{ name }}, version 2\nfn main() {\n    run();\n}\n\nfn run() {}\n".into()),
        ("src/lib.rs", "pub fn lib() {}\npub fn more() {}\n".into()),
        ("config.txt", "port = 9090\nhost = localhost\n".into()),
    ]
}

/// The same edits a user makes in either checkout: one in a manual-edit region, one clean
/// merge, one deletion, one that conflicts with the new version; `.gitignore` untouched.
fn edit(project: &Path) {
    let readme = project.join("README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    std::fs::write(&readme, text.replace("your notes", "my own notes")).unwrap();
    let main = project.join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(
        &main,
        text.replace("fn run() {}", "fn run() {\n    println!(\"mine\");\n}"),
    )
    .unwrap();
    std::fs::remove_file(project.join("src/lib.rs")).unwrap();
    std::fs::write(
        project.join("config.txt"),
        "port = 7070\nhost = localhost\n",
    )
    .unwrap();
}

/// The project's files, `.ggen/` and `.git/` left out.
fn checkout_tree(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    tree(root)
        .into_iter()
        .filter(|(path, _)| !path.starts_with(".ggen/") && !path.starts_with(".git/"))
        .collect()
}

/// Two checkouts with `config.txt` in conflict answer `status`, `conflicts`, `packs check`
/// and `packs update` (refused while the conflict is pending) the same; `resolve --theirs`
/// (the pack's side of each block) leaves the same bytes in both, and `status` agrees after.
fn settle_the_conflict_alike(scratch: &Scratch, a: &Path, b: &Path) {
    for args in [
        &["status"][..],
        &["conflicts"][..],
        &["packs", "check"][..],
        &["packs", "update", "app"][..],
    ] {
        same_answer(scratch, a, b, args);
    }
    same_answer(scratch, a, b, &["resolve", "config.txt", "--theirs"]);
    assert_eq!(checkout_tree(a), checkout_tree(b));
    same_answer(scratch, a, b, &["status"]);
}

/// Runs `args` in both checkouts and checks they answer the same, byte for byte.
fn same_answer(scratch: &Scratch, original: &Path, clone: &Path, args: &[&str]) -> Output {
    let a = scratch.run_in(original, args);
    let b = scratch.run_in(clone, args);
    assert_eq!(
        a.status.code(),
        b.status.code(),
        "{args:?}: original: {}\nclone: {}",
        stderr(&a),
        stderr(&b)
    );
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout),
        "{args:?}: stdout differs (clone stderr: {})",
        stderr(&b)
    );
    b
}

/// The decisive test of issue 11: one project, two checkouts, same edits, same update.
fn assert_update_equivalent(scratch: &Scratch, original: &Path, clone: &Path, update: &[&str]) {
    for args in [&["status"][..], &["packs", "check"][..]] {
        same_answer(scratch, original, clone, args);
    }
    edit(original);
    edit(clone);
    for args in [
        &["status"][..],
        &["--json", "status"][..],
        &["packs", "check"][..],
        &["diff"][..],
    ] {
        same_answer(scratch, original, clone, args);
    }
    let out = same_answer(scratch, original, clone, update);
    assert_eq!(out.status.code(), Some(3), "a conflict: {}", stderr(&out));
    let report = stdout_json(&out);
    assert!(
        report["warnings"].as_array().unwrap().is_empty(),
        "every base was rebuilt and verified: {report}"
    );
    assert_eq!(checkout_tree(original), checkout_tree(clone));
    let merged = std::fs::read_to_string(clone.join("src/main.rs")).unwrap();
    assert!(
        merged.contains("version 2") && merged.contains("mine"),
        "{merged}"
    );
    assert!(
        !clone.join("src/lib.rs").exists(),
        "deleted by the user: stays deleted"
    );
    // The rebuilt snapshot was written: later commands in the clone are normal ones.
    assert!(clone.join(".ggen/snapshot.json").is_file());
    for args in [&["status"][..], &["conflicts"][..], &["packs", "check"][..]] {
        same_answer(scratch, original, clone, args);
    }
}

#[test]
fn a_fresh_clone_updates_a_registry_pack_exactly_like_the_original_checkout() {
    let (scratch, original) = project_at_v1();
    let clone = scratch.work().join("clone");
    commit_and_clone(&original, &clone);

    // Before any edit: the lock alone says every file is as generated.
    let out = scratch.run_in(&clone, &["status"]);
    assert!(
        stderr(&out).contains("5 generated files, all as generated"),
        "{}",
        stderr(&out)
    );

    assert_update_equivalent(
        &scratch,
        &original,
        &clone,
        &["--json", "packs", "update", "app", "--to", "1.1.0"],
    );
}

/// The Renovate case: an update that exited 3 (config.txt in conflict), committed with its
/// conflict blocks and cloned. Returns the scratch, the original checkout and the clone.
fn committed_conflict() -> (Scratch, PathBuf, PathBuf) {
    let (scratch, original) = project_at_v1();
    edit(&original);
    let out = scratch.run_in(&original, &["packs", "update", "app", "--to", "1.1.0"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let clone = scratch.work().join("clone");
    commit_and_clone(&original, &clone);
    (scratch, original, clone)
}

#[test]
fn conflicts_committed_to_git_are_conflicts_in_a_fresh_clone_too() {
    let (scratch, original, clone) = committed_conflict();

    let out = same_answer(&scratch, &original, &clone, &["--json", "status"]);
    let report = stdout_json(&out);
    let config = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "config.txt")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(config["state"], "conflicted", "{report}");
    settle_the_conflict_alike(&scratch, &original, &clone);
    assert_eq!(
        std::fs::read_to_string(clone.join("config.txt")).unwrap(),
        "port = 9090\nhost = localhost\n"
    );
}

#[test]
fn a_teammate_who_pulls_an_update_sees_the_project_as_its_author_does() {
    let (scratch, original) = project_at_v1();
    let mate = scratch.work().join("mate");
    commit_and_clone(&original, &mate);
    // The teammate works with ggen at 1.0.0: their own `.ggen/` records that generation.
    let out = scratch.run_in(&mate, &["packs", "regenerate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(mate.join(".ggen/snapshot.json").is_file());
    // The author edits, updates to 1.1.0 (a conflict) and commits; the teammate pulls.
    edit(&original);
    let out = scratch.run_in(&original, &["packs", "update", "app", "--to", "1.1.0"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    git(&original, &["add", "-A"]);
    git(&original, &["commit", "-q", "-m", "app 1.1.0"]);
    git(&mate, &["pull", "-q", "--ff-only"]);
    assert_eq!(checkout_tree(&original), checkout_tree(&mate));
    // Not "every updated file modified": the same answers as the author's checkout.
    settle_the_conflict_alike(&scratch, &original, &mate);
}

#[test]
fn ours_in_a_fresh_clone_takes_the_current_side_of_each_committed_block() {
    let (scratch, _original, clone) = committed_conflict();
    // Markers edited away by hand are not enough while some remain: --merged refuses.
    let out = scratch.run_in(&clone, &["resolve", "config.txt", "--merged"]);
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("config.txt"), "{}", stderr(&out));
    let out = scratch.run_in(&clone, &["resolve", "config.txt", "--ours"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(clone.join("config.txt")).unwrap(),
        "port = 7070\nhost = localhost\n"
    );
    let out = scratch.run_in(&clone, &["conflicts"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("config.txt"));
}

#[test]
fn a_fresh_clone_updates_a_path_pack_exactly_like_the_original_checkout() {
    let scratch = Scratch::new();
    let pack = scratch.work().join("pack");
    write_app_pack(&pack, "1.0.0", &v1_files());
    scratch
        .ggen()
        .args(["new", "proj", "--pack", "./pack"])
        .assert()
        .success();
    let original = scratch.work().join("proj");
    let clone = scratch.work().join("clone");
    commit_and_clone(&original, &clone);
    let out = scratch.run_in(&clone, &["packs", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_update_equivalent_path(&scratch, &original, &clone);
}

/// For a path pack the directory is the version, and the base rebuilds only while it holds
/// what was locked: the update changes a variable, which renders every template anew.
fn assert_update_equivalent_path(scratch: &Scratch, original: &Path, clone: &Path) {
    for args in [&["status"][..], &["packs", "check"][..]] {
        same_answer(scratch, original, clone, args);
    }
    edit(original);
    edit(clone);
    same_answer(scratch, original, clone, &["status"]);
    same_answer(scratch, original, clone, &["diff"]);
    let out = same_answer(
        scratch,
        original,
        clone,
        &["--json", "packs", "update", "app", "--var", "name=renamed"],
    );
    let report = stdout_json(&out);
    assert!(
        report["warnings"].as_array().unwrap().is_empty(),
        "{report}"
    );
    assert_eq!(checkout_tree(original), checkout_tree(clone));
    let merged = std::fs::read_to_string(clone.join("src/main.rs")).unwrap();
    assert!(
        merged.contains("// renamed") && merged.contains("mine"),
        "{merged}"
    );
    let readme = std::fs::read_to_string(clone.join("README.md")).unwrap();
    assert!(
        readme.contains("# renamed") && readme.contains("my own notes"),
        "{readme}"
    );
    for args in [&["status"][..], &["packs", "check"][..]] {
        same_answer(scratch, original, clone, args);
    }
}

#[test]
fn a_path_pack_changed_since_it_was_locked_keeps_every_user_byte_and_says_why() {
    let scratch = Scratch::new();
    let pack = scratch.work().join("pack");
    write_app_pack(&pack, "1.0.0", &v1_files());
    scratch
        .ggen()
        .args(["new", "proj", "--pack", "./pack"])
        .assert()
        .success();
    let original = scratch.work().join("proj");
    let clone = scratch.work().join("clone");
    commit_and_clone(&original, &clone);
    edit(&clone);
    let edited_main = std::fs::read_to_string(clone.join("src/main.rs")).unwrap();
    let untouched = std::fs::read(clone.join(".gitignore")).unwrap();
    assert_ne!(untouched, b"target/\n*.log\n");
    // The pack moves on before the clone updates: the locked version cannot be rendered.
    std::fs::remove_dir_all(&pack).unwrap();
    write_app_pack(&pack, "1.1.0", &v2_files());

    let out = scratch.run_in(&clone, &["--json", "packs", "update", "app"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = stdout_json(&out);
    let warnings: Vec<String> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .filter(|w| w.contains("no merge base"))
        .collect();
    assert_eq!(warnings.len(), 1, "one per pack: {warnings:?}");
    let warning = &warnings[0];
    for needle in [
        "`app`",
        "src/main.rs",
        "config.txt",
        "README.md",
        "changed since it was locked",
        "empty base",
    ] {
        assert!(warning.contains(needle), "{needle}: {warning}");
    }
    // Unmodified: replaced by the new version, as in the original.
    assert_eq!(
        std::fs::read(clone.join(".gitignore")).unwrap(),
        b"target/\n*.log\n"
    );
    // Modified: every line of the user's file is still there.
    let merged = std::fs::read_to_string(clone.join("src/main.rs")).unwrap();
    for line in edited_main.lines() {
        assert!(merged.contains(line), "{line:?} lost: {merged}");
    }
    let config = std::fs::read_to_string(clone.join("config.txt")).unwrap();
    assert!(
        config.contains("port = 7070") && config.contains("<<<<<<<"),
        "{config}"
    );
    let readme = std::fs::read_to_string(clone.join("README.md")).unwrap();
    assert!(readme.contains("my own notes"), "{readme}");
    assert!(!clone.join("src/lib.rs").exists());
    let conflicts = scratch.run_in(&clone, &["conflicts"]);
    assert!(String::from_utf8_lossy(&conflicts.stdout).contains("config.txt"));
    // Taking the pack's side redoes the empty-base merge: the manual-edit region stays.
    assert!(readme.contains("<<<<<<<"), "{readme}");
    let out = scratch.run_in(&clone, &["resolve", "README.md", "--theirs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let readme = std::fs::read_to_string(clone.join("README.md")).unwrap();
    assert!(
        readme.contains("my own notes") && readme.contains("version 2"),
        "{readme}"
    );
    assert!(!readme.contains("<<<<<<<"), "{readme}");
}

#[test]
fn a_locked_version_gone_from_the_registry_is_named_and_merged_against_an_empty_base() {
    let (scratch, original) = project_at_v1();
    let clone = scratch.work().join("clone");
    commit_and_clone(&original, &clone);
    edit(&clone);
    // 1.0.0 vanishes from the registry's index; a CI runner has no cache either.
    let index = scratch.work().join("reg/index/app.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index).unwrap()).unwrap();
    doc["versions"]
        .as_array_mut()
        .unwrap()
        .retain(|v| v["version"] != "1.0.0");
    std::fs::write(&index, serde_json::to_vec(&doc).unwrap()).unwrap();
    let runner_home = scratch.dir.path().join("runner-home");
    let out = common::ggen(&runner_home)
        .current_dir(&clone)
        .arg("--registry")
        .arg(scratch.work().join("reg"))
        .args(["--json", "packs", "update", "app", "--to", "1.1.0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = stdout_json(&out);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("app@1.0.0"), "{warnings}");
    assert!(warnings.contains("registry"), "{warnings}");
    assert!(warnings.contains("empty base"), "{warnings}");
    let merged = std::fs::read_to_string(clone.join("src/main.rs")).unwrap();
    assert!(merged.contains("println!(\"mine\")"), "{merged}");
}

#[test]
fn a_lock_whose_hashes_match_nothing_is_never_clean_and_never_overwrites() {
    let (scratch, original) = project_at_v1();
    let clone = scratch.work().join("clone");
    copy_dir(&original, &clone);
    std::fs::remove_dir_all(clone.join(".ggen")).unwrap();
    let lock_path = clone.join("ggen.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    let bogus: String = lock
        .lines()
        .map(|line| {
            if line.starts_with("hash = ") {
                format!("hash = \"sha256-{}\"", "0".repeat(64))
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&lock_path, bogus + "\n").unwrap();
    let before = checkout_tree(&clone);

    let out = scratch.run_in(&clone, &["--json", "status"]);
    let status = stdout_json(&out);
    assert_eq!(status["files"].as_array().unwrap().len(), 5, "{status}");
    let check = scratch.run_in(&clone, &["packs", "check"]);
    assert_eq!(
        check.status.code(),
        Some(1),
        "not clean: {}",
        stderr(&check)
    );

    let out = scratch.run_in(
        &clone,
        &["--json", "packs", "update", "app", "--to", "1.1.0"],
    );
    let report = stdout_json(&out);
    let warnings = report["warnings"].to_string();
    for path in [
        ".gitignore",
        "README.md",
        "src/main.rs",
        "src/lib.rs",
        "config.txt",
    ] {
        assert!(warnings.contains(path), "{path}: {warnings}");
    }
    assert!(
        warnings.contains("does not give the content ggen.lock records"),
        "{warnings}"
    );
    // Every byte of every file is still in it.
    for (path, bytes) in before {
        if path == "ggen.lock" {
            continue;
        }
        let now = String::from_utf8(std::fs::read(clone.join(&path)).unwrap()).unwrap();
        for line in String::from_utf8(bytes).unwrap().lines() {
            assert!(now.contains(line), "{path}: {line:?} lost: {now}");
        }
    }
}

#[test]
fn a_lockfile_from_a_newer_ggen_is_refused_and_left_alone() {
    let scratch = Scratch::new();
    write_app_pack(&scratch.work().join("v1"), "1.0.0", &v1_files());
    let project = common::publish_and_create(&scratch, &["v1"], "proj", "app");
    let lock_path = project.join("ggen.lock");
    let text = std::fs::read_to_string(&lock_path)
        .unwrap()
        .replace("version = 1\n", "version = 2\nnew_field = true\n");
    std::fs::write(&lock_path, &text).unwrap();
    for args in [&["status"][..], &["packs", "update", "--all"][..]] {
        let out = scratch.run_in(&project, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("ggen.lock"), "{err}");
        assert!(err.contains("written by a newer ggen"), "{err}");
        assert!(err.contains("hint: upgrade ggen"), "{err}");
        assert!(!err.contains("restored"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&lock_path).unwrap(), text);
}

#[test]
fn the_project_is_found_from_a_subdirectory_and_paths_are_relative_to_it() {
    let (scratch, project) = project_at_v1();
    let src: PathBuf = project.join("src");
    std::fs::write(
        project.join("config.txt"),
        "port = 7070\nhost = localhost\n",
    )
    .unwrap();
    let main = src.join("main.rs");
    std::fs::write(&main, "// changed\n").unwrap();

    let out = scratch.run_in(&src, &["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("config.txt") && text.contains("src/main.rs"),
        "{text}"
    );

    // `ggen diff main.rs` from src/ is src/main.rs.
    let out = scratch.run_in(&src, &["diff", "main.rs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("b/src/main.rs") && !text.contains("config.txt"),
        "{text}"
    );

    // A conflict, resolved with a path relative to the subdirectory.
    let out = scratch.run_in(&src, &["packs", "update", "app", "--to", "1.1.0"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = scratch.run_in(&src, &["resolve", "../config.txt", "--ours"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(project.join("config.txt")).unwrap(),
        "port = 7070\nhost = localhost\n"
    );
    let out = scratch.run_in(&src, &["resolve", "main.rs", "--ours"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = scratch.run_in(&src, &["conflicts"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn packs_install_outside_any_project_says_it_creates_one() {
    let scratch = Scratch::new();
    write_app_pack(&scratch.work().join("v1"), "1.0.0", &v1_files());
    scratch
        .ggen()
        .args(["packs", "publish", "v1", "--registry", "reg", "--init"])
        .assert()
        .success();
    let here = scratch.work().join("here");
    std::fs::create_dir_all(&here).unwrap();
    let out = scratch.run_in(&here, &["packs", "install", "app"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "creating a new ggen project in {}",
            here.display()
        )),
        "{err}"
    );
    assert!(here.join("ggen.lock").is_file());
}
