//! `.ggen/snapshot.json`: the baseline of the last generation, from which later commands
//! find drift and merge bases. The only module that owns the merge base.

use std::collections::BTreeMap;
use std::path::Path;

use ggen_fs::Durability;
use serde::{Deserialize, Serialize};

use super::parsed::Parsed;
use crate::ProjectError;
use crate::merge::Merge;

/// The value of the last snapshot file checked, for the command that loads it next.
static PARSED: Parsed<Snapshot> = Parsed::new();

pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: u32,
    /// Every generated file, by project-relative path.
    pub files: BTreeMap<String, SnapshotFile>,
    /// Every installed pack, by id.
    pub packs: BTreeMap<String, SnapshotPack>,
    /// Files a pack would have written but did not because something else was in the way.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conflicts: BTreeMap<String, SnapshotConflict>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotFile {
    /// `sha256-<hex>` of the generated content; the object holding it is the merge base.
    pub hash: String,
    pub size: u64,
    pub pack: String,
    pub version: String,
    pub template: String,
    /// Created once and never touched again (`unless_exists`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unless_exists: bool,
    /// Generated with the executable bit (its pack file has it): the base of a mode change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub executable: bool,
    /// Regions found in the generated content (kind, id, lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<SnapshotRegion>>,
    /// The file on disk when ggen last wrote or hashed it: while size, mtime and inode are
    /// unchanged its content hash is known without reading it (like git's index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<FileStat>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    pub size: u64,
    pub mtime_ns: i128,
    /// Changes with every write and every `touch` that puts an mtime back (0 in snapshots
    /// written before it was recorded: those files are read once more).
    #[serde(default)]
    pub ctime_ns: i128,
    pub inode: u64,
    /// `sha256-<hex>` of the content that had this stat.
    pub hash: String,
}

