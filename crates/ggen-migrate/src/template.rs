//! Converting one template: its frontmatter, its body, and the queries it runs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::body::Scan;
use crate::expression::Findings;
use crate::frontmatter::{self, INERT_KEYS, Original, Written};
use crate::output::{Output, Variable};
use crate::report::FileReport;
use crate::source::OriginalPack;

/// How the original produced files from one template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mode {
    /// Once, with every named query's rows at the top level.
    Whole,
    /// One file per row of this query: `to` holds `{{`.
    FanOut(String),
    /// One file, the body rendered once per row of this query and concatenated.
    Aggregate(String),
}

/// `x.tera` is a template here only with the `.tmpl` suffix.
pub(crate) fn tmpl_name(relative: &Path) -> PathBuf {
    match relative.extension().and_then(|e| e.to_str()) {
        Some("tera") => relative.with_extension("tmpl"),
        _ => relative.to_path_buf(),
    }
}

/// The queries a body ran with `sparql(query=…)`, for the frontmatter's `sparql:`; one that
/// is not a SELECT needs a human.
pub(crate) fn inline_queries(
    findings: &Findings,
    report: &mut FileReport,
) -> BTreeMap<String, String> {
    for (name, query) in &findings.inline_queries {
        if !is_select(query) {
            report.manual(format!(
                "`sparql(query=…)` in the body (now `{name}`) is not a SELECT (ASK/CONSTRUCT results are not rows here)"
            ));
        }
    }
    findings.inline_queries.iter().cloned().collect()
}

pub(crate) fn apply_findings(report: &mut FileReport, changes: &[String], blockers: &[String]) {
    for change in changes {
        report.changed(change.clone());
    }
    for blocker in blockers {
        report.manual(blocker.clone());
    }
}

