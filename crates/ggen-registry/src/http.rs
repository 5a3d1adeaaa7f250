//! Downloading over HTTP(S): one timeout for the whole request, retries with exponential
//! backoff on connection errors, 408, 429 and 5xx answers (honouring `Retry-After`), a size
//! cap, and progress reports.

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::credentials::Credentials;
use crate::{ProgressHandle, RegistryError};

/// Redirects followed for one request, each to the same origin (or from http to https on
/// the same host): a registry may not send ggen, or its credentials, elsewhere.
const MAX_REDIRECTS: u32 = 5;

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
    credentials: Option<Credentials>,
}

impl HttpClient {
    pub(crate) fn new(
        options: NetworkOptions,
        progress: ProgressHandle,
        credentials: Option<Credentials>,
    ) -> HttpClient {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            // Redirects are followed by hand, after checking where they lead.
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("ggen/", env!("CARGO_PKG_VERSION")))
            .build();
        HttpClient {
            agent: config.into(),
            options,
            progress,
            credentials,
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
        let mut current = url.to_string();
        let mut redirects = 0;
        let response = loop {
            let mut request = self.agent.get(&current);
            if let Some(credentials) = &self.credentials {
                request = request.header("Authorization", credentials.header());
            }
            let response = match request.call() {
                Ok(response) => response,
                Err(err) => return Err(classify(url, err)),
            };
            let status = response.status().as_u16();
            if !matches!(status, 301 | 302 | 303 | 307 | 308) {
                break response;
            }
            redirects += 1;
            let target = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(|v| resolve_redirect(&current, v));
            let refusal = match &target {
                _ if redirects > MAX_REDIRECTS => {
                    Some(format!("more than {MAX_REDIRECTS} redirects"))
                }
                None => Some(format!("a redirect ({status}) without a usable Location")),
                Some(target) if !same_origin(&current, target) => Some(format!(
                    "a redirect to {}, another origin; ggen follows redirects only within \
                     the registry's own scheme, host and port (or from http to https)",
                    crate::credentials::redact(target)
                )),
                Some(_) => None,
            };
            if let Some(message) = refusal {
                return Err(Failure::Fatal(RegistryError::Http {
                    url: url.to_string(),
                    message,
                }));
            }
            current = target.unwrap_or_default();
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

/// The absolute URL a `Location` header names, relative to `from`.
fn resolve_redirect(from: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let (scheme, rest) = from.split_once("://").unwrap_or(("http", from));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some(path) = location.strip_prefix('/') {
        if let Some(network_path) = path.strip_prefix('/') {
            return format!("{scheme}://{network_path}");
        }
        return format!("{scheme}://{authority}/{path}");
    }
    let base = rest.split(['?', '#']).next().unwrap_or(rest);
    let dir = base
        .rsplit_once('/')
        .map(|(dir, _)| dir)
        .unwrap_or(authority);
    format!("{scheme}://{dir}/{location}")
}

/// Scheme, host and port, lowercased, with the default port filled in.
fn origin(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let default = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, port.parse().ok()?),
        _ => (authority, default),
    };
    Some((scheme, host.to_ascii_lowercase(), port))
}

/// Whether a redirect from `from` to `to` stays with the registry: the same origin, or the
/// same host moving from http to https.
fn same_origin(from: &str, to: &str) -> bool {
    match (origin(from), origin(to)) {
        (Some(a), Some(b)) if a == b => true,
        (Some((a_scheme, a_host, _)), Some((b_scheme, b_host, b_port))) => {
            a_scheme == "http" && b_scheme == "https" && a_host == b_host && b_port == 443
        }
        _ => false,
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use super::*;

    /// One scripted answer: status, `Retry-After`, body.
    type Answer = (u16, Option<&'static str>, &'static [u8]);

    /// A loopback server answering requests with `script` in order (then 500s), counting
    /// them; it stops after `script.len() + 2` requests or 10 s.
    fn server(script: Vec<Answer>) -> (String, Arc<Mutex<u32>>) {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind loopback");
        let url = match server.server_addr().to_ip() {
            Some(addr) => format!("http://{addr}/file"),
            None => panic!("no ip address"),
        };
        let count = Arc::new(Mutex::new(0));
        let seen = count.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut answers = script.into_iter();
            let mut remaining = answers.len() + 2;
            while remaining > 0 && Instant::now() < deadline {
                let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(100)) else {
                    continue;
                };
                remaining -= 1;
                *seen.lock().unwrap() += 1;
                let (status, retry_after, body) = answers.next().unwrap_or((500, None, b""));
                let mut response = tiny_http::Response::from_data(body).with_status_code(status);
                if let Some(value) = retry_after {
                    let header = tiny_http::Header::from_bytes("Retry-After", value).unwrap();
                    response = response.with_header(header);
                }
                let _ = request.respond(response);
            }
        });
        (url, count)
    }

    fn client(retries: u32) -> HttpClient {
        HttpClient::new(
            NetworkOptions {
                timeout: Duration::from_secs(5),
                retries,
                retry_base: Duration::from_millis(1),
                max_retry_after: Duration::from_secs(2),
            },
            ProgressHandle::default(),
            None,
        )
    }

    #[test]
    fn redirects_are_followed_only_within_the_origin() {
        assert!(same_origin("http://127.0.0.1:8/a", "http://127.0.0.1:8/b"));
        assert!(same_origin("http://Host/a", "https://host/b"));
        assert!(!same_origin("https://host/a", "http://host/b"));
        assert!(!same_origin("http://127.0.0.1:8/a", "http://127.0.0.2:8/a"));
        assert!(!same_origin("http://127.0.0.1:8/a", "http://127.0.0.1:9/a"));
        assert!(!same_origin("http://h/a", "http://h@evil/a"));
        assert_eq!(
            resolve_redirect("http://h:1/reg/index.json", "/x/y"),
            "http://h:1/x/y"
        );
        assert_eq!(
            resolve_redirect("http://h:1/reg/index.json", "other.json"),
            "http://h:1/reg/other.json"
        );
        assert_eq!(
            resolve_redirect("http://h:1/reg/a", "//evil/b"),
            "http://evil/b"
        );
    }

    #[test]
    fn server_errors_are_retried_until_success() {
        let (url, count) = server(vec![
            (503, None, b""),
            (502, None, b""),
            (429, Some("0"), b""),
            (200, None, b"hello"),
        ]);
        let body = client(4).get(&url, 100, false).unwrap();
        assert_eq!(body.as_deref(), Some(&b"hello"[..]));
        assert_eq!(*count.lock().unwrap(), 4);
    }

    #[test]
    fn retry_after_is_honoured() {
        let (url, _) = server(vec![(503, Some("1"), b""), (200, None, b"ok")]);
        let start = Instant::now();
        assert!(client(1).get(&url, 100, false).unwrap().is_some());
        assert!(
            start.elapsed() >= Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn giving_up_names_the_url_and_the_answer() {
        let (url, count) = server(vec![(504, None, b""), (504, None, b""), (504, None, b"")]);
        let err = client(2).get(&url, 100, false).unwrap_err().to_string();
        assert!(err.contains(&url) && err.contains("504"), "{err}");
        assert!(err.contains("3 attempts"), "{err}");
        assert_eq!(*count.lock().unwrap(), 3);
    }

    #[test]
    fn a_long_retry_after_is_an_error_not_a_wait() {
        let (url, count) = server(vec![(503, Some("3600"), b"")]);
        let err = client(3).get(&url, 100, false).unwrap_err().to_string();
        assert!(err.contains("3600"), "{err}");
        assert_eq!(*count.lock().unwrap(), 1);
    }

    #[test]
    fn not_found_is_none_and_forbidden_is_not_retried() {
        let (url, _) = server(vec![(404, None, b"")]);
        assert_eq!(client(3).get(&url, 100, false).unwrap(), None);
        let (url, count) = server(vec![(403, None, b"")]);
        let err = client(3).get(&url, 100, false).unwrap_err();
        assert!(
            matches!(err, RegistryError::HttpStatus { status: 403, .. }),
            "{err}"
        );
        assert_eq!(*count.lock().unwrap(), 1);
    }

    #[test]
    fn bodies_over_the_limit_are_refused() {
        let (url, _) = server(vec![(200, None, b"0123456789")]);
        let err = client(0).get(&url, 4, false).unwrap_err();
        assert!(
            matches!(err, RegistryError::TooLarge { limit: 4, .. }),
            "{err}"
        );
    }

    #[test]
    fn an_unreachable_server_is_an_error_naming_the_url() {
        // Bind then drop: nothing listens on this port any more.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let url = format!("http://127.0.0.1:{port}/index.json");
        let err = client(1).get(&url, 100, false).unwrap_err();
        assert!(matches!(err, RegistryError::Http { .. }), "{err}");
        assert!(err.to_string().contains(&url), "{err}");
    }
}
