//! Region markers (`@ggen:generated-start` …): finding the regions of a generated file.
//!
//! A marker is a line whose only content, whitespace aside, is a comment holding the marker
//! (see `comment` for which comment forms each file type accepts), followed by `key=value`
//! attributes on start markers (values may be double-quoted). Problems never fail the scan:
//! unbalanced, nested or duplicate-id markers (or a bad attribute) give a warning naming the
//! line and an empty region list, so the caller merges the file as plain lines.
//!
//! Known limit: a marker-shaped line inside a multi-line string literal is taken as a marker
//! (recognising it would need a parser per language).

mod comment;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub(crate) use comment::directive;
pub(crate) use comment::leaders_for;

/// Who owns a region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegionKind {
    /// Belongs to the pack: takes the new generation's content.
    Generated,
    /// Belongs to the user: keeps the file's current content.
    ManualEdit,
    /// Belongs to the user and is never changed or deleted.
    Protected,
}

impl RegionKind {
    /// The marker that opens a region of this kind (without `@ggen:`).
    pub fn start_marker(self) -> &'static str {
        match self {
            RegionKind::Generated => "generated-start",
            RegionKind::ManualEdit => "manual-edit",
            RegionKind::Protected => "protected",
        }
    }

    /// The marker that closes a region of this kind (without `@ggen:`).
    pub fn end_marker(self) -> &'static str {
        match self {
            RegionKind::Generated => "generated-end",
            RegionKind::ManualEdit => "manual-edit-end",
            RegionKind::Protected => "protected-end",
        }
    }

    /// A short human name, as used in messages and `--json` output.
    pub fn name(self) -> &'static str {
        match self {
            RegionKind::Generated => "generated",
            RegionKind::ManualEdit => "manual-edit",
            RegionKind::Protected => "protected",
        }
    }
}

/// A region of a file, from its start marker line to its end marker line (both included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Region {
    pub kind: RegionKind,
    /// The `id=` attribute, which matches the region across versions.
    pub id: Option<String>,
    /// Every `key=value` attribute of the start marker (`id`, `pack`, `version`, …).
    pub attrs: BTreeMap<String, String>,
    /// 1-based line of the start marker.
    pub start_line: usize,
    /// 1-based line of the end marker.
    pub end_line: usize,
}

/// A problem with the markers of a file, at a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionWarning {
    pub line: usize,
    pub message: String,
}

/// The regions of a file and any warnings about its markers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RegionScan {
    /// The regions in file order; empty when the markers are malformed.
    pub regions: Vec<Region>,
    pub warnings: Vec<RegionWarning>,
    /// Whether the markers were malformed (unbalanced, nested, duplicate id, bad attribute),
    /// in which case `regions` is empty and the file should be merged as plain lines.
    pub malformed: bool,
}

enum Directive {
    Start(RegionKind, BTreeMap<String, String>),
    End(RegionKind),
}

fn parse_directive(text: &str) -> Result<Option<Directive>, String> {
    let (name, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    for kind in [
        RegionKind::Generated,
        RegionKind::ManualEdit,
        RegionKind::Protected,
    ] {
        if name == kind.start_marker() {
            return parse_attrs(rest).map(|attrs| Some(Directive::Start(kind, attrs)));
        }
        if name == kind.end_marker() {
            return Ok(Some(Directive::End(kind)));
        }
    }
    Ok(None)
}

/// `key=value` pairs separated by whitespace; a value may be `"quoted with spaces"`.
fn parse_attrs(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut attrs = BTreeMap::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            return Err(format!(
                "attribute `{}` is not key=value",
                rest.split_whitespace().next().unwrap_or(rest)
            ));
        };
        let valid_key = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        if key.is_empty() || !key.chars().all(valid_key) {
            return Err(format!(
                "attribute `{}` is not key=value",
                rest.split_whitespace().next().unwrap_or(rest)
            ));
        }
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            let Some((value, after)) = quoted.split_once('"') else {
                return Err(format!("attribute `{key}` has an unterminated quote"));
            };
            (value, after)
        } else {
            after.split_at(after.find(char::is_whitespace).unwrap_or(after.len()))
        };
        if key == "id" && value.is_empty() {
            return Err("attribute `id` is empty".to_owned());
        }
        if attrs.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(format!("attribute `{key}` is given twice"));
        }
        if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
            return Err(format!("attribute `{key}` must be followed by a space"));
        }
        rest = after.trim_start();
    }
    Ok(attrs)
}

/// Find the regions of `text`. `path` only picks the comment forms, by its extension.
pub fn scan(path: &str, text: &str) -> RegionScan {
    scan_bytes(path, text.as_bytes())
}

