//! The region-aware three-way merge of a generated file (SPEC §5).
//!
//! The file is cut at the regions that all three versions share, in the same order
//! ("anchors"); the text between anchors is merged line by line like `merge_file`, with every
//! other region folded into one opaque token line so a region always moves as a whole. Then
//! each region gets its content by ownership:
//!
//! - generated: three-way per region body (untouched by the user: the new content; changed by
//!   both: one conflict block around the body); marker lines from the new version;
//! - manual-edit and protected: the current bytes, exactly;
//! - a manual-edit or protected region the new version no longer has (and a generated one the
//!   user changed) stays, inside a conflict block, with a warning.
//!
//! Malformed markers in any version make it a plain `merge_file`, with a warning.

use std::collections::{BTreeMap, BTreeSet};

use crate::conflict::{conflict_marker_size, materialize_with_size};
use crate::line_merge::merge_lines;
use crate::merge::{LineEnding, Merge, MergeHunk};
use crate::merge_file::{is_text, merge_file};
use crate::options::{MarkerWidth, MergeOptions};
use crate::regions::{RegionKind, RegionScan, scan_bytes};

/// The merged file, its number of conflict blocks, and what the caller should report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionMergeOutput {
    pub bytes: Vec<u8>,
    pub conflicts: usize,
    /// The size of the conflict markers in `bytes` (see [`crate::MergeOutput::marker_size`]):
    /// with [`MarkerWidth::Widen`] a caller records it to parse the conflicts back.
    pub marker_size: usize,
    /// e.g. malformed markers (merged as plain lines), a manual region kept in a conflict.
    pub warnings: Vec<String>,
}

/// Merge the file at `path` (used for comment syntax and messages): `current` is on disk,
/// `base` is what was generated last time, `new` is the new generation.
pub fn merge_regions(
    path: &str,
    current: &[u8],
    base: &[u8],
    new: &[u8],
    opts: &MergeOptions,
) -> RegionMergeOutput {
    let mut warnings = Vec::new();
    if ![current, base, new].iter().all(|t| is_text(t)) {
        let out = merge_file(current, base, new, opts);
        if out.conflicts > 0 {
            warnings.push(format!(
                "{path}: binary (a NUL byte in its first 8,000 bytes); the current file is kept as a conflict"
            ));
        }
        return RegionMergeOutput {
            bytes: out.bytes,
            conflicts: out.conflicts,
            marker_size: out.marker_size,
            warnings,
        };
    }
    let scans = [
        scan_bytes(path, current),
        scan_bytes(path, base),
        scan_bytes(path, new),
    ];
    let mut malformed = false;
    for (scan, version) in scans.iter().zip(VERSION_NAMES) {
        for warning in &scan.warnings {
            warnings.push(format!(
                "{path}:{}{version}: {}",
                warning.line, warning.message
            ));
        }
        malformed |= scan.malformed;
    }
    if malformed || scans.iter().all(|s| s.regions.is_empty()) {
        if malformed {
            warnings.push(format!(
                "{path}: region markers are malformed; merged as plain lines"
            ));
        }
        let out = merge_file(current, base, new, opts);
        return RegionMergeOutput {
            bytes: out.bytes,
            conflicts: out.conflicts,
            marker_size: out.marker_size,
            warnings,
        };
    }
    let [cur_scan, base_scan, new_scan] = scans;
    let versions = [
        Version::new(current, &cur_scan),
        Version::new(base, &base_scan),
        Version::new(new, &new_scan),
    ];
    let mut merger = Merger::new(path, versions, opts);
    merger.run();
    warnings.extend(merger.warnings);
    let mut hunks = merger.hunks;
    if opts.favor.is_some() {
        // A favoured side never settles away a user-owned region: those conflicts keep the
        // current side.
        for (hunk, user_owned) in hunks.iter_mut().zip(&merger.user_owned) {
            if let (true, MergeHunk::Conflicted(merge, _)) = (*user_owned, &hunk) {
                *hunk = MergeHunk::Resolved(merge.current().clone());
            }
        }
    }
    let size = match opts.marker_width {
        MarkerWidth::Exact => opts.base_marker_size(),
        MarkerWidth::Widen => conflict_marker_size(&[current, base, new], opts.marker_size),
    };
    let (bytes, conflicts) = materialize_with_size(&hunks, opts, size);
    RegionMergeOutput {
        bytes,
        conflicts,
        marker_size: size,
        warnings,
    }
}

