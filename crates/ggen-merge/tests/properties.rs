//! Property tests: merge identities, the materialize/parse round trip, and that
//! `merge_regions` never loses or alters a byte of a manual-edit or protected region.

use ggen_merge::regions::{RegionKind, scan};
use ggen_merge::{
    ConflictStyle, Favor, LineEnding, MarkerWidth, Merge, MergeHunk, MergeOptions, marker_size_for,
    materialize, merge_lines, merge_regions, parse,
};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "a",
    "b",
    "c",
    "",
    "}",
    "  x",
    "=======",
    "<<<<<<< x",
    "fn f() {",
];

fn line() -> impl Strategy<Value = String> {
    (prop::sample::select(WORDS), any::<bool>())
        .prop_map(|(w, crlf)| format!("{w}{}", if crlf { "\r\n" } else { "\n" }))
}

/// A small file: lines with LF or CRLF, sometimes without a final newline.
fn file() -> impl Strategy<Value = Vec<u8>> {
    (prop::collection::vec(line(), 0..10), any::<bool>()).prop_map(|(lines, cut)| {
        let mut text = lines.concat();
        if cut && text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        text.into_bytes()
    })
}

fn merged(current: &[u8], base: &[u8], other: &[u8], style: ConflictStyle) -> (Vec<u8>, usize) {
    let hunks = merge_lines(current, base, other, style);
    materialize(
        &hunks,
        &MergeOptions {
            style,
            ..MergeOptions::default()
        },
    )
}

fn style() -> impl Strategy<Value = ConflictStyle> {
    prop_oneof![
        Just(ConflictStyle::Merge),
        Just(ConflictStyle::Diff3),
        Just(ConflictStyle::ZealousDiff3)
    ]
}

/// Lines that test the line merge's edges: marker-like lines, control bytes (0x01, form
/// feeds), CR, blank and indented lines; sometimes no final newline.
fn tricky_file() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        Just("a"),
        Just("b"),
        Just(""),
        Just("  x"),
        Just("}"),
        Just("======="),
        Just("<<<<<<<"),
        Just(">>>>>>> x"),
        Just("|||||||"),
        Just("\u{1}"),
        Just("\u{1}a"),
        Just("\x0c"),
        Just("a\x0c"),
        Just("a\x0c\x0c"),
        Just("\r"),
    ];
    let eol = prop_oneof![Just("\n"), Just("\r\n")];
    (prop::collection::vec((line, eol), 0..12), any::<bool>()).prop_map(|(lines, cut)| {
        let mut text: String = lines.into_iter().map(|(l, e)| format!("{l}{e}")).collect();
        if cut && text.ends_with('\n') {
            text.pop();
        }
        text.into_bytes()
    })
}

