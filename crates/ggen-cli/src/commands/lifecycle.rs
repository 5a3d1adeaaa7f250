//! `ggen lifecycle list` and `ggen lifecycle run PHASE…`.

use ggen_project::ops::lifecycle::{Lifecycle, PhaseOutcome, RunOptions, TEMPLATE_PHASE};

use crate::args::{GlobalArgs, LifecycleRunArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;
use crate::settings;
use crate::{Outcome, Report};

pub fn list(global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let lifecycle = Lifecycle::load(&settings::project_root(&env).join("make.toml"))?;
    let describe = |name: &str| -> String {
        let phase = &lifecycle.phases[name];
        match (&phase.description, phase.all_commands().is_empty()) {
            (Some(d), _) => d.clone(),
            (None, true) if name == TEMPLATE_PHASE => "built in: ggen packs regenerate".into(),
            (None, _) => phase.all_commands().join(" && "),
        }
    };
    if printer.json {
        let phases: Vec<serde_json::Value> = lifecycle
            .phases
            .iter()
            .map(|(name, phase)| {
                serde_json::json!({
                    "phase": name,
                    "description": describe(name),
                    "commands": phase.all_commands(),
                    "inputs": phase.inputs,
                    "outputs": phase.outputs,
                    "before": lifecycle.hooks.before.get(name),
                    "after": lifecycle.hooks.after.get(name),
                })
            })
            .collect();
        document = Some(serde_json::json!({
            "phases": phases,
            "before_all": lifecycle.hooks.before_all,
            "after_all": lifecycle.hooks.after_all,
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    let mut text = String::new();
    for name in lifecycle.phases.keys() {
        text.push_str(&format!("{name:<12} {}\n", describe(name)));
        if let Some(before) = lifecycle.hooks.before.get(name) {
            text.push_str(&format!("{:<12}   before: {}\n", "", before.join(", ")));
        }
        if let Some(after) = lifecycle.hooks.after.get(name) {
            text.push_str(&format!("{:<12}   after: {}\n", "", after.join(", ")));
        }
    }
    let hooks = &lifecycle.hooks;
    if !hooks.before_all.is_empty() {
        text.push_str(&format!("before all:  {}\n", hooks.before_all.join(", ")));
    }
    if !hooks.after_all.is_empty() {
        text.push_str(&format!("after all:   {}\n", hooks.after_all.join(", ")));
    }
    printer.out(&text);
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}

pub fn run(
    args: &LifecycleRunArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let reporter = Terminal::new(*printer);
    let options = RunOptions {
        phases: args.phases.clone(),
        force: args.force,
        stdout_to_stderr: printer.json,
    };
    let report = ggen_project::ops::lifecycle::run(
        &settings::project_layout(&env),
        &env,
        &options,
        &reporter,
    )?;
    let failure = report.failure().cloned();
    let exit_code: u8 = match &failure {
        Some(run) => match run.outcome {
            PhaseOutcome::Failed {
                exit_code: Some(code),
                ..
            } => u8::try_from(code).unwrap_or(1).max(1),
            _ => 1,
        },
        None => 0,
    };
    debug_assert!(failure.is_none() || exit_code > 0);
    if printer.json {
        document = Some(serde_json::json!({
            "runs": report.runs,
        }));
    } else {
        for run in &report.runs {
            match &run.outcome {
                PhaseOutcome::Succeeded => printer.status(
                    "Finished",
                    &format!("{} in {:.2}s", run.phase, run.duration_ms as f64 / 1000.0),
                ),
                PhaseOutcome::Skipped { reason } => printer.status(
                    "Skipped",
                    &format!("{} ({reason}; --force reruns)", run.phase),
                ),
                PhaseOutcome::Failed { .. } => {}
            }
        }
    }
    match failure {
        None => Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        }),
        Some(run) => {
            let PhaseOutcome::Failed {
                command,
                exit_code: code,
            } = &run.outcome
            else {
                return Ok(Report {
                    outcome: Outcome::Success,
                    document,
                    failure: None,
                });
            };
            let status = code
                .map(|c| format!("exit status {c}"))
                .unwrap_or_else(|| "killed by a signal".into());
            let mut err = CliError::new(format!(
                "phase `{}` failed: `{command}` ({status})",
                run.phase
            ));
            err.code = exit_code;
            Ok(Report {
                outcome: Outcome::Success,
                document,
                failure: None,
            }
            .failed(err))
        }
    }
}
