//! A pack file: a `.tmpl` template (frontmatter plus body), or any other file, copied verbatim.

use sha2::{Digest, Sha256};

use crate::frontmatter::split;
use crate::{Frontmatter, TemplateError};

#[derive(Debug, Clone, PartialEq)]
pub enum TemplateBody {
    /// UTF-8 text rendered with the template engine; the frontmatter block removed, every
    /// other byte (final newline included) kept.
    Text(String),
    /// Not a `.tmpl` file: copied byte for byte, never rendered (only its path is).
    Verbatim(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Path relative to the pack's templates root, `/`-separated; names the template in errors.
    pub source: String,
    pub frontmatter: Frontmatter,
    pub body: TemplateBody,
    /// `sha256-<hex>` of the raw source bytes.
    pub hash: String,
    /// File line the body starts on, so render errors point at the line in the file rather
    /// than in the body (which lost the frontmatter lines).
    body_line: usize,
    /// File line where each query's text starts (`foreach`, `when`, `sparql.NAME`), so
    /// query errors point into the file.
    query_lines: std::collections::BTreeMap<String, usize>,
}

impl Template {
    /// A pack file named `source` (relative to the templates root): a template when the
    /// name ends in `.tmpl` (then it must be UTF-8), otherwise a verbatim file.
    pub fn parse(source: &str, bytes: &[u8]) -> Result<Template, TemplateError> {
        if !is_template_name(source) {
            return Ok(Template {
                source: source.to_string(),
                frontmatter: Frontmatter::default(),
                body: TemplateBody::Verbatim(bytes.to_vec()),
                hash: format!("sha256-{}", hex::encode(Sha256::digest(bytes))),
                body_line: 1,
                query_lines: Default::default(),
            });
        }
        Template::parse_template(source, bytes)
    }

    /// Parses `bytes` as a template whatever its name (`ggen template render FILE`): splits
    /// frontmatter from body. Not UTF-8 is an error naming it.
    pub fn parse_template(source: &str, bytes: &[u8]) -> Result<Template, TemplateError> {
        let hash = format!("sha256-{}", hex::encode(Sha256::digest(bytes)));
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Err(TemplateError::Render {
                template: source.to_string(),
                message: "not valid UTF-8 (a `.tmpl` file is a text template; drop the \
                          `.tmpl` suffix to have a binary file copied byte for byte)"
                    .to_string(),
            });
        };
        let parts = split(text).map_err(|message| TemplateError::Frontmatter {
            template: source.to_string(),
            message,
        })?;
        let frontmatter = match parts.yaml {
            Some(yaml) => Frontmatter::from_yaml(source, yaml, 2)?,
            None => Frontmatter::default(),
        };
        Ok(Template {
            source: source.to_string(),
            frontmatter,
            body: TemplateBody::Text(parts.body.to_string()),
            hash,
            body_line: parts.body_line,
            query_lines: query_lines(parts.yaml.unwrap_or_default()),
        })
    }

    /// The file line where query `what` (`foreach`, `when`, `sparql.NAME`) starts.
    pub fn query_line(&self, what: &str) -> Option<usize> {
        self.query_lines.get(what).copied()
    }

    /// The file line the body starts on (1 without frontmatter).
    pub fn body_line(&self) -> usize {
        self.body_line
    }
}

/// Where each query of the frontmatter starts: the line after `key: |` (a block scalar),
/// else the key's own line. The frontmatter starts on file line 2.
fn query_lines(yaml: &str) -> std::collections::BTreeMap<String, usize> {
    let mut lines = std::collections::BTreeMap::new();
    let mut in_sparql = false;
    for (index, line) in yaml.lines().enumerate() {
        let file_line = index + 2;
        let indented = line.starts_with([' ', '\t']);
        let Some((key, rest)) = line.trim().split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches(['"', '\'']);
        let rest = rest.trim();
        let start = if rest.starts_with(['|', '>']) || rest.is_empty() {
            file_line + 1
        } else {
            file_line
        };
        if !indented {
            in_sparql = key == "sparql";
            match key {
                "foreach" | "for_each" => {
                    lines.insert("foreach".to_string(), start);
                }
                "when" => {
                    lines.insert("when".to_string(), start);
                }
                _ => {}
            }
        } else if in_sparql && !key.is_empty() {
            lines.entry(format!("sparql.{key}")).or_insert(start);
        }
    }
    lines
}

