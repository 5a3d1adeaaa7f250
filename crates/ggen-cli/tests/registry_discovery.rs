//! Finding packs in a registry: `ggen search`, `ggen packs info`, `ggen packs list
//! --available`, over a directory and over HTTP.

mod common;
mod registry_support;

use common::{Scratch, stderr, stdout_json};
use registry_support::{Server, publish};

fn registry() -> Scratch {
    let scratch = Scratch::new();
    publish(&scratch, "web-base", "1.0.0", &[], None);
    publish(&scratch, "rust-web", "1.0.0", &[("web-base", "^1")], None);
    publish(&scratch, "rust-web", "1.1.0", &[("web-base", "^1.0")], None);
    publish(&scratch, "rust-cli", "0.4.0", &[], None);
    scratch
        .ggen()
        .args(["packs", "yank", "rust-web@1.1.0", "--registry", "registry"])
        .assert()
        .success();
    scratch
}

fn run(scratch: &Scratch, registry: &str, args: &[&str]) -> std::process::Output {
    let output = scratch
        .ggen()
        .args(["--registry", registry])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    output
}

#[test]
fn search_matches_ids_and_descriptions_over_http_and_directories() {
    let scratch = registry();
    let server = Server::serve(scratch.work().join("registry"));
    for location in [server.url(), "registry".to_string()] {
        let doc = stdout_json(&run(&scratch, &location, &["--json", "search", "web"]));
        let ids: Vec<&str> = doc["packs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["rust-web", "web-base"], "{location}");
        // Every word must match; descriptions count.
        let doc = stdout_json(&run(
            &scratch,
            &location,
            &["--json", "search", "the", "CLI"],
        ));
        assert_eq!(doc["packs"][0]["id"], "rust-cli");
        assert_eq!(doc["packs"].as_array().unwrap().len(), 1);
    }
    let output = run(&scratch, &server.url(), &["search", "python"]);
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("no pack"), "{}", stderr(&output));
}

#[test]
fn info_shows_versions_dependencies_yanked_and_signatures() {
    let scratch = registry();
    let server = Server::serve(scratch.work().join("registry"));
    let doc = stdout_json(&run(
        &scratch,
        &server.url(),
        &["--json", "packs", "info", "rust-web"],
    ));
    assert_eq!(doc["newest"], "1.0.0");
    assert_eq!(doc["versions"][1]["version"], "1.1.0");
    assert_eq!(doc["versions"][1]["yanked"], true);
    assert_eq!(doc["versions"][0]["dependencies"]["web-base"], "^1");
    assert_eq!(doc["versions"][0]["signature"]["status"], "unsigned");
    let text =
        String::from_utf8_lossy(&run(&scratch, "registry", &["packs", "info", "rust-web"]).stdout)
            .into_owned();
    assert!(text.contains("1.1.0 (yanked)"), "{text}");
    assert!(text.contains("depends on web-base ^1"), "{text}");

    let output = scratch
        .ggen()
        .args(["--registry", &server.url(), "packs", "info", "nothing"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("`nothing` is not in registry"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn list_available_works_over_http() {
    let scratch = registry();
    let server = Server::serve(scratch.work().join("registry"));
    let doc = stdout_json(&run(
        &scratch,
        &server.url(),
        &["--json", "packs", "list", "--available"],
    ));
    let packs: Vec<(String, String)> = doc["packs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["newest"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        packs,
        [
            ("rust-cli".to_string(), "0.4.0".to_string()),
            ("rust-web".to_string(), "1.0.0".to_string()),
            ("web-base".to_string(), "1.0.0".to_string())
        ]
    );
    assert_eq!(doc["registry"], server.url());

    // A URL with no registry behind it is a clear error.
    let output = scratch
        .ggen()
        .args([
            "--registry",
            &format!("{}/nothing-here", server.url()),
            "packs",
            "list",
            "--available",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("nothing-here"),
        "{}",
        stderr(&output)
    );
}
