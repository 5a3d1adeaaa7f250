//! Hostile inputs: FIFOs, devices and oversized files given where ggen expects a file, from
//! the command line, a pack or a directory registry. Each must end quickly with exit 1 and an
//! error naming the file, never hang or exhaust memory. The harness kills a run after 30 s.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Scratch, stderr};

/// Far more than any of these runs needs; a hang fails the test instead of the suite.
const LIMIT: Duration = Duration::from_secs(30);

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

fn link_to_dev_zero(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/dev/zero", path).unwrap();
}

/// Runs ggen in `work/` with `args`, within [`LIMIT`]; expects exit 1 and `needles` in stderr.
fn refused(scratch: &Scratch, args: &[&str], needles: &[&str]) {
    let output = scratch.ggen().args(args).timeout(LIMIT).output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "ggen {args:?}: {err}");
    for needle in needles {
        assert!(
            err.contains(needle),
            "ggen {args:?}: no {needle:?} in: {err}"
        );
    }
}

fn write_graph_pack(scratch: &Scratch, dir: &str) -> std::path::PathBuf {
    scratch.write_tree(
        dir,
        &[
            (
                "gpack.toml",
                "[pack]\nid = \"app\"\nversion = \"1.0.0\"\ndescription = \"app\"\n\n[graph]\nfiles = [\"graph/*.ttl\"]\n",
            ),
            ("templates/a.txt", "a\n"),
            ("graph/model.ttl", "<urn:a> <urn:b> <urn:c> .\n"),
        ],
    )
}

#[test]
fn a_fifo_or_device_as_gpack_toml_is_refused() {
    let scratch = Scratch::new();
    let pack = write_graph_pack(&scratch, "fifo");
    std::fs::remove_file(pack.join("gpack.toml")).unwrap();
    mkfifo(&pack.join("gpack.toml"));
    refused(
        &scratch,
        &["new", "p1", "--pack", "./fifo"],
        &["gpack.toml", "FIFO"],
    );
    let pack = write_graph_pack(&scratch, "zero");
    std::fs::remove_file(pack.join("gpack.toml")).unwrap();
    link_to_dev_zero(&pack.join("gpack.toml"));
    refused(
        &scratch,
        &["new", "p2", "--pack", "./zero"],
        &["gpack.toml", "device"],
    );
    refused(
        &scratch,
        &["packs", "publish", "zero", "--registry", "reg", "--init"],
        &["gpack.toml"],
    );
}

#[test]
fn a_fifo_or_device_as_template_or_graph_is_refused() {
    let scratch = Scratch::new();
    let pack = write_graph_pack(&scratch, "t");
    std::fs::remove_file(pack.join("templates/a.txt")).unwrap();
    link_to_dev_zero(&pack.join("templates/a.txt"));
    refused(&scratch, &["new", "p1", "--pack", "./t"], &["a.txt"]);
    let pack = write_graph_pack(&scratch, "g");
    std::fs::remove_file(pack.join("graph/model.ttl")).unwrap();
    mkfifo(&pack.join("graph/model.ttl"));
    refused(&scratch, &["new", "p2", "--pack", "./g"], &["model.ttl"]);
}

#[test]
fn plumbing_inputs_must_be_regular_files() {
    let scratch = Scratch::new();
    scratch.write_tree(
        "in",
        &[
            ("base", "a\n"),
            ("other", "b\n"),
            ("q.rq", "SELECT ?s WHERE { ?s ?p ?o }"),
        ],
    );
    mkfifo(&scratch.work().join("in/fifo"));
    link_to_dev_zero(&scratch.work().join("in/zero"));
    for input in ["in/fifo", "in/zero"] {
        // merge-file exits with git's status for an input it cannot read.
        let output = scratch
            .ggen()
            .args(["merge-file", input, "in/base", "in/other"])
            .timeout(LIMIT)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(255), "{}", stderr(&output));
        assert!(stderr(&output).contains(input), "{}", stderr(&output));
        refused(&scratch, &["regions", input], &[input]);
        refused(&scratch, &["template", "render", input], &[input]);
        refused(
            &scratch,
            &["graph", "query", "@in/q.rq", "--graph", input],
            &[input],
        );
        let at = format!("@{input}");
        refused(
            &scratch,
            &["graph", "query", &at, "--graph", "in/base"],
            &[input],
        );
    }
}

