//! `gpack.toml` parsing: the SPEC example, warnings for unknown keys, and errors that name the
//! key, the file and the position.

use std::collections::BTreeMap;
use std::path::Path;

use ggen_pack::manifest::{GraphSection, HooksSection, PackInfo, TemplatesSection};
use ggen_pack::{Manifest, ManifestWarning, PackError, VariableSpec};
use proptest::prelude::*;

const SPEC_EXAMPLE: &str = r#"
[pack]
id = "rust-web"                 # [a-z0-9][a-z0-9_-]{0,63}
version = "1.2.0"               # semver 2.0
description = "Axum service skeleton"
authors = ["..."]
license = "MIT"
ggen = ">=0.1"                  # optional: required ggen version

[dependencies]                  # other packs, cargo-style semver requirements
rust-base = "^1.0"

[variables.project_name]        # variables the templates use
description = "crate name"
default = "my-app"              # no default = required
pattern = "^[a-z][a-z0-9_]*$"   # optional regex validation

[templates]
root = "templates"              # default; every file under it is a template

[graph]
files = ["graph/*.ttl"]         # RDF (Turtle) loaded into one graph for every template

[hooks]                         # shell commands; never run without --allow-hooks or a yes at a prompt
post_install = ["cargo fmt"]
"#;

fn parse(text: &str) -> Result<(Manifest, Vec<ManifestWarning>), PackError> {
    Manifest::parse(text, Path::new("gpack.toml"))
}

/// The error message of a manifest that must fail.
fn error(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(err @ PackError::Manifest { .. }) => err.to_string(),
        Err(other) => panic!("expected PackError::Manifest, got {other:?}"),
    }
}

fn warnings(text: &str) -> Vec<String> {
    let (_, warnings) = parse(text).expect("valid manifest");
    warnings.into_iter().map(|w| w.message).collect()
}

fn minimal(extra: &str) -> String {
    format!("[pack]\nid = \"p\"\nversion = \"1.0.0\"\ndescription = \"d\"\n{extra}")
}

#[test]
fn spec_example_parses_to_the_expected_manifest() {
    let (manifest, warnings) = parse(SPEC_EXAMPLE).unwrap();
    let expected = Manifest {
        pack: PackInfo {
            id: "rust-web".into(),
            version: semver::Version::new(1, 2, 0),
            description: "Axum service skeleton".into(),
            authors: vec!["...".into()],
            license: Some("MIT".into()),
            ggen: Some(semver::VersionReq::parse(">=0.1").unwrap()),
        },
        dependencies: BTreeMap::from([(
            "rust-base".to_string(),
            semver::VersionReq::parse("^1.0").unwrap(),
        )]),
        variables: BTreeMap::from([(
            "project_name".to_string(),
            VariableSpec {
                description: Some("crate name".into()),
                default: Some("my-app".into()),
                pattern: Some("^[a-z][a-z0-9_]*$".into()),
                kind: ggen_pack::VariableType::String,
                choices: Vec::new(),
                secret: false,
            },
        )]),
        templates: TemplatesSection {
            root: "templates".into(),
            partials: "_partials".into(),
        },
        graph: GraphSection {
            files: vec!["graph/*.ttl".into()],
            prefixes: BTreeMap::new(),
        },
        hooks: HooksSection {
            post_install: vec!["cargo fmt".into()],
            post_update: vec![],
        },
    };
    assert_eq!(manifest, expected);
    // SPEC's own example: "my-app" has a `-`, which its pattern does not allow.
    assert_eq!(
        warnings,
        [ManifestWarning {
            message: "gpack.toml: the default \"my-app\" of `variables.project_name` does not \
                      match its pattern `^[a-z][a-z0-9_]*$`"
                .into()
        }]
    );
}

#[test]
fn defaults_for_a_minimal_manifest() {
    let (manifest, warnings) = parse(&minimal("")).unwrap();
    assert_eq!(manifest.templates.root, "templates");
    assert!(manifest.dependencies.is_empty());
    assert!(manifest.variables.is_empty());
    assert_eq!(manifest.graph, GraphSection::default());
    assert_eq!(manifest.hooks, HooksSection::default());
    assert_eq!(manifest.pack.license, None);
    assert!(warnings.is_empty());
}

