//! The `gpack.toml` of the converted pack.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::output::{Output, Variable};
use crate::source::OriginalPack;

/// A valid pack id (`[a-z0-9][a-z0-9_-]{0,63}`) for `id`, and the original when it changed.
pub(crate) fn pack_id(id: &str) -> (String, Option<String>) {
    let mut out: String = id
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '_' | '-') => c,
            _ => '-',
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let mut out = out.trim_matches(['-', '_']).to_string();
    out.truncate(64);
    let out = out.trim_end_matches(['-', '_']).to_string();
    let out = if out.is_empty() {
        "migrated".to_string()
    } else {
        out
    };
    let changed = (out != id).then(|| id.to_string());
    (out, changed)
}

/// `1.0` -> `1.0.0`; a version that is not numbers is kept (the manifest check names it).
fn semver(version: &str) -> String {
    let core = version.split(['-', '+']).next().unwrap_or(version);
    let parts = core.split('.').count();
    if core
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && parts < 3
    {
        let rest = &version[core.len()..];
        format!("{core}{}{rest}", ".0".repeat(3 - parts))
    } else {
        version.to_string()
    }
}

fn string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn value(value: &Value) -> (String, &'static str) {
    match value {
        Value::Bool(b) => (b.to_string(), "bool"),
        Value::Number(n) if n.is_i64() => (n.to_string(), "int"),
        Value::String(s) => (string(s), "string"),
        other => (string(&other.to_string()), "string"),
    }
}

pub(crate) fn render(original: &OriginalPack, id: &str, output: &Output) -> String {
    let mut out = String::from("# Converted by `ggen packs migrate` from ");
    out.push_str(&format!(
        "{} ({}).\n",
        original.manifest.display(),
        original.format
    ));
    out.push_str("[pack]\n");
    out.push_str(&format!("id = {}\n", string(id)));
    out.push_str(&format!(
        "version = {}\n",
        string(&semver(&original.version))
    ));
    if let Some(description) = &original.description {
        out.push_str(&format!("description = {}\n", string(description)));
    }
    if !original.authors.is_empty() {
        let authors: Vec<String> = original.authors.iter().map(|a| string(a)).collect();
        out.push_str(&format!("authors = [{}]\n", authors.join(", ")));
    }
    if let Some(license) = &original.license {
        out.push_str(&format!("license = {}\n", string(license)));
    }
    if !original.dependencies.is_empty() {
        out.push_str("\n[dependencies]\n");
        for (dep, req) in &original.dependencies {
            out.push_str(&format!("{} = {}\n", string(&pack_id(dep).0), string(req)));
        }
    }
    let variables: BTreeMap<&String, &Variable> = output.variables.iter().collect();
    for (name, variable) in variables {
        out.push_str(&format!("\n[variables.{}]\n", string(name)));
        if let Some(default) = &variable.default {
            let (text, kind) = value(default);
            if kind != "string" {
                out.push_str(&format!("type = \"{kind}\"\n"));
            }
            out.push_str(&format!("default = {text}\n"));
        }
    }
    if !output.graphs.is_empty() || !original.prefixes.is_empty() {
        out.push_str("\n[graph]\n");
        let files: Vec<String> = output.graphs.iter().map(|g| string(g)).collect();
        out.push_str(&format!("files = [{}]\n", files.join(", ")));
        if !original.prefixes.is_empty() {
            let prefixes: Vec<String> = original
                .prefixes
                .iter()
                .map(|(p, iri)| format!("{p} = {}", string(iri)))
                .collect();
            out.push_str(&format!("prefixes = {{ {} }}\n", prefixes.join(", ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_ids_become_valid() {
        assert_eq!(
            pack_id("test.cli-tool"),
            (
                "test-cli-tool".to_string(),
                Some("test.cli-tool".to_string())
            )
        );
        assert_eq!(pack_id("typer-pack"), ("typer-pack".to_string(), None));
        assert_eq!(
            pack_id("io.ggen.Rust CLI"),
            (
                "io-ggen-rust-cli".to_string(),
                Some("io.ggen.Rust CLI".to_string())
            )
        );
    }

    #[test]
    fn short_versions_are_padded() {
        assert_eq!(semver("1.0"), "1.0.0");
        assert_eq!(semver("2"), "2.0.0");
        assert_eq!(semver("0.1.0-alpha"), "0.1.0-alpha");
    }
}
