//! Hostile trees: a generated directory the user replaced by a symbolic link to elsewhere, a
//! `.ggen` that is a link, a registry whose `packs/<id>` is a link, packs writing into `.git`,
//! and a repository whose config names commands. Nothing outside the project may change and
//! ggen's own git calls run none of the repository's commands.

mod common;

use std::path::{Path, PathBuf};

use common::{Scratch, copy_dir, stderr, tree, write_app_pack};

const V1: &[(&str, &str)] = &[
    ("dir/a.txt", "a1\n"),
    ("dir/b.txt", "b1\n"),
    ("top.txt", "t1\n"),
];
const V2: &[(&str, &str)] = &[
    ("dir/a.txt", "a2\n"),
    ("dir/c.txt", "c2\n"),
    ("top.txt", "t2\n"),
];

/// Creates `proj` from v1 (v2 published too); returns the project root.
fn project(scratch: &Scratch) -> PathBuf {
    write_app_pack(&scratch.work().join("v1"), "1.0.0", V1);
    write_app_pack(&scratch.work().join("v2"), "2.0.0", V2);
    common::publish_and_create(scratch, &["v1", "v2"], "proj", "app@1.0.0")
}

/// Moves `proj/dir` to `work/outside` and puts a symbolic link to it in its place; returns
/// the outside directory, holding exactly what `dir` held plus a file of the user's.
fn link_dir_outside(scratch: &Scratch, root: &Path) -> PathBuf {
    let outside = scratch.work().join("outside");
    copy_dir(&root.join("dir"), &outside);
    std::fs::write(outside.join("mine.txt"), "the user's own\n").unwrap();
    std::fs::remove_dir_all(root.join("dir")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("dir")).unwrap();
    outside
}

fn run(scratch: &Scratch, args: &[&str]) -> std::process::Output {
    scratch
        .ggen()
        .args(["-C", "proj"])
        .args(args)
        .output()
        .unwrap()
}

/// Runs `args` with `dir` linked outside and checks the outside tree is byte for byte what
/// it was; a refusal must say why.
fn assert_outside_untouched(scratch: &Scratch, outside: &Path, args: &[&str]) {
    let before = tree(outside);
    let output = run(scratch, args);
    assert_eq!(
        tree(outside),
        before,
        "ggen {args:?} changed the directory outside the project: {}",
        stderr(&output)
    );
    if !output.status.success() {
        assert!(
            stderr(&output).contains("symbolic link"),
            "ggen {args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn update_does_not_write_through_a_linked_directory() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    let outside = link_dir_outside(&scratch, &root);
    assert_outside_untouched(&scratch, &outside, &["packs", "update", "app"]);
}

#[test]
fn update_restore_does_not_write_through_a_linked_directory() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    let outside = link_dir_outside(&scratch, &root);
    std::fs::remove_file(outside.join("b.txt")).unwrap();
    assert_outside_untouched(&scratch, &outside, &["packs", "update", "app", "--restore"]);
}

#[test]
fn regenerate_does_not_write_through_a_linked_directory() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    let outside = link_dir_outside(&scratch, &root);
    std::fs::remove_file(outside.join("b.txt")).unwrap();
    assert_outside_untouched(&scratch, &outside, &["packs", "regenerate", "--restore"]);
}

#[test]
fn uninstall_does_not_delete_through_a_linked_directory() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    let outside = link_dir_outside(&scratch, &root);
    assert_outside_untouched(&scratch, &outside, &["packs", "uninstall", "app"]);
}

