//! The one progress interface of the binary: [`Terminal`] shows the library's progress
//! ([`Reporter`]: phases, counted steps, prompts) and the registry's ([`ggen_registry::Progress`]:
//! downloads, warnings) as bars on one stderr, on a terminal only.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use ggen_project::Reporter;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::printer::Printer;
use crate::prompt::review::MergeReview;

pub struct Terminal {
    printer: Printer,
    /// The bar of the current phase.
    bar: Mutex<Option<ProgressBar>>,
    /// One bar per download under way, by URL.
    downloads: Mutex<BTreeMap<String, ProgressBar>>,
    interactive: bool,
    quiet: bool,
    review: MergeReview,
    /// Variables nothing gave are asked ([`crate::prompt::vars::can_ask`]).
    ask_variables: bool,
}

impl Terminal {
    /// Bars and prompts when `printer` is interactive (stderr a terminal, no `--json` or
    /// `--quiet`); status lines unless `--quiet`.
    pub fn new(printer: Printer) -> Terminal {
        Terminal {
            printer,
            bar: Mutex::new(None),
            downloads: Mutex::new(BTreeMap::new()),
            interactive: printer.interactive(),
            quiet: printer.quiet(),
            review: MergeReview::default(),
            ask_variables: false,
        }
    }

    /// Prompts need someone at the terminal: stdin and stderr both terminals.
    fn can_ask(&self) -> bool {
        self.interactive && std::io::stdin().is_terminal()
    }

    /// Asks for variables on the terminal unless `--defaults` was given or there is none.
    pub fn asking_variables(mut self, defaults: bool) -> Terminal {
        self.ask_variables = crate::prompt::vars::can_ask(defaults);
        self
    }

    /// No bars and no prompts (`watch` prints a line per event instead).
    pub fn without_bars(mut self) -> Terminal {
        self.interactive = false;
        self
    }
}

impl Drop for Terminal {
    /// A phase still shown (an operation that failed midway) is cleared before `main`
    /// prints the outcome.
    fn drop(&mut self) {
        self.finish();
    }
}

impl Reporter for Terminal {
    fn start(&self, label: &str, total: u64) {
        if !self.interactive {
            return;
        }
        let bar = ProgressBar::new(total);
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>12.cyan.bold} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        self.show(bar, label);
    }

    fn phase(&self, label: &str) {
        if !self.interactive {
            return;
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>12.cyan.bold} {spinner} {wide_msg}")
        {
            bar.set_style(style);
        }
        self.show(bar, label);
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            // A phase has no steps: the spinner turns by itself to show ggen is working.
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(n);
        }
    }

    fn adjust_total(&self, delta: i64) {
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            if delta >= 0 {
                bar.inc_length(delta.unsigned_abs());
            } else {
                bar.dec_length(delta.unsigned_abs());
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
            BARS.remove(&bar);
        }
    }

    fn waiting_for_lock(&self, path: &Path) {
        if !self.quiet {
            BARS.suspend(|| {
                let mut err = anstream::stderr();
                let _ = writeln!(
                    err,
                    "{:>12} for another ggen to finish (lock {})",
                    "Waiting",
                    path.display()
                );
            });
        }
    }

    fn running_command(&self, phase: &str, command: &str) {
        if !self.quiet {
            self.finish();
            let mut err = anstream::stderr();
            let _ = writeln!(err, "{:>12} `{command}` ({phase})", "Running");
        }
    }

    fn running_hook(&self, pack: &str, command: &str) {
        if !self.quiet {
            self.finish();
            let mut err = anstream::stderr();
            let _ = writeln!(err, "{:>12} `{command}` (hook of {pack})", "Running");
        }
    }

    fn review_merge(&self, path: &str, diff: &str) -> Option<bool> {
        if !self.can_ask() {
            return None;
        }
        self.finish();
        self.review.ask(path, diff)
    }

    fn confirm_hooks(&self, pack: &str, commands: &[String]) -> bool {
        self.ask_to_run(
            &format!("pack `{pack}` wants to run these shell commands:"),
            commands,
        )
    }

    fn confirm_lifecycle(&self, why: &str, commands: &[String]) -> bool {
        self.ask_to_run(&format!("{why}; it runs these shell commands:"), commands)
    }

    fn ask_variable(&self, question: &ggen_pack::variables::Question<'_>) -> Option<String> {
        if !self.ask_variables {
            return None;
        }
        self.finish();
        crate::prompt::vars::ask(question)
    }
}

impl Terminal {
    /// Shows `bar` in place of the current one. "rendering outputs of big" -> prefix
    /// "Rendering", message "outputs of big": the verb is shown once, like a status line's.
    fn show(&self, bar: ProgressBar, label: &str) {
        self.finish();
        // Added before anything is set: a bar draws only through `BARS`.
        let bar = BARS.add(bar);
        let (verb, rest) = label.split_once(' ').unwrap_or((label, ""));
        bar.set_prefix(capitalized(verb));
        bar.set_message(rest.to_string());
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    /// Shows `heading` and `commands` and asks on the terminal whether to run them; no (and
    /// no question) without a terminal.
    fn ask_to_run(&self, heading: &str, commands: &[String]) -> bool {
        if !self.can_ask() {
            return false;
        }
        self.finish();
        let mut err = anstream::stderr();
        let _ = writeln!(err, "{heading}");
        for command in commands {
            let _ = writeln!(err, "    {command}");
        }
        // Answered with a line (y/n + Enter) so a stray key never consents.
        dialoguer::Confirm::new()
            .with_prompt("Run them?")
            .default(false)
            .wait_for_newline(true)
            .interact_on_opt(&dialoguer::console::Term::stderr())
            .ok()
            .flatten()
            .unwrap_or(false)
    }
}

/// Every bar of this process, drawn on stderr (hidden when it is not a terminal): phases,
/// counted steps and downloads never draw over one another.
static BARS: LazyLock<MultiProgress> =
    LazyLock::new(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));

/// `rendering` -> `Rendering`.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl ggen_registry::Progress for Terminal {
    fn download_started(&self, url: &str, total: Option<u64>) {
        if !self.interactive {
            return;
        }
        let bar = BARS.add(ProgressBar::with_draw_target(
            total,
            ProgressDrawTarget::stderr(),
        ));
        let template = if total.is_some() {
            "{prefix:>12.cyan.bold} [{bar:30}] {bytes}/{total_bytes} {wide_msg}"
        } else {
            "{prefix:>12.cyan.bold} {spinner} {bytes} {wide_msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix("Downloading");
        let name = url.rsplit('/').next().unwrap_or(url).to_string();
        bar.set_message(name);
        if let Ok(mut downloads) = self.downloads.lock() {
            downloads.insert(url.to_string(), bar);
        }
    }

    fn download_advanced(&self, url: &str, bytes: u64) {
        if let Ok(downloads) = self.downloads.lock()
            && let Some(bar) = downloads.get(url)
        {
            bar.inc(bytes);
        }
    }

    fn download_finished(&self, url: &str) {
        if let Ok(mut downloads) = self.downloads.lock()
            && let Some(bar) = downloads.remove(url)
        {
            bar.finish_and_clear();
            BARS.remove(&bar);
        }
    }

    fn warning(&self, message: &str) {
        BARS.suspend(|| self.printer.warn(message));
    }
}
