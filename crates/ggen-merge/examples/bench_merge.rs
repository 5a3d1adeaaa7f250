//! Benchmark: `merge_file` against `git merge-file -p` on a 200,000-line file.
//!
//! Run with `cargo run --release -p ggen-merge --example bench_merge`. Both sides edit the
//! base in different places, and a few places are edited by both (conflicts). Prints the best
//! of 5 runs for each, their ratio, and whether the outputs are byte-identical. They must be.
//! Each conflict is two diff3 conflicts one line apart, which the merge style joins as git
//! does.
#![allow(clippy::print_stdout)]

use std::process::Command;
use std::time::{Duration, Instant};

use ggen_merge::{MergeOptions, merge_file};

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
    // lines later; every 10,000 lines both edit the same two lines (one apart) differently:
    // two diff3 conflicts the merge style joins into one.
    for i in (0..LINES).step_by(1000) {
        current[i + 3] = format!("    let value_{i} = current_edit({i});");
        other[i + 503] = format!("    let value_{i} = other_edit({i});");
        if i % 10_000 == 0 {
            current[i + 5] = format!("    conflict_current({i});");
            other[i + 5] = format!("    conflict_other({i});");
            current[i + 7] = format!("    conflict_current({i}, 2);");
            other[i + 7] = format!("    conflict_other({i}, 2);");
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

fn best<T>(mut run: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = run();
        best = best.min(start.elapsed());
        last = Some(out);
    }
    match last {
        Some(out) => (best, out),
        None => unreachable!("RUNS > 0"),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (current, base, other) = build();
    let opts = MergeOptions::default();
    let (ggen_time, ours) = best(|| merge_file(&current, &base, &other, &opts));

    let dir = tempfile::tempdir()?;
    for (name, bytes) in [("current", &current), ("base", &base), ("other", &other)] {
        std::fs::write(dir.path().join(name), bytes)?;
    }
    let mut git_result = Ok((Vec::new(), -1));
    let (git_time, ()) = best(|| {
        git_result = Command::new("git")
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .args([
                "merge-file",
                "-p",
                "-L",
                "current",
                "-L",
                "base",
                "-L",
                "other",
                "current",
                "base",
                "other",
            ])
            .output()
            .map(|o| (o.stdout, o.status.code().unwrap_or(-1)));
    });
    let (git_bytes, git_code) = git_result?;

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "inputs: {LINES} lines base ({} KiB), {} conflicts",
        base.len() / 1024,
        ours.conflicts
    );
    println!(
        "ggen merge_file      best of {RUNS}: {:8.2} ms",
        ms(ggen_time)
    );
    println!(
        "git merge-file -p    best of {RUNS}: {:8.2} ms (includes process start and file reads)",
        ms(git_time)
    );
    println!("ratio ggen/git: {:.2}", ms(ggen_time) / ms(git_time));
    let identical =
        ours.bytes == git_bytes && i32::try_from(ours.conflicts.min(127)).ok() == Some(git_code);
    println!(
        "output identical to git: {}",
        if identical { "yes" } else { "NO" }
    );
    if !identical {
        return Err(format!(
            "output differs from git (git exit {git_code}, ggen conflicts {})",
            ours.conflicts
        )
        .into());
    }
    Ok(())
}
