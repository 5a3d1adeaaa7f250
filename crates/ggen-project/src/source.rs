//! Where packs come from: a pack directory, a local `.tar.gz`, or a registry; and resolving
//! the packs a request needs, dependencies first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ggen_pack::Pack;
use ggen_registry::{Cache, Registry};

use crate::lockfile::Lockfile;
use crate::{Environment, ProjectError};

/// One `--pack` / `packs install` argument.
#[derive(Debug, Clone, PartialEq)]
pub enum PackRequest {
    /// `ID` or `ID@REQUIREMENT`, looked up in the registry.
    Registry { id: String, req: semver::VersionReq },
    /// A pack directory or `.tar.gz` archive on disk.
    Path(PathBuf),
}

impl PackRequest {
    /// A spec naming a path (it contains a `/`, starts with `.`, or ends in `.tar.gz`) is a
    /// path; anything else is `ID[@REQUIREMENT]`.
    pub fn parse(spec: &str) -> Result<PackRequest, ProjectError> {
        let looks_like_path = spec.contains('/')
            || spec.contains(std::path::MAIN_SEPARATOR)
            || spec.starts_with('.')
            || spec.ends_with(".tar.gz");
        if looks_like_path {
            return Ok(PackRequest::Path(PathBuf::from(spec)));
        }
        let bad = |message: String| ProjectError::BadPackSpec {
            spec: spec.to_string(),
            message,
        };
        let (id, req) = match spec.split_once('@') {
            Some((id, req)) => {
                let req = semver::VersionReq::parse(req)
                    .map_err(|e| bad(format!("invalid version requirement: {e}")))?;
                (id, req)
            }
            None => (spec, semver::VersionReq::STAR),
        };
        if !valid_id(id) {
            return Err(bad("a pack id is [a-z0-9][a-z0-9_-]{0,63}".into()));
        }
        Ok(PackRequest::Registry {
            id: id.to_string(),
            req,
        })
    }
}

fn valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-')
}

/// A pack ready to generate, with where it came from.
#[derive(Debug, Clone)]
pub struct ResolvedPack {
    pub pack: Pack,
    pub source: String,
    pub integrity: String,
    /// Resolved dependencies as `id@version`, sorted.
    pub dependencies: Vec<String>,
    /// True when the user asked for it, false when it came in as a dependency.
    pub requested: bool,
}

/// Resolves `requests` and their dependencies into the packs to install, dependencies before
/// their dependents. Dependencies already installed at a matching version are not returned.
///
/// This is a depth-first resolver that picks the newest non-yanked version matching a
/// requirement and fails, naming both requirements, when a later requirement disagrees.
pub fn resolve(
    requests: &[PackRequest],
    installed: &Lockfile,
    env: &Environment,
) -> Result<Vec<ResolvedPack>, ProjectError> {
    let mut resolver = Resolver {
        env,
        installed,
        registry: None,
        chosen: BTreeMap::new(),
        order: Vec::new(),
        stack: Vec::new(),
    };
    for request in requests {
        let pack = resolver.load_request(request)?;
        resolver.visit(pack, true)?;
    }
    let Resolver { chosen, order, .. } = resolver;
    let mut chosen = chosen;
    Ok(order
        .into_iter()
        .filter_map(|id| match chosen.remove(&id) {
            Some(Choice::New(pack)) => Some(pack),
            _ => None,
        })
        .collect())
}

enum Choice {
    New(ResolvedPack),
    Installed(semver::Version),
}

struct Resolver<'a> {
    env: &'a Environment,
    installed: &'a Lockfile,
    registry: Option<Registry>,
    chosen: BTreeMap<String, Choice>,
    order: Vec<String>,
    stack: Vec<String>,
}

