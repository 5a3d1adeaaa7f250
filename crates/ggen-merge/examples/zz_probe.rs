//! Temporary probe: gix-merge configurations against git merge-file.
#![allow(clippy::print_stdout, clippy::print_stderr, dead_code)]
use ggen_merge::conflict_marker_size;
use gix_imara_diff::{Algorithm, InternedInput};
use gix_merge::blob::Resolution;
use gix_merge::blob::builtin_driver::text::{Conflict, ConflictStyle, Labels, Options};
use std::num::NonZeroU8;
use std::path::Path;
use std::process::Command;
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

#[derive(Clone, Copy)]
enum Eol {
    Lf,
    CrLf,
    Mixed,
}

fn line(r: &mut Rng, eol: Eol) -> String {
    let text = if r.chance(2) {
        MARKER_LIKE[r.below(MARKER_LIKE.len())].to_owned()
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

fn git(dir: &Path, case: &Case, size: usize, flag: Option<&str>) -> (Vec<u8>, i32) {
    std::fs::write(dir.join("current"), &case.current).unwrap();
    std::fs::write(dir.join("base"), &case.base).unwrap();
    std::fs::write(dir.join("other"), &case.other).unwrap();
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["merge-file", "-p", "--marker-size"])
        .arg(size.to_string())
        .args(flag)
        .args([
            "-L", "current", "-L", "base", "-L", "other", "current", "base", "other",
        ])
        .output()
        .unwrap();
    (out.stdout, out.status.code().unwrap_or(-1))
}

fn gix(case: &Case, algo: Algorithm, conflict: Conflict) -> (Vec<u8>, Resolution) {
    let mut out = Vec::new();
    let mut input = InternedInput::default();
    let labels = Labels {
        ancestor: Some("base".into()),
        current: Some("current".into()),
        other: Some("other".into()),
    };
    let r = gix_merge::blob::builtin_driver::text(
        &mut out,
        &mut input,
        labels,
        &case.current,
        &case.base,
        &case.other,
        Options {
            diff_algorithm: algo,
            conflict,
        },
    );
    (out, r)
}

fn norm(bytes: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let is_marker = line.len() >= size
            && [b'<', b'|', b'=', b'>']
                .iter()
                .any(|&m| line[..size].iter().all(|&b| b == m))
            && line
                .get(size)
                .is_none_or(|&b| b == b' ' || b == b'\r' || b == b'\n');
        if is_marker {
            let mut l = line.to_vec();
            l.retain(|&b| b != b'\r');
            out.extend(l);
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}
use ggen_merge::{Favor, LineEnding, MergeHunk, MergeOptions, materialize, parse};

fn ends_crlf(line: &[u8]) -> Option<bool> {
    if line.last() != Some(&b'\n') {
        return None;
    }
    Some(line.len() > 1 && line[line.len() - 2] == b'\r')
}
/// 1 crlf, 0 lf, -1 unknown for line `i` of `text` (unterminated last line: the one before).
fn eol_at(text: &[u8], i: usize) -> i32 {
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    let Some(l) = lines.get(i) else { return -1 };
    match ends_crlf(l) {
        Some(c) => c as i32,
        None => {
            if i == 0 {
                -1
            } else {
                ends_crlf(lines[i - 1]).map_or(-1, |c| c as i32)
            }
        }
    }
}
fn eol_last(text: &[u8]) -> i32 {
    let n = text.split_inclusive(|&b| b == b'\n').count();
    if n == 0 { -1 } else { eol_at(text, n - 1) }
}

fn fix_eols(hunks: &mut [MergeHunk], cur: &[u8], base: &[u8], oth: &[u8]) {
    let mut before: Vec<u8> = Vec::new();
    for h in hunks.iter_mut() {
        match h {
            MergeHunk::Resolved(t) => before.extend_from_slice(t),
            MergeHunk::Conflicted(m, eol) => {
                let (o, t) = if before.is_empty() {
                    (eol_at(cur, 0), eol_at(oth, 0))
                } else {
                    let e = eol_last(&before);
                    (e, e)
                };
                let b = eol_at(base, 0);
                *eol = if o != 0 && t != 0 && b > 0 {
                    LineEnding::CrLf
                } else {
                    LineEnding::Lf
                };
                before.extend_from_slice(m.current());
                if !before.is_empty() && !before.ends_with(b"\n") {
                    before.push(b'\n');
                }
            }
        }
    }
}

fn count_blocks(bytes: &[u8], size: usize) -> usize {
    ggen_merge::parse(bytes, size)
        .iter()
        .filter(|h| h.is_conflict())
        .count()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let seed: u64 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6767_656e);
    let show: usize = std::env::args()
        .nth(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let dir = tempfile::tempdir().unwrap();
    let names = ["A direct", "B1 parse+materialize", "B2 +git eol rule"];
    // [merge bytes, merge count, diff3 bytes, diff3 count, ours, theirs, union, clean bytes]
    let mut tally = [[0usize; 8]; 3];
    let (mut clean, mut conflicting) = (0, 0);
    let mut r = Rng(seed);
    let mut shown = 0;
    for idx in 0..n {
        let case = generate(&mut r);
        let size = conflict_marker_size(&[&case.current, &case.base, &case.other], 7);
        let ms = NonZeroU8::new(size as u8).unwrap();
        let big = NonZeroU8::new(size as u8 + 1).unwrap();
        let (gm, gmc) = git(dir.path(), &case, size, None);
        let (gd, gdc) = git(dir.path(), &case, size, Some("--diff3"));
        let conflict = gmc > 0;
        let fav = if conflict {
            Some([
                git(dir.path(), &case, size, Some("--ours")).0,
                git(dir.path(), &case, size, Some("--theirs")).0,
                git(dir.path(), &case, size, Some("--union")).0,
            ])
        } else {
            None
        };
        if conflict {
            conflicting += 1
        } else {
            clean += 1
        }
        let algo = Algorithm::Myers;
        for d in 0..3 {
            let run = |style: ConflictStyle, favor: Option<Favor>| -> (Vec<u8>, usize) {
                if d == 0 {
                    let c = match favor {
                        None => Conflict::Keep {
                            style,
                            marker_size: ms,
                        },
                        Some(Favor::Ours) => Conflict::ResolveWithOurs,
                        Some(Favor::Theirs) => Conflict::ResolveWithTheirs,
                        Some(Favor::Union) => Conflict::ResolveWithUnion,
                    };
                    let (b, _) = gix(&case, algo, c);
                    let k = if favor.is_none() {
                        count_blocks(&b, size)
                    } else {
                        0
                    };
                    (b, k)
                } else {
                    let (b, _) = gix(
                        &case,
                        algo,
                        Conflict::Keep {
                            style,
                            marker_size: big,
                        },
                    );
                    let mut hunks = parse(&b, size as usize + 1);
                    if d == 2 {
                        fix_eols(&mut hunks, &case.current, &case.base, &case.other);
                    }
                    let opts = MergeOptions {
                        style: if style == ConflictStyle::Diff3 {
                            ggen_merge::ConflictStyle::Diff3
                        } else {
                            ggen_merge::ConflictStyle::Merge
                        },
                        favor,
                        ..MergeOptions::default()
                    };
                    let (b, k) = materialize(
                        &hunks,
                        &MergeOptions {
                            marker_size: size,
                            ..opts
                        },
                    );
                    (b, k)
                }
            };
            let (xm, cm) = run(ConflictStyle::Merge, None);
            let (xd, cd) = run(ConflictStyle::Diff3, None);
            let t = &mut tally[d];
            t[0] += usize::from(xm == gm && cm as i32 == gmc);
            t[1] += usize::from(cm as i32 == gmc);
            t[2] += usize::from(xd == gd && cd as i32 == gdc);
            t[3] += usize::from(cd as i32 == gdc);
            if !conflict {
                t[7] += usize::from(xm == gm);
            }
            if let Some([o, th, u]) = &fav {
                let xo = run(ConflictStyle::Merge, Some(Favor::Ours)).0;
                let xt = run(ConflictStyle::Merge, Some(Favor::Theirs)).0;
                let xu = run(ConflictStyle::Merge, Some(Favor::Union)).0;
                t[4] += usize::from(&xo == o);
                t[5] += usize::from(&xt == th);
                t[6] += usize::from(&xu == u);
            }
            if d == 2 && shown < show && (xd != gd) && cd as i32 == gdc {
                shown += 1;
                println!(
                    "--- case {idx} (git {gmc}/{gdc}, ours {cm}/{cd})\ncur {:?}\nbase {:?}\noth {:?}\ngit diff3 {:?}\nnew diff3 {:?}",
                    String::from_utf8_lossy(&case.current),
                    String::from_utf8_lossy(&case.base),
                    String::from_utf8_lossy(&case.other),
                    String::from_utf8_lossy(&gd),
                    String::from_utf8_lossy(&xd)
                );
            }
        }
    }
    println!("{n} cases: {clean} clean, {conflicting} conflicting");
    for (d, name) in names.iter().enumerate() {
        let t = tally[d];
        println!(
            "{name:22} clean {}/{clean}  merge {}/{n} (count {})  diff3 {}/{n} (count {})  ours {}/{c} theirs {}/{c} union {}/{c}",
            t[7],
            t[0],
            t[1],
            t[2],
            t[3],
            t[4],
            t[5],
            t[6],
            c = conflicting
        );
    }
}
