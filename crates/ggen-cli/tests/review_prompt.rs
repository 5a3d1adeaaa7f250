//! `packs update --merge-strategy manual` on a real (pseudo-)terminal: each merge is shown
//! and asked about; `n` leaves the file, `y` writes the merge, `a` accepts this one and the
//! rest, `q` leaves this one and the rest.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Scratch, write_app_pack};
use expectrl::{Eof, Expect, Session};

const V1: &str = "// @ggen:generated-start id=api\npub fn version() -> u32 { 1 }\n// @ggen:generated-end\n// footer\n";
const V2: &str = "// @ggen:generated-start id=api\npub fn version() -> u32 { 2 }\n// @ggen:generated-end\n// footer\n";

/// `proj` from app 1.0.0 with `a.rs` and `b.rs` both edited by the user; 2.0.0 published.
fn setup(scratch: &Scratch) -> PathBuf {
    let files = |body: &str| vec![("a.rs", body.to_string()), ("b.rs", body.to_string())];
    write_app_pack(&scratch.work().join("v1"), "1.0.0", &files(V1));
    write_app_pack(&scratch.work().join("v2"), "2.0.0", &files(V2));
    let root = common::publish_and_create(scratch, &["v1", "v2"], "proj", "app@1.0.0");
    for file in ["a.rs", "b.rs"] {
        let edited = read(&root, file).replace("// footer", "// footer, edited");
        std::fs::write(root.join(file), edited).unwrap();
    }
    root
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap()
}

fn merged(root: &Path, path: &str) -> bool {
    let text = read(root, path);
    assert!(
        text.contains("// footer, edited"),
        "the edit was lost: {text}"
    );
    text.contains("{ 2 }")
}

/// Runs the update on a pseudo-terminal (stdin, stdout and stderr all terminals) and
/// answers each question in turn; returns everything it printed.
fn review(scratch: &Scratch, answers: &[(&str, &str)]) -> String {
    let script = format!(
        "'{}' -C proj --registry reg packs update app --merge-strategy manual; echo \"exit=$?\"",
        assert_cmd::cargo::cargo_bin("ggen").display()
    );
    let mut command = Command::new("sh");
    command
        .args(["-c", &script])
        .current_dir(scratch.work())
        .env("GGEN_HOME", scratch.home())
        .env_remove("GGEN_REGISTRY")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut session = Session::spawn(command).expect("spawn on a pty");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    let mut seen = String::new();
    for (file, answer) in answers {
        let question = format!("Write the merge of {file}?");
        let found = session
            .expect(question.as_str())
            .unwrap_or_else(|e| panic!("not asked about {file}: {e}\n{seen}"));
        seen.push_str(&String::from_utf8_lossy(found.before()));
        seen.push_str(&question);
        session.send_line(answer).unwrap();
    }
    // At the end of the stream, the match is everything not read yet.
    let rest = session.expect(Eof).expect("ggen did not finish");
    seen.push_str(&String::from_utf8_lossy(rest.get(0).unwrap_or_default()));
    seen
}

#[test]
fn no_leaves_the_file_and_yes_writes_the_merge() {
    let scratch = Scratch::new();
    let root = setup(&scratch);
    let out = review(&scratch, &[("a.rs", "n"), ("b.rs", "y")]);
    assert!(out.contains("exit=0"), "{out}");
    // The diff of each merge is shown before its question.
    assert!(
        out.contains("a/a.rs") && out.contains("+pub fn version() -> u32 { 2 }"),
        "{out}"
    );
    assert!(!merged(&root, "a.rs"), "a.rs was written after a no");
    assert!(merged(&root, "b.rs"), "b.rs was not written after a yes");
}

#[test]
fn all_accepts_the_rest_and_quit_declines_the_rest() {
    let scratch = Scratch::new();
    let root = setup(&scratch);
    let out = review(&scratch, &[("a.rs", "a")]);
    assert!(out.contains("exit=0"), "{out}");
    assert!(
        !out.contains("merge of b.rs?"),
        "asked again after all: {out}"
    );
    assert!(merged(&root, "a.rs") && merged(&root, "b.rs"));

    let scratch = Scratch::new();
    let root = setup(&scratch);
    let out = review(&scratch, &[("a.rs", "q")]);
    assert!(out.contains("exit=0"), "{out}");
    assert!(
        !out.contains("merge of b.rs?"),
        "asked again after quit: {out}"
    );
    assert!(!merged(&root, "a.rs") && !merged(&root, "b.rs"));
}
