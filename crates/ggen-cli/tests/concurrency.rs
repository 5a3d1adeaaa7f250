//! Several ggen processes on one project: the lock on `.ggen/lock` serialises them, each
//! change lands whole, and `--no-wait` fails at once instead of waiting.

mod common;
mod txn_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::write_pack;
use common::{Scratch, stderr, stdout_json};
use txn_support::history_ids;

/// Pack `p<i>`: three files under `p<i>/`, each naming the pack.
fn small_pack(scratch: &Scratch, index: usize) -> PathBuf {
    let id = format!("p{index}");
    let files: Vec<(String, String)> = ["lib.rs", "docs/readme.md", "data/values.txt"]
        .iter()
        .map(|name| {
            (
                format!("{id}/{name}.tmpl"),
                format!("{id} {name} for {{{{ name }}}}\n"),
            )
        })
        .collect();
    let dir = scratch.work().join(&id);
    write_pack(&dir, &id, "1.0.0", &files);
    dir
}

fn ggen_command(scratch: &Scratch) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("ggen"));
    command
        .current_dir(scratch.work())
        .env("GGEN_HOME", scratch.home())
        .env_remove("GGEN_REGISTRY")
        .env("NO_COLOR", "1");
    command
}

#[test]
fn concurrent_installs_of_different_packs_all_land() {
    const PACKS: usize = 8;
    let scratch = Scratch::new();
    let project = scratch.work().join("proj");
    std::fs::create_dir_all(&project).unwrap();
    let packs: Vec<PathBuf> = (0..PACKS).map(|i| small_pack(&scratch, i)).collect();

    // Every process starts at the same moment, each planning against an empty project.
    let barrier = Arc::new(Barrier::new(PACKS));
    let handles: Vec<_> = packs
        .iter()
        .map(|pack| {
            let mut command = ggen_command(&scratch);
            command
                .arg("-C")
                .arg(&project)
                .args(["packs", "install"])
                .arg(pack);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                command.output().expect("run ggen")
            })
        })
        .collect();
    for (index, handle) in handles.into_iter().enumerate() {
        let output = handle.join().expect("thread");
        assert!(
            output.status.success(),
            "install of p{index} failed: {}",
            stderr(&output)
        );
    }

    // The lock parses and holds every pack and every file.
    let output = ggen_command(&scratch)
        .arg("-C")
        .arg(&project)
        .args(["--json", "packs", "list"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc = stdout_json(&output);
    let mut ids: Vec<String> = doc["packs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["files"], 3, "{p}");
            p["id"].as_str().unwrap().to_string()
        })
        .collect();
    ids.sort();
    let expected: Vec<String> = (0..PACKS).map(|i| format!("p{i}")).collect();
    assert_eq!(ids, expected);
    for index in 0..PACKS {
        let text = std::fs::read_to_string(project.join(format!("p{index}/docs/readme.md")))
            .expect("generated file");
        assert_eq!(text, format!("p{index} docs/readme.md for demo\n"));
    }
    let output = ggen_command(&scratch)
        .arg("-C")
        .arg(&project)
        .args(["--json", "status"])
        .output()
        .unwrap();
    let doc = stdout_json(&output);
    assert_eq!(doc["tracked"], PACKS * 3);
    assert_eq!(doc["files"].as_array().unwrap().len(), 0, "{doc}");
    // One transaction each, nothing left in flight.
    assert_eq!(history_ids(&project).len(), PACKS);
    assert_eq!(txn_support::journal_entries(&project), 0);
}

/// Holds `.ggen/lock` as another ggen would.
fn hold_lock(project: &Path) -> std::fs::File {
    let file = std::fs::File::options()
        .write(true)
        .open(project.join(".ggen/lock"))
        .expect("lock file");
    file.lock().expect("lock");
    file
}

#[test]
fn a_second_ggen_waits_for_the_lock_and_no_wait_fails_at_once() {
    let scratch = Scratch::new();
    let first = small_pack(&scratch, 0);
    let second = small_pack(&scratch, 1);
    let project = scratch.work().join("proj");
    let output = ggen_command(&scratch)
        .arg("new")
        .arg(&project)
        .arg("--pack")
        .arg(&first)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let lock_before = std::fs::read(project.join("ggen.lock")).unwrap();

    let held = hold_lock(&project);
    let output = ggen_command(&scratch)
        .arg("-C")
        .arg(&project)
        .args(["--no-wait", "--json", "packs", "install"])
        .arg(&second)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let doc = stdout_json(&output);
    assert_eq!(doc["status"], "error");
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(message.contains("another ggen"), "{message}");
    assert!(!project.join("p1").exists());
    assert_eq!(
        std::fs::read(project.join("ggen.lock")).unwrap(),
        lock_before
    );

    let mut waiting = ggen_command(&scratch)
        .arg("-C")
        .arg(&project)
        .args(["packs", "install"])
        .arg(&second)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read its stderr as it comes: it must say that it waits, and then wait.
    let stderr_pipe = waiting.stderr.take().unwrap();
    let (lines, said) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr_pipe)) {
            let line = line.unwrap_or_default();
            let _ = lines.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let announced = loop {
        match said.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains("Waiting") => break line,
            Ok(_) => continue,
            Err(e) => panic!("no `Waiting` line from the second ggen: {e}"),
        }
    };
    assert!(announced.contains(".ggen/lock"), "{announced}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "it should wait while the lock is held"
    );
    assert!(!project.join("p1").exists());
    drop(held);
    let status = waiting.wait().unwrap();
    let err = reader.join().unwrap();
    assert!(status.success(), "{err}");
    assert!(project.join("p1/lib.rs").exists());
}
