//! `ggen packs info ID`: a registry pack's versions, dependencies, yanked versions and the
//! state of each signature against the keys this user trusts.

use ggen_registry::SignatureStatus;

use crate::args::{GlobalArgs, InfoArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings::{self, registry_error};
use crate::{Outcome, Report};

pub fn run(args: &InfoArgs, global: &GlobalArgs, printer: &Printer) -> Result<Report, CliError> {
    let mut document = None;
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
