//! The YAML frontmatter block at the top of a template.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::TemplateError;

/// Keys a template may set between two `---` lines at its very start.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frontmatter {
    /// Output path template; default is the source path without a trailing `.tmpl`.
    pub to: Option<String>,
    /// SPARQL SELECT: one output per row (`for_each` is accepted as a spelling).
    pub foreach: Option<String>,
    /// Named SELECT queries, exposed as `sparql.<name>` (a list of maps).
    pub sparql: BTreeMap<String, String>,
    /// Skip the file when this renders to an empty string, `false`, `0`, `no` or `off`.
    pub when: Option<String>,
    /// Create once; never touched again afterwards.
    pub unless_exists: bool,
    /// Where this output lived in earlier versions of the pack (a path template like `to`):
    /// an update carries the user's edits from there (SPEC §5, moves).
    pub moved_from: Option<String>,
}

/// The typed schema as written in YAML. Unknown keys are refused so a misspelt `foreach`
/// fails loudly instead of silently generating one file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontmatter {
    #[serde(default)]
    to: Option<String>,
    #[serde(default, alias = "for_each")]
    foreach: Option<String>,
    #[serde(default)]
    sparql: Option<BTreeMap<String, String>>,
    #[serde(default)]
    when: Option<Condition>,
    #[serde(default)]
    unless_exists: Option<bool>,
    #[serde(default)]
    moved_from: Option<String>,
}

/// `when: false` and `when: "{{ with_db }}"` are both natural to write.
#[derive(Debug)]
struct Condition(String);

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Scalar;
        impl serde::de::Visitor<'_> for Scalar {
            type Value = Condition;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a boolean")
            }
            fn visit_bool<E>(self, value: bool) -> Result<Condition, E> {
                Ok(Condition(value.to_string()))
            }
            fn visit_i64<E>(self, value: i64) -> Result<Condition, E> {
                Ok(Condition(value.to_string()))
            }
            fn visit_u64<E>(self, value: u64) -> Result<Condition, E> {
                Ok(Condition(value.to_string()))
            }
            fn visit_str<E>(self, value: &str) -> Result<Condition, E> {
                Ok(Condition(value.to_string()))
            }
        }
        deserializer.deserialize_any(Scalar)
    }
}

impl Frontmatter {
    /// Parses the YAML between the `---` lines. `first_line` is the file line the YAML starts
    /// on, so the parser's line numbers match what the author sees in the file.
    pub(crate) fn from_yaml(
        template: &str,
        yaml: &str,
        first_line: usize,
    ) -> Result<Frontmatter, TemplateError> {
        if yaml.trim().is_empty() {
            return Ok(Frontmatter::default());
        }
        let mut padded = "\n".repeat(first_line.saturating_sub(1));
        padded.push_str(yaml);
        let raw: Option<RawFrontmatter> =
            crate::strict_yaml::from_str(&padded).map_err(|message| {
                TemplateError::Frontmatter {
                    template: template.to_string(),
                    message: one_paragraph(&message),
                }
            })?;
        let Some(raw) = raw else {
            // Only comments: same as no keys at all.
            return Ok(Frontmatter::default());
        };
        Ok(Frontmatter {
            to: raw.to,
            foreach: raw.foreach,
            sparql: raw.sparql.unwrap_or_default(),
            when: raw.when.map(|condition| condition.0),
            unless_exists: raw.unless_exists.unwrap_or(false),
            moved_from: raw.moved_from,
        })
    }
}

/// The parser's first line (`line 3 column 1: unknown field …`): the CLI prints it after
/// `error:`, and the source snippet that follows would show our line padding.
fn one_paragraph(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    first
        .strip_prefix("error: ")
        .unwrap_or(first)
        .trim()
        .to_string()
}

/// A text template cut into its frontmatter and body.
#[derive(Debug, PartialEq)]
pub(crate) struct Split<'a> {
    /// The YAML between the `---` lines, if the file opens with one.
    pub yaml: Option<&'a str>,
    /// Everything after the closing `---` line, byte for byte.
    pub body: &'a str,
    /// The 1-based file line the body starts on (for error messages).
    pub body_line: usize,
}

/// Is `line` (without its `\n`) a `---` delimiter? A trailing `\r` (CRLF files) and trailing
/// blanks are tolerated; anything else (`--- x`, `----`) is not a delimiter.
fn is_delimiter(line: &str) -> bool {
    line.trim_end_matches([' ', '\t', '\r']) == "---"
}

/// Splits the frontmatter from the body. A file whose first line is not `---` has none;
/// an opening `---` without a closing one is an error (a YAML file that starts with a `---`
/// document marker needs an empty `---`/`---` block in front of it).
pub(crate) fn split(text: &str) -> Result<Split<'_>, String> {
    // A byte-order mark in front of the opening `---` (editors on Windows add one).
    if let Some(rest) = text.strip_prefix('\u{feff}')
        && rest.lines().next().is_some_and(is_delimiter)
    {
        return split(rest);
    }
    let no_frontmatter = Split {
        yaml: None,
        body: text,
        body_line: 1,
    };
    let Some(first_end) = text.find('\n') else {
        if is_delimiter(text) {
            return Err(unclosed());
        }
        return Ok(no_frontmatter);
    };
    if !is_delimiter(&text[..first_end]) {
        return Ok(no_frontmatter);
    }
    let yaml_start = first_end + 1;
    let mut line_start = yaml_start;
    let mut line_number = 2;
    while line_start <= text.len() {
        let rest = &text[line_start..];
        let (line, next_start) = match rest.find('\n') {
            Some(end) => (&rest[..end], line_start + end + 1),
            None => (rest, text.len() + 1),
        };
        if is_delimiter(line) {
            let body_start = next_start.min(text.len());
            return Ok(Split {
                yaml: Some(&text[yaml_start..line_start]),
                body: &text[body_start..],
                body_line: line_number + 1,
            });
        }
        if next_start > text.len() {
            break;
        }
        line_start = next_start;
        line_number += 1;
    }
    Err(unclosed())
}

