//! `ggen.lock`: which packs a project uses, from where, with which variables, and which
//! files they generated. The only module that reads or writes it.

use std::collections::BTreeMap;
use std::path::Path;

use ggen_fs::Durability;
use serde::{Deserialize, Serialize};

use super::parsed::Parsed;
use crate::ProjectError;

/// The value of the last lockfile file checked, for the command that loads it next.
static PARSED: Parsed<Lockfile> = Parsed::new();

const HEADER: &str = "# This file is written by ggen: it records the packs this project was generated\n\
# from and every file they produced. Commit it; do not edit it by hand.\n";

/// The current lockfile format.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lockfile {
    pub version: u32,
    /// Sorted by id.
    #[serde(default, rename = "pack", skip_serializing_if = "Vec::is_empty")]
    pub packs: Vec<LockedPack>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, LockedFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedPack {
    pub id: String,
    pub version: String,
    /// `path+file:///…`, `archive+file:///…` or `registry+file:///…`.
    pub source: String,
    /// `sha256-<hex>` of the pack archive (for a path source, of its deterministic archive).
    pub integrity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Resolved dependencies as `id@version`, sorted.
    #[serde(default)]
    pub dependencies: Vec<String>,
    #[serde(default)]
    /// Typed (booleans, integers, lists as TOML values); secrets are never recorded.
    pub variables: BTreeMap<String, ggen_pack::variables::TypedValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedFile {
    pub pack: String,
    pub version: String,
    pub template: String,
    /// `sha256-<hex>` of the generated content.
    pub hash: String,
    /// `"755"` for a file generated executable; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// How `source` names a pack installed from a directory.
pub const DIRECTORY_SOURCE: &str = "path+file://";

impl LockedPack {
    /// The directory a pack was installed from (`None` for an archive or a registry).
    pub fn directory(&self) -> Option<&str> {
        self.source.strip_prefix(DIRECTORY_SOURCE)
    }
}

impl Default for Lockfile {
    fn default() -> Self {
        Lockfile {
            version: FORMAT,
            packs: Vec::new(),
            files: BTreeMap::new(),
        }
    }
}

/// The top-level `version` of a lockfile's text, if it parses as TOML and has one.
fn format_version(text: &str) -> Option<u32> {
    let table: toml::Table = toml::from_str(text).ok()?;
    u32::try_from(table.get("version")?.as_integer()?).ok()
}

impl Lockfile {
    /// Reads `path`; `None` when the project has no lockfile yet.
    pub fn load(path: &Path) -> Result<Option<Lockfile>, ProjectError> {
        PARSED.load(path, |bytes| Lockfile::parse(bytes, path))
    }

    /// Whether the file at `path` (if any) parses; the value is kept for the next
    /// [`Lockfile::load`] of the same bytes, so checking before a command costs no second parse.
    pub fn check(path: &Path) -> Result<(), ProjectError> {
        PARSED.check(path, |bytes| Lockfile::parse(bytes, path))
    }

    /// Parses a lockfile's bytes; `path` names it in errors.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Lockfile, ProjectError> {
        let corrupt = |message: String| ProjectError::CorruptLockfile {
            path: path.to_path_buf(),
            message,
        };
        let text = std::str::from_utf8(bytes).map_err(|_| corrupt("not valid UTF-8".into()))?;
        // A newer format may add fields this ggen does not know: look at `version`, so the
        // user hears "upgrade", not "corrupt" (and recovery never replaces it). The text is
        // parsed once when it is a lockfile of this format, a second time only to explain.
        let newer = |version: u32| ProjectError::NewerLockfile {
            path: path.to_path_buf(),
            version,
            supported: FORMAT,
        };
        let lock: Lockfile = match toml::from_str(text) {
            Ok(lock) => lock,
            Err(e) => {
                return Err(match format_version(text) {
                    Some(version) if version > FORMAT => newer(version),
                    _ => corrupt(e.to_string()),
                });
            }
        };
        if lock.version > FORMAT {
            return Err(newer(lock.version));
        }
        if lock.version != FORMAT {
            return Err(corrupt(format!(
                "format version {} is not supported (this ggen reads version {FORMAT})",
                lock.version
            )));
        }
        Ok(lock)
    }

    /// The lockfile's text: a header, then packs sorted by id and files sorted by path.
    pub fn to_text(&self) -> Result<String, ProjectError> {
        let mut sorted = self.clone();
        sorted.packs.sort_by(|a, b| a.id.cmp(&b.id));
        let body = toml::to_string(&sorted).map_err(|e| ProjectError::Internal {
            message: format!("cannot serialise ggen.lock: {e}"),
        })?;
        Ok(format!("{HEADER}\n{body}"))
    }

    /// Writes the lockfile atomically and durably.
    pub fn save(&self, path: &Path) -> Result<(), ProjectError> {
        ggen_fs::write_atomic(path, self.to_text()?.as_bytes(), Durability::Sync)?;
        Ok(())
    }

    pub fn pack(&self, id: &str) -> Option<&LockedPack> {
        self.packs.iter().find(|p| p.id == id)
    }

    /// Adds or replaces the entry for `pack.id`.
    pub fn upsert_pack(&mut self, pack: LockedPack) {
        self.packs.retain(|p| p.id != pack.id);
        self.packs.push(pack);
        self.packs.sort_by(|a, b| a.id.cmp(&b.id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ggen_pack::variables::TypedValue;

    fn sample() -> Lockfile {
        let mut lock = Lockfile::default();
        for id in ["zeta", "alpha"] {
            lock.upsert_pack(LockedPack {
                id: id.into(),
                version: "1.0.0".into(),
                source: "path+file:///packs/x".into(),
                integrity: "sha256-00".into(),
                signature: None,
                dependencies: vec![],
                variables: BTreeMap::from([("name".into(), TypedValue::Text("demo".into()))]),
            });
        }
        lock.files.insert(
            "src/main.rs".into(),
            LockedFile {
                pack: "alpha".into(),
                version: "1.0.0".into(),
                template: "src/main.rs.tmpl".into(),
                hash: "sha256-11".into(),
                mode: None,
            },
        );
        lock
    }

    #[test]
    fn text_is_deterministic_and_round_trips() {
        let lock = sample();
        let text = lock.to_text().unwrap();
        assert!(text.find("alpha").unwrap() < text.find("zeta").unwrap());
        assert!(text.contains("[files.\"src/main.rs\"]"), "{text}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ggen.lock");
        lock.save(&path).unwrap();
        let back = Lockfile::load(&path).unwrap().unwrap();
        assert_eq!(back, lock);
        assert_eq!(back.to_text().unwrap(), text);
    }

    #[test]
    fn variables_are_recorded_typed_and_string_only_locks_still_load() {
        let mut lock = sample();
        lock.packs[0].variables = BTreeMap::from([
            ("flag".into(), TypedValue::Bool(false)),
            ("port".into(), TypedValue::Int(8080)),
            (
                "langs".into(),
                TypedValue::List(vec!["rust".into(), "go".into()]),
            ),
            ("name".into(), TypedValue::Text("true".into())),
        ]);
        let text = lock.to_text().unwrap();
        for line in [
            "flag = false\n",
            "port = 8080\n",
            "langs = [\"rust\", \"go\"]\n",
            "name = \"true\"\n",
        ] {
            assert!(text.contains(line), "{line:?} not in\n{text}");
        }
        assert_eq!(
            Lockfile::parse(text.as_bytes(), Path::new("ggen.lock")).unwrap(),
            lock
        );

        // Before typed values every value was a string: such a lock loads, its values as
        // texts that resolution checks against the variable's type.
        let old = "version = 1\n[[pack]]\nid = \"a\"\nversion = \"1.0.0\"\nsource = \"s\"\n\
                   integrity = \"sha256-00\"\n[pack.variables]\nflag = \"false\"\nport = \"8080\"\n";
        let old = Lockfile::parse(old.as_bytes(), Path::new("ggen.lock")).unwrap();
        let texts = ggen_pack::variables::recorded_texts(&old.packs[0].variables);
        assert_eq!(texts["flag"], "false");
        assert_eq!(texts["port"], "8080");
    }

    #[test]
    fn a_corrupt_lockfile_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ggen.lock");
        std::fs::write(&path, "version = 1\n[[pack]]\nid = 3\n").unwrap();
        let err = Lockfile::load(&path).unwrap_err();
        assert!(err.to_string().contains("ggen.lock"), "{err}");
        assert!(matches!(err, ProjectError::CorruptLockfile { .. }));
    }
}
