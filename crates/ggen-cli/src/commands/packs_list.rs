//! `ggen packs list [--available]`.

use ggen_project::Environment;
use ggen_project::state::lockfile::Lockfile;

use crate::args::{GlobalArgs, ListArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::{Outcome, Report};

pub fn run(args: &ListArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let env = settings::environment(global)?;
    if args.available {
        return available(&env, printer);
    }
    let layout = settings::project_layout(&env);
    let lock = ggen_project::state::lockfile::Lockfile::load(&layout.lockfile())?;
    let Some(lock) = lock else {
        return Err(CliError::new(format!(
            "{} is not a ggen project (no ggen.lock here or in a directory above)",
            env.cwd.display()
        ))
        .with_hint("create one with `ggen new DIR --pack ID` or `ggen packs install ID`"));
    };
    if printer.json {
        document = Some(serde_json::json!({
            "packs": lock.packs.iter().map(|p| serde_json::json!({
                "id": p.id,
                "version": p.version,
                "source": p.source,
                "integrity": p.integrity,
                "dependencies": p.dependencies,
                "variables": p.variables,
                "files": files_of(&lock, &p.id),
            })).collect::<Vec<_>>(),
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    if lock.packs.is_empty() {
        printer.note("no packs installed");
    }
    let mut text = String::new();
    for pack in &lock.packs {
        text.push_str(&format!(
            "{} {} ({} files) {}\n",
            pack.id,
            pack.version,
            files_of(&lock, &pack.id),
            pack.source
        ));
    }
    printer.out(&text);
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}

fn files_of(lock: &Lockfile, id: &str) -> usize {
    lock.files.values().filter(|f| f.pack == id).count()
}

fn available(env: &Environment, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    let registry = settings::open_registry(env)?;
    let index = registry.root_index().map_err(settings::registry_error)?;
    if printer.json {
        document = Some(serde_json::json!({
            "registry": registry.describe(),
            "packs": index.packs.iter().map(|(id, entry)| serde_json::json!({
                "id": id,
                "newest": entry.newest,
                "description": entry.description,
            })).collect::<Vec<_>>(),
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    let mut text = String::new();
    for (id, entry) in &index.packs {
        let newest = entry.newest.as_deref().unwrap_or("(all yanked)");
        text.push_str(&format!("{id} {newest}  {}\n", entry.description));
    }
    if index.packs.is_empty() {
        printer.note(&format!("registry {} has no packs", registry.describe()));
    }
    printer.out(&text);
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}
