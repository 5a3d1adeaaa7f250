//! Directory-tree cases (cargo's `tests/testsuite/cargo_add/` style): a project generated
//! from one version of a pack, the user's edits laid over it, ggen commands run on it with
//! the real binary, and the tree and what each command reported compared with the expected
//! ones. `GGEN_BLESS=1` rewrites the expected side.
//!
//! A case is a directory `tests/cases/NAME/`:
//! - `case.toml`: `about` (what the case shows), `from` (the version the project is
//!   generated from), `remove` (generated files the user deleted), `run` (the steps: each a
//!   list of arguments to `ggen`; `{ write = "DIR" }` for the user laying the case's
//!   directory DIR over the project between commands; `{ pack = "DIR" }` for the author of a
//!   local pack replacing it with `pack/DIR`; `{ tree = "DIR" }` for the project's tree
//!   compared with the case's DIR, like `out/` after the last step) and `local` (below);
//! - `pack/VERSION/`: each version of the pack (`gpack.toml`, `templates/`, `graph/`). Every
//!   version is published to a registry and the project is `ggen new proj --pack ID@=FROM`;
//!   with `local = true`, the project is instead generated from a local directory `app/`
//!   holding `pack/FROM`, which `{ pack = … }` steps change (what `packs regenerate`
//!   follows);
//! - `in/`: files written over the generated project (the user's edits and own files);
//! - `out/`: the project's tree after the commands (`.ggen/` left out);
//! - `report.txt`: for each command its exit code and, from its `--json` report, each
//!   pack's versions, each file's action (or state), each conflict, warning and error.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{Scratch, assert_tree_at, blessing, copy_dir, stdout_json};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[allow(dead_code)]
    about: String,
    from: String,
    #[serde(default)]
    local: bool,
    #[serde(default)]
    remove: Vec<String>,
    run: Vec<Step>,
}

/// One step of a case: a `ggen` command; the user laying the case's directory `write` over
/// the project (edits between commands); or, for a local pack, its author replacing it with
/// `pack/PACK`; or the project's tree compared with the case's directory `tree` (a tree
/// between commands, like `out/` after the last).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Step {
    Ggen(Vec<String>),
    Write { write: String },
    Pack { pack: String },
    Tree { tree: String },
}

/// The directory of case `name`.
fn case_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(name)
}

/// Every case directory's name, sorted.
pub fn all_cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(case_dir(""))
        .expect("tests/cases")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Runs case `name` and compares its tree and report with the expected ones.
pub fn run_case(name: &str) {
    let dir = case_dir(name);
    let text = std::fs::read_to_string(dir.join("case.toml")).expect("case.toml");
    let case: CaseFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
    let scratch = Scratch::new();
    let work = scratch.work();
    let pack_dir = |version: &str| dir.join("pack").join(version);
    let project = work.join("proj");
    let local_pack = work.join("app");
    match case.local {
        true => {
            copy_dir(&pack_dir(&case.from), &local_pack);
            run_ok(&scratch, &["new", "proj", "--pack", "./app"]);
        }
        false => {
            let mut versions: Vec<PathBuf> = std::fs::read_dir(dir.join("pack"))
                .expect("pack/")
                .map(|entry| entry.expect("entry").path())
                .collect();
            versions.sort();
            for version in versions {
                let version = version.to_string_lossy();
                run_ok(
                    &scratch,
                    &["packs", "publish", &version, "--registry", "reg", "--init"],
                );
            }
            let spec = format!("{}@={}", pack_id(&pack_dir(&case.from)), case.from);
            run_ok(
                &scratch,
                &["--registry", "reg", "new", "proj", "--pack", &spec],
            );
        }
    }
    if dir.join("in").is_dir() {
        copy_dir(&dir.join("in"), &project);
    }
    for path in &case.remove {
        std::fs::remove_file(project.join(path))
            .unwrap_or_else(|e| panic!("{name}: remove {path}: {e}"));
    }

    let work_text = work.to_string_lossy().into_owned();
    let normalize = |text: &str| text.replace(&work_text, "$WORK");
    let mut report = String::new();
    for step in &case.run {
        let args = match step {
            Step::Ggen(args) => args,
            Step::Write { write } => {
                copy_dir(&dir.join(write), &project);
                writeln!(report, "(the user writes {write}/)").unwrap();
                continue;
            }
            Step::Pack { pack } => {
                assert!(case.local, "{name}: a pack step needs `local = true`");
                std::fs::remove_dir_all(&local_pack).expect("remove the pack");
                copy_dir(&pack_dir(pack), &local_pack);
                writeln!(report, "(the author changes the pack to pack/{pack}/)").unwrap();
                continue;
            }
            Step::Tree { tree } => {
                assert_tree_at(&dir.join(tree), &project, |_, text| normalize(&text));
                writeln!(report, "(the tree is {tree}/)").unwrap();
                continue;
            }
        };
        let output = scratch
            .ggen()
            .args(["-C", "proj", "--registry", "reg", "--json"])
            .args(args)
            .output()
            .expect("run ggen");
        writeln!(report, "$ ggen {}", args.join(" ")).unwrap();
        describe(&stdout_json(&output), &mut report);
    }
    let report = normalize(&report);

    let expected_report = dir.join("report.txt");
    if blessing() {
        std::fs::write(&expected_report, &report).expect("write report.txt");
    } else {
        let expected = std::fs::read_to_string(&expected_report)
            .unwrap_or_else(|_| panic!("no {name}/report.txt: run with GGEN_BLESS=1 once"));
        assert_eq!(report, expected, "{name}: the commands reported otherwise");
    }
    assert_tree_at(&dir.join("out"), &project, |_, text| normalize(&text));
}

