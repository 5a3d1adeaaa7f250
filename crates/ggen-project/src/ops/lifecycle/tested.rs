//! `ggen packs update --test`: the update, then the `test` phase, and when the test fails
//! a rollback of the whole update through the transaction history — all under one hold of
//! the project lock, so no other ggen can commit in between (and be rolled back with it).

use serde::Serialize;

use super::run::run_phases;
use super::{Lifecycle, PhaseOutcome, RunOptions};
use crate::ops::rollback::{RollbackOptions, rollback_locked};
use crate::ops::update::{UpdateOptions, UpdateReport, update_in};
use crate::project::Project;
use crate::{Environment, Layout, ProjectError, Reporter};

/// The phase `--test` runs.
pub const TEST_PHASE: &str = "test";

/// Refuses `--test` before anything is changed when `make.toml` has no `test` phase.
fn require_test_phase(layout: &Layout) -> Result<(), ProjectError> {
    let lifecycle = Lifecycle::load(&layout.root().join(LIFECYCLE_FILE))?;
    if lifecycle.phases.contains_key(TEST_PHASE) {
        Ok(())
    } else {
        Err(ProjectError::Lifecycle {
            message: "--test runs the `test` phase, and make.toml has none (add [lifecycle.test] with its commands)".into(),
        })
    }
}

/// The id of the newest committed transaction, to tell whether a command made a new one.
fn last_transaction(layout: &Layout) -> Result<Option<String>, ProjectError> {
    Ok(crate::transaction::history::last(layout)?.map(|record| record.id))
}

/// The lifecycle's one file: its commands come from the project, or from a pack that wrote it.
const LIFECYCLE_FILE: &str = "make.toml";

#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub passed: bool,
    /// False when the phase was not run: the update wrote or changed `make.toml` and the user
    /// did not consent (`needs_consent` says what would have run).
    pub ran: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_consent: Option<LifecycleConsent>,
    /// The failing command and its exit status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The transaction that was rolled back because the test failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rolled_back: Option<String>,
}

/// A lifecycle file this update wrote or changed, whose commands were not run without the
/// user's consent; the update is kept.
#[derive(Debug, Clone, Serialize)]
pub struct LifecycleConsent {
    pub file: String,
    /// The packs whose update wrote it (empty when a merge or another step changed it).
    pub packs: Vec<String>,
    /// What the `test` phase would have run, hooks included.
    pub commands: Vec<String>,
}

/// What `packs update --test` did: the update, and the test phase after it.
#[derive(Debug, Clone)]
pub struct TestedUpdate {
    pub update: UpdateReport,
    pub test: TestResult,
}

/// `ggen packs update --test`: takes the project lock once, updates, runs the `test` phase
/// and, when it fails, rolls the update back; the lock is released only at the end.
/// `stdout_to_stderr` sends the phase's output to stderr (`--json`).
///
/// When the update wrote or changed `make.toml`, its commands come from a pack: they run only
/// with `allow_commands` (`--allow-hooks`) or a yes at the reporter's prompt, which shows
/// them. Without consent the test phase is not run and the update is kept (the result says
/// so; the caller exits with an error).
pub fn update_tested(
    options: &UpdateOptions,
    env: &Environment,
    allow_commands: bool,
    stdout_to_stderr: bool,
    reporter: &dyn Reporter,
) -> Result<TestedUpdate, ProjectError> {
    let layout = Layout::new(env.cwd.join(&options.root));
    require_test_phase(&layout)?;
    let mut project = Project::lock(&layout, env.no_wait, reporter)?;
    let lifecycle_path = layout.root().join(LIFECYCLE_FILE);
    let lifecycle_before = ggen_fs::read_optional(&lifecycle_path)?;
    let before = last_transaction(&layout)?;
    let update = update_in(&mut project, options, env, reporter)?;
    let after = last_transaction(&layout)?;
    let update_txid = after.filter(|id| Some(id) != before.as_ref());
    if ggen_fs::read_optional(&lifecycle_path)? != lifecycle_before && !allow_commands {
        let consent = lifecycle_consent(&layout, &update)?;
        let why = match consent.packs.as_slice() {
            [] => format!("{LIFECYCLE_FILE} was changed by this update"),
            packs => format!(
                "{LIFECYCLE_FILE} was written by this update of pack {}",
                packs
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        if !reporter.confirm_lifecycle(&why, &consent.commands) {
            let test = TestResult {
                passed: false,
                ran: false,
                needs_consent: Some(consent),
                failed_command: None,
                exit_code: None,
                rolled_back: None,
            };
            return Ok(TestedUpdate { update, test });
        }
    }
    let test = test_or_roll_back(&mut project, env, update_txid, stdout_to_stderr, reporter)?;
    Ok(TestedUpdate { update, test })
}

/// What the consent for the new `make.toml` covers: the packs that wrote it, and the commands
/// its `test` phase runs.
fn lifecycle_consent(
    layout: &Layout,
    update: &UpdateReport,
) -> Result<LifecycleConsent, ProjectError> {
    let lifecycle = Lifecycle::load(&layout.root().join(LIFECYCLE_FILE))?;
    let mut packs: Vec<String> = update
        .files
        .iter()
        .filter(|f| f.path == LIFECYCLE_FILE)
        .map(|f| f.pack.clone())
        .collect();
    packs.dedup();
    Ok(LifecycleConsent {
        file: LIFECYCLE_FILE.to_string(),
        packs,
        commands: lifecycle.commands_run_by(&[TEST_PHASE.to_string()]),
    })
}

/// Runs the test phase; when it fails and the update made transaction `update_txid`, undoes
/// it. Changes the test phase itself made to generated files are undone with it.
fn test_or_roll_back(
    project: &mut Project,
    env: &Environment,
    update_txid: Option<String>,
    stdout_to_stderr: bool,
    reporter: &dyn Reporter,
) -> Result<TestResult, ProjectError> {
    let layout = project.layout().clone();
    let options = RunOptions {
        phases: vec![TEST_PHASE.to_string()],
        force: true,
        stdout_to_stderr,
    };
    let report = run_phases(&layout, env, &options, reporter, Some(&mut *project))?;
    let Some(failure) = report.failure() else {
        return Ok(TestResult {
            passed: true,
            ran: true,
            needs_consent: None,
            failed_command: None,
            exit_code: None,
            rolled_back: None,
        });
    };
    let (command, exit_code) = match &failure.outcome {
        PhaseOutcome::Failed { command, exit_code } => (command.clone(), *exit_code),
        _ => (String::new(), None),
    };
    let mut rolled_back = None;
    if let Some(id) = update_txid {
        let options = RollbackOptions {
            to: Some(id.clone()),
            // Only this command ran since the update: what the test phase changed goes too.
            force: true,
        };
        rollback_locked(project.guard(), &options, env.history_limit)?;
        project.reload()?;
        rolled_back = Some(id);
    }
    Ok(TestResult {
        passed: false,
        ran: true,
        needs_consent: None,
        failed_command: Some(command),
        exit_code,
        rolled_back,
    })
}
