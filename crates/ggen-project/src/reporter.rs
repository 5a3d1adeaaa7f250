//! How long-running operations tell the user what they are doing, without printing.

use std::path::Path;

/// Implemented by the binary (progress bars, prompts); libraries only call it.
pub trait Reporter: Sync {
    /// A phase of `total` steps begins (rendering, writing).
    fn start(&self, _label: &str, _total: u64) {}
    /// `n` more steps of the current phase are done.
    fn advance(&self, _n: u64) {}
    /// The current phase has `delta` more steps than announced (fewer when negative): a
    /// template's `foreach` rows become known as it renders.
    fn adjust_total(&self, _delta: i64) {}
    /// A step that cannot be counted begins (`resolving packs`, `committing`): shown until
    /// the next phase starts or [`Reporter::finish`].
    fn phase(&self, _label: &str) {}
    /// The current phase is over.
    fn finish(&self) {}
    /// Another ggen holds the project lock at `path`; we wait for it.
    fn waiting_for_lock(&self, _path: &Path) {}
    /// Asks whether `pack`'s hook `commands` may run. The default is no.
    fn confirm_hooks(&self, _pack: &str, _commands: &[String]) -> bool {
        false
    }
    /// Asks whether lifecycle `commands` may run: `why` says which file this command wrote
    /// or changed, and which packs wrote it. The default is no.
    fn confirm_lifecycle(&self, _why: &str, _commands: &[String]) -> bool {
        false
    }
    /// A lifecycle `phase` runs `command` now.
    fn running_command(&self, _phase: &str, _command: &str) {}
    /// `pack`'s hook `command` starts now (after consent).
    fn running_hook(&self, _pack: &str, _command: &str) {}
    /// Shows a merge of `path` (a unified diff, current -> merged) and asks whether to write
    /// it. `None` when there is nobody to ask (no terminal).
    fn review_merge(&self, _path: &str, _diff: &str) -> Option<bool> {
        None
    }
    /// Asks for the value of a variable nothing gave; the answer passes
    /// [`Question::check`](ggen_pack::variables::Question::check). `None` when there is
    /// nobody to ask (no terminal, `--defaults`): the variable takes its default, if any.
    fn ask_variable(&self, _question: &ggen_pack::variables::Question<'_>) -> Option<String> {
        None
    }
}

/// Reports nothing and refuses hooks.
pub struct NoReporter;

impl Reporter for NoReporter {}
