//! Typed variables end to end: `--var` values reach templates as real booleans, integers and
//! lists, and a wrong value is refused before anything is written.

mod common;

use common::{Scratch, stderr};

const MANIFEST: &str = "[pack]\nid = \"typed\"\nversion = \"1.0.0\"\ndescription = \"d\"\n\
    [variables.flag]\ntype = \"bool\"\ndefault = false\n\
    [variables.port]\ntype = \"int\"\ndefault = 80\n\
    [variables.features]\ntype = \"list\"\nchoices = [\"auth\", \"log\", \"web\"]\ndefault = []\n";

const TEMPLATE: &str = "flag={% if flag %}on{% else %}off{% endif %}\n\
    next={{ port + 1 }}\n\
    {% for f in features %}feature {{ f }}\n{% endfor %}";

#[test]
fn typed_values_reach_templates_as_real_values() {
    let scratch = Scratch::new();
    let pack = scratch.write_tree(
        "pack",
        &[
            ("gpack.toml", MANIFEST),
            ("templates/out.txt.tmpl", TEMPLATE),
        ],
    );
    scratch
        .ggen()
        .args(["new", "app", "--pack"])
        .arg(&pack)
        .args([
            "--var",
            "flag=no",
            "--var",
            "port=8080",
            "--var",
            "features=auth,web",
        ])
        .assert()
        .success();
    let out = std::fs::read_to_string(scratch.work().join("app/out.txt")).unwrap();
    assert_eq!(out, "flag=off\nnext=8081\nfeature auth\nfeature web\n");
}

