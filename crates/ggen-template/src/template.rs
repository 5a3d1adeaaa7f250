//! A template source: frontmatter plus body, or a binary file copied verbatim.

use sha2::{Digest, Sha256};

use crate::frontmatter::split;
use crate::{Frontmatter, TemplateError};

#[derive(Debug, Clone, PartialEq)]
pub enum TemplateBody {
    /// UTF-8 text rendered with the template engine; the frontmatter block removed, every
    /// other byte (final newline included) kept.
    Text(String),
    /// Not valid UTF-8: copied byte for byte, never rendered.
    Binary(Vec<u8>),
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
}

impl Template {
    /// Splits frontmatter from body. Binary files have no frontmatter.
    pub fn parse(source: &str, bytes: &[u8]) -> Result<Template, TemplateError> {
        let hash = format!("sha256-{}", hex::encode(Sha256::digest(bytes)));
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Ok(Template {
                source: source.to_string(),
                frontmatter: Frontmatter::default(),
                body: TemplateBody::Binary(bytes.to_vec()),
                hash,
                body_line: 1,
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
        })
    }

    /// The file line the body starts on (1 without frontmatter).
    pub fn body_line(&self) -> usize {
        self.body_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_frontmatter_is_kept_exactly() {
        for text in ["a\nb\n", "a\nb", "", "\n\n", "x\r\n"] {
            let t = Template::parse("f.txt", text.as_bytes()).expect("parse");
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
    fn invalid_utf8_is_binary_and_verbatim() {
        let bytes = [0x89, b'P', b'N', b'G', 0xff, 0x00, b'\n'];
        let t = Template::parse("logo.png", &bytes).expect("parse");
        assert_eq!(t.body, TemplateBody::Binary(bytes.to_vec()));
        assert_eq!(t.frontmatter, Frontmatter::default());

        // Even when it starts like frontmatter: binary files are never templates.
        let mut bytes = b"---\nto: x\n---\n".to_vec();
        bytes.push(0xff);
        let t = Template::parse("odd.bin", &bytes).expect("parse");
        assert_eq!(t.body, TemplateBody::Binary(bytes));
    }

    #[test]
    fn hash_is_over_raw_bytes() {
        let t = Template::parse("a", b"abc").expect("parse");
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
            let parsed = Template::parse("p", &bytes);
            if !bytes.starts_with(b"---") {
                // Without frontmatter, parsing cannot fail and keeps every byte.
                let Ok(t) = parsed else {
                    return Err(proptest::test_runner::TestCaseError::fail("parse failed"));
                };
                let kept = match t.body {
                    TemplateBody::Text(text) => text.into_bytes(),
                    TemplateBody::Binary(bytes) => bytes,
                };
                proptest::prop_assert_eq!(kept, bytes);
            }
        }

        #[test]
        fn frontmatter_parse_never_panics(yaml in "[a-z_:\\[\\]{}\"' \n-]{0,40}") {
            let text = format!("---\n{yaml}\n---\nbody\n");
            if let Ok(t) = Template::parse("p", text.as_bytes()) {
                proptest::prop_assert_eq!(t.body, TemplateBody::Text("body\n".to_string()));
            }
        }
    }
}
