//! Differential test: `merge_file` against the real `git merge-file` on generated cases.
//!
//! Every case is random small line-based files with edits on both sides, including CRLF and
//! mixed line endings, missing final newlines, empty files, marker-like lines and lines of the
//! control bytes (0x01, form feeds). For each case git runs in its default style,
//! `--diff3`, `--zdiff3`, `--ours`, `--theirs` and `--union`, and we
//! count per category how often our output is byte-identical and our conflict count equals
//! git's exit code. Every category must agree in every case (see [`FLOORS`]);
//! `tests/git_examples.rs` pins down, on minimal inputs, how git cuts merge-style conflicts
//! (`src/line_merge.rs`).
//! `GGEN_GIT_DIFF_CASES` raises the number of cases (default 1,000); `GGEN_GIT_DIFF_SEED`
//! changes the seed; `--nocapture` prints the rates and a few differing cases.
#![allow(clippy::print_stderr)]

use std::path::Path;
use std::process::Command;

use ggen_merge::{
    ConflictStyle, Favor, MarkerWidth, MergeOptions, conflict_marker_size, merge_file,
};

/// splitmix64: a tiny deterministic generator, so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const WORDS: &[&str] = &[
    "a",
    "b",
    "c",
    "d",
    "e",
    "fn x() {",
    "}",
    "{",
    "",
    "  x",
    "    return 1;",
    "a b",
    "// c",
];
const MARKER_LIKE: &[&str] = &["=======", "<<<<<<< HEAD", ">>>>>>>", "|||||||", "========"];
/// Lines made of the bytes our wrapper's line rewrite uses (`src/line_merge.rs`).
const REWRITE_BYTES: &[&str] = &["\u{1}", "\u{1}a", "\x0c", "a\x0c", "\x0c\x0c"];

#[derive(Clone, Copy)]
enum Eol {
    Lf,
    CrLf,
    Mixed,
}

fn line(r: &mut Rng, eol: Eol) -> String {
    let text = if r.chance(2) {
        MARKER_LIKE[r.below(MARKER_LIKE.len())].to_owned()
    } else if r.chance(2) {
        REWRITE_BYTES[r.below(REWRITE_BYTES.len())].to_owned()
    } else if r.chance(20) {
        format!("{}{}", WORDS[r.below(WORDS.len())], r.below(50))
    } else {
        WORDS[r.below(WORDS.len())].to_owned()
    };
    let crlf = match eol {
        Eol::Lf => false,
        Eol::CrLf => true,
        Eol::Mixed => r.chance(50),
    };
    text + if crlf { "\r\n" } else { "\n" }
}

fn edit(r: &mut Rng, base: &[String], eol: Eol) -> Vec<String> {
    let mut v = base.to_vec();
    if r.chance(3) {
        return Vec::new();
    }
    for _ in 0..r.below(5) {
        let pos = r.below(v.len() + 1);
        match r.below(4) {
            0 => {
                for k in 0..1 + r.below(3) {
                    v.insert(pos + k, line(r, eol));
                }
            }
            1 if pos < v.len() => {
                let n = (1 + r.below(3)).min(v.len() - pos);
                v.drain(pos..pos + n);
            }
            2 if pos < v.len() => v[pos] = line(r, eol),
            3 if pos < v.len() => {
                let copy = v[pos].clone();
                v.insert(r.below(v.len() + 1), copy);
            }
            _ => {}
        }
    }
    v
}

fn render(r: &mut Rng, lines: &[String]) -> Vec<u8> {
    let mut s = lines.concat();
    if r.chance(20) {
        while s.ends_with('\n') || s.ends_with('\r') {
            s.pop();
        }
    }
    s.into_bytes()
}

struct Case {
    current: Vec<u8>,
    base: Vec<u8>,
    other: Vec<u8>,
}