impl FileStat {
    /// The stat of `path`, paired with the hash of its (known) content; `None` if absent.
    pub fn read(path: &std::path::Path, hash: String) -> Option<FileStat> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        Some(FileStat::from_metadata(&meta, hash))
    }

    pub fn from_metadata(meta: &std::fs::Metadata, hash: String) -> FileStat {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as i128)
            .unwrap_or(0);
        #[cfg(unix)]
        let (inode, ctime_ns) = {
            use std::os::unix::fs::MetadataExt;
            let ctime_ns = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
            (meta.ino(), ctime_ns)
        };
        #[cfg(not(unix))]
        let (inode, ctime_ns) = (0, 0);
        FileStat {
            size: meta.len(),
            mtime_ns,
            ctime_ns,
            inode,
            hash,
        }
    }

    /// True when `meta` describes the same file content this stat was taken of.
    pub fn matches(&self, meta: &std::fs::Metadata) -> bool {
        let now = FileStat::from_metadata(meta, String::new());
        now.size == self.size
            && now.mtime_ns == self.mtime_ns
            && now.ctime_ns == self.ctime_ns
            && now.inode == self.inode
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotRegion {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub start_line: usize,
    pub end_line: usize,
}

impl SnapshotRegion {
    /// The regions of generated `content` (none for binary content), and the marker
    /// problems found, as `(line, message)`.
    pub fn scan(path: &str, content: &[u8]) -> (Option<Vec<SnapshotRegion>>, Vec<(usize, String)>) {
        let Ok(text) = std::str::from_utf8(content) else {
            return (None, Vec::new());
        };
        let scan = ggen_merge::regions::scan(path, text);
        let regions = scan
            .regions
            .into_iter()
            .map(|r| SnapshotRegion {
                kind: r.kind.name().to_string(),
                id: r.id,
                start_line: r.start_line,
                end_line: r.end_line,
            })
            .collect();
        let warnings = scan
            .warnings
            .into_iter()
            .map(|w| (w.line, w.message))
            .collect();
        (Some(regions), warnings)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotPack {
    pub version: String,
    pub source: String,
    pub integrity: String,
    /// Typed (booleans, integers, lists as TOML values); secrets are never recorded.
    pub variables: BTreeMap<String, ggen_pack::variables::TypedValue>,
    /// Paths this pack generated, sorted.
    pub files: Vec<String>,
    pub graph: GraphRecord,
    /// By template source path.
    pub templates: BTreeMap<String, TemplateRecord>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GraphRecord {
    /// Canonical hash, stable under blank-node relabelling.
    pub hash: String,
    pub triples: usize,
    /// Graph file (pack-relative) -> `sha256-<hex>` of its bytes.
    pub sources: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TemplateRecord {
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreach: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sparql: BTreeMap<String, String>,
    /// Paths this template generated, with the hash of each output (kept in the object
    /// store), so an unchanged template need not be rendered again.
    pub outputs: BTreeMap<String, String>,
    /// Outputs whose frontmatter declared `moved_from`: output path -> the old path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub moved_from: BTreeMap<String, String>,
    /// Hash of everything the outputs depend on: the template, the pack version, the
    /// variables, and the graph when the template queries it. Same key, same outputs.
    #[serde(default)]
    pub key: String,
}

/// A file whose update could not be settled automatically. Every version involved is kept
/// in the object store, so `ggen resolve` can take either side later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ConflictRecord", into = "ConflictRecord")]
pub struct SnapshotConflict {
    pub pack: String,
    pub template: String,
    /// `exists` (a file was in the way), `merge` (conflict blocks written into the file) or
    /// `binary` (both sides changed a binary file; the current one was kept).
    pub reason: String,
    /// The object hashes of the three versions: the file as the user had it before the
    /// update (`current`), what ggen generated before (`base`), the pack's new content
    /// (`new`, always present: a snapshot without it does not parse).
    pub versions: Merge<Option<String>>,
    /// For `merge`: the size of the conflict markers written into the file (ggen widens them
    /// past marker-like content lines), so `resolve --merged`, `status` and `conflicts` read
    /// them back exactly. Absent in older snapshots: any marker-like line counts.
    pub marker_size: Option<usize>,
}

impl SnapshotConflict {
    /// A conflict found from the blocks in a file with no record of the merge (conflicts
    /// committed to git, seen in a checkout without `.ggen/`): the sides are in the blocks.
    pub fn known_from_blocks(&self) -> bool {
        self.reason == "merge" && self.versions.current.is_none() && self.versions.base.is_none()
    }

    /// The object hash of the pack's new content.
    pub fn new_hash(&self) -> Result<&str, ProjectError> {
        self.versions
            .new
            .as_deref()
            .ok_or_else(|| ProjectError::Internal {
                message: format!(
                    "the conflict recorded for a file of `{}` has no new version",
                    self.pack
                ),
            })
    }
}

/// How a [`SnapshotConflict`] is written in `snapshot.json` (and `ggen conflicts --json`):
/// the three versions as flat keys.
#[derive(Serialize, Deserialize)]
struct ConflictRecord {
    pack: String,
    template: String,
    reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current: Option<String>,
    new: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    marker_size: Option<usize>,
}

impl From<ConflictRecord> for SnapshotConflict {
    fn from(record: ConflictRecord) -> SnapshotConflict {
        SnapshotConflict {
            pack: record.pack,
            template: record.template,
            reason: record.reason,
            versions: Merge::new(record.current, record.base, Some(record.new)),
            marker_size: record.marker_size,
        }
    }
}

impl From<SnapshotConflict> for ConflictRecord {
    fn from(conflict: SnapshotConflict) -> ConflictRecord {
        ConflictRecord {
            pack: conflict.pack,
            template: conflict.template,
            reason: conflict.reason,
            base: conflict.versions.base,
            current: conflict.versions.current,
            new: conflict.versions.new.unwrap_or_default(),
            marker_size: conflict.marker_size,
        }
    }
}

impl Snapshot {
    pub fn new() -> Snapshot {
        Snapshot {
            format: FORMAT,
            ..Snapshot::default()
        }
    }

    /// Reads `path`; `None` when absent.
    pub fn load(path: &Path) -> Result<Option<Snapshot>, ProjectError> {
        PARSED.load(path, |bytes| Snapshot::parse(bytes, path))
    }

    /// Whether the file at `path` (if any) parses; the value is kept for the next
    /// [`Snapshot::load`] of the same bytes, so checking before a command costs no second parse.
    pub fn check(path: &Path) -> Result<(), ProjectError> {
        PARSED.check(path, |bytes| Snapshot::parse(bytes, path))
    }

    /// Parses a snapshot's bytes; `path` names it in errors.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Snapshot, ProjectError> {
        let corrupt = |message: String| ProjectError::CorruptSnapshot {
            path: path.to_path_buf(),
            message,
        };
        verify_checksum(bytes).map_err(corrupt)?;
        let snapshot: Snapshot =
            serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        if snapshot.format != FORMAT {
            return Err(corrupt(format!(
                "format {} is not supported",
                snapshot.format
            )));
        }
        Ok(snapshot)
    }

    pub fn save(&self, path: &Path) -> Result<(), ProjectError> {
        ggen_fs::write_atomic(path, &self.to_bytes()?, Durability::Sync)?;
        Ok(())
    }

    /// The file's bytes: compact JSON (one line; 30% fewer bytes than indented, which a
    /// transaction writes twice, the file and its copy in the history) whose last key,
    /// `checksum`, is the sha256 of the document before it (with the closing brace), so
    /// damage is detected on load. `jq . .ggen/snapshot.json` shows it indented.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProjectError> {
        let mut text = serde_json::to_vec(self).map_err(|e| ProjectError::Internal {
            message: format!("cannot serialise the snapshot: {e}"),
        })?;
        let checksum = ggen_pack::integrity::sha256(&text);
        if text.pop() != Some(b'}') {
            return Err(ProjectError::Internal {
                message: "the snapshot did not serialise to a JSON object".into(),
            });
        }
        text.extend_from_slice(CHECKSUM.key);
        text.extend_from_slice(checksum.as_bytes());
        text.extend_from_slice(CHECKSUM.end);
        Ok(text)
    }
}

/// Where a snapshot's checksum stands: the key that opens it, what follows the hash, and
/// what closed the document it covers (which the key and the hash were put before).
struct ChecksumLayout {
    key: &'static [u8],
    end: &'static [u8],
    closing: &'static [u8],
}

/// The layout [`Snapshot::to_bytes`] writes.
const CHECKSUM: ChecksumLayout = ChecksumLayout {
    key: b",\"checksum\":\"",
    end: b"\"}\n",
    closing: b"}",
};

/// The indented layout of snapshots written before they were compact; still read.
const INDENTED_CHECKSUM: ChecksumLayout = ChecksumLayout {
    key: b",\n  \"checksum\": \"",
    end: b"\"\n}\n",
    closing: b"\n}",
};

/// Checks the trailing `checksum` that [`Snapshot::to_bytes`] writes (or wrote, indented).
/// A snapshot without one (written before checksums existed) passes. Inside the JSON a key
/// never stands unescaped in a string, so the last match is the checksum's own.
fn verify_checksum(bytes: &[u8]) -> Result<(), String> {
    let found = [&CHECKSUM, &INDENTED_CHECKSUM]
        .into_iter()
        .find_map(|layout| {
            let at = bytes
                .windows(layout.key.len())
                .rposition(|w| w == layout.key)?;
            Some((layout, at))
        });
    let Some((layout, at)) = found else {
        return Ok(());
    };
    let tail = &bytes[at + layout.key.len()..];
    let recorded = tail
        .strip_suffix(layout.end)
        .and_then(|hash| std::str::from_utf8(hash).ok())
        .ok_or("its checksum line is damaged")?;
    let actual = ggen_pack::integrity::sha256_of_parts(&[&bytes[..at], layout.closing]);
    if actual == recorded {
        Ok(())
    } else {
        Err(format!(
            "its content does not match its checksum (recorded {recorded}, content {actual})"
        ))
    }
}

#[cfg(test)]
mod checksum_tests {
    use super::*;

    #[test]
    fn a_damaged_snapshot_fails_its_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.json");
        let mut snapshot = Snapshot::new();
        snapshot.packs.insert(
            "demo".into(),
            SnapshotPack {
                version: "1.0.0".into(),
                source: "path+file:///x".into(),
                integrity: "sha256-00".into(),
                variables: BTreeMap::new(),
                files: vec![],
                graph: GraphRecord::default(),
                templates: BTreeMap::new(),
            },
        );
        snapshot.save(&path).unwrap();
        assert_eq!(Snapshot::load(&path).unwrap(), Some(snapshot.clone()));
        let good = std::fs::read(&path).unwrap();
        // Still valid JSON, different content: only the checksum can tell.
        let text = String::from_utf8(good.clone())
            .unwrap()
            .replace("1.0.0", "1.0.1");
        std::fs::write(&path, text).unwrap();
        let err = Snapshot::load(&path).unwrap_err();
        assert!(
            matches!(err, ProjectError::CorruptSnapshot { .. })
                && err.to_string().contains("checksum"),
            "{err}"
        );
        // A snapshot from before checksums still loads.
        let mut old = serde_json::to_vec_pretty(&snapshot).unwrap();
        old.push(b'\n');
        std::fs::write(&path, &old).unwrap();
        assert_eq!(Snapshot::load(&path).unwrap(), Some(snapshot.clone()));
        // So does one written indented with its checksum (before snapshots were compact),
        // and its checksum is still checked.
        old.truncate(old.len() - 3);
        let indented_body = [&old[..], b"\n}"].concat();
        let checksum = ggen_pack::integrity::sha256(&indented_body);
        let indented = format!(
            "{},\n  \"checksum\": \"{checksum}\"\n}}\n",
            String::from_utf8(old).unwrap()
        );
        std::fs::write(&path, &indented).unwrap();
        assert_eq!(Snapshot::load(&path).unwrap(), Some(snapshot));
        std::fs::write(&path, indented.replace("1.0.0", "1.0.1")).unwrap();
        assert!(Snapshot::load(&path).is_err());
    }

    #[test]
    fn a_snapshot_is_written_compact_with_its_checksum_last() {
        let bytes = Snapshot::new().to_bytes().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("{\"format\":1,"), "{text}");
        assert!(
            text.ends_with("\"}\n") && text.lines().count() == 1,
            "{text}"
        );
        assert!(verify_checksum(&bytes).is_ok());
        let damaged = text.replacen("\"format\":1", "\"format\":2", 1);
        assert!(verify_checksum(damaged.as_bytes()).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_is_written_with_its_three_versions_as_flat_keys() {
        let text = r#"{"pack":"p","template":"t.tmpl","reason":"merge","base":"b1","current":"c1","new":"n1","marker_size":9}"#;
        let conflict: SnapshotConflict = serde_json::from_str(text).unwrap();
        assert_eq!(
            conflict.versions,
            Merge::new(Some("c1".into()), Some("b1".into()), Some("n1".into()))
        );
        assert_eq!(conflict.marker_size, Some(9));
        assert_eq!(serde_json::to_string(&conflict).unwrap(), text);

        let in_the_way = r#"{"pack":"p","template":"t.tmpl","reason":"exists","new":"n1"}"#;
        let conflict: SnapshotConflict = serde_json::from_str(in_the_way).unwrap();
        assert_eq!(conflict.versions, Merge::new(None, None, Some("n1".into())));
        assert_eq!(serde_json::to_string(&conflict).unwrap(), in_the_way);

        let without_new = r#"{"pack":"p","template":"t.tmpl","reason":"exists"}"#;
        assert!(serde_json::from_str::<SnapshotConflict>(without_new).is_err());
    }
}
