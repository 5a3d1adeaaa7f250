//! `ggen packs update`, and `ggen packs regenerate` (the same operation on the locked version).

use ggen_project::ops::hooks::{HookRun, HookStatus};
use ggen_project::ops::update::{MergeStrategy, Mode, UpdateAction, UpdateOptions, UpdateReport};
use ggen_project::packs::source::UpdateTarget;

use crate::args::{GlobalArgs, MergeArgs, RegenerateArgs, StrategyArg, UpdateArgs};
use crate::commands::var_values;
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;
use crate::settings;
use crate::{Outcome, Report};

pub fn update(
    args: &UpdateArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Report, CliError> {
    if args.packs.is_empty() && !args.all {
        return Err(CliError::usage("name the packs to update, or pass --all")
            .with_hint("`ggen packs update ID…` or `ggen packs update --all`; `ggen packs list` shows the installed packs"));
    }
    let target = match (&args.to, args.compatible) {
        (Some(version), _) => {
            if args.packs.len() != 1 {
                return Err(CliError::usage("--to needs exactly one pack"));
            }
            let version = semver::Version::parse(version)
                .map_err(|e| CliError::usage(format!("--to {version}: {e}")))?;
            UpdateTarget::Exact(version)
        }
        (None, true) => UpdateTarget::Compatible,
        (None, false) => UpdateTarget::Newest,
    };
    let options = options(
        args.packs.clone(),
        Mode::Update,
        target,
        &args.merge,
        &args.vars,
    )?;
    let defaults = args.answers.defaults;
    if args.test && !options.dry_run {
        return run_tested(&options, args.hooks.allow_hooks, global, printer, defaults);
    }
    run(&options, args.hooks.allow_hooks, global, printer, defaults)
}

/// `--test`: the update, then the `test` phase; a failing test rolls the update back (one
/// library operation, under one hold of the project lock).
fn run_tested(
    options: &UpdateOptions,
    allow_hooks: bool,
    global: &GlobalArgs,
    printer: &Printer,
    defaults: bool,
) -> Result<Report, CliError> {
    let (env, options, reporter) = open(options, global, printer, defaults)?;
    let options = &options;
    let tested = ggen_project::ops::lifecycle::update_tested(
        options,
        &env,
        allow_hooks,
        printer.json,
        &reporter,
    )?;
    let (mut report, test) = (tested.update, tested.test);
    // A rolled-back update keeps nothing to run hooks after; an update whose test was not
    // run for want of consent is kept, and so are its hooks' rules.
    let kept = test.passed || test.needs_consent.is_some();
    let hooks = print_and_run_hooks(
        &mut report,
        kept,
        options.mode,
        allow_hooks,
        (global, &env, &reporter),
        printer,
    );
    let document = printer
        .json
        .then(|| json_document(&report, &hooks, Some(&test)));
    if let Some(consent) = &test.needs_consent {
        let mut err = CliError::new(format!(
            "{} was written by this update{}, so its `test` phase was not run without consent: {}; the update is kept",
            consent.file,
            match consent.packs.as_slice() {
                [] => String::new(),
                packs => format!(" (pack {})", packs.join(", ")),
            },
            consent
                .commands
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with_hint(format!(
            "read {}; then `ggen lifecycle run test`, or next time `ggen packs update --test --allow-hooks` (or answer yes at the prompt on a terminal)",
            consent.file
        ));
        if report.unresolved() {
            err = err.with_hint("conflicts remain: `ggen conflicts` lists them");
        }
        err = err.with_hint("`ggen rollback` undoes the update");
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        }
        .failed(err));
    }
    if !test.passed {
        let command = test.failed_command.unwrap_or_default();
        let status = test
            .exit_code
            .map(|c| format!("exit status {c}"))
            .unwrap_or_else(|| "killed by a signal".into());
        let undone = if test.rolled_back.is_some() {
            "the update was rolled back"
        } else {
            "the update changed nothing, so nothing was rolled back"
        };
        let err = CliError::new(format!(
            "the test phase failed: `{command}` ({status}); {undone}"
        ));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        }
        .failed(err));
    }
    if !printer.json {
        printer.status("Tested", "the test phase passed; the update is kept");
    }
    finish_with_hooks(
        Report {
            outcome: Outcome::unresolved_if(report.unresolved()),
            document,
            failure: None,
        },
        &hooks,
    )
}

