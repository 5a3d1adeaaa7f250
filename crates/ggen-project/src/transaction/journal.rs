//! The record of one transaction: the state of every path it touches before (and, once
//! committed, after) the change. In flight it lives in `.ggen/journal/<txid>/`, finished in
//! `.ggen/history/<txid>/`. File contents are not copied into it: they are referenced by hash
//! in the object store.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use ggen_fs::Durability;
use serde::{Deserialize, Serialize};

use crate::state::objects::ObjectStore;
use crate::state::snapshot::FileStat;
use crate::{Layout, ProjectError};

/// The current record format.
pub const FORMAT: u32 = 1;

/// The record's file inside a transaction's directory.
pub const RECORD_FILE: &str = "transaction.json";

/// What is at a path: nothing, a file (by content hash), or a symbolic link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PathState {
    Absent,
    File {
        hash: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        executable: bool,
    },
    Symlink {
        target: String,
    },
}

impl PathState {
    pub fn hash(&self) -> Option<&str> {
        match self {
            PathState::File { hash, .. } => Some(hash),
            _ => None,
        }
    }

    /// Same content (the executable bit aside).
    pub fn same_content(&self, other: &PathState) -> bool {
        match (self, other) {
            (PathState::File { hash: a, .. }, PathState::File { hash: b, .. }) => a == b,
            (a, b) => a == b,
        }
    }
}

/// One path's state before and after the transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathChange {
    pub before: PathState,
    pub after: PathState,
}

/// A pack the transaction installed (`from` absent), removed (`to` absent) or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackChange {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// One transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub format: u32,
    /// Sortable: `YYYYMMDDTHHMMSSZ-NNNN` (UTC time, then a counter).
    pub id: String,
    /// When it began, RFC 3339 UTC.
    pub time: String,
    /// The command that made it, e.g. `packs update`.
    pub command: String,
    /// False while in flight; a record still in `.ggen/journal/` is never committed.
    pub committed: bool,
    #[serde(default)]
    pub packs: Vec<PackChange>,
    pub lockfile: PathChange,
    pub snapshot: PathChange,
    /// Project files, by `/`-separated relative path.
    pub files: BTreeMap<String, PathChange>,
    /// Files the change moved (SPEC §5, moves): new path -> old path. Both paths are in
    /// `files`; history shows each move as one change.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub moves: BTreeMap<String, String>,
}

impl Record {
    /// Reads `<dir>/transaction.json`; `Ok(None)` when the file is not there.
    pub fn read(dir: &Path) -> Result<Option<Record>, ProjectError> {
        let path = dir.join(RECORD_FILE);
        let Some(bytes) = ggen_fs::read_optional(&path)? else {
            return Ok(None);
        };
        let record: Record = serde_json::from_slice(&bytes).map_err(|e| ProjectError::Journal {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if record.format != FORMAT {
            return Err(ProjectError::Journal {
                path,
                message: format!("format {} is not supported", record.format),
            });
        }
        for relative in record.files.keys() {
            check_relative(relative, &dir.display().to_string())?;
        }
        Ok(Some(record))
    }

    /// Writes `<dir>/transaction.json` atomically; durability is the caller's barrier.
    pub fn write(&self, dir: &Path) -> Result<(), ProjectError> {
        let bytes = serde_json::to_vec(self).map_err(|e| ProjectError::Internal {
            message: format!("cannot serialise transaction {}: {e}", self.id),
        })?;
        ggen_fs::write_atomic(&dir.join(RECORD_FILE), &bytes, Durability::Batch)?;
        Ok(())
    }

    /// Paths whose content the transaction changed, sorted.
    pub fn changed_files(&self) -> impl Iterator<Item = (&String, &PathChange)> {
        self.files.iter().filter(|(_, c)| c.before != c.after)
    }

    /// True when the transaction changed nothing: no file, and `ggen.lock` and the snapshot
    /// byte for byte as before.
    pub fn is_empty(&self) -> bool {
        self.changed_files().next().is_none()
            && self.lockfile.before == self.lockfile.after
            && self.snapshot.before == self.snapshot.after
    }
}

/// Refuses a recorded path that is absolute, climbs with `..`, or names ggen's own state.
pub fn check_relative(relative: &str, origin: &str) -> Result<(), ProjectError> {
    let path = Path::new(relative);
    let plain = !relative.is_empty()
        && path.components().all(|c| matches!(c, Component::Normal(_)))
        && !matches!(path.components().next(), Some(Component::Normal(n)) if n == ".ggen")
        && relative != "ggen.lock";
    if plain {
        Ok(())
    } else {
        Err(ProjectError::UnsafePath {
            path: relative.to_string(),
            origin: origin.to_string(),
        })
    }
}

/// A file's content the object store does not hold yet: (hash, bytes).
pub type Missing = Option<(String, Vec<u8>)>;

/// The state of `path` now, and the file's content when `store` does not hold it yet: the
/// caller stores it (with the other captures, [`ObjectStore::store_all`]) so that the state
/// can be restored later. `known` is the stat ggen recorded when it last wrote or hashed the
/// file: while the file still has it and the store holds that content, the state is known
/// without reading the file (the way the plan reads the disk, and git its index).
pub fn capture(
    path: &Path,
    store: &ObjectStore,
    known: Option<&FileStat>,
) -> Result<(PathState, Missing), ProjectError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((PathState::Absent, None)),
        Err(e) => return Err(ggen_fs::FsError::new("cannot read", path, e).into()),
    };
    if meta.file_type().is_symlink() {
        let target =
            std::fs::read_link(path).map_err(|e| ggen_fs::FsError::new("cannot read", path, e))?;
        let target = target.to_string_lossy().into_owned();
        return Ok((PathState::Symlink { target }, None));
    }
    if !meta.is_file() {
        return Err(ProjectError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    if let Some(stat) = known
        && stat.matches(&meta)
        && store.holds(&stat.hash, meta.len())?
    {
        let state = PathState::File {
            hash: stat.hash.clone(),
            executable: ggen_fs::is_executable(&meta),
        };
        return Ok((state, None));
    }
    let bytes = ggen_fs::read(path)?;
    let hash = ggen_pack::integrity::sha256(&bytes);
    let state = PathState::File {
        hash: hash.clone(),
        executable: ggen_fs::is_executable(&meta),
    };
    let missing = (!store.holds(&hash, bytes.len() as u64)?).then_some((hash, bytes));
    Ok((state, missing))
}

/// The state of `path` now, without storing anything; `None` for a directory or other
/// non-file, which no transaction creates.
pub fn current(path: &Path) -> Result<Option<PathState>, ProjectError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Some(PathState::Absent));
        }
        Err(e) => return Err(ggen_fs::FsError::new("cannot read", path, e).into()),
    };
    if meta.file_type().is_symlink() {
        let target =
            std::fs::read_link(path).map_err(|e| ggen_fs::FsError::new("cannot read", path, e))?;
        return Ok(Some(PathState::Symlink {
            target: target.to_string_lossy().into_owned(),
        }));
    }
    if !meta.is_file() {
        return Ok(None);
    }
    let bytes = ggen_fs::read(path)?;
    Ok(Some(PathState::File {
        hash: ggen_pack::integrity::sha256(&bytes),
        executable: ggen_fs::is_executable(&meta),
    }))
}

