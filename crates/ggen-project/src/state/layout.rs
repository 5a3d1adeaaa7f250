//! Where a project keeps its state: `ggen.lock` and the `.ggen/` directory.

use std::path::{Path, PathBuf};

/// The paths of one project.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The project at `root`; every write below it is confined to it ([`ggen_fs::confine_to`]).
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        let root = root.into();
        ggen_fs::confine_to(&root);
        Layout { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn lockfile(&self) -> PathBuf {
        self.root.join("ggen.lock")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.root.join(".ggen")
    }

    pub fn snapshot(&self) -> PathBuf {
        self.state_dir().join("snapshot.json")
    }

    pub fn objects(&self) -> PathBuf {
        self.state_dir().join("objects")
    }

    /// The file locked exclusively while a command changes the project.
    pub fn project_lock(&self) -> PathBuf {
        self.state_dir().join("lock")
    }

    /// Transactions in flight (or interrupted): `.ggen/journal/<txid>/`.
    pub fn journal_dir(&self) -> PathBuf {
        self.state_dir().join("journal")
    }

    /// Finished transactions, what is needed to roll each back: `.ggen/history/<txid>/`.
    pub fn history_dir(&self) -> PathBuf {
        self.state_dir().join("history")
    }

    /// Damaged state files that recovery replaced, kept for inspection.
    pub fn corrupt_dir(&self) -> PathBuf {
        self.state_dir().join("corrupt")
    }

    /// The project file at a lockfile path (`/`-separated, relative).
    pub fn file(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }
}
