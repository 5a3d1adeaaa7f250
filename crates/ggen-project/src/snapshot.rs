//! `.ggen/snapshot.json`: the baseline of the last generation, from which later commands
//! find drift and merge bases. The only module that owns the merge base.

use std::collections::BTreeMap;
use std::path::Path;

use ggen_fs::Durability;
use serde::{Deserialize, Serialize};

use crate::ProjectError;

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
    /// Regions found in the generated content (kind, id, lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<SnapshotRegion>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotRegion {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub start_line: usize,
    pub end_line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotPack {
    pub version: String,
    pub source: String,
    pub integrity: String,
    pub variables: BTreeMap<String, String>,
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
    /// Paths this template generated.
    pub outputs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotConflict {
    pub pack: String,
    pub template: String,
    /// Why the pack's content was not written, e.g. `exists`.
    pub reason: String,
    /// Hash of the pack's content, kept in the object store.
    pub new: String,
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
        let Some(bytes) = ggen_fs::read_optional(path)? else {
            return Ok(None);
        };
        let snapshot: Snapshot =
            serde_json::from_slice(&bytes).map_err(|e| ProjectError::CorruptSnapshot {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        if snapshot.format != FORMAT {
            return Err(ProjectError::CorruptSnapshot {
                path: path.to_path_buf(),
                message: format!("format {} is not supported", snapshot.format),
            });
        }
        Ok(Some(snapshot))
    }

    pub fn save(&self, path: &Path) -> Result<(), ProjectError> {
        let mut text = serde_json::to_vec_pretty(self).map_err(|e| ProjectError::Internal {
            message: format!("cannot serialise the snapshot: {e}"),
        })?;
        text.push(b'\n');
        ggen_fs::write_atomic(path, &text, Durability::Sync)?;
        Ok(())
    }
}
