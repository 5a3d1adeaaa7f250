//! `ggen merge-file` (git merge-file's interface, output and exit codes; usable as a git
//! merge driver) and `ggen regions`.

mod common;

use std::process::Command;

use common::{Scratch, stderr, stdout_json};

const BASE: &str = "one\ntwo\nthree\nfour\nfive\n";
const OURS: &str = "one\nTWO\nthree\nfour\nfive\n";
const THEIRS_CLEAN: &str = "one\ntwo\nthree\nfour\nFIVE\n";
const THEIRS_CONFLICT: &str = "one\n2\nthree\nfour\nfive\n";

fn git_merge_file(scratch: &Scratch, args: &[&str]) -> (Option<i32>, Vec<u8>) {
    let output = Command::new("git")
        .arg("merge-file")
        .args(args)
        .current_dir(scratch.work())
        .output()
        .unwrap();
    (output.status.code(), output.stdout)
}

#[test]
fn merge_file_matches_git_output_and_exit_codes() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "m",
        &[
            ("base", BASE),
            ("ours", OURS),
            ("clean", THEIRS_CLEAN),
            ("conflict", THEIRS_CONFLICT),
        ],
    );
    let many = ["x", "o", "t"].map(|l| format!("{l}\n\n\n\n").repeat(130));
    scratch.write_tree(
        "n",
        &[
            ("base", "a\n=======\nb\nc\n"),
            ("ours", "a\n=======\nX\nc\n"),
            ("theirs", "a\n=======\nY\nc\n"),
            ("many_base", many[0].as_str()),
            ("many_ours", many[1].as_str()),
            ("many_theirs", many[2].as_str()),
            // Issue 14: with --diff3 git keeps a conflict whose two sides read the same.
            ("same_ours", "\ns\nr\nN\n\n"),
            ("same_base", "s\nr\nO\n\n\nw\n"),
            ("same_theirs", "r\nN\n\n"),
        ],
    );
    std::fs::write(scratch.work().join("n/latin1_base"), b"caf\xe9\nb\nc\n").unwrap();
    std::fs::write(scratch.work().join("n/latin1_ours"), b"caf\xe9 1\nb\nc\n").unwrap();
    std::fs::write(
        scratch.work().join("n/latin1_theirs"),
        b"caf\xe9\nb\nc \xff\n",
    )
    .unwrap();
    std::fs::write(scratch.work().join("n/binary"), b"a\0b\n").unwrap();
    let cases: [&[&str]; 21] = [
        &["-p", "m/ours", "m/base", "m/clean"],
        &["-p", "m/ours", "m/base", "m/conflict"],
        &["-p", "--diff3", "m/ours", "m/base", "m/conflict"],
        &[
            "-p",
            "-L",
            "mine",
            "-L",
            "orig",
            "-L",
            "yours",
            "m/ours",
            "m/base",
            "m/conflict",
        ],
        &["-p", "--union", "m/ours", "m/base", "m/conflict"],
        // The last of --ours/--theirs/--union wins, as in git.
        &["-p", "--ours", "--theirs", "m/ours", "m/base", "m/conflict"],
        &["-p", "--theirs", "--ours", "m/ours", "m/base", "m/conflict"],
        // git's 7-character markers, although a content line is `=======`.
        &["-p", "n/ours", "n/base", "n/theirs"],
        &["-p", "--marker-size=3", "n/ours", "n/base", "n/theirs"],
        // Huge marker sizes wrap in git's int: the default, and no gigabytes allocated.
        &[
            "-p",
            "--marker-size",
            "4000000000",
            "n/ours",
            "n/base",
            "n/theirs",
        ],
        &[
            "-p",
            "--diff3",
            "n/same_ours",
            "n/same_base",
            "n/same_theirs",
        ],
        &[
            "-p",
            "--zdiff3",
            "n/same_ours",
            "n/same_base",
            "n/same_theirs",
        ],
        &["-p", "n/same_ours", "n/same_base", "n/same_theirs"],
        // 130 conflicts: the exit status is capped at 127.
        &["-p", "n/many_ours", "n/many_base", "n/many_theirs"],
        // Text that is not UTF-8 merges as bytes.
        &["-p", "n/latin1_ours", "n/latin1_base", "n/latin1_theirs"],
        &[
            "-p",
            "--theirs",
            "n/latin1_ours",
            "n/latin1_base",
            "n/latin1_theirs",
        ],
        // Errors: binary input, a missing file, usage errors.
        &["-p", "n/binary", "m/base", "m/conflict"],
        &["-p", "m/ours", "m/base", "m/missing"],
        &["-p", "--bogus", "m/ours", "m/base", "m/conflict"],
        &["-p", "m/ours", "m/base"],
        &[
            "-p",
            "--marker-size",
            "abc",
            "m/ours",
            "m/base",
            "m/conflict",
        ],
    ];
    for args in cases {
        let output = scratch
            .ggen()
            .arg("merge-file")
            .args(args)
            .output()
            .unwrap();
        let (git_code, git_out) = git_merge_file(&scratch, args);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&git_out),
            "{args:?}"
        );
        // git's exit status: the number of conflicts (at most 127), 255 or 129 on errors.
        assert_eq!(
            output.status.code(),
            git_code,
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn merge_file_writes_into_current_without_p() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "m",
        &[("base", BASE), ("ours", OURS), ("clean", THEIRS_CLEAN)],
    );
    scratch
        .ggen()
        .args(["merge-file", "m/ours", "m/base", "m/clean"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(scratch.work().join("m/ours")).unwrap(),
        "one\nTWO\nthree\nfour\nFIVE\n"
    );
    let output = scratch
        .ggen()
        .args(["merge-file", "m/missing", "m/base", "m/clean"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(255));
    assert!(stderr(&output).contains("m/missing"), "{}", stderr(&output));
}

#[test]
fn merge_file_works_as_a_git_merge_driver() {
    let scratch = Scratch::new();
    let repo = scratch.work().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let ggen = assert_cmd::cargo::cargo_bin("ggen");
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .current_dir(&repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    git(&["init", "-q", "-b", "main"]);
    let driver = format!("{} merge-file -L %S -L %O -L %X %A %O %B", ggen.display());
    git(&["config", "merge.ggen.driver", &driver]);
    std::fs::write(repo.join(".gitattributes"), "*.txt merge=ggen\n").unwrap();
    std::fs::write(repo.join("a.txt"), BASE).unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    git(&["checkout", "-qb", "other"]);
    std::fs::write(repo.join("a.txt"), THEIRS_CLEAN).unwrap();
    git(&["commit", "-qam", "other"]);
    git(&["checkout", "-q", "main"]);
    std::fs::write(repo.join("a.txt"), OURS).unwrap();
    git(&["commit", "-qam", "ours"]);
    let (code, _) = git(&["merge", "-q", "--no-edit", "other"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        std::fs::read_to_string(repo.join("a.txt")).unwrap(),
        "one\nTWO\nthree\nfour\nFIVE\n"
    );
}

#[test]
fn regions_lists_markers_and_warns_on_malformed_ones() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "f",
        &[
            (
                "good.rs",
                "// @ggen:generated-start id=model pack=p version=1.0.0\nstruct A;\n// @ggen:generated-end\n\
                 let s = \"// @ggen:manual-edit id=fake\";\n// @ggen:manual-edit id=user\nfn mine() {}\n// @ggen:manual-edit-end\n",
            ),
            ("bad.py", "# @ggen:protected id=x\nsecret = 1\n"),
        ],
    );
    let output = scratch
        .ggen()
        .args(["--json", "regions", "f/good.rs"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let doc = stdout_json(&output);
    let regions = doc["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 2, "{doc}");
    assert_eq!(regions[0]["kind"], "generated");
    assert_eq!(regions[0]["id"], "model");
    assert_eq!(regions[0]["start_line"], 1);
    assert_eq!(regions[0]["end_line"], 3);
    assert_eq!(regions[1]["kind"], "manual-edit");
    assert_eq!(regions[1]["start_line"], 5);

    let output = scratch
        .ggen()
        .args(["regions", "f/bad.py"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("warning") && err.contains("f/bad.py:1"),
        "{err}"
    );
}

/// The real-history differential script (scripts/merge_file_differential.py) on a small
/// history made here: merges with CRLF, Latin-1, `=======` content lines, conflicting and
/// clean files. The full run over public repositories is the benchmark in the ggen-merge README.
#[test]
fn real_history_differential_script_agrees_on_a_small_history() {
    let scratch = Scratch::new();
    let repo = scratch.work().join("hist");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .current_dir(&repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(status.status.success() || args[0] == "merge", "{args:?}");
    };
    let write = |name: &str, bytes: &[u8]| std::fs::write(repo.join(name), bytes).unwrap();
    git(&["init", "-q", "-b", "main"]);
    let base_doc = b"Title\n=======\n\nintro\n\nbody\n\nend\n".as_slice();
    write("doc.adoc", base_doc);
    write("win.txt", b"a\r\nb\r\nc\r\nd\r\n");
    write(
        "fr.po",
        b"msgid \"caf\xe9\"\nmsgstr \"\"\n\nmsgid \"x\"\nmsgstr \"\"\n",
    );
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    git(&["checkout", "-qb", "side"]);
    write(
        "doc.adoc",
        b"Title\n=======\n\nintro, theirs\n\nbody\n\nend, theirs\n",
    );
    write("win.txt", b"a\r\nB\r\nc\r\nd\r\n");
    write(
        "fr.po",
        b"msgid \"caf\xe9\"\nmsgstr \"theirs\"\n\nmsgid \"x\"\nmsgstr \"\"\n",
    );
    git(&["commit", "-qam", "side"]);
    git(&["checkout", "-q", "main"]);
    write(
        "doc.adoc",
        b"Title\n=======\n\nintro, ours\n\nbody\n\nend\n",
    );
    write("win.txt", b"a\r\nb\r\nc\r\nD\r\n");
    write(
        "fr.po",
        b"msgid \"caf\xe9\"\nmsgstr \"ours \xe9\"\n\nmsgid \"x\"\nmsgstr \"y\"\n",
    );
    git(&["commit", "-qam", "main"]);
    git(&["merge", "-q", "--no-edit", "side"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "merged"]);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/merge_file_differential.py");
    let output = Command::new("python3")
        .arg(script)
        .arg("--ggen")
        .arg(assert_cmd::cargo::cargo_bin("ggen"))
        .arg(repo.join(".git"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        report.contains("TOTAL: 3 cases, 15 runs"),
        "{report}{}",
        stderr(&output)
    );
    assert!(report.contains("both 100.00%"), "{report}");
    assert_eq!(output.status.code(), Some(0), "{report}");
}
