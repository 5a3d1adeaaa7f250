//! Hostile and private HTTP registries, against real servers on loopback: credentials in a
//! registry URL are used but never written to `ggen.lock`, the snapshot or any message, and
//! redirects are followed only within the registry's origin.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::{Scratch, stderr};

const SECRET: &str = "S3cretT0ken";

/// What the server does with a request.
#[derive(Clone)]
enum Mode {
    /// Serve files of this directory to requests carrying one of these `Authorization`
    /// values; 401 to the others.
    Serve(PathBuf, Vec<String>),
    /// Answer 302 to `{base}{path}` for every request.
    Redirect(Arc<Mutex<String>>),
}

/// A one-connection-per-request HTTP/1.1 server on `ip`, logging `(path, authorization)`.
struct Server {
    url: String,
    log: Arc<Mutex<Vec<(String, String)>>>,
}

impl Server {
    fn start(ip: &str, mode: Mode) -> Server {
        let listener = TcpListener::bind((ip, 0)).expect("bind loopback");
        let url = format!("http://{ip}:{}", listener.local_addr().unwrap().port());
        let log: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let seen = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                answer(stream, &mode, &seen);
            }
        });
        Server { url, log }
    }

    fn requests(&self) -> Vec<(String, String)> {
        self.log.lock().unwrap().clone()
    }
}

fn answer(stream: TcpStream, mode: &Mode, log: &Mutex<Vec<(String, String)>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut authorization = String::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            authorization = value.trim().to_string();
        }
    }
    log.lock()
        .unwrap()
        .push((path.clone(), authorization.clone()));
    let mut stream = stream;
    let (status, headers, body) = match mode {
        Mode::Redirect(base) => (
            "302 Found",
            format!("Location: {}{path}\r\n", base.lock().unwrap()),
            Vec::new(),
        ),
        Mode::Serve(..) if path.starts_with("/moved/") => (
            "301 Moved Permanently",
            format!("Location: {}\r\n", &path["/moved".len()..]),
            Vec::new(),
        ),
        Mode::Serve(_, accepted) if !accepted.contains(&authorization) => {
            ("401 Unauthorized", String::new(), Vec::new())
        }
        Mode::Serve(root, _) => {
            let file = root.join(path.trim_start_matches('/'));
            match std::fs::read(&file) {
                Ok(bytes) => ("200 OK", String::new(), bytes),
                Err(_) => ("404 Not Found", String::new(), Vec::new()),
            }
        }
    };
    let head = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn publish(scratch: &Scratch, version: &str) {
    let dir = format!("src-{version}");
    scratch.write_tree(
        &dir,
        &[
            (
                "gpack.toml",
                &format!("[pack]\nid = \"app\"\nversion = \"{version}\"\ndescription = \"app\"\n"),
            ),
            ("templates/a.txt.tmpl", "a {{ pack.version }}\n"),
        ],
    );
    scratch
        .ggen()
        .args(["packs", "publish", &dir, "--registry", "registry", "--init"])
        .assert()
        .success();
}

/// Every file under `root`, `.ggen` included, as text.
fn everything(root: &Path) -> String {
    let mut text = String::new();
    for entry in walk(root) {
        text.push_str(&String::from_utf8_lossy(&std::fs::read(entry).unwrap()));
    }
    text
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn credentials_in_a_registry_url_are_used_but_never_stored_or_printed() {
    let scratch = Scratch::new();
    publish(&scratch, "1.0.0");
    // base64("alice:S3cretT0ken")
    let basic = "Basic YWxpY2U6UzNjcmV0VDBrZW4=".to_string();
    let bearer = format!("Bearer {SECRET}");
    let server = Server::start(
        "127.0.0.1",
        Mode::Serve(scratch.work().join("registry"), vec![basic.clone(), bearer]),
    );
    let private = server
        .url
        .replace("http://", &format!("http://alice:{SECRET}@"));

    let output = scratch
        .ggen()
        .args(["--registry", &private, "new", "proj", "--pack", "app"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let root = scratch.work().join("proj");
    let lock = std::fs::read_to_string(root.join("ggen.lock")).unwrap();
    assert!(
        lock.contains(&format!("source = \"registry+{}\"", server.url)),
        "{lock}"
    );
    let mut seen = everything(&root);
    seen.push_str(&String::from_utf8_lossy(&output.stdout));
    seen.push_str(&stderr(&output));
    assert!(!seen.contains(SECRET) && !seen.contains("alice"), "{seen}");
    assert!(server.requests().iter().all(|(_, auth)| *auth == basic));

    // The next update takes the credentials from the configured registry again, or from
    // GGEN_REGISTRY_TOKEN; the lockfile has none to offer.
    publish(&scratch, "1.1.0");
    let output = scratch
        .ggen()
        .args([
            "--registry",
            &private,
            "-C",
            "proj",
            "packs",
            "update",
            "app",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    publish(&scratch, "1.2.0");
    let output = scratch
        .ggen()
        .env("GGEN_REGISTRY_TOKEN", SECRET)
        .args(["-C", "proj", "packs", "update", "app"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(root.join("a.txt")).unwrap(),
        "a 1.2.0\n"
    );
    assert!(!everything(&root).contains(SECRET));

    // Errors name the registry without the credentials.
    let output = scratch
        .ggen()
        .env("GGEN_RETRY_BASE_MS", "1")
        .args([
            "--registry",
            &format!("http://alice:{SECRET}@127.0.0.1:1"),
            "new",
            "p2",
            "--pack",
            "app",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("127.0.0.1:1"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains(SECRET), "{}", stderr(&output));
}

#[test]
fn redirects_to_another_host_are_not_followed() {
    let scratch = Scratch::new();
    publish(&scratch, "1.0.0");
    let elsewhere = Server::start(
        "127.0.0.2",
        Mode::Serve(scratch.work().join("registry"), vec![String::new()]),
    );
    let target = Arc::new(Mutex::new(elsewhere.url.clone()));
    let redirecting = Server::start("127.0.0.1", Mode::Redirect(target));
    let output = scratch
        .ggen()
        .args([
            "--registry",
            &redirecting.url,
            "new",
            "proj",
            "--pack",
            "app",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("another origin"),
        "{}",
        stderr(&output)
    );
    assert!(
        elsewhere.requests().is_empty(),
        "{:?}",
        elsewhere.requests()
    );
}

#[test]
fn redirects_within_the_registry_are_followed() {
    let scratch = Scratch::new();
    publish(&scratch, "1.0.0");
    let server = Server::start(
        "127.0.0.1",
        Mode::Serve(scratch.work().join("registry"), vec![String::new()]),
    );
    // `/moved/<file>` answers 301 to `/<file>` on the same server.
    let output = scratch
        .ggen()
        .args([
            "--registry",
            &format!("{}/moved", server.url),
            "new",
            "proj",
            "--pack",
            "app",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let paths: Vec<String> = server.requests().into_iter().map(|(p, _)| p).collect();
    assert!(
        paths.contains(&"/moved/index/app.json".to_string()),
        "{paths:?}"
    );
    assert!(paths.contains(&"/index/app.json".to_string()), "{paths:?}");
}
