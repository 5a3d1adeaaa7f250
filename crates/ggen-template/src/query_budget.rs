//! A budget per SPARQL query: wall-clock time (a watchdog cancels evaluation when it runs
//! out) and the bytes of the rows it returns, so a cross product under `ORDER BY` or values
//! growing by `CONCAT` end in an error naming the query instead of a hang or an exhausted
//! machine.
//!
//! `GGEN_QUERY_TIMEOUT_SECS` overrides the time budget (default
//! [`DEFAULT_QUERY_SECONDS`]).

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use oxigraph::sparql::CancellationToken;

/// Seconds one query may run before it is cancelled.
pub const DEFAULT_QUERY_SECONDS: u64 = 60;
/// The most bytes of values one query may return: 256 MiB.
pub const MAX_RESULT_BYTES: usize = 256 << 20;

/// The time budget of queries in this process.
pub fn query_time_limit() -> Duration {
    let seconds = std::env::var("GGEN_QUERY_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_QUERY_SECONDS);
    Duration::from_secs(seconds)
}

/// A running budget: cancels its token when the time is up; stops watching on drop.
pub(crate) struct Watchdog {
    pub(crate) token: CancellationToken,
    pub(crate) limit: Duration,
    finished: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    pub(crate) fn start(limit: Duration) -> Watchdog {
        let token = CancellationToken::new();
        let finished = Arc::new((Mutex::new(false), Condvar::new()));
        let (cancel, watched) = (token.clone(), finished.clone());
        let thread = std::thread::Builder::new()
            .name("ggen-query-budget".into())
            .spawn(move || {
                let (lock, condvar) = &*watched;
                let Ok(done) = lock.lock() else { return };
                let waited = condvar.wait_timeout_while(done, limit, |done| !*done);
                if waited.is_ok_and(|(_, result)| result.timed_out()) {
                    cancel.cancel();
                }
            })
            .ok();
        Watchdog {
            token,
            limit,
            finished,
            thread,
        }
    }

    /// Whether the time ran out.
    pub(crate) fn expired(&self) -> bool {
        self.token.is_cancelled()
    }

    /// The error for a query stopped by this budget.
    pub(crate) fn message(&self) -> String {
        format!(
            "the query ran longer than its budget of {} s and was stopped (a cross product \
             of large patterns?); set GGEN_QUERY_TIMEOUT_SECS to allow more",
            self.limit.as_secs()
        )
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let (lock, condvar) = &*self.finished;
        if let Ok(mut done) = lock.lock() {
            *done = true;
        }
        condvar.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The error for rows over [`MAX_RESULT_BYTES`].
pub(crate) fn too_large() -> String {
    format!(
        "the query's results exceed {} MiB of values and were refused",
        MAX_RESULT_BYTES >> 20
    )
}
