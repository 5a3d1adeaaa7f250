//! `--var-file FILE.toml`: a table of `name = value`, typed as in `gpack.toml` defaults.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::CliError;

/// The variables in `path`, each as the text `--var` would give: strings as they are,
/// booleans `true`/`false`, integers in decimal, arrays of strings comma-joined (a `list`).
pub fn read(path: &Path) -> Result<BTreeMap<String, String>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        CliError::usage(format!("cannot read var file {}: {err}", path.display()))
    })?;
    let table: toml::Table = toml::from_str(&text)
        .map_err(|err| CliError::usage(format!("invalid var file {}: {err}", path.display())))?;
    table_values(&table)
        .map_err(|message| CliError::usage(format!("var file {}: {message}", path.display())))
}

/// A TOML table of variables (a var file, `[defaults]` of the config) as `--var` texts.
pub fn table_values(table: &toml::Table) -> Result<BTreeMap<String, String>, String> {
    let mut values = BTreeMap::new();
    for (name, value) in table {
        let text = value_text(value).ok_or_else(|| {
            format!(
                "`{name}` is a {}; expected a string, boolean, integer or array of strings",
                value.type_str()
            )
        })?;
        values.insert(name.clone(), text);
    }
    Ok(values)
}

fn value_text(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Boolean(flag) => Some(flag.to_string()),
        toml::Value::Integer(number) => Some(number.to_string()),
        toml::Value::Array(items) => {
            let items: Option<Vec<&str>> = items.iter().map(toml::Value::as_str).collect();
            items.map(|items| items.join(","))
        }
        _ => None,
    }
}
