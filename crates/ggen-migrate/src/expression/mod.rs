//! Rewrites one Tera expression (the inside of `{{ }}` or of a tag) into the minijinja
//! spelling this project's engine accepts: filter names and keyword arguments, the original
//! ggen's helper functions, `row.X` under a per-row fan-out, and Tera's rule that an
//! undefined name is false in an `if`.

use std::collections::BTreeSet;

mod condition;
mod filters;
mod functions;
mod token;

use condition::condition;
use filters::filter;
use functions::function;
use token::{Token, lex};
use token::{previous_significant, significant, with_depth};

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

/// A call's arguments: `(keyword, tokens)`, split at top-level commas.
fn arguments(tokens: &[Token]) -> Vec<(Option<String>, Vec<Token>)> {
    let mut args = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    for (depth, token) in with_depth(tokens) {
        if token.is(",") && depth == 0 {
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

/// A call's arguments, each rewritten: `(keyword, text)` in the order written.
struct Rewritten(Vec<(Option<String>, String)>);

impl Rewritten {
    fn new(args: &[(Option<String>, Vec<Token>)], names: &Names, findings: &mut Findings) -> Self {
        Rewritten(
            args.iter()
                .map(|(key, arg)| {
                    let text = expression(arg, names, findings).trim().to_string();
                    (key.clone(), text)
                })
                .collect(),
        )
    }

    /// The first argument given with one of the keywords `keys`.
    fn keyword(&self, keys: &[&str]) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k.as_deref().is_some_and(|k| keys.contains(&k)))
            .map(|(_, v)| v.clone())
    }

    /// The arguments given without a keyword, in order.
    fn positional(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(|(k, _)| k.is_none())
            .map(|(_, v)| v.as_str())
    }

    /// The keywords given.
    fn keywords(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|(k, _)| k.as_deref())
    }
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
