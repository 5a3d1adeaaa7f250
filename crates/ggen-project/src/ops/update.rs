//! `ggen packs update` and `ggen packs regenerate`: render a pack again (a new version, or the
//! locked one with new inputs) and bring every file it touches to the new generation through
//! a three-way merge of base (the last generation), current (the disk) and new.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ggen_pack::variables::{Inputs, Question, TypedValue, recorded_texts, recorded_values};
use ggen_template::Renderer;
use rayon::prelude::*;
use serde::Serialize;

use crate::ops::hooks;
use crate::packs::generation::{GeneratedFile, PackGeneration, RenderCache, generate};
use crate::packs::rebuild::{BaseRepair, restore_bases};
use crate::packs::source::{ResolvedPack, UpdateTarget, load_update};
use crate::project::Project;
use crate::state::lockfile::{LockedPack, Lockfile};
use crate::state::objects::ObjectStore;
use crate::state::secret_salt::SecretSalt;
use crate::state::snapshot::{Snapshot, SnapshotPack};
use crate::transaction::{FileChange, Transaction};
use crate::{Environment, Layout, ProjectError, Reporter};

use crate::plan::file_plan::{self, FilePlan, PlanInputs};
pub use crate::plan::file_plan::{MergeStrategy, UpdateAction, unified_diff};

/// Update (move to another version) or regenerate (the locked version, new inputs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Update,
    Regenerate,
}

