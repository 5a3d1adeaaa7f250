//! Running a command and timing it: wall time, exit code and the child's peak memory (from
//! the `rusage` that `wait4(2)` returns for it), and the statistics printed for a series.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One timed run of a child process.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub elapsed: Duration,
    pub code: Option<i32>,
    /// The child's peak resident set size in KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
}

/// Runs `command` (stdout and stderr discarded unless the caller set them) and times it
/// from spawn to exit. Everything written before is flushed first (`sync`, untimed), so a
/// command's durability barrier pays only for its own writes, not for a cleanup or the
/// previous run that the kernel had not written back yet.
pub fn timed(command: &mut Command) -> Result<Run, String> {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
    let start = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 overwrites it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for (`child` is never waited on: a
    // `Child` that is dropped does not wait), and both out-pointers are valid.
    let rc = loop {
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc >= 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            break rc;
        }
    };
    let elapsed = start.elapsed();
    drop(child);
    if rc < 0 {
        return Err(format!(
            "cannot wait for {command:?}: {}",
            std::io::Error::last_os_error()
        ));
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Ok(Run {
        elapsed,
        code,
        // Linux reports ru_maxrss in KiB.
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
    })
}

/// Runs `command` to completion, untimed, and fails with its stderr unless it succeeds.
pub fn run_ok(command: &mut Command) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
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

/// Times `command` and fails unless it exits with one of `accepted`.
pub fn timed_ok(command: &mut Command, accepted: &[i32]) -> Result<Run, String> {
    let quiet = command.stdout(Stdio::null()).stderr(Stdio::null());
    let run = timed(quiet)?;
    match run.code {
        Some(code) if accepted.contains(&code) => Ok(run),
        code => Err(format!(
            "{quiet:?} exited with {code:?} (expected one of {accepted:?}); run it by hand to see why"
        )),
    }
}

/// Median and spread of a series of times.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub runs: usize,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(times: &[Duration]) -> Stats {
        let mut secs: Vec<f64> = times.iter().map(Duration::as_secs_f64).collect();
        secs.sort_by(f64::total_cmp);
        let n = secs.len();
        let median = match n {
            0 => f64::NAN,
            n if n % 2 == 1 => secs[n / 2],
            n => (secs[n / 2 - 1] + secs[n / 2]) / 2.0,
        };
        Stats {
            runs: n,
            median,
            min: secs.first().copied().unwrap_or(f64::NAN),
            max: secs.last().copied().unwrap_or(f64::NAN),
        }
    }

    /// `0.123 s [0.110–0.140] n=5`.
    pub fn describe(&self) -> String {
        format!(
            "{} [{}–{}] n={}",
            seconds(self.median),
            seconds_bare(self.min),
            seconds_bare(self.max),
            self.runs
        )
    }
}

/// Seconds with three significant decimals where they matter.
pub fn seconds(secs: f64) -> String {
    format!("{} s", seconds_bare(secs))
}

fn seconds_bare(secs: f64) -> String {
    if secs < 1.0 {
        format!("{secs:.3}")
    } else {
        format!("{secs:.2}")
    }
}

/// The 1-, 5- and 15-minute load averages from `/proc/loadavg` (None where there is none).
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut parts = text.split_whitespace().map(|p| p.parse::<f64>().ok());
    Some([parts.next()??, parts.next()??, parts.next()??])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_an_even_series_is_the_mean_of_the_middle_two() {
        let ms = |v: &[u64]| {
            v.iter()
                .map(|&m| Duration::from_millis(m))
                .collect::<Vec<_>>()
        };
        let odd = Stats::of(&ms(&[30, 10, 20]));
        assert_eq!((odd.median, odd.min, odd.max), (0.02, 0.01, 0.03));
        let even = Stats::of(&ms(&[40, 10, 20, 30]));
        assert!((even.median - 0.025).abs() < 1e-12, "{}", even.median);
    }

    #[test]
    fn a_child_s_exit_code_and_peak_memory_are_reported() {
        let run = timed(Command::new("sh").args(["-c", "exit 3"])).unwrap();
        assert_eq!(run.code, Some(3));
        assert!(run.max_rss_kib > 0);
    }
}
