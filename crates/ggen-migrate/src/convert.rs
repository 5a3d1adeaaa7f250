//! Converting a whole pack: graphs, partials, each template (see `template`), the
//! generation rules (see `rules`), the manifest, and the report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

use crate::body::Scan;
use crate::frontmatter;
use crate::manifest;
use crate::output::{Output, Variable};
use crate::report::FileReport;
use crate::source::OriginalPack;
use crate::template::{apply_findings, convert_template, tmpl_name};
use crate::{Migration, rules};

pub(crate) fn convert(original: OriginalPack) -> Migration {
    let (pack_id, original_id) = manifest::pack_id(&original.id);
    let mut output = Output {
        files: BTreeMap::new(),
        reports: Vec::new(),
        variables: BTreeMap::new(),
        graphs: Vec::new(),
    };
    let mut manifest_report =
        FileReport::new(original.manifest.clone(), Some(PathBuf::from("gpack.toml")));
    if let Some(id) = &original_id {
        manifest_report.changed(format!(
            "the pack id `{id}` is not valid here; it is now `{pack_id}`"
        ));
    }
    for note in &original.unsupported {
        manifest_report.changed(note.clone());
    }
    copy_graphs(&original, &mut output, &mut manifest_report);
    for (name, default) in &original.preset {
        output.variables.insert(
            name.clone(),
            Variable {
                default: Some(Value::String(default.clone())),
            },
        );
    }

    // Files without a frontmatter are not templates in the original (rendering one is an
    // error there): they are what other templates include, so they become partials.
    let mut partials: BTreeSet<PathBuf> = BTreeSet::new();
    let mut texts: BTreeMap<PathBuf, Result<String, String>> = BTreeMap::new();
    for path in &original.templates {
        let text = std::fs::read(original.root.join(path))
            .map_err(|e| e.to_string())
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string()));
        if let Ok(text) = &text
            && frontmatter::split(text).is_none()
            && original.format == "pack.toml"
        {
            partials.insert(path.clone());
        }
        texts.insert(path.clone(), text);
    }
    let includes = include_names(&original, &partials);
    for (path, text) in &texts {
        let relative = path.strip_prefix(&original.templates_root).unwrap_or(path);
        let text = match text {
            Ok(text) => text,
            Err(reason) => {
                let mut report = FileReport::new(path.clone(), None);
                report.manual(format!("cannot be read: {reason}"));
                output.reports.push(report);
                continue;
            }
        };
        if partials.contains(path) {
            let target = PathBuf::from("templates/_partials").join(tmpl_name(relative));
            let mut report = FileReport::new(path.clone(), Some(target.clone()));
            let defined = BTreeSet::new();
            let mut scan = Scan::new(&defined, false, &includes);
            let body = scan.text(text);
            report.changed("has no frontmatter (not rendered on its own in the original): kept as a partial for includes");
            apply_findings(&mut report, &scan.findings.changes, &scan.findings.blockers);
            output.files.insert(target, body.into_bytes());
            output.reports.push(report);
            continue;
        }
        convert_template(&original, path, relative, text, &includes, &mut output);
    }
    for rule in &original.rules {
        rules::convert(&original, rule, &mut output);
    }
    if original.templates.is_empty() && original.rules.is_empty() {
        manifest_report
            .manual("the pack has no templates (templates/**/*.tmpl) and no generation rules");
    }
    let manifest = manifest::render(&original, &pack_id, &output);
    output
        .files
        .insert(PathBuf::from("gpack.toml"), manifest.into_bytes());
    output.reports.insert(0, manifest_report);
    Migration {
        format: original.format,
        pack_id,
        original_id,
        files: output.files,
        reports: output.reports,
    }
}

/// Each name an include may use (the path under the templates root) and its new name.
fn include_names(
    original: &OriginalPack,
    partials: &BTreeSet<PathBuf>,
) -> BTreeMap<String, String> {
    original
        .templates
        .iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(&original.templates_root).ok()?;
            let old = relative.to_string_lossy().replace('\\', "/");
            let new = if partials.contains(path) {
                format!(
                    "_partials/{}",
                    tmpl_name(relative).to_string_lossy().replace('\\', "/")
                )
            } else {
                tmpl_name(relative).to_string_lossy().replace('\\', "/")
            };
            Some((old, new))
        })
        .collect()
}

fn copy_graphs(original: &OriginalPack, output: &mut Output, report: &mut FileReport) {
    let mut used: BTreeSet<String> = BTreeSet::new();
    for graph in &original.graphs {
        let source = original.root.join(graph);
        let Ok(bytes) = std::fs::read(&source) else {
            report.manual(format!("the graph file {} does not exist", graph.display()));
            continue;
        };
        let name = graph
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "graph.ttl".to_string());
        let mut unique = name.clone();
        let mut n = 2;
        while !used.insert(unique.clone()) {
            unique = format!("{n}-{name}");
            n += 1;
        }
        if graph.starts_with("..") || graph.is_absolute() {
            report.changed(format!(
                "the graph {} lies outside the pack: copied in as graph/{unique}",
                graph.display()
            ));
        }
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => {
                let (text, added) = declare_prefixes(&text, &original.prefixes);
                if !added.is_empty() {
                    report.changed(format!(
                        "graph/{unique} uses prefixes it does not declare ({}): declared at its top, as the original did",
                        added.join(", ")
                    ));
                }
                text.into_bytes()
            }
            Err(error) => error.into_bytes(),
        };
        output
            .files
            .insert(PathBuf::from("graph").join(&unique), bytes);
        output.graphs.push(format!("graph/{unique}"));
    }
}

/// The prefixes the original declared for a pack's graphs (the manifest's and the usual
/// four): those `turtle` uses without declaring are declared in front of it.
fn declare_prefixes(turtle: &str, prefixes: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let mut known: BTreeMap<String, String> = [
        ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
        ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
        ("xsd", "http://www.w3.org/2001/XMLSchema#"),
        ("owl", "http://www.w3.org/2002/07/owl#"),
    ]
    .into_iter()
    .map(|(p, iri)| (p.to_string(), iri.to_string()))
    .collect();
    known.extend(prefixes.clone());
    let lower = turtle.to_ascii_lowercase();
    let mut head = String::new();
    let mut added = Vec::new();
    for (prefix, iri) in &known {
        let declared = lower.contains(&format!("@prefix {}:", prefix.to_ascii_lowercase()))
            || lower.contains(&format!("prefix {}:", prefix.to_ascii_lowercase()));
        let needle = format!("{prefix}:");
        let used = turtle.match_indices(&needle).any(|(at, _)| {
            let before = turtle[..at].chars().next_back();
            let after = turtle[at + needle.len()..].chars().next();
            before.is_none_or(|c| {
                !(c.is_alphanumeric() || c == '_' || c == '-' || c == '/' || c == '<')
            }) && after.is_none_or(|c| c != '/')
        });
        if used && !declared {
            head.push_str(&format!("@prefix {prefix}: <{iri}> .\n"));
            added.push(prefix.clone());
        }
    }
    (format!("{head}{turtle}"), added)
}
