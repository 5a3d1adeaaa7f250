//! Which files a new version of a pack moved (SPEC §5, moves): a file it no longer generates
//! (dropped) paired with a file it generates for the first time (added).
//!
//! - A template's `moved_from` names the old path: that pair comes first.
//! - The rest are found like git's rename detection: a dropped file's merge base and an added
//!   file's new content that are at least [`MIN_SIMILARITY`]% alike, line by line. The most
//!   alike pairs are taken first; equal scores go by old path, then new path, so the result
//!   never depends on the order files were rendered in. Binary and empty files never pair
//!   this way, nor does a file without a verified merge base (a fresh clone that could not
//!   rebuild it).

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use rayon::prelude::*;

mod shared_lines;
use shared_lines::SharedLines;

use crate::packs::generation::GeneratedFile;
use crate::state::snapshot::{Snapshot, SnapshotFile};

/// The least similarity (percent of lines) that makes a dropped and an added file a move.
pub const MIN_SIMILARITY: u32 = 50;

/// How a move was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// The template's `moved_from`.
    Declared,
    /// Line similarity, in percent.
    Similar(u32),
}

/// One move: the old path (with its record) and the index of the new file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub old: String,
    pub new: usize,
    pub found: Found,
}

/// The moves of pack `pack`'s new generation `files` (sorted by path), against the records
/// of `snapshot`; `base_of` gives a dropped file's merge base (`None`: unknown, no move).
pub fn find(
    snapshot: &Snapshot,
    pack: &str,
    files: &[GeneratedFile],
    base_of: impl Fn(&str, &SnapshotFile) -> Option<Vec<u8>> + Sync,
) -> Vec<Move> {
    let records = &snapshot.files;
    let generated: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let dropped: Vec<(&str, &SnapshotFile)> = records
        .iter()
        .filter(|(path, old)| old.pack == pack && !generated.contains(path.as_str()))
        .map(|(path, old)| (path.as_str(), old))
        .collect();
    let added: Vec<usize> = (0..files.len())
        .filter(|&i| !records.contains_key(&files[i].path))
        .collect();
    pair(&dropped, &added, files, base_of)
}

