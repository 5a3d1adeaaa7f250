//! Filters: Tera's names and argument spellings mapped to minijinja's, and the original
//! ggen's filters that have no direct equivalent.

use super::token::{Token, closing};
use super::{Findings, Names, Rewritten, arguments, expression};

/// Filters that mean the same here, with the keyword arguments Tera would have used, in the
/// order minijinja takes them positionally.
const SAME_FILTERS: &[(&str, &[&str])] = &[
    ("abs", &[]),
    ("capitalize", &[]),
    ("default", &["value"]),
    ("escape", &[]),
    ("first", &[]),
    ("float", &[]),
    ("int", &[]),
    ("join", &["sep"]),
    ("last", &[]),
    ("length", &[]),
    ("lines", &[]),
    ("list", &[]),
    ("lower", &[]),
    ("max", &[]),
    ("min", &[]),
    ("replace", &["from", "to"]),
    ("reverse", &[]),
    ("safe", &[]),
    ("split", &["pat"]),
    ("string", &[]),
    ("sum", &[]),
    ("trim", &[]),
    ("unique", &[]),
    ("upper", &[]),
    ("urlencode", &[]),
    ("snake_case", &[]),
    ("pascal_case", &[]),
    ("camel_case", &[]),
    ("kebab_case", &[]),
    ("shouty_snake_case", &[]),
    ("local", &[]),
    ("tojson", &[]),
];

/// Filters whose keyword arguments minijinja accepts as they are.
const KEYWORD_FILTERS: &[&str] = &["sort", "map", "indent", "round", "batch", "slice"];

/// Rewrites the filter `word` at `at` (and its argument list at `call`); returns where to go on.
pub(super) fn filter(
    tokens: &[Token],
    at: usize,
    word: &str,
    call: Option<usize>,
    names: &Names,
    out: &mut String,
    findings: &mut Findings,
) -> usize {
    let close = call.and_then(|open| closing(tokens, open));
    let args = match (call, close) {
        (Some(open), Some(close)) => arguments(&tokens[open + 1..close]),
        _ => Vec::new(),
    };
    let end = close.map_or(at + 1, |c| c + 1);
    let rendered = Rewritten::new(&args, names, findings);
    let arg = |key: &str| rendered.keyword(&[key]);
    let renamed = match word {
        "json_encode" => {
            if arg("pretty").is_some_and(|v| v != "false") {
                findings
                    .block("`json_encode(pretty=true)`: `tojson` writes compact JSON".to_string());
            }
            out.push_str("tojson");
            return end;
        }
        "snake" => Some("snake_case"),
        "pascal" => Some("pascal_case"),
        "camel" => Some("camel_case"),
        "kebab" => Some("kebab_case"),
        "shouty" => Some("shouty_snake_case"),
        "as_str" => Some("string"),
        _ => None,
    };
    if let Some(name) = renamed {
        out.push_str(name);
        return end;
    }
    match word {
        "title" | "title_case" => {
            findings.change(format!(
                "`{word}` (Title Case) became `snake_case | replace(\"_\", \" \") | title`"
            ));
            out.push_str("snake_case | replace(\"_\", \" \") | title");
            return end;
        }
        "pluralize" => {
            findings.change("`pluralize` became `plural` (simpler English rules)".to_string());
            out.push_str("plural");
            return end;
        }
        "trim_end" | "trim_start" => {
            findings.change(format!("`{word}` became `trim`, which trims both ends"));
            out.push_str("trim");
            return end;
        }
        "trim_end_matches" | "trim_start_matches" => {
            findings.change(format!(
                "`{word}` became `trim`, which trims the characters from both ends"
            ));
            out.push_str(&format!("trim({})", arg("pat").unwrap_or_default()));
            return end;
        }
        "group_by" => {
            let Some(attribute) = arg("attribute") else {
                findings.block("the filter `group_by` without `attribute`".to_string());
                return end;
            };
            findings
                .change("`group_by` became `groupby`: (key, rows) pairs in key order".to_string());
            out.push_str(&format!("groupby({attribute})"));
            return end;
        }
        "get" => {
            let Some(key) = arg("key") else {
                findings.block("the filter `get` without `key`".to_string());
                return end;
            };
            out.push_str(&format!("attr({key})"));
            if let Some(default) = arg("default") {
                out.push_str(&format!(" | default({default})"));
            }
            return end;
        }
        "concat" => {
            let Some(with) = arg("with") else {
                findings.block("the filter `concat` without `with`".to_string());
                return end;
            };
            let Some(start) = concat_operand(out) else {
                findings.block(
                    "`concat` after something other than a name: write it as `list + [item]`"
                        .to_string(),
                );
                return end;
            };
            let operand = out[start..]
                .trim_end()
                .trim_end_matches('|')
                .trim_end()
                .to_string();
            out.truncate(start);
            // Tera appends a value, or every item of an array.
            out.push_str(&format!(
                "({operand} + ({with} if {with} is sequence else [{with}]))"
            ));
            return end;
        }
        "filter" => {
            let attribute = arg("attribute").unwrap_or_default();
            match arg("value") {
                Some(value) => out.push_str(&format!("selectattr({attribute}, \"eq\", {value})")),
                None => out.push_str(&format!("selectattr({attribute})")),
            }
            return end;
        }
        _ => {}
    }
    if let Some((name, order)) = SAME_FILTERS.iter().find(|(name, _)| *name == word) {
        out.push_str(name);
        if call.is_some() {
            let mut positional: Vec<String> = rendered.positional().map(str::to_string).collect();
            for key in order.iter() {
                if let Some(value) = arg(key) {
                    positional.push(value);
                }
            }
            let known = rendered.keywords().all(|k| order.contains(&k));
            if !known {
                findings.block(format!(
                    "filter `{word}` with arguments this engine does not take"
                ));
            }
            out.push_str(&format!("({})", positional.join(", ")));
        }
        return end;
    }
    if KEYWORD_FILTERS.contains(&word) {
        out.push_str(word);
        if let (Some(open), Some(close)) = (call, close) {
            out.push('(');
            out.push_str(&expression(&tokens[open + 1..close], names, findings));
            out.push(')');
        }
        return end;
    }
    findings.block(format!("the Tera filter `{word}` has no equivalent here"));
    for token in &tokens[at..end] {
        out.push_str(token.text());
    }
    end
}

/// Where the name or path in front of the last `|` of `out` starts (`xs | concat(…)`).
fn concat_operand(out: &str) -> Option<usize> {
    let before = out.trim_end().strip_suffix('|')?.trim_end();
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '.')
        .last()
        .map(|(at, _)| at)?;
    before[start..]
        .starts_with(|c: char| c.is_alphabetic() || c == '_')
        .then_some(start)
}
