//! Converts packs written for the original ggen into this project's pack format.
//!
//! The original ggen had three pack shapes: a `pack.toml` with an `ontology.ttl` and
//! `templates/**/*.tmpl` (Tera templates with a frontmatter that names SPARQL queries), a
//! `ggen.toml` project with `[[generation.rules]]`, and the older `gpack.toml` with a
//! `[gpack]` table. [`migrate`] reads one of them and returns the files of an equivalent
//! pack here (a `gpack.toml`, graph files, minijinja templates) plus a per-file report of
//! what changed and what needs a human. Nothing is written until [`Migration::write_to`].

mod body;
mod convert;
mod error;
mod expression;
mod frontmatter;
mod manifest;
mod output;
mod report;
mod rules;
mod source;
mod template;

pub use error::MigrateError;
pub use report::{FileReport, Status};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A converted pack, held in memory.
#[derive(Debug)]
pub struct Migration {
    /// The format the source was read as (`pack.toml`, `ggen.toml`, `gpack.toml v1`).
    pub format: &'static str,
    /// The pack id written into `gpack.toml`.
    pub pack_id: String,
    /// The id the source gave, when it had to change to be valid here.
    pub original_id: Option<String>,
    /// Every file of the new pack, by path relative to its root.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    /// One entry per source file that was looked at.
    pub reports: Vec<FileReport>,
}

impl Migration {
    /// The worst status of any file: what the command's exit code follows.
    pub fn status(&self) -> Status {
        self.reports
            .iter()
            .map(|report| report.status)
            .max()
            .unwrap_or(Status::Converted)
    }

    /// Writes the pack into `out`, which must not exist or be empty. The files go into a
    /// temporary sibling directory first, which is renamed into place, so an error never
    /// leaves half a pack behind.
    pub fn write_to(&self, out: &Path) -> Result<(), MigrateError> {
        if out.exists() {
            let empty = std::fs::read_dir(out)
                .map_err(|source| MigrateError::io(out, source))?
                .next()
                .is_none();
            if !empty {
                return Err(MigrateError::OutputNotEmpty(out.to_path_buf()));
            }
        }
        let parent = match out.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|source| MigrateError::io(&parent, source))?;
        let name = out
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "pack".to_string());
        let staging = parent.join(format!(".{name}.migrating-{}", std::process::id()));
        let result = self.write_files(&staging).and_then(|()| {
            if out.exists() {
                std::fs::remove_dir(out).map_err(|source| MigrateError::io(out, source))?;
            }
            std::fs::rename(&staging, out).map_err(|source| MigrateError::io(out, source))
        });
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        result
    }

    fn write_files(&self, root: &Path) -> Result<(), MigrateError> {
        for (path, bytes) in &self.files {
            let target = root.join(path);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir).map_err(|source| MigrateError::io(dir, source))?;
            }
            std::fs::write(&target, bytes).map_err(|source| MigrateError::io(&target, source))?;
        }
        Ok(())
    }
}

/// Reads the original pack at `src` (a directory holding `pack.toml`, `ggen.toml` or
/// `gpack.toml`) and converts it.
pub fn migrate(src: &Path) -> Result<Migration, MigrateError> {
    let original = source::read(src)?;
    Ok(convert::convert(original))
}
