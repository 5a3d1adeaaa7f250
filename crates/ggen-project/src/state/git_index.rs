//! When the project is a git work tree, conflicted files are also recorded in git's index as
//! unmerged entries (stages 1/2/3), so `git status` shows them as `UU` and editors' merge
//! tools open them; settling a conflict through ggen clears them again. Best effort: a
//! project without git, or a git that fails, changes nothing about ggen's own records.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::merge::Merge;

/// A git command that runs nothing the repository's configuration names: no fsmonitor
/// daemon, no hooks, no external diff, pager or credential prompt, and no system config. The
/// work tree may hold a pack's output, so its `.git/config` is not trusted with commands.
fn git() -> Command {
    let mut command = Command::new("git");
    command
        .args(["-c", "core.fsmonitor=false"])
        .args(["-c", "core.hooksPath=/dev/null"])
        .args(["-c", "core.pager=cat"])
        .args(["-c", "diff.external="])
        .args(["-c", "core.untrackedCache=false"])
        .arg("--no-pager")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_EXTERNAL_DIFF")
        .env_remove("GIT_PAGER")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    command
}

/// One conflicted file: its path relative to the project and the three versions (stages
/// 1 base, 2 current, 3 new).
pub struct Unmerged<'a> {
    pub path: &'a str,
    pub versions: Merge<Option<&'a [u8]>>,
}

/// The work tree's top directory and the project's path inside it, if `root` is in one.
fn work_tree(root: &Path) -> Option<(PathBuf, PathBuf)> {
    let output = git()
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--show-toplevel"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let top = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim_end());
    let top = top.canonicalize().ok()?;
    let inside = root
        .canonicalize()
        .ok()?
        .strip_prefix(&top)
        .ok()?
        .to_path_buf();
    Some((top, inside))
}

fn hash_object(top: &Path, bytes: &[u8]) -> Option<String> {
    let mut child = git()
        .arg("-C")
        .arg(top)
        .args(["hash-object", "-w", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(bytes).ok()?;
    let output = child.wait_with_output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn git_path(inside: &Path, path: &str) -> String {
    let joined = inside.join(path);
    joined.to_string_lossy().replace('\\', "/")
}

/// Records each file as unmerged in the index. Returns whether git took them.
pub fn record_unmerged(root: &Path, files: &[Unmerged<'_>]) -> bool {
    if files.is_empty() {
        return false;
    }
    let Some((top, inside)) = work_tree(root) else {
        return false;
    };
    let mut info = String::new();
    for file in files {
        let path = git_path(&inside, file.path);
        let hash = |side: Option<&[u8]>| side.and_then(|bytes| hash_object(&top, bytes));
        let (Some(current), Some(new)) = (hash(file.versions.current), hash(file.versions.new))
        else {
            return false;
        };
        info.push_str(&format!("0 {} 0\t{path}\n", "0".repeat(40)));
        if let Some(base) = hash(file.versions.base) {
            info.push_str(&format!("100644 {base} 1\t{path}\n"));
        }
        info.push_str(&format!("100644 {current} 2\t{path}\n"));
        info.push_str(&format!("100644 {new} 3\t{path}\n"));
    }
    update_index(&top, &["--index-info"], Some(&info))
}

/// Clears the unmerged entries of `path`: back to what HEAD has (or out of the index when
/// HEAD does not have it), like `git reset -- PATH`.
pub fn clear_unmerged(root: &Path, path: &str) {
    let Some((top, inside)) = work_tree(root) else {
        return;
    };
    let path = git_path(&inside, path);
    let reset = git()
        .arg("-C")
        .arg(&top)
        // No refresh: refreshing the index would run the clean filters the config names.
        .args(["reset", "-q", "--no-refresh", "--"])
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !reset {
        // No commit yet: drop the unmerged stages.
        update_index(&top, &["--force-remove", "--", &path], None);
    }
}

fn update_index(top: &Path, args: &[&str], stdin: Option<&str>) -> bool {
    let child = git()
        .arg("-C")
        .arg(top)
        .arg("update-index")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return false;
    };
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        if pipe.write_all(text.as_bytes()).is_err() {
            return false;
        }
        drop(pipe);
    }
    child.wait().is_ok_and(|s| s.success())
}

/// After a change that replaced the snapshot wholesale (rollback): files conflicted in
/// `after` are unmerged in git's index again (their three versions from `store`), and files
/// conflicted only in `before` are cleared.
pub(crate) fn sync_conflicts(
    root: &Path,
    store: &crate::state::objects::ObjectStore,
    before: Option<&crate::state::snapshot::Snapshot>,
    after: Option<&crate::state::snapshot::Snapshot>,
) {
    let empty = std::collections::BTreeMap::new();
    let before = before.map_or(&empty, |s| &s.conflicts);
    let after = after.map_or(&empty, |s| &s.conflicts);
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        clear_unmerged(root, path);
    }
    let mut versions = Vec::new();
    for (path, conflict) in after {
        let hashes = conflict.versions.as_ref();
        let (Some(current), Some(new)) = (hashes.current, hashes.new) else {
            continue;
        };
        let base = hashes.base.as_deref().and_then(|h| store.get(h).ok());
        let (Ok(current), Ok(new)) = (store.get(current), store.get(new)) else {
            continue;
        };
        versions.push((path.as_str(), base, current, new));
    }
    let unmerged: Vec<Unmerged<'_>> = versions
        .iter()
        .map(|(path, base, current, new)| Unmerged {
            path,
            versions: Merge::new(
                Some(current.as_slice()),
                base.as_deref(),
                Some(new.as_slice()),
            ),
        })
        .collect();
    record_unmerged(root, &unmerged);
}

/// How a conflict ggen still records was settled in git, if it was: the user took the
/// file out of conflict the git way (edited out the markers and `git add`ed it), so git's
/// index holds it at stage 0, as it is on disk, with no conflict markers left.
/// `marker_size` is the size the markers were written with, when recorded.
pub fn settled_in_git(root: &Path, path: &str, marker_size: Option<usize>) -> Option<&'static str> {
    let text = std::fs::read(root.join(path)).ok()?;
    if ggen_merge::first_marker_line(&text, marker_size).is_some() {
        return None;
    }
    let (top, inside) = work_tree(root)?;
    let path = git_path(&inside, path);
    let staged = Command::new("git")
        .arg("-C")
        .arg(&top)
        .args(["ls-files", "-s", "--"])
        .arg(&path)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let listing = String::from_utf8_lossy(&staged.stdout);
    let mut entries = listing.lines();
    let only = entries.next()?;
    let stage0 = only.split('\t').next()?.split(' ').nth(2) == Some("0");
    if !staged.status.success() || entries.next().is_some() || !stage0 {
        return None;
    }
    let same = Command::new("git")
        .arg("-C")
        .arg(&top)
        .args(["diff", "--quiet", "--"])
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?
        .success();
    same.then_some("resolved in git")
}
