//! Runs the original ggen's own sync pipeline on one project directory and prints, as one
//! JSON document on stdout, the project-relative paths of the files it generated: written,
//! or already there with the same bytes (exit 1 when it fails).
//! Usage: ggen-original-oracle PROJECT_DIR
use ggen_engine::sync::{SyncOptions, sync};
use std::path::PathBuf;

fn main() {
    let Some(project) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: ggen-original-oracle PROJECT_DIR");
        std::process::exit(2);
    };
    let options = SyncOptions {
        dry_run: false,
        ..Default::default()
    };
    match sync(&project, options) {
        Ok(report) => {
            let generated: Vec<&String> = report
                .decisions
                .iter()
                .filter(|(_, decision)| {
                    !decision.starts_with("skipped") || decision.contains("unchanged")
                })
                .map(|(path, _)| path)
                .collect();
            println!(
                "{}",
                serde_json::json!({"ok": true, "written": generated, "decisions": report.decisions})
            );
        }
        Err(error) => {
            println!("{}", serde_json::json!({"ok": false, "error": format!("{error:#}")}));
            std::process::exit(1);
        }
    }
}