/// `new` with the user's regions of `current` in it: each manual-edit and protected region
/// of `current` (matched by kind and id, or rank among the id-less ones) replaces the body of
/// the same region in `new`; marker lines and everything else come from `new`. This is what
/// overwriting a file the user had (`packs install --force`) writes: SPEC §2, protected
/// regions are never changed by any command.
///
/// `Err` names the user regions of `current` that `new` has no place for, or says that the
/// markers of either are malformed: the caller keeps `current` instead of losing them.
pub fn carry_user_regions(path: &str, current: &[u8], new: &[u8]) -> Result<Vec<u8>, String> {
    if !is_text(current) {
        return Ok(new.to_vec());
    }
    let cur_scan = scan_bytes(path, current);
    let user_owned = |kind: RegionKind| kind != RegionKind::Generated;
    if cur_scan.malformed {
        return Err("its region markers are malformed".to_string());
    }
    if !cur_scan.regions.iter().any(|r| user_owned(r.kind)) {
        return Ok(new.to_vec());
    }
    let new_scan = if is_text(new) {
        scan_bytes(path, new)
    } else {
        RegionScan::default()
    };
    if new_scan.malformed {
        return Err("the region markers of the pack's version are malformed".to_string());
    }
    let (cur, fresh) = (
        Version::new(current, &cur_scan),
        Version::new(new, &new_scan),
    );
    let homeless: Vec<String> = cur
        .regions
        .iter()
        .filter(|r| user_owned(r.kind) && fresh.region(&r.key).is_none())
        .map(|r| {
            format!(
                "{} region {} (line {})",
                r.kind.name(),
                r.key.1,
                r.first + 1
            )
        })
        .collect();
    if !homeless.is_empty() {
        return Err(format!(
            "the pack's version has no place for the {}",
            homeless.join(", ")
        ));
    }
    let mut out = Vec::with_capacity(new.len());
    let mut line = 0;
    for region in fresh.regions.iter().filter(|r| user_owned(r.kind)) {
        let Some(mine) = cur.region(&region.key) else {
            continue;
        };
        out.extend_from_slice(fresh.lines(line, region.first + 1));
        out.extend_from_slice(cur.body(mine));
        line = region.last;
    }
    out.extend_from_slice(fresh.lines(line, fresh.line_count()));
    Ok(out)
}

const VERSION_NAMES: [&str; 3] = ["", " (base version)", " (new version)"];
const CURRENT: usize = 0;
const BASE: usize = 1;
const NEW: usize = 2;

/// A region's identity across versions: its kind and id, or its rank among the id-less
/// regions of that kind.
type Key = (RegionKind, String);

struct Located {
    key: Key,
    kind: RegionKind,
    /// 0-based first and last line (the marker lines).
    first: usize,
    last: usize,
}

struct Version<'a> {
    text: &'a [u8],
    /// Start offset of every line, plus the length of the text.
    starts: Vec<usize>,
    regions: Vec<Located>,
    by_key: BTreeMap<Key, usize>,
}