/// Whether `part` is a run of whole lines of `text`, byte for byte.
fn is_line_run(part: &[u8], text: &[u8]) -> bool {
    part.is_empty()
        || (0..=text.len().saturating_sub(part.len())).any(|i| {
            text[i..].starts_with(part)
                && (i == 0 || text[i - 1] == b'\n')
                && (part.ends_with(b"\n") || i + part.len() == text.len())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The hunks hold the inputs' own bytes: each conflict term is a run of lines of its side
    /// (of the base, in the diff3 style), and each resolved line is a line of some input.
    #[test]
    fn merge_lines_keeps_lines_exact(
        c in tricky_file(),
        b in tricky_file(),
        o in tricky_file(),
        s in style(),
    ) {
        let hunks = merge_lines(&c, &b, &o, s);
        for hunk in &hunks {
            match hunk {
                MergeHunk::Conflicted(m, _) => {
                    prop_assert!(is_line_run(m.current(), &c), "{:?}", hunks);
                    prop_assert!(is_line_run(m.base(), &b), "{:?}", hunks);
                    prop_assert!(is_line_run(m.other(), &o), "{:?}", hunks);
                }
                MergeHunk::Resolved(text) => {
                    for line in text.split_inclusive(|&x| x == b'\n') {
                        prop_assert!(
                            [&c, &b, &o].iter().any(|t| is_line_run(line, t)),
                            "{:?} not from the inputs: {:?}", line, hunks
                        );
                    }
                }
            }
        }
    }
}

/// The sides of the hunks: `[current, other]`, each the resolved text and that side of every
/// conflict, in order.
fn sides(hunks: &[MergeHunk]) -> [Vec<u8>; 2] {
    let mut out = [Vec::new(), Vec::new()];
    for hunk in hunks {
        match hunk {
            MergeHunk::Resolved(t) => out.iter_mut().for_each(|o| o.extend_from_slice(t)),
            MergeHunk::Conflicted(m, _) => {
                out[0].extend_from_slice(m.current());
                out[1].extend_from_slice(m.other());
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The merge style only cuts the diff3 conflicts differently (split at shared lines,
    /// nearby ones joined): each side reads the same, conflicts never touch, it has a conflict
    /// exactly when diff3 has one whose sides differ, and each base line goes to at most one
    /// conflict.
    #[test]
    fn merge_style_recuts_the_diff3_conflicts(
        c in tricky_file(),
        b in tricky_file(),
        o in tricky_file(),
    ) {
        let merge_style = merge_lines(&c, &b, &o, ConflictStyle::Merge);
        let diff3 = merge_lines(&c, &b, &o, ConflictStyle::Diff3);
        prop_assert_eq!(sides(&merge_style), sides(&diff3));
        // A conflict only where diff3 has one; diff3 keeps conflicts whose sides read the same
        // (as git does), which the merge style settles.
        let real_conflict = |h: &MergeHunk| match h {
            MergeHunk::Conflicted(m, _) => m.current() != m.other(),
            MergeHunk::Resolved(_) => false,
        };
        prop_assert_eq!(
            merge_style.iter().any(MergeHunk::is_conflict),
            diff3.iter().any(real_conflict),
            "{:?}",
            diff3
        );
        prop_assert!(merge_style.windows(2).all(|w| !(w[0].is_conflict() && w[1].is_conflict())));
        let bases: Vec<u8> = merge_style
            .iter()
            .filter_map(|h| match h {
                MergeHunk::Conflicted(m, _) => Some(m.base().clone()),
                MergeHunk::Resolved(_) => None,
            })
            .flatten()
            .collect();
        // The bases, in order, are a subsequence of the base's lines.
        let mut base_lines = b.split_inclusive(|&x| x == b'\n');
        let in_order = bases
            .split_inclusive(|&x| x == b'\n')
            .all(|line| base_lines.any(|l| l == line));
        prop_assert!(in_order, "{:?}", merge_style);
    }
}

proptest! {
    #[test]
    fn unchanged_current_takes_other(b in file(), x in file(), s in style()) {
        prop_assert_eq!(merged(&b, &b, &x, s), (x, 0));
    }

    #[test]
    fn unchanged_other_keeps_current(b in file(), x in file(), s in style()) {
        prop_assert_eq!(merged(&x, &b, &b, s), (x, 0));
    }

    #[test]
    fn the_same_change_on_both_sides_is_that_change(b in file(), x in file(), s in style()) {
        prop_assert_eq!(merged(&x, &b, &x, s), (x, 0));
    }
}

/// Whole lines ending in a newline (what conflict terms hold).
fn lines_text() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(line(), 0..4).prop_map(|l| l.concat().into_bytes())
}

fn hunk() -> impl Strategy<Value = MergeHunk> {
    prop_oneof![
        lines_text().prop_map(MergeHunk::Resolved),
        (lines_text(), lines_text(), lines_text(), any::<bool>()).prop_map(|(c, b, o, crlf)| {
            MergeHunk::Conflicted(
                Merge::new(c, b, o),
                if crlf {
                    LineEnding::CrLf
                } else {
                    LineEnding::Lf
                },
            )
        }),
    ]
}

/// Join adjacent resolved hunks and drop empty ones, as every producer of hunks does.
fn normalise(hunks: Vec<MergeHunk>) -> Vec<MergeHunk> {
    let mut out: Vec<MergeHunk> = Vec::new();
    for hunk in hunks {
        match (out.last_mut(), hunk) {
            (_, MergeHunk::Resolved(t)) if t.is_empty() => {}
            (Some(MergeHunk::Resolved(prev)), MergeHunk::Resolved(t)) => prev.extend_from_slice(&t),
            (_, h) => out.push(h),
        }
    }
    out
}

proptest! {
    #[test]
    fn parse_inverts_materialize(hunks in prop::collection::vec(hunk(), 0..6), tail in file()) {
        let mut hunks = normalise(hunks);
        hunks.push(MergeHunk::Resolved(tail));
        let hunks = normalise(hunks);
        // Widened markers read back exactly (git's exact width is ambiguous when content has
        // marker-like lines).
        let diff3 = MergeOptions { style: ConflictStyle::Diff3, marker_width: MarkerWidth::Widen, ..MergeOptions::default() };
        let (text, conflicts) = materialize(&hunks, &diff3);
        prop_assert_eq!(conflicts, hunks.iter().filter(|h| h.is_conflict()).count());
        prop_assert_eq!(parse(&text, marker_size_for(&hunks, &diff3)), hunks.clone());

        // The merge style does not write the base, so it comes back empty.
        let merge_style = MergeOptions { marker_width: MarkerWidth::Widen, ..MergeOptions::default() };
        let without_base: Vec<MergeHunk> = hunks
            .iter()
            .map(|h| match h {
                MergeHunk::Conflicted(m, eol) => {
                    MergeHunk::Conflicted(Merge::new(m.current().clone(), Vec::new(), m.other().clone()), *eol)
                }
                other => other.clone(),
            })
            .collect();
        let (text, _) = materialize(&hunks, &merge_style);
        prop_assert_eq!(parse(&text, marker_size_for(&hunks, &merge_style)), without_base);
    }
}

/// A generated file as blocks: plain text, or a region `(kind, id, body)`.
#[derive(Clone, Debug)]
enum Block {
    Text(Vec<String>),
    Region(RegionKind, Option<usize>, Vec<String>),
}

fn kind() -> impl Strategy<Value = RegionKind> {
    prop_oneof![
        Just(RegionKind::Generated),
        Just(RegionKind::ManualEdit),
        Just(RegionKind::Protected)
    ]
}

fn words() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::sample::select(&["x", "y", "z", "", "}", "let a = 1;"][..]).prop_map(str::to_owned),
        0..4,
    )
}

fn block() -> impl Strategy<Value = Block> {
    prop_oneof![
        words().prop_map(Block::Text),
        (kind(), any::<bool>(), words()).prop_map(|(k, has_id, body)| Block::Region(
            k,
            has_id.then_some(0),
            body
        )),
    ]
}

/// Render blocks as a Rust file; generated regions carry `version` in their start marker.
fn render(blocks: &[Block], crlf: bool, version: &str) -> String {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    for block in blocks {
        let (lines, region) = match block {
            Block::Text(lines) => (lines, None),
            Block::Region(kind, id, body) => (body, Some((kind, id))),
        };
        if let Some((kind, id)) = region {
            let mut id = id.map(|i| format!(" id=r{i}")).unwrap_or_default();
            if *kind == RegionKind::Generated {
                id.push_str(&format!(" version={version}"));
            }
            out.push_str(&format!("// @ggen:{}{id}{eol}", kind.start_marker()));
        }
        for l in lines {
            out.push_str(l);
            out.push_str(eol);
        }
        if let Some((kind, _)) = region {
            out.push_str(&format!("// @ggen:{}{eol}", kind.end_marker()));
        }
    }
    out
}

/// Give every region with an id a unique one, so the document is well-formed.
fn number_ids(mut blocks: Vec<Block>) -> Vec<Block> {
    for (i, block) in blocks.iter_mut().enumerate() {
        if let Block::Region(_, Some(id), _) = block {
            *id = i;
        }
    }
    blocks
}

/// Derive a version from `base`: `edits[i]` decides what happens to block `i`.
fn derive(base: &[Block], edits: &[u8], replacement: &[String], user: bool) -> Vec<Block> {
    let mut out = Vec::new();
    for (i, block) in base.iter().enumerate() {
        let e = edits.get(i).copied().unwrap_or(0) % 6;
        match (block, e) {
            (Block::Text(_), 1) => out.push(Block::Text(replacement.to_vec())),
            (Block::Text(_), 2) => {}
            (Block::Region(k, id, _), 1) if user || *k == RegionKind::Generated => {
                out.push(Block::Region(*k, *id, replacement.to_vec()))
            }
            (Block::Region(k, id, _), 1) => {
                out.push(Block::Region(*k, *id, vec!["pack default".to_owned()]))
            }
            (Block::Region(_, _, _), 2) if !user => {}
            (b, 3) => {
                out.push(b.clone());
                out.push(Block::Text(replacement.to_vec()));
            }
            (b, _) => out.push(b.clone()),
        }
    }
    out
}

fn region_texts(path: &str, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    scan(path, text)
        .regions
        .iter()
        .filter(|r| r.kind != RegionKind::Generated)
        .map(|r| lines[r.start_line - 1..r.end_line].concat())
        .collect()
}

proptest! {
    #[test]
    fn manual_and_protected_regions_are_never_lost_or_altered(
        base in prop::collection::vec(block(), 1..7).prop_map(number_ids),
        user_edits in prop::collection::vec(any::<u8>(), 7),
        pack_edits in prop::collection::vec(any::<u8>(), 7),
        user_text in words(),
        pack_text in words(),
        crlf in any::<bool>(),
        user_version in prop::sample::select(&["1.0.0", "9.9.9"][..]),
        pack_version in prop::sample::select(&["1.0.0", "2.0.0"][..]),
        favor in prop_oneof![Just(None), Just(Some(Favor::Ours)), Just(Some(Favor::Theirs)), Just(Some(Favor::Union))],
        s in style(),
    ) {
        let current = render(&derive(&base, &user_edits, &user_text, true), crlf, user_version);
        let new = render(&derive(&base, &pack_edits, &pack_text, false), crlf, pack_version);
        let base = render(&base, crlf, "1.0.0");
        let opts = MergeOptions { style: s, favor, ..MergeOptions::default() };
        let out = merge_regions("x.rs", current.as_bytes(), base.as_bytes(), new.as_bytes(), &opts);
        let merged = String::from_utf8_lossy(&out.bytes);
        for region in region_texts("x.rs", &current) {
            prop_assert!(merged.contains(&region), "lost {:?}\ncurrent:\n{}\nnew:\n{}\nmerged:\n{}", region, current, new, merged);
        }
        // A new version equal to the base leaves the user's file exactly as it is.
        let unchanged = merge_regions("x.rs", current.as_bytes(), base.as_bytes(), base.as_bytes(), &opts);
        prop_assert_eq!(unchanged.bytes, current.as_bytes());
        prop_assert_eq!(unchanged.conflicts, 0);
    }
}
