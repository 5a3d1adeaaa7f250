//! Registries over HTTP, against a real server on loopback: installing with dependencies,
//! retries, refused downloads, the cache and `--offline`.

mod common;
mod registry_support;

use std::time::{Duration, SystemTime};

use common::{Scratch, stderr, stdout_json};
use registry_support::{Fault, Server, pack_index, publish};

/// A registry with base 1.0.0, 1.2.0, 2.0.0 and app 0.1.0 (base ^1), served over HTTP.
fn served() -> (Scratch, Server) {
    let scratch = Scratch::new();
    for version in ["1.0.0", "1.2.0", "2.0.0"] {
        publish(&scratch, "base", version, &[], None);
    }
    publish(&scratch, "app", "0.1.0", &[("base", "^1")], None);
    let server = Server::serve(scratch.work().join("registry"));
    (scratch, server)
}

fn ggen(scratch: &Scratch) -> assert_cmd::Command {
    let mut cmd = scratch.ggen();
    cmd.env("GGEN_RETRY_BASE_MS", "1");
    cmd
}

fn archive_path(id: &str, version: &str) -> String {
    format!("/packs/{id}/{id}-{version}.tar.gz")
}

#[test]
fn installs_from_http_with_dependencies_first() {
    let (scratch, server) = served();
    let output = ggen(&scratch)
        .args([
            "--registry",
            &server.url(),
            "--json",
            "new",
            "proj",
            "--pack",
            "app",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let doc = stdout_json(&output);
    let packs: Vec<(String, String, bool)> = doc["packs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let field = |k: &str| p[k].as_str().unwrap_or("").to_string();
            (field("id"), field("version"), p["requested"] == true)
        })
        .collect();
    assert_eq!(
        packs,
        [
            ("base".into(), "1.2.0".into(), false),
            ("app".into(), "0.1.0".into(), true)
        ]
    );
    let lock = std::fs::read_to_string(scratch.work().join("proj/ggen.lock")).unwrap();
    assert!(
        lock.contains(&format!("source = \"registry+{}\"", server.url())),
        "{lock}"
    );
    assert!(lock.contains("dependencies = [\"base@1.2.0\"]"), "{lock}");
    assert_eq!(
        std::fs::read_to_string(scratch.work().join("proj/base.txt")).unwrap(),
        "base 1.2.0\n"
    );
    assert_eq!(server.count(&archive_path("base", "1.2.0")), 1);
}

#[test]
fn server_errors_are_retried_and_retry_after_honoured() {
    let (scratch, server) = served();
    server.fail(
        "/index/app.json",
        &[Fault::Status(503, None), Fault::Status(502, None)],
    );
    server.fail(
        &archive_path("app", "0.1.0"),
        &[Fault::Status(429, Some(1))],
    );
    let started = std::time::Instant::now();
    let output = ggen(&scratch)
        .args(["--registry", &server.url(), "new", "proj", "--pack", "app"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not waited for"
    );
    assert_eq!(server.count("/index/app.json"), 3);
    assert_eq!(server.count(&archive_path("app", "0.1.0")), 2);
    assert!(stderr(&output).contains("retrying"), "{}", stderr(&output));
    assert!(scratch.work().join("proj/app.txt").exists());
}

#[test]
fn a_server_that_keeps_failing_is_an_error_naming_the_url() {
    let (scratch, server) = served();
    server.fail("/index/app.json", &vec![Fault::Status(503, None); 5]);
    let output = ggen(&scratch)
        .args(["--registry", &server.url(), "new", "proj", "--pack", "app"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    let url = format!("{}/index/app.json", server.url());
    assert!(err.contains(&url) && err.contains("503"), "{err}");
    assert!(
        err.contains("gave up after 5 attempts") && err.contains("hint:"),
        "{err}"
    );
    assert!(!scratch.work().join("proj").exists());
}

#[test]
fn an_altered_download_is_refused_and_nothing_is_written() {
    let (scratch, server) = served();
    let archive = archive_path("base", "1.2.0");
    let mut altered = std::fs::read(scratch.work().join(format!("registry{archive}"))).unwrap();
    let last = altered.len() - 1;
    altered[last] ^= 0xff;
    server.fail(&archive, &[Fault::Body(altered)]);
    let output = ggen(&scratch)
        .args(["--registry", &server.url(), "new", "proj", "--pack", "app"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("sha256") && err.contains("base@1.2.0"),
        "{err}"
    );
    assert!(!scratch.work().join("proj").exists());
    assert!(!cached_archive(&scratch.home(), &base_sha(&scratch)));
}

/// The sha256 the index records for base 1.2.0.
fn base_sha(scratch: &Scratch) -> String {
    let index = pack_index(scratch, "base");
    index["versions"][1]["sha256"].as_str().unwrap().to_string()
}

fn cached_archive(home: &std::path::Path, sha: &str) -> bool {
    home.join(format!("cache/archives/sha256-{sha}.tar.gz"))
        .exists()
}

#[test]
fn a_truncated_download_is_retried_and_refused_when_it_persists() {
    let (scratch, server) = served();
    let archive = archive_path("base", "1.2.0");
    server.fail(&archive, &[Fault::Truncate]);
    ggen(&scratch)
        .args(["--registry", &server.url(), "new", "once", "--pack", "app"])
        .assert()
        .success();
    assert_eq!(server.count(&archive), 2);

    // A fresh cache, and a server that truncates every time.
    let home = scratch.dir.path().join("home2");
    server.fail(&archive, &vec![Fault::Truncate; 5]);
    let output = ggen(&scratch)
        .env("GGEN_HOME", &home)
        .args([
            "--registry",
            &server.url(),
            "new",
            "always",
            "--pack",
            "app",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains(&format!("{}{archive}", server.url())), "{err}");
    assert!(!scratch.work().join("always").exists());
    assert!(!cached_archive(&home, &base_sha(&scratch)));
    assert!(cached_archive(&scratch.home(), &base_sha(&scratch)));
}

#[test]
fn offline_uses_the_cache_after_an_online_install() {
    let (scratch, server) = served();
    ggen(&scratch)
        .args([
            "--registry",
            &server.url(),
            "new",
            "online",
            "--pack",
            "app",
        ])
        .assert()
        .success();
    let before = server.requests().len();
    let output = ggen(&scratch)
        .args([
            "--registry",
            &server.url(),
            "--offline",
            "--json",
            "new",
            "offline",
            "--pack",
            "app@^0.1",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        server.requests().len(),
        before,
        "offline must not reach the server"
    );
    assert_eq!(
        std::fs::read(scratch.work().join("online/base.txt")).unwrap(),
        std::fs::read(scratch.work().join("offline/base.txt")).unwrap()
    );
    assert!(
        !stderr(&output).contains("out of date"),
        "{}",
        stderr(&output)
    );

    // A pack that was never fetched is not there offline.
    let output = ggen(&scratch)
        .args([
            "--registry",
            &server.url(),
            "--offline",
            "new",
            "other",
            "--pack",
            "base@^2",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("offline") && err.contains("archive base@2.0.0"),
        "{err}"
    );
    assert!(err.contains("without `--offline`"), "{err}");
    let output = ggen(&scratch)
        .args([
            "--registry",
            &server.url(),
            "--offline",
            "new",
            "other",
            "--pack",
            "nothere",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("the index of pack `nothere`"),
        "{}",
        stderr(&output)
    );
    assert!(!scratch.work().join("other").exists());

    // A cached index older than a week is used offline, with a warning.
    let week_ago = SystemTime::now() - Duration::from_secs(8 * 24 * 3600);
    age_files(&scratch.home().join("cache/index"), week_ago);
    let output = ggen(&scratch)
        .args([
            "--registry",
            &server.url(),
            "--offline",
            "new",
            "stale",
            "--pack",
            "app",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("warning:") && err.contains("8 days ago"),
        "{err}"
    );
}

fn age_files(dir: &std::path::Path, when: SystemTime) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            age_files(&path, when);
        } else {
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(when).unwrap();
        }
    }
}
