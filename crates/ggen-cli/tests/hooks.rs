//! Pack hooks: `post_update` runs after update and regenerate with the same consent as
//! `post_install`, sees `GGEN_OPERATION`, `GGEN_PACK`, `GGEN_VERSION_FROM` and
//! `GGEN_VERSION_TO`, and a skipped hook names the command that runs just the hooks.

mod common;

use std::path::Path;

use common::{Scratch, stderr, write_app_pack};

const HOOKS: &str = "\n[hooks]\n\
post_install = [\"echo \\\"$GGEN_OPERATION $GGEN_PACK $GGEN_VERSION_FROM $GGEN_VERSION_TO\\\" >> hooks.log\"]\n\
post_update = [\"echo \\\"$GGEN_OPERATION $GGEN_PACK $GGEN_VERSION_FROM $GGEN_VERSION_TO\\\" >> hooks.log\"]\n";

/// Pack `app` 1.0.0 and 2.0.0 with hooks that log their environment, published to `reg`.
fn publish(scratch: &Scratch) {
    for (dir, version, body) in [
        ("v1", "1.0.0", "one {{ name }}\n"),
        ("v2", "2.0.0", "two {{ name }}\n"),
    ] {
        let root = scratch.work().join(dir);
        write_app_pack(&root, version, &[("a.txt.tmpl", body)]);
        let manifest = std::fs::read_to_string(root.join("gpack.toml")).unwrap() + HOOKS;
        std::fs::write(root.join("gpack.toml"), manifest).unwrap();
        scratch
            .ggen()
            .args(["packs", "publish", dir, "--registry", "reg", "--init"])
            .assert()
            .success();
    }
}

fn log(root: &Path) -> String {
    std::fs::read_to_string(root.join("hooks.log")).unwrap_or_default()
}

fn ggen(scratch: &Scratch, args: &[&str]) -> std::process::Output {
    scratch
        .ggen()
        .args(["--registry", "reg"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn skipped_install_hooks_name_a_command_that_runs_just_them() {
    let scratch = Scratch::new();
    publish(&scratch);
    let output = ggen(&scratch, &["new", "proj", "--pack", "app@1.0.0"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let root = scratch.work().join("proj");
    assert_eq!(log(&root), "");
    let err = stderr(&output);
    let hint = "ggen -C proj packs hooks run app --allow-hooks";
    assert!(err.contains(hint), "{err}");

    // The hint, as pasted.
    let args: Vec<&str> = hint.split(' ').skip(1).collect();
    let output = ggen(&scratch, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(log(&root), "install app  1.0.0\n");

    // Without consent and without a terminal, nothing runs, and it says so.
    let output = ggen(&scratch, &["-C", "proj", "packs", "hooks", "run", "app"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--allow-hooks"),
        "{}",
        stderr(&output)
    );
    assert_eq!(log(&root), "install app  1.0.0\n");
}

#[test]
fn post_update_runs_after_update_and_regenerate_only_with_consent() {
    let scratch = Scratch::new();
    publish(&scratch);
    let output = ggen(
        &scratch,
        &["new", "proj", "--pack", "app@1.0.0", "--allow-hooks"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let root = scratch.work().join("proj");
    assert_eq!(log(&root), "install app  1.0.0\n");

    // No --allow-hooks: the update is done, its hook reported as skipped with the command.
    let output = ggen(&scratch, &["-C", "proj", "packs", "update", "app"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("post_update hooks not run"), "{err}");
    assert!(
        err.contains("ggen -C proj packs hooks run app --hook post-update --allow-hooks"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("a.txt")).unwrap(),
        "two demo\n"
    );
    assert_eq!(log(&root), "install app  1.0.0\n");

    // A second project, updated with consent.
    let output = ggen(
        &scratch,
        &["new", "two", "--pack", "app@1.0.0", "--allow-hooks"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let two = scratch.work().join("two");
    let output = ggen(
        &scratch,
        &["-C", "two", "packs", "update", "app", "--allow-hooks"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(log(&two), "install app  1.0.0\nupdate app 1.0.0 2.0.0\n");

    // Regenerate with a new variable value runs post_update too.
    let output = ggen(
        &scratch,
        &[
            "-C",
            "two",
            "packs",
            "regenerate",
            "--var",
            "name=x",
            "--allow-hooks",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(two.join("a.txt")).unwrap(),
        "two x\n"
    );
    assert_eq!(
        log(&two),
        "install app  1.0.0\nupdate app 1.0.0 2.0.0\nregenerate app 2.0.0 2.0.0\n"
    );

    // Regenerate with nothing changed runs nothing.
    let output = ggen(
        &scratch,
        &["-C", "two", "packs", "regenerate", "--allow-hooks"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(log(&two).lines().count(), 3);
}
