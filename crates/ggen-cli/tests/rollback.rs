//! History and rollback, recovery of an interrupted transaction, and damaged state files:
//! `ggen history`, `ggen rollback [TXID] [--force]`, the history limit, and ggen.lock or
//! snapshot corruption restored from the history.

mod common;
mod txn_support;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Scratch, stderr, stdout_json, tree, write_pack};
use txn_support::{UpdateFixture, history_ids, state};

/// Every file of the project, `.ggen/snapshot.json` included, byte for byte.
fn raw(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = tree(root);
    if let Ok(bytes) = std::fs::read(root.join(".ggen/snapshot.json")) {
        files.insert(".ggen/snapshot.json".into(), bytes);
    }
    files
}

fn run(fixture: &UpdateFixture, project: &Path, args: &[&str]) -> std::process::Output {
    fixture
        .scratch
        .ggen()
        .arg("-C")
        .arg(project)
        .arg("--registry")
        .arg(fixture.registry())
        .args(args)
        .output()
        .expect("run ggen")
}

#[test]
fn history_lists_each_transaction_with_its_packs_and_files() {
    let fixture = UpdateFixture::new(30);
    let project = fixture.before();
    let output = run(&fixture, &project, &["packs", "update", "app"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));

    let output = run(&fixture, &project, &["--json", "history"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(doc["history_limit"], 20);
    let transactions = doc["transactions"].as_array().unwrap();
    assert_eq!(transactions.len(), 2);
    let (update, new) = (&transactions[0], &transactions[1]);
    assert!(update["id"].as_str().unwrap() > new["id"].as_str().unwrap());
    assert_eq!(update["command"], "packs update");
    assert_eq!(
        update["packs"],
        serde_json::json!([{ "id": "app", "from": "1.0.0", "to": "2.0.0" }])
    );
    let changes: BTreeMap<String, String> = update["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(changes["src/m00/file_0000.rs"], "update");
    assert_eq!(changes["src/m07/file_0007.rs"], "delete");
    assert_eq!(changes["src/m14/file_0030.rs"], "create");
    assert!(!changes.contains_key("src/m01/file_0001.rs"), "unchanged");
    assert_eq!(new["command"], "new");
    assert_eq!(new["files"].as_array().unwrap().len(), 30);

    let output = run(&fixture, &project, &["history", "-v"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("packs update  app 1.0.0 -> 2.0.0"), "{text}");
    assert!(text.contains("delete  src/m07/file_0007.rs"), "{text}");
}

#[test]
fn rollback_restores_files_lock_and_snapshot_byte_for_byte_and_can_be_undone() {
    let fixture = UpdateFixture::new(30);
    let project = fixture.before();
    let before = raw(&project);
    assert_eq!(
        run(&fixture, &project, &["packs", "update", "app"])
            .status
            .code(),
        Some(3)
    );
    let after = raw(&project);
    assert_ne!(before, after);

    let output = run(&fixture, &project, &["--json", "rollback"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(doc["undone"][0]["command"], "packs update");
    assert_eq!(raw(&project), before);
    // The rollback is a transaction too: undoing it redoes the update.
    assert_eq!(history_ids(&project).len(), 3);
    let output = run(&fixture, &project, &["rollback"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Rolled back"),
        "{}",
        stderr(&output)
    );
    assert_eq!(raw(&project), after);
}

#[test]
fn rollback_refuses_to_overwrite_a_file_changed_since_unless_forced() {
    let fixture = UpdateFixture::new(30);
    let project = fixture.before();
    let before = raw(&project);
    assert_eq!(
        run(&fixture, &project, &["packs", "update", "app"])
            .status
            .code(),
        Some(3)
    );
    let edited = project.join("src/m10/file_0010.rs");
    let mine = format!(
        "{}// mine, after the update\n",
        std::fs::read_to_string(&edited).unwrap()
    );
    std::fs::write(&edited, &mine).unwrap();
    let edited_state = raw(&project);

    let output = run(&fixture, &project, &["--json", "rollback"]);
    assert_eq!(output.status.code(), Some(1));
    let doc = stdout_json(&output);
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(message.contains("src/m10/file_0010.rs"), "{message}");
    assert!(
        doc["error"]["hints"][0]
            .as_str()
            .unwrap()
            .contains("--force")
    );
    assert_eq!(raw(&project), edited_state, "nothing may be half-applied");
    assert_eq!(history_ids(&project).len(), 2);

    let output = run(&fixture, &project, &["--json", "rollback", "--force"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout_json(&output)["overwritten"],
        serde_json::json!(["src/m10/file_0010.rs"])
    );
    assert_eq!(raw(&project), before);
    // The overwritten edit is not lost: undoing the rollback brings it back.
    assert_eq!(
        run(&fixture, &project, &["rollback"]).status.code(),
        Some(0)
    );
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), mine);
}

#[test]
fn rollback_to_a_transaction_undoes_it_and_every_later_one() {
    let fixture = UpdateFixture::new(30);
    let project = fixture.before();
    let start = raw(&project);
    let extra = fixture.scratch.work().join("extra");
    write_pack(
        &extra,
        "extra",
        "1.0.0",
        &[("extra/notes.md.tmpl", "notes for {{ name }}\n")],
    );
    let output = run(
        &fixture,
        &project,
        &["packs", "install", extra.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let install_id = history_ids(&project).last().cloned().unwrap();
    assert_eq!(
        run(&fixture, &project, &["packs", "update", "app"])
            .status
            .code(),
        Some(3)
    );
    let output = run(
        &fixture,
        &project,
        &[
            "packs",
            "regenerate",
            "--pack",
            "extra",
            "--var",
            "name=other",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(history_ids(&project).len(), 4);

    let output = run(&fixture, &project, &["rollback", "nonsense"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("ggen history"),
        "{}",
        stderr(&output)
    );

    // A unique prefix of the id is enough.
    let ids = history_ids(&project);
    let unique = (1..=install_id.len())
        .find(|&len| {
            ids.iter()
                .filter(|id| id.starts_with(&install_id[..len]))
                .count()
                == 1
        })
        .unwrap();
    let prefix = &install_id[..unique];
    let output = run(&fixture, &project, &["--json", "rollback", prefix]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc = stdout_json(&output);
    let undone: Vec<&str> = doc["undone"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        undone,
        ["packs regenerate", "packs update", "packs install"]
    );
    assert_eq!(raw(&project), start);
}

#[test]
fn the_history_is_bounded_and_unneeded_objects_are_collected() {
    let scratch = Scratch::new();
    std::fs::create_dir_all(scratch.home()).unwrap();
    std::fs::write(scratch.home().join("config.toml"), "history_limit = 2\n").unwrap();
    write_pack(
        &scratch.work().join("pack"),
        "app",
        "1.0.0",
        &[("value.txt.tmpl", "value {{ name }}\n")],
    );
    scratch
        .ggen()
        .args(["new", "proj", "--pack", "./pack", "--var", "name=a"])
        .assert()
        .success();
    let project = scratch.work().join("proj");
    for value in ["b", "c", "d", "e"] {
        scratch
            .ggen()
            .args(["-C", "proj", "packs", "regenerate", "--var"])
            .arg(format!("name={value}"))
            .assert()
            .success();
    }
    let ids = history_ids(&project);
    assert_eq!(ids.len(), 2, "{ids:?}");
    let objects = common::stored_objects(&project);
    let object = |value: &str| {
        objects.contains_key(&ggen_pack::integrity::sha256(
            format!("value {value}\n").as_bytes(),
        ))
    };
    assert!(!object("a") && !object("b"), "collected");
    for kept in ["c", "d", "e"] {
        assert!(object(kept), "{kept} is needed by the history");
    }
    // Both kept transactions can still be undone.
    scratch
        .ggen()
        .args(["-C", "proj", "rollback", &ids[0]])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(project.join("value.txt")).unwrap(),
        "value c\n"
    );
    // GGEN_HISTORY_LIMIT overrides the configuration.
    scratch
        .ggen()
        .env("GGEN_HISTORY_LIMIT", "1")
        .args(["-C", "proj", "packs", "regenerate", "--var", "name=f"])
        .assert()
        .success();
    assert_eq!(history_ids(&project).len(), 1);
}

#[test]
fn an_interrupted_transaction_is_undone_by_the_next_command_which_says_so() {
    let fixture = UpdateFixture::new(30);
    let project = fixture.before();
    let before = state(&project);
    assert_eq!(
        run(&fixture, &project, &["packs", "update", "app"])
            .status
            .code(),
        Some(3)
    );
    // Every write done, the commit rename not: as if killed just before the commit point.
    let id = history_ids(&project).last().cloned().unwrap();
    std::fs::create_dir_all(project.join(".ggen/journal")).unwrap();
    std::fs::rename(
        project.join(".ggen/history").join(&id),
        project.join(".ggen/journal").join(&id),
    )
    .unwrap();
    // A temporary file a killed write leaves behind.
    std::fs::write(project.join("src/m00/.ggen-tmp-AbCdEf"), "partial").unwrap();

    let output = run(&fixture, &project, &["--json", "packs", "list"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc = stdout_json(&output);
    let recovered = &doc["recovered"]["transactions"][0];
    assert_eq!(recovered["transaction"], id.as_str());
    assert_eq!(recovered["command"], "packs update");
    assert!(
        recovered["restored"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "ggen.lock"),
        "{recovered}"
    );
    assert!(
        stderr(&output).contains("was interrupted"),
        "{}",
        stderr(&output)
    );
    assert_eq!(doc["packs"][0]["version"], "1.0.0");
    assert_eq!(state(&project), before);
    assert!(!project.join("src/m00/.ggen-tmp-AbCdEf").exists());
    assert_eq!(history_ids(&project).len(), 1);
    // Nothing left to recover: the next command is silent about it.
    let output = run(&fixture, &project, &["--json", "status"]);
    assert!(stdout_json(&output).get("recovered").is_none());
}

#[test]
fn a_damaged_lockfile_or_snapshot_is_restored_from_the_history() {
    let fixture = UpdateFixture::new(10);
    let project = fixture.before();
    let good_lock = std::fs::read(project.join("ggen.lock")).unwrap();
    std::fs::write(project.join("ggen.lock"), "version = 1\n[[pack]]\nid = 3\n").unwrap();

    let output = run(&fixture, &project, &["--json", "status"]);
    let err = stderr(&output);
    assert!(matches!(output.status.code(), Some(0 | 3)), "{err}");
    assert!(err.contains("ggen.lock was damaged"), "{err}");
    let doc = stdout_json(&output);
    let restored = &doc["recovered"]["state_files"][0];
    assert_eq!(restored["path"], "ggen.lock");
    assert_eq!(std::fs::read(project.join("ggen.lock")).unwrap(), good_lock);
    let kept = Path::new(restored["damaged_copy"].as_str().unwrap());
    assert_eq!(
        std::fs::read_to_string(kept).unwrap(),
        "version = 1\n[[pack]]\nid = 3\n"
    );

    // Still valid JSON, one digit changed: the snapshot's checksum catches it.
    let path = project.join(".ggen/snapshot.json");
    let good_snapshot = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        good_snapshot.replacen("\"version\":\"1.0.0\"", "\"version\":\"1.0.1\"", 1),
    )
    .unwrap();
    assert_ne!(std::fs::read_to_string(&path).unwrap(), good_snapshot);
    let output = run(&fixture, &project, &["status"]);
    let err = stderr(&output);
    assert!(err.contains(".ggen/snapshot.json was damaged"), "{err}");
    assert!(err.contains("checksum"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), good_snapshot);
}

#[test]
fn without_a_good_copy_a_damaged_lockfile_is_reported_never_rewritten() {
    let scratch = Scratch::new();
    write_pack(
        &scratch.work().join("pack"),
        "app",
        "1.0.0",
        &[("a.txt", "a\n")],
    );
    scratch
        .ggen()
        .env("GGEN_HISTORY_LIMIT", "0")
        .args(["new", "proj", "--pack", "./pack"])
        .assert()
        .success();
    let lock = scratch.work().join("proj/ggen.lock");
    std::fs::write(&lock, "not [ toml").unwrap();
    for command in [&["status"][..], &["packs", "update", "--all"], &["history"]] {
        let output = scratch
            .ggen()
            .args(["-C", "proj", "--json"])
            .args(command)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{command:?}");
        let err = stderr(&output);
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            err.contains("ggen.lock") && err.contains("corrupt"),
            "{err}"
        );
        assert!(
            err.contains("hint:") && err.contains("git checkout"),
            "{err}"
        );
        assert_eq!(stdout_json(&output)["exit_code"], 1);
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), "not [ toml");
    }
}
