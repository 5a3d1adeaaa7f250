//! Crash safety on the real binary. Without features: `ggen packs update` of a few hundred
//! files is SIGKILLed at random instants across its run. With `--features fault-injection`:
//! the update (and `ggen new`) is stopped right after its k-th filesystem write, for every k.
//! Either way the next ggen command must leave the project exactly as it was before the
//! update or exactly as the update leaves it: every file and ggen.lock byte for byte, and
//! the snapshot.

mod common;
mod txn_support;

use std::path::Path;

use common::stdout_json;
use txn_support::{
    ProjectState, UpdateFixture, difference, journal_entries, objects, state, temporary_files,
};

/// Runs `ggen --json status` (the next command after a crash) and returns whether it said it
/// recovered an interrupted transaction. `baseline`, when given, is a project holding every
/// object the recovered one may hold (the state before the stopped command).
fn next_command_recovers(fixture: &UpdateFixture, project: &Path, baseline: Option<&Path>) -> bool {
    let output = fixture
        .scratch
        .ggen()
        .arg("-C")
        .arg(project)
        .args(["--json", "status"])
        .output()
        .expect("run ggen status");
    assert!(
        matches!(output.status.code(), Some(0 | 3)),
        "status after a crash failed: {}",
        common::stderr(&output)
    );
    let doc = stdout_json(&output);
    assert_eq!(journal_entries(project), 0, "a journal is left behind");
    let recovered = doc.get("recovered").is_some();
    assert_no_leftovers(project, recovered, baseline);
    recovered
}

/// Issue 19, item 9: once recovered, no temporary file is left anywhere (`.ggen/objects`
/// included), and a transaction that was undone left no object of its own behind.
fn assert_no_leftovers(project: &Path, recovered: bool, baseline: Option<&Path>) {
    let temporary = temporary_files(project);
    assert!(temporary.is_empty(), "left behind: {temporary:?}");
    if recovered && let Some(baseline) = baseline {
        let before = objects(baseline);
        let extra: Vec<_> = objects(project).difference(&before).cloned().collect();
        assert!(
            extra.is_empty(),
            "objects of the undone transaction: {extra:?}"
        );
    }
}

/// Which of the two states `project` is in; panics, naming the difference, if neither.
fn classify(project: &Path, before: &ProjectState, after: &ProjectState, what: &str) -> bool {
    let now = state(project);
    if now == *before {
        false
    } else if now == *after {
        true
    } else {
        panic!(
            "{what}: the project is neither as before ({}) nor as after ({})",
            difference(&now, before),
            difference(&now, after)
        )
    }
}

