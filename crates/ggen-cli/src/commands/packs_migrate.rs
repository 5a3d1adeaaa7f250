//! `ggen packs migrate SRC [--out DIR] [--dry-run]`: converts a pack of the original ggen
//! into a pack of this one and reports, per file, what changed and what needs a human.

use std::path::PathBuf;

use ggen_migrate::{Migration, Status};

use crate::args::{GlobalArgs, MigrateArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(args: &MigrateArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let env = settings::environment(global)?;
    let src = env.cwd.join(&args.src);
    let migration = ggen_migrate::migrate(&src).map_err(|err| {
        let hint = matches!(err, ggen_migrate::MigrateError::NotAPack(_)).then_some(
            "SRC is the directory that holds the original pack.toml, ggen.toml or gpack.toml",
        );
        let error = CliError::from(err);
        match hint {
            Some(hint) => error.with_hint(hint),
            None => error,
        }
    })?;
    let shown_out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("./{}", migration.pack_id)));
    let out = env.cwd.join(&shown_out);
    if !args.dry_run {
        migration.write_to(&out).map_err(|err| {
            let not_empty = matches!(err, ggen_migrate::MigrateError::OutputNotEmpty(_));
            let error = CliError::from(err);
            if not_empty {
                error.with_hint("pass --out DIR with a new directory")
            } else {
                error
            }
        })?;
    }
    let status = migration.status();
    if !printer.json {
        print_human(&migration, printer);
        let (converted, changed, manual) = counts(&migration);
        let verb = if args.dry_run {
            "Would convert"
        } else {
            "Converted"
        };
        printer.status(
            verb,
            &format!(
                "{} ({}) -> {}: {converted} converted, {changed} with changes, {manual} need a human",
                args.src.display(),
                migration.format,
                shown_out.display()
            ),
        );
        if let Some(original) = &migration.original_id {
            printer.note(&format!(
                "the pack id `{original}` is not valid here; the new pack is `{}`",
                migration.pack_id
            ));
        }
        if status == Status::Manual {
            printer.note("files that need a human are kept under unconverted/ in the new pack");
        } else if !args.dry_run {
            printer.note(&format!(
                "try it: ggen new demo --pack {}",
                shown_out.display()
            ));
        }
    }
    let outcome = Outcome::unresolved_if(status == Status::Manual);
    Ok(Report::new(outcome).with_json(printer, || {
        let (converted, changed, manual) = counts(&migration);
        serde_json::json!({
            "source": args.src.display().to_string(),
            "format": migration.format,
            "pack": migration.pack_id,
            "original_id": migration.original_id,
            "out": shown_out.display().to_string(),
            "dry_run": args.dry_run,
            "summary": {"converted": converted, "changed": changed, "manual": manual},
            "files": migration.reports,
        })
    }))
}

fn counts(migration: &Migration) -> (usize, usize, usize) {
    let count = |status: Status| {
        migration
            .reports
            .iter()
            .filter(|r| r.status == status)
            .count()
    };
    (
        count(Status::Converted),
        count(Status::Changed),
        count(Status::Manual),
    )
}

/// One block per file: its verdict and paths, then its notes.
fn print_human(migration: &Migration, printer: &Printer) {
    let mut text = String::new();
    for report in &migration.reports {
        let target = report
            .target
            .as_ref()
            .map_or_else(|| "(left out)".to_string(), |t| t.display().to_string());
        text.push_str(&format!(
            "{:<23} {} -> {target}\n",
            report.status.label(),
            report.source.display()
        ));
        for reason in &report.reasons {
            text.push_str(&format!("    ! {reason}\n"));
        }
        for change in &report.changes {
            text.push_str(&format!("    - {change}\n"));
        }
    }
    printer.out(&text);
}