/// A directory registry whose index or archive is a FIFO, a device or huge.
#[test]
fn directory_registry_files_are_capped_and_regular_only() {
    let scratch = Scratch::new();
    write_graph_pack(&scratch, "pack");
    scratch
        .ggen()
        .args(["packs", "publish", "pack", "--registry", "reg", "--init"])
        .assert()
        .success();
    let reg = scratch.work().join("reg");
    let index = reg.join("index/app.json");
    let archive = reg.join("packs/app/app-1.0.0.tar.gz");
    let saved_index = std::fs::read(&index).unwrap();
    let saved_archive = std::fs::read(&archive).unwrap();

    std::fs::remove_file(&index).unwrap();
    mkfifo(&index);
    refused(
        &scratch,
        &["--registry", "reg", "new", "p1", "--pack", "app"],
        &["app.json", "FIFO"],
    );
    std::fs::remove_file(&index).unwrap();
    link_to_dev_zero(&index);
    refused(
        &scratch,
        &["--registry", "reg", "new", "p2", "--pack", "app"],
        &["app.json", "device"],
    );
    // Sparse: 100 MiB on paper, nothing on disk; over the 64 MiB index cap.
    std::fs::remove_file(&index).unwrap();
    std::fs::File::create(&index)
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    refused(
        &scratch,
        &["--registry", "reg", "new", "p3", "--pack", "app"],
        &["app.json", "limit"],
    );
    std::fs::write(&index, &saved_index).unwrap();

    std::fs::remove_file(&archive).unwrap();
    mkfifo(&archive);
    refused(
        &scratch,
        &["--registry", "reg", "new", "p4", "--pack", "app"],
        &["app-1.0.0.tar.gz", "FIFO"],
    );
    std::fs::remove_file(&archive).unwrap();
    link_to_dev_zero(&archive);
    refused(
        &scratch,
        &["--registry", "reg", "new", "p5", "--pack", "app"],
        &["app-1.0.0.tar.gz", "device"],
    );
    std::fs::remove_file(&archive).unwrap();
    std::fs::write(&archive, &saved_archive).unwrap();
    scratch
        .ggen()
        .args(["--registry", "reg", "new", "p6", "--pack", "app"])
        .timeout(LIMIT)
        .assert()
        .success();
}

/// A pack `app` at `work/<dir>` with one template `t.tmpl` and `extra` manifest text.
fn pack_with_template(scratch: &Scratch, dir: &str, template: &str, extra: &str) {
    let manifest =
        format!("[pack]\nid = \"app\"\nversion = \"1.0.0\"\ndescription = \"app\"\n{extra}");
    scratch.write_tree(
        dir,
        &[("gpack.toml", &manifest), ("templates/t.tmpl", template)],
    );
}

#[test]
fn frontmatter_and_manifest_guesses_are_errors_naming_the_key() {
    let scratch = Scratch::new();
    for (dir, template, key) in [
        ("num", "---\nto: 123\n---\nx\n", "`to`"),
        (
            "yes",
            "---\nunless_exists: \"yes\"\n---\nx\n",
            "unless_exists",
        ),
        ("tag", "---\nto: !custom out.txt\n---\nx\n", "t.tmpl"),
        (
            "bin",
            "---\nto: !!binary b3V0LnR4dA==\n---\nx\n",
            "!!binary",
        ),
    ] {
        pack_with_template(&scratch, dir, template, "");
        refused(
            &scratch,
            &["new", &format!("p-{dir}"), "--pack", &format!("./{dir}")],
            &["t.tmpl", key],
        );
    }
    for name in ["pack", "sparql"] {
        let dir = format!("var-{name}");
        pack_with_template(
            &scratch,
            &dir,
            "x\n",
            &format!("\n[variables.{name}]\ndefault = \"x\"\n"),
        );
        refused(
            &scratch,
            &["new", &format!("p-{name}"), "--pack", &format!("./{dir}")],
            &[&format!("variables.{name}"), "built into every template"],
        );
    }
}

#[test]
fn a_byte_order_mark_before_the_frontmatter_is_read_as_one() {
    let scratch = Scratch::new();
    pack_with_template(&scratch, "bom", "\u{feff}---\nto: out.txt\n---\nbody\n", "");
    scratch
        .ggen()
        .args(["new", "proj", "--pack", "./bom"])
        .timeout(LIMIT)
        .assert()
        .success();
    let root = scratch.work().join("proj");
    assert_eq!(
        std::fs::read_to_string(root.join("out.txt")).unwrap(),
        "body\n"
    );
    assert!(!root.join("t").exists());
}

