//! Temporary probe.
#![allow(clippy::print_stdout, clippy::print_stderr, dead_code)]
use std::time::Instant;
use gix_imara_diff::{Algorithm, InternedInput};
use gix_merge::blob::builtin_driver::text::{Conflict, ConflictStyle, Labels, Options};
const LINES: usize = 200_000;
const RUNS: usize = 5;

/// A line of plausible code, varied but deterministic.
fn code_line(i: usize) -> String {
    match i % 10 {
        0 => format!("fn function_{i}(arg: u64) -> u64 {{"),
        1..=6 => format!("    let value_{i} = compute(arg, {});", i * 7 % 1000),
        7 => "    }".to_owned(),
        8 => "}".to_owned(),
        _ => String::new(),
    }
}

fn build() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let base: Vec<String> = (0..LINES).map(code_line).collect();
    let mut current = base.clone();
    let mut other = base.clone();
    // Edits in different places: the current side every 1,000 lines, the other side 500
    // lines later; every 10,000 lines both edit the same line differently (a conflict).
    for i in (0..LINES).step_by(1000) {
        current[i + 3] = format!("    let value_{i} = current_edit({i});");
        other[i + 503] = format!("    let value_{i} = other_edit({i});");
        if i % 10_000 == 0 {
            current[i + 5] = format!("    conflict_current({i});");
            other[i + 5] = format!("    conflict_other({i});");
        }
    }
    // A few insertions and deletions (from the end, so indexes above stay valid).
    for i in (0..LINES).step_by(25_000).rev() {
        current.insert(i + 100, format!("    // inserted by current at {i}"));
        other.remove(i + 700);
    }
    let join = |lines: &[String]| {
        let mut text = lines.join("\n");
        text.push('\n');
        text.into_bytes()
    };
    (join(&current), join(&base), join(&other))
}

fn main() {
    let (c, b, o) = build();
    let (mut g, mut m, mut z) = (std::time::Duration::MAX, std::time::Duration::MAX, std::time::Duration::MAX);
    for _ in 0..9 {
        let t = Instant::now();
        let mut out = Vec::new();
        let mut input = InternedInput::default();
        gix_merge::blob::builtin_driver::text(&mut out, &mut input, Labels::default(), &c, &b, &o, Options { diff_algorithm: Algorithm::Myers, conflict: Conflict::Keep { style: ConflictStyle::ZealousDiff3, marker_size: 7.try_into().unwrap() } });
        let gix = t.elapsed();
        let t = Instant::now();
        let h = ggen_merge::merge_lines(&c, &b, &o, ggen_merge::ConflictStyle::Merge);
        let ml = t.elapsed();
        let t = Instant::now();
        let _ = ggen_merge::materialize(&h, &ggen_merge::MergeOptions::default());
        let mat = t.elapsed();
        g = g.min(gix); m = m.min(ml); z = z.min(mat);
    }
    println!("best: gix raw {g:?}  merge_lines {m:?}  materialize {z:?}");
}
