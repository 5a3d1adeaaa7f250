//! A parsed `gpack.toml` with its source text, so that every error and warning can name the
//! file, the full key path and (where the parser kept a span) the line and column.

use std::fmt::Display;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::ManifestWarning;
use crate::PackError;

pub(super) type Value<'i> = Spanned<DeValue<'i>>;
pub(super) type Table<'i> = DeTable<'i>;

/// The manifest being read: source text for positions, path for messages, warnings so far.
pub(super) struct Document<'a> {
    text: &'a str,
    path: &'a Path,
    pub(super) warnings: Vec<ManifestWarning>,
}

impl<'a> Document<'a> {
    pub(super) fn new(text: &'a str, path: &'a Path) -> Self {
        Document {
            text,
            path,
            warnings: Vec::new(),
        }
    }

    /// Parses the text as TOML; a syntax error carries the parser's line and column.
    pub(super) fn parse(&self) -> Result<Table<'a>, PackError> {
        match DeTable::parse(self.text) {
            Ok(table) => Ok(table.into_inner()),
            Err(err) => Err(self.error(err.span(), format!("invalid TOML: {}", err.message()))),
        }
    }

    /// A [`PackError::Manifest`] for this file, prefixed with the position of `span`.
    pub(super) fn error(&self, span: Option<Range<usize>>, message: impl Display) -> PackError {
        let message = match span.map(|span| line_column(self.text, span.start)) {
            Some((line, column)) => format!("line {line}, column {column}: {message}"),
            None => message.to_string(),
        };
        PackError::Manifest {
            path: self.path.to_path_buf(),
            message,
        }
    }

    pub(super) fn warn(&mut self, message: impl Display) {
        self.warnings.push(ManifestWarning {
            message: format!("{}: {message}", self.path.display()),
        });
    }

    /// Warns about every key of `table` not in `known`, suggesting the nearest known key.
    pub(super) fn check_keys(&mut self, table: &Table<'_>, prefix: &str, known: &[&str]) {
        for key in table.keys() {
            let name: &str = key.get_ref();
            if known.contains(&name) {
                continue;
            }
            let full = key_path(prefix, name);
            match did_you_mean(name, known) {
                Some(near) => self.warn(format!("unknown key `{full}` (did you mean `{near}`?)")),
                None => self.warn(format!("unknown key `{full}`")),
            }
        }
    }

    pub(super) fn wrong_type(&self, key: &str, value: &Value<'_>, expected: &str) -> PackError {
        self.error(
            Some(value.span()),
            format!(
                "`{key}` must be {expected}, found {}",
                value.get_ref().type_str()
            ),
        )
    }

    pub(super) fn string(&self, key: &str, value: &Value<'_>) -> Result<String, PackError> {
        match value.get_ref() {
            DeValue::String(text) => Ok(text.to_string()),
            _ => Err(self.wrong_type(key, value, "a string")),
        }
    }

    pub(super) fn strings(&self, key: &str, value: &Value<'_>) -> Result<Vec<String>, PackError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.wrong_type(key, value, "an array of strings"));
        };
        items
            .iter()
            .enumerate()
            .map(|(index, item)| match item.get_ref() {
                DeValue::String(text) => Ok(text.to_string()),
                _ => Err(self.wrong_type(&format!("{key}[{index}]"), item, "a string")),
            })
            .collect()
    }

    pub(super) fn table<'t>(
        &self,
        key: &str,
        value: &'t Value<'a>,
    ) -> Result<&'t Table<'a>, PackError> {
        match value.get_ref() {
            DeValue::Table(table) => Ok(table),
            _ => Err(self.wrong_type(key, value, "a table")),
        }
    }
}

/// `prefix.key`, quoting `key` when it is not a bare TOML key.
pub(super) fn key_path(prefix: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let key = if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    };
    if prefix.is_empty() {
        key
    } else {
        format!("{prefix}.{key}")
    }
}

/// The known key closest to `key`, if it is close enough to be a likely typo (cargo's rule:
/// an edit distance of at most a third of the length, counting a transposition as one edit).
fn did_you_mean<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let limit = key.chars().count().max(3) / 3;
    known
        .iter()
        .map(|candidate| (strsim::damerau_levenshtein(key, candidate), *candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// 1-based line and column (in characters) of byte `offset` in `text`; never panics, even on
/// an offset past the end or inside a multi-byte character.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |index| index + 1);
    // Count characters by their first byte, skipping UTF-8 continuation bytes.
    let column = before[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_transpositions_and_rejects_far_keys() {
        let known = ["id", "version", "description"];
        assert_eq!(did_you_mean("verison", &known), Some("version"));
        assert_eq!(did_you_mean("descripton", &known), Some("description"));
        assert_eq!(did_you_mean("homepage", &known), None);
    }

    #[test]
    fn line_column_counts_characters() {
        let text = "a = 1\nbé = x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // 'x' sits after "bé = " (6 bytes, 5 characters).
        assert_eq!(line_column(text, 12), (2, 6));
        assert_eq!(line_column(text, 999), (3, 1));
    }

    #[test]
    fn key_paths_quote_odd_keys() {
        assert_eq!(key_path("", "pack"), "pack");
        assert_eq!(key_path("pack", "verison"), "pack.verison");
        assert_eq!(key_path("variables", "a b"), "variables.\"a b\"");
    }
}
