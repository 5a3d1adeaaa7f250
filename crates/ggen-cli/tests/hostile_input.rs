//! Hostile inputs: FIFOs, devices and oversized files given where ggen expects a file, from
//! the command line, a pack or a directory registry. Each must end quickly with exit 1 and an
//! error naming the file, never hang or exhaust memory. The harness kills a run after 30 s.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Scratch, stderr};

/// Far more than any of these runs needs; a hang fails the test instead of the suite.
const LIMIT: Duration = Duration::from_secs(30);

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

fn link_to_dev_zero(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/dev/zero", path).unwrap();
}

/// Runs ggen in `work/` with `args`, within [`LIMIT`]; expects exit 1 and `needles` in stderr.
fn refused(scratch: &Scratch, args: &[&str], needles: &[&str]) {
    let output = scratch.ggen().args(args).timeout(LIMIT).output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "ggen {args:?}: {err}");
    for needle in needles {
        assert!(
            err.contains(needle),
            "ggen {args:?}: no {needle:?} in: {err}"
        );
    }
}

fn write_pack(scratch: &Scratch, dir: &str) -> std::path::PathBuf {
    scratch.write_tree(
        dir,
        &[
            (
                "gpack.toml",
                "[pack]\nid = \"app\"\nversion = \"1.0.0\"\ndescription = \"app\"\n\n[graph]\nfiles = [\"graph/*.ttl\"]\n",
            ),
            ("templates/a.txt", "a\n"),
            ("graph/model.ttl", "<urn:a> <urn:b> <urn:c> .\n"),
        ],
    )
}

#[test]
fn a_fifo_or_device_as_gpack_toml_is_refused() {
    let scratch = Scratch::new();
    let pack = write_pack(&scratch, "fifo");
    std::fs::remove_file(pack.join("gpack.toml")).unwrap();
    mkfifo(&pack.join("gpack.toml"));
    refused(
        &scratch,
        &["new", "p1", "--pack", "./fifo"],
        &["gpack.toml", "FIFO"],
    );
    let pack = write_pack(&scratch, "zero");
    std::fs::remove_file(pack.join("gpack.toml")).unwrap();
    link_to_dev_zero(&pack.join("gpack.toml"));
    refused(
        &scratch,
        &["new", "p2", "--pack", "./zero"],
        &["gpack.toml", "device"],
    );
    refused(
        &scratch,
        &["packs", "publish", "zero", "--registry", "reg"],
        &["gpack.toml"],
    );
}

#[test]
fn a_fifo_or_device_as_template_or_graph_is_refused() {
    let scratch = Scratch::new();
    let pack = write_pack(&scratch, "t");
    std::fs::remove_file(pack.join("templates/a.txt")).unwrap();
    link_to_dev_zero(&pack.join("templates/a.txt"));
    refused(&scratch, &["new", "p1", "--pack", "./t"], &["a.txt"]);
    let pack = write_pack(&scratch, "g");
    std::fs::remove_file(pack.join("graph/model.ttl")).unwrap();
    mkfifo(&pack.join("graph/model.ttl"));
    refused(&scratch, &["new", "p2", "--pack", "./g"], &["model.ttl"]);
}

#[test]
fn plumbing_inputs_must_be_regular_files() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "in",
        &[
            ("base", "a\n"),
            ("other", "b\n"),
            ("q.rq", "SELECT ?s WHERE { ?s ?p ?o }"),
        ],
    );
    mkfifo(&scratch.work().join("in/fifo"));
    link_to_dev_zero(&scratch.work().join("in/zero"));
    for input in ["in/fifo", "in/zero"] {
        refused(
            &scratch,
            &["merge-file", input, "in/base", "in/other"],
            &[input],
        );
        refused(&scratch, &["regions", input], &[input]);
        refused(&scratch, &["template", "render", input], &[input]);
        refused(
            &scratch,
            &["graph", "query", "@in/q.rq", "--graph", input],
            &[input],
        );
        let at = format!("@{input}");
        refused(
            &scratch,
            &["graph", "query", &at, "--graph", "in/base"],
            &[input],
        );
    }
}

/// A directory registry whose index or archive is a FIFO, a device or huge.
#[test]
fn directory_registry_files_are_capped_and_regular_only() {
    let scratch = Scratch::new();
    write_pack(&scratch, "pack");
    scratch
        .ggen()
        .args(["packs", "publish", "pack", "--registry", "reg"])
        .assert()
        .success();
    let reg = scratch.work().join("reg");
    let index = reg.join("index/app.json");
    let archive = reg.join("packs/app/app-1.0.0.tar.gz");
    let saved_index = std::fs::read(&index).unwrap();
    let saved_archive = std::fs::read(&archive).unwrap();

    std::fs::remove_file(&index).unwrap();
    mkfifo(&index);
    refused(
        &scratch,
        &["--registry", "reg", "new", "p1", "--pack", "app"],
        &["app.json", "FIFO"],
    );
    std::fs::remove_file(&index).unwrap();
    link_to_dev_zero(&index);
    refused(
        &scratch,
        &["--registry", "reg", "new", "p2", "--pack", "app"],
        &["app.json", "device"],
    );
    // Sparse: 100 MiB on paper, nothing on disk; over the 64 MiB index cap.
    std::fs::remove_file(&index).unwrap();
    std::fs::File::create(&index)
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    refused(
        &scratch,
        &["--registry", "reg", "new", "p3", "--pack", "app"],
        &["app.json", "limit"],
    );
    std::fs::write(&index, &saved_index).unwrap();

    std::fs::remove_file(&archive).unwrap();
    mkfifo(&archive);
    refused(
        &scratch,
        &["--registry", "reg", "new", "p4", "--pack", "app"],
        &["app-1.0.0.tar.gz", "FIFO"],
    );
    std::fs::remove_file(&archive).unwrap();
    link_to_dev_zero(&archive);
    refused(
        &scratch,
        &["--registry", "reg", "new", "p5", "--pack", "app"],
        &["app-1.0.0.tar.gz", "device"],
    );
    std::fs::remove_file(&archive).unwrap();
    std::fs::write(&archive, &saved_archive).unwrap();
    scratch
        .ggen()
        .args(["--registry", "reg", "new", "p6", "--pack", "app"])
        .timeout(LIMIT)
        .assert()
        .success();
}
