//! Projects that live in git: `.ggen/` stays out of `git add -A`, merge bases survive the
//! history limit across update/regenerate/rollback, and commands that change nothing leave
//! no history entry.

mod common;
mod txn_support;

use std::path::{Path, PathBuf};

use common::{Scratch, git, stderr};
use txn_support::history_ids;

/// README.md with a generated region that names the version and a manual-edit region.
fn readme(version: &str) -> String {
    format!(
        "# demo\n<!-- @ggen:generated-start id=head -->\nversion {version}\n<!-- @ggen:generated-end -->\n<!-- @ggen:manual-edit id=notes -->\nyour notes\n<!-- @ggen:manual-edit-end -->\n"
    )
}

/// Publishes app 1.0.0, 1.1.0 and 1.2.0 and creates `proj` from 1.0.0.
fn setup(scratch: &Scratch) -> PathBuf {
    for (dir, version) in [("v1", "1.0.0"), ("v2", "1.1.0"), ("v3", "1.2.0")] {
        common::write_app_pack(
            &scratch.work().join(dir),
            version,
            &[("README.md", readme(version))],
        );
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
    // (Gone after a rollback of `new` in the random sequences.)
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
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

/// The objects the project's state names: the current snapshot's merge bases, template
/// outputs and conflict versions; every history entry's prior file contents and its
/// lockfile and snapshot states;
/// and, for each snapshot a history entry recorded, the objects that snapshot names.
fn referenced_objects(project: &Path) -> Vec<(String, String)> {
    fn of_snapshot(doc: &serde_json::Value, origin: &str, out: &mut Vec<(String, String)>) {
        let mut add = |v: &serde_json::Value, what: &str| {
            if let Some(hash) = v.as_str() {
                out.push((hash.to_string(), format!("{origin}: {what}")));
            }
        };
        for (path, file) in doc["files"].as_object().into_iter().flatten() {
            add(&file["hash"], path);
        }
        for (path, conflict) in doc["conflicts"].as_object().into_iter().flatten() {
            for side in ["base", "current", "new"] {
                add(&conflict[side], &format!("conflict {path} {side}"));
            }
        }
        for pack in doc["packs"].as_object().into_iter().flatten().map(|p| p.1) {
            for template in pack["templates"].as_object().into_iter().flatten() {
                for (path, hash) in template.1["outputs"].as_object().into_iter().flatten() {
                    add(hash, &format!("output {path}"));
                }
            }
        }
    }
    let mut out = Vec::new();
    // A rollback of `new` leaves no snapshot.
    if let Ok(text) = std::fs::read(project.join(".ggen/snapshot.json")) {
        let doc = serde_json::from_slice(&text).unwrap();
        of_snapshot(&doc, "snapshot", &mut out);
    }
    for id in history_ids(project) {
        let path = project
            .join(".ggen/history")
            .join(&id)
            .join("transaction.json");
        let record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let mut states = Vec::new();
        for (path, change) in record["files"].as_object().into_iter().flatten() {
            states.push((path.clone(), change.clone()));
        }
        states.push(("ggen.lock".into(), record["lockfile"].clone()));
        states.push(("snapshot".into(), record["snapshot"].clone()));
        for (path, change) in states {
            for side in ["before", "after"] {
                // A file's state after an entry is only compared by hash; what a rollback
                // writes back is the state before.
                let state_file = path == "ggen.lock" || path == "snapshot";
                if side == "after" && !state_file {
                    continue;
                }
                let Some(hash) = change[side]["hash"].as_str() else {
                    continue;
                };
                out.push((hash.to_string(), format!("history {id} {path} {side}")));
                if path == "snapshot"
                    && let Some(bytes) = common::stored_objects(project).get(hash)
                {
                    let doc = serde_json::from_slice(bytes).unwrap();
                    of_snapshot(&doc, &format!("history {id} snapshot {side}"), &mut out);
                }
            }
        }
    }
    out
}

fn edit_generated(project: &Path, n: u64) {
    let path = project.join("README.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let edited = text.replacen(
        "<!-- @ggen:generated-end -->",
        &format!("mine {n}\n<!-- @ggen:generated-end -->"),
        1,
    );
    std::fs::write(&path, edited).unwrap();
}

/// Random sequences of update, regenerate, rollback, resolve and edits, with a history of
/// 3: no command fails for a missing object, and every object the snapshot, its conflicts or
/// any kept history entry (and what a rollback restores) names is in the store.
#[test]
fn random_sequences_never_leave_a_dangling_object_reference() {
    for seed in 1..=6u64 {
        let scratch = Scratch::new();
        let project = setup(&scratch);
        let mut random = txn_support::Random::new(seed);
        let mut steps = Vec::new();
        for step in 0..14 {
            let args: Vec<String> = match random.next() % 7 {
                0 | 1 => {
                    let to = ["1.0.0", "1.1.0", "1.2.0"][(random.next() % 3) as usize];
                    vec![
                        "packs".into(),
                        "update".into(),
                        "app".into(),
                        "--to".into(),
                        to.into(),
                    ]
                }
                2 => vec!["packs".into(), "regenerate".into()],
                3 => vec!["rollback".into()],
                4 => {
                    let side = ["--ours", "--theirs"][(random.next() % 2) as usize];
                    vec!["resolve".into(), side.into(), "README.md".into()]
                }
                5 => {
                    edit_notes(&project);
                    vec!["status".into()]
                }
                _ => {
                    edit_generated(&project, step);
                    vec!["status".into()]
                }
            };
            steps.push(args.join(" "));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = run(&scratch, &project, &args);
            let err = stderr(&output);
            assert_ne!(
                output.status.code(),
                Some(101),
                "seed {seed} {steps:?}: {err}"
            );
            assert!(
                !err.contains(".ggen/objects"),
                "seed {seed} {steps:?}: {err}"
            );
            let stored = common::stored_objects(&project);
            for (hash, what) in referenced_objects(&project) {
                assert!(
                    stored.contains_key(&hash),
                    "seed {seed} after {steps:?}: {what} names missing object {hash}"
                );
            }
        }
    }
}

fn porcelain(dir: &Path) -> String {
    git(dir, &["status", "--porcelain"])
}

#[test]
fn a_rollback_to_a_conflicted_state_makes_the_file_unmerged_in_git_again() {
    let scratch = Scratch::new();
    git(&scratch.work(), &["init", "-q"]);
    let project = setup(&scratch);
    git(&scratch.work(), &["add", "-A"]);
    edit_generated(&project, 1);
    let output = run(
        &scratch,
        &project,
        &["packs", "update", "app", "--to", "1.1.0"],
    );
    assert_ne!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        porcelain(&project).contains("UU proj/README.md"),
        "{}",
        porcelain(&project)
    );

    ok(&scratch, &project, &["resolve", "--theirs", "README.md"]);
    assert!(
        !porcelain(&project).contains("UU"),
        "{}",
        porcelain(&project)
    );

    ok(&scratch, &project, &["rollback"]);
    let status = porcelain(&project);
    assert!(status.contains("UU proj/README.md"), "{status}");
}

#[test]
fn a_conflict_resolved_the_git_way_is_settled_for_ggen() {
    let scratch = Scratch::new();
    git(&scratch.work(), &["init", "-q"]);
    let project = setup(&scratch);
    git(&scratch.work(), &["add", "-A"]);
    edit_generated(&project, 1);
    let output = run(
        &scratch,
        &project,
        &["packs", "update", "app", "--to", "1.1.0"],
    );
    assert_ne!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = run(&scratch, &project, &["conflicts"]);
    assert_ne!(output.status.code(), Some(0));

    // Edit out the markers, keep both lines, `git add`.
    let path = project.join("README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let merged: String = text
        .lines()
        .filter(|l| {
            !l.starts_with("<<<<<<<")
                && !l.starts_with(">>>>>>>")
                && !l.starts_with("=======")
                && !l.starts_with("|||||||")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, merged).unwrap();
    git(&project, &["add", "README.md"]);
    assert!(
        !porcelain(&project).contains("UU"),
        "{}",
        porcelain(&project)
    );

    let output = run(&scratch, &project, &["conflicts"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("README.md") && out.contains("resolved in git"),
        "{out}"
    );
    let output = run(&scratch, &project, &["status"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("resolved in git") && !out.contains("conflict"),
        "{out}"
    );
    // The next update takes the file as the user's, like after `ggen resolve --merged`.
    let output = run(
        &scratch,
        &project,
        &["packs", "update", "app", "--to", "1.2.0"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("version 1.2.0") && text.contains("your notes"),
        "{text}"
    );
}