/// What a run shows, in this order for `--test` and without: the report's warnings and
/// lines, then (when the update is `kept`) the `post_update` hooks of the packs it changed,
/// which work on the files just written, and their warnings, which join the report's.
fn print_and_run_hooks(
    report: &mut UpdateReport,
    kept: bool,
    mode: Mode,
    allow_hooks: bool,
    (global, env, reporter): (&GlobalArgs, &ggen_project::Environment, &Terminal),
    printer: &Printer,
) -> Vec<HookRun> {
    for warning in &report.warnings {
        printer.warn(warning);
    }
    if !printer.json {
        print_human(report, mode, printer);
    }
    if !kept {
        return Vec::new();
    }
    let project = global.directory.as_deref();
    let (runs, warnings) = ggen_project::ops::update::after_update(
        &env.cwd,
        project,
        report,
        mode,
        allow_hooks,
        reporter,
    );
    for warning in &warnings {
        printer.warn(warning);
    }
    report.warnings.extend(warnings);
    runs
}

/// The JSON document of an update (`test`: the test phase of `--test`).
fn json_document(
    report: &UpdateReport,
    hooks: &[HookRun],
    test: Option<&ggen_project::ops::lifecycle::TestResult>,
) -> serde_json::Value {
    let mut document = serde_json::json!({
        "dry_run": report.dry_run,
        "packs": report.packs,
        "files": report.files,
        "conflicts": report.conflicts(),
        "review_required": report.review_required,
        "review_diffs": report.review_diffs,
        "hooks": hooks,
        "warnings": report.warnings,
    });
    if let Some(test) = test {
        document["test"] = serde_json::json!(test);
    }
    document
}

/// What `run` and `run_tested` begin with: the environment, the options on the project found
/// upward (see [`settings::project_root`]) and the terminal reporter.
fn open(
    options: &UpdateOptions,
    global: &GlobalArgs,
    printer: &Printer,
    defaults: bool,
) -> Result<(ggen_project::Environment, UpdateOptions, Terminal), CliError> {
    let env = settings::environment(global)?;
    let options = UpdateOptions {
        root: settings::project_root(&env),
        ..options.clone()
    };
    let reporter = Terminal::new(*printer).asking_variables(defaults);
    Ok((env, options, reporter))
}

/// A failed hook fails the command (exit 1) after the update was kept.
fn finish_with_hooks(report: Report, runs: &[HookRun]) -> Result<Report, CliError> {
    let Some(failed) = runs.iter().find(|h| h.status == HookStatus::Failed) else {
        return Ok(report);
    };
    let error = CliError::new(format!(
        "pack `{}`: hook `{}` failed; the update was kept",
        failed.pack, failed.command
    ))
    .with_hint(format!(
        "fix the problem, then `ggen packs hooks run {} --hook post-update --allow-hooks`",
        failed.pack
    ));
    Ok(report.failed(error))
}

