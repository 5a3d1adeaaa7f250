//! A budget for everything one [`crate::Renderer`] renders (one command): total bytes of
//! outputs, which are all held in memory until the transaction writes them, and total
//! wall-clock time. Per-output fuel and size caps alone let 40 outputs near the cap take
//! minutes and gigabytes.
//!
//! `GGEN_MAX_TOTAL_OUTPUT_BYTES` and `GGEN_RENDER_TIMEOUT_SECS` override the defaults.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::TemplateError;

/// Bytes of output one command may render: 1 GiB.
pub const DEFAULT_MAX_TOTAL_OUTPUT_BYTES: usize = 1 << 30;
/// Seconds one command may spend rendering.
pub const DEFAULT_RENDER_SECONDS: u64 = 600;

#[derive(Debug)]
pub(crate) struct Budget {
    started: Instant,
    time: Duration,
    max_bytes: usize,
    used: AtomicUsize,
}

fn from_env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok()?.trim().parse().ok()
}

impl Budget {
    pub(crate) fn new() -> Budget {
        Budget {
            started: Instant::now(),
            time: Duration::from_secs(
                from_env("GGEN_RENDER_TIMEOUT_SECS").unwrap_or(DEFAULT_RENDER_SECONDS),
            ),
            max_bytes: from_env("GGEN_MAX_TOTAL_OUTPUT_BYTES")
                .unwrap_or(DEFAULT_MAX_TOTAL_OUTPUT_BYTES),
            used: AtomicUsize::new(0),
        }
    }

    /// Counts `bytes` more output of `template`; an error once the total or the time is over.
    pub(crate) fn charge(&self, template: &str, bytes: usize) -> Result<(), TemplateError> {
        let total = self.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if total > self.max_bytes {
            return Err(TemplateError::Limit {
                template: template.to_string(),
                message: format!(
                    "the outputs of this command exceed {} bytes in total (the limit; \
                     GGEN_MAX_TOTAL_OUTPUT_BYTES raises it)",
                    self.max_bytes
                ),
            });
        }
        self.check_time(template)
    }

    /// An error once rendering has taken longer than the budget.
    pub(crate) fn check_time(&self, template: &str) -> Result<(), TemplateError> {
        if self.started.elapsed() > self.time {
            return Err(TemplateError::Limit {
                template: template.to_string(),
                message: format!(
                    "rendering has taken longer than {} s in total (the limit; \
                     GGEN_RENDER_TIMEOUT_SECS raises it)",
                    self.time.as_secs()
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_is_charged_across_templates() {
        let budget = Budget {
            started: Instant::now(),
            time: Duration::from_secs(60),
            max_bytes: 10,
            used: AtomicUsize::new(0),
        };
        budget.charge("a", 6).unwrap();
        let err = budget.charge("b", 6).unwrap_err().to_string();
        assert!(
            err.contains("template b") && err.contains("10 bytes"),
            "{err}"
        );
        let late = Budget {
            started: Instant::now() - Duration::from_secs(5),
            time: Duration::from_secs(1),
            max_bytes: 10,
            used: AtomicUsize::new(0),
        };
        assert!(late.charge("c", 1).unwrap_err().to_string().contains("1 s"));
    }
}