impl Resolver<'_> {
    fn registry(&mut self, id: &str) -> Result<&Registry, ProjectError> {
        if self.registry.is_none() {
            let location = self
                .env
                .registry
                .as_deref()
                .ok_or_else(|| ProjectError::NoRegistry { id: id.to_string() })?;
            self.registry = Some(Registry::open(location, &self.env.cwd)?);
        }
        self.registry
            .as_ref()
            .ok_or_else(|| ProjectError::NoRegistry { id: id.to_string() })
    }

    fn load_request(&mut self, request: &PackRequest) -> Result<ResolvedPack, ProjectError> {
        match request {
            PackRequest::Path(path) => load_path(&self.env.cwd.join(path), self.env),
            PackRequest::Registry { id, req } => {
                let locked = self
                    .installed
                    .pack(id)
                    .and_then(|p| semver::Version::parse(&p.version).ok());
                self.load_from_registry(id, req, locked.as_ref())
            }
        }
    }

    fn load_from_registry(
        &mut self,
        id: &str,
        req: &semver::VersionReq,
        locked: Option<&semver::Version>,
    ) -> Result<ResolvedPack, ProjectError> {
        let cache = Cache::new(&self.env.ggen_home);
        let registry = self.registry(id)?;
        let index = registry.pack_index(id)?;
        let entry = index.select(req, locked).ok_or_else(|| {
            ggen_registry::RegistryError::NoMatchingVersion {
                id: id.to_string(),
                requirement: req.to_string(),
                available: index.describe_versions(),
            }
        })?;
        let bytes = registry.fetch_archive(id, entry)?;
        let integrity = entry.integrity();
        let root = cache.unpacked(&integrity, &entry.archive, &bytes)?;
        let pack = Pack::load(&root)?;
        if pack.id() != id || pack.version().to_string() != entry.version {
            return Err(ProjectError::ManifestMismatch {
                id: id.to_string(),
                version: entry.version.clone(),
                found: format!("{}@{}", pack.id(), pack.version()),
            });
        }
        Ok(ResolvedPack {
            pack,
            source: registry.source_id(),
            integrity,
            dependencies: Vec::new(),
            requested: true,
        })
    }

    /// Depth-first: resolve `pack`'s dependencies, then record it.
    fn visit(&mut self, mut pack: ResolvedPack, requested: bool) -> Result<(), ProjectError> {
        let id = pack.pack.id().to_string();
        if let Some(pos) = self.stack.iter().position(|s| *s == id) {
            let mut chain = self.stack[pos..].to_vec();
            chain.push(id);
            return Err(ProjectError::DependencyCycle {
                chain: chain.join(" -> "),
            });
        }
        if let Some(existing) = self.chosen.get(&id) {
            let version = match existing {
                Choice::New(p) => p.pack.version().clone(),
                Choice::Installed(v) => v.clone(),
            };
            if &version != pack.pack.version() {
                return Err(ProjectError::DependencyConflict {
                    id,
                    message: format!(
                        "requested as {} but {version} is already selected",
                        pack.pack.version()
                    ),
                });
            }
            return Ok(());
        }
        self.stack.push(id.clone());
        let mut resolved_deps = Vec::new();
        let dependencies = pack.pack.manifest.dependencies.clone();
        for (dep_id, req) in &dependencies {
            let version = self.require(&id, dep_id, req)?;
            resolved_deps.push(format!("{dep_id}@{version}"));
        }
        self.stack.pop();
        resolved_deps.sort();
        pack.dependencies = resolved_deps;
        pack.requested = requested;
        self.order.push(id.clone());
        self.chosen.insert(id, Choice::New(pack));
        Ok(())
    }

    /// Makes sure `dep_id` at a version matching `req` is selected; returns that version.
    fn require(
        &mut self,
        dependent: &str,
        dep_id: &str,
        req: &semver::VersionReq,
    ) -> Result<semver::Version, ProjectError> {
        if self.stack.iter().any(|s| s == dep_id) {
            let pos = self.stack.iter().position(|s| s == dep_id).unwrap_or(0);
            let mut chain = self.stack[pos..].to_vec();
            chain.push(dep_id.to_string());
            return Err(ProjectError::DependencyCycle {
                chain: chain.join(" -> "),
            });
        }
        let selected = match self.chosen.get(dep_id) {
            Some(Choice::New(p)) => Some(p.pack.version().clone()),
            Some(Choice::Installed(v)) => Some(v.clone()),
            None => None,
        };
        if let Some(version) = selected {
            if req.matches(&version) {
                return Ok(version);
            }
            return Err(ProjectError::DependencyConflict {
                id: dep_id.to_string(),
                message: format!(
                    "`{dependent}` requires `{dep_id} {req}`, but {version} is already selected"
                ),
            });
        }
        if let Some(locked) = self.installed.pack(dep_id) {
            let version =
                semver::Version::parse(&locked.version).map_err(|e| ProjectError::Internal {
                    message: format!(
                        "ggen.lock: pack `{dep_id}` has version {:?}: {e}",
                        locked.version
                    ),
                })?;
            if req.matches(&version) {
                self.chosen
                    .insert(dep_id.to_string(), Choice::Installed(version.clone()));
                return Ok(version);
            }
            return Err(ProjectError::DependencyConflict {
                id: dep_id.to_string(),
                message: format!(
                    "`{dependent}` requires `{dep_id} {req}`, but {version} is installed (run `ggen packs update {dep_id}`)"
                ),
            });
        }
        let pack = self.load_from_registry(dep_id, req, None)?;
        let version = pack.pack.version().clone();
        self.visit(pack, false)?;
        Ok(version)
    }
}

/// Loads a pack directory (integrity = hash of its deterministic archive) or a local
/// `.tar.gz` (unpacked into the cache).
pub fn load_path(path: &Path, env: &Environment) -> Result<ResolvedPack, ProjectError> {
    let absolute = path
        .canonicalize()
        .map_err(|e| ProjectError::Fs(ggen_fs::FsError::new("cannot find pack", path, e)))?;
    if absolute.is_file() {
        let bytes = ggen_fs::read(&absolute)?;
        let integrity = ggen_pack::integrity::sha256(&bytes);
        let name = absolute.display().to_string();
        let root = Cache::new(&env.ggen_home).unpacked(&integrity, &name, &bytes)?;
        let pack = Pack::load(&root)?;
        return Ok(ResolvedPack {
            pack,
            source: format!("archive+file://{name}"),
            integrity,
            dependencies: Vec::new(),
            requested: true,
        });
    }
    let pack = Pack::load(&absolute)?;
    let archive = ggen_pack::archive::pack_directory(&pack.root, pack.id(), pack.version())?;
    Ok(ResolvedPack {
        integrity: ggen_pack::integrity::sha256(&archive),
        source: format!("path+file://{}", absolute.display()),
        pack,
        dependencies: Vec::new(),
        requested: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_as_ids_or_paths() {
        assert_eq!(
            PackRequest::parse("rust-web@^1.2").unwrap(),
            PackRequest::Registry {
                id: "rust-web".into(),
                req: semver::VersionReq::parse("^1.2").unwrap()
            }
        );
        assert!(matches!(
            PackRequest::parse("rust-web").unwrap(),
            PackRequest::Registry { .. }
        ));
        assert_eq!(
            PackRequest::parse("./packs/x").unwrap(),
            PackRequest::Path("./packs/x".into())
        );
        assert!(matches!(
            PackRequest::parse("x.tar.gz").unwrap(),
            PackRequest::Path(_)
        ));
        assert!(PackRequest::parse("Rust_Web").is_err());
        assert!(PackRequest::parse("web@not-a-version").is_err());
    }
}