fn generate(r: &mut Rng) -> Case {
    let eol = match r.below(10) {
        0..=5 => Eol::Lf,
        6..=7 => Eol::CrLf,
        _ => Eol::Mixed,
    };
    let n = if r.chance(5) { 0 } else { r.below(12) };
    let base: Vec<String> = (0..n).map(|_| line(r, eol)).collect();
    let current = edit(r, &base, eol);
    let other = edit(r, &base, eol);
    Case {
        current: render(r, &current),
        base: render(r, &base),
        other: render(r, &other),
    }
}

fn git_merge_file(
    dir: &Path,
    case: &Case,
    marker_size: usize,
    flag: Option<&str>,
) -> (Vec<u8>, i32) {
    let write =
        |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).expect("write temp file");
    write("current", &case.current);
    write("base", &case.base);
    write("other", &case.other);
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CEILING_DIRECTORIES", dir)
        .args(["merge-file", "-p", "--marker-size"])
        .arg(marker_size.to_string());
    cmd.args(flag).args([
        "-L", "current", "-L", "base", "-L", "other", "current", "base", "other",
    ]);
    let out = cmd
        .output()
        .expect("the differential test needs `git` on PATH");
    (out.stdout, out.status.code().unwrap_or(-1))
}

/// Agreement with git, counted per category.
#[derive(Default)]
struct Tally {
    cases: usize,
    /// Cases git merges cleanly / with conflicts (default style).
    clean: usize,
    conflicting: usize,
    /// Clean for both or conflicting for both.
    verdict: usize,
    /// Of git's clean cases, those where our bytes are identical.
    clean_identical: usize,
    merge_identical: usize,
    merge_count: usize,
    /// Merge style, conflict count differs: git wrote fewer blocks than we did, or more.
    merge_git_fewer: usize,
    merge_git_more: usize,
    diff3_identical: usize,
    diff3_count: usize,
    zdiff3_identical: usize,
    /// On git's conflicting cases.
    ours: usize,
    theirs: usize,
    union: usize,
    samples: Vec<String>,
}

impl Tally {
    fn add(&mut self, x: Tally) {
        self.cases += x.cases;
        self.clean += x.clean;
        self.conflicting += x.conflicting;
        self.verdict += x.verdict;
        self.clean_identical += x.clean_identical;
        self.merge_identical += x.merge_identical;
        self.merge_count += x.merge_count;
        self.merge_git_fewer += x.merge_git_fewer;
        self.merge_git_more += x.merge_git_more;
        self.diff3_identical += x.diff3_identical;
        self.diff3_count += x.diff3_count;
        self.zdiff3_identical += x.zdiff3_identical;
        self.ours += x.ours;
        self.theirs += x.theirs;
        self.union += x.union;
        self.samples.extend(x.samples);
    }
}

const MODES: [(&str, Option<&str>); 6] = [
    ("merge", None),
    ("diff3", Some("--diff3")),
    ("zdiff3", Some("--zdiff3")),
    ("ours", Some("--ours")),
    ("theirs", Some("--theirs")),
    ("union", Some("--union")),
];

/// Disagreement examples kept per worker and mode (printed with `--nocapture`).
const SAMPLES_PER_MODE: usize = 1;

