//! The references ggen is compared with in the same run: copier (installed into a
//! throwaway virtual environment under `target/` when it is not on `PATH`), `cp -r` followed
//! by `sync -f` of the generated files, and `git status` on the same tree.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::timing::run_ok;

/// The copier version of the workload's reference figures.
pub const COPIER_VERSION: &str = "9.19.1";

/// The `copier` to run: one on `PATH`, else `target/bench-venv/bin/copier`, installed there
/// from the Python package index on first use.
pub fn copier(target_dir: &Path) -> Result<PathBuf, String> {
    if let Some(found) = on_path("copier") {
        return Ok(found);
    }
    let venv = target_dir.join("bench-venv");
    let copier = venv.join("bin").join("copier");
    if copier.is_file() {
        return Ok(copier);
    }
    eprintln!(
        "copier is not installed: installing copier {COPIER_VERSION} into {}",
        venv.display()
    );
    run_ok(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run_ok(
        Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet"])
            .arg(format!("copier=={COPIER_VERSION}"))
            .stdout(Stdio::null()),
    )?;
    if !copier.is_file() {
        return Err(format!(
            "pip installed copier but {} is missing",
            copier.display()
        ));
    }
    Ok(copier)
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// `copier copy` of the workload's template at `tag` into `dest`.
pub fn copier_copy(copier: &Path, template: &Path, tag: &str, dest: &Path) -> Command {
    let mut command = Command::new(copier);
    command
        .args(["copy", "--defaults", "--trust", "--quiet", "--vcs-ref", tag])
        .arg(template)
        .arg(dest);
    command
}

/// `copier update` of `project` to `tag`, conflicts written inline (as ggen does).
pub fn copier_update(copier: &Path, project: &Path, tag: &str) -> Command {
    let mut command = Command::new(copier);
    command
        .args(["update", "--defaults", "--trust", "--quiet"])
        .args(["--conflict", "inline", "--vcs-ref", tag])
        .arg(project);
    command
}

/// `git` in `dir` with a fixed identity.
pub fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir).args([
        "-c",
        "user.email=bench@example.invalid",
        "-c",
        "user.name=bench",
    ]);
    command
}

/// Makes `dir` a git repository with everything in it committed (copier update needs one;
/// `git status` is timed on one).
pub fn commit_all(dir: &Path, message: &str) -> Result<(), String> {
    if !dir.join(".git").exists() {
        run_ok(git(dir).args(["init", "-q"]))?;
    }
    run_ok(git(dir).args(["add", "-A"]))?;
    run_ok(git(dir).args(["commit", "-q", "--allow-empty", "-m", message]))
}

/// The shell command that is the floor of `ggen new`: copy the generated files and make the
/// copy durable.
pub fn copy_and_sync(source: &Path, dest: &Path) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"cp -r "$1" "$2" && sync -f "$2""#)
        .arg("sh")
        .arg(source)
        .arg(dest);
    command
}

/// Copies the generated files of `project` (everything but `.ggen/` and `ggen.lock`) to
/// `dest`, untimed: the source of the `cp -r` floor.
pub fn generated_files_only(project: &Path, dest: &Path) -> Result<(), String> {
    run_ok(Command::new("cp").arg("-r").arg(project).arg(dest))?;
    std::fs::remove_dir_all(dest.join(".ggen")).map_err(|e| format!("{}: {e}", dest.display()))?;
    std::fs::remove_file(dest.join("ggen.lock")).map_err(|e| format!("{}: {e}", dest.display()))
}