#[test]
fn a_version_that_is_not_semver_in_an_index_is_named() {
    let scratch = Scratch::new();
    write_graph_pack(&scratch, "pack");
    scratch
        .ggen()
        .args(["packs", "publish", "pack", "--registry", "reg", "--init"])
        .assert()
        .success();
    let index = scratch.work().join("reg/index/app.json");
    let text = std::fs::read_to_string(&index).unwrap();
    std::fs::write(&index, text.replace("\"1.0.0\"", "\"banana\"")).unwrap();
    refused(
        &scratch,
        &["--registry", "reg", "new", "proj", "--pack", "app"],
        &["banana", "not a semantic version", "app.json"],
    );
}

fn tar_gz(path: &Path, entries: &[(&str, &str)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::fast(),
    ));
    for (name, content) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, content.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap();
}

#[test]
fn an_archive_without_a_manifest_says_so() {
    let scratch = Scratch::new();
    let several = scratch.work().join("several.tar.gz");
    tar_gz(&several, &[("a/x.txt", "x"), ("b/y.txt", "y")]);
    refused(
        &scratch,
        &["new", "p1", "--pack", several.to_str().unwrap()],
        &["no manifest", "2 top-level entries", "`a`, `b`"],
    );
    let one = scratch.work().join("one.tar.gz");
    tar_gz(&one, &[("pack/templates/x.txt", "x")]);
    refused(
        &scratch,
        &["new", "p2", "--pack", one.to_str().unwrap()],
        &["no manifest", "`pack` has no gpack.toml"],
    );
}

#[test]
fn a_damaged_history_entry_is_not_called_the_journal() {
    let scratch = Scratch::new();
    write_graph_pack(&scratch, "pack");
    scratch
        .ggen()
        .args(["new", "proj", "--pack", "./pack"])
        .assert()
        .success();
    let history = scratch.work().join("proj/.ggen/history");
    let entry = std::fs::read_dir(&history)
        .unwrap()
        .next()
        .expect("a history entry")
        .unwrap()
        .path();
    std::fs::write(entry.join("transaction.json"), "{ damaged").unwrap();
    let output = scratch
        .ggen()
        .args(["-C", "proj", "rollback"])
        .timeout(LIMIT)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("history entry"), "{err}");
    assert!(!err.contains("journal"), "{err}");
    assert!(!err.contains("remove") && !err.contains("delete"), "{err}");
}

/// Each of these overflowed the stack (SIGABRT) before depth limits: now exit 1 naming the
/// template or query.
#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let scratch = Scratch::new();
    let chain = format!("{{{{ x{} }}}}\n", "|upper".repeat(300_000));
    let groups = format!(
        "SELECT ?s WHERE {} ?s ?p ?o {}",
        "{".repeat(20_000),
        "}".repeat(20_000)
    );
    let expr = format!(
        "SELECT ?s WHERE {{ ?s ?p ?o FILTER({}?o{}) }}",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    let ops = format!(
        "SELECT ?s WHERE {{ ?s ?p ?o FILTER({}?o) }}",
        "?o + ".repeat(50_000)
    );
    scratch.write_tree(
        "in",
        &[
            ("chain.tmpl", &chain),
            ("groups.rq", &groups),
            ("expr.rq", &expr),
            ("ops.rq", &ops),
            ("g.ttl", "<urn:a> <urn:b> <urn:c> .\n"),
        ],
    );
    refused(
        &scratch,
        &["template", "render", "in/chain.tmpl", "--var", "x=a"],
        &["chain.tmpl", "filters"],
    );
    for query in ["groups.rq", "expr.rq"] {
        let at = format!("@in/{query}");
        refused(
            &scratch,
            &["graph", "query", &at, "--graph", "in/g.ttl"],
            &[query, "deep"],
        );
    }
    refused(
        &scratch,
        &["graph", "query", "@in/ops.rq", "--graph", "in/g.ttl"],
        &["ops.rq", "operators"],
    );
    // The same through a pack names the template. A query in a pack is itself a template,
    // so its groups are spaced (`{{` would open a template expression).
    let spaced = format!(
        "SELECT ?s WHERE {} ?s ?p ?o {}",
        "{ ".repeat(20_000),
        "} ".repeat(20_000)
    );
    let foreach = format!("---\nforeach: \"{spaced}\"\n---\nx\n");
    pack_with_template(&scratch, "deep", &foreach, "");
    refused(
        &scratch,
        &["new", "proj", "--pack", "./deep"],
        &["t.tmpl", "deep"],
    );
    pack_with_template(&scratch, "chain", &chain, "");
    refused(
        &scratch,
        &["new", "proj2", "--pack", "./chain"],
        &["t.tmpl", "filters"],
    );
}

