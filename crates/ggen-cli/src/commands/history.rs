//! `ggen history`, and the step every project command takes first: finishing what an
//! interrupted ggen left (journal rollback, damaged lockfile or snapshot), saying so.

use std::path::PathBuf;

use ggen_project::Layout;
use ggen_project::transaction::history::HistoryEntry;
use ggen_project::transaction::journal::PackChange;

use crate::args::{Command, GlobalArgs, LifecycleCommand, PacksCommand};
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let records = ggen_project::transaction::history::list(&settings::project_layout(&env))?;
    let entries: Vec<HistoryEntry> = records.iter().rev().map(HistoryEntry::from).collect();
    if printer.json {
        document = Some(serde_json::json!({
            "history_limit": env.history_limit,
            "transactions": entries,
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    if entries.is_empty() {
        printer.note("no changes recorded yet");
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    let mut text = String::new();
    for entry in &entries {
        let packs: Vec<String> = entry.packs.iter().map(describe_pack).collect();
        let packs = if packs.is_empty() {
            String::new()
        } else {
            format!("  {}", packs.join(", "))
        };
        text.push_str(&format!(
            "{}  {}  {}{packs}  ({} files changed)\n",
            entry.id,
            entry.time,
            entry.command,
            entry.files.len()
        ));
        if printer.is_verbose() {
            for file in &entry.files {
                let path = match &file.from {
                    Some(from) => format!("{from} → {}", file.path),
                    None => file.path.clone(),
                };
                text.push_str(&format!("    {:<7} {path}\n", file.change));
            }
        }
    }
    printer.out(&text);
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}

/// `id 1.0.0 -> 2.0.0`, `id 1.0.0 (installed)`, `id 1.0.0 (removed)`.
pub fn describe_pack(pack: &PackChange) -> String {
    match (&pack.from, &pack.to) {
        (Some(from), Some(to)) if from == to => format!("{} {to}", pack.id),
        (Some(from), Some(to)) => format!("{} {from} -> {to}", pack.id),
        (None, Some(to)) => format!("{} {to} (installed)", pack.id),
        (Some(from), None) => format!("{} {from} (removed)", pack.id),
        (None, None) => pack.id.clone(),
    }
}

/// Runs before every command that works on a project: undoes a transaction a killed ggen
/// left unfinished and restores a damaged `ggen.lock` or snapshot from the history, with a
/// warning on stderr and a `recovered` field in the JSON document.
/// Readies the project for the command (see [`ggen_project::project::open`]) and returns
/// what was repaired, for the `recovered` field of the JSON document.
pub fn recover(
    command: &Command,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Option<serde_json::Value>, CliError> {
    let Some(root) = project_root(command, global) else {
        return Ok(None);
    };
    let reporter = Terminal::new(*printer);
    let report = ggen_project::project::open(&Layout::new(root), global.no_wait, &reporter)?;
    if report.is_empty() {
        return Ok(None);
    }
    for recovery in &report.recovered {
        printer.warn(&format!(
            "`{}` (transaction {}, started {}) was interrupted: restored the project as it was before it ({} path(s) put back: {})",
            recovery.command,
            recovery.transaction,
            recovery.started,
            recovery.restored.len(),
            abbreviate(&recovery.restored),
        ));
    }
    for restored in &report.restored {
        printer.warn(&format!(
            "{} was damaged ({}): restored the copy committed by transaction {}; the damaged file is kept at {}",
            restored.path,
            restored.problem,
            restored.from_transaction,
            restored.damaged_copy.display(),
        ));
    }
    Ok(Some(serde_json::json!({
        "transactions": report.recovered,
        "state_files": report.restored,
    })))
}

fn abbreviate(paths: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = paths
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    if text.is_empty() {
        text.push_str("none had changed yet");
    }
    text
}

/// The project a command works on, if it works on one that exists.
fn project_root(command: &Command, global: &GlobalArgs) -> Option<PathBuf> {
    let mut dir = std::env::current_dir().ok()?;
    if let Some(directory) = &global.directory {
        dir = dir.join(directory);
    }
    if !matches!(command, Command::New(_)) {
        // The project found upward, as the command itself will (`settings::project_root`).
        dir = crate::settings::find_project(&dir).unwrap_or(dir);
    }
    let root = match command {
        Command::New(args) => dir.join(&args.dir),
        Command::Packs(PacksCommand::List(args)) if args.available => return None,
        Command::Packs(
            PacksCommand::Install(_)
            | PacksCommand::List(_)
            | PacksCommand::Update(_)
            | PacksCommand::Regenerate(_)
            | PacksCommand::Check(_)
            | PacksCommand::Uninstall(_)
            | PacksCommand::Outdated(_),
        )
        | Command::Status
        | Command::Diff(_)
        | Command::Conflicts
        | Command::Resolve(_)
        | Command::History
        | Command::Rollback(_)
        | Command::Watch(_)
        | Command::Lifecycle(LifecycleCommand::List | LifecycleCommand::Run(_)) => dir,
        _ => return None,
    };
    root.is_dir().then_some(root)
}
