//! What changed since the last generation: `ggen status`, `ggen packs check` and `ggen diff`.
//! Change detection is cheap: a file whose size, mtime and inode match the snapshot's stat is
//! not read again.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::packs::generation::PackGeneration;
use crate::packs::rebuild::render_locked;
use crate::project::load_project;
use crate::state::objects::ObjectStore;
use crate::state::snapshot::{Snapshot, SnapshotFile};
use crate::state::stat_cache;
use crate::{Environment, Layout, ProjectError, Reporter};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileState {
    Modified,
    Missing,
    Conflicted,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileStatus {
    pub path: String,
    pub pack: String,
    pub state: FileState,
    /// For conflicts: `merge`, `binary` or `exists`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// Generated files tracked by the snapshot.
    pub tracked: usize,
    /// Files that are not as generated, sorted by path.
    pub files: Vec<FileStatus>,
}

impl StatusReport {
    /// Every one of `tracked` generated files as generated.
    pub fn clean(tracked: usize) -> StatusReport {
        StatusReport {
            tracked,
            files: Vec::new(),
        }
    }

    pub fn is_clean(&self) -> bool {
        self.files.is_empty()
    }
}

/// Modified, missing and conflicted generated files.
pub fn status(layout: &Layout) -> Result<StatusReport, ProjectError> {
    if let Some(tracked) = stat_cache::clean(layout) {
        return Ok(StatusReport::clean(tracked));
    }
    let (_, snapshot) = load_project(layout)?;
    status_of(layout, &snapshot)
}

pub fn status_of(layout: &Layout, snapshot: &Snapshot) -> Result<StatusReport, ProjectError> {
    let entries: Vec<(&String, &SnapshotFile)> = snapshot.files.iter().collect();
    let mut files: Vec<FileStatus> = entries
        .par_iter()
        .map(|(path, file)| {
            let settled = snapshot.conflicts.get(*path).and_then(|c| {
                crate::state::git_index::settled_in_git(layout.root(), path, c.marker_size)
            });
            let state = if settled.is_some() {
                Some(FileState::Modified)
            } else if snapshot.conflicts.contains_key(*path) {
                Some(FileState::Conflicted)
            } else {
                match disk_hash(layout, path, file)? {
                    None => Some(FileState::Missing),
                    Some(hash) if hash != file.hash && !file.unless_exists => {
                        Some(FileState::Modified)
                    }
                    Some(_) => None,
                }
            };
            Ok::<_, ProjectError>(state.map(|state| FileStatus {
                path: (*path).clone(),
                pack: file.pack.clone(),
                state,
                reason: match settled {
                    Some(how) => Some(how.to_string()),
                    None => snapshot.conflicts.get(*path).map(|c| c.reason.clone()),
                },
            }))
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    // Conflicts on paths ggen does not track (a file was in the way at install).
    for (path, conflict) in &snapshot.conflicts {
        if !snapshot.files.contains_key(path) {
            files.push(FileStatus {
                path: path.clone(),
                pack: conflict.pack.clone(),
                state: FileState::Conflicted,
                reason: Some(conflict.reason.clone()),
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(StatusReport {
        tracked: snapshot.files.len(),
        files,
    })
}

/// The hash of the file on disk (from the stat cache when it still matches), `None` if absent.
pub fn disk_hash(
    layout: &Layout,
    path: &str,
    file: &SnapshotFile,
) -> Result<Option<String>, ProjectError> {
    let full = layout.file(path);
    let Ok(meta) = std::fs::symlink_metadata(&full) else {
        return Ok(None);
    };
    if let Some(stat) = &file.stat
        && stat.matches(&meta)
    {
        return Ok(Some(stat.hash.clone()));
    }
    if !meta.is_file() {
        return Ok(Some(String::from("not-a-file")));
    }
    Ok(Some(ggen_pack::integrity::sha256(&ggen_fs::read(&full)?)))
}

/// Why a pack would regenerate.
#[derive(Debug, Clone, Serialize)]
pub struct RegenerateReason {
    pub pack: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub status: StatusReport,
    pub regenerate: Vec<RegenerateReason>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.status.is_clean() && self.regenerate.is_empty()
    }
}

/// Drift plus what `ggen packs regenerate` would pick up: for packs installed from a
/// directory, templates, graph files or the manifest version that changed since generation.
pub fn check(layout: &Layout) -> Result<CheckReport, ProjectError> {
    if let Some(tracked) = stat_cache::clean(layout) {
        // Never made for a project with a pack from a directory: nothing can regenerate.
        return Ok(CheckReport {
            status: StatusReport::clean(tracked),
            regenerate: Vec::new(),
        });
    }
    let (lock, snapshot) = load_project(layout)?;
    let status = status_of(layout, &snapshot)?;
    let mut regenerate = Vec::new();
    for locked in &lock.packs {
        let Some(dir) = locked.directory() else {
            continue;
        };
        let record = snapshot.packs.get(&locked.id);
        let reasons = match ggen_pack::Pack::load(&PathBuf::from(dir)) {
            Err(e) => vec![format!("cannot read the pack directory: {e}")],
            Ok(pack) => pack_changes(&pack, locked, record)?,
        };
        regenerate.extend(reasons.into_iter().map(|reason| RegenerateReason {
            pack: locked.id.clone(),
            reason,
        }));
    }
    Ok(CheckReport { status, regenerate })
}

fn pack_changes(
    pack: &ggen_pack::Pack,
    locked: &crate::state::lockfile::LockedPack,
    record: Option<&crate::state::snapshot::SnapshotPack>,
) -> Result<Vec<String>, ProjectError> {
    let locked_version = locked.version.as_str();
    let mut reasons = Vec::new();
    if pack.version().to_string() != locked_version {
        reasons.push(format!(
            "version is now {} (locked {locked_version})",
            pack.version()
        ));
    }
    let Some(record) = record else {
        // No `.ggen/` record (a fresh clone): the lock's integrity says whether the
        // directory still holds what was generated from.
        let archive = ggen_pack::archive::pack_directory(&pack.root, pack.id(), pack.version())?;
        let integrity = ggen_pack::integrity::sha256(&archive);
        if integrity != locked.integrity {
            reasons.push(format!(
                "the pack directory changed since it was locked (integrity {integrity}, locked {})",
                locked.integrity
            ));
        }
        return Ok(reasons);
    };
    let templates = pack.template_files()?;
    for file in &templates {
        match record.templates.get(&file.rel_path) {
            None => reasons.push(format!("template {} is new", file.rel_path)),
            Some(t) if t.hash != ggen_pack::integrity::sha256(&file.bytes) => {
                reasons.push(format!("template {} changed", file.rel_path))
            }
            Some(_) => {}
        }
    }
    let present: std::collections::HashSet<&str> =
        templates.iter().map(|f| f.rel_path.as_str()).collect();
    for name in record.templates.keys() {
        if !present.contains(name.as_str()) {
            reasons.push(format!("template {name} was removed"));
        }
    }
    let graph = pack.graph_files()?;
    for file in &graph {
        match record.graph.sources.get(&file.rel_path) {
            None => reasons.push(format!("graph file {} is new", file.rel_path)),
            Some(hash) if *hash != ggen_pack::integrity::sha256(&file.bytes) => {
                reasons.push(format!("graph file {} changed", file.rel_path))
            }
            Some(_) => {}
        }
    }
    for name in record.graph.sources.keys() {
        if !graph.iter().any(|f| &f.rel_path == name) {
            reasons.push(format!("graph file {name} was removed"));
        }
    }
    Ok(reasons)
}

/// One file's difference between the last generation and the disk.
#[derive(Debug, Clone, Serialize)]
pub struct FileDiff {
    pub path: String,
    pub state: FileState,
    /// Unified diff, generated -> current (empty for binary files, or without a base).
    pub diff: String,
    /// Why there is no diff: what was generated is not in `.ggen/` and cannot be rebuilt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_base: Option<String>,
}

/// Unified diffs of generated files that changed on disk (all of them, or `paths`). A base
/// missing from `.ggen/objects` (a fresh clone) is rebuilt from the locked pack version and
/// used only when it matches the lock's hash.
pub fn diff(
    layout: &Layout,
    paths: &[String],
    env: &Environment,
    reporter: &dyn Reporter,
) -> Result<Vec<FileDiff>, ProjectError> {
    let (lock, snapshot) = load_project(layout)?;
    for path in paths {
        if !snapshot.files.contains_key(path) {
            return Err(ProjectError::NotGenerated { path: path.clone() });
        }
    }
    let status = status_of(layout, &snapshot)?;
    let objects = ObjectStore::new(layout.objects());
    let renderer = ggen_template::Renderer::new(env.limits);
    let mut rebuilt: BTreeMap<String, Result<PackGeneration, String>> = BTreeMap::new();
    let mut diffs = Vec::new();
    for entry in status.files {
        if !paths.is_empty() && !paths.contains(&entry.path) {
            continue;
        }
        let Some(file) = snapshot.files.get(&entry.path) else {
            continue;
        };
        let base = if let Some(bytes) = objects.get_optional(&file.hash)? {
            Ok(bytes)
        } else {
            let generation =
                rebuilt
                    .entry(file.pack.clone())
                    .or_insert_with(|| match lock.pack(&file.pack) {
                        Some(locked) => render_locked(locked, env, &renderer, reporter),
                        None => Err(format!("pack `{}` is not in ggen.lock", file.pack)),
                    });
            match generation {
                Err(reason) => Err(reason.clone()),
                Ok(generation) => generation
                    .files
                    .iter()
                    .find(|f| f.path == entry.path && f.hash == file.hash)
                    .map(|f| f.content.clone())
                    .ok_or_else(|| {
                        format!(
                            "rendering {}@{} again does not give the content ggen.lock records",
                            file.pack, file.version
                        )
                    }),
            }
        };
        let base = match base {
            Ok(base) => base,
            Err(reason) => {
                diffs.push(FileDiff {
                    path: entry.path,
                    state: entry.state,
                    diff: String::new(),
                    no_base: Some(format!(
                        ".ggen/ has no copy of what was generated, and {reason}"
                    )),
                });
                continue;
            }
        };
        let current = ggen_fs::read_optional(&layout.file(&entry.path))?.unwrap_or_default();
        let text = match (std::str::from_utf8(&base), std::str::from_utf8(&current)) {
            (Ok(old), Ok(new)) => crate::ops::update::unified_diff(
                old,
                new,
                &format!("a/{} (generated)", entry.path),
                &format!("b/{}", entry.path),
            ),
            _ => String::new(),
        };
        diffs.push(FileDiff {
            path: entry.path,
            state: entry.state,
            diff: text,
            no_base: None,
        });
    }
    Ok(diffs)
}
