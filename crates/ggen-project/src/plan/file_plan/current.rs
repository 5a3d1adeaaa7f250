//! The disk's version of a file, read once per plan (from the stat cache when it can).

use super::PlanInputs;
use crate::ProjectError;
use crate::state::snapshot::FileStat;

/// The hash `read_current` gives what is not a regular file.
pub(super) const NOT_A_FILE: &str = "not-a-file";

/// The disk's version of a file: its hash (from the stat cache when the file is unchanged
/// since ggen last saw it) and, when needed, its bytes.
pub(super) struct Current {
    pub(super) hash: String,
    bytes: Option<Vec<u8>>,
    pub(super) stat: FileStat,
}

pub(super) fn read_current(
    inputs: &PlanInputs<'_>,
    path: &str,
    known: Option<&FileStat>,
) -> Result<Option<Current>, ProjectError> {
    let full = inputs.layout.file(path);
    let Ok(meta) = std::fs::symlink_metadata(&full) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Ok(Some(Current {
            hash: String::from(NOT_A_FILE),
            bytes: None,
            stat: FileStat::from_metadata(&meta, String::new()),
        }));
    }
    if let Some(stat) = known
        && stat.matches(&meta)
    {
        return Ok(Some(Current {
            hash: stat.hash.clone(),
            bytes: None,
            stat: stat.clone(),
        }));
    }
    let bytes = ggen_fs::read(&full)?;
    let hash = ggen_pack::integrity::sha256(&bytes);
    Ok(Some(Current {
        stat: FileStat::from_metadata(&meta, hash.clone()),
        hash,
        bytes: Some(bytes),
    }))
}

impl Current {
    pub(super) fn bytes(
        &mut self,
        inputs: &PlanInputs<'_>,
        path: &str,
    ) -> Result<&[u8], ProjectError> {
        if self.bytes.is_none() {
            self.bytes = Some(ggen_fs::read(&inputs.layout.file(path))?);
        }
        Ok(self.bytes.as_deref().unwrap_or_default())
    }
}
