//! Where packs come from: a pack directory, a local `.tar.gz`, or a registry (directory,
//! `file://` or `http(s)://`); and resolving the packs a request needs, dependencies first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ggen_pack::Pack;
use ggen_pack::archive::ArchiveLimits;
use ggen_registry::resolve::{self, Fixed, Origin, Problem};
use ggen_registry::{Access, Registry, RegistryError, VersionEntry};

use crate::state::lockfile::{DIRECTORY_SOURCE, LockedPack, Lockfile};
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
        // `https://…`, `git+ssh://…`, `git@host:repo.git`: sources still to come.
        let looks_like_remote = spec.contains("://")
            || (spec.starts_with("git@") && spec.contains(':'))
            || spec.ends_with(".git");
        if looks_like_remote {
            return Err(ProjectError::UnsupportedSource {
                spec: spec.to_string(),
            });
        }
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
    /// The registry's signature of the archive (`<algorithm>:<key id>:<hex>`), if signed.
    pub signature: Option<String>,
}

/// How this environment reaches registries.
pub fn registry_access(env: &Environment) -> Access {
    Access {
        ggen_home: env.ggen_home.clone(),
        offline: env.offline,
        network: env.network.clone(),
        progress: env.progress.clone(),
    }
}

/// Resolves `requests` and their dependencies into the packs to install, dependencies before
/// their dependents. Dependencies already installed at a matching version are not returned.
///
/// Resolution is pubgrub's over the registry's indexes: the newest versions that satisfy
/// every requirement, yanked versions skipped unless locked, installed packs kept at their
/// locked version (changing them is `ggen packs update`'s job). Signatures are checked
/// against the index before any archive is fetched; the archives of independent packs are
/// fetched in parallel, each verified against the index's sha256.
pub fn resolve(
    requests: &[PackRequest],
    installed: &Lockfile,
    env: &Environment,
) -> Result<Vec<ResolvedPack>, ProjectError> {
    let mut problem = Problem::default();
    let mut paths: BTreeMap<String, ResolvedPack> = BTreeMap::new();
    for request in requests {
        match request {
            PackRequest::Path(path) => {
                let pack = load_path(&env.cwd.join(path))?;
                let id = pack.pack.id().to_string();
                let version = pack.pack.version().clone();
                problem.fixed.insert(
                    id.clone(),
                    Fixed {
                        version: version.clone(),
                        dependencies: pack.pack.manifest.dependencies.clone(),
                        origin: Origin::Path(path.display().to_string()),
                    },
                );
                problem.requests.push((id.clone(), exactly(&version)?));
                paths.insert(id, pack);
            }
            PackRequest::Registry { id, req } => {
                problem.requests.push((id.clone(), req.clone()));
                if let Some(locked) = installed.pack(id) {
                    problem
                        .preferred
                        .insert(id.clone(), parse_locked_version(locked)?);
                }
            }
        }
    }
    for locked in &installed.packs {
        let requested = problem.requests.iter().any(|(id, _)| *id == locked.id);
        if requested || problem.fixed.contains_key(&locked.id) {
            continue;
        }
        problem.fixed.insert(
            locked.id.clone(),
            Fixed {
                version: parse_locked_version(locked)?,
                dependencies: locked_pins(locked)?,
                origin: Origin::Installed,
            },
        );
    }

    // A registry that cannot be opened matters only if resolution needs it.
    let (registry, open_error) = match env.registry.as_deref() {
        Some(location) => match Registry::open(location, &env.cwd, &registry_access(env)) {
            Ok(registry) => (Some(registry), None),
            Err(err) => (None, Some(err)),
        },
        None => (None, None),
    };
    let resolution = match resolve::resolve(&problem, registry.as_ref()) {
        Ok(resolution) => resolution,
        Err(RegistryError::NoRegistry { id }) => {
            return Err(match open_error {
                Some(err) => err.into(),
                None => ProjectError::NoRegistry { id },
            });
        }
        Err(err) => return Err(err.into()),
    };

    let requested: Vec<&str> = problem.requests.iter().map(|(id, _)| id.as_str()).collect();
    let mut wanted = Vec::new();
    for id in &resolution.order {
        match problem.fixed.get(id).map(|f| &f.origin) {
            Some(Origin::Installed) => continue,
            Some(Origin::Path(_)) => {}
            None => {
                let registry = registry
                    .as_ref()
                    .ok_or_else(|| ProjectError::NoRegistry { id: id.clone() })?;
                let index = registry.pack_index(id)?;
                let version = &resolution.versions[id];
                let entry =
                    index
                        .entry(version)
                        .cloned()
                        .ok_or_else(|| RegistryError::UnknownVersion {
                            id: id.clone(),
                            version: version.to_string(),
                            registry: registry.describe(),
                        })?;
                env.trust.check(id, &entry)?;
                wanted.push((id.clone(), entry));
            }
        }
    }
    let mut fetched: BTreeMap<String, ResolvedPack> = match &registry {
        Some(registry) => fetch_all(registry, &wanted)?,
        None => BTreeMap::new(),
    };

    let mut packs = Vec::new();
    for id in &resolution.order {
        let Some(mut pack) = paths.remove(id).or_else(|| fetched.remove(id)) else {
            continue;
        };
        pack.dependencies = resolution
            .dependencies
            .get(id)
            .map(|deps| deps.iter().map(|(d, v)| format!("{d}@{v}")).collect())
            .unwrap_or_default();
        pack.requested = requested.contains(&id.as_str());
        packs.push(pack);
    }
    Ok(packs)
}

