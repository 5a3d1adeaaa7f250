//! Secret variables: used for rendering, never written into the project outside the files
//! the templates put them in, never shown in `--json` output or messages; later commands
//! need them again and say how to give them.

mod common;

use common::{Scratch, stderr, whole_tree};

const SECRET: &str = "sk-live-91f3c0de-unique";

const MANIFEST: &str = "[pack]\nid = \"api\"\nversion = \"1.0.0\"\ndescription = \"d\"\n\
    [variables.name]\ndefault = \"demo\"\n\
    [variables.token]\nsecret = true\ndescription = \"API token\"\npattern = \"[a-z0-9-]+\"\n";

/// Runs ggen in `work/`, keeping stdout and stderr in `seen`; the output.
fn run(
    scratch: &Scratch,
    seen: &mut Vec<u8>,
    args: &[&str],
    token: Option<&str>,
) -> std::process::Output {
    let mut command = scratch.ggen();
    command.args(args).env_remove("GGEN_VAR_TOKEN");
    if let Some(token) = token {
        command.env("GGEN_VAR_TOKEN", token);
    }
    let output = command.output().unwrap();
    seen.extend_from_slice(&output.stdout);
    seen.extend_from_slice(&output.stderr);
    output
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn a_secret_reaches_only_the_files_the_templates_put_it_in() {
    let scratch = Scratch::new();
    let pack = scratch.write_tree(
        "pack",
        &[
            ("gpack.toml", MANIFEST),
            ("templates/config.txt.tmpl", "token={{ token }}\n"),
            ("templates/readme.txt.tmpl", "{{ name }}\n"),
        ],
    );
    let mut seen = Vec::new();
    let app = scratch.work().join("app");
    let out = run(
        &scratch,
        &mut seen,
        &[
            "--json",
            "new",
            "app",
            "--pack",
            "./pack",
            "--var",
            &format!("token={SECRET}"),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let config = std::fs::read(app.join("config.txt")).unwrap();
    assert_eq!(config, format!("token={SECRET}\n").as_bytes());

    // A later command without the secret: one error naming it and how to give it.
    let out = run(
        &scratch,
        &mut seen,
        &["-C", "app", "packs", "regenerate"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.contains("token — API token"), "{text}");
    assert!(text.contains("--var token=VALUE"), "{text}");
    assert!(text.contains("GGEN_VAR_"), "{text}");
    // A wrong secret is refused without showing it.
    let wrong = format!("{SECRET} WITH SPACES");
    let out = run(
        &scratch,
        &mut seen,
        &[
            "-C",
            "app",
            "packs",
            "regenerate",
            "--var",
            &format!("token={wrong}"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.contains("`token`") && text.contains("[a-z0-9-]+"),
        "{text}"
    );

    // A new pack version, then update, regenerate, status and history: all with --json.
    std::fs::write(pack.join("gpack.toml"), MANIFEST.replace("1.0.0", "1.1.0")).unwrap();
    std::fs::write(pack.join("templates/readme.txt.tmpl"), "{{ name }} v2\n").unwrap();
    for args in [
        &["--json", "-C", "app", "packs", "update", "api"][..],
        &["--json", "-C", "app", "packs", "regenerate"],
        &["--json", "-C", "app", "status"],
        &["--json", "-C", "app", "history"],
        &["--json", "-C", "app", "packs", "list"],
        &["-C", "app", "packs", "regenerate", "-v"],
    ] {
        let out = run(&scratch, &mut seen, args, Some(SECRET));
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(std::fs::read(app.join("config.txt")).unwrap(), config);
    assert_eq!(
        std::fs::read_to_string(app.join("readme.txt")).unwrap(),
        "demo v2\n"
    );
    let lock = std::fs::read_to_string(app.join("ggen.lock")).unwrap();
    assert!(!lock.contains("token ="), "{lock}");

    assert!(
        !contains(&seen, SECRET),
        "the secret was printed:\n{}",
        String::from_utf8_lossy(&seen)
    );
    // Every file of the project, `.ggen/` included, and of $GGEN_HOME: only copies of the
    // generated file that holds the secret may hold it (the file and its merge-base object).
    // ($GGEN_HOME exists once something was cached there.)
    // The object store is looked at object by object (a pack holds many).
    let store = app.join(".ggen/objects");
    for root in [app.as_path(), scratch.home().as_path()] {
        if !root.exists() {
            continue;
        }
        for (path, bytes) in whole_tree(root) {
            if contains(&bytes, SECRET) && !path.starts_with(&store) {
                assert_eq!(bytes, config, "{} holds the secret", path.display());
            }
        }
    }
    for (hash, bytes) in common::stored_objects(&app) {
        if contains(&bytes, SECRET) {
            assert_eq!(bytes, config, "object {hash} holds the secret");
        }
    }
    assert!(app.join(".ggen/secret-salt").is_file());
}

#[test]
fn a_changed_secret_renders_again_through_the_cache() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "pack",
        &[
            ("gpack.toml", MANIFEST),
            ("templates/config.txt.tmpl", "token={{ token }}\n"),
        ],
    );
    let mut seen = Vec::new();
    let out = run(
        &scratch,
        &mut seen,
        &["new", "app", "--pack", "./pack"],
        Some("first-1"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(
        &scratch,
        &mut seen,
        &["-C", "app", "packs", "regenerate"],
        Some("second-2"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let config = std::fs::read_to_string(scratch.work().join("app/config.txt")).unwrap();
    assert_eq!(config, "token=second-2\n");
}