/// Brings `path` to `state` (content from the object store); true when something changed.
/// A directory where a file should be absent is left alone: transactions never make one.
pub fn restore(path: &Path, state: &PathState, store: &ObjectStore) -> Result<bool, ProjectError> {
    let now = current(path)?;
    if now.as_ref() == Some(state) {
        return Ok(false);
    }
    match state {
        PathState::Absent => {
            if now.is_none() {
                return Ok(false);
            }
            ggen_fs::remove_file(path)?;
        }
        PathState::File { hash, executable } => {
            let same_content = now.as_ref().and_then(PathState::hash) == Some(hash.as_str());
            if !same_content {
                let bytes = store.get(hash)?;
                ggen_fs::write_atomic(path, &bytes, Durability::Batch)?;
            }
            ggen_fs::set_executable(path, *executable)?;
        }
        PathState::Symlink { target } => {
            if now.is_none() {
                return Err(ProjectError::NotAFile {
                    path: path.to_path_buf(),
                });
            }
            ggen_fs::write_symlink(path, Path::new(target))?;
        }
    }
    Ok(true)
}

/// A new transaction id, later than every one in the journal and the history.
pub fn new_id(layout: &Layout) -> Result<String, ProjectError> {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let stamp = compact_time(secs);
    let latest = [layout.journal_dir(), layout.history_dir()]
        .iter()
        .flat_map(|dir| entry_names(dir))
        .max();
    let (stamp, counter) = match latest.as_deref().and_then(|id| id.split_once('-')) {
        Some((last_stamp, n)) if last_stamp >= stamp.as_str() => (
            last_stamp.to_string(),
            n.parse::<u32>().unwrap_or(0).saturating_add(1),
        ),
        _ => (stamp, 1),
    };
    Ok(format!("{stamp}-{counter:04}"))
}

/// The names of the transaction directories under `dir`, sorted (oldest first).
pub fn entry_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| is_id(name))
        .collect();
    names.sort();
    names
}

/// `YYYYMMDDTHHMMSSZ-NNNN`, the shape [`new_id`] makes.
pub fn is_id(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() >= 21
        && bytes[..8].iter().all(u8::is_ascii_digit)
        && bytes[8] == b'T'
        && bytes[9..15].iter().all(u8::is_ascii_digit)
        && &bytes[15..17] == b"Z-"
        && bytes[17..].iter().all(u8::is_ascii_digit)
}

