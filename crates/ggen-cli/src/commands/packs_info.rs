//! `ggen packs info ID`: a registry pack's versions, dependencies, yanked versions and the
//! state of each signature against the keys this user trusts; for a pack directory, its
//! manifest and the variables it asks for.

use ggen_registry::SignatureStatus;

use crate::args::{GlobalArgs, InfoArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings::{self, registry_error};
use crate::{Outcome, Report};

pub fn run(args: &InfoArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
    // A pack directory is relative to `-C` like every other path argument.
    let dir = match &global.directory {
        Some(base) => base.join(&args.id),
        None => std::path::PathBuf::from(&args.id),
    };
    if dir.join("gpack.toml").is_file() {
        return path_pack(&dir, printer);
    }
    let env = settings::environment(global)?;
    let registry = settings::open_registry(&env)?;
    let index = registry.pack_index(&args.id).map_err(registry_error)?;
    let newest = index.newest().map(|e| e.version.clone());
    let description = index
        .newest()
        .or(index.versions.last())
        .map(|e| e.description.clone())
        .unwrap_or_default();
    let statuses: Vec<SignatureStatus> = index
        .versions
        .iter()
        .map(|entry| env.trust.status(&index.id, entry))
        .collect();
    for (entry, status) in index.versions.iter().zip(&statuses) {
        if let SignatureStatus::Bad { message } = status {
            printer.warn(&format!(
                "{}@{}: bad signature ({message}); it will be refused",
                index.id, entry.version
            ));
        }
    }
    // The variables are the newest version's (or, when every one is yanked, the last's).
    let shown = index.newest().or(index.versions.last());
    let manifest = match shown {
        Some(entry) => {
            match ggen_project::packs::source::fetch_registry_pack(&registry, &index.id, entry) {
                Ok(pack) => Some(pack.manifest),
                Err(err) => {
                    printer.warn(&format!(
                        "cannot read the variables of {}@{}: {err}",
                        index.id, entry.version
                    ));
                    None
                }
            }
        }
        None => None,
    };
    if printer.json {
        let versions: Vec<serde_json::Value> = index
            .versions
            .iter()
            .zip(&statuses)
            .map(|(entry, status)| {
                serde_json::json!({
                    "version": entry.version,
                    "published_at": entry.published_at,
                    "yanked": entry.yanked,
                    "dependencies": entry.dependencies,
                    "sha256": entry.sha256,
                    "signature": signature_json(status),
                })
            })
            .collect();
        document = Some(serde_json::json!({
            "id": index.id,
            "description": description,
            "newest": newest,
            "registry": registry.describe(),
            "versions": versions,
            "variables_of": shown.filter(|_| manifest.is_some()).map(|e| e.version.clone()),
            "variables": manifest.as_ref().map(variables_json),
        }));
        return Ok(Report {
            outcome: Outcome::Success,
            document,
            failure: None,
        });
    }
    let mut text = format!("{}: {description}\n", index.id);
    text.push_str(&format!("registry: {}\n", registry.describe()));
    text.push_str(&format!(
        "newest:   {}\nversions:\n",
        newest.as_deref().unwrap_or("(every version is yanked)")
    ));
    for (entry, status) in index.versions.iter().zip(&statuses) {
        let yanked = if entry.yanked { " (yanked)" } else { "" };
        text.push_str(&format!("  {}{yanked}", entry.version));
        if !entry.published_at.is_empty() {
            text.push_str(&format!("  published {}", entry.published_at));
        }
        text.push_str(&format!("  {}\n", status.describe()));
        if !entry.dependencies.is_empty() {
            let deps: Vec<String> = entry
                .dependencies
                .iter()
                .map(|(id, req)| format!("{id} {req}"))
                .collect();
            text.push_str(&format!("      depends on {}\n", deps.join(", ")));
        }
    }
    if let (Some(manifest), Some(entry)) = (&manifest, shown) {
        variables_text(
            manifest,
            &format!("variables of {}", entry.version),
            &mut text,
        );
    }
    printer.out(&text);
    Ok(Report {
        outcome: Outcome::Success,
        document,
        failure: None,
    })
}

fn signature_json(status: &SignatureStatus) -> serde_json::Value {
    match status {
        SignatureStatus::Unsigned => serde_json::json!({ "status": "unsigned" }),
        SignatureStatus::Verified { algorithm, key_id } => serde_json::json!({
            "status": "verified", "algorithm": algorithm, "key_id": key_id,
        }),
        SignatureStatus::UntrustedKey { algorithm, key_id } => serde_json::json!({
            "status": "untrusted-key", "algorithm": algorithm, "key_id": key_id,
        }),
        SignatureStatus::Bad { message } => {
            serde_json::json!({ "status": "bad", "message": message })
        }
    }
}

/// `ggen packs info DIR`: a pack directory's id, version, description and variables.
fn path_pack(dir: &std::path::Path, printer: &Printer) -> Result<Report, CliError> {
    let pack = ggen_pack::Pack::load(dir)
        .map_err(|err| CliError::new(format!("{}: {err}", dir.display())))?;
    let manifest = &pack.manifest;
    if printer.json {
        let variables = variables_json(manifest);
        return Ok(Report::new(Outcome::Success).with_json(printer, || {
            serde_json::json!({
                "id": manifest.pack.id,
                "version": manifest.pack.version.to_string(),
                "description": manifest.pack.description,
                "path": dir.display().to_string(),
                "variables": variables,
            })
        }));
    }
    let mut text = format!(
        "{}@{}: {}\npath: {}\n",
        manifest.pack.id,
        manifest.pack.version,
        manifest.pack.description,
        dir.display()
    );
    variables_text(manifest, "variables", &mut text);
    printer.out(&text);
    Ok(Report::new(Outcome::Success))
}

/// The variables a pack asks for, as `--json` lists them.
fn variables_json(manifest: &ggen_pack::Manifest) -> serde_json::Value {
    manifest
        .variables
        .iter()
        .map(|(name, spec)| {
            serde_json::json!({
                "name": name,
                "type": spec.kind.name(),
                "default": spec.default.as_ref().map(|d| ggen_pack::variables::TypedValue::new(spec.kind, d)),
                "choices": spec.choices,
                "pattern": spec.pattern,
                "description": spec.description,
                "required": spec.default.is_none(),
                "secret": spec.secret,
            })
        })
        .collect()
}

/// The variables a pack asks for, one block per variable under a `HEADING:` line.
fn variables_text(manifest: &ggen_pack::Manifest, heading: &str, text: &mut String) {
    if manifest.variables.is_empty() {
        text.push_str(&format!("{heading}: none\n"));
        return;
    }
    text.push_str(&format!("{heading}:\n"));
    for (name, spec) in &manifest.variables {
        text.push_str(&format!("  {name} ({})", spec.kind.name()));
        if spec.secret {
            text.push_str("  secret");
        }
        match &spec.default {
            Some(default) => text.push_str(&format!("  default {default:?}")),
            None => text.push_str("  required"),
        }
        text.push('\n');
        if let Some(description) = &spec.description {
            text.push_str(&format!("      {description}\n"));
        }
        if !spec.choices.is_empty() {
            text.push_str(&format!("      choices: {}\n", spec.choices.join(", ")));
        }
        if let Some(pattern) = &spec.pattern {
            text.push_str(&format!("      pattern: {pattern}\n"));
        }
    }
}
