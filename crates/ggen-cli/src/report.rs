//! What a command hands back to `main`: how it ended ([`Outcome`]) and what to show
//! ([`Report`]). `main` alone turns these into the exit code and the JSON document's
//! `status` and `exit_code`, so the three never disagree.

use crate::error::{CliError, EXIT_UNRESOLVED};
use crate::printer::Printer;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything done: exit 0.
    Success,
    /// Done, but conflicts or changes awaiting review remain: exit 3.
    Unresolved,
    /// The command ran and its report says what failed (a hook, a test, `packs check`):
    /// this exit code (1 unless a phase's own code is passed on).
    Failed(u8),
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Unresolved => EXIT_UNRESOLVED,
            Outcome::Failed(code) => code,
        }
    }

    /// The `status` field of the JSON document.
    pub fn status(self) -> &'static str {
        match self {
            Outcome::Success => "ok",
            Outcome::Unresolved => "unresolved",
            Outcome::Failed(_) => "error",
        }
    }

    /// `Unresolved` when `unresolved`, else `Success`.
    pub fn unresolved_if(unresolved: bool) -> Outcome {
        if unresolved {
            Outcome::Unresolved
        } else {
            Outcome::Success
        }
    }
}

/// A command's result: its outcome, its JSON document (in `--json` mode; without `status`
/// and `exit_code`, which `main` fills in) and, for a failed outcome, the error to show in
/// human mode.
#[derive(Debug)]
pub struct Report {
    pub outcome: Outcome,
    pub document: Option<serde_json::Value>,
    pub failure: Option<CliError>,
}

impl Report {
    pub fn new(outcome: Outcome) -> Report {
        Report {
            outcome,
            document: None,
            failure: None,
        }
    }

    /// Sets the JSON document, built only in `--json` mode.
    pub fn with_json(
        mut self,
        printer: &Printer,
        document: impl FnOnce() -> serde_json::Value,
    ) -> Report {
        if printer.json {
            self.document = Some(document());
        }
        self
    }

    /// Marks the command failed with `error` (its code becomes the exit code; its message
    /// is shown in human mode, while in `--json` mode the document says it all).
    pub fn failed(mut self, error: CliError) -> Report {
        self.outcome = Outcome::Failed(error.code);
        self.failure = Some(error);
        self
    }
}

impl From<Outcome> for Report {
    fn from(outcome: Outcome) -> Report {
        Report::new(outcome)
    }
}
