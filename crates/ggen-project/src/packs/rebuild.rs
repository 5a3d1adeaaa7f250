//! Merge bases for a checkout that has `ggen.lock` but not (all of) `.ggen/`: a fresh clone,
//! a CI runner, a teammate's machine (SPEC §3, "What lives in git").
//!
//! The lock is the shared truth: it names every generated file with the hash of what ggen
//! wrote. A base missing from `.ggen/objects` is found again, and never trusted unverified:
//! - a file on disk whose hash still equals the lock's *is* the base;
//! - otherwise the locked pack version is rendered again with the locked variables
//!   (generation is deterministic) and each output is used only if its hash equals the lock's.
//!
//! What cannot be found that way (a path pack that changed since, a registry version that is
//! gone or unreachable offline, a renderer that renders differently now) is merged against an
//! empty base, so that every byte of the user's file is kept, and reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ggen_template::Renderer;

use crate::merge::Merge;
use crate::packs::generation::{PackGeneration, generate};
use crate::packs::source::{UpdateTarget, load_path, load_update};
use crate::state::lockfile::{LockedPack, Lockfile};
use crate::state::objects::ObjectStore;
use crate::state::secret_salt::SecretSalt;
use crate::state::snapshot::{Snapshot, SnapshotConflict, SnapshotFile, SnapshotRegion};
use crate::{Environment, Layout, ProjectError, Reporter};

/// The snapshot a checkout without `.ggen/snapshot.json` has: every file the lock lists, with
/// the lock's hash as what was generated (no stat, so each file is hashed when looked at).
pub fn snapshot_from_lock(lock: &Lockfile) -> Snapshot {
    let mut snapshot = Snapshot::new();
    for (path, file) in &lock.files {
        snapshot.files.insert(
            path.clone(),
            SnapshotFile {
                hash: file.hash.clone(),
                size: 0,
                pack: file.pack.clone(),
                version: file.version.clone(),
                template: file.template.clone(),
                unless_exists: false,
                executable: file.mode.as_deref() == Some("755"),
                regions: None,
                stat: None,
            },
        );
    }
    snapshot
}

/// Records as pending conflicts the generated files of a checkout without `.ggen/` that hold
/// conflict blocks: an update's conflicts committed to git (a Renovate pull request whose
/// update exited 3) are conflicts in every clone, as in the checkout that wrote them, not mere
/// edits. Nothing but the blocks records the two sides, so `ggen resolve` reads them from
/// there (`current` and `base` are `None`; `new` is the lock's hash, what ggen generated).
pub fn committed_conflicts(layout: &Layout, snapshot: &mut Snapshot) {
    use rayon::prelude::*;
    let found: Vec<(String, SnapshotConflict)> = snapshot
        .files
        .par_iter()
        .filter_map(|(path, file)| {
            // Only a regular file (not a link, FIFO or device) is read, and with the cap.
            let full = layout.file(path);
            if !std::fs::symlink_metadata(&full).is_ok_and(|meta| meta.is_file()) {
                return None;
            }
            let bytes = ggen_fs::read(&full).ok()?;
            if ggen_pack::integrity::sha256(&bytes) == file.hash || !ggen_merge::is_text(&bytes) {
                return None;
            }
            let marker_size = ggen_merge::conflict_block_size(&bytes)?;
            Some((
                path.clone(),
                SnapshotConflict {
                    pack: file.pack.clone(),
                    template: file.template.clone(),
                    reason: String::from("merge"),
                    versions: Merge::new(None, None, Some(file.hash.clone())),
                    marker_size: Some(marker_size),
                },
            ))
        })
        .collect();
    snapshot.conflicts.extend(found);
}

/// The locked version of a pack rendered again with its locked variables, checked against
/// the lock: `Err` says why it cannot be used at all.
pub fn render_locked(
    locked: &LockedPack,
    env: &Environment,
    renderer: &Renderer,
    reporter: &dyn Reporter,
) -> Result<PackGeneration, String> {
    let at = format!("{}@{}", locked.id, locked.version);
    let version = semver::Version::parse(&locked.version)
        .map_err(|e| format!("{at}: the locked version does not parse: {e}"))?;
    let resolved = match locked.directory() {
        // The directory is whatever it holds now: only the locked bytes will do.
        Some(dir) => {
            let resolved = load_path(Path::new(dir))
                .map_err(|e| format!("the pack directory {dir} cannot be read ({e})"))?;
            if resolved.integrity != locked.integrity {
                return Err(format!(
                    "the pack directory {dir} changed since it was locked (it holds {}@{} now, integrity {} instead of the locked {})",
                    resolved.pack.id(),
                    resolved.pack.version(),
                    resolved.integrity,
                    locked.integrity
                ));
            }
            resolved
        }
        None => {
            let resolved =
                load_update(locked, &UpdateTarget::Exact(version), env).map_err(|e| {
                    if locked.source.starts_with("registry+") {
                        format!("{at} cannot be loaded from its registry ({e})")
                    } else {
                        format!("{at} cannot be loaded ({e})")
                    }
                })?;
            if resolved.integrity != locked.integrity {
                return Err(format!(
                    "the archive of {at} is not the one that was locked (integrity {} instead of {})",
                    resolved.integrity, locked.integrity
                ));
            }
            resolved
        }
    };
    // The locked values; a secret (never locked) only from GGEN_VAR_<NAME>: without it the
    // base is not rebuilt and the file is merged against an empty one, as reported.
    let recorded = ggen_pack::variables::recorded_texts(&locked.variables);
    let inputs = ggen_pack::variables::Inputs {
        given: &BTreeMap::new(),
        recorded: Some(&recorded),
        user_defaults: &env.variable_defaults,
    };
    let variables = ggen_pack::variables::resolve(
        &resolved.pack.manifest,
        &inputs,
        &ggen_pack::variables::never_ask,
    )
    .map_err(|e| format!("{at}: the locked variables do not resolve ({e})"))?;
    let salt = SecretSalt::unkept().map_err(|e| e.to_string())?;
    generate(&resolved.pack, &variables, renderer, reporter, None, &salt)
        .map_err(|e| format!("{at} does not render again ({e})"))
}

