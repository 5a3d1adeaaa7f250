//! Rewrites one Tera expression (the inside of `{{ }}` or of a tag) into the minijinja
//! spelling this project's engine accepts: filter names and keyword arguments, the original
//! ggen's helper functions, `row.X` under a per-row fan-out, and Tera's rule that an
//! undefined name is false in an `if`.

use std::collections::BTreeSet;

/// One lexical token; spaces are kept so untouched text comes out byte for byte.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    Ident(String),
    Number(String),
    /// A string literal as written, quotes included.
    Str(String),
    Punct(String),
    Space(String),
}

impl Token {
    fn text(&self) -> &str {
        match self {
            Token::Ident(s)
            | Token::Number(s)
            | Token::Str(s)
            | Token::Punct(s)
            | Token::Space(s) => s,
        }
    }

    fn is(&self, punct: &str) -> bool {
        matches!(self, Token::Punct(p) if p == punct)
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self, Token::Ident(w) if w == word)
    }
}

pub(crate) fn lex(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            tokens.push(Token::Space(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_')
            {
                // `1.5` is a number, `x.0.name` is handled by the caller seeing `.`.
                if chars[i] == '.' && !chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                    break;
                }
                i += 1;
            }
            tokens.push(Token::Number(chars[start..i].iter().collect()));
        } else if c == '"' || c == '\'' || c == '`' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            let raw: String = chars[start..i].iter().collect();
            // Tera's backtick strings are plain strings.
            let raw = if c == '`' {
                serde_json::to_string(&raw[1..raw.len().saturating_sub(1)]).unwrap_or(raw)
            } else {
                raw
            };
            tokens.push(Token::Str(raw));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["==", "!=", "<=", ">=", "::", "//", "**"].contains(&two.as_str()) {
                i += 2;
                tokens.push(Token::Punct(two));
            } else {
                i += 1;
                tokens.push(Token::Punct(c.to_string()));
            }
        }
    }
    tokens
}

/// What the rewriter knows about the names around an expression.
pub(crate) struct Names<'a> {
    /// Names bound by the enclosing template: loop variables, `set` names, macro arguments.
    pub locals: &'a [String],
    /// Names that are always defined at the top level (variables, query results, `pack`).
    pub defined: &'a BTreeSet<String>,
    /// Under a per-row fan-out the row's bindings are top-level names: `row.x` becomes `x`.
    pub row_bindings: bool,
    /// Names that live in the namespace object `namespace` (see [`crate::body::Scan::prepare`]).
    pub globals: &'a BTreeSet<String>,
    pub namespace: &'a str,
}

/// What a rewrite found: changes worth a note, things a human must do, free names used.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub changes: Vec<String>,
    pub blockers: Vec<String>,
    /// Top-level names the expression reads (not locals, not attributes, not filters).
    pub roots: BTreeSet<String>,
    /// Queries the body ran with `sparql(query="…")`, by the name they have in `sparql:` now.
    pub inline_queries: Vec<(String, String)>,
}

impl Findings {
    fn change(&mut self, note: String) {
        if !self.changes.contains(&note) {
            self.changes.push(note);
        }
    }

    fn block(&mut self, note: String) {
        if !self.blockers.contains(&note) {
            self.blockers.push(note);
        }
    }
}

const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "else",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
    "as",
    "with",
    "recursive",
];

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

/// Rewrites an expression.
pub(crate) fn rewrite(source: &str, names: &Names, findings: &mut Findings) -> String {
    let tokens = lex(source);
    expression(&tokens, names, findings)
}

/// Rewrites an `if`/`elif` condition: like [`rewrite`], and a bare name or path tested for
/// truth that may be undefined is guarded, because Tera takes an undefined name as false
/// where a strict engine stops.
pub(crate) fn rewrite_condition(source: &str, names: &Names, findings: &mut Findings) -> String {
    let tokens = lex(source);
    condition(&tokens, names, findings)
}

