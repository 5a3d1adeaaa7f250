//! The names a template sees: variables, `pack`, `sparql` and, with `foreach`, the row.

use std::collections::BTreeMap;

use minijinja::value::Value;

use crate::{PackContext, Row, VarKind};

/// Everything but the row, built once per template render.
pub(crate) struct Scope {
    names: BTreeMap<String, Value>,
}

impl Scope {
    /// Variables first, then `pack` and `sparql`, which a variable of the same name cannot
    /// hide (they are how a template reaches its pack and graph).
    pub(crate) fn new(
        vars: &BTreeMap<String, String>,
        pack: &PackContext,
        sparql: BTreeMap<String, Vec<Row>>,
    ) -> Scope {
        let mut names: BTreeMap<String, Value> = vars
            .iter()
            .map(|(name, value)| {
                let kind = pack.kinds.get(name).copied().unwrap_or(VarKind::Text);
                (name.clone(), typed_value(value, kind))
            })
            .collect();
        let fields = BTreeMap::from([
            ("id".to_string(), Value::from(pack.id.as_str())),
            ("version".to_string(), Value::from(pack.version.as_str())),
        ]);
        names.insert("pack".to_string(), Value::from(fields));
        let queries: BTreeMap<String, Value> = sparql
            .into_iter()
            .map(|(name, rows)| (name, rows.iter().map(row_value).collect::<Value>()))
            .collect();
        names.insert("sparql".to_string(), Value::from(queries));
        Scope { names }
    }

    /// Just the variables (for [`crate::Renderer::render_str`]).
    pub(crate) fn vars_only(vars: &BTreeMap<String, String>) -> Scope {
        Scope {
            names: vars
                .iter()
                .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
                .collect(),
        }
    }

    /// The names in scope with `row` (for did-you-mean): variables, `pack`, each
    /// `sparql.<query>`, the row's bindings.
    pub(crate) fn names(&self, row: Option<&Row>) -> Vec<String> {
        let mut names: Vec<String> = self.names.keys().cloned().collect();
        if let Some(queries) = self.names.get("sparql")
            && let Ok(keys) = queries.try_iter()
        {
            names.extend(keys.map(|key| format!("sparql.{key}")));
        }
        names.extend(row.into_iter().flat_map(|row| row.keys().cloned()));
        names.sort();
        names.dedup();
        names
    }

    /// The context for one output: a `foreach` row's bindings shadow every other name.
    pub(crate) fn with_row(&self, row: Option<&Row>) -> Value {
        let Some(row) = row else {
            return Value::from(self.names.clone());
        };
        let mut names = self.names.clone();
        for (name, value) in row {
            names.insert(name.clone(), Value::from(value.as_str()));
        }
        Value::from(names)
    }
}

fn row_value(row: &Row) -> Value {
    let map: BTreeMap<String, Value> = row
        .iter()
        .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
        .collect();
    Value::from(map)
}

/// `text` as the template value its kind asks for; text that is not canonical for the kind
/// (the resolver normalises values before rendering) stays a string.
fn typed_value(text: &str, kind: VarKind) -> Value {
    match kind {
        VarKind::Text => Value::from(text),
        VarKind::Bool => match text {
            "true" => Value::from(true),
            "false" => Value::from(false),
            _ => Value::from(text),
        },
        VarKind::Int => text
            .parse::<i64>()
            .map_or_else(|_| Value::from(text), Value::from),
        VarKind::List => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(Value::from)
            .collect(),
    }
}
