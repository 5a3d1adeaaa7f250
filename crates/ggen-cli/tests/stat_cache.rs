//! `ggen status` and `ggen packs check` answer "clean" from `.ggen/stat-cache` (one stat per
//! file) once a full look found every file as generated; these tests change the project in
//! every way the cache must notice and compare with the answer of a full look.

mod common;

use std::path::Path;
use std::time::SystemTime;

use common::{Scratch, stderr, stdout_json};

/// `ggen --json -C proj CMD…`: the exit code and the document.
fn json(scratch: &Scratch, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let output = scratch
        .ggen()
        .args(["--json", "-C", "proj"])
        .args(args)
        .output()
        .unwrap();
    (output.status.code(), stdout_json(&output))
}

/// `packs check` and `status` with the cache, then the same with the cache moved away (a
/// full look): the answers must agree. Returns the exit code of `check`.
fn check_agrees_with_a_full_look(scratch: &Scratch, project: &Path) -> Option<i32> {
    let cache = project.join(".ggen/stat-cache");
    assert!(cache.exists(), "no stat cache");
    let cached = (
        json(scratch, &["packs", "check"]),
        json(scratch, &["status"]),
    );
    let aside = project.join("stat-cache.aside");
    std::fs::rename(&cache, &aside).unwrap();
    let full = (
        json(scratch, &["packs", "check"]),
        json(scratch, &["status"]),
    );
    std::fs::rename(&aside, &cache).unwrap();
    assert_eq!(
        cached, full,
        "the cache answered otherwise than a full look"
    );
    cached.0.0
}

/// Sets the mtime of `path`, as `touch -d` would.
fn set_mtime(path: &Path, mtime: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
}

fn project(scratch: &Scratch) -> std::path::PathBuf {
    let files = [("a.txt", "one\n"), ("b.txt", "two\n")];
    common::write_app_pack(&scratch.work().join("v1"), "1.0.0", &files);
    let files = [("a.txt", "one\n"), ("b.txt", "2\n"), ("c.txt", "three\n")];
    common::write_app_pack(&scratch.work().join("v2"), "2.0.0", &files);
    common::publish_and_create(scratch, &["v1", "v2"], "proj", "app@1.0.0")
}

#[test]
fn every_change_after_a_clean_generation_is_still_seen() {
    let scratch = Scratch::new();
    let project = project(&scratch);
    let (code, doc) = json(&scratch, &["packs", "check"]);
    assert_eq!((code, &doc["clean"]), (Some(0), &serde_json::json!(true)));
    assert_eq!(check_agrees_with_a_full_look(&scratch, &project), Some(0));

    // Other bytes of the same size, the mtime put back: modified.
    let a = project.join("a.txt");
    let mtime = std::fs::metadata(&a).unwrap().modified().unwrap();
    std::fs::write(&a, "eno\n").unwrap();
    set_mtime(&a, mtime);
    let (code, doc) = json(&scratch, &["packs", "check"]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["files"][0]["path"], "a.txt");
    assert_eq!(doc["files"][0]["state"], "modified");
    assert_eq!(check_agrees_with_a_full_look(&scratch, &project), Some(1));

    // Put back: clean again (the cache, older than the edit, no longer vouches).
    std::fs::write(&a, "one\n").unwrap();
    assert_eq!(check_agrees_with_a_full_look(&scratch, &project), Some(0));

    // Deleted, then replaced by a directory: missing, then modified.
    let b = project.join("b.txt");
    std::fs::remove_file(&b).unwrap();
    let (_, doc) = json(&scratch, &["status"]);
    assert_eq!(doc["files"][0]["state"], "missing");
    assert_eq!(check_agrees_with_a_full_look(&scratch, &project), Some(1));
    std::fs::create_dir(&b).unwrap();
    assert_eq!(check_agrees_with_a_full_look(&scratch, &project), Some(1));
    std::fs::remove_dir(&b).unwrap();
    std::fs::write(&b, "two\n").unwrap();
    assert_eq!(check_agrees_with_a_full_look(&scratch, &project), Some(0));

    // Made executable: ggen does not report modes, and the cache agrees.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(check_agrees_with_a_full_look(&scratch, &project), Some(0));
    }
}

#[test]
fn the_cache_goes_stale_with_the_state_it_was_made_for() {
    let scratch = Scratch::new();
    let project = project(&scratch);
    common::git(&project, &["init", "-q"]);
    common::git(&project, &["add", "-A"]);
    common::git(&project, &["commit", "-qm", "v1"]);
    assert_eq!(check_agrees_with_a_full_look(&scratch, &project), Some(0));

    // An update: the new files and hashes, not the cached ones.
    let registry = scratch.work().join("reg");
    let registry = registry.to_str().unwrap();
    let (code, doc) = json(
        &scratch,
        &["--registry", registry, "packs", "update", "--all"],
    );
    assert_eq!(code, Some(0), "{doc}");
    let (code, doc) = json(&scratch, &["packs", "check"]);
    assert_eq!((code, &doc["tracked"]), (Some(0), &3.into()));
    assert_eq!(check_agrees_with_a_full_look(&scratch, &project), Some(0));

    // The old ggen.lock and files checked out with git (a teammate's branch): the lock is not
    // the snapshot's, c.txt is no longer tracked, and v1's files are as v1 generated them.
    common::git(&project, &["checkout", "-q", "--", "ggen.lock", "b.txt"]);
    let (code, doc) = json(&scratch, &["packs", "check"]);
    assert_eq!((code, &doc["tracked"]), (Some(0), &2.into()), "{doc}");
    assert_eq!(check_agrees_with_a_full_look(&scratch, &project), Some(0));

    // A damaged snapshot is still found and restored with a cache in place.
    let snapshot = project.join(".ggen/snapshot.json");
    let mut bytes = std::fs::read(&snapshot).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&snapshot, bytes).unwrap();
    let output = scratch
        .ggen()
        .args(["-C", "proj", "status"])
        .output()
        .unwrap();
    assert!(stderr(&output).contains("snapshot"), "{}", stderr(&output));
}

#[test]
fn a_fresh_clone_is_checked_without_being_given_a_state_directory() {
    let scratch = Scratch::new();
    let project = project(&scratch);
    std::fs::remove_dir_all(project.join(".ggen")).unwrap();
    assert_eq!(json(&scratch, &["packs", "check"]).0, Some(0));
    assert_eq!(json(&scratch, &["status"]).0, Some(0));
    assert!(
        !project.join(".ggen").exists(),
        "check wrote into a fresh clone"
    );
}

#[test]
fn a_project_of_a_pack_directory_is_never_answered_from_the_cache() {
    let scratch = Scratch::new();
    let files = [("a.txt", "one\n")];
    common::write_app_pack(&scratch.work().join("local"), "1.0.0", &files);
    scratch
        .ggen()
        .args(["new", "proj", "--pack", "./local"])
        .assert()
        .success();
    let project = scratch.work().join("proj");
    assert_eq!(json(&scratch, &["packs", "check"]).0, Some(0));
    assert!(!project.join(".ggen/stat-cache").exists());
    // The author edits a template: check must see it every time.
    std::fs::write(scratch.work().join("local/templates/a.txt"), "uno\n").unwrap();
    let (code, doc) = json(&scratch, &["packs", "check"]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["regenerate"][0]["pack"], "app");
}
