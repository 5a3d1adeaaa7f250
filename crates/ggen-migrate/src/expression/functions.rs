//! The original ggen's helper functions rewritten: `sparql(query=…)` hoisted into the
//! template's named queries, and the others mapped to filters or values.

use super::token::{Token, closing, raw};
use super::{Findings, Names, Rewritten, arguments, expression};

/// Rewrites a function call; returns where to go on.
pub(super) fn function(
    tokens: &[Token],
    at: usize,
    open: usize,
    word: &str,
    names: &Names,
    out: &mut String,
    findings: &mut Findings,
) -> usize {
    let Some(close) = closing(tokens, open) else {
        out.push_str(word);
        return at + 1;
    };
    let args = arguments(&tokens[open + 1..close]);
    let rendered = Rewritten::new(&args, names, findings);
    let arg = |keys: &[&str]| rendered.keyword(keys);
    let rows = arg(&["rows", "results"]).unwrap_or_default();
    let inline_query = match args.as_slice() {
        [(Some(key), query)] if word == "sparql" && key == "query" => {
            let mut significant = query.iter().filter(|t| !matches!(t, Token::Space(_)));
            match (significant.next(), significant.next()) {
                (Some(literal), None) => literal_text(literal),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(text) = inline_query {
        let name = match findings.inline_queries.iter().find(|(_, q)| *q == text) {
            Some((name, _)) => name.clone(),
            None => {
                let name = format!("inline_query_{}", findings.inline_queries.len());
                findings.inline_queries.push((name.clone(), text));
                name
            }
        };
        findings.change(
            "`sparql(query=…)` in the body became a query of the frontmatter's `sparql:`"
                .to_string(),
        );
        out.push_str(&format!(
            "sparql[{}]",
            serde_json::to_string(&name).unwrap_or_default()
        ));
        return close + 1;
    }
    let text = match word {
        "sparql_first" => match arg(&["column"]) {
            Some(column) => format!("(({rows} | first)[{column}])"),
            None => format!("({rows} | first)"),
        },
        "sparql_values" => {
            let column = arg(&["column"]).unwrap_or_default();
            format!("({rows} | map(attribute={column}) | list)")
        }
        "sparql_count" => format!("({rows} | length)"),
        "sparql_empty" => format!("({rows} | length == 0)"),
        "local" => format!("({} | local)", arg(&["iri"]).unwrap_or_default()),
        "range" => {
            let mut parts = vec![arg(&["start"]).unwrap_or_else(|| "0".to_string())];
            parts.push(arg(&["end"]).unwrap_or_default());
            if let Some(step) = arg(&["step_by"]) {
                parts.push(step);
            }
            format!("range({})", parts.join(", "))
        }
        "sparql" => {
            findings.block(
                "`sparql()` is called from the body; move the query into the frontmatter's `sparql:`"
                    .to_string(),
            );
            raw(tokens, at, close)
        }
        "now" => {
            findings.block("`now()` makes the output differ on every run".to_string());
            raw(tokens, at, close)
        }
        "get_env" | "get_random" | "throw" => {
            findings.block(format!(
                "the Tera function `{word}()` has no equivalent here"
            ));
            raw(tokens, at, close)
        }
        _ if names.locals.iter().any(|l| l == word) || names.defined.contains(word) => {
            // A macro of this template or an import: keep the call.
            format!(
                "{word}({})",
                expression(&tokens[open + 1..close], names, findings)
            )
        }
        _ => {
            if word.chars().next().is_some_and(char::is_lowercase) {
                // Probably a macro defined in this template.
                format!(
                    "{word}({})",
                    expression(&tokens[open + 1..close], names, findings)
                )
            } else {
                raw(tokens, at, close)
            }
        }
    };
    out.push_str(&text);
    close + 1
}

/// The text of a string literal token as Tera reads it (Tera has no escapes).
fn literal_text(token: &Token) -> Option<String> {
    let Token::Str(raw) = token else {
        return None;
    };
    if raw.starts_with('"') && raw.len() >= 2 {
        // Backtick strings were re-quoted as JSON by the lexer.
        if let Ok(text) = serde_json::from_str::<String>(raw) {
            return Some(text);
        }
    }
    raw.get(1..raw.len().saturating_sub(1)).map(str::to_string)
}
