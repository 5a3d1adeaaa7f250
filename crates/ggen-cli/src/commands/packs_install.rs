//! `ggen packs install`, and `ggen new` (an install into a new directory).

use ggen_project::ops::install::{FileAction, InstallOptions, InstallReport};
use ggen_project::packs::source::PackRequest;

use crate::args::{GlobalArgs, InstallArgs, NewArgs};
use crate::commands::var_values;
use crate::error::CliError;
use crate::printer::Printer;
use crate::progress::Terminal;
use crate::settings;
use crate::{Outcome, Report};

pub fn new(args: &NewArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let options = InstallOptions {
        root: args.dir.clone(),
        packs: requests(&args.packs)?,
        vars: var_values(&args.vars)?,
        force: false,
        dry_run: args.dry_run,
        allow_hooks: args.hooks.allow_hooks,
        create: true,
    };
    run(&options, global, printer, true, args.answers.defaults)
}

pub fn install(
    args: &InstallArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Report, CliError> {
    let options = InstallOptions {
        root: ".".into(),
        packs: requests(&args.packs)?,
        vars: var_values(&args.vars)?,
        force: args.force,
        dry_run: args.dry_run,
        allow_hooks: args.hooks.allow_hooks,
        create: false,
    };
    run(&options, global, printer, false, args.answers.defaults)
}

fn requests(specs: &[String]) -> Result<Vec<PackRequest>, CliError> {
    specs
        .iter()
        .map(|spec| PackRequest::parse(spec).map_err(|e| CliError::from(e).with_code_usage()))
        .collect()
}

impl CliError {
    fn with_code_usage(mut self) -> CliError {
        self.code = crate::error::EXIT_USAGE;
        self
    }
}

fn run(
    options: &InstallOptions,
    global: &GlobalArgs,
    printer: &Printer,
    creating: bool,
    defaults: bool,
) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    let mut options = options.clone();
    if !creating {
        // Into the project found upward, like git and cargo; none found: a new one here.
        match settings::find_project(&env.cwd) {
            Some(root) => options.root = root,
            None if !options.dry_run => printer.note(&format!(
                "creating a new ggen project in {}",
                env.cwd.display()
            )),
            None => {}
        }
    }
    let options = &options;
    let reporter = Terminal::new(*printer).asking_variables(defaults);
    let report = ggen_project::ops::install::install(options, &env, &reporter)?;
    let outcome = Outcome::unresolved_if(report.conflicts() > 0);
    for warning in &report.warnings {
        printer.warn(warning);
    }
    if printer.json {
        document = Some(serde_json::json!({
            "dry_run": report.dry_run,
            "root": report.root,
            "packs": report.packs,
            "files": report.files,
            "conflicts": report.conflicts(),
            "hooks": report.hooks,
            "warnings": report.warnings,
        }));
    } else {
        print_human(&report, printer, creating, &options.root);
    }
    if report.hooks_failed() {
        let failed = report
            .hooks
            .iter()
            .find(|h| h.status == ggen_project::ops::hooks::HookStatus::Failed);
        let command = failed.map(|h| h.command.as_str()).unwrap_or("?");
        let error = CliError::new(format!(
            "hook `{command}` failed; the pack's files were installed"
        ))
        .with_hint("fix the problem and run the command by hand");
        return Ok(Report {
            outcome,
            document,
            failure: None,
        }
        .failed(error));
    }
    Ok(Report {
        outcome,
        document,
        failure: None,
    })
}

fn print_human(report: &InstallReport, printer: &Printer, creating: bool, root: &std::path::Path) {
    for pack in &report.packs {
        let how = if pack.requested { "" } else { " (dependency)" };
        printer.detail(
            "Resolved",
            &format!("{} {} from {}{how}", pack.id, pack.version, pack.source),
        );
    }
    if report.dry_run {
        let mut heading = String::new();
        for pack in &report.packs {
            heading.push_str(&format!("{} {} (new)\n", pack.id, pack.version));
        }
        printer.out(&heading);
        let mut plan = String::new();
        for file in &report.files {
            plan.push_str(&format!("{:<13} {}\n", action_word(file.action), file.path));
        }
        printer.plan(&plan);
        printer.note("dry run: nothing was written");
        return;
    }
    for file in &report.files {
        match file.action {
            FileAction::Conflict => printer.warn(&match &file.note {
                Some(note) => format!("{} kept, {note}", file.path),
                None => format!(
                    "{} already exists and differs from pack `{}`'s version: kept it, not overwritten",
                    file.path, file.pack
                ),
            }),
            FileAction::SkipExisting => {
                printer.detail("Skipped", &format!("{} (exists)", file.path))
            }
            action => match &file.note {
                Some(note) => {
                    printer.detail(action_word_title(action), &format!("{} ({note})", file.path))
                }
                None => printer.detail(action_word_title(action), &file.path),
            },
        }
    }
    let written = report
        .files
        .iter()
        .filter(|f| {
            matches!(
                f.action,
                FileAction::Create | FileAction::Overwrite | FileAction::Adopt
            )
        })
        .count();
    let packs: Vec<String> = report
        .packs
        .iter()
        .map(|p| format!("{} {}", p.id, p.version))
        .collect();
    if creating {
        printer.status(
            "Created",
            &format!(
                "project {} from {} ({written} files)",
                root.display(),
                packs.join(", ")
            ),
        );
    } else {
        printer.status(
            "Installed",
            &format!("{} ({written} files)", packs.join(", ")),
        );
    }
    let conflicts = report.conflicts();
    let kept_regions = report
        .files
        .iter()
        .filter(|f| f.action == FileAction::Conflict && f.note.is_some())
        .count();
    if conflicts > kept_regions {
        printer.warn(&format!(
            "{} file(s) were in the way and were kept; rerun with --force to overwrite them",
            conflicts - kept_regions
        ));
    }
    if kept_regions > 0 {
        printer.warn(&format!(
            "{kept_regions} file(s) were kept to keep your regions: edit them, then `ggen resolve PATH --merged`"
        ));
    }
}

fn action_word(action: FileAction) -> &'static str {
    match action {
        FileAction::Create => "create",
        FileAction::Adopt => "adopt",
        FileAction::Overwrite => "overwrite",
        FileAction::Conflict => "conflict",
        FileAction::SkipExisting => "skip",
    }
}

fn action_word_title(action: FileAction) -> &'static str {
    match action {
        FileAction::Create => "Created",
        FileAction::Adopt => "Adopted",
        FileAction::Overwrite => "Overwrote",
        FileAction::Conflict => "Conflict",
        FileAction::SkipExisting => "Skipped",
    }
}
