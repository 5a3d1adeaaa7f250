//! `ggen conflicts` and `ggen resolve`: settling files an update could not merge.

use serde::Serialize;

pub use crate::plan::resolution::Side;
use crate::plan::resolution::{Resolution, decide_resolution};
use crate::project::{Project, load_project};
use crate::state::objects::ObjectStore;
use crate::state::snapshot::{FileStat, SnapshotConflict, SnapshotFile, SnapshotRegion};
use crate::transaction::{FileChange, Transaction};
use crate::{Environment, Layout, ProjectError, Reporter};

#[derive(Debug, Clone, Serialize)]
pub struct ConflictEntry {
    pub path: String,
    #[serde(flatten)]
    pub conflict: SnapshotConflict,
    /// How the conflict was settled outside ggen (`resolved in git`), if it was; `ggen
    /// resolve --merged` records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settled: Option<&'static str>,
}

/// The unresolved conflicts, sorted by path.
pub fn conflicts(layout: &Layout) -> Result<Vec<ConflictEntry>, ProjectError> {
    let (_, snapshot) = load_project(layout)?;
    Ok(snapshot
        .conflicts
        .into_iter()
        .map(|(path, conflict)| ConflictEntry {
            settled: crate::state::git_index::settled_in_git(
                layout.root(),
                &path,
                conflict.marker_size,
            ),
            path,
            conflict,
        })
        .collect())
}

/// The bytes `resolution` settles the conflict on `path` with; `None` leaves the disk as it is.
fn settled_bytes(
    layout: &Layout,
    path: &str,
    conflict: &SnapshotConflict,
    resolution: Resolution,
    objects: &ObjectStore,
) -> Result<Option<Vec<u8>>, ProjectError> {
    let versions = &conflict.versions;
    let settle = |favor| ggen_merge::MergeOptions {
        favor: Some(favor),
        ..ggen_merge::MergeOptions::default()
    };
    Ok(Some(match resolution {
        Resolution::KeepDisk => return Ok(None),
        Resolution::AcceptMerged => {
            let bytes = ggen_fs::read(&layout.file(path))?;
            if let Some(line) = ggen_merge::first_marker_line(&bytes, conflict.marker_size) {
                return Err(ProjectError::MarkersRemain {
                    path: path.to_string(),
                    line,
                });
            }
            return Ok(None);
        }
        Resolution::SettleBlocks(favor) => {
            let bytes = ggen_fs::read(&layout.file(path))?;
            let size = conflict
                .marker_size
                .unwrap_or(ggen_merge::DEFAULT_MARKER_SIZE);
            ggen_merge::materialize(&ggen_merge::parse(&bytes, size), &settle(favor)).0
        }
        Resolution::TakeCurrent => objects.get(recorded(path, &versions.current)?)?,
        Resolution::TakeNew => objects.get(conflict.new_hash()?)?,
        Resolution::CarryRegionsIntoNew => {
            let new = objects.get(conflict.new_hash()?)?;
            let on_disk = ggen_fs::read(&layout.file(path))?;
            ggen_merge::carry_user_regions(path, &on_disk, &new).map_err(|why| {
                ProjectError::UserRegionsInTheWay {
                    path: path.to_string(),
                    why,
                }
            })?
        }
        Resolution::RedoMerge => {
            let current = objects.get(recorded(path, &versions.current)?)?;
            let base = match &versions.base {
                Some(base) => objects.get(base)?,
                None => Vec::new(),
            };
            let new = objects.get(conflict.new_hash()?)?;
            let options = settle(ggen_merge::Favor::Theirs);
            ggen_merge::merge_regions(path, &current, &base, &new, &options).bytes
        }
    }))
}

/// The user's recorded version, which [`decide_resolution`] takes only when there is one.
fn recorded<'a>(path: &str, hash: &'a Option<String>) -> Result<&'a str, ProjectError> {
    hash.as_deref().ok_or_else(|| ProjectError::Internal {
        message: format!("the conflict on `{path}` has no recorded version of yours"),
    })
}

pub fn resolve(
    layout: &Layout,
    path: &str,
    side: Side,
    env: &Environment,
    reporter: &dyn Reporter,
) -> Result<(), ProjectError> {
    let project = Project::lock(layout, env.no_wait, reporter)?;
    let (mut lock, mut snapshot) = (project.lockfile.clone(), project.snapshot.clone());
    let conflict =
        snapshot
            .conflicts
            .get(path)
            .cloned()
            .ok_or_else(|| ProjectError::NoConflict {
                path: path.to_string(),
            })?;
    let objects = ObjectStore::new(layout.objects());
    let resolution = decide_resolution(side, &conflict, || {
        std::fs::symlink_metadata(layout.file(path)).is_ok_and(|meta| meta.is_file())
    });
    let content = settled_bytes(layout, path, &conflict, resolution, &objects)?;
    let on_disk = ggen_fs::read_optional(&layout.file(path))?;
    let changes: Vec<FileChange> = match &content {
        Some(bytes) if on_disk.as_deref() != Some(bytes.as_slice()) => vec![FileChange {
            path,
            content: Some(bytes),
            executable: None,
            hash: None,
        }],
        _ => Vec::new(),
    };
    let mut tx = Transaction::begin(
        project.guard(),
        env.history_limit,
        "resolve",
        changes.iter().map(|c| c.path),
    )?;
    tx.apply(&[], &changes, reporter)?;

    snapshot.conflicts.remove(path);
    let disk = ggen_fs::read_optional(&layout.file(path))?;
    let stat = disk
        .as_ref()
        .and_then(|bytes| FileStat::read(&layout.file(path), ggen_pack::integrity::sha256(bytes)));
    match snapshot.files.get_mut(path) {
        Some(file) => file.stat = stat,
        None if side == Side::Theirs => {
            // A file that was in the way at install: taking the pack's version makes it a
            // generated file from now on.
            let new_hash = conflict.new_hash()?;
            let bytes = objects.get(new_hash)?;
            let version = snapshot
                .packs
                .get(&conflict.pack)
                .map(|p| p.version.clone())
                .unwrap_or_default();
            let (regions, _) = SnapshotRegion::scan(path, &bytes);
            snapshot.files.insert(
                path.to_string(),
                SnapshotFile {
                    hash: new_hash.to_string(),
                    size: bytes.len() as u64,
                    pack: conflict.pack.clone(),
                    version,
                    template: conflict.template.clone(),
                    unless_exists: false,
                    executable: false,
                    regions,
                    stat,
                },
            );
            if let Some(pack) = snapshot.packs.get_mut(&conflict.pack) {
                pack.files.push(path.to_string());
                pack.files.sort();
            }
        }
        None => {}
    }
    tx.commit(&mut lock, &snapshot)?;
    crate::state::git_index::clear_unmerged(layout.root(), path);
    Ok(())
}
