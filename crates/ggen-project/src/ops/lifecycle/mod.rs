//! Lifecycle phases from `make.toml` (SPEC §7): hooks and commands run in order, the built-in
//! `template` phase, cache keys that are honoured, and a record of every run.

mod config;
mod run;
mod state;
mod tested;

pub use config::{Hooks, Lifecycle, Phase, TEMPLATE_PHASE};
pub use run::{PhaseOutcome, PhaseRun, RunOptions, RunReport, run};
pub use state::{LifecycleState, PhaseRecord};
pub use tested::{LifecycleConsent, TEST_PHASE, TestResult, TestedUpdate, update_tested};