/// The id in the manifest of the pack at `dir`.
fn pack_id(dir: &Path) -> String {
    let manifest = std::fs::read_to_string(dir.join("gpack.toml")).expect("gpack.toml");
    let manifest: toml::Table = toml::from_str(&manifest).expect("gpack.toml parses");
    manifest["pack"]["id"]
        .as_str()
        .expect("pack.id")
        .to_string()
}

fn run_ok(scratch: &Scratch, args: &[&str]) {
    let output = scratch.ggen().args(args).output().expect("run ggen");
    assert!(
        output.status.success(),
        "ggen {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// One command's lines of the report: its exit code, then what its JSON document says of
/// each file, conflict, warning and error.
fn describe(doc: &serde_json::Value, report: &mut String) {
    let list = |key: &str| doc[key].as_array().cloned().unwrap_or_default();
    writeln!(report, "exit {}", doc["exit_code"]).unwrap();
    for pack in list("packs")
        .iter()
        .filter(|pack| pack.get("from").is_some())
    {
        let (id, from, to) = (text(&pack["id"]), text(&pack["from"]), text(&pack["to"]));
        let breaking = if pack["breaking"] == true {
            " (breaking)"
        } else {
            ""
        };
        let templates = match (&pack["templates_rendered"], &pack["templates_reused"]) {
            (rendered, reused) if rendered.is_number() => {
                format!(", templates rendered {rendered} reused {reused}")
            }
            _ => String::new(),
        };
        writeln!(report, "  pack {id} {from} -> {to}{breaking}{templates}").unwrap();
    }
    for pack in list("packs")
        .iter()
        .filter(|pack| pack.get("newest").is_some())
    {
        let (id, current) = (text(&pack["id"]), text(&pack["current"]));
        let (compatible, newest) = (text(&pack["compatible"]), text(&pack["newest"]));
        writeln!(
            report,
            "  pack {id} at {current}, compatible {compatible}, newest {newest}"
        )
        .unwrap();
    }
    for stale in list("regenerate") {
        let (pack, reason) = (text(&stale["pack"]), text(&stale["reason"]));
        writeln!(report, "  regenerate {pack}: {reason}").unwrap();
    }
    for file in list("files") {
        let what = file["action"].as_str().or(file["state"].as_str());
        let moved = match file["moved_from"].as_str() {
            Some(from) => format!(" (moved from {from})"),
            None => String::new(),
        };
        let path = text(&file["path"]);
        writeln!(report, "  {} {path}{moved}", what.unwrap_or("?")).unwrap();
    }
    for conflict in list("conflicts") {
        let (path, reason) = (text(&conflict["path"]), text(&conflict["reason"]));
        writeln!(report, "  conflict ({reason}) {path}").unwrap();
    }
    for warning in list("warnings") {
        writeln!(report, "  warning: {}", text(&warning)).unwrap();
    }
    if let Some(message) = doc["error"]["message"].as_str() {
        writeln!(report, "  error: {message}").unwrap();
    }
    for hint in doc["error"]["hints"].as_array().into_iter().flatten() {
        writeln!(report, "  hint: {}", text(hint)).unwrap();
    }
}

/// A JSON string as it is, anything else as JSON.
fn text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