/// [`scan`] on bytes in any encoding: markers are ASCII, so a line's bytes that are not UTF-8
/// never hide or make one (attribute values are read with U+FFFD in their place).
pub fn scan_bytes(path: &str, text: &[u8]) -> RegionScan {
    let leaders = leaders_for(path);
    let mut regions: Vec<Region> = Vec::new();
    let mut warnings = Vec::new();
    let mut open: Option<(RegionKind, BTreeMap<String, String>, usize)> = None;
    let mut malformed = None;
    for (number, raw) in marked_lines(text) {
        let line = String::from_utf8_lossy(raw);
        let Some(body) = directive(&line, leaders) else {
            continue;
        };
        let parsed = match parse_directive(body) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => {
                let name = body.split_whitespace().next().unwrap_or("");
                warnings.push(RegionWarning {
                    line: number,
                    message: format!("unknown marker `@ggen:{name}` ignored"),
                });
                continue;
            }
            Err(message) => {
                malformed = Some(RegionWarning {
                    line: number,
                    message: format!("malformed region marker: {message}"),
                });
                break;
            }
        };
        match (parsed, open.take()) {
            (Directive::Start(kind, _), Some((outer, _, start))) => {
                malformed = Some(RegionWarning {
                    line: number,
                    message: format!(
                        "nested region marker: `@ggen:{}` inside the {} region started at line {start}",
                        kind.start_marker(),
                        outer.name()
                    ),
                });
                break;
            }
            (Directive::Start(kind, attrs), None) => open = Some((kind, attrs, number)),
            (Directive::End(kind), None) => {
                malformed = Some(RegionWarning {
                    line: number,
                    message: format!(
                        "`@ggen:{}` without a matching `@ggen:{}`",
                        kind.end_marker(),
                        kind.start_marker()
                    ),
                });
                break;
            }
            (Directive::End(kind), Some((open_kind, attrs, start))) => {
                if kind != open_kind {
                    malformed = Some(RegionWarning {
                        line: number,
                        message: format!(
                            "`@ggen:{}` closes the {} region started at line {start}",
                            kind.end_marker(),
                            open_kind.name()
                        ),
                    });
                    break;
                }
                let id = attrs.get("id").cloned();
                regions.push(Region {
                    kind,
                    id,
                    attrs,
                    start_line: start,
                    end_line: number,
                });
            }
        }
    }
    if malformed.is_none()
        && let Some((kind, _, start)) = open
    {
        malformed = Some(RegionWarning {
            line: start,
            message: format!(
                "the {} region started here has no `@ggen:{}`",
                kind.name(),
                kind.end_marker()
            ),
        });
    }
    if malformed.is_none() {
        let mut seen = BTreeSet::new();
        for region in &regions {
            if let Some(id) = &region.id
                && !seen.insert((region.kind, id.as_str()))
            {
                malformed = Some(RegionWarning {
                    line: region.start_line,
                    message: format!("duplicate {} region id `{id}`", region.kind.name()),
                });
                break;
            }
        }
    }
    match malformed {
        Some(warning) => {
            warnings.push(warning);
            warnings.sort_by_key(|w| w.line);
            RegionScan {
                regions: Vec::new(),
                warnings,
                malformed: true,
            }
        }
        None => RegionScan {
            regions,
            warnings,
            malformed: false,
        },
    }
}

