//! `[[generation.rules]]` of a `ggen.toml`: each rule (a query, a template, an output path)
//! becomes one template with a frontmatter.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::body::Scan;
use crate::frontmatter::Written;
use crate::output::Output;
use crate::report::FileReport;
use crate::source::{OriginalPack, Rule, Text};
use crate::template::{apply_findings, inline_queries, json, projection};

/// The name the rule's query has in the new template's `sparql:`.
const ROWS: &str = "rows";

fn read(original: &OriginalPack, text: &Text) -> Result<(String, Option<PathBuf>), String> {
    match text {
        Text::Inline(text) => Ok((text.clone(), None)),
        Text::File(path) => std::fs::read_to_string(original.root.join(path))
            .map(|text| (text, Some(path.clone())))
            .map_err(|error| format!("{}: {error}", path.display())),
    }
}

fn file_name(rule: &str) -> String {
    let name: String = rule
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("templates/rules/{name}.tmpl")
}

pub(crate) fn convert(original: &OriginalPack, rule: &Rule, output: &mut Output) {
    let target = PathBuf::from(file_name(&rule.name));
    let source = match &rule.template {
        Text::File(path) => path.clone(),
        Text::Inline(_) => PathBuf::from(format!("ggen.toml [[generation.rules]] {}", rule.name)),
    };
    let mut report = FileReport::new(source, Some(target.clone()));
    let (query, template) = match (read(original, &rule.query), read(original, &rule.template)) {
        (Ok((query, _)), Ok((template, _))) => (query, template),
        (Err(e), _) | (_, Err(e)) => {
            report.target = None;
            report.manual(format!("rule `{}`: cannot read {e}", rule.name));
            output.reports.push(report);
            return;
        }
    };
    let per_row = rule.output_file.contains("{{");
    let row_vars = projection(&query);
    let mut defined: BTreeSet<String> = output.variables.keys().cloned().collect();
    defined.extend(["results".to_string(), "sparql_results".to_string()]);
    if !per_row {
        defined.extend(row_vars.iter().cloned());
    }
    let includes = BTreeMap::new();
    let mut scan = Scan::new(&defined, per_row, &includes);
    scan.prepare(&template);
    let to = scan.text(&rule.output_file);
    let body = scan.text(&template);
    let namespace = scan.prelude();
    let findings = scan.findings;
    apply_findings(&mut report, &findings.changes, &findings.blockers);
    let inline_queries = inline_queries(&findings, &mut report);

    let rows = format!("sparql[{}]", json(ROWS));
    let mut prelude = String::new();
    for name in ["results", "sparql_results"] {
        if findings.roots.contains(name) {
            prelude.push_str(&format!("{{% set {name} = {rows} %}}"));
        }
    }
    if !per_row {
        // The original put the first row's columns at the top level of a static rule.
        for var in &row_vars {
            if findings.roots.contains(var) {
                prelude.push_str(&format!(
                    "{{% set {var} = {rows}[0][{}] if {rows} else none %}}",
                    json(var)
                ));
            }
        }
    }
    let mut written = Written {
        to: Some(to),
        sparql: inline_queries,
        ..Written::default()
    };
    if per_row {
        written.foreach = Some(query.clone());
        if !prelude.is_empty() {
            written.sparql.insert(ROWS.to_string(), query.clone());
        }
        report.changed(format!(
            "rule `{}`: one file per row, as `foreach`",
            rule.name
        ));
    } else {
        written.sparql.insert(ROWS.to_string(), query.clone());
        if rule.skip_empty {
            written.when = Some(format!("{{{{ {rows} | length > 0 }}}}"));
        }
    }
    match rule.mode.as_deref() {
        Some("Create") => written.unless_exists = true,
        Some("Merge") => report.changed(format!(
            "rule `{}`: mode Merge became a regular generated file (updates merge three-way; mark manual parts with regions)",
            rule.name
        )),
        _ => {}
    }
    if !prelude.is_empty() {
        report.changed("the rule's rows (`results`, `sparql_results`, the first row's columns) are set from `sparql.rows`");
    }
    if report.status == crate::Status::Manual {
        let keep = PathBuf::from("unconverted/rules").join(format!("{}.tera", rule.name));
        output.files.insert(keep.clone(), template.into_bytes());
        report.target = Some(keep);
    } else {
        let mut file = written.render();
        file.push_str(&namespace);
        file.push_str(&prelude);
        file.push_str(&body);
        output.files.insert(target, file.into_bytes());
    }
    output.reports.push(report);
}