/// `SELECT ?a ?b WHERE` -> [a, b] (empty for `SELECT *`).
pub(crate) fn projection(query: &str) -> Vec<String> {
    let upper = query.to_ascii_uppercase();
    let Some(select) = upper.find("SELECT") else {
        return Vec::new();
    };
    let end = upper[select..]
        .find("WHERE")
        .or_else(|| upper[select..].find('{'))
        .map_or(query.len(), |e| select + e);
    let head: Vec<char> = query[select + 6..end].chars().collect();
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < head.len() {
        match head[i] {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '?' | '$' => {
                let start = i + 1;
                let mut j = start;
                while j < head.len() && (head[j].is_alphanumeric() || head[j] == '_') {
                    j += 1;
                }
                let name: String = head[start..j].iter().collect();
                let before: String = head[..i].iter().collect();
                // `(COUNT(?x) AS ?n)`: only the name after AS is a binding.
                if depth == 0 || before.trim_end().to_ascii_uppercase().ends_with(" AS") {
                    names.push(name);
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    names.dedup();
    names
}

fn is_select(query: &str) -> bool {
    let upper = query.to_ascii_uppercase();
    let select = upper.find("SELECT");
    let ask = upper.find("ASK");
    let construct = upper.find("CONSTRUCT");
    match select {
        Some(s) => ask.is_none_or(|a| s < a) && construct.is_none_or(|c| s < c),
        None => false,
    }
}

/// Puts this template's `prefixes:`/`base:` in front of a query.
fn with_prefixes(query: &str, fm: &Original) -> String {
    let mut head = String::new();
    if let Some(base) = &fm.base {
        head.push_str(&format!("BASE <{base}>\n"));
    }
    for (prefix, iri) in &fm.prefixes {
        let declared = format!("PREFIX {prefix}:");
        if !query
            .to_ascii_uppercase()
            .contains(&declared.to_ascii_uppercase())
        {
            head.push_str(&format!("PREFIX {prefix}: <{iri}>\n"));
        }
    }
    format!("{head}{query}")
}

pub(crate) fn convert_template(
    original: &OriginalPack,
    path: &Path,
    relative: &Path,
    text: &str,
    includes: &BTreeMap<String, String>,
    output: &mut Output,
) {
    let target = PathBuf::from("templates").join(tmpl_name(relative));
    let mut report = FileReport::new(path.to_path_buf(), Some(target.clone()));
    let (fm, body) = match frontmatter::split(text) {
        Some((yaml, body)) => match frontmatter::parse(yaml) {
            Ok(fm) => (fm, body),
            Err(message) => {
                report.target = None;
                report.manual(format!("the frontmatter is not valid YAML: {message}"));
                output.reports.push(report);
                return;
            }
        },
        None => (Original::default(), text),
    };
    for key in fm.rest.keys() {
        if INERT_KEYS.contains(&key.as_str()) {
            report.changed(format!("`{key}` does nothing here: dropped"));
        } else if let Some(reason) = frontmatter::unsupported_key(key) {
            report.manual(reason);
        } else {
            report.manual(format!(
                "the frontmatter key `{key}` has no equivalent here"
            ));
        }
    }
    if fm
        .rest
        .get("inject")
        .is_some_and(|v| v == &Value::Bool(true))
    {
        // An injecting template would overwrite the user's whole file here: leave it out.
        report.target = None;
        output.reports.push(report);
        return;
    }
    hoist_graph(original, path, &fm, output, &mut report);

    let queries: BTreeMap<String, String> = fm
        .sparql
        .iter()
        .map(|(name, query)| (name.clone(), with_prefixes(query, &fm)))
        .collect();
    for (name, query) in &queries {
        if !is_select(query) {
            report.manual(format!(
                "the query `{name}` is not a SELECT (ASK/CONSTRUCT results are not rows here)"
            ));
        }
    }
    let to = fm.to.clone();
    let fan_out = to.as_deref().is_some_and(|to| to.contains("{{"));
    let driver = match &fm.for_each {
        Some(name) if queries.contains_key(name) => Some(name.clone()),
        Some(name) => {
            report.manual(format!("`for_each: {name}` names no query of `sparql:`"));
            None
        }
        None => queries
            .iter()
            .find(|(_, q)| is_select(q))
            .map(|(name, _)| name.clone()),
    };
    let mode = match (&driver, fan_out, fm.for_each.is_some()) {
        (Some(d), true, _) => Mode::FanOut(d.clone()),
        (Some(d), false, true) => Mode::Aggregate(d.clone()),
        _ => Mode::Whole,
    };
    if fan_out && driver.is_none() && original.format == "pack.toml" {
        report.changed("`to` holds `{{` but there is no query to fan out over: rendered once");
    }

    // Names defined at the top level here: variables, the queries as the prelude sets them.
    let mut defined: BTreeSet<String> = output.variables.keys().cloned().collect();
    defined.extend(fm.vars.keys().cloned());
    defined.extend(queries.keys().cloned());
    defined.insert("results".to_string());
    let row_vars: Vec<String> = match &mode {
        Mode::FanOut(d) | Mode::Aggregate(d) => projection(&queries[d]),
        Mode::Whole => Vec::new(),
    };
    if matches!(mode, Mode::Aggregate(_)) {
        defined.extend(row_vars.iter().cloned());
    }
    let mut scan = Scan::new(&defined, matches!(mode, Mode::FanOut(_)), includes);
    scan.prepare(body);
    let new_to = to.as_ref().map(|to| scan.text(to));
    let new_body = scan.text(body);
    let namespace = scan.prelude();
    let findings = scan.findings;
    let inline_queries = inline_queries(&findings, &mut report);
    apply_findings(&mut report, &findings.changes, &findings.blockers);
    if original.format == "gpack.toml v1" {
        // v1 templates read their inputs as variables (`--var` or `[preset] vars`).
        for root in &findings.roots {
            if !defined.contains(root)
                && !["pack", "sparql", "sparql_results"].contains(&root.as_str())
            {
                output
                    .variables
                    .entry(root.clone())
                    .or_insert(Variable { default: None });
                report.changed(format!("`{root}` became a required pack variable"));
            }
        }
    }

    // The prelude: the names the original put at the top level, as `set`s.
    let namespace_len = namespace.len();
    let mut prelude = namespace;
    for name in queries.keys() {
        let shadowed = matches!(mode, Mode::FanOut(_)) && row_vars.contains(name);
        if findings.roots.contains(name) && !shadowed {
            prelude.push_str(&format!("{{% set {name} = sparql[{}] %}}", json(name)));
        }
    }
    let results_query = match &mode {
        Mode::FanOut(d) | Mode::Aggregate(d) => Some(d.clone()),
        Mode::Whole => queries
            .iter()
            .find(|(_, q)| is_select(q))
            .map(|(n, _)| n.clone()),
    };
    if findings.roots.contains("results") && !queries.contains_key("results") {
        match &results_query {
            Some(q) => prelude.push_str(&format!("{{% set results = sparql[{}] %}}", json(q))),
            None => prelude.push_str("{% set results = [] %}"),
        }
    }
    let mut sparql = queries.clone();
    sparql.extend(inline_queries);
    let mut written = Written {
        to: new_to,
        sparql,
        when: fm.when.clone(),
        unless_exists: fm.unless_exists,
        foreach: None,
    };
    let new_body = match &mode {
        Mode::Whole => format!("{prelude}{new_body}"),
        Mode::FanOut(d) => {
            written.foreach = Some(queries[d].clone());
            if !findings.roots.contains(d) && !findings.roots.contains("results") {
                written.sparql.remove(d);
            }
            format!("{prelude}{new_body}")
        }
        Mode::Aggregate(d) => {
            let mut bindings = String::new();
            for var in &row_vars {
                if findings.roots.contains(var) {
                    bindings.push_str(&format!("{{% set {var} = row[{}] %}}", json(var)));
                }
            }
            if fm.when.is_some() {
                report.changed(format!(
                    "with both `when` and `for_each`, the file is written (empty) when `{d}` has no rows"
                ));
            } else {
                written.when = Some(format!("{{{{ sparql[{}] | length > 0 }}}}", json(d)));
            }
            format!(
                "{prelude}{{% for row in sparql[{}] %}}{bindings}{new_body}{{% endfor %}}",
                json(d)
            )
        }
    };
    if matches!(mode, Mode::FanOut(_)) || matches!(mode, Mode::Aggregate(_)) {
        report.changed(match &mode {
            Mode::FanOut(d) => format!("one file per row of `{d}`: it became `foreach`"),
            _ => format!(
                "the body repeats for each row of `{}` inside a loop",
                driver.clone().unwrap_or_default()
            ),
        });
    }
    if prelude.len() > namespace_len {
        report
            .changed("query results the original put at the top level are set from `sparql.NAME`");
    }
    for (name, default) in &fm.vars {
        output
            .variables
            .entry(name.clone())
            .or_insert_with(|| Variable {
                default: if default.is_null() {
                    None
                } else {
                    Some(default.clone())
                },
            });
        report.changed(format!("`vars: {name}` became a pack variable"));
    }
    if fm.to.is_none() && original.format == "pack.toml" {
        report.changed("has no `to`: written to its path under templates/ without `.tmpl`");
    }
    if report.status == crate::Status::Manual {
        // Something in it would not render (or not mean the same): keep it out of the
        // templates, next to the pack for whoever finishes the port.
        let keep = PathBuf::from("unconverted").join(relative);
        output.files.insert(keep.clone(), text.as_bytes().to_vec());
        report.target = Some(keep);
    } else {
        let mut file = written.render();
        file.push_str(&new_body);
        output.files.insert(target, file.into_bytes());
    }
    output.reports.push(report);
}

/// `rdf:` files and `rdf_inline:` Turtle of one template join the pack's graph.
fn hoist_graph(
    original: &OriginalPack,
    path: &Path,
    fm: &Original,
    output: &mut Output,
    report: &mut FileReport,
) {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['.', ' '], "-"))
        .unwrap_or_default();
    for (i, turtle) in fm.rdf_inline.iter().enumerate() {
        let name = format!("graph/inline/{stem}-{i}.ttl");
        let mut text = String::new();
        for (prefix, iri) in &fm.prefixes {
            if !turtle.contains(&format!("@prefix {prefix}:")) {
                text.push_str(&format!("@prefix {prefix}: <{iri}> .\n"));
            }
        }
        text.push_str(turtle);
        output.files.insert(PathBuf::from(&name), text.into_bytes());
        output.graphs.push(name.clone());
        report.changed(format!(
            "`rdf_inline` moved to {name}, part of the pack's one graph"
        ));
    }
    for file in &fm.rdf {
        let dir = path.parent().unwrap_or(Path::new(""));
        let candidates = [original.root.join(dir).join(file), original.root.join(file)];
        let Some(found) = candidates.iter().find(|c| c.is_file()) else {
            report.manual(format!("`rdf: {file}` names a file that does not exist"));
            continue;
        };
        let Ok(bytes) = std::fs::read(found) else {
            continue;
        };
        let name = format!(
            "graph/{}",
            Path::new(file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        if !output.graphs.contains(&name) {
            output.files.insert(PathBuf::from(&name), bytes);
            output.graphs.push(name.clone());
        }
        report.changed(format!(
            "`rdf: {file}` became part of the pack's one graph ({name})"
        ));
    }
}

pub(crate) fn json(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_reads_the_selected_names() {
        assert_eq!(projection("SELECT ?a ?b WHERE { ?a ?p ?b }"), ["a", "b"]);
        assert_eq!(
            projection("SELECT ?a (COUNT(?x) AS ?n) WHERE { }"),
            ["a", "n"]
        );
        assert!(projection("SELECT * WHERE { ?a ?p ?b }").is_empty());
    }
}
