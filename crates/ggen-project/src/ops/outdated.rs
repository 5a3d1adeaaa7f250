//! `ggen packs outdated`: installed packs with newer versions.

use serde::Serialize;

use crate::project::load_project;
use crate::{Environment, Layout, ProjectError};

#[derive(Debug, Clone, Serialize)]
pub struct OutdatedPack {
    pub id: String,
    pub current: String,
    /// Newest version semver-compatible with the current one.
    pub compatible: Option<String>,
    /// Newest version of all.
    pub newest: Option<String>,
    pub source: String,
    /// Every version that could be installed (not yanked), oldest first.
    #[serde(skip)]
    pub available: Vec<String>,
}

impl OutdatedPack {
    pub fn is_outdated(&self) -> bool {
        self.newest.as_deref().is_some_and(|n| n != self.current)
    }

    /// Whether a version above the installed one can be had: any newer version, or with
    /// `compatible_only` one in the semver-compatible range (the `--exit-code` gate).
    pub fn has_newer(&self, compatible_only: bool) -> bool {
        let candidate = if compatible_only {
            self.compatible.as_deref()
        } else {
            self.newest.as_deref()
        };
        match (
            candidate.map(semver::Version::parse),
            semver::Version::parse(&self.current),
        ) {
            (Some(Ok(candidate)), Ok(current)) => candidate > current,
            // A version that is not semver: newer means different.
            (Some(_), _) => candidate != Some(self.current.as_str()),
            (None, _) => false,
        }
    }
}

pub fn outdated(layout: &Layout, env: &Environment) -> Result<Vec<OutdatedPack>, ProjectError> {
    let (lock, _) = load_project(layout)?;
    let mut rows = Vec::new();
    for locked in &lock.packs {
        let current = semver::Version::parse(&locked.version).ok();
        let mut available = Vec::new();
        let (compatible, newest) = if let Some(dir) = locked.directory() {
            // A pack directory has one version: whatever its manifest says now.
            let pack = ggen_pack::Pack::load(std::path::Path::new(dir))?;
            let version = pack.version().clone();
            available.push(version.to_string());
            let compatible = current
                .as_ref()
                .filter(|c| compatible_with(c, &version))
                .map(|_| version.to_string());
            (compatible, Some(version.to_string()))
        } else if let Some(location) = locked.source.strip_prefix("registry+") {
            let registry = ggen_registry::Registry::open(
                location,
                &env.cwd,
                &crate::packs::source::registry_access(env),
            )?;
            let index = registry.pack_index(&locked.id)?;
            let newest = index.newest().map(|e| e.version.clone());
            available = index
                .versions
                .iter()
                .filter(|e| !e.yanked)
                .map(|e| e.version.clone())
                .collect();
            let compatible = current.as_ref().and_then(|c| {
                let req = semver::VersionReq::parse(&format!("^{c}")).ok()?;
                index.select(&req, Some(c)).map(|e| e.version.clone())
            });
            (compatible, newest)
        } else {
            (None, None)
        };
        rows.push(OutdatedPack {
            id: locked.id.clone(),
            current: locked.version.clone(),
            compatible,
            newest,
            source: locked.source.clone(),
            available,
        });
    }
    Ok(rows)
}

fn compatible_with(current: &semver::Version, other: &semver::Version) -> bool {
    semver::VersionReq::parse(&format!("^{current}")).is_ok_and(|r| r.matches(other))
}
