//! Variable resolution: precedence, required variables, and whole-value pattern matching.

use std::collections::BTreeMap;
use std::path::Path;

use ggen_pack::variables::resolve;
use ggen_pack::{Manifest, PackError};

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
fn a_required_variable_without_value_is_named() {
    let m = manifest("[variables.project_name]\ndescription = \"crate name\"\n");
    let err = resolve(&m, &BTreeMap::new(), &BTreeMap::new()).unwrap_err();
    match &err {
        PackError::MissingVariable { pack, name } => {
            assert_eq!((pack.as_str(), name.as_str()), ("web", "project_name"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("`project_name`"));
    // A recorded value satisfies it.
    let values = resolve(&m, &BTreeMap::new(), &map(&[("project_name", "x")])).unwrap();
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
