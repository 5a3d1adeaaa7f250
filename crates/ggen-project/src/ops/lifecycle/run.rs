//! Running phases: hooks around them, their commands through the shell, the cache that skips
//! a phase whose inputs did not change, and the record in `.ggen/state.json`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::config::{Lifecycle, Phase, TEMPLATE_PHASE};
use super::state::{LifecycleState, PhaseRecord};
use crate::ops::update::{MergeStrategy, Mode, UpdateOptions};
use crate::project::Project;
use crate::transaction::project_lock::ProjectLock;
use crate::{Environment, Layout, ProjectError, Reporter};

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Phases as named on the command line.
    pub phases: Vec<String>,
    /// Rerun phases even when their cache key is unchanged.
    pub force: bool,
    /// Send the commands' stdout to stderr (so `--json` output stays one document).
    pub stdout_to_stderr: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum PhaseOutcome {
    Succeeded,
    /// Inputs unchanged and outputs present.
    Skipped {
        reason: String,
    },
    Failed {
        command: String,
        exit_code: Option<i32>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseRun {
    pub phase: String,
    #[serde(flatten)]
    pub outcome: PhaseOutcome,
    pub duration_ms: u64,
    /// Files the built-in template phase changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub runs: Vec<PhaseRun>,
}

impl RunReport {
    /// The failed run, if any (the run stops at the first failure).
    pub fn failure(&self) -> Option<&PhaseRun> {
        self.runs
            .iter()
            .find(|r| matches!(r.outcome, PhaseOutcome::Failed { .. }))
    }
}

/// Runs the phases in order, each with its hooks; stops at the first failure.
pub fn run(
    layout: &Layout,
    env: &Environment,
    options: &RunOptions,
    reporter: &dyn Reporter,
) -> Result<RunReport, ProjectError> {
    run_phases(layout, env, options, reporter, None)
}

/// [`run`]; with `held`, the caller holds the project lock and the template phase
/// regenerates under it instead of taking it again.
pub(crate) fn run_phases(
    layout: &Layout,
    env: &Environment,
    options: &RunOptions,
    reporter: &dyn Reporter,
    held: Option<&mut Project>,
) -> Result<RunReport, ProjectError> {
    let make_toml = layout.root().join("make.toml");
    if !make_toml.is_file() && !layout.lockfile().is_file() {
        return Err(ProjectError::NotAProject {
            path: layout.root().to_path_buf(),
        });
    }
    let lifecycle = Lifecycle::load(&make_toml)?;
    for phase in &options.phases {
        if !lifecycle.phases.contains_key(phase) {
            return Err(ProjectError::Lifecycle {
                message: format!(
                    "make.toml has no phase `{phase}` (phases: {})",
                    lifecycle
                        .phases
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    let state_path = layout.state_dir().join("state.json");
    let mut runner = Runner {
        layout,
        env,
        options,
        reporter,
        held,
        lifecycle: &lifecycle,
        state: LifecycleState::load(&state_path)?,
        recorded: LifecycleState::default(),
        runs: Vec::new(),
    };
    // before_all once, the phases in order, after_all once (SPEC §7: "before/after every
    // phase" read as around the whole run, like make's prerequisites of a goal list).
    let hooks = &lifecycle.hooks;
    let order = hooks
        .before_all
        .iter()
        .chain(&options.phases)
        .chain(&hooks.after_all);
    let mut result = Ok(());
    for step in order {
        result = runner.run_phase(step);
        if result.is_err() || runner.failed() {
            break;
        }
    }
    // Whatever happened, what ran is recorded: added to the state as it is now, under the
    // project lock, since another ggen may have recorded its own runs meanwhile (a phase may
    // even run `ggen lifecycle run` itself).
    if !runner.runs.is_empty() {
        layout.ensure_state_dir()?;
        let _guard = match runner.held {
            Some(_) => None,
            None => Some(ProjectLock::acquire(layout, env.no_wait, reporter)?),
        };
        let mut state = LifecycleState::load(&state_path)?;
        state.cache.extend(runner.recorded.cache);
        for record in runner.recorded.history {
            state.record(record);
        }
        state.save(&state_path)?;
    }
    result?;
    Ok(RunReport { runs: runner.runs })
}

struct Runner<'a> {
    layout: &'a Layout,
    env: &'a Environment,
    options: &'a RunOptions,
    reporter: &'a dyn Reporter,
    /// The project lock, when the caller holds it.
    held: Option<&'a mut Project>,
    lifecycle: &'a Lifecycle,
    /// The state when the run began, with this run's cache keys: what skips a phase.
    state: LifecycleState,
    /// What this run adds to the state.
    recorded: LifecycleState,
    runs: Vec<PhaseRun>,
}

impl Runner<'_> {
    fn failed(&self) -> bool {
        self.runs
            .iter()
            .any(|r| matches!(r.outcome, PhaseOutcome::Failed { .. }))
    }

    /// `before_<phase>` hooks, the phase itself, then `after_<phase>` hooks. Hooks cannot
    /// recurse: `make.toml` with a cycle is refused when it is read.
    fn run_phase(&mut self, name: &str) -> Result<(), ProjectError> {
        let hooks = &self.lifecycle.hooks;
        for before in hooks.before.get(name).into_iter().flatten() {
            self.run_phase(before)?;
            if self.failed() {
                return Ok(());
            }
        }
        self.run_commands(name)?;
        if self.failed() {
            return Ok(());
        }
        for after in hooks.after.get(name).into_iter().flatten() {
            self.run_phase(after)?;
            if self.failed() {
                return Ok(());
            }
        }
        Ok(())
    }

    fn run_commands(&mut self, name: &str) -> Result<(), ProjectError> {
        let Some(phase) = self.lifecycle.phases.get(name) else {
            return Ok(());
        };
        let started = Instant::now();
        let started_at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let key = if phase.is_cached() {
            Some(cache_key(self.layout.root(), phase)?)
        } else {
            None
        };
        let skip = match &key {
            Some(key) if !self.options.force => {
                let unchanged = self.state.cache.get(name) == Some(key);
                let outputs = outputs_exist(self.layout.root(), &phase.outputs)?;
                (unchanged && outputs).then(|| "inputs unchanged and outputs present".to_string())
            }
            _ => None,
        };
        let mut files = Vec::new();
        let outcome = match skip {
            Some(reason) => PhaseOutcome::Skipped { reason },
            None => {
                let commands = phase.all_commands();
                if name == TEMPLATE_PHASE && commands.is_empty() {
                    files = self.regenerate()?;
                    PhaseOutcome::Succeeded
                } else {
                    self.shell(name, &commands)
                }
            }
        };
        if let (Some(key), PhaseOutcome::Succeeded) = (key, &outcome) {
            self.state.cache.insert(name.to_string(), key.clone());
            self.recorded.cache.insert(name.to_string(), key);
        }
        let duration_ms = started.elapsed().as_millis() as u64;
        let (status, exit_code) = match &outcome {
            PhaseOutcome::Succeeded => ("succeeded", Some(0)),
            PhaseOutcome::Skipped { .. } => ("skipped", None),
            PhaseOutcome::Failed { exit_code, .. } => ("failed", *exit_code),
        };
        self.recorded.record(PhaseRecord {
            phase: name.to_string(),
            started_at_ms,
            duration_ms,
            status: status.to_string(),
            exit_code,
            files: files.clone(),
        });
        self.runs.push(PhaseRun {
            phase: name.to_string(),
            outcome,
            duration_ms,
            files,
        });
        Ok(())
    }

    /// The built-in template phase: `ggen packs regenerate`.
    fn regenerate(&mut self) -> Result<Vec<String>, ProjectError> {
        let options = UpdateOptions {
            root: self.layout.root().to_path_buf(),
            packs: Vec::new(),
            mode: Mode::Regenerate,
            target: crate::packs::source::UpdateTarget::Newest,
            strategy: MergeStrategy::Auto,
            dry_run: false,
            restore: false,
            yes: false,
            vars: BTreeMap::new(),
        };
        let report = match self.held.as_deref_mut() {
            Some(project) => {
                crate::ops::update::update_in(project, &options, self.env, self.reporter)?
            }
            None => crate::ops::update::update(&options, self.env, self.reporter)?,
        };
        if report.conflicts() > 0 {
            return Err(ProjectError::Lifecycle {
                message: format!(
                    "the template phase left {} conflict(s); settle them with `ggen resolve` and run again",
                    report.conflicts()
                ),
            });
        }
        Ok(report.files.into_iter().map(|f| f.path).collect())
    }

    /// Runs commands through `sh -c` in the project root, output streamed; the first
    /// failure stops the phase.
    fn shell(&self, phase: &str, commands: &[String]) -> PhaseOutcome {
        for command in commands {
            self.reporter.running_command(phase, command);
            let mut child = Command::new("sh");
            child
                .arg("-c")
                .arg(command)
                .current_dir(self.layout.root())
                .stdin(Stdio::null());
            if self.options.stdout_to_stderr {
                child.stdout(std::io::stderr());
            }
            match child.status() {
                Ok(status) if status.success() => {}
                Ok(status) => {
                    return PhaseOutcome::Failed {
                        command: command.clone(),
                        exit_code: status.code(),
                    };
                }
                Err(_) => {
                    return PhaseOutcome::Failed {
                        command: command.clone(),
                        exit_code: None,
                    };
                }
            }
        }
        PhaseOutcome::Succeeded
    }
}

/// `sha256-…` over the phase's commands, its declared environment, and the path and content
/// of every input file (sorted), each part length-prefixed.
fn cache_key(root: &Path, phase: &Phase) -> Result<String, ProjectError> {
    let mut parts: Vec<Vec<u8>> = phase
        .all_commands()
        .into_iter()
        .map(String::into_bytes)
        .collect();
    for name in &phase.env {
        let value = std::env::var(name).unwrap_or_default();
        parts.push(format!("{name}={value}").into_bytes());
    }
    for path in matching_files(root, &phase.inputs)? {
        let bytes = ggen_fs::read(&root.join(&path))?;
        parts.push(path.into_bytes());
        parts.push(ggen_pack::integrity::sha256(&bytes).into_bytes());
    }
    let mut bytes = Vec::new();
    for part in parts {
        bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&part);
    }
    Ok(ggen_pack::integrity::sha256(&bytes))
}

fn outputs_exist(root: &Path, globs: &[String]) -> Result<bool, ProjectError> {
    for glob in globs {
        if !root.join(glob).exists() && matching_files(root, std::slice::from_ref(glob))?.is_empty()
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The directory a glob can match under: its leading components without wildcards.
fn glob_base(glob: &str) -> &str {
    let wild = glob.find(['*', '?', '[', '{']).unwrap_or(glob.len());
    match glob[..wild].rfind('/') {
        Some(slash) => &glob[..slash],
        None => "",
    }
}

/// Project files (relative, `/`-separated, sorted) matching any of `globs`; `.git` and
/// `.ggen` are never walked.
fn matching_files(root: &Path, globs: &[String]) -> Result<Vec<String>, ProjectError> {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        let glob = globset::GlobBuilder::new(glob)
            .literal_separator(true)
            .build()
            .map_err(|e| ProjectError::Lifecycle {
                message: format!("make.toml: invalid glob `{glob}`: {e}"),
            })?;
        builder.add(glob);
    }
    let set = builder.build().map_err(|e| ProjectError::Lifecycle {
        message: format!("make.toml: {e}"),
    })?;
    let mut bases: Vec<&str> = globs.iter().map(|g| glob_base(g)).collect();
    bases.sort();
    bases.dedup();
    // Walk only under each glob's fixed prefix (not all of `target/` for `src/**/*.rs`).
    let mut files = Vec::new();
    let walkers = bases.iter().map(|base| {
        walkdir::WalkDir::new(root.join(base))
            .into_iter()
            .filter_entry(|e| !matches!(e.file_name().to_str(), Some(".git" | ".ggen")))
    });
    for entry in walkers.flatten().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let relative = relative.to_string_lossy().replace('\\', "/");
        if set.is_match(&relative) {
            files.push(relative);
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}