fn exactly(version: &semver::Version) -> Result<semver::VersionReq, ProjectError> {
    semver::VersionReq::parse(&format!("={version}")).map_err(|e| ProjectError::Internal {
        message: format!("cannot pin version {version}: {e}"),
    })
}

fn parse_locked_version(locked: &LockedPack) -> Result<semver::Version, ProjectError> {
    semver::Version::parse(&locked.version).map_err(|e| ProjectError::CorruptLockfile {
        path: PathBuf::from("ggen.lock"),
        message: format!("pack `{}` has version {:?}: {e}", locked.id, locked.version),
    })
}

/// An installed pack's resolved dependencies (`id@version`) as exact requirements.
fn locked_pins(locked: &LockedPack) -> Result<BTreeMap<String, semver::VersionReq>, ProjectError> {
    locked
        .dependencies
        .iter()
        .map(|dep| {
            let parsed = dep
                .split_once('@')
                .and_then(|(id, v)| semver::Version::parse(v).ok().map(|v| (id, v)));
            let Some((id, version)) = parsed else {
                return Err(ProjectError::CorruptLockfile {
                    path: PathBuf::from("ggen.lock"),
                    message: format!(
                        "pack `{}` has dependency {dep:?}, expected ID@VERSION",
                        locked.id
                    ),
                });
            };
            Ok((id.to_string(), exactly(&version)?))
        })
        .collect()
}

/// Fetches, verifies and unpacks the archives of `wanted`, several at a time.
fn fetch_all(
    registry: &Registry,
    wanted: &[(String, VersionEntry)],
) -> Result<BTreeMap<String, ResolvedPack>, ProjectError> {
    const PARALLEL: usize = 8;
    let mut packs = BTreeMap::new();
    for batch in wanted.chunks(PARALLEL) {
        let results: Vec<Result<ResolvedPack, ProjectError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|(id, entry)| scope.spawn(move || fetch_one(registry, id, entry)))
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle.join().unwrap_or_else(|_| {
                        Err(ProjectError::Internal {
                            message: "a download thread panicked".into(),
                        })
                    })
                })
                .collect()
        });
        for result in results {
            let pack = result?;
            packs.insert(pack.pack.id().to_string(), pack);
        }
    }
    Ok(packs)
}

/// The pack of one registry version (verified like an install's, read into memory), to
/// read its manifest: `ggen packs info ID` lists its variables.
pub fn fetch_registry_pack(
    registry: &Registry,
    id: &str,
    entry: &VersionEntry,
) -> Result<Pack, ProjectError> {
    Ok(fetch_one(registry, id, entry)?.pack)
}

/// One registry pack: its verified archive (from the download cache once fetched), read
/// into memory, whose manifest must be the one the index describes.
fn fetch_one(
    registry: &Registry,
    id: &str,
    entry: &VersionEntry,
) -> Result<ResolvedPack, ProjectError> {
    let bytes = registry.fetch_archive(id, entry)?;
    let integrity = entry.integrity();
    let pack = Pack::from_archive(&bytes, &entry.archive, &ArchiveLimits::default())?;
    if pack.id() != id || pack.version().to_string() != entry.version {
        return Err(ProjectError::ManifestMismatch {
            id: id.to_string(),
            version: entry.version.clone(),
            found: format!("{}@{}", pack.id(), pack.version()),
        });
    }
    let declared: BTreeMap<String, String> = pack
        .manifest
        .dependencies
        .iter()
        .map(|(dep, req)| (dep.clone(), req.to_string()))
        .collect();
    let indexed = entry.requirements().unwrap_or_default();
    let indexed: BTreeMap<String, String> = indexed
        .iter()
        .map(|(dep, req)| (dep.clone(), req.to_string()))
        .collect();
    if declared != indexed {
        return Err(RegistryError::Index {
            location: registry.describe(),
            message: format!(
                "{id}@{}: the index lists dependencies {indexed:?} but the archive's gpack.toml declares {declared:?}",
                entry.version
            ),
        }
        .into());
    }
    Ok(ResolvedPack {
        pack,
        source: registry.source_id(),
        integrity,
        dependencies: Vec::new(),
        requested: false,
        signature: entry.signature.as_ref().map(|s| s.to_lock_string()),
    })
}