/// What [`restore_bases`] found: the bases it rebuilt (kept in memory until the command's
/// transaction stores them) and the files that have none.
#[derive(Debug, Default)]
pub struct BaseRepair {
    /// Files whose base was not in `.ggen/objects` (their snapshot entry came from the lock).
    pub from_lock: BTreeSet<String>,
    /// Verified bases, by hash.
    pub bases: BTreeMap<String, Vec<u8>>,
    /// Files merged against an empty base, by path.
    pub empty: BTreeSet<String>,
    /// One per pack: which files and why.
    pub warnings: Vec<String>,
}

impl BaseRepair {
    /// The merge base of `path` (generated as `hash`): rebuilt, empty, or from the store.
    pub fn base(
        &self,
        objects: &ObjectStore,
        path: &str,
        hash: &str,
    ) -> Result<Vec<u8>, ProjectError> {
        if let Some(bytes) = self.bases.get(hash) {
            return Ok(bytes.clone());
        }
        if self.empty.contains(path) {
            return Ok(Vec::new());
        }
        objects.get(hash)
    }

    /// True when `path` is merged against an empty base (no verified base exists).
    pub fn has_no_base(&self, path: &str) -> bool {
        self.empty.contains(path)
    }
}

/// Finds the merge base of every generated file of the packs `ids` that `.ggen/objects`
/// lacks (see the module text), without writing anything. Records what the found bases tell
/// the snapshot (size, regions, create-once) and returns them with what stays missing.
pub fn restore_bases(
    layout: &Layout,
    lock: &Lockfile,
    snapshot: &mut Snapshot,
    ids: &[String],
    env: &Environment,
    renderer: &Renderer,
    reporter: &dyn Reporter,
) -> Result<BaseRepair, ProjectError> {
    let objects = ObjectStore::new(layout.objects());
    let mut repair = BaseRepair::default();
    for id in ids {
        let Some(locked) = lock.pack(id) else {
            continue;
        };
        let mut needed: Vec<String> = Vec::new();
        let mut paths: Vec<String> = Vec::new();
        for (path, file) in &snapshot.files {
            if &file.pack == id && !objects.contains(&file.hash)? {
                paths.push(path.clone());
            }
        }
        for path in paths {
            repair.from_lock.insert(path.clone());
            let Some(file) = snapshot.files.get_mut(&path) else {
                continue;
            };
            let full = layout.file(&path);
            let Ok(meta) = std::fs::symlink_metadata(&full) else {
                // Deleted by the user: stays deleted, no merge.
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            let bytes = ggen_fs::read(&full)?;
            if ggen_pack::integrity::sha256(&bytes) == file.hash {
                note_base(&path, file, &bytes);
                repair.bases.insert(file.hash.clone(), bytes);
            } else {
                needed.push(path);
            }
        }
        if needed.is_empty() {
            continue;
        }
        let generation = render_locked(locked, env, renderer, reporter);
        let mut unverified = Vec::new();
        for path in &needed {
            let Some(file) = snapshot.files.get_mut(path) else {
                continue;
            };
            let rebuilt = generation
                .as_ref()
                .ok()
                .and_then(|g| g.files.iter().find(|f| &f.path == path));
            match rebuilt {
                Some(rebuilt) if rebuilt.hash == file.hash => {
                    note_base(path, file, &rebuilt.content);
                    file.unless_exists = rebuilt.unless_exists;
                    repair
                        .bases
                        .insert(rebuilt.hash.clone(), rebuilt.content.clone());
                }
                _ => {
                    unverified.push(path.clone());
                    repair.empty.insert(path.clone());
                }
            }
        }
        if unverified.is_empty() {
            continue;
        }
        let why = match &generation {
            Err(reason) => reason.clone(),
            Ok(_) => format!(
                "rendering {id}@{} again does not give the content ggen.lock records for {} (a different ggen renderer, or a hand-edited ggen.lock)",
                locked.version,
                if unverified.len() == 1 { "it" } else { "them" }
            ),
        };
        repair.warnings.push(format!(
            "pack `{id}`: no merge base for {} (.ggen/ has no copy, and {why}); merged against an empty base, so every line of yours is kept, in conflict blocks where the pack's differ",
            unverified.join(", ")
        ));
    }
    Ok(repair)
}

/// A verified base was found for `file`: the snapshot learns its size and regions.
fn note_base(path: &str, file: &mut SnapshotFile, bytes: &[u8]) {
    file.size = bytes.len() as u64;
    file.regions = SnapshotRegion::scan(path, bytes).0;
}