fn significant(tokens: &[Token], from: usize) -> Option<usize> {
    (from..tokens.len()).find(|&i| !matches!(tokens[i], Token::Space(_)))
}

fn previous_significant(tokens: &[Token], before: usize) -> Option<&Token> {
    tokens[..before]
        .iter()
        .rev()
        .find(|t| !matches!(t, Token::Space(_)))
}

/// The index of the `)`/`]` closing the bracket at `open`.
fn closing(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        if token.is("(") || token.is("[") || token.is("{") {
            depth += 1;
        } else if token.is(")") || token.is("]") || token.is("}") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// A call's arguments: `(keyword, tokens)`, split at top-level commas.
fn arguments(tokens: &[Token]) -> Vec<(Option<String>, Vec<Token>)> {
    let mut args = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let mut depth = 0usize;
    for token in tokens {
        if token.is("(") || token.is("[") || token.is("{") {
            depth += 1;
        } else if token.is(")") || token.is("]") || token.is("}") {
            depth = depth.saturating_sub(1);
        } else if token.is(",") && depth == 0 {
            args.push(std::mem::take(&mut current));
            continue;
        }
        current.push(token.clone());
    }
    if current.iter().any(|t| !matches!(t, Token::Space(_))) {
        args.push(current);
    }
    args.into_iter()
        .map(|arg| {
            let first = significant(&arg, 0);
            let second = first.and_then(|i| significant(&arg, i + 1));
            match (first, second) {
                (Some(a), Some(b)) if matches!(arg[a], Token::Ident(_)) && arg[b].is("=") => {
                    (Some(arg[a].text().to_string()), arg[b + 1..].to_vec())
                }
                _ => (None, arg),
            }
        })
        .collect()
}

fn expression(tokens: &[Token], names: &Names, findings: &mut Findings) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < tokens.len() {
        let Token::Ident(word) = &tokens[i] else {
            if tokens[i].is("::") {
                findings.block("a Tera `::` macro call has no spelling here".to_string());
            }
            out.push_str(tokens[i].text());
            i += 1;
            continue;
        };
        let previous = previous_significant(tokens, i);
        let next = significant(tokens, i + 1);
        let call = next.filter(|&n| tokens[n].is("("));
        if previous.is_some_and(|t| t.is("|")) {
            i = filter(tokens, i, word, call, names, &mut out, findings);
            continue;
        }
        if previous.is_some_and(|t| t.is(".")) {
            out.push_str(word);
            i += 1;
            continue;
        }
        if previous.is_some_and(|t| t.is_word("is"))
            || (previous.is_some_and(|t| t.is_word("not"))
                && tokens[..i]
                    .iter()
                    .rev()
                    .filter(|t| !matches!(t, Token::Space(_)))
                    .nth(1)
                    .is_some_and(|t| t.is_word("is")))
        {
            out.push_str(&test_name(word, findings));
            i += 1;
            continue;
        }
        if let Some(open) = call {
            i = function(tokens, i, open, word, names, &mut out, findings);
            continue;
        }
        if KEYWORDS.contains(&word.as_str()) {
            out.push_str(word);
            i += 1;
            continue;
        }
        if next.is_some_and(|n| tokens[n].is("::")) {
            // `self::m(...)` calls a macro of this template; `ns::m(...)` one of an import.
            let after = next.and_then(|n| significant(tokens, n + 1));
            if word != "self" {
                out.push_str(word);
                out.push('.');
            }
            i = after.unwrap_or(tokens.len());
            continue;
        }
        let local = names.locals.iter().any(|l| l == word);
        if word == "row" && names.row_bindings && !local {
            i = row_access(tokens, i, &mut out, findings);
            continue;
        }
        if !local && names.globals.contains(word) {
            out.push_str(names.namespace);
            out.push('.');
        } else if !local {
            findings.roots.insert(word.clone());
        }
        out.push_str(word);
        i += 1;
    }
    out
}

