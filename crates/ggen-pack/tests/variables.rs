//! Variable resolution: precedence, required variables, and whole-value pattern matching.

use std::collections::BTreeMap;
use std::path::Path;

use ggen_pack::{Manifest, PackError};

/// Resolution without `$GGEN_HOME/config.toml [defaults]`.
fn resolve(
    manifest: &Manifest,
    given: &BTreeMap<String, String>,
    recorded: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, PackError> {
    let inputs = ggen_pack::variables::Inputs {
        given,
        recorded: (!recorded.is_empty()).then_some(recorded),
        user_defaults: &BTreeMap::new(),
    };
    ggen_pack::variables::resolve(manifest, &inputs, &ggen_pack::variables::never_ask)
}

fn manifest(variables: &str) -> Manifest {
    let text =
        format!("[pack]\nid = \"web\"\nversion = \"1.0.0\"\ndescription = \"d\"\n{variables}");
    Manifest::parse(&text, Path::new("gpack.toml")).unwrap().0
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn given_beats_recorded_beats_default() {
    let m = manifest(
        "[variables.a]\ndefault = \"da\"\n[variables.b]\ndefault = \"db\"\n[variables.c]\ndefault = \"dc\"\n",
    );
    let given = map(&[("a", "ga"), ("undeclared", "x")]);
    let recorded = map(&[("a", "ra"), ("b", "rb")]);
    let values = resolve(&m, &given, &recorded).unwrap();
    assert_eq!(values, map(&[("a", "ga"), ("b", "rb"), ("c", "dc")]));
}

#[test]
fn all_required_variables_without_value_are_named_at_once() {
    let m = manifest(
        "[variables.project_name]\ndescription = \"crate name\"\n\
         [variables.owner]\ndescription = \"who owns it\"\n[variables.x]\ndefault = \"d\"\n",
    );
    let err = resolve(&m, &BTreeMap::new(), &BTreeMap::new()).unwrap_err();
    match &err {
        PackError::MissingVariables { pack, missing, .. } => {
            assert_eq!(pack, "web");
            let names: Vec<&str> = missing.iter().map(|v| v.name.as_str()).collect();
            assert_eq!(names, ["owner", "project_name"]);
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("owner — who owns it"), "{text}");
    assert!(text.contains("project_name — crate name"), "{text}");
    // A recorded value satisfies one; the other is still named.
    let err = resolve(&m, &BTreeMap::new(), &map(&[("project_name", "x")])).unwrap_err();
    assert!(!err.to_string().contains("project_name"), "{err}");
    let values = resolve(&m, &map(&[("owner", "o")]), &map(&[("project_name", "x")])).unwrap();
    assert_eq!(values["project_name"], "x");
}

#[test]
fn patterns_match_the_whole_value() {
    for pattern in ["^[a-z]+$", "[a-z]+"] {
        let m = manifest(&format!("[variables.name]\npattern = {pattern:?}\n"));
        let ok = resolve(&m, &map(&[("name", "abc")]), &BTreeMap::new()).unwrap();
        assert_eq!(ok["name"], "abc");
        for bad in ["abc1", "1abc", "ab c", ""] {
            let err = resolve(&m, &map(&[("name", bad)]), &BTreeMap::new()).unwrap_err();
            match err {
                PackError::VariablePattern {
                    pack,
                    name,
                    value,
                    pattern: p,
                } => {
                    assert_eq!(
                        (pack.as_str(), name.as_str(), value.as_str()),
                        ("web", "name", bad)
                    );
                    assert_eq!(p, pattern);
                }
                other => panic!("pattern {pattern:?} accepted {bad:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn alternations_stay_anchored() {
    let m = manifest("[variables.db]\npattern = \"postgres|sqlite\"\n");
    assert!(resolve(&m, &map(&[("db", "sqlite")]), &BTreeMap::new()).is_ok());
    assert!(resolve(&m, &map(&[("db", "postgresql")]), &BTreeMap::new()).is_err());
    assert!(resolve(&m, &map(&[("db", "my-sqlite")]), &BTreeMap::new()).is_err());
}

#[test]
fn defaults_and_recorded_values_are_checked_too() {
    let m = manifest("[variables.name]\ndefault = \"Bad\"\npattern = \"[a-z]+\"\n");
    assert!(matches!(
        resolve(&m, &BTreeMap::new(), &BTreeMap::new()),
        Err(PackError::VariablePattern { .. })
    ));
    assert!(matches!(
        resolve(&m, &BTreeMap::new(), &map(&[("name", "X")])),
        Err(PackError::VariablePattern { .. })
    ));
    assert!(resolve(&m, &map(&[("name", "good")]), &BTreeMap::new()).is_ok());
}

#[test]
fn typed_values_are_parsed_and_normalised() {
    let m = manifest(
        "[variables.flag]\ntype = \"bool\"\ndefault = false\n\
         [variables.port]\ntype = \"int\"\ndefault = 80\n\
         [variables.db]\ntype = \"choice\"\nchoices = [\"pg\", \"sqlite\"]\ndefault = \"pg\"\n\
         [variables.features]\ntype = \"list\"\nchoices = [\"a\", \"b\", \"c\"]\ndefault = [\"a\"]\n",
    );
    let values = resolve(&m, &BTreeMap::new(), &BTreeMap::new()).unwrap();
    assert_eq!(
        values,
        map(&[
            ("flag", "false"),
            ("port", "80"),
            ("db", "pg"),
            ("features", "a")
        ])
    );
    let given = map(&[
        ("flag", "yes"),
        ("port", " 8080"),
        ("db", "sqlite"),
        ("features", "a, c"),
    ]);
    let values = resolve(&m, &given, &BTreeMap::new()).unwrap();
    assert_eq!(
        values,
        map(&[
            ("flag", "true"),
            ("port", "8080"),
            ("db", "sqlite"),
            ("features", "a,c")
        ])
    );
}

#[test]
fn a_wrong_typed_value_names_the_variable_and_what_is_allowed() {
    let m = manifest(
        "[variables.flag]\ntype = \"bool\"\n\
         [variables.db]\ntype = \"choice\"\nchoices = [\"pg\", \"sqlite\"]\n\
         [variables.features]\ntype = \"list\"\nchoices = [\"a\", \"b\"]\n",
    );
    let base = map(&[("flag", "true"), ("db", "pg"), ("features", "a")]);
    for (name, bad, allowed) in [
        ("flag", "maybe", "true/false"),
        ("db", "mysql", "\"pg\", \"sqlite\""),
        ("features", "a,z", "\"z\" is not one"),
    ] {
        let mut given = base.clone();
        given.insert(name.into(), bad.into());
        let err = resolve(&m, &given, &BTreeMap::new()).unwrap_err();
        assert!(matches!(err, PackError::VariableValue { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains(&format!("`{name}`")), "{text}");
        assert!(text.contains(allowed), "{text}");
    }
}

#[test]
fn manifests_with_bad_types_or_defaults_are_refused() {
    let parse = |vars: &str| {
        let text =
            format!("[pack]\nid = \"web\"\nversion = \"1.0.0\"\ndescription = \"d\"\n{vars}");
        Manifest::parse(&text, Path::new("gpack.toml")).map(|_| ())
    };
    let cases = [
        ("[variables.x]\ntype = \"float\"\n", "not a variable type"),
        ("[variables.x]\ntype = \"choice\"\n", "no `choices"),
        (
            "[variables.x]\ntype = \"int\"\ndefault = \"eight\"\n",
            "an integer",
        ),
        ("[variables.x]\nchoices = [\"a\"]\n", "only for"),
    ];
    for (vars, expected) in cases {
        let err = parse(vars).unwrap_err().to_string();
        assert!(err.contains(expected), "{vars}: {err}");
    }
}

#[test]
fn user_defaults_come_after_the_lock_and_before_the_pack_default() {
    let m = manifest("[variables.author]\ndefault = \"pack\"\n[variables.other]\n");
    let user = map(&[("author", "Ada"), ("other", "o")]);
    let values =
        ggen_pack::variables::resolve(&m, &BTreeMap::new(), &BTreeMap::new(), &user).unwrap();
    assert_eq!(values, map(&[("author", "Ada"), ("other", "o")]));
    let recorded = map(&[("author", "Lin")]);
    let values = ggen_pack::variables::resolve(&m, &BTreeMap::new(), &recorded, &user).unwrap();
    assert_eq!(values["author"], "Lin");
}