/// The lines of `text` (split at `\n`, numbered from 1) that hold `@ggen:`, found by
/// searching the whole text once rather than line by line: most lines of a file hold none.
fn marked_lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let finder = memchr::memmem::Finder::new(b"@ggen:");
    let (mut from, mut number, mut counted_to) = (0, 1, 0);
    std::iter::from_fn(move || {
        let at = from + finder.find(&text[from..])?;
        let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i);
        number += memchr::memchr_iter(b'\n', &text[counted_to..start]).count();
        counted_to = start;
        from = (end + 1).min(text.len());
        Some((number, &text[start..end]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`marked_lines`] must find, the slow way: every line searched on its own.
    fn marked_line_by_line(text: &[u8]) -> Vec<(usize, &[u8])> {
        text.split(|&b| b == b'\n')
            .enumerate()
            .filter(|(_, line)| memchr::memmem::find(line, b"@ggen:").is_some())
            .map(|(index, line)| (index + 1, line))
            .collect()
    }

    #[test]
    fn marked_lines_are_the_lines_holding_a_marker_with_their_numbers() {
        let text = b"@ggen:a\nplain\n\nx @ggen:b @ggen:c\r\n\n@ggen:";
        assert_eq!(
            marked_lines(text).collect::<Vec<_>>(),
            marked_line_by_line(text)
        );
        assert_eq!(
            marked_lines(text).map(|(n, _)| n).collect::<Vec<_>>(),
            [1, 4, 6]
        );
        assert_eq!(marked_lines(b"no markers\n").count(), 0);
        assert_eq!(marked_lines(b"").count(), 0);
    }

    proptest::proptest! {
        #[test]
        fn marked_lines_match_a_line_by_line_search(
            parts in proptest::collection::vec(
                proptest::sample::select(&["@ggen:", "@ggen", "ggen:", "\n", "\r\n", "x", " "][..]),
                0..40,
            )
        ) {
            let text = parts.concat();
            let text = text.as_bytes();
            proptest::prop_assert_eq!(
                marked_lines(text).collect::<Vec<_>>(),
                marked_line_by_line(text)
            );
        }
    }

    const SAMPLE: &str = "\
// @ggen:generated-start id=model pack=rust-web version=1.0.0
pub struct User { pub id: Uuid }
// @ggen:generated-end
// @ggen:manual-edit id=user-impl
impl User { /* the user's own code */ }
// @ggen:manual-edit-end
/* @ggen:protected id=secrets note=\"keep me\" */
const KEY: &str = \"\";
/* @ggen:protected-end */
";

    #[test]
    fn finds_regions_with_attributes_and_lines() {
        let scan = scan("src/user.rs", SAMPLE);
        assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
        let kinds: Vec<_> = scan
            .regions
            .iter()
            .map(|r| (r.kind, r.id.as_deref(), r.start_line, r.end_line))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (RegionKind::Generated, Some("model"), 1, 3),
                (RegionKind::ManualEdit, Some("user-impl"), 4, 6),
                (RegionKind::Protected, Some("secrets"), 7, 9),
            ]
        );
        assert_eq!(
            scan.regions[0].attrs.get("version").map(String::as_str),
            Some("1.0.0")
        );
        assert_eq!(
            scan.regions[2].attrs.get("note").map(String::as_str),
            Some("keep me")
        );
    }

    fn malformed(text: &str) -> RegionWarning {
        let scan = scan("a.rs", text);
        assert!(scan.regions.is_empty() && scan.malformed, "{scan:?}");
        scan.warnings.last().cloned().unwrap_or(RegionWarning {
            line: 0,
            message: String::new(),
        })
    }

    #[test]
    fn malformed_markers_give_a_warning_naming_the_line_and_no_regions() {
        assert_eq!(malformed("a\n// @ggen:generated-start\nb\n").line, 2);
        assert_eq!(malformed("a\n// @ggen:generated-end\n").line, 2);
        let nested = malformed(
            "// @ggen:manual-edit\n// @ggen:protected\n// @ggen:protected-end\n// @ggen:manual-edit-end\n",
        );
        assert_eq!(nested.line, 2);
        assert!(nested.message.contains("nested"), "{}", nested.message);
        assert_eq!(
            malformed("// @ggen:protected\n// @ggen:manual-edit-end\n").line,
            2
        );
        let dup = "// @ggen:protected id=a\n// @ggen:protected-end\n// @ggen:protected id=a\n// @ggen:protected-end\n";
        assert_eq!(malformed(dup).line, 3);
        assert_eq!(
            malformed("// @ggen:protected id\n// @ggen:protected-end\n").line,
            1
        );
        assert_eq!(
            malformed("// @ggen:protected id=\"x\n// @ggen:protected-end\n").line,
            1
        );
    }

    #[test]
    fn same_id_in_different_kinds_is_allowed() {
        let text = "# @ggen:protected id=a\n# @ggen:protected-end\n# @ggen:manual-edit id=a\n# @ggen:manual-edit-end\n";
        assert_eq!(scan("x.py", text).regions.len(), 2);
    }

    #[test]
    fn unknown_markers_warn_but_keep_regions() {
        let scan = scan(
            "a.rs",
            "// @ggen:generated\n// @ggen:protected\n// @ggen:protected-end\n",
        );
        assert_eq!(scan.regions.len(), 1);
        assert_eq!(scan.warnings.len(), 1);
        assert_eq!(scan.warnings[0].line, 1);
    }

    #[test]
    fn crlf_lines_are_markers_too() {
        let scan = scan(
            "a.rs",
            "// @ggen:protected id=x\r\nbody\r\n// @ggen:protected-end\r\n",
        );
        assert_eq!(scan.regions.len(), 1);
        assert_eq!(scan.regions[0].id.as_deref(), Some("x"));
    }
}
