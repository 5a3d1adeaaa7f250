//! How values print: booleans as `true`/`false`, none as nothing, lists and maps as JSON.
//!
//! Generated files are code and configuration, never Python: `True`, `None` and `['a']`
//! are wrong in every language a pack targets, JSON is right (or close) in most.

use minijinja::value::{Value, ValueKind};
use minijinja::{Error, Output, State};

/// The engine's formatter: what `{{ value }}` writes.
pub(crate) fn format(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    match value.kind() {
        ValueKind::None => Ok(()),
        ValueKind::Bool => out
            .write_str(if value.is_true() { "true" } else { "false" })
            .map_err(Error::from),
        ValueKind::Seq | ValueKind::Map | ValueKind::Iterable => {
            let mut text = String::new();
            write_json(&mut text, value, 0);
            out.write_str(&text).map_err(Error::from)
        }
        // Strings, numbers, booleans — and undefined, which the default formatter reports
        // under strict undefined behaviour.
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// The `tojson` filter: any value as JSON text (`["a", 1]`, `{"a": 1}`, `"text"`, `null`).
pub(crate) fn to_json(value: &Value) -> String {
    let mut text = String::new();
    write_json(&mut text, value, 0);
    text
}

/// Nesting deeper than this prints `null`: values come from templates and graphs, and a
/// cycle or a hostile depth must not overflow the stack.
const MAX_DEPTH: usize = 64;

fn write_json(out: &mut String, value: &Value, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("null");
        return;
    }
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            let text = value.to_string();
            // JSON has no NaN or infinity.
            if text.parse::<f64>().is_ok_and(f64::is_finite) {
                out.push_str(&text);
            } else {
                out.push_str("null");
            }
        }
        ValueKind::String | ValueKind::Bytes | ValueKind::Plain | ValueKind::Invalid => {
            let text = match value.as_str() {
                Some(text) => text.to_string(),
                None => value.to_string(),
            };
            write_string(out, &text);
        }
        ValueKind::Map => {
            out.push('{');
            let keys: Vec<Value> = value
                .try_iter()
                .map(|keys| keys.collect())
                .unwrap_or_default();
            for (index, key) in keys.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                let name = match key.as_str() {
                    Some(name) => name.to_string(),
                    None => key.to_string(),
                };
                write_string(out, &name);
                out.push_str(": ");
                let item = value.get_item(key).unwrap_or(Value::UNDEFINED);
                write_json(out, &item, depth + 1);
            }
            out.push('}');
        }
        _ => {
            out.push('[');
            if let Ok(items) = value.try_iter() {
                for (index, item) in items.enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    write_json(out, &item, depth + 1);
                }
            }
            out.push(']');
        }
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn json_of_plain_values() {
        assert_eq!(to_json(&Value::from(true)), "true");
        assert_eq!(to_json(&Value::from(())), "null");
        assert_eq!(to_json(&Value::from("a\"b\n")), "\"a\\\"b\\n\"");
        let list = Value::from(vec![Value::from("a"), Value::from(1)]);
        assert_eq!(to_json(&list), "[\"a\", 1]");
        let map = Value::from(BTreeMap::from([("a", Value::from(1)), ("b", list)]));
        assert_eq!(to_json(&map), "{\"a\": 1, \"b\": [\"a\", 1]}");
    }
}
