//! Fault injection for crash tests: with the `fault-injection` feature, the process aborts
//! right after its k-th filesystem write, where k comes from `GGEN_FAULT_AFTER_WRITES`.
//! Without the feature every checkpoint compiles to nothing.

/// The environment variable holding k (1-based); unset or not a number: never abort.
pub const FAULT_VAR: &str = "GGEN_FAULT_AFTER_WRITES";

#[cfg(all(feature = "fault-injection", not(debug_assertions)))]
compile_error!("the `fault-injection` feature is for debug test builds only, never for release");

/// Counts one filesystem write (a temporary file written, a rename, a removal) and stops
/// the process, as a power cut would, once the configured number of writes is reached.
#[cfg(feature = "fault-injection")]
pub(crate) fn checkpoint() {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    static WRITES: AtomicU64 = AtomicU64::new(0);
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    let limit = LIMIT.get_or_init(|| {
        std::env::var(FAULT_VAR)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|&k| k > 0)
    });
    let Some(limit) = *limit else {
        return;
    };
    if WRITES.fetch_add(1, Ordering::SeqCst) + 1 >= limit {
        // abort(3): no unwinding, no destructors, no buffered output — like `kill -9`.
        std::process::abort();
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub(crate) fn checkpoint() {}
