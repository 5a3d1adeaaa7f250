//! Variable resolution: precedence, required variables, and whole-value pattern matching.

use std::collections::BTreeMap;
use std::path::Path;

use std::cell::RefCell;

use ggen_pack::variables::{
    Inputs, Question, TypedValue, never_ask, recorded_texts, recorded_values,
    resolve as resolve_with,
};
use ggen_pack::{Manifest, PackError};

/// Resolution without `$GGEN_HOME/config.toml [defaults]`.
fn resolve(
    manifest: &Manifest,
    given: &BTreeMap<String, String>,
    recorded: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, PackError> {
    let inputs = Inputs {
        given,
        recorded: (!recorded.is_empty()).then_some(recorded),
        user_defaults: &BTreeMap::new(),
    };
    resolve_with(manifest, &inputs, &never_ask)
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
    let none = BTreeMap::new();
    let inputs = Inputs {
        given: &none,
        recorded: None,
        user_defaults: &user,
    };
    let values = resolve_with(&m, &inputs, &never_ask).unwrap();
    assert_eq!(values, map(&[("author", "Ada"), ("other", "o")]));
    let recorded = map(&[("author", "Lin")]);
    let inputs = Inputs {
        recorded: Some(&recorded),
        ..inputs
    };
    let values = resolve_with(&m, &inputs, &never_ask).unwrap();
    assert_eq!(values["author"], "Lin");
}

/// Answers from a script: (name, answer); every question asked is logged.
fn scripted<'a>(
    answers: &'a [(&'a str, &'a str)],
    asked: &'a RefCell<Vec<String>>,
) -> impl Fn(&Question<'_>) -> Option<String> + 'a {
    move |question| {
        let mut line = format!("{} default={:?}", question.name, question.default);
        if let Some(reason) = &question.reason {
            line.push_str(&format!(" reason={reason}"));
        }
        asked.borrow_mut().push(line);
        answers
            .iter()
            .find(|(name, _)| *name == question.name)
            .and_then(|(_, answer)| question.check(answer).ok())
    }
}

#[test]
fn only_variables_without_a_value_are_asked_with_their_default() {
    let m = manifest(
        "[variables.author]\ndefault = \"pack\"\n[variables.name]\n[variables.given]\n\
         [variables.kept]\n[variables.port]\ntype = \"int\"\ndefault = 80\n",
    );
    let given = map(&[("given", "g")]);
    let user = map(&[("author", "Ada")]);
    let recorded = map(&[("kept", "k")]);
    let asked = RefCell::new(Vec::new());
    let answers = [("name", "svc"), ("port", "8080")];
    let ask = scripted(&answers, &asked);
    let inputs = Inputs {
        given: &given,
        recorded: Some(&recorded),
        user_defaults: &user,
    };
    let values = resolve_with(&m, &inputs, &ask).unwrap();
    assert_eq!(
        values,
        map(&[
            ("author", "Ada"),
            ("given", "g"),
            ("kept", "k"),
            ("name", "svc"),
            ("port", "8080")
        ])
    );
    assert_eq!(
        *asked.borrow(),
        [
            "author default=Some(\"Ada\")",
            "name default=None",
            "port default=Some(\"80\")"
        ]
    );
}

#[test]
fn a_recorded_value_that_no_longer_validates_is_asked_again_with_the_reason() {
    let m = manifest("[variables.db]\ntype = \"choice\"\nchoices = [\"pg\", \"sqlite\"]\n");
    let recorded = map(&[("db", "mysql")]);
    let none = BTreeMap::new();
    let inputs = Inputs {
        given: &none,
        recorded: Some(&recorded),
        user_defaults: &none,
    };
    let asked = RefCell::new(Vec::new());
    let answers = [("db", "sqlite")];
    let values = resolve_with(&m, &inputs, &scripted(&answers, &asked)).unwrap();
    assert_eq!(values["db"], "sqlite");
    let log = asked.borrow();
    assert!(
        log[0].contains("recorded in ggen.lock (mysql) is no longer allowed"),
        "{log:?}"
    );
    // Nobody to ask: the old value is refused as before.
    let err = resolve_with(&m, &inputs, &never_ask).unwrap_err();
    assert!(matches!(err, PackError::VariableValue { .. }), "{err:?}");
}

#[test]
fn a_secret_is_never_recorded_shown_or_defaulted_on_later_commands() {
    let m = manifest(
        "[variables.token]\nsecret = true\ndefault = \"dflt\"\npattern = \"[a-z]+\"\n\
         [variables.flag]\ntype = \"bool\"\ndefault = true\n\
         [variables.langs]\ntype = \"list\"\ndefault = [\"a\", \"b\"]\n",
    );
    let none = BTreeMap::new();
    // First install: the default is a default like any other.
    let first = Inputs {
        given: &none,
        recorded: None,
        user_defaults: &none,
    };
    let values = resolve_with(&m, &first, &never_ask).unwrap();
    assert_eq!(values["token"], "dflt");
    let recorded = recorded_values(&m, &values);
    assert_eq!(
        recorded,
        BTreeMap::from([
            ("flag".to_string(), TypedValue::Bool(true)),
            (
                "langs".to_string(),
                TypedValue::List(vec!["a".into(), "b".into()])
            ),
        ])
    );
    // Later: a secret recorded anyway (a hand-edited lock) is not taken, nor is the default.
    let mut texts = recorded_texts(&recorded);
    texts.insert("token".into(), "fromlock".into());
    let later = Inputs {
        recorded: Some(&texts),
        ..first
    };
    match resolve_with(&m, &later, &never_ask).unwrap_err() {
        PackError::MissingVariables { missing, list, .. } => {
            assert_eq!(missing.len(), 1);
            assert!(missing[0].secret);
            assert!(list.contains("token") && list.contains("secret"), "{list}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let asked = RefCell::new(Vec::new());
    let answers = [("token", "typed")];
    let values = resolve_with(&m, &later, &scripted(&answers, &asked)).unwrap();
    assert_eq!(values["token"], "typed");
    assert_eq!(*asked.borrow(), ["token default=None"]);
    // A refused secret is not shown in the error.
    let given = map(&[("token", "Wrong-Value")]);
    let err = resolve_with(
        &m,
        &Inputs {
            given: &given,
            ..later
        },
        &never_ask,
    )
    .unwrap_err();
    assert!(!err.to_string().contains("Wrong-Value"), "{err}");
    assert!(err.to_string().contains("`token`"), "{err}");
}