fn unclosed() -> String {
    "the `---` on line 1 opens a frontmatter block that no `---` line closes \
     (a file starting with a YAML `---` marker needs an empty `---`/`---` block before it)"
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<Frontmatter, TemplateError> {
        Frontmatter::from_yaml("t.tmpl", yaml, 2)
    }

    #[test]
    fn split_keeps_every_body_byte() {
        let s = split("---\nto: x\n---\nbody\n").expect("split");
        assert_eq!(s.yaml, Some("to: x\n"));
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 4);

        let s = split("---\nto: x\n---\nno newline").expect("split");
        assert_eq!(s.body, "no newline");

        let s = split("---\nto: x\n---").expect("closing line at EOF");
        assert_eq!(s.body, "");
        let s = split("---\n---\n\n\nbody\n\n").expect("empty frontmatter");
        assert_eq!(s.yaml, Some(""));
        assert_eq!(s.body, "\n\nbody\n\n");
        assert_eq!(s.body_line, 3);
    }

    #[test]
    fn split_handles_crlf() {
        let s = split("---\r\nto: x\r\nwhen: y\r\n---\r\nline1\r\nline2\r\n").expect("split");
        assert_eq!(s.yaml, Some("to: x\r\nwhen: y\r\n"));
        assert_eq!(s.body, "line1\r\nline2\r\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn split_without_frontmatter_is_identity() {
        for text in [
            "",
            "\n",
            "plain\n",
            "--\n---\n",
            " ---\nx\n---\n",
            "----\n",
            "a\n---\nb\n---\n",
        ] {
            let s = split(text).expect("split");
            assert_eq!(s.yaml, None, "{text:?}");
            assert_eq!(s.body, text);
            assert_eq!(s.body_line, 1);
        }
    }

    #[test]
    fn split_refuses_unclosed_block() {
        assert!(
            split("---\nto: x\n")
                .expect_err("unclosed")
                .contains("no `---` line closes")
        );
        assert!(split("---").is_err());
        assert!(split("---\n").is_err());
        assert!(split("---\n--- x\n").is_err());
    }

    #[test]
    fn parses_every_key() {
        let fm = parse(
            "to: \"src/{{ name }}.rs\"\nforeach: SELECT ?name WHERE { ?s ?p ?name }\n\
             sparql:\n  fields: SELECT ?f WHERE { ?s ?p ?f }\nwhen: \"{{ db }}\"\nunless_exists: true\n\
             moved_from: \"lib/{{ name }}.rs\"\n",
        )
        .expect("frontmatter");
        assert_eq!(fm.to.as_deref(), Some("src/{{ name }}.rs"));
        assert_eq!(
            fm.foreach.as_deref(),
            Some("SELECT ?name WHERE { ?s ?p ?name }")
        );
        assert_eq!(
            fm.sparql.get("fields").map(String::as_str),
            Some("SELECT ?f WHERE { ?s ?p ?f }")
        );
        assert_eq!(fm.when.as_deref(), Some("{{ db }}"));
        assert!(fm.unless_exists);
        assert_eq!(fm.moved_from.as_deref(), Some("lib/{{ name }}.rs"));
    }

    #[test]
    fn for_each_is_a_spelling_of_foreach() {
        let fm = parse("for_each: SELECT ?x WHERE {}\n").expect("frontmatter");
        assert_eq!(fm.foreach.as_deref(), Some("SELECT ?x WHERE {}"));
    }

    #[test]
    fn when_accepts_plain_booleans() {
        assert_eq!(
            parse("when: false\n").expect("bool").when.as_deref(),
            Some("false")
        );
        assert_eq!(parse("when: 0\n").expect("int").when.as_deref(), Some("0"));
    }

    #[test]
    fn empty_or_comment_only_frontmatter_is_default() {
        assert_eq!(parse("").expect("empty"), Frontmatter::default());
        assert_eq!(
            parse("# just a note\n").expect("comment"),
            Frontmatter::default()
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let err = parse("to: x\nforeahc: SELECT\n").expect_err("unknown key");
        let message = err.to_string();
        assert!(message.contains("foreahc"), "{message}");
        assert!(message.contains("t.tmpl"), "{message}");
    }

    #[test]
    fn wrong_type_is_an_error_with_a_line() {
        let err = parse("to: x\nunless_exists: maybe\n").expect_err("bad bool");
        let message = err.to_string();
        assert!(message.contains("t.tmpl"), "{message}");
        assert!(message.contains('3'), "file line of the bad key: {message}");
        let err = parse("when: [1]\n").expect_err("a list is no condition");
        assert!(err.to_string().contains("a string or a boolean"), "{err}");
        assert!(!err.to_string().contains('\n'), "one line: {err}");
        assert!(parse("sparql: [1, 2]\n").is_err());
        assert!(parse("- a list\n").is_err());
        assert!(parse("to: [unclosed\n").is_err());
    }
}
