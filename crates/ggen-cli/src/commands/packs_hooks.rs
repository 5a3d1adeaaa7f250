//! `ggen packs hooks run ID`: an installed pack's hooks on their own, for hooks that an
//! earlier command skipped (no `--allow-hooks`, no terminal to ask on).

use ggen_project::Layout;
use ggen_project::ops::hooks::{HookKind, HookStatus};

use crate::args::{GlobalArgs, HookKindArg, HooksRunArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(
    args: &HooksRunArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Report, CliError> {
    let env = settings::environment(global)?;
    let reporter = Terminal::new(*printer);
    let hook = match args.hook {
        HookKindArg::PostInstall => HookKind::PostInstall,
        HookKindArg::PostUpdate => HookKind::PostUpdate,
    };
    let layout = Layout::new(env.cwd.clone());
    let runs = ggen_project::ops::hooks::run_installed(
        &layout,
        &env,
        &args.id,
        hook,
        args.hooks.allow_hooks,
        &reporter,
    )?;
    let document = printer.json.then(|| serde_json::json!({ "hooks": runs }));
    let report = Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    };
    if runs.is_empty() {
        printer.note(&format!("pack `{}` has no {} hooks", args.id, hook.name()));
        return Ok(report);
    }
    if let Some(failed) = runs.iter().find(|r| r.status == HookStatus::Failed) {
        let status = failed
            .exit_code
            .map(|c| format!("exit status {c}"))
            .unwrap_or_else(|| "killed by a signal".into());
        let error = CliError::new(format!("hook `{}` failed ({status})", failed.command));
        return Ok(report.failed(error));
    }
    if runs.iter().all(|r| r.status == HookStatus::Skipped) {
        let error = CliError::new(format!(
            "pack `{}`: {} hooks not run: nobody agreed",
            args.id,
            hook.name()
        ))
        .with_hint("pass --allow-hooks to run them without asking");
        return Ok(report.failed(error));
    }
    printer.status(
        "Ran",
        &format!("{} {} hook(s) of {}", runs.len(), hook.name(), args.id),
    );
    Ok(report)
}
