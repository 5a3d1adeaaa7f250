//! Walks a Tera template body tag by tag, rewriting each expression (see
//! [`crate::expression`]) and keeping track of the names loops, macros and `set` bind.

use std::collections::{BTreeMap, BTreeSet};

use crate::expression::{self, Findings, Names};

/// One body (or `to:` path) being rewritten.
pub(crate) struct Scan<'a> {
    /// Top-level names that are always defined.
    pub defined: &'a BTreeSet<String>,
    /// Under a per-row fan-out `row.x` becomes `x`.
    pub row_bindings: bool,
    /// Original include names and the names they have in the new pack.
    pub includes: &'a BTreeMap<String, String>,
    frames: Vec<Vec<String>>,
    loops: usize,
    /// Names a `set_global` inside a loop assigns: here they live in a namespace object.
    globals: BTreeSet<String>,
    /// That namespace's name (one the template does not use).
    namespace: String,
    /// Names set from a `groupby`: a list of (key, rows) pairs already, not a map.
    grouped: BTreeSet<String>,
    pub findings: Findings,
}

impl<'a> Scan<'a> {
    pub(crate) fn new(
        defined: &'a BTreeSet<String>,
        row_bindings: bool,
        includes: &'a BTreeMap<String, String>,
    ) -> Scan<'a> {
        Scan {
            defined,
            row_bindings,
            includes,
            frames: vec![Vec::new()],
            loops: 0,
            globals: BTreeSet::new(),
            namespace: String::new(),
            grouped: BTreeSet::new(),
            findings: Findings::default(),
        }
    }

    /// Prepares for `body`: the names it assigns with `set_global` inside a loop. Tera's
    /// `set_global` writes the template's top-level frame, where a `set` here stays in the
    /// loop; such names become attributes of a namespace object instead, set and read as
    /// `NS.name` everywhere in the template.
    pub(crate) fn prepare(&mut self, body: &str) {
        self.globals = loop_globals(body);
        let mut namespace = "tera_globals".to_string();
        while body.contains(&namespace) {
            namespace.push('_');
        }
        self.namespace = namespace;
    }

    /// What goes in front of the body: the namespace object, when [`Scan::prepare`] found
    /// names for it (a tag that outputs nothing).
    pub(crate) fn prelude(&self) -> String {
        if self.globals.is_empty() {
            String::new()
        } else {
            format!("{{% set {} = namespace() %}}", self.namespace)
        }
    }

    fn locals(&self) -> Vec<String> {
        self.frames.iter().flatten().cloned().collect()
    }

    fn bind(&mut self, name: &str) {
        if let Some(frame) = self.frames.last_mut() {
            frame.push(name.to_string());
        }
    }

    fn expression(&mut self, source: &str, condition: bool) -> String {
        let locals = self.locals();
        let names = Names {
            locals: &locals,
            defined: self.defined,
            row_bindings: self.row_bindings,
            globals: &self.globals,
            namespace: &self.namespace,
        };
        if condition {
            expression::rewrite_condition(source, &names, &mut self.findings)
        } else {
            expression::rewrite(source, &names, &mut self.findings)
        }
    }

    /// Rewrites a whole template text.
    pub(crate) fn text(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 64);
        let mut rest = text;
        while let Some(at) = next_markup(rest) {
            out.push_str(&rest[..at]);
            let tail = &rest[at..];
            let close = match &tail[..2] {
                "{#" => "#}",
                "{{" => "}}",
                _ => "%}",
            };
            let Some(end) = find_close(tail, close) else {
                self.findings
                    .blockers
                    .push(format!("an unclosed `{}`", &tail[..2]));
                out.push_str(tail);
                return out;
            };
            let whole = &tail[..end + 2];
            rest = &tail[end + 2..];
            match &tail[..2] {
                "{#" => out.push_str(whole),
                "{{" => {
                    let (open, inner, closing) = trim_markers(whole);
                    let rewritten = self.expression(inner, false);
                    out.push_str(&format!("{open}{rewritten}{closing}"));
                }
                _ => {
                    let (open, inner, closing) = trim_markers(whole);
                    if first_word(inner) == "raw" {
                        out.push_str(whole);
                        let (raw, after) = split_raw(rest);
                        out.push_str(raw);
                        rest = after;
                        continue;
                    }
                    let rewritten = self.tag(inner);
                    out.push_str(&format!("{open}{rewritten}{closing}"));
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// Rewrites the inside of one `{% %}` tag.
    fn tag(&mut self, inner: &str) -> String {
        let word = first_word(inner);
        let lead_len = inner.len() - inner.trim_start().len();
        let (lead, after_word) = (&inner[..lead_len], &inner[lead_len + word.len()..]);
        match word {
            "for" => {
                let Some(in_at) = find_word(after_word, "in") else {
                    self.findings
                        .blockers
                        .push("a `for` without `in`".to_string());
                    return inner.to_string();
                };
                let targets_text = &after_word[..in_at];
                let source = &after_word[in_at + 2..];
                let targets: Vec<String> = targets_text
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect();
                let rewritten = self.expression(source, false);
                self.frames.push(Vec::new());
                self.loops += 1;
                for target in &targets {
                    self.bind(target);
                }
                self.bind("loop");
                let grouped =
                    rewritten.contains("groupby(") || self.grouped.contains(rewritten.trim());
                if targets.len() == 2 && !grouped {
                    // Tera iterates a map's entries with two names; minijinja wants `items`.
                    let trimmed = rewritten.trim_end();
                    let trailing = &rewritten[trimmed.len()..];
                    format!("{lead}for{targets_text}in{trimmed} | items{trailing}")
                } else {
                    format!("{lead}for{targets_text}in{rewritten}")
                }
            }
            "endfor" => {
                if self.frames.len() > 1 {
                    self.frames.pop();
                }
                self.loops = self.loops.saturating_sub(1);
                inner.to_string()
            }
            "if" | "elif" => {
                let rewritten = self.expression(after_word, true);
                format!("{lead}{word}{rewritten}")
            }
            "set" | "set_global" => {
                let Some(eq) = after_word.find('=') else {
                    // `{% set x %}…{% endset %}`
                    self.bind(after_word.trim());
                    return format!("{lead}set{after_word}");
                };
                let target = &after_word[..eq];
                let name = target.trim().to_string();
                let rewritten = self.expression(&after_word[eq + 1..], false);
                if rewritten.contains("groupby(") {
                    self.grouped.insert(name.clone());
                }
                let shadowed = self.locals().contains(&name);
                if self.globals.contains(&name) && !shadowed {
                    if word == "set" && self.loops > 0 {
                        self.findings.blockers.push(format!(
                            "`set {name}` inside a loop next to a `set_global {name}`: Tera kept two variables of that name"
                        ));
                    }
                    change(
                        &mut self.findings,
                        &format!(
                            "`set_global` inside a loop became an attribute of a namespace (`{}.NAME`), read the same way",
                            self.namespace
                        ),
                    );
                    let target = target.replacen(&name, &format!("{}.{name}", self.namespace), 1);
                    return format!("{lead}set{target}={rewritten}");
                }
                if word == "set_global" {
                    change(&mut self.findings, "`set_global` became `set`");
                    if let Some(frame) = self.frames.first_mut() {
                        frame.push(name.clone());
                    }
                } else {
                    self.bind(&name);
                }
                format!("{lead}set{target}={rewritten}")
            }
            "macro" => {
                let args: Vec<String> = after_word
                    .split_once('(')
                    .map(|(_, args)| args.trim_end().trim_end_matches(')'))
                    .unwrap_or_default()
                    .split(',')
                    .map(|arg| arg.split('=').next().unwrap_or_default().trim().to_string())
                    .filter(|arg| !arg.is_empty())
                    .collect();
                let name = after_word
                    .split('(')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                if let Some(frame) = self.frames.first_mut() {
                    frame.push(name);
                }
                self.frames.push(args);
                inner.to_string()
            }
            "endmacro" => {
                if self.frames.len() > 1 {
                    self.frames.pop();
                }
                inner.to_string()
            }
            "include" | "import" | "extends" => {
                let rewritten = self.template_name(after_word);
                if word == "import"
                    && let Some(alias) = after_word.rsplit(" as ").next()
                    && after_word.contains(" as ")
                {
                    let alias = alias.trim().to_string();
                    if let Some(frame) = self.frames.first_mut() {
                        frame.push(alias);
                    }
                }
                format!("{lead}{word}{rewritten}")
            }
            "else" | "endif" | "block" | "endblock" | "endset" | "endfilter" | "endraw" => {
                inner.to_string()
            }
            "filter" => {
                let rewritten = self.expression(&format!("x |{after_word}"), false);
                let filter = rewritten.strip_prefix("x |").unwrap_or(&rewritten);
                format!("{lead}filter{filter}")
            }
            "break" | "continue" => {
                self.findings
                    .blockers
                    .push(format!("`{{% {word} %}}` in a loop has no equivalent here"));
                inner.to_string()
            }
            other => {
                self.findings
                    .blockers
                    .push(format!("the tag `{other}` has no equivalent here"));
                inner.to_string()
            }
        }
    }

    /// Maps the template name of an include/import/extends to its place in the new pack.
    fn template_name(&mut self, rest: &str) -> String {
        let trimmed = rest.trim_start();
        let quote = trimmed.chars().next().unwrap_or(' ');
        if quote != '"' && quote != '\'' {
            self.findings
                .blockers
                .push("an include whose name is an expression".to_string());
            return rest.to_string();
        }
        let Some(end) = trimmed[1..].find(quote) else {
            return rest.to_string();
        };
        let name = &trimmed[1..=end];
        let lead = &rest[..rest.len() - trimmed.len()];
        let after = &trimmed[end + 2..];
        match self.includes.get(name) {
            Some(new_name) => {
                if new_name != name {
                    change(
                        &mut self.findings,
                        &format!("the include `{name}` is now `{new_name}`"),
                    );
                }
                format!("{lead}\"{new_name}\"{after}")
            }
            None => {
                self.findings.blockers.push(format!(
                    "includes `{name}`, which is not a file of the pack's templates"
                ));
                rest.to_string()
            }
        }
    }
}

/// The names `set_global` assigns inside a `for` loop of `text`.
fn loop_globals(text: &str) -> BTreeSet<String> {
    let mut globals = BTreeSet::new();
    let mut depth = 0usize;
    let mut rest = text;
    while let Some(at) = rest.find("{%") {
        let tail = &rest[at..];
        let Some(end) = find_close(tail, "%}") else {
            break;
        };
        let (_, inner, _) = trim_markers(&tail[..end + 2]);
        rest = &tail[end + 2..];
        match first_word(inner) {
            "raw" => rest = split_raw(rest).1,
            "for" => depth += 1,
            "endfor" => depth = depth.saturating_sub(1),
            "set_global" if depth > 0 => {
                let after = inner.trim_start()["set_global".len()..].trim_start();
                let name = first_word(after);
                if !name.is_empty() {
                    globals.insert(name.to_string());
                }
            }
            _ => {}
        }
    }
    globals
}

fn change(findings: &mut Findings, note: &str) {
    if !findings.changes.iter().any(|c| c == note) {
        findings.changes.push(note.to_string());
    }
}

fn next_markup(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    text.match_indices('{')
        .map(|(at, _)| at)
        .find(|&at| matches!(bytes.get(at + 1), Some(b'{' | b'%' | b'#')))
}

/// The offset of `close` in `tail` (which starts with the opening marker), skipping string
/// literals inside expressions.
fn find_close(tail: &str, close: &str) -> Option<usize> {
    if close == "#}" {
        return tail.find(close);
    }
    let bytes = tail.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 2;
    while i + 1 < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' || b == b'`' => quote = Some(b),
            None if &tail[i..i + 2] == close => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

/// `{{- x -}}` -> (`{{-`, ` x `, `-}}`).
fn trim_markers(whole: &str) -> (&str, &str, &str) {
    let mut open = 2;
    if matches!(whole.as_bytes().get(2), Some(b'-' | b'+')) {
        open = 3;
    }
    let mut close = whole.len() - 2;
    if close > open && matches!(whole.as_bytes().get(close - 1), Some(b'-' | b'+')) {
        close -= 1;
    }
    (&whole[..open], &whole[open..close], &whole[close..])
}

fn first_word(inner: &str) -> &str {
    let trimmed = inner.trim_start();
    let end = trimmed
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    &trimmed[..end]
}

/// The offset of the word `word` (surrounded by spaces) in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    text.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = at == 0 || bytes[at - 1].is_ascii_whitespace();
        let after = bytes
            .get(at + word.len())
            .is_none_or(u8::is_ascii_whitespace);
        before && after
    })
}

/// Splits at the `{% endraw %}` tag: (the raw text, the rest starting at that tag).
fn split_raw(rest: &str) -> (&str, &str) {
    let mut from = 0;
    while let Some(at) = rest[from..].find("{%") {
        let start = from + at;
        if let Some(end) = find_close(&rest[start..], "%}") {
            let (_, inner, _) = trim_markers(&rest[start..start + end + 2]);
            if first_word(inner) == "endraw" {
                return (&rest[..start], &rest[start..]);
            }
        }
        from = start + 2;
    }
    (rest, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str, defined: &[&str], row_bindings: bool) -> (String, Findings) {
        let defined: BTreeSet<String> = defined.iter().map(|s| s.to_string()).collect();
        let includes = BTreeMap::from([("h.tmpl".to_string(), "_partials/h.tmpl".to_string())]);
        let mut scan = Scan::new(&defined, row_bindings, &includes);
        let out = scan.text(text);
        (out, scan.findings)
    }

    #[test]
    fn loops_bind_their_names() {
        let (out, findings) = scan(
            "{% for c in commands %}{% if c.help %}{{ c.name | json_encode }}{% endif %}{% endfor %}\n",
            &["commands"],
            false,
        );
        assert_eq!(
            out,
            "{% for c in commands %}{% if (c.help is defined and c.help and c.help != \"false\") %}{{ c.name | tojson }}{% endif %}{% endfor %}\n"
        );
        assert!(findings.roots.contains("commands"));
        assert!(!findings.roots.contains("c"));
    }

    #[test]
    fn map_loops_iterate_items_and_includes_move() {
        let (out, _) = scan(
            "{% for k, v in m %}{% include \"h.tmpl\" %}{% endfor %}",
            &["m"],
            false,
        );
        assert_eq!(
            out,
            "{% for k, v in m | items %}{% include \"_partials/h.tmpl\" %}{% endfor %}"
        );
    }

    #[test]
    fn a_loop_over_groups_unpacks_the_pairs() {
        let (out, _) = scan(
            "{% set g = rows | group_by(attribute=\"k\") %}{% for k, v in g %}{{ k }}{% endfor %}",
            &["rows"],
            false,
        );
        assert_eq!(
            out,
            "{% set g = rows | groupby(\"k\") %}{% for k, v in g %}{{ k }}{% endfor %}"
        );
    }

    #[test]
    fn raw_blocks_and_comments_are_kept() {
        let text = "{# {{ x | bad }} #}{% raw %}{{ y | bad }}{% endraw %}";
        assert_eq!(scan(text, &[], false).0, text);
    }

    #[test]
    fn set_global_in_a_loop_becomes_a_namespace_attribute() {
        let text = "{% set first = true %}{% for x in xs %}{% if first %}{{ x }}{% set_global first = false %}{% endif %}{% endfor %}{{ first }}";
        let defined: BTreeSet<String> = ["xs".to_string()].into();
        let includes = BTreeMap::new();
        let mut scan = Scan::new(&defined, false, &includes);
        scan.prepare(text);
        let out = scan.text(text);
        assert_eq!(scan.prelude(), "{% set tera_globals = namespace() %}");
        assert_eq!(
            out,
            "{% set tera_globals.first = true %}{% for x in xs %}{% if (tera_globals.first is defined and tera_globals.first and tera_globals.first != \"false\") %}{{ x }}{% set tera_globals.first = false %}{% endif %}{% endfor %}{{ tera_globals.first }}"
        );
        assert!(scan.findings.blockers.is_empty());
        assert!(!scan.findings.roots.contains("first"));
        // Outside a loop `set_global` is a plain `set`, and nothing needs a namespace.
        let (out, findings) = scan_prepared("{% set_global n = 1 %}{{ n }}");
        assert_eq!(out, "{% set n = 1 %}{{ n }}");
        assert!(findings.blockers.is_empty());
    }

    #[test]
    fn the_namespace_name_is_one_the_template_does_not_use() {
        let text = "{% for x in xs %}{% set_global tera_globals = x %}{% endfor %}";
        let defined = BTreeSet::new();
        let includes = BTreeMap::new();
        let mut scan = Scan::new(&defined, false, &includes);
        scan.prepare(text);
        assert_eq!(
            scan.text(text),
            "{% for x in xs %}{% set tera_globals_.tera_globals = x %}{% endfor %}"
        );
    }

    fn scan_prepared(text: &str) -> (String, Findings) {
        let defined = BTreeSet::new();
        let includes = BTreeMap::new();
        let mut scan = Scan::new(&defined, false, &includes);
        scan.prepare(text);
        let out = scan.text(text);
        assert_eq!(scan.prelude(), "");
        (out, scan.findings)
    }
}
