//! `ggen watch`: one line per regeneration until Ctrl-C.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ggen_project::ops::watch::{AutoUpdate, WatchEvent, WatchOptions};

use crate::args::{AutoUpdateArg, GlobalArgs, WatchArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(args: &WatchArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let layout = settings::project_layout(&env);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed))
        .map_err(|e| CliError::new(format!("cannot handle Ctrl-C: {e}")))?;
    let options = WatchOptions {
        debounce: Duration::from_millis(args.debounce),
        poll: args.poll.map(Duration::from_millis),
        poll_registry: args.poll_registry.map(Duration::from_secs),
        auto_update: args.auto_update.map(|a| match a {
            AutoUpdateArg::Patch => AutoUpdate::Patch,
            AutoUpdateArg::Minor => AutoUpdate::Minor,
        }),
    };
    // Progress bars would fight with the one-line-per-regeneration output.
    let reporter = Terminal::new(*printer).without_bars();
    let mut regenerations = 0usize;
    ggen_project::ops::watch::watch(&layout, &env, &options, &reporter, &stop, &mut |event| {
        report(printer, &event);
        if matches!(event, WatchEvent::Regenerated { .. }) {
            regenerations += 1;
        }
    })?;
    if printer.json {
        document = Some(serde_json::json!({
            "regenerations": regenerations,
        }));
    } else {
        printer.status(
            "Stopped",
            &format!("watching ({regenerations} regenerations)"),
        );
    }
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}

/// One line per event: on stdout for people, on stderr (as JSON lines) with `--json`, so
/// stdout keeps its one document.
fn report(printer: &Printer, event: &WatchEvent) {
    let line = match event {
        WatchEvent::Watching { paths } => {
            let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            format!("watching {}", list.join(", "))
        }
        WatchEvent::Regenerated { report, elapsed } => {
            let packs: Vec<String> = report
                .packs
                .iter()
                .map(|p| {
                    let version = if p.from == p.to {
                        p.to.clone()
                    } else {
                        format!("{} -> {}", p.from, p.to)
                    };
                    format!(
                        "{} {version} ({} templates rendered)",
                        p.id, p.templates_rendered
                    )
                })
                .collect();
            let conflicts = report.conflicts();
            let tail = if conflicts > 0 {
                format!(", {conflicts} conflict(s): see `ggen conflicts`")
            } else {
                String::new()
            };
            format!(
                "regenerated {}: {} file(s) changed in {} ms{tail}",
                packs.join(", "),
                report.files_changed(None),
                elapsed.as_millis()
            )
        }
        WatchEvent::Busy => "another ggen is changing the project; will retry".to_string(),
        WatchEvent::NewVersion {
            pack,
            current,
            newest,
        } => format!("{pack}: {newest} is available (installed {current})"),
        WatchEvent::Failed { message } => format!("error: {message}"),
    };
    if printer.json {
        printer.warn_raw(&serde_json::json!({ "event": line }).to_string());
    } else {
        printer.out(&format!("{line}\n"));
        printer.flush();
    }
}
