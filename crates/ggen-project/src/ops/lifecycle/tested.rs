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
    let lifecycle = Lifecycle::load(&layout.root().join("make.toml"))?;
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

#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub passed: bool,
    /// The failing command and its exit status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The transaction that was rolled back because the test failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rolled_back: Option<String>,
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
pub fn update_tested(
    options: &UpdateOptions,
    env: &Environment,
    stdout_to_stderr: bool,
    reporter: &dyn Reporter,
) -> Result<TestedUpdate, ProjectError> {
    let layout = Layout::new(env.cwd.join(&options.root));
    require_test_phase(&layout)?;
    let mut project = Project::lock(&layout, env.no_wait, reporter)?;
    let before = last_transaction(&layout)?;
    let update = update_in(&mut project, options, env, reporter)?;
    let after = last_transaction(&layout)?;
    let update_txid = after.filter(|id| Some(id) != before.as_ref());
    let test = test_or_roll_back(&mut project, env, update_txid, stdout_to_stderr, reporter)?;
    Ok(TestedUpdate { update, test })
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
        failed_command: Some(command),
        exit_code,
        rolled_back,
    })
}