impl<'a> Version<'a> {
    fn new(text: &'a [u8], scan: &RegionScan) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' && i + 1 < text.len())
                .map(|(i, _)| i + 1),
        );
        if !text.is_empty() {
            starts.push(text.len());
        }
        let mut rank: BTreeMap<RegionKind, usize> = BTreeMap::new();
        let mut regions = Vec::new();
        let mut by_key = BTreeMap::new();
        for region in &scan.regions {
            let name = match &region.id {
                Some(id) => format!("id={id}"),
                None => {
                    let n = rank.entry(region.kind).or_insert(0);
                    *n += 1;
                    format!("#{n}")
                }
            };
            let key = (region.kind, name);
            by_key.insert(key.clone(), regions.len());
            regions.push(Located {
                key,
                kind: region.kind,
                first: region.start_line - 1,
                last: region.end_line - 1,
            });
        }
        Version {
            text,
            starts,
            regions,
            by_key,
        }
    }

    fn line_count(&self) -> usize {
        self.starts.len() - 1
    }

    /// Bytes of lines `from..to` (0-based, `to` excluded), clamped to the text.
    fn lines(&self, from: usize, to: usize) -> &'a [u8] {
        let n = self.line_count();
        let (from, to) = (from.min(n), to.clamp(from.min(n), n));
        &self.text[self.starts[from]..self.starts[to]]
    }

    fn region(&self, key: &Key) -> Option<&Located> {
        self.by_key.get(key).and_then(|&i| self.regions.get(i))
    }

    fn region_text(&self, r: &Located) -> &'a [u8] {
        self.lines(r.first, r.last + 1)
    }

    fn body(&self, r: &Located) -> &'a [u8] {
        self.lines(r.first + 1, r.last)
    }

    fn eol(&self, r: &Located) -> LineEnding {
        if self.lines(r.first, r.first + 1).ends_with(b"\r\n") {
            LineEnding::CrLf
        } else {
            LineEnding::Lf
        }
    }
}

/// Token lines stand for a region inside merged text; inputs are valid UTF-8, so the 0xFF
/// byte can never come from them.
const TOKEN_PREFIX: &[u8] = b"\xFF\xFEggen-region ";