/// The directory of transaction `id` under `parent` (journal or history).
pub fn dir_of(parent: &Path, id: &str) -> PathBuf {
    parent.join(id)
}

/// Now, RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    ggen_registry::time::now_rfc3339()
}

fn compact_time(secs: u64) -> String {
    let (date, time) = ggen_registry::time::civil(secs);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        date.0, date.1, date.2, time.0, time.1, time.2
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_then_counter_and_never_repeat() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        let first = new_id(&layout).unwrap();
        assert!(is_id(&first), "{first}");
        std::fs::create_dir_all(layout.history_dir().join(&first)).unwrap();
        let second = new_id(&layout).unwrap();
        assert!(second > first, "{second} <= {first}");
        // A clock that went back still gives a later id.
        std::fs::create_dir_all(layout.journal_dir().join("29991231T235959Z-0007")).unwrap();
        assert_eq!(new_id(&layout).unwrap(), "29991231T235959Z-0008");
        assert_eq!(compact_time(0), "19700101T000000Z");
        assert_eq!(compact_time(951_782_400), "20000229T000000Z");
    }

    #[test]
    fn recorded_paths_must_stay_inside_the_project() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            ".ggen/objects/x",
            "ggen.lock",
        ] {
            assert!(check_relative(bad, "test").is_err(), "{bad}");
        }
        for good in ["src/main.rs", "a/b/.ggen", "ggen.lock.bak"] {
            assert!(check_relative(good, "test").is_ok(), "{good}");
        }
    }

    #[test]
    fn a_file_with_its_recorded_stat_is_journaled_by_the_recorded_hash_unread() {
        let dir = tempfile::tempdir().unwrap();
        let store = ObjectStore::new(dir.path().join("objects"));
        let file = dir.path().join("file.txt");
        ggen_fs::write_atomic(&file, b"disk", Durability::Batch).unwrap();
        // A recorded stat of this very file that names other content of the same size
        // (held by the store): trusted, so the state is the recorded hash, unread.
        let other = ggen_pack::integrity::sha256(b"base");
        store
            .store_all(&[(other.as_str(), b"base".as_slice())])
            .unwrap();
        let meta = std::fs::symlink_metadata(&file).unwrap();
        let recorded = FileStat::from_metadata(&meta, other.clone());
        let (state, missing) = capture(&file, &store, Some(&recorded)).unwrap();
        assert_eq!(
            state,
            PathState::File {
                hash: other.clone(),
                executable: false
            }
        );
        assert!(missing.is_none());
        // Content the store lacks is never trusted by stat: it could not be restored.
        let absent = FileStat::from_metadata(&meta, ggen_pack::integrity::sha256(b"gone"));
        let (state, _) = capture(&file, &store, Some(&absent)).unwrap();
        assert_eq!(
            state.hash(),
            Some(ggen_pack::integrity::sha256(b"disk").as_str())
        );
        // Once the file changes, its stat no longer matches: it is read.
        ggen_fs::write_atomic(&file, b"edit", Durability::Batch).unwrap();
        let (state, missing) = capture(&file, &store, Some(&recorded)).unwrap();
        let edited = ggen_pack::integrity::sha256(b"edit");
        assert_eq!(state.hash(), Some(edited.as_str()));
        assert_eq!(missing.map(|(hash, _)| hash), Some(edited));
    }

    #[test]
    fn capture_and_restore_round_trip_files_links_and_absence() {
        let dir = tempfile::tempdir().unwrap();
        let store = ObjectStore::new(dir.path().join("objects"));
        let file = dir.path().join("p/file.txt");
        // What a transaction does: capture, then store what the store lacks.
        let capture_and_store = |path: &Path| {
            let (state, missing) = capture(path, &store, None).unwrap();
            if let Some((hash, bytes)) = &missing {
                store
                    .store_all(&[(hash.as_str(), bytes.as_slice())])
                    .unwrap();
            }
            state
        };
        let absent = capture_and_store(&file);
        assert_eq!(absent, PathState::Absent);
        ggen_fs::write_atomic(&file, b"one", Durability::Batch).unwrap();
        let one = capture_and_store(&file);
        assert!(
            capture(&file, &store, None).unwrap().1.is_none(),
            "stored once"
        );
        ggen_fs::write_atomic(&file, b"two", Durability::Batch).unwrap();
        assert!(restore(&file, &one, &store).unwrap());
        assert_eq!(std::fs::read(&file).unwrap(), b"one");
        assert!(!restore(&file, &one, &store).unwrap(), "already restored");
        assert!(restore(&file, &absent, &store).unwrap());
        assert!(!file.exists());
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink("p/file.txt", &link).unwrap();
            let state = capture_and_store(&link);
            std::fs::remove_file(&link).unwrap();
            std::fs::write(&link, "in the way").unwrap();
            assert!(restore(&link, &state, &store).unwrap());
            assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("p/file.txt"));
        }
    }
}
