//! What ggen says: errors that name what to do, findings that are not errors, and counts
//! that agree with `ggen history`.

mod common;

use common::{Scratch, stderr, write_app_pack};

fn run(scratch: &Scratch, args: &[&str]) -> std::process::Output {
    scratch.ggen().args(args).output().unwrap()
}

#[test]
fn packs_update_without_ids_mentions_all() {
    let scratch = Scratch::new();
    let output = run(&scratch, &["packs", "update"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--all"), "{}", stderr(&output));
}

#[test]
fn a_url_as_pack_says_which_sources_work() {
    let scratch = Scratch::new();
    for spec in [
        "https://github.com/acme/rust-web",
        "git@github.com:acme/rust-web.git",
    ] {
        let output = run(&scratch, &["new", "app", "--pack", spec]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let err = stderr(&output);
        assert!(
            err.contains("git and URL sources are not supported yet; use a path or a registry id"),
            "{err}"
        );
        assert!(!err.contains("cannot find pack"), "{err}");
        assert!(!scratch.work().join("app").exists());
    }
}

#[test]
fn a_pack_id_typo_gets_a_did_you_mean() {
    let scratch = Scratch::new();
    write_app_pack(&scratch.work().join("v1"), "1.0.0", &[("a.txt", "a\n")]);
    let project = common::publish_and_create(&scratch, &["v1"], "proj", "app");
    assert!(project.join("a.txt").exists());
    let output = run(
        &scratch,
        &["--registry", "reg", "new", "other", "--pack", "apq@^1"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("pack `apq` is not in registry"), "{err}");
    assert!(err.contains("did you mean `app`?"), "{err}");
}

#[test]
fn check_on_an_edited_project_reports_drift_not_an_error() {
    let scratch = Scratch::new();
    write_app_pack(&scratch.work().join("pack"), "1.0.0", &[("a.txt", "a\n")]);
    run(&scratch, &["new", "proj", "--pack", "./pack"]);
    std::fs::write(scratch.work().join("proj/a.txt"), "edited\n").unwrap();
    let output = run(&scratch, &["-C", "proj", "packs", "check"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("drift: 1 file(s) not as generated"), "{err}");
    assert!(!err.contains("error:"), "{err}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("a.txt"));
}

#[test]
fn files_changed_counts_agree_with_history() {
    let scratch = Scratch::new();
    let files = |v: &str| {
        vec![
            ("a.txt.tmpl", format!("a {{{{ name }}}} {v}\n")),
            ("b.txt", format!("b {v}\n")),
        ]
    };
    write_app_pack(&scratch.work().join("v1"), "1.0.0", &files("1"));
    write_app_pack(&scratch.work().join("v2"), "2.0.0", &files("2"));
    let root = common::publish_and_create(&scratch, &["v1", "v2"], "proj", "app@1.0.0");
    std::fs::write(root.join("a.txt"), "mine\n").unwrap();

    // A dry run names the pack's move before the per-file plan.
    let output = run(
        &scratch,
        &[
            "-C",
            "proj",
            "--registry",
            "reg",
            "packs",
            "update",
            "app",
            "--dry-run",
        ],
    );
    // exit 3: the edited a.txt would conflict under the default strategy.
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let plan = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(plan.starts_with("app 1.0.0 -> 2.0.0\n"), "{plan}");

    // preserve: a.txt is skipped (not written), b.txt updated — one file changed.
    let output = run(
        &scratch,
        &[
            "-C",
            "proj",
            "--registry",
            "reg",
            "packs",
            "update",
            "app",
            "--merge-strategy",
            "preserve",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("app 1.0.0 -> 2.0.0 (1 files changed)"),
        "{err}"
    );
    let history = run(&scratch, &["-C", "proj", "history"]);
    let history = String::from_utf8_lossy(&history.stdout).to_string();
    let last = history.lines().next().unwrap_or_default();
    assert!(last.contains("(1 files changed)"), "{history}");

    // Regenerating with only the skip left: nothing changed, and it says 0.
    let output = run(
        &scratch,
        &[
            "-C",
            "proj",
            "packs",
            "regenerate",
            "--merge-strategy",
            "preserve",
            "--var",
            "name=x",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("app 2.0.0 (0 files changed)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn publish_to_a_mistyped_registry_is_refused_without_init() {
    let scratch = Scratch::new();
    write_app_pack(&scratch.work().join("v1"), "1.0.0", &[("a.txt", "a\n")]);
    write_app_pack(&scratch.work().join("v2"), "2.0.0", &[("a.txt", "b\n")]);
    let output = run(&scratch, &["packs", "publish", "v1", "--registry", "reg"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("--init"), "{}", stderr(&output));
    assert!(!scratch.work().join("reg").exists());

    let output = run(
        &scratch,
        &["packs", "publish", "v1", "--registry", "reg", "--init"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // An existing registry needs no --init; a typo of it is refused and not created.
    let output = run(&scratch, &["packs", "publish", "v2", "--registry", "rge"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("does not exist"),
        "{}",
        stderr(&output)
    );
    assert!(!scratch.work().join("rge").exists());
    let output = run(&scratch, &["packs", "publish", "v2", "--registry", "reg"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn help_lists_global_options_after_the_commands_own() {
    let scratch = Scratch::new();
    let output = run(&scratch, &["packs", "update", "--help"]);
    let help = String::from_utf8_lossy(&output.stdout).to_string();
    let own = help.find("--merge-strategy").expect("own option");
    let heading = help
        .find("Global options:")
        .expect("a Global options heading");
    let global = help.find("-C <DIR>").expect("global option");
    assert!(own < heading && heading < global, "{help}");
}

#[test]
fn diff_and_status_are_coloured_only_when_asked() {
    let scratch = Scratch::new();
    write_app_pack(&scratch.work().join("pack"), "1.0.0", &[("a.txt", "a\n")]);
    run(&scratch, &["new", "proj", "--pack", "./pack"]);
    std::fs::write(scratch.work().join("proj/a.txt"), "edited\n").unwrap();
    for command in [&["diff"][..], &["status"][..]] {
        let plain = run(&scratch, &[&["-C", "proj"][..], command].concat());
        let plain = String::from_utf8_lossy(&plain.stdout).to_string();
        assert!(
            plain.contains("a.txt") && !plain.contains('\u{1b}'),
            "{plain:?}"
        );
        let coloured = run(
            &scratch,
            &[&["-C", "proj", "--color", "always"][..], command].concat(),
        );
        let coloured = String::from_utf8_lossy(&coloured.stdout).to_string();
        assert!(
            coloured.contains("\u{1b}["),
            "{command:?} not coloured: {coloured:?}"
        );
    }
    let coloured = run(&scratch, &["-C", "proj", "--color", "always", "diff"]);
    let coloured = String::from_utf8_lossy(&coloured.stdout).to_string();
    // git's colours: removed lines red, added lines green.
    assert!(coloured.contains("\u{1b}[31m-a"), "{coloured:?}");
    assert!(coloured.contains("\u{1b}[32m+edited"), "{coloured:?}");
}