#[test]
fn rollback_does_not_write_through_a_linked_directory() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    let output = run(&scratch, &["packs", "update", "app"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let outside = link_dir_outside(&scratch, &root);
    assert_outside_untouched(&scratch, &outside, &["rollback"]);
}

#[test]
fn a_linked_ggen_directory_is_refused() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    let outside = scratch.work().join("state-elsewhere");
    copy_dir(&root.join(".ggen"), &outside);
    std::fs::remove_dir_all(root.join(".ggen")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join(".ggen")).unwrap();
    let before = tree(&outside);
    let output = run(&scratch, &["packs", "update", "app"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(".ggen is a symbolic link"),
        "{}",
        stderr(&output)
    );
    assert_eq!(tree(&outside), before);
    assert_eq!(
        std::fs::read_to_string(root.join("top.txt")).unwrap(),
        "t1\n"
    );
}

#[test]
fn resolve_of_a_path_outside_the_project_changes_nothing() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    std::fs::write(scratch.work().join("victim.txt"), "mine\n").unwrap();
    let output = run(&scratch, &["resolve", "../victim.txt", "--theirs"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(scratch.work().join("victim.txt")).unwrap(),
        "mine\n"
    );
    assert!(root.join("ggen.lock").exists());
}

#[test]
fn publish_does_not_write_through_a_linked_pack_directory() {
    let scratch = Scratch::new();
    project(&scratch);
    let outside = scratch.work().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("keep"), "k\n").unwrap();
    let packs = scratch.work().join("reg/packs/app");
    std::fs::remove_dir_all(&packs).unwrap();
    std::os::unix::fs::symlink(&outside, &packs).unwrap();
    write_app_pack(&scratch.work().join("v3"), "3.0.0", V2);
    let output = scratch
        .ggen()
        .args(["packs", "publish", "v3", "--registry", "reg", "--init"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("symbolic link"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        1,
        "the archive went outside the registry"
    );
}

#[test]
fn merge_file_writes_through_a_linked_current_like_git() {
    let scratch = Scratch::new();
    let dir = scratch.write_tree(
        "m",
        &[
            ("real", "a\nb\nc\nd\n"),
            ("base", "a\nb\nc\n"),
            ("other", "a\nB\nc\n"),
        ],
    );
    std::os::unix::fs::symlink("real", dir.join("cur")).unwrap();
    scratch
        .ggen()
        .current_dir(&dir)
        .args(["merge-file", "cur", "base", "other"])
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(dir.join("cur"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("real")).unwrap(),
        "a\nB\nc\nd\n"
    );
}

#[test]
fn outputs_into_git_directories_are_refused_naming_the_template() {
    for (name, template) in [
        (
            "plain",
            vec![(".git/config", "[core]\n\tfsmonitor = touch /tmp/x\n")],
        ),
        (
            "nested-any-case",
            vec![("sub/.GIT/hooks/pre-commit", "#!/bin/sh\n")],
        ),
        (
            "via-to",
            vec![("cfg.tmpl", "---\nto: \".Git/config\"\n---\n[core]\n")],
        ),
        (
            "templated",
            vec![(
                "cfg.tmpl",
                "---\nto: \"{{ '.gi' ~ 'T' }}/config\"\n---\n[core]\n",
            )],
        ),
    ] {
        let scratch = Scratch::new();
        let pack = scratch.work().join("pack");
        write_app_pack(&pack, "1.0.0", &template);
        let output = scratch
            .ggen()
            .args(["new", "proj", "--pack"])
            .arg(&pack)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains("git's own directory"), "{name}: {err}");
        assert!(
            err.contains(template[0].0),
            "{name}: the template is not named: {err}"
        );
        let root = scratch.work().join("proj");
        assert!(
            !root.join(".git").exists() && !root.join("sub").exists(),
            "{name}"
        );
    }
}

#[test]
fn ggen_runs_no_command_from_the_repository_git_config() {
    let scratch = Scratch::new();
    write_app_pack(
        &scratch.work().join("v1"),
        "1.0.0",
        &[(
            "lib.rs",
            "// @ggen:generated-start id=a\n1\n// @ggen:generated-end\n",
        )],
    );
    write_app_pack(
        &scratch.work().join("v2"),
        "2.0.0",
        &[(
            "lib.rs",
            "// @ggen:generated-start id=a\n2\n// @ggen:generated-end\n",
        )],
    );
    let root = common::publish_and_create(&scratch, &["v1", "v2"], "proj", "app@1.0.0");
    let git = |args: &[&str]| {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args([
                "-c",
                "core.fsmonitor=false",
                "-c",
                "core.hooksPath=/dev/null",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "generated"]);
    let marker = scratch.work().join("ran");
    let hook = scratch.work().join("hook.sh");
    std::fs::write(&hook, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&hook).unwrap().permissions(),
        0o755,
    );
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    git(&["config", "core.fsmonitor", hook.to_str().unwrap()]);
    git(&["config", "core.hooksPath", scratch.work().to_str().unwrap()]);
    std::fs::write(
        root.join("lib.rs"),
        "// @ggen:generated-start id=a\nmine\n// @ggen:generated-end\n",
    )
    .unwrap();
    let output = run(&scratch, &["packs", "update", "app"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let status = git(&["status", "--porcelain", "--", "lib.rs"]);
    assert!(status.starts_with("UU lib.rs"), "{status}");
    let output = run(&scratch, &["resolve", "lib.rs", "--theirs"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        !marker.exists(),
        "ggen's git calls ran the fsmonitor command of .git/config"
    );
}

/// SPEC §2: protected and manual-edit regions belong to the user under every command.
/// `resolve --theirs` takes the pack's side of the conflict, not the pack's whole file.
#[test]
fn resolve_theirs_keeps_protected_and_manual_regions_and_the_users_other_lines() {
    let scratch = Scratch::new();
    let file = |generated: &str, protected: &str, manual: &str| {
        format!(
            "// @ggen:generated-start id=a\n{generated}\n// @ggen:generated-end\n\
             // @ggen:protected id=p\n{protected}\n// @ggen:protected-end\n\
             // @ggen:manual-edit id=m\n{manual}\n// @ggen:manual-edit-end\n"
        )
    };
    write_app_pack(
        &scratch.work().join("v1"),
        "1.0.0",
        &[("lib.rs", &file("1", "secret v1", "manual v1"))],
    );
    write_app_pack(
        &scratch.work().join("v2"),
        "2.0.0",
        &[("lib.rs", &file("2", "secret v2", "manual v2"))],
    );
    let root = common::publish_and_create(&scratch, &["v1", "v2"], "proj", "app@1.0.0");
    let mine = format!(
        "{}// the user's own line\n",
        file("mine", "my secret", "my code")
    );
    std::fs::write(root.join("lib.rs"), &mine).unwrap();
    let output = run(&scratch, &["packs", "update", "app"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let output = run(&scratch, &["resolve", "lib.rs", "--theirs"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(root.join("lib.rs")).unwrap(),
        format!(
            "{}// the user's own line\n",
            file("2", "my secret", "my code")
        )
    );
}

/// SPEC §2 under `packs install --force` (issue 19, item 4): overwriting a file the user
/// already had keeps its protected and manual-edit regions; a file whose user regions have
/// no place in the pack's version is kept as a conflict, and `resolve --theirs` will not drop
/// them either.
#[test]
fn install_force_keeps_protected_and_manual_regions_of_existing_files() {
    let scratch = Scratch::new();
    let file = |generated: &str, protected: &str, manual: &str| {
        format!(
            "// @ggen:generated-start id=a\n{generated}\n// @ggen:generated-end\n\
             // @ggen:protected id=p\n{protected}\n// @ggen:protected-end\n\
             // @ggen:manual-edit id=m\n{manual}\n// @ggen:manual-edit-end\n"
        )
    };
    write_app_pack(
        &scratch.work().join("pack"),
        "1.0.0",
        &[
            ("lib.rs", file("pack", "pack secret", "pack code")),
            (
                "other.rs",
                "// @ggen:generated-start\npack\n// @ggen:generated-end\n".into(),
            ),
        ],
    );
    let root = scratch.work().join("proj");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("lib.rs"),
        file("mine", "my secret", "my code") + "// my own line\n",
    )
    .unwrap();
    let other = "// @ggen:protected id=keys\nKEY=mine\n// @ggen:protected-end\n";
    std::fs::write(root.join("other.rs"), other).unwrap();

    let output = run(&scratch, &["packs", "install", "../pack", "--force"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert_eq!(
        std::fs::read_to_string(root.join("lib.rs")).unwrap(),
        file("pack", "my secret", "my code"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("other.rs")).unwrap(),
        other
    );
    assert!(
        err.contains("other.rs") && err.contains("protected region id=keys"),
        "{err}"
    );

    // The pack's side of that conflict would drop the protected region: refused.
    let output = run(&scratch, &["resolve", "other.rs", "--theirs"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("protected region id=keys") && err.contains("hint:"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("other.rs")).unwrap(),
        other
    );

    // Reinstalling with --force over the user's edits keeps them too.
    let edited = file("pack", "edited secret", "edited code");
    std::fs::write(root.join("lib.rs"), &edited).unwrap();
    let output = run(&scratch, &["packs", "install", "../pack", "--force"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(root.join("lib.rs")).unwrap(),
        edited
    );
}

/// Issue 19, item 9: an update whose write is refused midway (permission denied: `dir` leads
/// out of the project; the tests run as root, where chmod cannot make a write fail) is
/// undone and leaves no object of its own and no temporary file behind.
#[test]
fn a_write_refused_mid_update_leaves_no_new_objects_behind() {
    let scratch = Scratch::new();
    let root = project(&scratch);
    link_dir_outside(&scratch, &root);
    let objects = || -> Vec<PathBuf> {
        common::whole_tree(&root.join(".ggen/objects"))
            .into_iter()
            .map(|(path, _)| path)
            .collect()
    };
    let (files, stored) = (tree(&root), objects());
    let output = run(&scratch, &["packs", "update", "app"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(tree(&root), files, "the update was not undone");
    assert_eq!(objects(), stored, "the undone update left objects: {err}");
    let temporary: Vec<_> = common::whole_tree(&root)
        .into_iter()
        .filter(|(p, _)| p.to_string_lossy().contains(".ggen-tmp-"))
        .collect();
    assert!(temporary.is_empty(), "{temporary:?}");
}