/// `row.x` / `row["x"]` under a fan-out: the binding is a top-level name here.
fn row_access(tokens: &[Token], at: usize, out: &mut String, findings: &mut Findings) -> usize {
    let next = significant(tokens, at + 1);
    if let Some(dot) = next.filter(|&n| tokens[n].is("."))
        && let Some(name) = significant(tokens, dot + 1)
        && let Token::Ident(field) = &tokens[name]
    {
        findings.roots.insert(field.clone());
        out.push_str(field);
        return name + 1;
    }
    if let Some(open) = next.filter(|&n| tokens[n].is("["))
        && let Some(key) = significant(tokens, open + 1)
        && let Token::Str(raw) = &tokens[key]
        && let Some(close) = significant(tokens, key + 1).filter(|&c| tokens[c].is("]"))
    {
        let field = raw[1..raw.len().saturating_sub(1)].to_string();
        if field.chars().all(|c| c.is_alphanumeric() || c == '_') && !field.is_empty() {
            findings.roots.insert(field.clone());
            out.push_str(&field);
            return close + 1;
        }
    }
    findings.block(
        "`row` is used as a whole; here a row's bindings are top-level names only".to_string(),
    );
    out.push_str("row");
    at + 1
}

fn test_name(word: &str, findings: &mut Findings) -> String {
    match word {
        "starting_with" => "startingwith".to_string(),
        "ending_with" => "endingwith".to_string(),
        "object" => "mapping".to_string(),
        "containing" => {
            findings.block("`is containing` outside an `if` condition".to_string());
            word.to_string()
        }
        "matching" => {
            findings.block("the Tera test `matching` (a regex) has no equivalent here".to_string());
            word.to_string()
        }
        _ => word.to_string(),
    }
}

