//! Conditions: Tera takes an undefined name as false in an `if`, a strict engine stops, so a
//! bare name or path tested for truth that may be undefined is guarded; comparisons of a
//! row value with a number read it as a number.

use super::token::{Token, closing, significant, with_depth};
use super::{Findings, KEYWORDS, Names, expression};

/// Splits a condition at top-level `and`/`or`/`not` and guards each operand that is a bare
/// name or path tested for truth.
pub(super) fn condition(tokens: &[Token], names: &Names, findings: &mut Findings) -> String {
    let mut out = String::new();
    let mut operand: Vec<Token> = Vec::new();
    for (depth, token) in with_depth(tokens) {
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