struct Merger<'a, 'o> {
    path: &'a str,
    versions: [Version<'a>; 3],
    opts: &'o MergeOptions,
    keys: Vec<Key>,
    key_index: BTreeMap<Key, usize>,
    orphans: BTreeSet<Key>,
    emitted: BTreeSet<Key>,
    hunks: Vec<MergeHunk>,
    /// Per hunk: a conflict holding a user-owned region in its current side.
    user_owned: Vec<bool>,
    warnings: Vec<String>,
}

impl<'a, 'o> Merger<'a, 'o> {
    fn new(path: &'a str, versions: [Version<'a>; 3], opts: &'o MergeOptions) -> Self {
        let mut keys = Vec::new();
        let mut key_index = BTreeMap::new();
        for version in &versions {
            for region in &version.regions {
                key_index.entry(region.key.clone()).or_insert_with(|| {
                    keys.push(region.key.clone());
                    keys.len() - 1
                });
            }
        }
        let [cur, base, new] = &versions;
        let orphans = cur
            .regions
            .iter()
            .filter(|r| new.region(&r.key).is_none())
            .filter(|r| match (r.kind, base.region(&r.key)) {
                (_, None) => false,
                (RegionKind::Generated, Some(b)) => cur.body(r) != base.body(b),
                (_, Some(_)) => true,
            })
            .map(|r| r.key.clone())
            .collect();
        Merger {
            path,
            versions,
            opts,
            keys,
            key_index,
            orphans,
            emitted: BTreeSet::new(),
            hunks: Vec::new(),
            user_owned: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Regions present in all three versions, in an order all three agree on.
    fn anchors(&self) -> Vec<Key> {
        let [cur, base, new] = &self.versions;
        let (mut last_base, mut last_new) = (None, None);
        let mut anchors = Vec::new();
        for region in &cur.regions {
            let (Some(&b), Some(&n)) = (base.by_key.get(&region.key), new.by_key.get(&region.key))
            else {
                continue;
            };
            if last_base.is_none_or(|l| b > l) && last_new.is_none_or(|l| n > l) {
                anchors.push(region.key.clone());
                last_base = Some(b);
                last_new = Some(n);
            }
        }
        anchors
    }

    fn run(&mut self) {
        let anchors = self.anchors();
        let anchor_set: BTreeSet<Key> = anchors.iter().cloned().collect();
        let mut from = [0usize; 3];
        for anchor in anchors.iter().map(Some).chain([None]) {
            let mut segments: [Vec<u8>; 3] = Default::default();
            for (v, segment) in segments.iter_mut().enumerate() {
                let version = &self.versions[v];
                let to = match anchor.and_then(|key| version.region(key)) {
                    Some(region) => region.first,
                    None => version.line_count(),
                };
                *segment = self.skeleton(v, from[v], to, &anchor_set);
                if let Some(region) = anchor.and_then(|key| version.region(key)) {
                    from[v] = region.last + 1;
                }
            }
            let hunks = merge_lines(
                &segments[CURRENT],
                &segments[BASE],
                &segments[NEW],
                self.opts.style,
            );
            for hunk in hunks {
                self.substitute(hunk);
            }
            if let Some(key) = anchor {
                self.emit_region(key);
            }
        }
    }

    /// Lines `from..to` of version `v`, each non-anchor region replaced by its token line
    /// (in the base, orphans are left out so the current side keeps them as an insertion).
    fn skeleton(&self, v: usize, from: usize, to: usize, anchors: &BTreeSet<Key>) -> Vec<u8> {
        let version = &self.versions[v];
        let mut out = Vec::new();
        let mut line = from;
        // Regions are in file order: start at the first one at `from`, stop at `to`, so the
        // whole merge visits each region once (linear, not regions × anchors).
        let start = version.regions.partition_point(|r| r.first < from);
        for region in version.regions[start..]
            .iter()
            .take_while(|r| r.first < to)
            .filter(|r| r.last < to)
        {
            if anchors.contains(&region.key) {
                continue;
            }
            out.extend_from_slice(version.lines(line, region.first));
            if !(v == BASE && self.orphans.contains(&region.key)) {
                out.extend_from_slice(TOKEN_PREFIX);
                out.extend_from_slice(
                    self.key_index
                        .get(&region.key)
                        .copied()
                        .unwrap_or(0)
                        .to_string()
                        .as_bytes(),
                );
                out.push(b'\n');
            }
            line = region.last + 1;
        }
        out.extend_from_slice(version.lines(line, to));
        out
    }

    fn token_key(&self, line: &[u8]) -> Option<Key> {
        let index = line.strip_prefix(TOKEN_PREFIX)?.strip_suffix(b"\n")?;
        let index: usize = std::str::from_utf8(index).ok()?.parse().ok()?;
        self.keys.get(index).cloned()
    }

    /// Put region content back in place of the token lines of a merged hunk.
    fn substitute(&mut self, hunk: MergeHunk) {
        match hunk {
            MergeHunk::Resolved(text) => {
                let mut plain = Vec::new();
                for line in text.split_inclusive(|&b| b == b'\n') {
                    match self.token_key(line) {
                        Some(key) => {
                            self.push(MergeHunk::Resolved(std::mem::take(&mut plain)), false);
                            self.emit_region(&key);
                        }
                        None => plain.extend_from_slice(line),
                    }
                }
                self.push(MergeHunk::Resolved(plain), false);
            }
            MergeHunk::Conflicted(merge, eol) => {
                let mut user_owned = false;
                let [cur, base, new] = merge.into_terms();
                let mut sides = [cur, base, new];
                for (v, side) in sides.iter_mut().enumerate() {
                    let mut out = Vec::with_capacity(side.len());
                    for line in side.split_inclusive(|&b| b == b'\n') {
                        let region = self
                            .token_key(line)
                            .and_then(|key| self.versions[v].region(&key));
                        match region {
                            Some(region) => {
                                user_owned |= v == CURRENT && region.kind != RegionKind::Generated;
                                if !out.is_empty() && !out.ends_with(b"\n") {
                                    out.extend_from_slice(eol.as_bytes());
                                }
                                out.extend_from_slice(self.versions[v].region_text(region));
                            }
                            None => out.extend_from_slice(line),
                        }
                    }
                    *side = out;
                }
                let [cur, base, new] = sides;
                self.push(
                    MergeHunk::Conflicted(Merge::new(cur, base, new), eol),
                    user_owned,
                );
            }
        }
    }

    /// Push a hunk, first ending an unterminated last line (a region that ended its file).
    fn push(&mut self, hunk: MergeHunk, user_owned: bool) {
        if matches!(&hunk, MergeHunk::Resolved(t) if t.is_empty()) {
            return;
        }
        if let Some(MergeHunk::Resolved(previous)) = self.hunks.last_mut()
            && !previous.ends_with(b"\n")
        {
            // Only a region that ended its file gets here; end its last line in its style.
            let crlf = !previous.ends_with(b"\r") && previous.windows(2).any(|w| w == b"\r\n");
            previous.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        match (self.hunks.last_mut(), hunk) {
            (Some(MergeHunk::Resolved(previous)), MergeHunk::Resolved(text)) => {
                previous.extend_from_slice(&text)
            }
            (_, hunk) => {
                self.hunks.push(hunk);
                self.user_owned.push(user_owned);
            }
        }
    }

    fn name(key: &Key) -> String {
        format!(
            "{} region `{}`",
            key.0.name(),
            key.1.strip_prefix("id=").unwrap_or(&key.1)
        )
    }

    /// Write the region `key` where its token (or anchor) stands.
    fn emit_region(&mut self, key: &Key) {
        let [cur, base, new] = &self.versions;
        let (c, b, n) = (cur.region(key), base.region(key), new.region(key));
        if !self.emitted.insert(key.clone()) {
            let line = c.or(n).map_or(0, |r| r.first + 1);
            self.warnings.push(format!(
                "{}:{line}: {} appears more than once after the merge (moved in both versions)",
                self.path,
                Self::name(key)
            ));
        }
        if self.orphans.contains(key)
            && let Some(c) = c
        {
            let merge = Merge::new(
                cur.region_text(c).to_vec(),
                b.map(|b| base.region_text(b).to_vec()).unwrap_or_default(),
                Vec::new(),
            );
            let eol = cur.eol(c);
            self.warnings.push(format!(
                "{}:{}: {} is no longer in the new version; its content is kept inside a conflict block",
                self.path,
                c.first + 1,
                Self::name(key)
            ));
            self.push(MergeHunk::Conflicted(merge, eol), true);
            return;
        }
        let hunks = match (key.0, c, n) {
            (RegionKind::Generated, Some(c), Some(n)) => {
                let base_body = b.map(|b| base.body(b));
                let merge = Merge::new(Some(cur.body(c)), base_body, Some(new.body(n)));
                // Marker lines merge three-way too (a version bump only in the new version
                // updates them; a line only the file changed is kept); if both changed them,
                // the pack's line wins, since markers belong to the pack.
                let marker = |_: &Located, first: bool| {
                    let line = |v: &Version<'a>, r: &Located| {
                        let i = if first { r.first } else { r.last };
                        v.lines(i, i + 1)
                    };
                    let (cur_line, new_line) = (line(cur, c), line(new, n));
                    let base_line = b.map(|b| line(base, b));
                    match Merge::new(Some(cur_line), base_line, Some(new_line)).resolve_trivial() {
                        Some(Some(chosen)) => *chosen,
                        _ => new_line,
                    }
                };
                match merge.resolve_trivial() {
                    Some(body) => vec![MergeHunk::Resolved(
                        [marker(n, true), body.unwrap_or_default(), marker(n, false)].concat(),
                    )],
                    None => {
                        // Changed on both sides: merged line by line, so only changes that
                        // overlap conflict.
                        let body = merge_lines(
                            cur.body(c),
                            base_body.unwrap_or_default(),
                            new.body(n),
                            self.opts.style,
                        );
                        if body.iter().any(MergeHunk::is_conflict) {
                            self.warnings.push(format!(
                                "{}:{}: {} was changed both in the file and in the new version, in the same lines",
                                self.path,
                                c.first + 1,
                                Self::name(key)
                            ));
                        }
                        let mut hunks = vec![MergeHunk::Resolved(marker(n, true).to_vec())];
                        hunks.extend(body);
                        hunks.push(MergeHunk::Resolved(marker(n, false).to_vec()));
                        hunks
                    }
                }
            }
            (_, Some(c), _) => vec![MergeHunk::Resolved(cur.region_text(c).to_vec())],
            (_, None, Some(n)) => vec![MergeHunk::Resolved(new.region_text(n).to_vec())],
            (_, None, None) => Vec::new(),
        };
        for hunk in hunks {
            self.push(hunk, false);
        }
    }
}
