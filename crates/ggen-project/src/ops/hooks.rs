//! Pack hooks: shell commands from a pack, run only with the user's consent.

use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

use crate::Reporter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookStatus {
    Succeeded,
    Failed,
    /// Not run: no `--allow-hooks` and no yes at the prompt.
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct HookRun {
    pub pack: String,
    pub command: String,
    pub status: HookStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
}

/// Runs `commands` in `dir` through `sh -c`, in order, stopping at the first failure. They
/// run only when `allowed` or the reporter's prompt says yes. Their output goes to stderr so
/// that stdout stays machine-readable.
pub fn run(
    pack: &str,
    commands: &[String],
    dir: &Path,
    allowed: bool,
    reporter: &dyn Reporter,
) -> Vec<HookRun> {
    let consent = allowed || reporter.confirm_hooks(pack, commands);
    let mut runs = Vec::new();
    let mut failed = false;
    for command in commands {
        let record = |status, exit_code| HookRun {
            pack: pack.to_string(),
            command: command.clone(),
            status,
            exit_code,
        };
        if !consent || failed {
            runs.push(record(HookStatus::Skipped, None));
            continue;
        }
        let status = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(dir)
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