/// The pairing itself: declared moves first, then the most similar pairs left.
fn pair(
    dropped: &[(&str, &SnapshotFile)],
    added: &[usize],
    files: &[GeneratedFile],
    base_of: impl Fn(&str, &SnapshotFile) -> Option<Vec<u8>> + Sync,
) -> Vec<Move> {
    let mut moves = Vec::new();
    let mut old_taken: BTreeSet<&str> = BTreeSet::new();
    let mut new_taken: BTreeSet<usize> = BTreeSet::new();
    for &index in added {
        let Some(declared) = files[index].moved_from.as_deref() else {
            continue;
        };
        if let Some((old, _)) = dropped.iter().find(|(path, _)| *path == declared)
            && old_taken.insert(*old)
        {
            new_taken.insert(index);
            moves.push(Move {
                old: old.to_string(),
                new: index,
                found: Found::Declared,
            });
        }
    }
    let open: Vec<usize> = added
        .iter()
        .copied()
        .filter(|i| !new_taken.contains(i))
        .collect();
    let left: Vec<&(&str, &SnapshotFile)> = dropped
        .iter()
        .filter(|(p, _)| !old_taken.contains(p))
        .collect();
    if open.is_empty() || left.is_empty() {
        return moves;
    }
    // Each file is prepared once, not once per file it is compared with (on both cores).
    let prepared: Vec<(usize, Text)> = open
        .par_iter()
        .filter_map(|&i| Some((i, Text::new(&files[i].content)?)))
        .collect();
    let bases: Vec<(&str, Vec<u8>)> = left
        .par_iter()
        .filter_map(|(old, record)| Some((*old, base_of(old, record)?)))
        .collect();
    let bases: Vec<(&str, Text)> = bases
        .par_iter()
        .filter_map(|(old, bytes)| Some((*old, Text::new(bytes)?)))
        .collect();
    // Most similar first, then by old path and new path (files are sorted by path). Pairs
    // enter with their cheap upper bound and get their exact score (a line diff) only when
    // they reach the top with both files still free; a bound sorts before an exact score of
    // the same value, so nothing is taken before a pair that could still beat it.
    // (score, is a bound, old path, new index, index in bases, index in prepared)
    type Candidate<'a> = (u32, bool, Reverse<&'a str>, Reverse<usize>, usize, usize);
    let texts: Vec<&Text> = prepared.iter().map(|(_, text)| text).collect();
    let sharing = SharedLines::index(&texts, bases.iter().map(|(_, text)| text));
    let candidates: Vec<Candidate> = bases
        .par_iter()
        .enumerate()
        .flat_map_iter(|(b, (old, base))| {
            let prepared = &prepared;
            sharing
                .could_reach_threshold(base)
                .into_iter()
                .filter_map(move |p| {
                    let (index, new) = &prepared[p];
                    let bound = score_bound(base, new);
                    (bound >= MIN_SIMILARITY).then_some((
                        bound,
                        true,
                        Reverse(*old),
                        Reverse(*index),
                        b,
                        p,
                    ))
                })
        })
        .collect();
    let mut queue: BinaryHeap<Candidate> = BinaryHeap::from(candidates);
    while let Some((score, is_bound, Reverse(old), Reverse(index), b, p)) = queue.pop() {
        if old_taken.contains(old) || new_taken.contains(&index) {
            continue;
        }
        if is_bound {
            let exact = exact_score(&bases[b].1, &prepared[p].1);
            if exact >= MIN_SIMILARITY {
                queue.push((exact, false, Reverse(old), Reverse(index), b, p));
            }
            continue;
        }
        old_taken.insert(old);
        new_taken.insert(index);
        moves.push(Move {
            old: old.to_string(),
            new: index,
            found: Found::Similar(score),
        });
    }
    moves
}

/// A text file prepared for comparison: its content and the hashes of its lines, sorted.
struct Text<'a> {
    text: Cow<'a, str>,
    line_hashes: Vec<u64>,
}

impl<'a> Text<'a> {
    /// `None` for binary or empty content: such files never pair by similarity.
    fn new(bytes: &'a [u8]) -> Option<Self> {
        if bytes.is_empty() || !ggen_merge::is_text(bytes) {
            return None;
        }
        let text = String::from_utf8_lossy(bytes);
        let mut line_hashes: Vec<u64> = text
            .lines()
            .map(|line| {
                let mut hasher = DefaultHasher::new();
                line.hash(&mut hasher);
                hasher.finish()
            })
            .collect();
        line_hashes.sort_unstable();
        Some(Text { text, line_hashes })
    }

    fn lines(&self) -> usize {
        self.line_hashes.len()
    }
}