#[test]
fn a_wrong_value_names_the_variable_and_writes_nothing() {
    let scratch = Scratch::new();
    let pack = scratch.write_tree(
        "pack",
        &[
            ("gpack.toml", MANIFEST),
            ("templates/out.txt.tmpl", TEMPLATE),
        ],
    );
    let output = scratch
        .ggen()
        .args(["new", "app", "--pack"])
        .arg(&pack)
        .args(["--var", "port=eighty"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(
        text.contains("`port`") && text.contains("an integer"),
        "{text}"
    );
    assert!(!scratch.work().join("app/out.txt").exists());
}

#[test]
fn without_a_terminal_all_missing_variables_are_one_error_with_descriptions() {
    let scratch = Scratch::new();
    let manifest = "[pack]\nid = \"svc\"\nversion = \"1.0.0\"\ndescription = \"d\"\n\
        [variables.owner]\ndescription = \"team that owns the service\"\n\
        [variables.name]\ndescription = \"service name\"\n";
    let pack = scratch.write_tree(
        "pack",
        &[
            ("gpack.toml", manifest),
            ("templates/x.txt.tmpl", "{{ owner }} {{ name }}\n"),
        ],
    );
    let output = scratch
        .ggen()
        .args(["new", "app", "--pack"])
        .arg(&pack)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(
        text.contains("owner — team that owns the service"),
        "{text}"
    );
    assert!(text.contains("name — service name"), "{text}");
    assert!(
        text.contains("--var name=VALUE --var owner=VALUE"),
        "{text}"
    );
    assert!(!scratch.work().join("app/x.txt").exists());
}

#[test]
fn a_var_file_gives_typed_values_and_var_wins_over_it() {
    let scratch = Scratch::new();
    let pack = scratch.write_tree(
        "pack",
        &[
            ("gpack.toml", MANIFEST),
            ("templates/out.txt.tmpl", TEMPLATE),
        ],
    );
    let file = scratch.work().join("answers.toml");
    std::fs::write(&file, "flag = true\nport = 9000\nfeatures = [\"log\"]\n").unwrap();
    scratch
        .ggen()
        .args(["new", "app", "--pack"])
        .arg(&pack)
        .arg("--var-file")
        .arg(&file)
        .args(["--var", "port=1"])
        .assert()
        .success();
    let out = std::fs::read_to_string(scratch.work().join("app/out.txt")).unwrap();
    assert_eq!(out, "flag=on\nnext=2\nfeature log\n");

    std::fs::write(&file, "port = 1.5\n").unwrap();
    let output = scratch
        .ggen()
        .args(["new", "other", "--pack"])
        .arg(&pack)
        .arg("--var-file")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(
        text.contains("answers.toml") && text.contains("`port`"),
        "{text}"
    );
}

#[test]
fn packs_info_on_a_pack_directory_lists_its_variables() {
    let scratch = Scratch::new();
    let manifest = "[pack]\nid = \"svc\"\nversion = \"1.2.0\"\ndescription = \"a service\"\n\
        [variables.db]\ntype = \"choice\"\nchoices = [\"pg\", \"sqlite\"]\ndefault = \"pg\"\n\
        description = \"database\"\n\
        [variables.name]\ndescription = \"service name\"\npattern = \"[a-z]+\"\n";
    let pack = scratch.write_tree("pack", &[("gpack.toml", manifest)]);
    let output = scratch
        .ggen()
        .args(["packs", "info"])
        .arg(&pack)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("svc@1.2.0: a service"), "{text}");
    assert!(text.contains("db (choice)  default \"pg\""), "{text}");
    assert!(text.contains("choices: pg, sqlite"), "{text}");
    assert!(text.contains("name (string)  required"), "{text}");
    assert!(text.contains("pattern: [a-z]+"), "{text}");

    let output = scratch
        .ggen()
        .args(["--json", "packs", "info"])
        .arg(&pack)
        .output()
        .unwrap();
    let json = common::stdout_json(&output);
    let vars = json["variables"].as_array().unwrap();
    assert_eq!(vars[0]["name"], "db");
    assert_eq!(vars[0]["type"], "choice");
    assert_eq!(vars[0]["choices"], serde_json::json!(["pg", "sqlite"]));
    assert_eq!(vars[1]["required"], true);
    assert_eq!(vars[1]["description"], "service name");
}

#[test]
fn ggen_var_environment_variables_give_values_below_var() {
    let scratch = Scratch::new();
    let pack = scratch.write_tree(
        "pack",
        &[
            ("gpack.toml", MANIFEST),
            ("templates/out.txt.tmpl", TEMPLATE),
        ],
    );
    scratch
        .ggen()
        .env("GGEN_VAR_FLAG", "yes")
        .env("GGEN_VAR_port", "41")
        .env("GGEN_VAR_features", "log")
        .args(["new", "app", "--pack"])
        .arg(&pack)
        .args(["--var", "features=web"])
        .assert()
        .success();
    let out = std::fs::read_to_string(scratch.work().join("app/out.txt")).unwrap();
    assert_eq!(out, "flag=on\nnext=42\nfeature web\n");
}

#[test]
fn config_defaults_are_used_before_the_pack_default() {
    let scratch = Scratch::new();
    let pack = scratch.write_tree(
        "pack",
        &[
            ("gpack.toml", MANIFEST),
            ("templates/out.txt.tmpl", TEMPLATE),
        ],
    );
    std::fs::create_dir_all(scratch.home()).unwrap();
    std::fs::write(
        scratch.home().join("config.toml"),
        "[defaults]\nport = 7\nfeatures = [\"auth\"]\n",
    )
    .unwrap();
    scratch
        .ggen()
        .args(["new", "app", "--pack"])
        .arg(&pack)
        .assert()
        .success();
    let out = std::fs::read_to_string(scratch.work().join("app/out.txt")).unwrap();
    assert_eq!(out, "flag=off\nnext=8\nfeature auth\n");
}

#[test]
fn the_lock_records_typed_values_and_old_string_locks_are_migrated() {
    let scratch = Scratch::new();
    let pack = scratch.write_tree(
        "pack",
        &[
            ("gpack.toml", MANIFEST),
            ("templates/out.txt.tmpl", TEMPLATE),
        ],
    );
    scratch
        .ggen()
        .args(["new", "app", "--pack"])
        .arg(&pack)
        .args([
            "--var",
            "flag=yes",
            "--var",
            "port=8080",
            "--var",
            "features=auth,web",
        ])
        .assert()
        .success();
    let lock_path = scratch.work().join("app/ggen.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    for line in [
        "flag = true\n",
        "port = 8080\n",
        "features = [\"auth\", \"web\"]\n",
    ] {
        assert!(lock.contains(line), "{line:?} not in\n{lock}");
    }
    let output = std::fs::read_to_string(scratch.work().join("app/out.txt")).unwrap();

    // A lock written before typed values held strings: it loads, renders the same, and the
    // next command that resolves the pack records the values typed.
    let old = lock
        .replace("flag = true\n", "flag = \"true\"\n")
        .replace("port = 8080\n", "port = \"8080\"\n")
        .replace(
            "features = [\"auth\", \"web\"]\n",
            "features = \"auth,web\"\n",
        );
    assert_ne!(old, lock);
    std::fs::write(&lock_path, &old).unwrap();
    let out = scratch
        .ggen()
        .args(["-C", "app", "packs", "regenerate"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(scratch.work().join("app/out.txt")).unwrap(),
        output
    );
    assert_eq!(std::fs::read_to_string(&lock_path).unwrap(), lock);
}

#[test]
fn packs_info_on_a_registry_pack_lists_its_variables() {
    let scratch = Scratch::new();
    let manifest = "[pack]\nid = \"svc\"\nversion = \"1.2.0\"\ndescription = \"a service\"\n\
        [variables.db]\ntype = \"choice\"\nchoices = [\"pg\", \"sqlite\"]\ndefault = \"pg\"\n\
        description = \"database\"\n\
        [variables.port]\ntype = \"int\"\ndefault = 8080\n\
        [variables.token]\nsecret = true\ndescription = \"API token\"\npattern = \"[a-z0-9]+\"\n";
    scratch.write_tree(
        "svc-src",
        &[("gpack.toml", manifest), ("templates/x.txt", "x\n")],
    );
    scratch
        .ggen()
        .args(["packs", "publish", "svc-src", "--registry", "reg", "--init"])
        .assert()
        .success();
    let output = scratch
        .ggen()
        .args(["--registry", "reg", "packs", "info", "svc"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("variables of 1.2.0:"), "{text}");
    assert!(text.contains("db (choice)  default \"pg\""), "{text}");
    assert!(text.contains("choices: pg, sqlite"), "{text}");
    assert!(text.contains("token (string)  secret  required"), "{text}");
    assert!(text.contains("      API token\n"), "{text}");
    assert!(text.contains("pattern: [a-z0-9]+"), "{text}");

    let output = scratch
        .ggen()
        .args(["--json", "--registry", "reg", "packs", "info", "svc"])
        .output()
        .unwrap();
    let json = common::stdout_json(&output);
    assert_eq!(json["variables_of"], "1.2.0");
    let vars = json["variables"].as_array().unwrap();
    let names: Vec<&str> = vars.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["db", "port", "token"]);
    assert_eq!(vars[0]["choices"], serde_json::json!(["pg", "sqlite"]));
    assert_eq!(vars[1]["type"], "int");
    assert_eq!(vars[1]["default"], 8080);
    assert_eq!(vars[2]["secret"], true);
    assert_eq!(vars[2]["required"], true);
    assert_eq!(vars[2]["pattern"], "[a-z0-9]+");
    assert_eq!(vars[2]["description"], "API token");
}
