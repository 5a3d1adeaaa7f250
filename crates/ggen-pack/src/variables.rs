//! Resolving a pack's variables: command line, then recorded values, then defaults.

use std::collections::BTreeMap;

use crate::{Manifest, PackError};

/// The value of every variable `manifest` declares: `given` (from `--var`) wins, then
/// `recorded` (from `ggen.lock`), then the default. A variable with none of the three is
/// [`PackError::MissingVariable`]; a value not matching its pattern is
/// [`PackError::VariablePattern`]. Names not declared by the manifest are ignored here.
///
/// A pattern must match the whole value: `[a-z]+` refuses `abc1` just like `^[a-z]+$` does,
/// because a pattern that only had to match somewhere would let almost anything through.
pub fn resolve(
    manifest: &Manifest,
    given: &BTreeMap<String, String>,
    recorded: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, PackError> {
    let pack = &manifest.pack.id;
    let mut values = BTreeMap::new();
    for (name, spec) in &manifest.variables {
        let value = given
            .get(name)
            .or_else(|| recorded.get(name))
            .or(spec.default.as_ref())
            .ok_or_else(|| PackError::MissingVariable {
                pack: pack.clone(),
                name: name.clone(),
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
    Ok(values)
}

/// `pattern` compiled so that it must match the whole value.
pub(crate) fn anchored_pattern(pattern: &str) -> Result<regex::Regex, regex::Error> {
    // The group keeps alternations inside the anchors: `a|b` becomes `\A(?:a|b)\z`.
    regex::Regex::new(&format!(r"\A(?:{pattern})\z"))
}
