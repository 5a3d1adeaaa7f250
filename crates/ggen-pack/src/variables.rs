//! Resolving a pack's variables: command line, environment, recorded values, a question on
//! a terminal, then defaults; and the typed form `ggen.lock` records them in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Manifest, PackError, VariableSpec, VariableType};

/// Where the values of a pack's variables come from, besides the questions.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// `--var` and `--var-file`.
    pub given: &'a BTreeMap<String, String>,
    /// The values `ggen.lock` records for the pack (as texts); `None` when the pack is new to
    /// the project. Secrets are never recorded: on a later command they must be given again.
    pub recorded: Option<&'a BTreeMap<String, String>>,
    /// `$GGEN_HOME/config.toml [defaults]`: used before the pack's own default.
    pub user_defaults: &'a BTreeMap<String, String>,
}

/// A variable nothing gave a value that someone at a terminal may answer.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub pack: &'a str,
    pub name: &'a str,
    pub spec: &'a VariableSpec,
    /// What an empty answer means (the config's default before the pack's), canonical.
    pub default: Option<&'a str>,
    /// Why a variable with a recorded value is asked again (it no longer validates).
    pub reason: Option<String>,
}

impl Question<'_> {
    /// The answer `text` in canonical form, or why it is refused (type, choices, pattern).
    pub fn check(&self, text: &str) -> Result<String, String> {
        validate(self.spec, text)
    }
}

/// Asks one question; `None` when there is nobody to ask (no terminal, `--defaults`).
/// An answer is expected to pass [`Question::check`]; it is checked again all the same.
pub type Ask<'a> = &'a dyn Fn(&Question<'_>) -> Option<String>;

/// Never asks: every variable without a value takes its default.
pub fn never_ask(_: &Question<'_>) -> Option<String> {
    None
}

/// The value of every variable `manifest` declares. `inputs.given` (from `--var`) wins, then
/// the environment (`GGEN_VAR_<name>`, or the name in upper case), then the recorded value;
/// a variable with none of them is asked (`ask`), and when nobody answers it takes the
/// config's default, then the pack's. A recorded value that no longer validates is asked
/// again. A secret of a pack already installed has no recorded value and no default: it is
/// given or asked. Variables left without a value are one [`PackError::MissingVariables`]
/// naming them all; a value not matching its type or pattern is
/// [`PackError::VariableValue`] / [`PackError::VariablePattern`] (a secret's value is not
/// shown). Names not declared by the manifest are ignored here.
///
/// A pattern must match the whole value: `[a-z]+` refuses `abc1` just like `^[a-z]+$` does,
/// because a pattern that only had to match somewhere would let almost anything through.
pub fn resolve(
    manifest: &Manifest,
    inputs: &Inputs<'_>,
    ask: Ask<'_>,
) -> Result<BTreeMap<String, String>, PackError> {
    let pack = &manifest.pack.id;
    let mut values = BTreeMap::new();
    let mut missing = Vec::new();
    for (name, spec) in &manifest.variables {
        let question = |default: Option<&String>, reason: Option<String>| {
            ask(&Question {
                pack,
                name,
                spec,
                default: default.map(String::as_str),
                reason,
            })
        };
        let explicit = inputs
            .given
            .get(name)
            .cloned()
            .or_else(|| environment_value(name));
        let recorded = inputs
            .recorded
            .and_then(|recorded| recorded.get(name))
            .filter(|_| !spec.secret);
        let value = if let Some(value) = explicit {
            value
        } else if let Some(value) = recorded {
            match validate(spec, value) {
                Ok(_) => value.clone(),
                Err(reason) => {
                    let reason = format!(
                        "the value recorded in ggen.lock ({}) is no longer allowed: {reason}",
                        shown(spec, value)
                    );
                    question(None, Some(reason)).unwrap_or_else(|| value.clone())
                }
            }
        } else if spec.secret && inputs.recorded.is_some() {
            match question(None, None) {
                Some(answer) => answer,
                None => {
                    missing.push(MissingVariable::of(name, spec));
                    continue;
                }
            }
        } else {
            let default = inputs.user_defaults.get(name).or(spec.default.as_ref());
            match question(default, None).or_else(|| default.cloned()) {
                Some(value) => value,
                None => {
                    missing.push(MissingVariable::of(name, spec));
                    continue;
                }
            }
        };
        let value = check(pack, name, spec, &value)?;
        values.insert(name.clone(), value);
    }
    if !missing.is_empty() {
        return Err(PackError::MissingVariables {
            pack: pack.clone(),
            list: missing_list(&missing),
            missing,
        });
    }
    Ok(values)
}

/// `text` in canonical form if it has the variable's type and matches its pattern, else
/// what is allowed instead.
pub fn validate(spec: &VariableSpec, text: &str) -> Result<String, String> {
    let value = check_value(spec.kind, &spec.choices, text)?;
    if let Some(pattern) = &spec.pattern {
        // Manifest::parse has compiled the pattern already; a hand-built manifest with a
        // broken one is refused the same way as a mismatch rather than accepted.
        let matches = anchored_pattern(pattern).is_ok_and(|regex| regex.is_match(&value));
        if !matches {
            return Err(format!("it must match the pattern `{pattern}`"));
        }
    }
    Ok(value)
}

/// [`validate`] as the error a user sees, naming the pack and the variable.
fn check(pack: &str, name: &str, spec: &VariableSpec, text: &str) -> Result<String, PackError> {
    let value = check_value(spec.kind, &spec.choices, text).map_err(|allowed| {
        PackError::VariableValue {
            pack: pack.to_string(),
            name: name.to_string(),
            value: shown(spec, text),
            allowed,
        }
    })?;
    if validate(spec, &value).is_err() {
        return Err(PackError::VariablePattern {
            pack: pack.to_string(),
            name: name.to_string(),
            value: shown(spec, &value),
            pattern: spec.pattern.clone().unwrap_or_default(),
        });
    }
    Ok(value)
}

/// A value as messages may show it: a secret's never is.
fn shown(spec: &VariableSpec, value: &str) -> String {
    if spec.secret {
        "(secret, not shown)".into()
    } else {
        value.to_string()
    }
}

/// A required variable nothing gave a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingVariable {
    pub name: String,
    pub description: Option<String>,
    /// A secret: never recorded, so every command that renders the pack needs it.
    pub secret: bool,
}

