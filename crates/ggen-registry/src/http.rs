//! Downloading over HTTP(S): one timeout for the whole request, retries with exponential
//! backoff on connection errors, 408, 429 and 5xx answers (honouring `Retry-After`), a size
//! cap, and progress reports.

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{ProgressHandle, RegistryError};

/// How downloads behave.
#[derive(Debug, Clone)]
pub struct NetworkOptions {
    /// The longest one request may take, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// Attempts after the first one.
    pub retries: u32,
    /// The first backoff; each retry waits twice as long as the one before.
    pub retry_base: Duration,
    /// The longest `Retry-After` honoured; a server asking for more gets an error instead.
    pub max_retry_after: Duration,
}

impl Default for NetworkOptions {
    fn default() -> Self {
        NetworkOptions {
            timeout: Duration::from_secs(60),
            retries: 4,
            retry_base: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// Why one attempt failed.
enum Failure {
    /// Worth another attempt, after the server's `Retry-After` if it gave one.
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    Fatal(RegistryError),
}

#[derive(Clone)]
pub(crate) struct HttpClient {
    agent: ureq::Agent,
    options: NetworkOptions,
    progress: ProgressHandle,
}

impl HttpClient {
    pub(crate) fn new(options: NetworkOptions, progress: ProgressHandle) -> HttpClient {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .user_agent(concat!("ggen/", env!("CARGO_PKG_VERSION")))
            .build();
        HttpClient {
            agent: config.into(),
            options,
            progress,
        }
    }

    /// GETs `url`: its body (at most `limit` bytes), or `None` when the server says it does
    /// not exist (404, 410). `show_progress` reports the download to the user.
    pub(crate) fn get(
        &self,
        url: &str,
        limit: u64,
        show_progress: bool,
    ) -> Result<Option<Vec<u8>>, RegistryError> {
        let attempts = self.options.retries + 1;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(url, limit, show_progress) {
                Ok(body) => return Ok(body),
                Err(Failure::Fatal(err)) => return Err(err),
                Err(Failure::Transient {
                    reason,
                    retry_after,
                }) => {
                    if attempt >= attempts {
                        return Err(RegistryError::Http {
                            url: url.to_string(),
                            message: format!("{reason} (gave up after {attempts} attempts)"),
                        });
                    }
                    if let Some(wait) = retry_after
                        && wait > self.options.max_retry_after
                    {
                        return Err(RegistryError::Http {
                            url: url.to_string(),
                            message: format!(
                                "{reason}, and the server asks to retry after {} s",
                                wait.as_secs()
                            ),
                        });
                    }
                    let wait = retry_after.unwrap_or_else(|| self.backoff(attempt));
                    self.progress.warning(&format!(
                        "{url}: {reason}; retrying in {} ms (attempt {} of {attempts})",
                        wait.as_millis(),
                        attempt + 1
                    ));
                    std::thread::sleep(wait);
                }
            }
        }
    }

    /// `retry_base * 2^(attempt-1)`, capped at 30 s, plus up to a quarter of jitter so that
    /// many clients do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let base = self
            .options
            .retry_base
            .saturating_mul(1 << exponent)
            .min(Duration::from_secs(30));
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let jitter = base.mul_f64(f64::from(nanos % 1000) / 4000.0);
        base + jitter
    }

    fn attempt(
        &self,
        url: &str,
        limit: u64,
        show_progress: bool,
    ) -> Result<Option<Vec<u8>>, Failure> {
        let response = match self.agent.get(url).call() {
            Ok(response) => response,
            Err(err) => return Err(classify(url, err)),
        };
        let status = response.status().as_u16();
        match status {
            200..=299 => {}
            404 | 410 => return Ok(None),
            408 | 429 | 500 | 502 | 503 | 504 => {
                return Err(Failure::Transient {
                    reason: format!("the server answered {status}"),
                    retry_after: retry_after(&response),
                });
            }
            _ => {
                return Err(Failure::Fatal(RegistryError::HttpStatus {
                    url: url.to_string(),
                    status,
                    detail: status_detail(status),
                }));
            }
        }
        let total = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(total) = total
            && total > limit
        {
            return Err(Failure::Fatal(RegistryError::TooLarge {
                url: url.to_string(),
                limit,
            }));
        }
        if show_progress {
            self.progress.download_started(url, total);
        }
        let result = self.read_body(url, response, limit, show_progress);
        if show_progress {
            self.progress.download_finished(url);
        }
        result.map(Some)
    }

    fn read_body(
        &self,
        url: &str,
        response: ureq::http::Response<ureq::Body>,
        limit: u64,
        show_progress: bool,
    ) -> Result<Vec<u8>, Failure> {
        let mut reader = response.into_body().into_reader();
        let mut body = Vec::new();
        let mut chunk = vec![0u8; 64 << 10];
        loop {
            let n = match reader.read(&mut chunk) {
                Ok(0) => return Ok(body),
                Ok(n) => n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    return Err(Failure::Transient {
                        reason: format!("the connection broke while reading the body ({err})"),
                        retry_after: None,
                    });
                }
            };
            if body.len() as u64 + n as u64 > limit {
                return Err(Failure::Fatal(RegistryError::TooLarge {
                    url: url.to_string(),
                    limit,
                }));
            }
            body.extend_from_slice(&chunk[..n]);
            if show_progress {
                self.progress.download_advanced(url, n as u64);
            }
        }
    }
}

/// Connection-level failures are worth retrying; a malformed URL or a TLS failure is not.
fn classify(url: &str, err: ureq::Error) -> Failure {
    match err {
        ureq::Error::Io(_)
        | ureq::Error::Timeout(_)
        | ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::Protocol(_)
        | ureq::Error::BodyStalled => Failure::Transient {
            reason: err.to_string(),
            retry_after: None,
        },
        other => Failure::Fatal(RegistryError::Http {
            url: url.to_string(),
            message: other.to_string(),
        }),
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not honoured: backoff applies).
fn retry_after(response: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

fn status_detail(status: u16) -> String {
    match status {
        401 | 403 => " (access denied)".to_string(),
        _ => String::new(),
    }
}
