//! The registry's JSON indexes: `index.json` (search) and `index/<id>.json` (versions).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Signature;

/// `index.json`: every pack with its description and newest non-yanked version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RootIndex {
    pub packs: BTreeMap<String, RootEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RootEntry {
    pub description: String,
    /// Newest non-yanked version; absent when every version is yanked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest: Option<String>,
}

/// `index/<id>.json`: every published version of one pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackIndex {
    pub id: String,
    pub versions: Vec<VersionEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionEntry {
    pub version: String,
    #[serde(default)]
    pub description: String,
    /// Path of the archive relative to the registry root.
    pub archive: String,
    /// Lowercase hex sha256 of the archive.
    pub sha256: String,
    #[serde(default)]
    pub dependencies: BTreeMap<String, String>,
    #[serde(default)]
    pub yanked: bool,
    #[serde(default)]
    pub published_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

impl VersionEntry {
    /// The version, if it is valid semver (entries that are not are ignored by resolution).
    pub fn semver(&self) -> Option<semver::Version> {
        semver::Version::parse(&self.version).ok()
    }

    /// The lock's integrity string for this archive.
    pub fn integrity(&self) -> String {
        format!("sha256-{}", self.sha256)
    }

    /// The dependencies as requirements; an entry that is not valid semver is named.
    pub fn requirements(&self) -> Result<BTreeMap<String, semver::VersionReq>, String> {
        self.dependencies
            .iter()
            .map(|(id, req)| {
                semver::VersionReq::parse(req)
                    .map(|r| (id.clone(), r))
                    .map_err(|e| format!("its requirement `{id} {req}` is not valid ({e})"))
            })
            .collect()
    }
}

impl RootIndex {
    /// Packs whose id or description contains every word of `text` (case-insensitive):
    /// exact id first, then ids containing the text, then the rest, each by id.
    pub fn search(&self, text: &str) -> Vec<(&String, &RootEntry)> {
        let text = text.trim().to_lowercase();
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut hits: Vec<(u8, &String, &RootEntry)> = self
            .packs
            .iter()
            .filter_map(|(id, entry)| {
                let haystack = format!("{id} {}", entry.description).to_lowercase();
                if !words.iter().all(|w| haystack.contains(w)) {
                    return None;
                }
                let rank = if *id == text {
                    0
                } else if id.contains(&text) {
                    1
                } else {
                    2
                };
                Some((rank, id, entry))
            })
            .collect();
        hits.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        hits.into_iter().map(|(_, id, entry)| (id, entry)).collect()
    }
}

impl PackIndex {
    /// Refuses entries that could not be fetched safely: a sha256 that is not 64 hex digits
    /// or an archive path leaving the registry.
    pub fn validate(&self) -> Result<(), String> {
        for entry in &self.versions {
            if let Err(err) = semver::Version::parse(&entry.version) {
                return Err(format!(
                    "version {:?} is not a semantic version ({err}); every version listed must be",
                    entry.version
                ));
            }
            let hex_ok = entry.sha256.len() == 64
                && entry
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
            if !hex_ok {
                return Err(format!(
                    "version {}: sha256 {:?} is not 64 lowercase hex digits",
                    entry.version, entry.sha256
                ));
            }
            crate::location::check_relative(&entry.archive)
                .map_err(|message| format!("version {}: {message}", entry.version))?;
        }
        Ok(())
    }

    /// The entry of exactly `version`.
    pub fn entry(&self, version: &semver::Version) -> Option<&VersionEntry> {
        self.versions
            .iter()
            .find(|e| e.semver().as_ref() == Some(version))
    }

    /// The newest non-yanked version matching `req`, or a yanked one if it is exactly
    /// `locked` (a locked version keeps working after a yank, as in cargo).
    pub fn select(
        &self,
        req: &semver::VersionReq,
        locked: Option<&semver::Version>,
    ) -> Option<&VersionEntry> {
        self.versions
            .iter()
            .filter_map(|entry| entry.semver().map(|v| (v, entry)))
            .filter(|(v, entry)| req.matches(v) && (!entry.yanked || Some(v) == locked))
            .max_by(|(a, _), (b, _)| a.cmp(b))
            .map(|(_, entry)| entry)
    }

    /// The newest non-yanked version, if any.
    pub fn newest(&self) -> Option<&VersionEntry> {
        self.select(&semver::VersionReq::STAR, None)
    }

    /// Versions for messages: `1.0.0, 1.1.0 (yanked)`, oldest first.
    pub fn describe_versions(&self) -> String {
        let mut versions: Vec<_> = self
            .versions
            .iter()
            .filter_map(|e| e.semver().map(|v| (v, e.yanked)))
            .collect();
        versions.sort();
        if versions.is_empty() {
            return "none".to_string();
        }
        versions
            .iter()
            .map(|(v, yanked)| {
                if *yanked {
                    format!("{v} (yanked)")
                } else {
                    v.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(version: &str, yanked: bool) -> VersionEntry {
        VersionEntry {
            version: version.to_string(),
            description: String::new(),
            archive: format!("packs/p/p-{version}.tar.gz"),
            sha256: "00".to_string(),
            dependencies: BTreeMap::new(),
            yanked,
            published_at: String::new(),
            signature: None,
        }
    }

    #[test]
    fn search_matches_words_in_ids_and_descriptions() {
        let mut root = RootIndex::default();
        for (id, description) in [
            ("rust-web", "Axum service skeleton"),
            ("web", "static site"),
            ("rust-cli", "clap command-line program"),
        ] {
            root.packs.insert(
                id.into(),
                RootEntry {
                    description: description.into(),
                    newest: Some("1.0.0".into()),
                },
            );
        }
        let ids = |text: &str| -> Vec<String> {
            root.search(text)
                .into_iter()
                .map(|(id, _)| id.clone())
                .collect()
        };
        assert_eq!(ids("web"), ["web", "rust-web"]);
        assert_eq!(ids("AXUM"), ["rust-web"]);
        assert_eq!(ids("rust program"), ["rust-cli"]);
        assert!(ids("python").is_empty());
    }

    #[test]
    fn select_takes_newest_matching_and_skips_yanked() {
        let index = PackIndex {
            id: "p".into(),
            versions: vec![
                entry("1.0.0", false),
                entry("1.2.0", true),
                entry("1.1.0", false),
                entry("2.0.0", false),
                entry("2.1.0-beta.1", false),
            ],
        };
        let req = semver::VersionReq::parse("^1.0").unwrap();
        assert_eq!(index.select(&req, None).unwrap().version, "1.1.0");
        let locked = semver::Version::parse("1.2.0").unwrap();
        assert_eq!(index.select(&req, Some(&locked)).unwrap().version, "1.2.0");
        assert_eq!(index.newest().unwrap().version, "2.0.0");
        let none = semver::VersionReq::parse("^3").unwrap();
        assert!(index.select(&none, None).is_none());
        assert_eq!(
            index.describe_versions(),
            "1.0.0, 1.1.0, 1.2.0 (yanked), 2.0.0, 2.1.0-beta.1"
        );
    }
}
