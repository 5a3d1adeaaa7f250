//! Runs the original ggen's own sync pipeline on one project directory and prints the
//! project-relative paths it wrote, one JSON document on stdout (exit 1 when it fails).
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
            let written: Vec<String> = report
                .written
                .iter()
                .map(|path| path.display().to_string())
                .collect();
            println!("{}", serde_json::json!({"ok": true, "written": written}));
        }
        Err(error) => {
            println!("{}", serde_json::json!({"ok": false, "error": format!("{error:#}")}));
            std::process::exit(1);
        }
    }
}
