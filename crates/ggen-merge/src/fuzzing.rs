//! Fuzzing entry points shared by the cargo-fuzz targets and the corpus test (not stable API).
//!
//! Each entry decodes raw bytes into arguments, runs the public API and checks invariants a
//! user relies on, returning `Err` with a description when one breaks (the fuzz targets turn
//! that into a crash). Input layout: the first byte picks the path (and options); the rest is
//! the text, or for merges up to three texts separated by `0xFF` (a byte valid UTF-8 never
//! holds, so separators never hide inside text).

use crate::merge_file::{is_text, merge_file};
use crate::options::{Favor, MarkerWidth, MergeOptions};
use crate::regions::{RegionKind, scan};
use crate::{ConflictStyle, MergeHunk, merge_lines, merge_regions, parse};

const PATHS: [&str; 8] = [
    "a.rs",
    "a.py",
    "a.sql",
    "a.ini",
    "a.html",
    "a.css",
    "notes",
    "Dockerfile",
];

fn path_of(selector: u8) -> &'static str {
    PATHS[usize::from(selector) % PATHS.len()]
}

/// Fuzz `regions::scan`: regions are ordered, well-nested line ranges of the text, and a
/// malformed scan has no regions.
pub fn scan_input(data: &[u8]) -> Result<(), String> {
    let Some((&selector, rest)) = data.split_first() else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(rest);
    let result = scan(path_of(selector), &text);
    let lines = text.split('\n').count();
    if result.malformed && !result.regions.is_empty() {
        return Err("a malformed scan returned regions".to_owned());
    }
    if result.malformed && result.warnings.is_empty() {
        return Err("a malformed scan has no warning".to_owned());
    }
    let mut previous_end = 0;
    for region in &result.regions {
        if !(previous_end < region.start_line
            && region.start_line < region.end_line
            && region.end_line <= lines)
        {
            return Err(format!(
                "bad region lines {}..{} in {lines} lines",
                region.start_line, region.end_line
            ));
        }
        if region.id.as_ref() != region.attrs.get("id") {
            return Err("region id differs from its id attribute".to_owned());
        }
        previous_end = region.end_line;
    }
    if let Some(w) = result
        .warnings
        .iter()
        .find(|w| w.line == 0 || w.line > lines)
    {
        return Err(format!("warning names line {} of {lines}", w.line));
    }
    Ok(())
}

/// Fuzz `merge_regions` (and `merge_file` and `merge_lines` on the same inputs): user-owned
/// regions survive, an update equal to the base leaves the file alone, the conflict count
/// matches the marker blocks in the output, and line-merge hunks hold the inputs' own lines.
pub fn merge_regions_input(data: &[u8]) -> Result<(), String> {
    let Some((&selector, rest)) = data.split_first() else {
        return Ok(());
    };
    let mut parts = rest.splitn(3, |&b| b == 0xFF);
    let (current, base, new) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let path = path_of(selector);
    let opts = MergeOptions {
        style: if selector & 0x80 != 0 {
            ConflictStyle::Diff3
        } else {
            ConflictStyle::Merge
        },
        favor: match (selector >> 4) & 0x7 {
            1 => Some(Favor::Ours),
            2 => Some(Favor::Theirs),
            3 => Some(Favor::Union),
            _ => None,
        },
        // Markers that can be read back whatever the content, as projects write them.
        marker_width: MarkerWidth::Widen,
        ..MergeOptions::default()
    };
    let out = merge_regions(path, current, base, new, &opts);

    let texts = [current, base, new].map(|t| std::str::from_utf8(t).ok().filter(|_| is_text(t)));
    if let [Some(cur), Some(b), Some(n)] = texts {
        let scans = [scan(path, cur), scan(path, b), scan(path, n)];
        if scans.iter().all(|s| !s.malformed) {
            let lines: Vec<&str> = cur.split_inclusive('\n').collect();
            for region in scans[0]
                .regions
                .iter()
                .filter(|r| r.kind != RegionKind::Generated)
            {
                let text = lines
                    .get(region.start_line - 1..region.end_line)
                    .map(<[&str]>::concat)
                    .unwrap_or_default();
                if !out
                    .bytes
                    .windows(text.len().max(1))
                    .any(|w| w == text.as_bytes())
                    && !text.is_empty()
                {
                    return Err(format!(
                        "lost the {} region at line {}",
                        region.kind.name(),
                        region.start_line
                    ));
                }
            }
        }
        if opts.favor.is_none() {
            let plain = merge_file(current, base, new, &opts);
            let found = parse(&plain.bytes, plain.marker_size)
                .iter()
                .filter(|h| h.is_conflict())
                .count();
            if found != plain.conflicts {
                return Err(format!(
                    "merge_file reported {} conflicts, its output holds {found}",
                    plain.conflicts
                ));
            }
        }
    }
    lines_are_exact(current, base, new, opts.style)?;
    let unchanged = merge_regions(path, current, base, base, &opts);
    if unchanged.bytes != current || unchanged.conflicts != 0 {
        return Err("a new version equal to the base changed the file".to_owned());
    }
    Ok(())
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

/// `merge_lines` keeps bytes exact: each conflict term is a run of lines of its input, and
/// each resolved line is a line of one of the inputs.
fn lines_are_exact(
    current: &[u8],
    base: &[u8],
    other: &[u8],
    style: ConflictStyle,
) -> Result<(), String> {
    for hunk in merge_lines(current, base, other, style) {
        match hunk {
            MergeHunk::Conflicted(merge, _) => {
                for (term, input, name) in [
                    (merge.current(), current, "current"),
                    (merge.base(), base, "base"),
                    (merge.other(), other, "other"),
                ] {
                    if !is_line_run(term, input) {
                        return Err(format!("a conflict's {name} term is not lines of {name}"));
                    }
                }
            }
            MergeHunk::Resolved(text) => {
                for line in text.split_inclusive(|&b| b == b'\n') {
                    if ![current, base, other].iter().any(|t| is_line_run(line, t)) {
                        return Err(format!("merged line {line:?} is in no input"));
                    }
                }
            }
        }
    }
    Ok(())
}
