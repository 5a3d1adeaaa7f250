//! The per-file verdict of a migration.

use std::path::PathBuf;

use serde::Serialize;

/// How far a file converted; ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Converted without any change in meaning.
    Converted,
    /// Converted; the notes say what was rewritten or dropped.
    Changed,
    /// Needs a human: the reasons say what has no equivalent here.
    Manual,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Converted => "converted",
            Status::Changed => "converted with changes",
            Status::Manual => "needs a human",
        }
    }
}

/// What happened to one source file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file in the source pack.
    pub source: PathBuf,
    /// Where it went in the new pack (none: left out).
    pub target: Option<PathBuf>,
    pub status: Status,
    /// What was rewritten or dropped on the way.
    pub changes: Vec<String>,
    /// Why a human is needed (empty unless the status is `manual`).
    pub reasons: Vec<String>,
}

impl FileReport {
    pub(crate) fn new(source: PathBuf, target: Option<PathBuf>) -> FileReport {
        FileReport {
            source,
            target,
            status: Status::Converted,
            changes: Vec::new(),
            reasons: Vec::new(),
        }
    }

    /// Records a rewrite that keeps the meaning close but not identical.
    pub(crate) fn changed(&mut self, note: impl Into<String>) {
        self.status = self.status.max(Status::Changed);
        let note = note.into();
        if !self.changes.contains(&note) {
            self.changes.push(note);
        }
    }

    /// Records something with no equivalent here.
    pub(crate) fn manual(&mut self, note: impl Into<String>) {
        self.status = Status::Manual;
        let note = note.into();
        if !self.reasons.contains(&note) {
            self.reasons.push(note);
        }
    }
}