/// How many lines two files could have in common at most: equal lines have equal hashes, so
/// the common lines in order are never more than the hashes both have (as multisets).
fn shared_lines_bound(a: &Text, b: &Text) -> usize {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.line_hashes.len() && j < b.line_hashes.len() {
        match a.line_hashes[i].cmp(&b.line_hashes[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared
}

/// `lines` as a percentage of the longer file's lines.
fn percent_of_longer(lines: usize, a: &Text, b: &Text) -> u32 {
    (lines * 100 / a.lines().max(b.lines()).max(1)) as u32
}

/// An upper bound of how alike two prepared files are, in percent: the shorter file's lines
/// (the cheapest test), then the lines both hold as multisets, against the longer file's.
fn score_bound(a: &Text, b: &Text) -> u32 {
    let shorter = percent_of_longer(a.lines().min(b.lines()), a, b);
    if shorter < MIN_SIMILARITY {
        return shorter;
    }
    percent_of_longer(shared_lines_bound(a, b), a, b)
}

/// How alike two prepared files are, in percent: the lines they have in common, in order.
fn exact_score(a: &Text, b: &Text) -> u32 {
    percent_of_longer(common_lines(&a.text, &b.text), a, b)
}

/// The lines two texts have in common, in order.
fn common_lines(a: &str, b: &str) -> usize {
    let diff = similar::TextDiff::configure()
        .timeout(Duration::from_millis(200))
        .diff_lines(a, b);
    diff.ops()
        .iter()
        .map(|op| match op {
            similar::DiffOp::Equal { len, .. } => *len,
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How alike two files are as the pairing sees them: the exact score where the bound
    /// reaches [`MIN_SIMILARITY`], the bound below it; `None` for binary or empty content.
    fn similarity(a: &[u8], b: &[u8]) -> Option<u32> {
        let (a, b) = (Text::new(a)?, Text::new(b)?);
        let bound = score_bound(&a, &b);
        Some(if bound < MIN_SIMILARITY {
            bound
        } else {
            exact_score(&a, &b)
        })
    }

    fn record(hash: &str) -> SnapshotFile {
        SnapshotFile {
            hash: hash.to_string(),
            size: 0,
            pack: "p".into(),
            version: "1.0.0".into(),
            template: "t".into(),
            unless_exists: false,
            executable: false,
            regions: None,
            stat: None,
        }
    }

    fn file(path: &str, content: &str, moved_from: Option<&str>) -> GeneratedFile {
        GeneratedFile {
            path: path.to_string(),
            content: content.as_bytes().to_vec(),
            hash: ggen_pack::integrity::sha256(content.as_bytes()),
            template: format!("{path}.tmpl"),
            unless_exists: false,
            executable: false,
            moved_from: moved_from.map(str::to_string),
        }
    }

    /// Ten numbered lines, the first `changed` of them replaced.
    fn lines(changed: usize) -> String {
        (0..10)
            .map(|i| {
                if i < changed {
                    format!("changed {i}\n")
                } else {
                    format!("line {i}\n")
                }
            })
            .collect()
    }

    /// (old path, base) dropped; the new files (sorted by path); the moves as (old, new path).
    fn moves(dropped: &[(&str, &str)], files: &[GeneratedFile]) -> Vec<(String, String)> {
        let records: Vec<(&str, SnapshotFile, &str)> = dropped
            .iter()
            .map(|(path, base)| (*path, record(&format!("h-{path}")), *base))
            .collect();
        let dropped: Vec<(&str, &SnapshotFile)> = records.iter().map(|(p, r, _)| (*p, r)).collect();
        let added: Vec<usize> = (0..files.len()).collect();
        let base_of = |path: &str, _: &SnapshotFile| {
            records
                .iter()
                .find(|(p, _, _)| *p == path)
                .map(|(_, _, base)| base.as_bytes().to_vec())
        };
        pair(&dropped, &added, files, base_of)
            .into_iter()
            .map(|m| (m.old, files[m.new].path.clone()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn half_the_lines_in_common_is_a_move_less_is_not() {
        assert_eq!(
            similarity(lines(0).as_bytes(), lines(5).as_bytes()),
            Some(50)
        );
        assert_eq!(
            moves(
                &[("old.txt", &lines(0))],
                &[file("new.txt", &lines(5), None)]
            ),
            pairs(&[("old.txt", "new.txt")])
        );
        assert_eq!(
            similarity(lines(0).as_bytes(), lines(6).as_bytes()),
            Some(40)
        );
        assert!(
            moves(
                &[("old.txt", &lines(0))],
                &[file("new.txt", &lines(6), None)]
            )
            .is_empty()
        );
    }

    #[test]
    fn the_most_similar_pair_comes_first() {
        // b.txt is closer to old.txt than a.txt is: b takes it, even though a sorts first.
        let files = [
            file("a.txt", &lines(4), None),
            file("b.txt", &lines(1), None),
        ];
        assert_eq!(
            moves(&[("old.txt", &lines(0))], &files),
            pairs(&[("old.txt", "b.txt")])
        );
    }

    #[test]
    fn equal_scores_go_by_path() {
        let files = [
            file("a.txt", &lines(2), None),
            file("b.txt", &lines(2), None),
        ];
        assert_eq!(
            moves(&[("x.txt", &lines(0)), ("y.txt", &lines(0))], &files),
            pairs(&[("x.txt", "a.txt"), ("y.txt", "b.txt")])
        );
    }

    #[test]
    fn moved_from_wins_over_similarity() {
        // new.txt says it came from other.txt although old.txt is identical to it.
        let files = [
            file("new.txt", &lines(0), Some("other.txt")),
            file("twin.txt", &lines(1), None),
        ];
        assert_eq!(
            moves(
                &[("old.txt", &lines(0)), ("other.txt", "nothing alike\n")],
                &files
            ),
            pairs(&[("other.txt", "new.txt"), ("old.txt", "twin.txt")])
        );
        // A moved_from naming nothing dropped is no move; similarity still applies.
        let files = [file("new.txt", &lines(0), Some("never-there.txt"))];
        assert_eq!(
            moves(&[("old.txt", &lines(0))], &files),
            pairs(&[("old.txt", "new.txt")])
        );
    }

    #[test]
    fn binary_and_empty_files_never_pair_by_similarity() {
        let binary = "a\0b\nline 1\n";
        assert_eq!(similarity(binary.as_bytes(), binary.as_bytes()), None);
        assert!(moves(&[("old.bin", binary)], &[file("new.bin", binary, None)]).is_empty());
        assert!(moves(&[("old.txt", "")], &[file("new.txt", "", None)]).is_empty());
        // Declared, a binary file moves all the same.
        assert_eq!(
            moves(
                &[("old.bin", binary)],
                &[file("new.bin", binary, Some("old.bin"))]
            ),
            pairs(&[("old.bin", "new.bin")])
        );
    }

    #[test]
    fn the_cheap_bounds_never_change_which_pairs_are_moves() {
        // Files whose line multisets agree but whose order does not: the bound lets them
        // through, the exact diff decides.
        let forward: String = (0..10).map(|i| format!("line {i}\n")).collect();
        let backward: String = (0..10).rev().map(|i| format!("line {i}\n")).collect();
        let exact = |a: &str, b: &str| {
            let longer = a.lines().count().max(b.lines().count());
            (common_lines(a, b) * 100 / longer) as u32
        };
        assert_eq!(
            similarity(forward.as_bytes(), backward.as_bytes()),
            Some(exact(&forward, &backward))
        );
        assert!(
            moves(
                &[("old.txt", &forward)],
                &[file("new.txt", &backward, None)]
            )
            .is_empty()
        );
        // Every pair of these: at or above the threshold the score is the exact one, below it
        // the bound stays below too.
        let texts: Vec<String> = (0..=10).map(lines).chain([forward, backward]).collect();
        for a in &texts {
            for b in &texts {
                let score = similarity(a.as_bytes(), b.as_bytes()).unwrap();
                let exact = exact(a, b);
                assert!(score >= exact, "{a:?} {b:?}");
                assert_eq!(
                    score >= MIN_SIMILARITY,
                    exact >= MIN_SIMILARITY,
                    "{a:?} {b:?}"
                );
                if exact >= MIN_SIMILARITY {
                    assert_eq!(score, exact);
                }
            }
        }
    }

    #[test]
    fn a_high_bound_with_a_low_exact_score_never_wins_the_pair() {
        // a.txt holds the same lines in reverse: every line shared (bound 100%), 10% in
        // order. b.txt keeps six lines in order (60%): b is the move.
        let backward: String = (0..10).rev().map(|i| format!("line {i}\n")).collect();
        let files = [
            file("a.txt", &backward, None),
            file("b.txt", &lines(4), None),
        ];
        assert_eq!(
            moves(&[("old.txt", &lines(0))], &files),
            pairs(&[("old.txt", "b.txt")])
        );
    }
}
