//! `.ggen/state.json`: what the lifecycle ran, when, how it ended, and the cache keys that
//! let a phase be skipped while its inputs are unchanged.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ProjectError;

/// Runs kept in the history; older ones are dropped.
const HISTORY_LIMIT: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LifecycleState {
    #[serde(default)]
    pub last_phase: Option<String>,
    #[serde(default)]
    pub history: Vec<PhaseRecord>,
    /// Phase -> cache key of its last successful run.
    #[serde(default)]
    pub cache: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseRecord {
    pub phase: String,
    /// Milliseconds since the Unix epoch.
    pub started_at_ms: u64,
    pub duration_ms: u64,
    /// `succeeded`, `failed` or `skipped`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Files the phase generated (the template phase).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

impl LifecycleState {
    pub fn load(path: &Path) -> Result<LifecycleState, ProjectError> {
        match ggen_fs::read_optional(path)? {
            None => Ok(LifecycleState::default()),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| ProjectError::Lifecycle {
                message: format!(
                    "{} is corrupt: {e} (delete it to start afresh)",
                    path.display()
                ),
            }),
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), ProjectError> {
        let mut text = serde_json::to_vec_pretty(self).map_err(|e| ProjectError::Internal {
            message: format!("cannot serialise lifecycle state: {e}"),
        })?;
        text.push(b'\n');
        ggen_fs::write_atomic(path, &text, ggen_fs::Durability::Sync)?;
        Ok(())
    }

    pub fn record(&mut self, record: PhaseRecord) {
        self.last_phase = Some(record.phase.clone());
        self.history.push(record);
        if self.history.len() > HISTORY_LIMIT {
            let excess = self.history.len() - HISTORY_LIMIT;
            self.history.drain(..excess);
        }
    }
}