/// Loads a pack directory (integrity = hash of its deterministic archive) or a local
/// `.tar.gz` (read into memory).
pub fn load_path(path: &Path) -> Result<ResolvedPack, ProjectError> {
    let absolute = path
        .canonicalize()
        .map_err(|e| ProjectError::Fs(ggen_fs::FsError::new("cannot find pack", path, e)))?;
    if absolute.is_file() {
        let bytes = ggen_fs::read(&absolute)?;
        let integrity = ggen_pack::integrity::sha256(&bytes);
        let name = absolute.display().to_string();
        let pack = Pack::from_archive(&bytes, &name, &ArchiveLimits::default())?;
        return Ok(ResolvedPack {
            pack,
            source: format!("archive+file://{name}"),
            integrity,
            dependencies: Vec::new(),
            requested: true,
            signature: None,
        });
    }
    let pack = Pack::load(&absolute)?;
    let archive = ggen_pack::archive::pack_directory(&pack.root, pack.id(), pack.version())?;
    Ok(ResolvedPack {
        integrity: ggen_pack::integrity::sha256(&archive),
        source: format!("{DIRECTORY_SOURCE}{}", absolute.display()),
        pack,
        dependencies: Vec::new(),
        requested: true,
        signature: None,
    })
}

/// Which version `ggen packs update` moves a pack to.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateTarget {
    /// The newest non-yanked version (crossing a major version is allowed, and announced).
    Newest,
    /// The newest version semver-compatible with the installed one (`^installed`).
    Compatible,
    /// Exactly this version (`--to`).
    Exact(semver::Version),
}

/// Loads the version of an installed pack that `target` selects, from where the lockfile
/// says it came: a registry source is asked for the version (the installed version stays
/// available even if yanked); a path source is read again (its version is whatever its
/// manifest says now); a local archive cannot change.
pub fn load_update(
    locked: &LockedPack,
    target: &UpdateTarget,
    env: &Environment,
) -> Result<ResolvedPack, ProjectError> {
    let installed = parse_locked_version(locked)?;
    if let Some(path) = locked.directory() {
        let pack = load_path(Path::new(path))?;
        if let UpdateTarget::Exact(want) = target
            && pack.pack.version() != want
        {
            return Err(ProjectError::DependencyConflict {
                id: locked.id.clone(),
                message: format!(
                    "the pack directory {path} holds version {}, not {want}",
                    pack.pack.version()
                ),
            });
        }
        return Ok(pack);
    }
    if let Some(path) = locked.source.strip_prefix("archive+file://") {
        return load_path(Path::new(path));
    }
    let Some(location) = locked.source.strip_prefix("registry+") else {
        return Err(ProjectError::CorruptLockfile {
            path: PathBuf::from("ggen.lock"),
            message: format!(
                "pack `{}` has an unknown source {:?}",
                locked.id, locked.source
            ),
        });
    };
    let req =
        match target {
            UpdateTarget::Newest => semver::VersionReq::STAR,
            UpdateTarget::Compatible => semver::VersionReq::parse(&format!("^{installed}"))
                .map_err(|e| ProjectError::Internal {
                    message: e.to_string(),
                })?,
            UpdateTarget::Exact(version) => exactly(version)?,
        };
    // The lockfile keeps no credentials: the configured registry's, when it is this one.
    let location = env
        .registry
        .as_deref()
        .filter(|configured| ggen_registry::redact(configured) == location)
        .unwrap_or(location);
    let registry = Registry::open(location, &env.cwd, &registry_access(env))?;
    let index = registry.pack_index(&locked.id)?;
    let entry = index
        .select(&req, Some(&installed))
        .cloned()
        .ok_or_else(|| RegistryError::NoMatchingVersion {
            id: locked.id.clone(),
            requirement: req.to_string(),
            available: index.describe_versions(),
        })?;
    env.trust.check(&locked.id, &entry)?;
    let mut pack = fetch_one(&registry, &locked.id, &entry)?;
    pack.requested = true;
    // Dependencies keep what the lockfile resolved: `packs update` moves one pack at a time.
    pack.dependencies = locked.dependencies.clone();
    Ok(pack)
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