fn run_cases(seed: u64, count: usize) -> Tally {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut r = Rng(seed);
    let mut t = Tally::default();
    let mut sampled = [0usize; MODES.len()];
    for index in 0..count {
        let case = generate(&mut r);
        let size = conflict_marker_size(&[&case.current, &case.base, &case.other], 7);
        t.cases += 1;
        let mut conflicting = false;
        for (mode, (name, flag)) in MODES.into_iter().enumerate() {
            // Clean cases have nothing for --ours/--theirs/--union to settle: skip those runs.
            if !conflicting && matches!(name, "ours" | "theirs" | "union") {
                continue;
            }
            let opts = MergeOptions {
                style: match name {
                    "diff3" => ConflictStyle::Diff3,
                    "zdiff3" => ConflictStyle::ZealousDiff3,
                    _ => ConflictStyle::Merge,
                },
                favor: match name {
                    "ours" => Some(Favor::Ours),
                    "theirs" => Some(Favor::Theirs),
                    "union" => Some(Favor::Union),
                    _ => None,
                },
                // Widened markers, and git given the same size (`--marker-size`).
                marker_width: MarkerWidth::Widen,
                ..MergeOptions::default()
            };
            let ours = merge_file(&case.current, &case.base, &case.other, &opts);
            let (git_bytes, git_code) = git_merge_file(dir.path(), &case, size, flag);
            let ours_code = i32::try_from(ours.conflicts.min(127)).unwrap_or(127);
            let same_count = ours_code == git_code;
            let same = ours.bytes == git_bytes && same_count;
            match name {
                "merge" => {
                    conflicting = git_code > 0;
                    if conflicting {
                        t.conflicting += 1;
                    } else {
                        t.clean += 1;
                        t.clean_identical += usize::from(same);
                    }
                    t.verdict += usize::from((git_code > 0) == (ours_code > 0));
                    t.merge_identical += usize::from(same);
                    t.merge_count += usize::from(same_count);
                    t.merge_git_fewer += usize::from(git_code < ours_code);
                    t.merge_git_more += usize::from(git_code > ours_code);
                }
                "diff3" => {
                    t.diff3_identical += usize::from(same);
                    t.diff3_count += usize::from(same_count);
                }
                "zdiff3" => t.zdiff3_identical += usize::from(same),
                "ours" => t.ours += usize::from(same),
                "theirs" => t.theirs += usize::from(same),
                _ => t.union += usize::from(same),
            }
            if !same && sampled[mode] < SAMPLES_PER_MODE {
                sampled[mode] += 1;
                t.samples.push(format!(
                    "seed {seed} case {index} mode {name}: git exit {git_code}, ours {}\n current {:?}\n base    {:?}\n other   {:?}\n git  {:?}\n ours {:?}",
                    ours.conflicts,
                    String::from_utf8_lossy(&case.current),
                    String::from_utf8_lossy(&case.base),
                    String::from_utf8_lossy(&case.other),
                    String::from_utf8_lossy(&git_bytes),
                    String::from_utf8_lossy(&ours.bytes),
                ));
            }
        }
    }
    t
}

fn percent(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

/// Lowest agreement with git accepted, in percent of the cases of each category: all of them.
///
/// The line merge is git's algorithm on our own code (`src/line_merge.rs`): every category
/// agrees in every case measured.
const FLOORS: [(&str, usize); 10] = [
    ("verdict", 100),
    ("clean identical", 100),
    ("merge identical", 100),
    ("merge count", 100),
    ("diff3 identical", 100),
    ("diff3 count", 100),
    ("--zdiff3 identical", 100),
    ("--ours identical", 100),
    ("--theirs identical", 100),
    ("--union identical", 100),
];

#[test]
fn merge_file_agrees_with_git_merge_file() {
    let count: usize = std::env::var("GGEN_GIT_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let seed: u64 = std::env::var("GGEN_GIT_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x6767_656e);
    let threads = 4;
    let per = count.div_ceil(threads);
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| s.spawn(move || run_cases(seed.wrapping_add(k as u64 * 0x1_0000_0000), per)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker thread"))
            .collect()
    });
    let mut t = Tally::default();
    for x in tallies {
        t.add(x);
    }
    let rates = [
        (t.verdict, t.cases),
        (t.clean_identical, t.clean),
        (t.merge_identical, t.cases),
        (t.merge_count, t.cases),
        (t.diff3_identical, t.cases),
        (t.diff3_count, t.cases),
        (t.zdiff3_identical, t.cases),
        (t.ours, t.conflicting),
        (t.theirs, t.conflicting),
        (t.union, t.conflicting),
    ];
    eprintln!(
        "git merge-file differential: {} cases ({} clean, {} conflicting for git)",
        t.cases, t.clean, t.conflicting
    );
    for ((name, floor), (part, whole)) in FLOORS.iter().zip(rates) {
        eprintln!(
            "  {name:<20} {part:>6}/{whole:<6} {:6.2}%  (floor {floor}%)",
            percent(part, whole)
        );
    }
    eprintln!(
        "  merge-style count differences: git fewer blocks {}, git more blocks {}",
        t.merge_git_fewer, t.merge_git_more
    );
    for sample in &t.samples {
        eprintln!("{sample}");
    }
    assert!(t.cases >= count);
    assert!(
        t.clean > count / 10 && t.conflicting > count / 10,
        "the generator must produce both kinds of case"
    );
    for ((name, floor), (part, whole)) in FLOORS.iter().zip(rates) {
        assert!(
            part * 100 >= floor * whole,
            "{name}: {part}/{whole} agree with git, below the floor of {floor}%"
        );
    }
}

