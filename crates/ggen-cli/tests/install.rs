//! `ggen packs install` into existing directories and from registries, and `packs list`.

mod common;

use common::{Scratch, stderr, stdout_json, tree};

fn small_pack(scratch: &Scratch, dir: &str, id: &str, version: &str) -> std::path::PathBuf {
    let manifest = format!(
        "[pack]\nid = \"{id}\"\nversion = \"{version}\"\ndescription = \"test pack {id}\"\n\n\
         [variables.name]\ndefault = \"demo\"\n"
    );
    scratch.write_tree(
        dir,
        &[
            ("gpack.toml", manifest.as_str()),
            ("templates/README.md.tmpl", "# {{ name }}\n"),
            (
                "templates/src/lib.rs.tmpl",
                "// {{ name }} from {{ pack.id }}@{{ pack.version }}\n",
            ),
        ],
    )
}

#[test]
fn existing_files_are_never_overwritten_without_force() {
    let scratch = Scratch::new();
    small_pack(&scratch, "pack", "small", "1.0.0");
    let project = scratch.write_tree("proj", &[("README.md", "my own readme\n")]);

    let output = scratch
        .ggen()
        .args(["-C", "proj", "--json", "packs", "install", "../pack"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(doc["exit_code"], 3);
    assert_eq!(doc["conflicts"], 1);
    let conflict = doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["action"] == "conflict")
        .expect("a conflict");
    assert_eq!(conflict["path"], "README.md");
    assert_eq!(
        std::fs::read_to_string(project.join("README.md")).unwrap(),
        "my own readme\n"
    );
    assert_eq!(
        std::fs::read_to_string(project.join("src/lib.rs")).unwrap(),
        "// demo from small@1.0.0\n"
    );

    // Human output names the collision too.
    let again = Scratch::new();
    small_pack(&again, "pack", "small", "1.0.0");
    again.write_tree("proj", &[("README.md", "mine\n")]);
    let output = again
        .ggen()
        .args(["-C", "proj", "packs", "install", "../pack"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("README.md"), "{}", stderr(&output));

    // --force reinstalls and overwrites.
    scratch
        .ggen()
        .args(["-C", "proj", "packs", "install", "../pack", "--force"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(project.join("README.md")).unwrap(),
        "# demo\n"
    );
}

#[test]
fn an_identical_existing_file_is_adopted_not_a_conflict() {
    let scratch = Scratch::new();
    small_pack(&scratch, "pack", "small", "1.0.0");
    scratch.write_tree("proj", &[("README.md", "# demo\n")]);
    scratch
        .ggen()
        .args(["-C", "proj", "packs", "install", "../pack"])
        .assert()
        .success();
    let lock = std::fs::read_to_string(scratch.work().join("proj/ggen.lock")).unwrap();
    assert!(lock.contains("[files.\"README.md\"]"), "{lock}");
}

#[test]
fn installing_an_installed_pack_again_is_refused_with_a_hint() {
    let scratch = Scratch::new();
    small_pack(&scratch, "pack", "small", "1.0.0");
    scratch.write_tree("proj", &[]);
    std::fs::create_dir_all(scratch.work().join("proj")).unwrap();
    scratch
        .ggen()
        .args(["-C", "proj", "packs", "install", "../pack"])
        .assert()
        .success();
    let output = scratch
        .ggen()
        .args(["-C", "proj", "packs", "install", "../pack"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("already installed") && err.contains("hint:"),
        "{err}"
    );
}

#[test]
fn dry_run_writes_nothing() {
    let scratch = Scratch::new();
    small_pack(&scratch, "pack", "small", "1.0.0");
    std::fs::create_dir_all(scratch.work().join("proj")).unwrap();
    let output = scratch
        .ggen()
        .args(["-C", "proj", "packs", "install", "../pack", "--dry-run"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let plan = String::from_utf8_lossy(&output.stdout);
    assert!(
        plan.contains("create") && plan.contains("src/lib.rs"),
        "{plan}"
    );
    assert!(tree(&scratch.work().join("proj")).is_empty());
    assert!(!scratch.work().join("proj/.ggen").exists());
}

#[test]
fn publish_then_install_by_id_from_the_registry() {
    let scratch = Scratch::new();
    small_pack(&scratch, "v1", "small", "1.0.0");
    small_pack(&scratch, "v11", "small", "1.1.0");
    small_pack(&scratch, "v2", "small", "2.0.0");
    for dir in ["v1", "v11", "v2"] {
        scratch
            .ggen()
            .args(["packs", "publish", dir, "--registry", "registry", "--init"])
            .assert()
            .success();
    }
    let output = scratch
        .ggen()
        .args([
            "--registry",
            "registry",
            "--json",
            "new",
            "proj",
            "--pack",
            "small@^1",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(doc["packs"][0]["version"], "1.1.0");
    let lock = std::fs::read_to_string(scratch.work().join("proj/ggen.lock")).unwrap();
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(scratch.work().join("registry/index/small.json")).unwrap(),
    )
    .unwrap();
    let sha = index["versions"][1]["sha256"].as_str().unwrap();
    assert!(
        lock.contains(&format!("integrity = \"sha256-{sha}\"")),
        "{lock}"
    );
    assert!(lock.contains("source = \"registry+file://"), "{lock}");

    // GGEN_REGISTRY works as well as --registry, and the newest version is the default.
    scratch
        .ggen()
        .env("GGEN_REGISTRY", scratch.work().join("registry"))
        .args(["new", "proj2", "--pack", "small"])
        .assert()
        .success();
    let lock = std::fs::read_to_string(scratch.work().join("proj2/ggen.lock")).unwrap();
    assert!(lock.contains("version = \"2.0.0\""), "{lock}");

    let output = scratch
        .ggen()
        .args([
            "--registry",
            "registry",
            "--json",
            "packs",
            "list",
            "--available",
        ])
        .output()
        .unwrap();
    let doc = stdout_json(&output);
    assert_eq!(doc["packs"][0]["id"], "small");
    assert_eq!(doc["packs"][0]["newest"], "2.0.0");

    let output = scratch
        .ggen()
        .args(["-C", "proj", "packs", "list"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("small 1.1.0 (2 files)"), "{text}");
}

#[test]
fn unknown_registry_pack_and_unmatched_requirement_are_clear_errors() {
    let scratch = Scratch::new();
    small_pack(&scratch, "v1", "small", "1.0.0");
    scratch
        .ggen()
        .args(["packs", "publish", "v1", "--registry", "registry", "--init"])
        .assert()
        .success();
    let output = scratch
        .ggen()
        .args(["--registry", "registry", "new", "p", "--pack", "nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("`nope`"), "{}", stderr(&output));
    let output = scratch
        .ggen()
        .args(["--registry", "registry", "new", "p", "--pack", "small@^3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("^3") && err.contains("1.0.0"), "{err}");
    assert!(!scratch.work().join("p").exists());

    let output = scratch
        .ggen()
        .args(["new", "p", "--pack", "small"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--registry"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn dependencies_are_installed_first_and_recorded() {
    let scratch = Scratch::new();
    small_pack(&scratch, "base", "base", "1.2.0");
    scratch.write_tree(
        "app",
        &[
            (
                "gpack.toml",
                "[pack]\nid = \"app\"\nversion = \"0.1.0\"\ndescription = \"app\"\n\n[dependencies]\nbase = \"^1.0\"\n",
            ),
            ("templates/app.txt", "app\n"),
        ],
    );
    scratch
        .ggen()
        .args([
            "packs",
            "publish",
            "base",
            "--registry",
            "registry",
            "--init",
        ])
        .assert()
        .success();
    let output = scratch
        .ggen()
        .args([
            "--registry",
            "registry",
            "--json",
            "new",
            "proj",
            "--pack",
            "./app",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let doc = stdout_json(&output);
    assert_eq!(doc["packs"][0]["id"], "base");
    assert_eq!(doc["packs"][0]["requested"], false);
    assert_eq!(doc["packs"][1]["id"], "app");
    let lock = std::fs::read_to_string(scratch.work().join("proj/ggen.lock")).unwrap();
    assert!(lock.contains("dependencies = [\"base@1.2.0\"]"), "{lock}");
    assert!(scratch.work().join("proj/README.md").exists());
}

#[test]
fn hooks_run_only_with_consent() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "pack",
        &[
            (
                "gpack.toml",
                "[pack]\nid = \"hooked\"\nversion = \"1.0.0\"\ndescription = \"h\"\n\n[hooks]\npost_install = [\"echo ran > hook-ran.txt\"]\n",
            ),
            ("templates/a.txt", "a\n"),
        ],
    );
    let output = scratch
        .ggen()
        .args(["new", "one", "--pack", "./pack"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!scratch.work().join("one/hook-ran.txt").exists());
    assert!(
        stderr(&output).contains("--allow-hooks"),
        "{}",
        stderr(&output)
    );

    scratch
        .ggen()
        .args(["new", "two", "--pack", "./pack", "--allow-hooks"])
        .assert()
        .success();
    assert!(scratch.work().join("two/hook-ran.txt").exists());
}
