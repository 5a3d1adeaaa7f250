//! `ggen packs update --test`: run the `test` phase after an update and roll the whole update
//! back, through the transaction history, when it fails.

use serde::Serialize;

use super::{Lifecycle, PhaseOutcome, RunOptions, run};
use crate::ops::rollback::{RollbackOptions, rollback};
use crate::{Environment, Layout, ProjectError, Reporter};

/// The phase `--test` runs.
pub const TEST_PHASE: &str = "test";

/// Refuses `--test` before anything is changed when `make.toml` has no `test` phase.
pub fn require_test_phase(layout: &Layout) -> Result<(), ProjectError> {
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
pub fn last_transaction(layout: &Layout) -> Result<Option<String>, ProjectError> {
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

/// Runs the test phase; when it fails and the update made transaction `update_txid`, undoes
/// it. Changes the test phase itself made to generated files are undone with it.
pub fn test_or_roll_back(
    layout: &Layout,
    env: &Environment,
    update_txid: Option<String>,
    stdout_to_stderr: bool,
    reporter: &dyn Reporter,
) -> Result<TestResult, ProjectError> {
    let options = RunOptions {
        phases: vec![TEST_PHASE.to_string()],
        force: true,
        stdout_to_stderr,
    };
    let report = run(layout, env, &options, reporter)?;
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
        rollback(layout, &options, env, reporter)?;
        rolled_back = Some(id);
    }
    Ok(TestResult {
        passed: false,
        failed_command: Some(command),
        exit_code,
        rolled_back,
    })
}
