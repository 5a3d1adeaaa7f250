//! `ggen new` on the example packs: whole output trees, determinism, recorded state, and
//! generated projects that build.

mod common;

use common::{Scratch, assert_tree, example_pack, stdout_json, tree};

fn normalize_paths(text: String) -> String {
    let packs = example_pack("rust-cli")
        .parent()
        .expect("packs dir")
        .display()
        .to_string();
    text.replace(&packs, "<PACKS>")
}

#[test]
fn rust_cli_example_generates_the_expected_tree() {
    let scratch = Scratch::new();
    scratch
        .ggen()
        .args(["new", "hello"])
        .arg("--pack")
        .arg(example_pack("rust-cli"))
        .args([
            "--var",
            "project_name=hello",
            "--var",
            "description=Says hello",
        ])
        .assert()
        .success();
    assert_tree("rust-cli", &scratch.work().join("hello"), |_, text| {
        normalize_paths(text)
    });
}

#[test]
fn entity_models_example_generates_one_module_per_entity() {
    let scratch = Scratch::new();
    scratch
        .ggen()
        .args(["new", "models", "--pack"])
        .arg(example_pack("entity-models"))
        .assert()
        .success();
    let root = scratch.work().join("models");
    let files = tree(&root);
    assert!(files.contains_key("src/models/user.rs"));
    assert!(files.contains_key("src/models/blog_post.rs"));
    assert_tree("entity-models", &root, |_, text| normalize_paths(text));
}

#[test]
fn generation_is_deterministic() {
    let scratch = Scratch::new();
    for dir in ["one", "two"] {
        scratch
            .ggen()
            .args(["new", dir, "--pack"])
            .arg(example_pack("entity-models"))
            .assert()
            .success();
    }
    let one = tree(&scratch.work().join("one"));
    let two = tree(&scratch.work().join("two"));
    assert_eq!(one, two);
    // The snapshot is identical too, apart from each file's stat (mtime, inode).
    let snapshot = |dir: &str| {
        let bytes =
            std::fs::read(scratch.work().join(dir).join(".ggen/snapshot.json")).expect("snapshot");
        let mut doc: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        // The checksum covers the stats too.
        doc.as_object_mut().expect("snapshot").remove("checksum");
        for file in doc["files"].as_object_mut().expect("files").values_mut() {
            file.as_object_mut().expect("file").remove("stat");
        }
        serde_json::to_string_pretty(&doc).expect("json")
    };
    assert_eq!(snapshot("one"), snapshot("two"));
}

#[test]
fn lock_snapshot_and_objects_record_every_generated_byte() {
    let scratch = Scratch::new();
    let output = scratch
        .ggen()
        .args(["--json", "new", "models", "--pack"])
        .arg(example_pack("entity-models"))
        .args(["--var", "crate_name=shop"])
        .output()
        .expect("run");
    assert!(output.status.success());
    let doc = stdout_json(&output);
    assert_eq!(doc["status"], "ok");
    assert_eq!(doc["exit_code"], 0);

    let root = scratch.work().join("models");
    let lock: toml::Table = std::fs::read_to_string(root.join("ggen.lock"))
        .expect("lock")
        .parse()
        .expect("lock parses");
    let pack = &lock["pack"].as_array().expect("packs")[0];
    assert_eq!(pack["id"].as_str(), Some("entity-models"));
    assert_eq!(pack["variables"]["crate_name"].as_str(), Some("shop"));
    let integrity = pack["integrity"].as_str().expect("integrity");
    assert!(
        integrity.starts_with("sha256-") && integrity.len() == 7 + 64,
        "{integrity}"
    );
    assert!(
        pack["source"]
            .as_str()
            .expect("source")
            .starts_with("path+file://")
    );

    let snapshot: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(".ggen/snapshot.json")).expect("snapshot"))
            .expect("snapshot parses");
    let files = lock["files"].as_table().expect("files");
    assert_eq!(files.len(), 5, "{files:?}");
    let objects = common::stored_objects(&root);
    for (path, entry) in files {
        let content = std::fs::read(root.join(path)).expect("generated file");
        let hash = entry["hash"].as_str().expect("hash");
        assert_eq!(objects.get(hash), Some(&content), "{path}");
        assert_eq!(snapshot["files"][path]["hash"].as_str(), Some(hash));
        assert_eq!(entry["pack"].as_str(), Some("entity-models"));
    }
    let graph = &snapshot["packs"]["entity-models"]["graph"];
    assert!(graph["triples"].as_u64().expect("triples") > 20);
    assert!(graph["sources"]["graph/model.ttl"].is_string());
    let template = &snapshot["packs"]["entity-models"]["templates"]["src/models/entity.rs.tmpl"];
    assert!(
        template["foreach"]
            .as_str()
            .expect("foreach")
            .contains("SELECT")
    );
    assert!(template["sparql"]["fields"].is_string());
    let outputs = template["outputs"].as_object().expect("outputs");
    assert_eq!(outputs.len(), 2);
    assert_eq!(
        outputs["src/models/user.rs"],
        snapshot["files"]["src/models/user.rs"]["hash"]
    );
    assert!(
        template["key"]
            .as_str()
            .expect("key")
            .starts_with("sha256-")
    );
}

/// The examples are meant to be used: their generated projects compile and pass their tests.
#[test]
fn generated_example_projects_build() {
    let scratch = Scratch::new();
    let target =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/examples-build");
    for pack in ["rust-cli", "entity-models"] {
        scratch
            .ggen()
            .args(["new", pack, "--pack"])
            .arg(example_pack(pack))
            .assert()
            .success();
        let status = std::process::Command::new(env!("CARGO"))
            .args(["test", "--quiet"])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(scratch.work().join(pack))
            .status()
            .expect("cargo");
        assert!(
            status.success(),
            "generated {pack} project does not build or pass its tests"
        );
    }
}