/// A cross product under `ORDER BY` with `CONCAT`: without a budget it runs for minutes and
/// takes gigabytes; with `GGEN_QUERY_TIMEOUT_SECS=1` it stops with an error naming the query.
#[test]
fn a_runaway_query_is_stopped_by_its_time_budget() {
    let scratch = Scratch::new();
    let graph: String = (0..250)
        .map(|i| format!("<urn:s{i}> <urn:p> \"v{i}\" .\n"))
        .collect();
    scratch.write_tree(
        "in",
        &[
            ("big.ttl", &graph),
            (
                "cross.rq",
                "SELECT ?a ?b ?c WHERE { ?a <urn:p> ?x . ?b <urn:p> ?y . ?c <urn:p> ?z \
                 BIND(CONCAT(?x, ?y, ?z, ?x, ?y, ?z) AS ?w) } ORDER BY ?w",
            ),
        ],
    );
    let started = std::time::Instant::now();
    let output = scratch
        .ggen()
        .env("GGEN_QUERY_TIMEOUT_SECS", "1")
        .args(["graph", "query", "@in/cross.rq", "--graph", "in/big.ttl"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cross.rq") && err.contains("budget of 1 s"),
        "{err}"
    );
    eprintln!("stopped after {:?}", started.elapsed());
}

/// 100,000 regions without ids: matching them was quadratic (minutes); now an update of the
/// file ends well within the harness's limit.
#[test]
fn a_hundred_thousand_regions_without_ids_merge_in_linear_time() {
    let scratch = Scratch::new();
    let file = |version: &str| -> String {
        (0..100_000)
            .map(|i| format!("// @ggen:generated-start\n{version} {i}\n// @ggen:generated-end\n"))
            .collect()
    };
    for (dir, version) in [("v1", "1.0.0"), ("v2", "2.0.0")] {
        let manifest =
            format!("[pack]\nid = \"app\"\nversion = \"{version}\"\ndescription = \"app\"\n");
        scratch.write_tree(
            dir,
            &[("gpack.toml", &manifest), ("templates/many.rs", &file(dir))],
        );
    }
    let root = common::publish_and_create(&scratch, &["v1", "v2"], "proj", "app@1.0.0");
    let edited = format!("// the user's line\n{}", file("v1"));
    std::fs::write(root.join("many.rs"), edited).unwrap();
    let started = std::time::Instant::now();
    let output = scratch
        .ggen()
        .args(["-C", "proj", "packs", "update", "app"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let merged = std::fs::read_to_string(root.join("many.rs")).unwrap();
    assert!(
        merged.starts_with("// the user's line\n// @ggen:generated-start\nv2 0\n"),
        "{}",
        &merged[..200]
    );
    assert!(merged.contains("\nv2 99999\n") && !merged.contains("\nv1 "));
    eprintln!("updated in {:?}", started.elapsed());
}

/// 40 outputs of 1 MB each, under a 10 MB total budget for the command (and a zero time
/// budget): refused naming the template before anything is written.
#[test]
fn the_outputs_of_one_command_share_a_budget() {
    let scratch = Scratch::new();
    let graph: String = (0..40)
        .map(|i| format!("<urn:n{i}> <urn:n> \"{i}\" .\n"))
        .collect();
    let manifest = "[pack]\nid = \"app\"\nversion = \"1.0.0\"\ndescription = \"app\"\n\n\
                    [graph]\nfiles = [\"graph/*.ttl\"]\n";
    let template = "---\nforeach: \"SELECT ?n WHERE { ?s <urn:n> ?n }\"\nto: \"out/{{ n }}.txt\"\n---\n\
                    {{ 'x' * 1000000 }}\n";
    scratch.write_tree(
        "big",
        &[
            ("gpack.toml", manifest),
            ("graph/g.ttl", &graph),
            ("templates/t.tmpl", template),
        ],
    );
    let output = scratch
        .ggen()
        .env("GGEN_MAX_TOTAL_OUTPUT_BYTES", "10000000")
        .args(["new", "proj", "--pack", "./big"])
        .timeout(LIMIT)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("t.tmpl") && err.contains("10000000 bytes in total"),
        "{err}"
    );
    assert!(!scratch.work().join("proj/out").exists());
    let output = scratch
        .ggen()
        .env("GGEN_RENDER_TIMEOUT_SECS", "0")
        .args(["new", "proj", "--pack", "./big"])
        .timeout(LIMIT)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("t.tmpl") && err.contains("longer than 0 s"),
        "{err}"
    );
    // Within the budgets the same pack renders.
    scratch
        .ggen()
        .args(["new", "proj", "--pack", "./big"])
        .timeout(LIMIT)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_dir(scratch.work().join("proj/out"))
            .unwrap()
            .count(),
        40
    );
}
