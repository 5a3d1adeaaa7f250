//! `ggen watch`: regenerates after a graph edit in a path pack, ignores unrelated files, and
//! stops cleanly on Ctrl-C.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::{Scratch, copy_dir, example_pack};

/// Starts `ggen watch` in `proj`; returns the child and a channel of its stdout lines.
fn start_watch(scratch: &Scratch) -> (Child, Receiver<String>) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("ggen"))
        .args(["-C", "proj", "watch", "--debounce", "100"])
        .current_dir(scratch.work())
        .env("GGEN_HOME", scratch.home())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn wait_for(rx: &Receiver<String>, needle: &str, timeout: Duration) -> Option<String> {
    let deadline = Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

#[test]
fn watch_regenerates_after_a_graph_edit_and_ignores_unrelated_files() {
    let scratch = Scratch::new();
    let pack = scratch.work().join("models-pack");
    copy_dir(&example_pack("entity-models"), &pack);
    scratch
        .ggen()
        .args(["new", "proj", "--pack", "./models-pack"])
        .assert()
        .success();
    let root = scratch.work().join("proj");
    let (mut child, rx) = start_watch(&scratch);
    assert!(
        wait_for(&rx, "watching", Duration::from_secs(10)).is_some(),
        "watch did not start"
    );

    // Unrelated files, even in the project root, change nothing.
    std::fs::write(root.join("notes.txt"), "mine\n").unwrap();
    assert_eq!(
        wait_for(&rx, "regenerated", Duration::from_millis(800)),
        None
    );

    let started = Instant::now();
    let mut ttl = std::fs::read_to_string(pack.join("graph/model.ttl")).unwrap();
    ttl.push_str("\nex:Tag a ex:Entity ; ex:name \"Tag\" ; ex:field ex:Tag_id .\nex:Tag_id a ex:Field ; ex:name \"id\" ; ex:type \"u64\" ; ex:order 1 .\n");
    std::fs::write(pack.join("graph/model.ttl"), ttl).unwrap();
    let line = wait_for(&rx, "regenerated", Duration::from_secs(2));
    let elapsed = started.elapsed();
    assert!(line.is_some(), "no regeneration within 2 s");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert!(root.join("src/models/tag.rs").exists());
    assert!(
        std::fs::read_to_string(root.join("src/models/mod.rs"))
            .unwrap()
            .contains("pub mod tag;")
    );

    // Ctrl-C stops it cleanly.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "watch exited with {status}");
            break;
        }
        assert!(Instant::now() < deadline, "watch did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
}