#[test]
fn prefixes_post_update_and_non_string_defaults() {
    let (manifest, _) = parse(&minimal(
        r#"
[variables.with_db]
default = true
[variables.port]
default = 0x1F
[variables.ratio]
default = 0.5
[graph]
prefixes = { ex = "http://example.org/", "" = "http://example.org/default#" }
[hooks]
post_update = ["make", "make test"]
"#,
    ))
    .unwrap();
    let default = |name: &str| manifest.variables[name].default.clone();
    assert_eq!(default("with_db").as_deref(), Some("true"));
    assert_eq!(default("port").as_deref(), Some("31"));
    assert_eq!(default("ratio").as_deref(), Some("0.5"));
    assert_eq!(manifest.graph.prefixes["ex"], "http://example.org/");
    assert_eq!(manifest.graph.prefixes[""], "http://example.org/default#");
    assert_eq!(manifest.hooks.post_update, ["make", "make test"]);
}

#[test]
fn missing_description_is_a_warning_not_an_error() {
    let (manifest, warnings) = parse("[pack]\nid = \"p\"\nversion = \"1.0.0\"\n").unwrap();
    assert_eq!(manifest.pack.description, "");
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].message.contains("`pack.description`"),
        "{warnings:?}"
    );
}

#[test]
fn unknown_keys_warn_with_did_you_mean() {
    let found = warnings(
        "[pack]\nid = \"p\"\nverison = \"1\"\nversion = \"1.0.0\"\ndescription = \"d\"\n\
         [variabels.x]\ndefault = \"a\"\n\
         [variables.name]\ndefualt = \"a\"\n\
         [templates]\nroot = \"templates\"\nhomepage = \"x\"\n",
    );
    assert_eq!(
        found,
        [
            "gpack.toml: unknown key `variabels` (did you mean `variables`?)",
            "gpack.toml: unknown key `pack.verison` (did you mean `version`?)",
            "gpack.toml: unknown key `variables.name.defualt` (did you mean `default`?)",
            "gpack.toml: unknown key `templates.homepage`",
        ]
    );
}

#[test]
fn wrong_types_name_the_key_the_file_and_the_position() {
    let message = error("[pack]\nid = \"p\"\nversion = 1\n");
    assert!(message.contains("gpack.toml"), "{message}");
    assert!(
        message.contains("`pack.version` must be a string"),
        "{message}"
    );
    assert!(message.contains("line 3, column 11"), "{message}");

    let message = error(&minimal("").replace("description = \"d\"", "authors = \"x\""));
    assert!(
        message.contains("`pack.authors` must be an array of strings"),
        "{message}"
    );

    let message = error(&minimal("[hooks]\npost_install = [\"ok\", 3]\n"));
    assert!(
        message.contains("`hooks.post_install[1]` must be a string"),
        "{message}"
    );

    let message = error(&minimal("[variables]\nname = \"x\"\n"));
    assert!(
        message.contains("`variables.name` must be a table"),
        "{message}"
    );

    let message = error(&minimal("[variables.v]\ndefault = [1]\n"));
    assert!(message.contains("`variables.v.default`"), "{message}");
}

#[test]
fn missing_required_keys() {
    assert!(error("[package]\nid = \"p\"\n").contains("missing table `[pack]`"));
    assert!(error("[pack]\nversion = \"1.0.0\"\n").contains("missing key `pack.id`"));
    assert!(error("[pack]\nid = \"p\"\n").contains("missing key `pack.version`"));
}

#[test]
fn bad_pack_ids_are_refused() {
    for id in ["Rust-Web", "-web", "", "a.b", &"x".repeat(65)] {
        let message = error(&format!("[pack]\nid = {id:?}\nversion = \"1.0.0\"\n"));
        assert!(
            message.contains("`pack.id`") && message.contains("not a valid pack id"),
            "{message}"
        );
    }
    assert!(
        parse(&format!(
            "[pack]\nid = {:?}\nversion = \"1.0.0\"\n",
            "x".repeat(64)
        ))
        .is_ok()
    );
}

