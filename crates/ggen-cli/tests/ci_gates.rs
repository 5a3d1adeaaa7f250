//! CI gates: `ggen packs outdated --exit-code [--compatible]` and `ggen packs check --dry-run`.

mod common;

use common::{Scratch, stderr, stdout_json};

/// Pack `app` at `version` in `work/DIR`: one verbatim file holding the version.
fn write_version(scratch: &Scratch, dir: &str, version: &str) {
    let files = [("a.txt", format!("{version}\n"))];
    common::write_app_pack(&scratch.work().join(dir), version, &files);
}

fn publish(scratch: &Scratch, dir: &str, version: &str) {
    write_version(scratch, dir, version);
    scratch
        .ggen()
        .args(["packs", "publish", dir, "--registry", "reg", "--init"])
        .assert()
        .success();
}

/// `ggen -C proj [--json] packs outdated ARGS…`.
fn outdated(scratch: &Scratch, json: bool, args: &[&str]) -> std::process::Output {
    let mut cmd = scratch.ggen();
    cmd.args(["-C", "proj"]);
    if json {
        cmd.arg("--json");
    }
    cmd.args(["packs", "outdated"]).args(args).output().unwrap()
}

#[test]
fn outdated_exit_code_gates_on_newer_and_on_compatible_versions() {
    let scratch = Scratch::new();
    write_version(&scratch, "v100", "1.0.0");
    common::publish_and_create(&scratch, &["v100"], "proj", "app@1.0.0");

    // Nothing newer: exit 0 with and without the gate.
    for args in [&[][..], &["--exit-code"], &["--exit-code", "--compatible"]] {
        let output = outdated(&scratch, false, args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let doc = stdout_json(&outdated(&scratch, true, &["--exit-code"]));
    assert_eq!(doc["status"], "ok");
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(doc["outdated"], serde_json::json!([]));

    // A major release: outdated, but not within --compatible.
    publish(&scratch, "v200", "2.0.0");
    let output = outdated(&scratch, false, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = outdated(&scratch, false, &["--exit-code"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("app") && message.contains("hint:"),
        "{message}"
    );
    let output = outdated(&scratch, true, &["--exit-code"]);
    assert_eq!(output.status.code(), Some(1));
    let doc = stdout_json(&output);
    assert_eq!(doc["status"], "error");
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(doc["outdated"], serde_json::json!(["app"]));
    assert_eq!(doc["packs"][0]["newest"], "2.0.0");
    let output = outdated(&scratch, false, &["--exit-code", "--compatible"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    // A compatible release: the --compatible gate fails too.
    publish(&scratch, "v110", "1.1.0");
    let output = outdated(&scratch, true, &["--exit-code", "--compatible"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["outdated"], serde_json::json!(["app"]));

    // Yanking the compatible release opens the --compatible gate again.
    scratch
        .ggen()
        .args(["packs", "yank", "app@1.1.0", "--registry", "reg"])
        .assert()
        .success();
    let output = outdated(&scratch, false, &["--exit-code", "--compatible"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    // At the newest version: every gate passes.
    scratch
        .ggen()
        .args(["-C", "proj", "packs", "update", "app", "--to", "2.0.0"])
        .assert()
        .success();
    let output = outdated(&scratch, false, &["--exit-code"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn check_accepts_dry_run_and_writes_nothing() {
    let scratch = Scratch::new();
    write_version(&scratch, "v100", "1.0.0");
    let root = common::publish_and_create(&scratch, &["v100"], "proj", "app@1.0.0");
    let whole = |root: &std::path::Path| {
        let mut files = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push((path.clone(), std::fs::read(&path).unwrap()));
                }
            }
        }
        files.sort();
        files
    };
    let before = whole(&root);
    let output = scratch
        .ggen()
        .args(["-C", "proj", "packs", "check", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(whole(&root), before, ".ggen/ included");

    std::fs::write(root.join("a.txt"), "edited\n").unwrap();
    let before = whole(&root);
    let output = scratch
        .ggen()
        .args(["-C", "proj", "--json", "packs", "check", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["clean"], false);
    assert_eq!(whole(&root), before);
}
