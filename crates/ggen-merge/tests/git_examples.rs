//! Minimal examples checked against the real `git merge-file` (git on PATH): where git cuts
//! merge-style conflicts (split around shared lines, nearby conflicts joined; see
//! `src/line_merge.rs`) and where it places an ambiguous insertion. `tests/git_differential.rs`
//! compares the same on thousands of generated cases.

use std::process::Command;

use ggen_merge::{Favor, MergeOptions, merge_file};

/// Merge `current`, `base`, `other` (default style) with git and with ggen: `(git, ggen)`, each
/// as the output text and the number of conflicts.
fn both(current: &str, base: &str, other: &str) -> ((String, i32), (String, usize)) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in [("current", current), ("base", base), ("other", other)] {
        std::fs::write(dir.path().join(name), text).expect("write temp file");
    }
    let out = Command::new("git")
        .current_dir(dir.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CEILING_DIRECTORIES", dir.path())
        .args([
            "merge-file",
            "-p",
            "-L",
            "current",
            "-L",
            "base",
            "-L",
            "other",
        ])
        .args(["current", "base", "other"])
        .output()
        .expect("these tests need `git` on PATH");
    let ours = merge_file(
        current.as_bytes(),
        base.as_bytes(),
        other.as_bytes(),
        &MergeOptions::default(),
    );
    (
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code().unwrap_or(-1),
        ),
        (
            String::from_utf8_lossy(&ours.bytes).into_owned(),
            ours.conflicts,
        ),
    )
}

#[test]
fn nearby_conflicts_are_joined_as_in_git() {
    let (git, ggen) = both("1\nx\n2\n", "a\nx\nb\n", "3\nx\n4\n");
    assert_eq!(
        git,
        (
            "<<<<<<< current\n1\nx\n2\n=======\n3\nx\n4\n>>>>>>> other\n".to_owned(),
            1
        )
    );
    assert_eq!(ggen, (git.0.clone(), 1));
    let union = MergeOptions {
        favor: Some(Favor::Union),
        ..MergeOptions::default()
    };
    let out = merge_file(b"1\nx\n2\n", b"a\nx\nb\n", b"3\nx\n4\n", &union);
    assert_eq!(out.bytes, b"1\nx\n2\n3\nx\n4\n");
}

/// Merge style: git splits a conflict around four or more lines both sides share in its
/// middle, and so do we.
#[test]
fn conflicts_are_split_around_shared_lines_as_in_git() {
    let (git, ggen) = both("1\ns1\ns2\ns3\ns4\n2\n", "a\nb\n", "3\ns1\ns2\ns3\ns4\n4\n");
    assert_eq!(
        git,
        (
            "<<<<<<< current\n1\n=======\n3\n>>>>>>> other\ns1\ns2\ns3\ns4\n<<<<<<< current\n2\n=======\n4\n>>>>>>> other\n"
                .to_owned(),
            2
        )
    );
    assert_eq!(ggen, (git.0.clone(), 2));
}

/// The edges of git's rules for cutting merge-style conflicts, each as `(current, base,
/// other, git's conflict count)`, checked against git and against ggen.
#[test]
fn conflict_cutting_edge_cases_agree_with_git() {
    let cases: &[(&str, &str, &str, i32)] = &[
        // Four resolved lines apart: kept apart; three: joined.
        (
            "1\nm\nx\nn\np\n2\n",
            "a\nm\nx\nn\np\nb\n",
            "3\nm\nx\nn\np\n4\n",
            2,
        ),
        ("1\nm\nx\nn\n2\n", "a\nm\nx\nn\nb\n", "3\nm\nx\nn\n4\n", 1),
        // A change one side made alone between them keeps them apart, even within three lines.
        ("1\nm\nx\nn\n2\n", "a\nm\nx\nn\nb\n", "3\nm\nX\nn\n4\n", 2),
        // A change both sides made the same way does not.
        ("1\nm\nX\nn\n2\n", "a\nm\nx\nn\nb\n", "3\nm\nX\nn\n4\n", 1),
        // Lines shared at the ends of a conflict count towards the distance.
        ("1\ns\nx\ny\n2\n", "a\nx\ny\nb\n", "3\ns\nx\ny\n4\n", 1),
        (
            "1\ns\nx\ny\nz\n2\n",
            "a\nx\ny\nz\nb\n",
            "3\ns\nx\ny\nz\n4\n",
            2,
        ),
        // Lines without ASCII letters or digits join at any length (braces, blank lines,
        // non-ASCII letters, CR); one such line with a letter does not.
        (
            "1\n}\n}\n\n}\n)\n;\n2\n",
            "a\n}\n}\n\n}\n)\n;\nb\n",
            "3\n}\n}\n\n}\n)\n;\n4\n",
            1,
        ),
        (
            "1\n\u{e9}\n\u{e9}\n\u{e9}\n\u{e9}\n\r\n2\n",
            "a\n\u{e9}\n\u{e9}\n\u{e9}\n\u{e9}\n\r\nb\n",
            "3\n\u{e9}\n\u{e9}\n\u{e9}\n\u{e9}\n\r\n4\n",
            1,
        ),
        (
            "1\n}\n}\nx\n}\n2\n",
            "a\n}\n}\nx\n}\nb\n",
            "3\n}\n}\nx\n}\n4\n",
            2,
        ),
        // Joins chain: three conflicts, each two lines from the next.
        (
            "1\n{\n}\n2\n{\n}\n5\n",
            "a\n{\n}\nb\n{\n}\nc\n",
            "3\n{\n}\n4\n{\n}\n6\n",
            1,
        ),
        // One side empty in a piece, shared lines at both ends of a conflict.
        ("s\nA\nt\n", "p\n", "s\nt\n", 1),
        ("s1\ns2\ns3\ns4\nA\n", "p\n", "s1\ns2\ns3\ns4\n", 1),
        // Split and joined again: shared stretches of 2 and of 4 lines inside one conflict.
        (
            "1\ns\nt\n2\nu\nv\nw\nz\n5\n",
            "p\n",
            "3\ns\nt\n4\nu\nv\nw\nz\n6\n",
            2,
        ),
        // CRLF lines: markers follow the lines around the cut conflicts.
        (
            "1\r\ns1\r\ns2\r\ns3\r\ns4\r\n2\r\n",
            "a\r\nb\r\n",
            "3\r\ns1\r\ns2\r\ns3\r\ns4\r\n4\n",
            2,
        ),
    ];
    for &(current, base, other, count) in cases {
        let (git, ggen) = both(current, base, other);
        assert_eq!(
            git.1, count,
            "git on {current:?} {base:?} {other:?}: {}",
            git.0
        );
        assert_eq!(
            ggen,
            (git.0.clone(), git.1 as usize),
            "{current:?} {base:?} {other:?}"
        );
    }
}

/// An insertion next to an equal line: placed by indentation (the indent heuristic, which git
/// merge-file does not use) it would merge cleanly; placed lowest, as git does, it conflicts.
#[test]
fn insertion_placement_agrees_with_git() {
    let (git, ggen) = both("}\n}\n  x\n", "}\n  x\n", "}\ny\n  x\n");
    assert_eq!(
        git,
        (
            "}\n<<<<<<< current\n}\n=======\ny\n>>>>>>> other\n  x\n".to_owned(),
            1
        )
    );
    assert_eq!(ggen, (git.0.clone(), 1));
}
