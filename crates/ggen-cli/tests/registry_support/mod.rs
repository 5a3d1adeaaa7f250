//! Test support for registries: packs published with the real binary, and a real HTTP/1.1
//! server on loopback that serves a registry directory and can be told to misbehave
//! (server errors, truncated or altered bodies) for chosen paths.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::common::Scratch;

/// Writes a pack `id@version` under `work/src/<id>-<version>` with one template and the
/// given dependencies, and publishes it into `work/registry` (signed with `sign_key`).
pub fn publish(
    scratch: &Scratch,
    id: &str,
    version: &str,
    deps: &[(&str, &str)],
    sign_key: Option<&str>,
) {
    let dir = format!("src/{id}-{version}");
    let mut manifest = format!(
        "[pack]\nid = \"{id}\"\nversion = \"{version}\"\ndescription = \"the {id} pack\"\n"
    );
    if !deps.is_empty() {
        manifest.push_str("\n[dependencies]\n");
        for (dep, req) in deps {
            manifest.push_str(&format!("{dep} = \"{req}\"\n"));
        }
    }
    let template = format!("{id} {{{{ pack.version }}}}\n");
    scratch.write_tree(
        &dir,
        &[
            ("gpack.toml", manifest.as_str()),
            (&format!("templates/{id}.txt.tmpl"), template.as_str()),
        ],
    );
    let mut cmd = scratch.ggen();
    cmd.args(["packs", "publish", &dir, "--registry", "registry", "--init"]);
    if let Some(key) = sign_key {
        cmd.args(["--sign-key", key]);
    }
    let output = cmd.output().expect("run ggen");
    assert!(
        output.status.success(),
        "publish {id}@{version}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The registry's `index/<id>.json`, parsed.
pub fn pack_index(scratch: &Scratch, id: &str) -> serde_json::Value {
    let path = scratch.work().join(format!("registry/index/{id}.json"));
    serde_json::from_slice(&std::fs::read(path).expect("index")).expect("json")
}

pub fn write_pack_index(scratch: &Scratch, id: &str, index: &serde_json::Value) {
    let path = scratch.work().join(format!("registry/index/{id}.json"));
    std::fs::write(path, serde_json::to_vec_pretty(index).expect("json")).expect("write");
}

/// How the server answers one request for a path instead of serving the file.
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status, with an empty body and an optional `Retry-After`.
    Status(u16, Option<u64>),
    /// The file's headers (with its full length) but only half of its bytes, then close.
    Truncate,
    /// These bytes instead of the file.
    Body(Vec<u8>),
}

type Faults = Arc<Mutex<BTreeMap<String, VecDeque<Fault>>>>;

/// An HTTP/1.1 server on 127.0.0.1 serving `root`, one connection per request.
pub struct Server {
    port: u16,
    faults: Faults,
    log: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn serve(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("address").port();
        let faults: Faults = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (f, l, s) = (faults.clone(), log.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, f, l) = (root.clone(), f.clone(), l.clone());
                std::thread::spawn(move || answer(stream, &root, &f, &l));
            }
        });
        Server {
            port,
            faults,
            log,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Queues `faults` for the next requests of `path` (e.g. `/index/web.json`).
    pub fn fail(&self, path: &str, faults: &[Fault]) {
        let mut all = self.faults.lock().expect("faults");
        all.entry(path.to_string())
            .or_default()
            .extend(faults.iter().cloned());
    }

    /// Paths requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    pub fn count(&self, path: &str) -> usize {
        self.requests().iter().filter(|p| *p == path).count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(mut stream: TcpStream, root: &Path, faults: &Faults, log: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 << 10 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut parts = head.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split('?').next().unwrap_or("/").to_string();
    log.lock().expect("log").push(path.clone());
    let fault = faults
        .lock()
        .expect("faults")
        .get_mut(&path)
        .and_then(VecDeque::pop_front);
    let file = (!path.contains(".."))
        .then(|| std::fs::read(root.join(path.trim_start_matches('/'))).ok())
        .flatten();
    let (status, extra, body, declared) = match (fault, file) {
        (Some(Fault::Status(status, retry_after)), _) => {
            let extra = retry_after
                .map(|s| format!("Retry-After: {s}\r\n"))
                .unwrap_or_default();
            (status, extra, Vec::new(), None)
        }
        (Some(Fault::Truncate), Some(bytes)) => {
            let half = bytes[..bytes.len() / 2].to_vec();
            (200, String::new(), half, Some(bytes.len()))
        }
        (Some(Fault::Body(bytes)), _) => (200, String::new(), bytes, None),
        (_, Some(bytes)) => (200, String::new(), bytes, None),
        (_, None) => (404, String::new(), b"not found".to_vec(), None),
    };
    let length = declared.unwrap_or(body.len());
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Error",
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {length}\r\nConnection: close\r\n{extra}\r\n"
    )
    .into_bytes();
    if method != "HEAD" {
        response.extend_from_slice(&body);
    }
    let _ = stream.write_all(&response);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}
