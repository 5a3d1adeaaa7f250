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

pub struct Printer {
    pub json: bool,
    quiet: bool,
    verbose: bool,
    /// Fields every JSON document of this run carries (e.g. `recovered`).
    extra: std::sync::Mutex<serde_json::Map<String, serde_json::Value>>,
}

impl Printer {
    pub fn new(args: &GlobalArgs) -> Printer {
        let choice = match args.color {
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
            ColorWhen::Auto => anstream::ColorChoice::Auto,
        };
        choice.write_global();
        Printer {
            json: args.json,
            quiet: args.quiet,
            verbose: args.verbose,
            extra: std::sync::Mutex::new(serde_json::Map::new()),
        }
    }

    /// True when progress bars and prompts may be shown.
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
        if self.quiet {
            return;
        }
        let mut err = anstream::stderr();
        let _ = writeln!(err, "{YELLOW}warning{YELLOW:#}: {message}");
    }

    pub fn note(&self, message: &str) {
        if self.quiet {
            return;
        }
        let mut err = anstream::stderr();
        let _ = writeln!(err, "{CYAN}note{CYAN:#}: {message}");
    }

    /// The error, with its hints, on stderr; in `--json` mode also as the JSON document.
    pub fn error(&self, error: &CliError) {
        let mut err = anstream::stderr();
        let _ = writeln!(err, "{RED}error{RED:#}: {}", error.message);
        for hint in &error.hints {
            let _ = writeln!(err, "{CYAN}hint{CYAN:#}: {hint}");
        }
        if self.json {
            self.json_document(serde_json::json!({
                "status": "error",
                "exit_code": error.code,
                "error": { "message": error.message, "hints": error.hints },
            }));
        }
    }

    /// A line on stderr as it is (machine-readable progress of long-running commands).
    pub fn warn_raw(&self, line: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }

    /// Flushes stdout, for output read line by line while the command runs.
    pub fn flush(&self) {
        let _ = std::io::stdout().flush();
    }

    /// Human data on stdout (nothing in `--json` mode).
    pub fn out(&self, text: &str) {
        if self.json {
            return;
        }
        let mut out = anstream::stdout();
        let _ = out.write_all(text.as_bytes());
    }

    /// Raw bytes on stdout (rendered files, merge results).
    pub fn out_bytes(&self, bytes: &[u8]) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes);
        let _ = out.flush();
    }

    /// Adds `key` to the JSON document of this run, whichever command prints it.
    pub fn add_json_field(&self, key: &str, value: serde_json::Value) {
        if let Ok(mut extra) = self.extra.lock() {
            extra.insert(key.to_string(), value);
        }
    }

    /// The one JSON document of a `--json` run.
    pub fn json_document(&self, mut value: serde_json::Value) {
        if let (Some(doc), Ok(extra)) = (value.as_object_mut(), self.extra.lock()) {
            for (key, field) in extra.iter() {
                doc.entry(key.clone()).or_insert_with(|| field.clone());
            }
        }
        let mut out = std::io::stdout().lock();
        let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
        let _ = writeln!(out, "{text}");
    }
}