/// Only `.tmpl` files are templates.
pub fn is_template_name(source: &str) -> bool {
    source.ends_with(".tmpl")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_frontmatter_is_kept_exactly() {
        for text in ["a\nb\n", "a\nb", "", "\n\n", "x\r\n"] {
            let t = Template::parse("f.txt.tmpl", text.as_bytes()).expect("parse");
            assert_eq!(t.body, TemplateBody::Text(text.to_string()));
            assert_eq!(t.frontmatter, Frontmatter::default());
            assert_eq!(t.body_line(), 1);
        }
    }

    #[test]
    fn frontmatter_is_removed_and_nothing_else() {
        let t = Template::parse("f.tmpl", b"---\r\nto: out.txt\r\n---\r\nhello\r\n\r\n")
            .expect("parse");
        assert_eq!(t.frontmatter.to.as_deref(), Some("out.txt"));
        assert_eq!(t.body, TemplateBody::Text("hello\r\n\r\n".to_string()));
        assert_eq!(t.body_line(), 4);
    }

    #[test]
    fn only_tmpl_files_are_templates() {
        // A GitHub workflow or a Helm chart is copied exactly, markup and all.
        let bytes = b"---\nto: x\n---\nruns-on: ${{ matrix.os }}\n";
        let t = Template::parse(".github/workflows/ci.yml", bytes).expect("parse");
        assert_eq!(t.body, TemplateBody::Verbatim(bytes.to_vec()));
        assert_eq!(t.frontmatter, Frontmatter::default());
        let bytes = [0x89, b'P', b'N', b'G', 0xff, 0x00, b'\n'];
        let t = Template::parse("logo.png", &bytes).expect("parse");
        assert_eq!(t.body, TemplateBody::Verbatim(bytes.to_vec()));
    }

    #[test]
    fn a_tmpl_file_that_is_not_utf8_is_an_error_naming_it() {
        let err = Template::parse("assets/logo.png.tmpl", &[0x89, 0xff, 0x00]).expect_err("utf-8");
        let text = err.to_string();
        assert!(text.contains("assets/logo.png.tmpl"), "{text}");
        assert!(text.contains("not valid UTF-8"), "{text}");
    }

    #[test]
    fn hash_is_over_raw_bytes() {
        let t = Template::parse("a.tmpl", b"abc").expect("parse");
        assert_eq!(
            t.hash,
            "sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn frontmatter_errors_name_the_template() {
        let err =
            Template::parse("src/x.rs.tmpl", b"---\nbogus: 1\n---\nbody\n").expect_err("bad key");
        assert!(
            matches!(err, TemplateError::Frontmatter { ref template, .. } if template == "src/x.rs.tmpl")
        );
        let err = Template::parse("y.tmpl", b"---\nto: x\n").expect_err("unclosed");
        assert!(err.to_string().contains("y.tmpl"));
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics_and_keeps_plain_text(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let parsed = Template::parse("p.tmpl", &bytes);
            if !bytes.starts_with(b"---") && std::str::from_utf8(&bytes).is_ok() {
                // Without frontmatter, parsing cannot fail and keeps every byte.
                let Ok(t) = parsed else {
                    return Err(proptest::test_runner::TestCaseError::fail("parse failed"));
                };
                let kept = match t.body {
                    TemplateBody::Text(text) => text.into_bytes(),
                    TemplateBody::Verbatim(bytes) => bytes,
                };
                proptest::prop_assert_eq!(kept, bytes);
            }
        }

        #[test]
        fn frontmatter_parse_never_panics(yaml in "[a-z_:\\[\\]{}\"' \n-]{0,40}") {
            // A line of `---` inside would close the frontmatter early: the body differs then.
            proptest::prop_assume!(!yaml.lines().any(|l| l.trim_end_matches(' ') == "---"));
            let text = format!("---\n{yaml}\n---\nbody\n");
            if let Ok(t) = Template::parse("p.tmpl", text.as_bytes()) {
                proptest::prop_assert_eq!(t.body, TemplateBody::Text("body\n".to_string()));
            }
        }
    }
}