pub fn regenerate(
    args: &RegenerateArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Report, CliError> {
    let options = options(
        args.packs.clone(),
        Mode::Regenerate,
        UpdateTarget::Newest,
        &args.merge,
        &args.vars,
    )?;
    run(
        &options,
        args.hooks.allow_hooks,
        global,
        printer,
        args.answers.defaults,
    )
}

fn options(
    packs: Vec<String>,
    mode: Mode,
    target: UpdateTarget,
    merge: &MergeArgs,
    vars: &crate::args::VarArgs,
) -> Result<UpdateOptions, CliError> {
    Ok(UpdateOptions {
        root: ".".into(),
        packs,
        mode,
        target,
        strategy: match merge.merge_strategy {
            StrategyArg::Auto => MergeStrategy::Auto,
            StrategyArg::Manual => MergeStrategy::Manual,
            StrategyArg::Preserve => MergeStrategy::Preserve,
        },
        dry_run: merge.dry_run,
        restore: merge.restore,
        yes: merge.yes,
        vars: var_values(vars)?,
    })
}

fn run(
    options: &UpdateOptions,
    allow_hooks: bool,
    global: &GlobalArgs,
    printer: &Printer,
    defaults: bool,
) -> Result<Report, CliError> {
    let (env, options, reporter) = open(options, global, printer, defaults)?;
    let options = &options;
    let mut report = ggen_project::ops::update::update(options, &env, &reporter)?;
    let outcome = Outcome::unresolved_if(report.unresolved());
    let hooks = print_and_run_hooks(
        &mut report,
        true,
        options.mode,
        allow_hooks,
        (global, &env, &reporter),
        printer,
    );
    let document = printer.json.then(|| json_document(&report, &hooks, None));
    finish_with_hooks(
        Report {
            outcome,
            document,
            failure: None,
        },
        &hooks,
    )
}

fn print_human(report: &UpdateReport, mode: Mode, printer: &Printer) {
    for pack in &report.packs {
        if pack.breaking {
            printer.warn(&format!(
                "{} {} -> {} is a breaking change (new major version): review the result",
                pack.id, pack.from, pack.to
            ));
        }
    }
    if !report.review_required.is_empty() {
        for diff in &report.review_diffs {
            printer.diff(diff);
        }
        printer.warn(&format!(
            "{} merge(s) await review and nothing was written: run on a terminal to answer, or pass --yes",
            report.review_required.len()
        ));
        return;
    }
    let mut plan = String::new();
    for file in &report.files {
        let note = file
            .note
            .as_deref()
            .map(|n| format!("  ({n})"))
            .unwrap_or_default();
        // A move names both paths: "moved A → B".
        let path = match &file.moved_from {
            Some(from) => format!("{from} → {}", file.path),
            None => file.path.clone(),
        };
        let line = format!("{:<9} {path}{note}\n", action_word(file.action));
        if report.dry_run {
            plan.push_str(&line);
        } else {
            match file.action {
                UpdateAction::Conflict
                | UpdateAction::Keep
                | UpdateAction::Skip
                | UpdateAction::Move => {
                    printer.status(action_title(file.action), &format!("{path}{note}"))
                }
                action => printer.detail(action_title(action), &path),
            }
        }
    }
    if report.dry_run {
        let mut heading = String::new();
        for pack in &report.packs {
            let versions = if pack.from != pack.to {
                format!("{} -> {}", pack.from, pack.to)
            } else if mode == Mode::Update {
                format!("{} (no newer version to move to)", pack.to)
            } else {
                format!("{} (locked version)", pack.to)
            };
            heading.push_str(&format!("{} {versions}\n", pack.id));
        }
        printer.out(&heading);
        printer.plan(&plan);
        printer.note("dry run: nothing was written");
        return;
    }
    let verb = match mode {
        Mode::Update => "Updated",
        Mode::Regenerate => "Regenerated",
    };
    for pack in &report.packs {
        let count = report.files_changed(Some(&pack.id));
        let versions = if pack.from == pack.to {
            pack.to.clone()
        } else {
            format!("{} -> {}", pack.from, pack.to)
        };
        printer.status(
            verb,
            &format!("{} {versions} ({count} files changed)", pack.id),
        );
    }
    let conflicts = report.conflicts();
    if conflicts > 0 {
        printer.warn(&format!(
            "{conflicts} file(s) have conflicts: edit them, then `ggen resolve PATH --merged` (or --ours / --theirs); `ggen conflicts` lists them"
        ));
    }
}

fn action_word(action: UpdateAction) -> &'static str {
    match action {
        UpdateAction::Create => "create",
        UpdateAction::Update => "update",
        UpdateAction::Merge => "merge",
        UpdateAction::Conflict => "conflict",
        UpdateAction::Delete => "delete",
        UpdateAction::Skip => "skip",
        UpdateAction::Keep => "keep",
        UpdateAction::Move => "move",
        UpdateAction::Unchanged => "unchanged",
    }
}

fn action_title(action: UpdateAction) -> &'static str {
    match action {
        UpdateAction::Create => "Created",
        UpdateAction::Update => "Updated",
        UpdateAction::Merge => "Merged",
        UpdateAction::Conflict => "Conflict",
        UpdateAction::Delete => "Deleted",
        UpdateAction::Skip => "Skipped",
        UpdateAction::Keep => "Kept",
        UpdateAction::Move => "Moved",
        UpdateAction::Unchanged => "Unchanged",
    }
}