#[derive(Debug, Clone)]
pub struct UpdateOptions {
    pub root: PathBuf,
    /// Pack ids; empty means every installed pack.
    pub packs: Vec<String>,
    pub mode: Mode,
    pub target: UpdateTarget,
    pub strategy: MergeStrategy,
    pub dry_run: bool,
    /// Recreate generated files the user deleted.
    pub restore: bool,
    /// Accept every merge of the `manual` strategy without asking.
    pub yes: bool,
    /// `--var NAME=VALUE`: recorded for later updates.
    pub vars: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackChange {
    pub id: String,
    pub from: String,
    pub to: String,
    /// A major-version jump (or a 0.x minor one): announced as breaking.
    pub breaking: bool,
    /// As recorded in `ggen.lock`: typed, secrets left out.
    pub variables: BTreeMap<String, TypedValue>,
    /// Templates rendered; the rest were unchanged and taken from the render cache.
    pub templates_rendered: usize,
    pub templates_reused: usize,
    /// The new version's `post_update` hooks (run by the caller, with consent).
    #[serde(skip)]
    pub post_update: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileUpdate {
    pub path: String,
    pub pack: String,
    pub action: UpdateAction,
    /// The path the new version moved the file from (SPEC §5, moves): "moved A → B".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<String>,
    /// Conflict blocks written into the file.
    #[serde(skip_serializing_if = "is_zero")]
    pub conflicts: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Written or deleted on disk (what history counts); false for skipped and kept files.
    pub written: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateReport {
    pub dry_run: bool,
    pub packs: Vec<PackChange>,
    /// Every file the generations touch, except unchanged ones.
    pub files: Vec<FileUpdate>,
    pub warnings: Vec<String>,
    /// `manual` strategy without a terminal or `--yes`: nothing was written; these merges
    /// await review.
    pub review_required: Vec<String>,
    /// Unified diffs of the merges awaiting review (current -> merged).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub review_diffs: Vec<String>,
}

impl UpdateReport {
    pub fn conflicts(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.action == UpdateAction::Conflict)
            .count()
    }

    /// Files written or deleted for `pack` (every pack with `None`): the one count that
    /// messages and history agree on.
    pub fn files_changed(&self, pack: Option<&str>) -> usize {
        self.files
            .iter()
            .filter(|f| f.written && pack.is_none_or(|id| f.pack == id))
            .count()
    }

    /// Exit 3: conflicts remain or merges await review.
    pub fn unresolved(&self) -> bool {
        self.conflicts() > 0 || !self.review_required.is_empty()
    }
}

/// One pack's new generation, ready to plan.
struct Regeneration {
    locked: LockedPack,
    resolved: ResolvedPack,
    variables: BTreeMap<String, String>,
    generation: PackGeneration,
}

impl Regeneration {
    /// The variables as `ggen.lock` and the snapshot record them.
    fn recorded_variables(&self) -> BTreeMap<String, TypedValue> {
        recorded_values(&self.resolved.pack.manifest, &self.variables)
    }
}

/// Runs an update or a regeneration as one change of the project.
pub fn update(
    options: &UpdateOptions,
    env: &Environment,
    reporter: &dyn Reporter,
) -> Result<UpdateReport, ProjectError> {
    let layout = Layout::new(env.cwd.join(&options.root));
    let mut project = Project::lock(&layout, env.no_wait, reporter)?;
    let result = update_in(&mut project, options, env, reporter);
    reporter.finish();
    result
}

/// [`update`] on a project the caller has opened (`--test`, the lifecycle's template phase
/// inside it). `options.root` must be the project's. Its state is updated once committed.
pub fn update_in(
    project: &mut Project,
    options: &UpdateOptions,
    env: &Environment,
    reporter: &dyn Reporter,
) -> Result<UpdateReport, ProjectError> {
    let layout = project.layout().clone();
    let mut lock = project.lockfile.clone();
    let mut snapshot = project.snapshot.clone();

    let ids = selected_packs(options, &lock)?;
    // A conflict settled the git way (markers edited out, `git add`) is settled: the file is
    // the user's from now on, as after `ggen resolve --merged`.
    snapshot.conflicts.retain(|path, conflict| {
        crate::state::git_index::settled_in_git(layout.root(), path, conflict.marker_size).is_none()
    });
    refuse_pending_conflicts(&ids, &snapshot)?;
    let renderer = Renderer::new(env.limits);
    let objects = ObjectStore::new(layout.objects());
    let salt = SecretSalt::load(&layout)?;
    let mut regenerations = Vec::new();
    for id in &ids {
        let locked = lock
            .pack(id)
            .cloned()
            .ok_or_else(|| ProjectError::NotInstalled { id: id.clone() })?;
        let target = match options.mode {
            Mode::Update => options.target.clone(),
            Mode::Regenerate => UpdateTarget::Exact(parse_version(&locked)?),
        };
        reporter.phase(&format!("resolving {id}"));
        let resolved = load_update(&locked, &target, env)?;
        let recorded = recorded_texts(&locked.variables);
        let inputs = Inputs {
            given: &options.vars,
            recorded: Some(&recorded),
            user_defaults: &env.variable_defaults,
        };
        let ask = |question: &Question<'_>| reporter.ask_variable(question);
        let variables = ggen_pack::variables::resolve(&resolved.pack.manifest, &inputs, &ask)?;
        let cache = snapshot.packs.get(id).map(|record| RenderCache {
            templates: &record.templates,
            objects: &objects,
        });
        let generation = generate(
            &resolved.pack,
            &variables,
            &renderer,
            reporter,
            cache.as_ref(),
            &salt,
        )?;
        regenerations.push(Regeneration {
            locked,
            resolved,
            variables,
            generation,
        });
    }
    check_variable_names(&options.vars, &regenerations)?;
    // A fresh clone (no `.ggen/`): the merge bases come from the lock.
    let repair = restore_bases(
        &layout,
        &lock,
        &mut snapshot,
        &ids,
        env,
        &renderer,
        reporter,
    )?;
    for regen in &regenerations {
        inherit_create_once(&mut snapshot, &repair, &regen.generation.files);
    }

    let mut report = UpdateReport {
        dry_run: options.dry_run,
        packs: Vec::new(),
        files: Vec::new(),
        warnings: repair.warnings.clone(),
        review_required: Vec::new(),
        review_diffs: Vec::new(),
    };
    reporter.phase("planning files");
    let mut plans: Vec<(usize, FilePlan)> = Vec::new();
    for (index, regen) in regenerations.iter().enumerate() {
        let id = regen.resolved.pack.id();
        report
            .warnings
            .extend(regen.resolved.pack.warnings.iter().map(|w| w.to_string()));
        let from = regen.locked.version.clone();
        let to = regen.resolved.pack.version().to_string();
        report.packs.push(PackChange {
            id: id.to_string(),
            breaking: is_breaking(&from, &to),
            from,
            to,
            variables: regen.recorded_variables(),
            templates_rendered: regen.generation.rendered,
            templates_reused: regen.generation.templates.len() - regen.generation.rendered,
            post_update: regen.resolved.pack.manifest.hooks.post_update.clone(),
        });
        let inputs = PlanInputs {
            layout: &layout,
            objects: &objects,
            snapshot: &snapshot,
            pack: id,
            version: regen.resolved.pack.version().to_string(),
            strategy: options.strategy,
            restore: options.restore,
            repair: &repair,
        };
        for plan in file_plan::plan_pack(&inputs, &regen.generation.files)? {
            plans.push((index, plan));
        }
    }
    check_foreign_paths(&regenerations, &snapshot)?;

    for (_, plan) in &plans {
        report.warnings.extend(plan.warnings.iter().cloned());
        if plan.action != UpdateAction::Unchanged {
            report.files.push(FileUpdate {
                path: plan.path.clone(),
                pack: plan.pack.clone(),
                action: plan.action,
                moved_from: plan.moved_from.clone(),
                conflicts: plan.conflicts,
                note: plan.note.clone(),
                written: plan.changes().next().is_some(),
            });
        }
    }

    if options.strategy == MergeStrategy::Manual && !options.dry_run {
        let needs_review: Vec<&FilePlan> = plans
            .iter()
            .map(|(_, p)| p)
            .filter(|p| p.reviewable())
            .collect();
        let mut refused = Vec::new();
        for plan in &needs_review {
            let diff = plan.review_diff();
            let approved = if options.yes {
                Some(true)
            } else {
                reporter.review_merge(&plan.path, &diff)
            };
            match approved {
                Some(true) => {}
                Some(false) => refused.push(plan.path.clone()),
                None => {
                    report.review_required.push(plan.path.clone());
                    report.review_diffs.push(diff);
                }
            }
        }
        if !report.review_required.is_empty() {
            // No way to ask and no --yes: write nothing at all.
            return Ok(report);
        }
        for (_, plan) in plans.iter_mut() {
            if refused.contains(&plan.path) {
                plan.decline();
            }
        }
        for file in &mut report.files {
            if refused.contains(&file.path) {
                file.action = UpdateAction::Skip;
                file.conflicts = 0;
                file.note = Some("merge declined at review".into());
                file.written = false;
            }
        }
    }
    if options.dry_run {
        return Ok(report);
    }

    // Apply: objects for every version a later resolve may need, then the files.
    let mut object_list: Vec<(&str, &[u8])> = repair
        .bases
        .iter()
        .map(|(hash, bytes)| (hash.as_str(), bytes.as_slice()))
        .collect();
    for regen in &regenerations {
        for file in &regen.generation.files {
            object_list.push((&file.hash, &file.content));
        }
    }
    for (_, plan) in &plans {
        if let Some((hash, bytes)) = &plan.current_object {
            object_list.push((hash, bytes));
        }
    }
    let changes: Vec<FileChange> = plans.iter().flat_map(|(_, plan)| plan.changes()).collect();
    let command = match options.mode {
        Mode::Update => "packs update",
        Mode::Regenerate => "packs regenerate",
    };
    let mut tx = Transaction::begin_known(
        project.guard(),
        env.history_limit,
        command,
        changes.iter().map(|c| c.path),
        |path| snapshot.files.get(path)?.stat.as_ref(),
    )?;
    for (_, plan) in &plans {
        if let Some(from) = plan.carried_from() {
            tx.record_move(from, &plan.path);
        }
    }
    let stats = tx.apply(&object_list, &changes, reporter)?;

    // The new records (each file's regions scanned) on both cores, then recorded in order.
    let records: Vec<_> = plans
        .par_iter()
        .map(|(index, plan)| {
            let files = &regenerations[*index].generation.files;
            let previous = snapshot.files.get(&plan.path);
            plan.new_record(stats.get(&plan.path).cloned(), files, previous)
        })
        .collect();
    for ((_, plan), record) in plans.iter().zip(records) {
        plan.record(&mut snapshot, record);
    }
    for regen in &regenerations {
        record_pack(&mut lock, &mut snapshot, regen);
    }
    reporter.phase("committing");
    tx.commit(&mut lock, &snapshot)?;
    // After the commit: a salt lost to a crash only costs one full render.
    salt.keep(&layout)?;
    project.lockfile = lock;
    project.snapshot = snapshot;
    let unmerged: Vec<crate::state::git_index::Unmerged> = plans
        .iter()
        .filter_map(|(index, plan)| plan.unmerged(&regenerations[*index].generation.files))
        .collect();
    crate::state::git_index::record_unmerged(layout.root(), &unmerged);
    super::free_aside((regenerations, plans, repair));
    Ok(report)
}

fn selected_packs(options: &UpdateOptions, lock: &Lockfile) -> Result<Vec<String>, ProjectError> {
    if options.packs.is_empty() {
        return Ok(lock.packs.iter().map(|p| p.id.clone()).collect());
    }
    for id in &options.packs {
        if lock.pack(id).is_none() {
            return Err(ProjectError::NotInstalled { id: id.clone() });
        }
    }
    Ok(options.packs.clone())
}

fn refuse_pending_conflicts(ids: &[String], snapshot: &Snapshot) -> Result<(), ProjectError> {
    let pending: Vec<String> = snapshot
        .conflicts
        .iter()
        .filter(|(_, c)| ids.contains(&c.pack))
        .map(|(path, _)| path.clone())
        .collect();
    if pending.is_empty() {
        Ok(())
    } else {
        Err(ProjectError::PendingConflicts { paths: pending })
    }
}

fn parse_version(locked: &LockedPack) -> Result<semver::Version, ProjectError> {
    semver::Version::parse(&locked.version).map_err(|e| ProjectError::CorruptLockfile {
        path: PathBuf::from("ggen.lock"),
        message: format!("pack `{}` has version {:?}: {e}", locked.id, locked.version),
    })
}

/// A major-version jump, or a minor one below 1.0 (semver's compatibility rule).
fn is_breaking(from: &str, to: &str) -> bool {
    match (semver::Version::parse(from), semver::Version::parse(to)) {
        (Ok(a), Ok(b)) => {
            let req = semver::VersionReq::parse(&format!("^{a}"));
            b > a && req.map(|r| !r.matches(&b)).unwrap_or(false)
        }
        _ => false,
    }
}

/// A `--var` no updated pack declares is a typo until proven otherwise.
fn check_variable_names(
    given: &BTreeMap<String, String>,
    regenerations: &[Regeneration],
) -> Result<(), ProjectError> {
    let packs: Vec<&ggen_pack::Pack> = regenerations.iter().map(|r| &r.resolved.pack).collect();
    crate::ops::install::check_variable_names(given, &packs)
}

/// A new version may generate a path another installed pack owns: refuse, naming both.
fn check_foreign_paths(
    regenerations: &[Regeneration],
    snapshot: &Snapshot,
) -> Result<(), ProjectError> {
    for regen in regenerations {
        let id = regen.resolved.pack.id();
        for file in &regen.generation.files {
            if let Some(existing) = snapshot.files.get(&file.path)
                && existing.pack != id
            {
                return Err(ProjectError::PathCollision {
                    path: file.path.clone(),
                    first: format!("pack `{}` (installed)", existing.pack),
                    second: format!("pack `{id}`"),
                });
            }
        }
    }
    Ok(())
}

/// A file whose record came from the lock (which does not say "created once") keeps the
/// new generation's `unless_exists`: a create-once file stays created once in a fresh clone.
fn inherit_create_once(snapshot: &mut Snapshot, repair: &BaseRepair, files: &[GeneratedFile]) {
    for file in files {
        if repair.from_lock.contains(&file.path)
            && let Some(old) = snapshot.files.get_mut(&file.path)
        {
            old.unless_exists |= file.unless_exists;
        }
    }
}

fn record_pack(lock: &mut Lockfile, snapshot: &mut Snapshot, regen: &Regeneration) {
    let id = regen.resolved.pack.id().to_string();
    let version = regen.resolved.pack.version().to_string();
    lock.upsert_pack(LockedPack {
        id: id.clone(),
        version: version.clone(),
        source: regen.resolved.source.clone(),
        integrity: regen.resolved.integrity.clone(),
        signature: regen.resolved.signature.clone(),
        dependencies: regen.resolved.dependencies.clone(),
        variables: regen.recorded_variables(),
    });
    let files = snapshot
        .files
        .iter()
        .filter(|(_, f)| f.pack == id)
        .map(|(path, _)| path.clone())
        .collect();
    snapshot.packs.insert(
        id,
        SnapshotPack {
            version,
            source: regen.resolved.source.clone(),
            integrity: regen.resolved.integrity.clone(),
            variables: regen.recorded_variables(),
            files,
            graph: regen.generation.graph.clone(),
            templates: regen.generation.templates.clone(),
        },
    );
}

/// After an update or regeneration that wrote something: each changed pack's `post_update`
/// hooks, in the project root. Returns the runs and a warning per pack whose hooks were
/// skipped (naming the project as `project`, see [`hooks::skipped_warning`]). Nothing runs after a
/// dry run or while merges await review.
pub fn after_update(
    root: &Path,
    project: Option<&Path>,
    report: &UpdateReport,
    mode: Mode,
    allowed: bool,
    reporter: &dyn Reporter,
) -> (Vec<hooks::HookRun>, Vec<String>) {
    let mut runs = Vec::new();
    let mut warnings = Vec::new();
    if report.dry_run || !report.review_required.is_empty() {
        return (runs, warnings);
    }
    let operation = match mode {
        Mode::Update => "update",
        Mode::Regenerate => "regenerate",
    };
    for pack in &report.packs {
        let changed = pack.from != pack.to || report.files_changed(Some(&pack.id)) > 0;
        if !changed || pack.post_update.is_empty() {
            continue;
        }
        let context = hooks::HookContext {
            operation,
            hook: hooks::HookKind::PostUpdate,
            pack: &pack.id,
            from: &pack.from,
            to: &pack.to,
        };
        let pack_runs = hooks::run(&context, &pack.post_update, root, allowed, reporter);
        if pack_runs
            .iter()
            .any(|r| r.status == hooks::HookStatus::Skipped)
        {
            warnings.push(hooks::skipped_warning(
                &pack.id,
                hooks::HookKind::PostUpdate,
                project,
            ));
        }
        runs.extend(pack_runs);
    }
    (runs, warnings)
}
