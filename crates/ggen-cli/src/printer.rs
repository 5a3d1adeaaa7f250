//! Where output goes: data on stdout (human text or one JSON document), everything else on
//! stderr, in color only when wanted.

use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};

use crate::args::{ColorWhen, GlobalArgs};
use crate::error::CliError;

const GREEN: Style = AnsiColor::Green.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const CYAN: Style = AnsiColor::Cyan.on_default().bold();
const DIFF_ADDED: Style = AnsiColor::Green.on_default();
const DIFF_REMOVED: Style = AnsiColor::Red.on_default();
const DIFF_HUNK: Style = AnsiColor::Cyan.on_default();
const DIFF_HEADER: Style = Style::new().bold();
const YELLOW_PLAIN: Style = AnsiColor::Yellow.on_default();

/// The first error writing to stdout, kept for `main` to report (a write error is never
/// dropped: the data was not delivered, so the exit says so).
static STDOUT_ERROR: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);

/// How this run prints: a small value passed to every command.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub json: bool,
    quiet: bool,
    verbose: bool,
}

impl Printer {
    pub fn new(args: &GlobalArgs) -> Printer {
        let choice = match args.color {
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
            ColorWhen::Auto => anstream::ColorChoice::Auto,
        };
        choice.write_global();
        // Progress bars colour through `console`: the same choice (it honours NO_COLOR itself).
        match args.color {
            ColorWhen::Always => dialoguer::console::set_colors_enabled_stderr(true),
            ColorWhen::Never => dialoguer::console::set_colors_enabled_stderr(false),
            ColorWhen::Auto => {}
        }
        Printer {
            json: args.json,
            quiet: args.quiet,
            verbose: args.verbose,
        }
    }

    /// True when progress bars and prompts may be shown.
    /// `--quiet`: no status lines.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    pub fn interactive(&self) -> bool {
        !self.json && !self.quiet && std::io::stderr().is_terminal()
    }

    /// A cargo-style status line on stderr: `   Created my-app`.
    pub fn status(&self, verb: &str, message: &str) {
        if self.quiet {
            return;
        }
        let mut err = anstream::stderr();
        let _ = writeln!(err, "{GREEN}{verb:>12}{GREEN:#} {message}");
    }

    /// True with `--verbose`.
    pub fn is_verbose(&self) -> bool {
        self.verbose
    }

    /// A status line shown only with `--verbose`.
    pub fn detail(&self, verb: &str, message: &str) {
        if self.verbose {
            self.status(verb, message);
        }
    }

    pub fn warn(&self, message: &str) {
        self.labelled(YELLOW, "warning", message);
    }

    pub fn note(&self, message: &str) {
        self.labelled(CYAN, "note", message);
    }

    /// A command's finding that is no error (`drift: …`), on stderr.
    pub fn verdict(&self, label: &str, message: &str) {
        self.labelled(YELLOW, label, message);
    }

    /// A `hint:` line on stderr.
    pub fn hint(&self, message: &str) {
        self.labelled(CYAN, "hint", message);
    }

    /// `label: message` on stderr, the label in `style`; nothing with `--quiet`.
    fn labelled(&self, style: Style, label: &str, message: &str) {
        if self.quiet {
            return;
        }
        let mut err = anstream::stderr();
        let _ = writeln!(err, "{style}{label}{style:#}: {message}");
    }

    /// The error, with its hints, on stderr (its JSON document is `main`'s).
    pub fn error(&self, error: &CliError) {
        let mut err = anstream::stderr();
        let _ = writeln!(err, "{RED}error{RED:#}: {}", error.message);
        for hint in &error.hints {
            let _ = writeln!(err, "{CYAN}hint{CYAN:#}: {hint}");
        }
    }

    /// A line on stderr as it is (machine-readable progress of long-running commands).
    pub fn warn_raw(&self, line: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }

    /// Flushes stdout, for output read line by line while the command runs.
    pub fn flush(&self) {
        keep_error(std::io::stdout().flush());
    }

    /// Human data on stdout (nothing in `--json` mode).
    pub fn out(&self, text: &str) {
        if self.json {
            return;
        }
        let mut out = anstream::stdout();
        keep_error(out.write_all(text.as_bytes()));
    }

    /// A unified diff on stdout, coloured like git's where colour is wanted.
    pub fn diff(&self, text: &str) {
        self.out(&colored_diff(text));
    }

    /// A plan (`ACTION  PATH` lines) on stdout, each action coloured by what it does to the
    /// file, like git's status letters.
    pub fn plan(&self, text: &str) {
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let word = line.split_whitespace().next().unwrap_or_default();
            let style = match word {
                "create" | "created" | "restore" => Some(DIFF_ADDED),
                "delete" | "deleted" | "missing" => Some(DIFF_REMOVED),
                "conflict" | "conflicted" => Some(RED),
                "merge" | "update" | "modified" | "overwrite" => Some(YELLOW_PLAIN),
                _ => None,
            };
            match style {
                Some(style) => {
                    let rest = &line[word.len()..];
                    out.push_str(&format!("{style}{word}{style:#}{rest}"));
                }
                None => out.push_str(line),
            }
        }
        self.out(&out);
    }

    /// Raw bytes on stdout (rendered files, merge results).
    pub fn out_bytes(&self, bytes: &[u8]) {
        let mut out = std::io::stdout().lock();
        keep_error(out.write_all(bytes).and_then(|()| out.flush()));
    }

    /// Writes one JSON document on stdout.
    pub fn json_document(&self, value: serde_json::Value) {
        let mut out = std::io::stdout().lock();
        let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
        keep_error(writeln!(out, "{text}").and_then(|()| out.flush()));
    }

    /// The first stdout write error of this run, if any.
    pub fn stdout_error(&self) -> Option<std::io::Error> {
        STDOUT_ERROR.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// `text` (a unified diff) with git's colours: headers bold, hunk lines cyan, removed lines
/// red, added lines green. The stream it is written to strips them where colour is not
/// wanted (`--color never`, `NO_COLOR`, not a terminal).
pub fn colored_diff(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            DIFF_HEADER
        } else if line.starts_with("@@") {
            DIFF_HUNK
        } else if line.starts_with('+') {
            DIFF_ADDED
        } else if line.starts_with('-') {
            DIFF_REMOVED
        } else {
            out.push_str(line);
            continue;
        };
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        out.push_str(&format!("{style}{body}{style:#}{end}"));
    }
    out
}

fn keep_error(result: std::io::Result<()>) {
    if let Err(err) = result
        && let Ok(mut slot) = STDOUT_ERROR.lock()
        && slot.is_none()
    {
        *slot = Some(err);
    }
}