/// Rewrites the filter `word` at `at` (and its argument list at `call`); returns where to go on.
fn filter(
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
    let rendered: Vec<(Option<String>, String)> = args
        .iter()
        .map(|(key, arg)| {
            (
                key.clone(),
                expression(arg, names, findings).trim().to_string(),
            )
        })
        .collect();
    let arg = |key: &str| {
        rendered
            .iter()
            .find(|(k, _)| k.as_deref() == Some(key))
            .map(|(_, v)| v.clone())
    };
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
            let mut positional: Vec<String> = rendered
                .iter()
                .filter(|(k, _)| k.is_none())
                .map(|(_, v)| v.clone())
                .collect();
            for key in order.iter() {
                if let Some(value) = arg(key) {
                    positional.push(value);
                }
            }
            let known = rendered
                .iter()
                .all(|(k, _)| k.as_deref().is_none_or(|k| order.contains(&k)));
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

/// Rewrites a function call; returns where to go on.
fn function(
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
    let rendered: Vec<(Option<String>, String)> = args
        .iter()
        .map(|(key, arg)| {
            (
                key.clone(),
                expression(arg, names, findings).trim().to_string(),
            )
        })
        .collect();
    let arg = |keys: &[&str]| {
        rendered
            .iter()
            .find(|(k, _)| k.as_deref().is_some_and(|k| keys.contains(&k)))
            .map(|(_, v)| v.clone())
    };
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

fn raw(tokens: &[Token], from: usize, to: usize) -> String {
    tokens[from..=to].iter().map(Token::text).collect()
}

/// Splits a condition at top-level `and`/`or`/`not` and guards each operand that is a bare
/// name or path tested for truth.
fn condition(tokens: &[Token], names: &Names, findings: &mut Findings) -> String {
    let mut out = String::new();
    let mut operand: Vec<Token> = Vec::new();
    let mut depth = 0usize;
    for token in tokens {
        if token.is("(") || token.is("[") || token.is("{") {
            depth += 1;
        } else if token.is(")") || token.is("]") || token.is("}") {
            depth = depth.saturating_sub(1);
        }
        let boolean =
            depth == 0 && (token.is_word("and") || token.is_word("or") || token.is_word("not"));
        // `x is not defined`: that `not` belongs to the test.
        let in_test = token.is_word("not")
            && operand
                .iter()
                .rev()
                .find(|t| !matches!(t, Token::Space(_)))
                .is_some_and(|t| t.is_word("is"));
        if boolean && !in_test {
            out.push_str(&condition_operand(&operand, names, findings));
            operand.clear();
            out.push_str(token.text());
        } else {
            operand.push(token.clone());
        }
    }
    out.push_str(&condition_operand(&operand, names, findings));
    out
}

fn condition_operand(tokens: &[Token], names: &Names, findings: &mut Findings) -> String {
    let Some(first) = significant(tokens, 0) else {
        return tokens.iter().map(Token::text).collect();
    };
    let last = (0..tokens.len())
        .rev()
        .find(|&i| !matches!(tokens[i], Token::Space(_)))
        .unwrap_or(first);
    let lead: String = tokens[..first].iter().map(Token::text).collect();
    let trail: String = tokens[last + 1..].iter().map(Token::text).collect();
    let core = &tokens[first..=last];
    // A parenthesised group: a condition of its own.
    if core[0].is("(") && closing(core, 0) == Some(core.len() - 1) {
        let inner = condition(&core[1..core.len() - 1], names, findings);
        return format!("{lead}({inner}){trail}");
    }
    // `x is containing(y)` -> `(y) in (x)`.
    if let Some(is_at) = core.iter().position(|t| t.is_word("is")) {
        let test = significant(core, is_at + 1);
        let (negated, test) = match test {
            Some(t) if core[t].is_word("not") => (true, significant(core, t + 1)),
            other => (false, other),
        };
        if let Some(t) = test.filter(|&t| core[t].is_word("containing"))
            && let Some(open) = significant(core, t + 1).filter(|&o| core[o].is("("))
            && closing(core, open) == Some(core.len() - 1)
        {
            let subject = expression(&core[..is_at], names, findings);
            let needle = expression(&core[open + 1..core.len() - 1], names, findings);
            let op = if negated { "not in" } else { "in" };
            return format!("{lead}({}) {op} ({}){trail}", needle.trim(), subject.trim());
        }
    }
    if let Some(path) = path_root(core)
        && needs_guard(core, &path, names)
    {
        let text = expression(core, names, findings);
        findings.change(
            "an `if` on a name that may be undefined is guarded with `is defined` (Tera took it as false)"
                .to_string(),
        );
        return format!("{lead}({text} is defined and {text} and {text} != \"false\"){trail}");
    }
    if let Some(text) = typed_comparison(core, names, findings) {
        return format!("{lead}{text}{trail}");
    }
    format!("{lead}{}{trail}", expression(core, names, findings))
}

/// The root name when `tokens` is exactly a path: `a`, `a.b`, `a["b"]`, `a.0.c`.
fn path_root(tokens: &[Token]) -> Option<String> {
    let Token::Ident(root) = tokens.first()? else {
        return None;
    };
    if KEYWORDS.contains(&root.as_str()) {
        return None;
    }
    let mut i = 1;
    while i < tokens.len() {
        if tokens[i].is(".")
            && matches!(tokens.get(i + 1), Some(Token::Ident(_) | Token::Number(_)))
        {
            i += 2;
        } else if tokens[i].is("[")
            && matches!(tokens.get(i + 1), Some(Token::Str(_) | Token::Number(_)))
            && tokens.get(i + 2).is_some_and(|t| t.is("]"))
        {
            i += 3;
        } else {
            return None;
        }
    }
    Some(root.clone())
}

fn needs_guard(tokens: &[Token], root: &str, names: &Names) -> bool {
    let bare = tokens.len() == 1;
    if root == "loop" || root == "pack" || root == "sparql" {
        return false;
    }
    if root == "row" && names.row_bindings {
        return true;
    }
    let local = names.locals.iter().any(|l| l == root);
    if bare {
        return !local && !names.defined.contains(root);
    }
    true
}

/// `path < 3`: the original's rows carried typed numbers, here a row value is text.
fn typed_comparison(tokens: &[Token], names: &Names, findings: &mut Findings) -> Option<String> {
    let significant_tokens: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i], Token::Space(_)))
        .collect();
    let op_at = significant_tokens.iter().copied().find(|&i| {
        ["<", ">", "<=", ">=", "==", "!="]
            .iter()
            .any(|op| tokens[i].is(op))
    })?;
    let left = &tokens[..op_at];
    let right = &tokens[op_at + 1..];
    let trimmed = |part: &[Token]| -> Vec<Token> {
        part.iter()
            .filter(|t| !matches!(t, Token::Space(_)))
            .cloned()
            .collect()
    };
    let (l, r) = (trimmed(left), trimmed(right));
    let number = |part: &[Token]| part.len() == 1 && matches!(part[0], Token::Number(_));
    let path = |part: &[Token]| {
        path_root(part)
            .is_some_and(|root| !names.defined.contains(&root) || part.len() > 1 || root == "row")
    };
    let op = tokens[op_at].text();
    if op == "==" || op == "!=" {
        // `row.flag == true`, `row.n == 3`: the original compared typed values, here a row
        // value is text; both sides are compared as text.
        let literal = |part: &[Token]| {
            part.len() == 1
                && (matches!(part[0], Token::Number(_))
                    || part[0].is_word("true")
                    || part[0].is_word("false"))
        };
        let (subject, value) = if literal(&r) && path(&l) {
            (&l, &r[0])
        } else if literal(&l) && path(&r) {
            (&r, &l[0])
        } else {
            return None;
        };
        let subject = expression(subject, names, findings);
        findings.change(
            "a comparison with a typed literal compares text (`| string`): row values are text here"
                .to_string(),
        );
        return Some(format!(
            "({subject} | string) {op} {}",
            serde_json::to_string(value.text()).unwrap_or_default()
        ));
    }
    if number(&r) && path(&l) {
        let subject = expression(&l, names, findings);
        findings.change(
            "a comparison with a number reads the row value as a number (`| float`)".to_string(),
        );
        return Some(format!("({subject} | float) {op} {}", r[0].text()));
    }
    if number(&l) && path(&r) {
        let subject = expression(&r, names, findings);
        findings.change(
            "a comparison with a number reads the row value as a number (`| float`)".to_string(),
        );
        return Some(format!("{} {op} ({subject} | float)", l[0].text()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(
        defined: &[&str],
        locals: &[&str],
        row_bindings: bool,
    ) -> (BTreeSet<String>, Vec<String>, bool) {
        (
            defined.iter().map(|s| s.to_string()).collect(),
            locals.iter().map(|s| s.to_string()).collect(),
            row_bindings,
        )
    }

    fn run(
        source: &str,
        defined: &[&str],
        locals: &[&str],
        row_bindings: bool,
    ) -> (String, Findings) {
        let (defined, locals, row_bindings) = names(defined, locals, row_bindings);
        let globals = BTreeSet::new();
        let names = Names {
            locals: &locals,
            defined: &defined,
            row_bindings,
            globals: &globals,
            namespace: "",
        };
        let mut findings = Findings::default();
        let out = rewrite(source, &names, &mut findings);
        (out, findings)
    }

    fn cond(source: &str, defined: &[&str], locals: &[&str]) -> String {
        let (defined, locals, row_bindings) = names(defined, locals, false);
        let globals = BTreeSet::new();
        let names = Names {
            locals: &locals,
            defined: &defined,
            row_bindings,
            globals: &globals,
            namespace: "",
        };
        rewrite_condition(source, &names, &mut Findings::default())
    }

    #[test]
    fn keyword_arguments_become_positional() {
        assert_eq!(
            run(" x | default(value=\"a\") ", &[], &[], false).0,
            " x | default(\"a\") "
        );
        assert_eq!(
            run("x | replace(from=\"-\", to=\"_\")", &[], &[], false).0,
            "x | replace(\"-\", \"_\")"
        );
        assert_eq!(
            run("x|json_encode|safe", &[], &[], false).0,
            "x|tojson|safe"
        );
        assert_eq!(run("x | snake", &[], &[], false).0, "x | snake_case");
    }

    #[test]
    fn helper_functions_become_filters() {
        assert_eq!(
            run("sparql_first(rows=apps).name", &[], &[], false).0,
            "(apps | first).name"
        );
        assert_eq!(
            run("sparql_count(rows=cmds)", &[], &[], false).0,
            "(cmds | length)"
        );
        let (_, findings) = run("sparql(query=q)", &[], &[], false);
        assert_eq!(findings.blockers.len(), 1);
    }

    #[test]
    fn row_fields_are_top_level_under_a_fan_out() {
        let (out, findings) = run("row.name | upper", &[], &[], true);
        assert_eq!(out, "name | upper");
        assert!(findings.roots.contains("name"));
        // A loop variable called `row` is left alone.
        assert_eq!(run("row.name", &[], &["row"], true).0, "row.name");
    }

    #[test]
    fn undefined_is_false_in_conditions() {
        assert_eq!(
            cond(" c.optional and not x ", &["x"], &["c"]),
            " (c.optional is defined and c.optional and c.optional != \"false\") and not x "
        );
        assert_eq!(cond("loop.first", &[], &[]), "loop.first");
        assert_eq!(cond("c is defined", &[], &["c"]), "c is defined");
        assert_eq!(
            cond(" x is containing(\"a\") ", &[], &["x"]),
            " (\"a\") in (x) "
        );
        assert_eq!(cond("c.n > 3", &[], &["c"]), "(c.n | float) > 3");
        assert_eq!(
            cond("p.flag == true", &[], &["p"]),
            "(p.flag | string) == \"true\""
        );
        assert_eq!(cond("1 != p.n", &[], &["p"]), "(p.n | string) != \"1\"");
        assert_eq!(cond("p.kind == \"a\"", &[], &["p"]), "p.kind == \"a\"");
    }

    #[test]
    fn group_by_becomes_groupby() {
        assert_eq!(
            run("rows | group_by(attribute=\"kind\")", &[], &["rows"], false).0,
            "rows | groupby(\"kind\")"
        );
    }

    #[test]
    fn get_and_concat_filters() {
        assert_eq!(
            run("rows | first | get(key=\"agentStruct\")", &[], &[], false).0,
            "rows | first | attr(\"agentStruct\")"
        );
        assert_eq!(
            run("m | get(key=k, default=\"x\")", &[], &["m", "k"], false).0,
            "m | attr(k) | default(\"x\")"
        );
        let (out, findings) = run(" tables | concat(with=t) ", &[], &["tables", "t"], false);
        assert_eq!(out, " (tables + (t if t is sequence else [t])) ");
        assert!(findings.blockers.is_empty());
        let (_, findings) = run("(a ~ b) | concat(with=t)", &[], &["a", "b", "t"], false);
        assert_eq!(findings.blockers.len(), 1);
    }

    #[test]
    fn a_literal_sparql_call_becomes_a_named_query() {
        let (out, findings) = run(
            "sparql(query='SELECT ?a WHERE { ?a ?b ?c }') | first",
            &[],
            &[],
            false,
        );
        assert_eq!(out, "sparql[\"inline_query_0\"] | first");
        assert_eq!(
            findings.inline_queries,
            [(
                "inline_query_0".to_string(),
                "SELECT ?a WHERE { ?a ?b ?c }".to_string()
            )]
        );
        // A query built at render time still needs a human.
        let (_, findings) = run("sparql(query=q ~ \"x\")", &[], &["q"], false);
        assert_eq!(findings.blockers.len(), 1);
        assert!(findings.inline_queries.is_empty());
    }
}
