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

    /// `.ggen/.gitignore`: `*`, so `git add -A` never picks up the local state.
    pub fn state_gitignore(&self) -> PathBuf {
        self.state_dir().join(".gitignore")
    }

    /// Creates `.ggen/` if needed, and its `.gitignore` (`*`) when it has none: `.ggen/` is
    /// local to one checkout; `ggen.lock` and the generated files are what a team commits.
    pub fn ensure_state_dir(&self) -> Result<(), ggen_fs::FsError> {
        ggen_fs::create_dir_all(&self.state_dir())?;
        let ignore = self.state_gitignore();
        if std::fs::symlink_metadata(&ignore).is_err() {
            ggen_fs::write_new(&ignore, b"*\n", ggen_fs::Durability::Batch)?;
        }
        Ok(())
    }

    pub fn snapshot(&self) -> PathBuf {
        self.state_dir().join("snapshot.json")
    }

    /// The stat of every generated file when last found as generated (see
    /// [`crate::state::stat_cache`]).
    pub fn stat_cache(&self) -> PathBuf {
        self.state_dir().join("stat-cache")
    }

    /// The salt of the render cache's keys for secret variables.
    pub fn secret_salt(&self) -> PathBuf {
        self.state_dir().join("secret-salt")
    }

    pub fn objects(&self) -> PathBuf {
        self.state_dir().join("objects")
    }

    /// `.ggen/objects/pack/`: written only under the project lock (transactions and garbage
    /// collection), so a temporary file there is always one a stopped ggen left.
    pub fn object_packs(&self) -> PathBuf {
        self.objects().join(crate::state::objects::PACK_DIR)
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
