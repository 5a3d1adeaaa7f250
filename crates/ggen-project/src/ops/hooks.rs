//! Pack hooks: shell commands from a pack, run only with the user's consent — after install
//! (`post_install`), after update and regenerate (`post_update`), or on request
//! (`ggen packs hooks run ID`).

use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

use crate::packs::source::{UpdateTarget, load_update};
use crate::project::load_project;
use crate::{Environment, Layout, ProjectError, Reporter};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookStatus {
    Succeeded,
    Failed,
    /// Not run: no `--allow-hooks` and no yes at the prompt.
    Skipped,
}

/// Which of a pack's hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookKind {
    PostInstall,
    PostUpdate,
}

impl HookKind {
    pub fn name(self) -> &'static str {
        match self {
            HookKind::PostInstall => "post_install",
            HookKind::PostUpdate => "post_update",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HookRun {
    pub pack: String,
    pub hook: HookKind,
    pub command: String,
    pub status: HookStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
}

/// What a hook is told about the change it follows, as `GGEN_*` environment variables.
#[derive(Debug, Clone)]
pub struct HookContext<'a> {
    /// `install`, `update` or `regenerate` (`GGEN_OPERATION`).
    pub operation: &'a str,
    pub hook: HookKind,
    /// `GGEN_PACK`.
    pub pack: &'a str,
    /// `GGEN_VERSION_FROM`: empty on install.
    pub from: &'a str,
    /// `GGEN_VERSION_TO`.
    pub to: &'a str,
}

/// Runs `commands` in `dir` through `sh -c`, in order, stopping at the first failure. They
/// run only when `allowed` or the reporter's prompt says yes. Their output goes to stderr so
/// that stdout stays machine-readable.
pub fn run(
    context: &HookContext<'_>,
    commands: &[String],
    dir: &Path,
    allowed: bool,
    reporter: &dyn Reporter,
) -> Vec<HookRun> {
    if commands.is_empty() {
        return Vec::new();
    }
    let consent = allowed || reporter.confirm_hooks(context.pack, commands);
    let mut runs = Vec::new();
    let mut failed = false;
    for command in commands {
        let record = |status, exit_code| HookRun {
            pack: context.pack.to_string(),
            hook: context.hook,
            command: command.clone(),
            status,
            exit_code,
        };
        if !consent || failed {
            runs.push(record(HookStatus::Skipped, None));
            continue;
        }
        reporter.running_hook(context.pack, command);
        let status = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(dir)
            .env("GGEN_OPERATION", context.operation)
            .env("GGEN_PACK", context.pack)
            .env("GGEN_VERSION_FROM", context.from)
            .env("GGEN_VERSION_TO", context.to)
            .stdin(Stdio::null())
            .stdout(std::io::stderr())
            .status();
        match status {
            Ok(s) if s.success() => runs.push(record(HookStatus::Succeeded, Some(0))),
            Ok(s) => {
                failed = true;
                runs.push(record(HookStatus::Failed, s.code()));
            }
            Err(_) => {
                failed = true;
                runs.push(record(HookStatus::Failed, None));
            }
        }
    }
    runs
}

/// The warning for hooks that did not run, with the command that runs just them.
/// `project` is how the user names the project from where they are (`-C DIR`), if not `.`.
pub fn skipped_warning(pack: &str, hook: HookKind, project: Option<&Path>) -> String {
    let dir = project
        .map(|p| format!("-C {} ", p.display()))
        .unwrap_or_default();
    let kind = match hook {
        HookKind::PostInstall => "",
        HookKind::PostUpdate => " --hook post-update",
    };
    format!(
        "pack `{pack}`: {} hooks not run; run them with `ggen {dir}packs hooks run {pack}{kind} --allow-hooks`",
        hook.name()
    )
}

/// `ggen packs hooks run ID`: the installed pack's `hook` commands, from its locked version,
/// in the project root — for hooks skipped earlier (a `ggen new` without `--allow-hooks`).
pub fn run_installed(
    layout: &Layout,
    env: &Environment,
    id: &str,
    hook: HookKind,
    allowed: bool,
    reporter: &dyn Reporter,
) -> Result<Vec<HookRun>, ProjectError> {
    let (lock, _) = load_project(layout)?;
    let locked = lock
        .pack(id)
        .cloned()
        .ok_or_else(|| ProjectError::NotInstalled { id: id.to_string() })?;
    let version =
        semver::Version::parse(&locked.version).map_err(|e| ProjectError::CorruptLockfile {
            path: layout.lockfile(),
            message: format!("pack `{id}` has version {:?}: {e}", locked.version),
        })?;
    let resolved = load_update(&locked, &UpdateTarget::Exact(version), env)?;
    let hooks = &resolved.pack.manifest.hooks;
    let (commands, operation, from) = match hook {
        HookKind::PostInstall => (&hooks.post_install, "install", ""),
        HookKind::PostUpdate => (&hooks.post_update, "update", locked.version.as_str()),
    };
    let context = HookContext {
        operation,
        hook,
        pack: id,
        from,
        to: &locked.version,
    };
    Ok(run(&context, commands, layout.root(), allowed, reporter))
}
