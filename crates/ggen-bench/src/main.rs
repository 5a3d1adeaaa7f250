//! The benchmark behind the README's performance table: generates the shared workload
//! (`../shared/bench/gen_workload.py`), publishes it to a registry directory and times the
//! real `ggen` binary on it. The update is timed with the transaction journal (the default)
//! and without it (`GGEN_UNSAFE_NO_JOURNAL=1`, a benchmark-only switch), to show its cost.
//!
//! Usage: `ggen-bench [--files N[,N…]] [--runs R] [--workload DIR] [--ggen PATH]`

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Options {
    files: Vec<usize>,
    runs: usize,
    workload: PathBuf,
    ggen: PathBuf,
}

fn main() {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!(
                "usage: ggen-bench [--files N[,N…]] [--runs R] [--workload DIR] [--ggen PATH]"
            );
            std::process::exit(2);
        }
    };
    if let Err(message) = run(&options) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn parse_args() -> Result<Options, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut options = Options {
        files: vec![200, 2000],
        runs: 5,
        workload: default_workload(),
        ggen: exe.with_file_name("ggen"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--files" => {
                options.files = value()?
                    .split(',')
                    .map(|n| {
                        n.trim()
                            .parse()
                            .map_err(|_| format!("bad file count {n:?}"))
                    })
                    .collect::<Result<_, _>>()?
            }
            "--runs" => options.runs = value()?.parse().map_err(|_| "bad --runs")?,
            "--workload" => options.workload = PathBuf::from(value()?),
            "--ggen" => options.ggen = PathBuf::from(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if !options.ggen.is_file() {
        return Err(format!(
            "no ggen binary at {} (build it first: cargo build --release)",
            options.ggen.display()
        ));
    }
    Ok(options)
}

/// `../shared/bench` beside the repository.
fn default_workload() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench")
}