impl MissingVariable {
    fn of(name: &str, spec: &VariableSpec) -> MissingVariable {
        MissingVariable {
            name: name.to_string(),
            description: spec.description.clone(),
            secret: spec.secret,
        }
    }
}

/// One line per missing variable: `  name — description`.
fn missing_list(missing: &[MissingVariable]) -> String {
    missing
        .iter()
        .map(|variable| {
            let mut line = format!("\n  {}", variable.name);
            if let Some(description) = &variable.description {
                line.push_str(&format!(" — {description}"));
            }
            if variable.secret {
                line.push_str(
                    " (secret: never recorded, give it on every command that renders the pack)",
                );
            }
            line
        })
        .collect()
}

/// A variable's value as `ggen.lock` records it: booleans, integers and lists as TOML values,
/// strings and choices as strings. Old locks recorded every value as a string; those load as
/// [`TypedValue::Text`] and are checked against the variable's type when next used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TypedValue {
    Bool(bool),
    Int(i64),
    List(Vec<String>),
    Text(String),
}

impl TypedValue {
    /// The typed form of `text`, a canonical value of `kind` (see [`check_value`]).
    pub fn new(kind: VariableType, text: &str) -> TypedValue {
        match kind {
            VariableType::Bool => match text {
                "true" => TypedValue::Bool(true),
                "false" => TypedValue::Bool(false),
                _ => TypedValue::Text(text.to_string()),
            },
            VariableType::Int => text
                .parse()
                .map_or_else(|_| TypedValue::Text(text.to_string()), TypedValue::Int),
            VariableType::List => TypedValue::List(
                text.split(',')
                    .filter(|item| !item.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            VariableType::String | VariableType::Choice => TypedValue::Text(text.to_string()),
        }
    }

    /// The value as `--var` would give it (list items joined by `,`).
    pub fn text(&self) -> String {
        match self {
            TypedValue::Bool(flag) => flag.to_string(),
            TypedValue::Int(number) => number.to_string(),
            TypedValue::List(items) => items.join(","),
            TypedValue::Text(text) => text.clone(),
        }
    }
}

/// What `ggen.lock` and the snapshot record of resolved `values`: typed, secrets left out.
pub fn recorded_values(
    manifest: &Manifest,
    values: &BTreeMap<String, String>,
) -> BTreeMap<String, TypedValue> {
    values
        .iter()
        .filter_map(|(name, value)| {
            let spec = manifest.variables.get(name)?;
            (!spec.secret).then(|| (name.clone(), TypedValue::new(spec.kind, value)))
        })
        .collect()
}

/// Recorded values as the texts [`resolve`] takes.
pub fn recorded_texts(recorded: &BTreeMap<String, TypedValue>) -> BTreeMap<String, String> {
    recorded
        .iter()
        .map(|(name, value)| (name.clone(), value.text()))
        .collect()
}

/// `pattern` compiled so that it must match the whole value.
pub(crate) fn anchored_pattern(pattern: &str) -> Result<regex::Regex, regex::Error> {
    // The group keeps alternations inside the anchors: `a|b` becomes `\A(?:a|b)\z`.
    regex::Regex::new(&format!(r"\A(?:{pattern})\z"))
}

/// `text` in the canonical form of `kind` (bool `true`/`false`, decimal int, list items
/// joined by `,`), or what is allowed instead.
pub fn check_value(kind: VariableType, choices: &[String], text: &str) -> Result<String, String> {
    let one_of = || {
        let quoted: Vec<String> = choices.iter().map(|choice| format!("{choice:?}")).collect();
        quoted.join(", ")
    };
    match kind {
        VariableType::String => Ok(text.to_string()),
        VariableType::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok("true".into()),
            "false" | "no" | "0" => Ok("false".into()),
            _ => Err("a bool: true/false, yes/no or 1/0".into()),
        },
        VariableType::Int => text
            .trim()
            .parse::<i64>()
            .map(|number| number.to_string())
            .map_err(|_| "an integer (like 8080)".into()),
        VariableType::Choice => {
            if choices.iter().any(|choice| choice == text) {
                Ok(text.to_string())
            } else {
                Err(format!("one of {}", one_of()))
            }
        }
        VariableType::List => {
            let items: Vec<&str> = text
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .collect();
            if !choices.is_empty()
                && let Some(bad) = items
                    .iter()
                    .find(|item| !choices.iter().any(|c| c == *item))
            {
                return Err(format!(
                    "a comma-separated list of {} ({bad:?} is not one)",
                    one_of()
                ));
            }
            Ok(items.join(","))
        }
    }
}

/// `GGEN_VAR_<name>` from the environment, as written or with the name in upper case (the
/// usual spelling of environment variables); a value that is not UTF-8 counts as unset.
fn environment_value(name: &str) -> Option<String> {
    std::env::var(format!("GGEN_VAR_{name}"))
        .or_else(|_| std::env::var(format!("GGEN_VAR_{}", name.to_ascii_uppercase())))
        .ok()
}