#[test]
fn bad_version_is_refused() {
    let message = error("[pack]\nid = \"p\"\nversion = \"1.0\"\n");
    assert!(
        message.contains("`pack.version` = \"1.0\" is not a semver version"),
        "{message}"
    );
}

#[test]
fn unsatisfied_ggen_requirement_is_refused() {
    let message = error(&minimal("").replace("description", "ggen = \">=99\"\ndescription"));
    assert!(message.contains("requires ggen >=99"), "{message}");
    let message = error(&minimal("").replace("description", "ggen = \"not a req\"\ndescription"));
    assert!(message.contains("`pack.ggen`"), "{message}");
}

#[test]
fn bad_pattern_regex_names_the_variable() {
    let message = error(&minimal("[variables.project_name]\npattern = \"[a-z\"\n"));
    assert!(
        message.contains("`variables.project_name.pattern`"),
        "{message}"
    );
    assert!(
        message.contains("not a valid regular expression"),
        "{message}"
    );
}

#[test]
fn default_not_matching_its_pattern_warns() {
    let found = warnings(&minimal(
        "[variables.name]\ndefault = \"Bad\"\npattern = \"[a-z]+\"\n",
    ));
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("`variables.name`"), "{found:?}");
}

#[test]
fn bad_variable_names_are_refused() {
    let message = error(&minimal("[variables.project-name]\n"));
    assert!(message.contains("`variables.project-name`"), "{message}");
    let message = error(&minimal("[variables.if]\n"));
    assert!(message.contains("`variables.if`"), "{message}");
}

#[test]
fn bad_dependency_requirement_names_the_dependency() {
    let message = error(&minimal("[dependencies]\nrust-base = \"one point oh\"\n"));
    assert!(message.contains("dependency `rust-base`"), "{message}");
    let message = error(&minimal(
        "[dependencies]\nrust-base = { version = \"1\" }\n",
    ));
    assert!(
        message.contains("`dependencies.rust-base` must be a string"),
        "{message}"
    );
    let message = error(&minimal("[dependencies]\np = \"1\"\n"));
    assert!(message.contains("depends on itself"), "{message}");
}

#[test]
fn templates_root_must_stay_in_the_pack() {
    for root in ["../shared", "/abs", "a/../../b", ""] {
        let message = error(&minimal(&format!("[templates]\nroot = {root:?}\n")));
        assert!(message.contains("`templates.root`"), "{message}");
    }
    let (manifest, _) = parse(&minimal("[templates]\nroot = \"./src/tpl/\"\n")).unwrap();
    assert_eq!(manifest.templates.root, "src/tpl");
}

#[test]
fn graph_globs_and_prefixes_are_validated() {
    let message = error(&minimal("[graph]\nfiles = [\"../x/*.ttl\"]\n"));
    assert!(message.contains("`graph.files`"), "{message}");
    let message = error(&minimal("[graph]\nfiles = [\"graph/[.ttl\"]\n"));
    assert!(message.contains("not a valid glob"), "{message}");
    let message = error(&minimal("[graph]\nprefixes = { ex = \"not an iri\" }\n"));
    assert!(message.contains("`graph.prefixes.ex`"), "{message}");
}

#[test]
fn invalid_toml_reports_the_line() {
    let message = error("[pack]\nid = \"p\"\nversion = \"1.0.0\ndescription = \"d\"\n");
    assert!(message.contains("gpack.toml"), "{message}");
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("invalid TOML"), "{message}");

    let message = error("[pack]\nid = \"p\"\nid = \"q\"\n");
    assert!(message.contains("line 3"), "{message}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text gives a manifest or an error, never a panic.
    #[test]
    fn parse_never_panics(text in "\\PC{0,200}") {
        let _ = parse(&text);
    }

    /// Damaged versions of a real manifest exercise the checks past the TOML parser.
    #[test]
    fn parse_never_panics_on_damaged_manifests(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<char>()), 1..8)
    ) {
        let mut chars: Vec<char> = SPEC_EXAMPLE.chars().collect();
        for (index, replacement) in edits {
            let at = index.index(chars.len());
            chars[at] = replacement;
        }
        let text: String = chars.into_iter().collect();
        let _ = parse(&text);
    }
}