fn run(options: &Options) -> Result<(), String> {
    println!(
        "ggen benchmark: {} (best and median of {} runs)",
        options.ggen.display(),
        options.runs
    );
    println!(
        "{:<8} {:<34} {:>10} {:>10} {:>10}",
        "files", "step", "first", "best", "median"
    );
    for &files in &options.files {
        let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = scratch.path();
        let work = root.join("workload");
        run_ok(
            Command::new("python3")
                .arg(options.workload.join("gen_workload.py"))
                .arg(&work)
                .arg("--files")
                .arg(files.to_string()),
        )?;
        let registry = root.join("registry");
        let home = root.join("home");
        for version in ["v1", "v2"] {
            ggen(options, &home)
                .args(["packs", "publish"])
                .arg(work.join("ggen").join(format!("pack-{version}")))
                .arg("--registry")
                .arg(&registry)
                .arg("--init")
                .pipe_ok()?;
        }
        let mut n = 0;
        let times = measure(options.runs, || {
            n += 1;
            let project = root.join(format!("new-{n}"));
            ggen(options, &home)
                .arg("new")
                .arg(&project)
                .args(["--pack", "bench@1.0.0", "--registry"])
                .arg(&registry)
                .pipe_ok()
        })?;
        report(files, "ggen new (bench@1.0.0)", &times);

        let clean = root.join("new-1");
        let times = measure(options.runs, || {
            ggen(options, &home)
                .arg("-C")
                .arg(&clean)
                .args(["packs", "check"])
                .pipe_ok()
        })?;
        report(files, "ggen packs check (nothing changed)", &times);

        // Each update run gets a fresh project with the workload's edits applied; runs with
        // and without the journal alternate, so that both see the same machine.
        let mut n = 0;
        let mut conflicts_seen = 0;
        let mut journaled = Vec::new();
        let mut unjournaled = Vec::new();
        for _ in 0..options.runs.max(1) {
            for journal in [true, false] {
                n += 1;
                let project = root.join(format!("update-{n}"));
                ggen(options, &home)
                    .arg("new")
                    .arg(&project)
                    .args(["--pack", "bench@1.0.0", "--registry"])
                    .arg(&registry)
                    .pipe_ok()?;
                run_ok(
                    Command::new("python3")
                        .arg(options.workload.join("apply_edits.py"))
                        .arg(&project)
                        .arg(work.join("edits.json"))
                        .stdout(Stdio::null()),
                )?;
                let mut update = ggen(options, &home);
                update
                    .arg("-C")
                    .arg(&project)
                    .args(["packs", "update", "bench"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null());
                if !journal {
                    // Benchmark only: no journal, no history (see ggen-project's transaction.rs).
                    update.env("GGEN_UNSAFE_NO_JOURNAL", "1");
                }
                let start = Instant::now();
                let status = update.status().map_err(|e| e.to_string())?;
                let elapsed = start.elapsed();
                // Exit 3: the workload's deliberate conflicts remain, as they should.
                match status.code() {
                    Some(3) => conflicts_seen += 1,
                    Some(0) => {}
                    _ => return Err(format!("ggen packs update failed: {status}")),
                }
                if journal {
                    journaled.push(elapsed);
                } else {
                    unjournaled.push(elapsed);
                }
            }
        }
        report(files, "ggen packs update (v1 -> v2, edited)", &journaled);
        report(files, "  same, GGEN_UNSAFE_NO_JOURNAL=1", &unjournaled);
        let (with, without) = (median(&journaled), median(&unjournaled));
        println!(
            "{files:<8} {:<34} {:>+9.1}%",
            "  journaling overhead (medians)",
            (with.as_secs_f64() / without.as_secs_f64() - 1.0) * 100.0
        );
        if conflicts_seen != journaled.len() + unjournaled.len() {
            println!("warning: expected the workload's conflicts (exit 3) on every update run");
        }

        // What watch does after a one-file template change in a pack under development:
        // an incremental regeneration of the project generated from the pack directory.
        let pack_dir = work.join("ggen").join("pack-v1");
        let project = root.join("regen");
        ggen(options, &home)
            .arg("new")
            .arg(&project)
            .arg("--pack")
            .arg(&pack_dir)
            .pipe_ok()?;
        let template = pack_dir.join("templates/src/m000/file_00000.rs.tmpl");
        let mut n = 0;
        let times = measure_with_setup(
            options.runs,
            || {
                n += 1;
                let mut text = std::fs::read_to_string(&template).map_err(|e| e.to_string())?;
                text.push_str(&format!("// edit {n}\n"));
                std::fs::write(&template, text).map_err(|e| e.to_string())
            },
            |_| {
                ggen(options, &home)
                    .arg("-C")
                    .arg(&project)
                    .args(["packs", "regenerate"])
                    .pipe_ok()
            },
        )?;
        report(files, "regenerate after 1 template edit", &times);
    }
    Ok(())
}

/// Times `step` on a fresh input made (untimed) by `setup` for every run.
fn measure_with_setup<T>(
    runs: usize,
    mut setup: impl FnMut() -> Result<T, String>,
    mut step: impl FnMut(&T) -> Result<(), String>,
) -> Result<Vec<Duration>, String> {
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let input = setup()?;
        let start = Instant::now();
        step(&input)?;
        times.push(start.elapsed());
    }
    Ok(times)
}

fn ggen(options: &Options, home: &Path) -> Command {
    let mut command = Command::new(&options.ggen);
    command.env("GGEN_HOME", home).arg("--quiet");
    command
}

trait PipeOk {
    fn pipe_ok(&mut self) -> Result<(), String>;
}

impl PipeOk for Command {
    fn pipe_ok(&mut self) -> Result<(), String> {
        run_ok(self.stdout(Stdio::null()))
    }
}

fn run_ok(command: &mut Command) -> Result<(), String> {
    let output = command
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

fn measure(
    runs: usize,
    mut step: impl FnMut() -> Result<(), String>,
) -> Result<Vec<Duration>, String> {
    measure_with_setup(runs, || Ok(()), |_| step())
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn report(files: usize, step: &str, times: &[Duration]) {
    let first = times[0];
    let mut sorted = times.to_vec();
    sorted.sort();
    let best = sorted[0];
    let median = sorted[sorted.len() / 2];
    println!(
        "{files:<8} {step:<34} {:>9.3}s {:>9.3}s {:>9.3}s",
        first.as_secs_f64(),
        best.as_secs_f64(),
        median.as_secs_f64()
    );
}