/// Larger files with hundreds of edits: long files of mostly distinct lines (odd cases, where
/// the diff's speed-up heuristics for long inputs come into play) and files drawn from a dozen
/// different lines (even cases, where many diffs are equally short and the choice among them
/// matters). The output must equal git's in both styles.
#[test]
fn large_heavily_edited_files_against_git() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut r = Rng(0x0067_6765_6e6c);
    let mut identical = [0usize; 2];
    let cases = 6;
    for index in 0..cases {
        let eol = if index % 4 == 3 { Eol::Mixed } else { Eol::Lf };
        // Odd cases: long files (over 64k lines in a diff, so git's cost limit rises above its
        // heuristic threshold) of mostly distinct lines with edits about 25 lines apart, so
        // equal runs longer than 20 lines ("snakes") sit between them: that is what git's
        // mid-search heuristics look for.
        let distinct = index % 2 == 1;
        let base: Vec<String> = if distinct {
            (0..34_000 + r.below(8000))
                .map(|i| {
                    if r.chance(10) {
                        line(&mut r, eol)
                    } else {
                        format!("value {i}\n")
                    }
                })
                .collect()
        } else {
            (0..1500 + r.below(2500))
                .map(|_| line(&mut r, eol))
                .collect()
        };
        let edits = if distinct {
            1200 + r.below(400)
        } else {
            200 + r.below(400)
        };
        let heavy = |r: &mut Rng| {
            let mut v = base.clone();
            for _ in 0..edits {
                let pos = r.below(v.len() + 1);
                match r.below(3) {
                    0 => v.insert(pos, line(r, eol)),
                    1 if pos < v.len() => {
                        v.remove(pos);
                    }
                    _ if pos < v.len() => v[pos] = line(r, eol),
                    _ => {}
                }
            }
            v
        };
        let (current, other) = (heavy(&mut r), heavy(&mut r));
        let case = Case {
            current: current.concat().into_bytes(),
            base: base.concat().into_bytes(),
            other: other.concat().into_bytes(),
        };
        let size = conflict_marker_size(&[&case.current, &case.base, &case.other], 7);
        for (k, (style, flag)) in [
            (ConflictStyle::Merge, None),
            (ConflictStyle::Diff3, Some("--diff3")),
        ]
        .into_iter()
        .enumerate()
        {
            let ours = merge_file(
                &case.current,
                &case.base,
                &case.other,
                &MergeOptions {
                    style,
                    marker_width: MarkerWidth::Widen,
                    ..MergeOptions::default()
                },
            );
            let (git_bytes, git_code) = git_merge_file(dir.path(), &case, size, flag);
            let same = ours.bytes == git_bytes
                && i32::try_from(ours.conflicts.min(127)).ok() == Some(git_code);
            eprintln!(
                "large case {index} ({} lines, {}): {style:?} git exit {git_code}, ours {} conflicts, identical: {same}",
                base.len(),
                if distinct {
                    "distinct lines"
                } else {
                    "few distinct lines"
                },
                ours.conflicts,
            );
            identical[k] += usize::from(same);
        }
    }
    eprintln!(
        "large heavily edited files: identical to git in {}/{cases} (merge style), {}/{cases} (diff3)",
        identical[0], identical[1]
    );
    assert_eq!(identical[0], cases, "merge-style output of the large files");
    assert_eq!(identical[1], cases, "diff3 output of the large files");
}
