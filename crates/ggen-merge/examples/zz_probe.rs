//! Temporary probe.
#![allow(clippy::print_stdout, clippy::print_stderr, dead_code)]
use ggen_merge::{ConflictStyle, Favor, MergeOptions, merge_file, merge_lines};
use gix_imara_diff::{Algorithm, InternedInput};
use gix_merge::blob::builtin_driver::text::{Conflict, Labels, Options};
use std::process::Command;
fn unesc(s: &str) -> Vec<u8> {
    s.replace("\\n", "\n").replace("\\r", "\r").into_bytes()
}
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (c, b, o) = (unesc(&a[1]), unesc(&a[2]), unesc(&a[3]));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("current"), &c).unwrap();
    std::fs::write(dir.path().join("base"), &b).unwrap();
    std::fs::write(dir.path().join("other"), &o).unwrap();
    for (flag, style, favor) in [
        (None, ConflictStyle::Merge, None),
        (Some("--diff3"), ConflictStyle::Diff3, None),
        (Some("--ours"), ConflictStyle::Merge, Some(Favor::Ours)),
        (Some("--union"), ConflictStyle::Merge, Some(Favor::Union)),
    ] {
        let out = Command::new("git")
            .current_dir(dir.path())
            .args(["merge-file", "-p"])
            .args(flag)
            .args([
                "-L", "current", "-L", "base", "-L", "other", "current", "base", "other",
            ])
            .output()
            .unwrap();
        let ours = merge_file(
            &c,
            &b,
            &o,
            &MergeOptions {
                style,
                favor,
                ..MergeOptions::default()
            },
        );
        println!(
            "{flag:?}: git {} {:?}\n{:>14} ggen {} {:?}",
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout),
            "",
            ours.conflicts,
            String::from_utf8_lossy(&ours.bytes)
        );
    }
    for style in [ConflictStyle::Merge, ConflictStyle::Diff3] {
        println!(
            "hunks {style:?}: {:?}",
            merge_lines(&c, &b, &o, style)
                .iter()
                .map(|h| format!("{h:?}"))
                .collect::<Vec<_>>()
        );
    }
    for st in [
        gix_merge::blob::builtin_driver::text::ConflictStyle::Merge,
        gix_merge::blob::builtin_driver::text::ConflictStyle::ZealousDiff3,
        gix_merge::blob::builtin_driver::text::ConflictStyle::Diff3,
    ] {
        let mut out = Vec::new();
        let mut input = InternedInput::default();
        gix_merge::blob::builtin_driver::text(
            &mut out,
            &mut input,
            Labels::default(),
            &c,
            &b,
            &o,
            Options {
                diff_algorithm: Algorithm::Myers,
                conflict: Conflict::Keep {
                    style: st,
                    marker_size: 7.try_into().unwrap(),
                },
            },
        );
        println!("gix raw {st:?}: {:?}", String::from_utf8_lossy(&out));
    }
}
