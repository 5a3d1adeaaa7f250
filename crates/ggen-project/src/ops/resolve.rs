//! `ggen conflicts` and `ggen resolve`: settling files an update could not merge.

use serde::Serialize;

use crate::project::{Project, load_project};
use crate::state::objects::ObjectStore;
use crate::state::snapshot::{FileStat, SnapshotConflict, SnapshotFile, SnapshotRegion};
use crate::transaction::{FileChange, Transaction};
use crate::{Environment, Layout, ProjectError, Reporter};

/// Which version of a conflicted file to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The file as you had it before the update.
    Ours,
    /// The pack's side of generated content and of every conflict; manual-edit and
    /// protected regions, and the user's changes that did not conflict, are kept.
    Theirs,
    /// The file as it is now, after you edited the conflict blocks away.
    Merged,
}

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

/// Settles the conflict on `path` by keeping `side`.
/// The pack's side of a conflicted file: for a merge conflict, the same region-aware merge
/// the update ran, with every conflict settled the pack's way — which never settles away a
/// manual-edit or protected region (SPEC §2) nor drops the user's other changes. A file that
/// was in the way has no merge to redo: the pack's version is taken, with the user's
/// protected and manual-edit regions of the file on disk carried into it (refused when the
/// pack's version has no place for them).
fn theirs(
    layout: &Layout,
    path: &str,
    conflict: &SnapshotConflict,
    objects: &ObjectStore,
) -> Result<Vec<u8>, ProjectError> {
    let new = objects.get(conflict.new_hash()?)?;
    let versions = &conflict.versions;
    // A file that was in the way (no merge ran): the pack's version with the user's
    // protected and manual-edit regions carried in. A merge without a base (a fresh clone's
    // empty base, see `packs::rebuild`) is redone below.
    let merged_without_base = versions.base.is_none() && conflict.reason == "merge";
    let Some(current) = versions
        .current
        .as_ref()
        .filter(|_| versions.base.is_some() || merged_without_base)
    else {
        let in_the_way = std::fs::symlink_metadata(layout.file(path));
        if !in_the_way.is_ok_and(|meta| meta.is_file()) {
            return Ok(new);
        }
        let on_disk = ggen_fs::read(&layout.file(path))?;
        return ggen_merge::carry_user_regions(path, &on_disk, &new).map_err(|why| {
            ProjectError::UserRegionsInTheWay {
                path: path.to_string(),
                why,
            }
        });
    };
    if conflict.reason != "merge" {
        return Ok(new);
    }
    // No base: the update merged against an empty one (a fresh clone whose base could not
    // be rebuilt, see `packs::rebuild`); redo that merge.
    let base = match &versions.base {
        Some(base) => objects.get(base)?,
        None => Vec::new(),
    };
    let current = objects.get(current)?;
    let options = ggen_merge::MergeOptions {
        favor: Some(ggen_merge::Favor::Theirs),
        ..ggen_merge::MergeOptions::default()
    };
    Ok(ggen_merge::merge_regions(path, &current, &base, &new, &options).bytes)
}

/// A conflict known only from the blocks in the file (see
/// [`crate::packs::rebuild::committed_conflicts`]): each block settled to `side`, the rest of
/// the file as it is.
fn settle_blocks(
    layout: &Layout,
    path: &str,
    conflict: &SnapshotConflict,
    side: Side,
) -> Result<Vec<u8>, ProjectError> {
    let bytes = ggen_fs::read(&layout.file(path))?;
    let favor = match side {
        Side::Ours => ggen_merge::Favor::Ours,
        _ => ggen_merge::Favor::Theirs,
    };
    let options = ggen_merge::MergeOptions {
        favor: Some(favor),
        ..ggen_merge::MergeOptions::default()
    };
    let size = conflict
        .marker_size
        .unwrap_or(ggen_merge::DEFAULT_MARKER_SIZE);
    Ok(ggen_merge::materialize(&ggen_merge::parse(&bytes, size), &options).0)
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
    let content = match side {
        Side::Ours | Side::Theirs if conflict.known_from_blocks() => {
            Some(settle_blocks(layout, path, &conflict, side)?)
        }
        Side::Ours => match &conflict.versions.current {
            Some(hash) => Some(objects.get(hash)?),
            None => None,
        },
        Side::Theirs => Some(theirs(layout, path, &conflict, &objects)?),
        Side::Merged => {
            let bytes = ggen_fs::read(&layout.file(path))?;
            if let Some(line) = ggen_merge::first_marker_line(&bytes, conflict.marker_size) {
                return Err(ProjectError::MarkersRemain {
                    path: path.to_string(),
                    line,
                });
            }
            None
        }
    };
    let on_disk = ggen_fs::read_optional(&layout.file(path))?;
    let changes: Vec<FileChange> = match &content {
        Some(bytes) if on_disk.as_deref() != Some(bytes.as_slice()) => vec![FileChange {
            path,
            content: Some(bytes),
            executable: None,
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