#[cfg(not(feature = "fault-injection"))]
#[test]
fn an_update_killed_at_any_instant_is_recovered() {
    use std::time::{Duration, Instant};

    const FILES: usize = 300;
    const KILLS: usize = 40;
    let fixture = UpdateFixture::new(FILES);
    let before = state(&fixture.before());

    // A complete run: the after-state (and a warm download cache for every later run).
    let project = fixture.copy("complete");
    let status = fixture.update(&project).status().expect("run ggen");
    assert_eq!(
        status.code(),
        Some(3),
        "the update leaves its two conflicts"
    );
    let after = state(&project);
    assert_ne!(before, after);

    // Three timed runs: how long the update takes, and when its journal appears (from then
    // on a kill interrupts a transaction). The fastest run is the one kills must fit in.
    let mut total = Duration::MAX;
    let mut window_start = Duration::MAX;
    for run in 0..3 {
        let project = fixture.copy(&format!("timed-{run}"));
        let start = Instant::now();
        let mut child = fixture.update(&project).spawn().expect("spawn ggen");
        let mut journal_seen = None;
        loop {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            if journal_seen.is_none() && journal_entries(&project) > 0 {
                journal_seen = Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let elapsed = start.elapsed();
        total = total.min(elapsed);
        window_start = window_start.min(journal_seen.unwrap_or(elapsed / 2));
        assert_eq!(state(&project), after, "timed run {run}");
    }
    let window_start = window_start.min(total);

    let seed = std::env::var("GGEN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!(
        "run {total:?}, journal from {window_start:?}; seed {seed} (GGEN_CRASH_SEED replays it)"
    );
    let mut random = txn_support::Random::new(seed);
    let (mut as_before, mut as_after, mut recovered) = (0, 0, 0);
    for kill in 0..KILLS {
        // A third anywhere in the run (and a little past its usual end), the rest while
        // the journal exists and files are being written.
        let at = if kill % 3 == 0 {
            total.mul_f64(random.unit() * 1.5)
        } else {
            window_start + (total - window_start).mul_f64(random.unit() * 1.15)
        };
        let project = fixture.copy(&format!("kill-{kill}"));
        let mut child = fixture.update(&project).spawn().expect("spawn ggen");
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let said_so = next_command_recovers(&fixture, &project, Some(&fixture.before()));
        let is_after = classify(&project, &before, &after, &format!("kill {kill} at {at:?}"));
        if is_after {
            as_after += 1;
        } else {
            as_before += 1;
        }
        if said_so {
            recovered += 1;
            assert!(
                !is_after,
                "a recovery must restore the state before the update"
            );
        }
        std::fs::remove_dir_all(&project).expect("clean up");
    }
    eprintln!(
        "{KILLS} kills: {as_before} left the state before ({recovered} of them recovered from a journal), {as_after} the state after"
    );
    assert_eq!(as_before + as_after, KILLS);
    assert!(as_before > 0, "no kill landed before the commit");
    // Two thirds of the kills aim at the writes: some must have interrupted a transaction,
    // or this test proves nothing about recovery.
    assert!(recovered > 0, "no kill interrupted a transaction");
}

#[cfg(feature = "fault-injection")]
fn stopped_after(mut command: std::process::Command, k: usize) -> Option<std::process::ExitStatus> {
    let status = command
        .env(ggen_fs::fault::FAULT_VAR, k.to_string())
        .status()
        .expect("run ggen");
    // Stopped by abort(3): no exit code. Otherwise it ran to the end.
    status.code().is_some().then_some(status)
}

#[cfg(feature = "fault-injection")]
#[test]
fn an_update_stopped_after_each_write_is_recovered() {
    const FILES: usize = 40;
    let fixture = UpdateFixture::new(FILES);
    let before = state(&fixture.before());
    // The complete run first: it also fills the download cache, so that every run below
    // makes the same writes.
    let project = fixture.copy("complete");
    let status = fixture.update(&project).status().expect("run ggen");
    assert_eq!(
        status.code(),
        Some(3),
        "the update leaves its two conflicts"
    );
    let after = state(&project);

    let (mut as_before, mut as_after, mut recovered) = (0, 0, 0);
    let mut writes = 0;
    for k in 1..10_000 {
        let project = fixture.copy(&format!("k{k}"));
        if let Some(status) = stopped_after(fixture.update(&project), k) {
            assert_eq!(status.code(), Some(3));
            assert_eq!(state(&project), after, "the run that was not stopped");
            writes = k - 1;
            break;
        }
        let said_so = next_command_recovers(&fixture, &project, Some(&fixture.before()));
        let is_after = classify(
            &project,
            &before,
            &after,
            &format!("stopped after write {k}"),
        );
        if said_so {
            recovered += 1;
            assert!(
                !is_after,
                "write {k}: a recovery must restore the state before"
            );
        }
        if is_after {
            as_after += 1;
        } else {
            as_before += 1;
        }
        if k % 16 == 0 {
            // A recovered project takes the update as if nothing had happened.
            let status = fixture.update(&project).status().expect("run ggen");
            assert_eq!(status.code(), Some(3));
            assert_eq!(state(&project), after, "update after recovering write {k}");
        }
        std::fs::remove_dir_all(&project).expect("clean up");
    }
    eprintln!(
        "{writes} fault points: {as_before} before ({recovered} recovered from a journal), {as_after} after"
    );
    assert!(
        writes > 20,
        "only {writes} writes: is the fault injection counting?"
    );
    assert_eq!(as_before + as_after, writes, "every fault point recovered");
    assert!(recovered > 0 && as_after > 0);
}

#[cfg(feature = "fault-injection")]
#[test]
fn a_new_project_stopped_after_each_write_is_removed_again() {
    let scratch = common::Scratch::new();
    let files: Vec<(String, String)> = (0..8)
        .map(|i| (txn_support::module_path(i), txn_support::module(i, false)))
        .collect();
    common::write_pack(&scratch.work().join("pack"), "app", "1.0.0", &files);
    let new = |dir: &str| {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("ggen"));
        command
            .current_dir(scratch.work())
            .env("GGEN_HOME", scratch.home())
            .args(["new", dir, "--pack", "./pack"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        command
    };
    assert!(new("reference").status().expect("run").success());
    let reference = state(&scratch.work().join("reference"));

    let mut writes = 0;
    let (mut removed, mut complete) = (0, 0);
    for k in 1..10_000 {
        let dir = format!("k{k}");
        let root = scratch.work().join(&dir);
        if stopped_after(new(&dir), k).is_some() {
            assert_eq!(state(&root), reference);
            writes = k - 1;
            break;
        }
        // The next command on the directory recovers it: nothing generated is left.
        let output = scratch
            .ggen()
            .arg("-C")
            .arg(&root)
            .args(["--json", "history"])
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
        let temporary = temporary_files(&root);
        assert!(temporary.is_empty(), "write {k}: left behind {temporary:?}");
        let now = state(&root);
        if now == reference {
            complete += 1;
        } else {
            assert!(
                now.files.is_empty() && now.snapshot.is_none(),
                "write {k}: left {:?}",
                now.files.keys().collect::<Vec<_>>()
            );
            removed += 1;
            // …and `ggen new` may simply be run again.
            assert!(new(&dir).status().expect("run").success(), "write {k}");
            assert_eq!(state(&root), reference);
        }
    }
    eprintln!("{writes} fault points of `ggen new`: {removed} removed, {complete} complete");
    assert!(writes > 10 && removed > 0 && complete > 0);
}

/// `ggen -C PROJECT ARGS…` as a plain command (for [`stopped_after`]).
#[cfg(feature = "fault-injection")]
fn ggen_on(fixture: &UpdateFixture, project: &Path, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("ggen"));
    command
        .env("GGEN_HOME", fixture.scratch.home())
        .arg("-C")
        .arg(project)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// Issue 19, item 9: a recovery that is itself stopped after any one of its writes is
/// finished by the next command: the state before the update, no temporary file, no object
/// of the undone transaction.
#[cfg(feature = "fault-injection")]
#[test]
fn a_recovery_stopped_after_each_write_is_finished_by_the_next_command() {
    let fixture = UpdateFixture::new(12);
    let before = state(&fixture.before());
    // An update stopped midway: files changed, the journal in place.
    let crashed = (1..10_000)
        .find_map(|k| {
            let project = fixture.copy(&format!("update-{k}"));
            stopped_after(fixture.update(&project), k)
                .is_none()
                .then_some(())?;
            (journal_entries(&project) > 0 && state(&project).files != before.files)
                .then_some(project)
        })
        .expect("an update stopped after changing files");
    let mut writes = 0;
    for k in 1..10_000 {
        let project = fixture.scratch.work().join(format!("recovery-{k}"));
        common::copy_dir(&crashed, &project);
        if stopped_after(ggen_on(&fixture, &project, &["status"]), k).is_some() {
            writes = k - 1;
            break;
        }
        next_command_recovers(&fixture, &project, Some(&fixture.before()));
        assert_eq!(state(&project), before, "recovery stopped after write {k}");
        std::fs::remove_dir_all(&project).expect("clean up");
    }
    eprintln!("{writes} fault points of a recovery");
    assert!(
        writes > 2,
        "only {writes} writes: is the fault injection counting?"
    );
}

/// Issue 19, item 9: `ggen rollback` stopped after each write: the next command leaves the
/// project as the update left it or as the rollback leaves it, with no temporary file.
#[cfg(feature = "fault-injection")]
#[test]
fn a_rollback_stopped_after_each_write_is_recovered() {
    let fixture = UpdateFixture::new(12);
    let updated = fixture.copy("updated");
    let status = fixture.update(&updated).status().expect("run ggen");
    assert_eq!(status.code(), Some(3));
    let after = state(&updated);
    let reference = fixture.scratch.work().join("rolled-back");
    common::copy_dir(&updated, &reference);
    assert!(
        ggen_on(&fixture, &reference, &["rollback"])
            .status()
            .expect("run ggen")
            .success()
    );
    let rolled_back = state(&reference);
    assert_ne!(rolled_back, after);

    let (mut writes, mut undone) = (0, 0);
    for k in 1..10_000 {
        let project = fixture.scratch.work().join(format!("rollback-{k}"));
        common::copy_dir(&updated, &project);
        if stopped_after(ggen_on(&fixture, &project, &["rollback"]), k).is_some() {
            assert_eq!(state(&project), rolled_back);
            writes = k - 1;
            break;
        }
        // A rollback's journal stores the conflicted files it captures; the update's history
        // entry names them, so they are not garbage: no object check here.
        next_command_recovers(&fixture, &project, None);
        let now = state(&project);
        if now == rolled_back {
            undone += 1;
        } else {
            assert!(
                now == after,
                "rollback stopped after write {k}: {}",
                difference(&now, &after)
            );
        }
        assert!(temporary_files(&project).is_empty());
        std::fs::remove_dir_all(&project).expect("clean up");
    }
    eprintln!("{writes} fault points of a rollback: {undone} completed");
    assert!(
        writes > 2,
        "only {writes} writes: is the fault injection counting?"
    );
}
