//! A template source: frontmatter plus body, or a binary file copied verbatim.

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
}

impl Template {
    /// Splits frontmatter from body. Binary files have no frontmatter.
    pub fn parse(source: &str, bytes: &[u8]) -> Result<Template, TemplateError> {
        unimplemented!()
    }
}
