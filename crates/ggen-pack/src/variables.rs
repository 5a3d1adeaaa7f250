//! Resolving a pack's variables: command line, then recorded values, then defaults.

use std::collections::BTreeMap;

use crate::{Manifest, PackError, VariableType};

/// The value of every variable `manifest` declares: `given` (from `--var`) wins, then the
/// environment (`GGEN_VAR_<name>`, or the name in upper case), then `recorded` (from `ggen.lock`), then `user_defaults` (`$GGEN_HOME/config.toml [defaults]`), then the pack's default. Variables with none of the three are
/// one [`PackError::MissingVariables`] naming them all; a value not matching its pattern is
/// [`PackError::VariablePattern`]. Names not declared by the manifest are ignored here.
///
/// A pattern must match the whole value: `[a-z]+` refuses `abc1` just like `^[a-z]+$` does,
/// because a pattern that only had to match somewhere would let almost anything through.
pub fn resolve(
    manifest: &Manifest,
    given: &BTreeMap<String, String>,
    recorded: &BTreeMap<String, String>,
    user_defaults: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, PackError> {
    let pack = &manifest.pack.id;
    let mut values = BTreeMap::new();
    let mut missing = Vec::new();
    for (name, spec) in &manifest.variables {
        let from_env = environment_value(name);
        let Some(value) = given
            .get(name)
            .or(from_env.as_ref())
            .or_else(|| recorded.get(name))
            .or_else(|| user_defaults.get(name))
            .or(spec.default.as_ref())
        else {
            missing.push(MissingVariable {
                name: name.clone(),
                description: spec.description.clone(),
            });
            continue;
        };
        let value = &check_value(spec.kind, &spec.choices, value).map_err(|allowed| {
            PackError::VariableValue {
                pack: pack.clone(),
                name: name.clone(),
                value: value.clone(),
                allowed,
            }
        })?;
        if let Some(pattern) = &spec.pattern {
            // Manifest::parse has compiled the pattern already; a hand-built manifest with a
            // broken one is refused the same way as a mismatch rather than accepted.
            let matches = anchored_pattern(pattern).is_ok_and(|regex| regex.is_match(value));
            if !matches {
                return Err(PackError::VariablePattern {
                    pack: pack.clone(),
                    name: name.clone(),
                    value: value.clone(),
                    pattern: pattern.clone(),
                });
            }
        }
        values.insert(name.clone(), value.clone());
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

/// A required variable nothing gave a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingVariable {
    pub name: String,
    pub description: Option<String>,
}

/// One line per missing variable: `  name — description`.
fn missing_list(missing: &[MissingVariable]) -> String {
    missing
        .iter()
        .map(|variable| match &variable.description {
            Some(description) => format!("\n  {} — {description}", variable.name),
            None => format!("\n  {}", variable.name),
        })
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
