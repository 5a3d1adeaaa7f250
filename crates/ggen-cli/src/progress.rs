//! Progress bars and prompts for the library's [`Reporter`], on a terminal only.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;

use ggen_project::Reporter;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct TerminalReporter {
    bar: Mutex<Option<ProgressBar>>,
    interactive: bool,
    quiet: bool,
}

impl TerminalReporter {
    pub fn new(interactive: bool, quiet: bool) -> TerminalReporter {
        TerminalReporter {
            bar: Mutex::new(None),
            interactive,
            quiet,
        }
    }
}

impl Reporter for TerminalReporter {
    fn start(&self, label: &str, total: u64) {
        if !self.interactive {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>12.cyan.bold} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(label.split(' ').next().unwrap_or(label).to_string());
        bar.set_message(label.to_string());
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
    }

    fn waiting_for_lock(&self, path: &Path) {
        if !self.quiet {
            let mut err = anstream::stderr();
            let _ = writeln!(
                err,
                "{:>12} for another ggen to finish (lock {})",
                "Waiting",
                path.display()
            );
        }
    }

    fn confirm_hooks(&self, pack: &str, commands: &[String]) -> bool {
        if !self.interactive || !std::io::stdin().is_terminal() {
            return false;
        }
        let mut err = anstream::stderr();
        let _ = writeln!(err, "pack `{pack}` wants to run these shell commands:");
        for command in commands {
            let _ = writeln!(err, "    {command}");
        }
        let _ = write!(err, "Run them? [y/N] ");
        let _ = err.flush();
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer).is_err() {
            return false;
        }
        matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
    }
}
