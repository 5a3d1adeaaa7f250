//! Reading a registry — a local directory or an HTTP(S) server — with its indexes cached for
//! `--offline`, and archives fetched through the cache and verified against the index.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use ggen_pack::archive::ArchiveLimits;

use crate::http::HttpClient;
use crate::location::Location;
use crate::{
    Cache, NetworkOptions, PackIndex, ProgressHandle, RegistryError, RootIndex, VersionEntry,
};

/// A cached index older than this gives a warning when used offline.
const STALE_AFTER: Duration = Duration::from_secs(7 * 24 * 3600);
/// The largest index file accepted.
const MAX_INDEX_BYTES: u64 = 64 << 20;

/// How registries are reached: the cache, whether the network may be used, and how.
#[derive(Debug, Clone)]
pub struct Access {
    /// `$GGEN_HOME`: the cache lives in `cache/` under it.
    pub ggen_home: PathBuf,
    /// Use only the cache for HTTP registries.
    pub offline: bool,
    pub network: NetworkOptions,
    pub progress: ProgressHandle,
}

impl Access {
    /// Online, default network options, silent.
    pub fn new(ggen_home: &Path) -> Access {
        Access {
            ggen_home: ggen_home.to_path_buf(),
            offline: false,
            network: NetworkOptions::default(),
            progress: ProgressHandle::default(),
        }
    }
}

/// One registry, opened for reading (and, when it is a directory, publishing).
pub struct Registry {
    location: Location,
    cache: Cache,
    offline: bool,
    http: Option<HttpClient>,
    progress: ProgressHandle,
    /// Pack indexes already read in this process (`None`: not in the registry).
    indexes: Mutex<BTreeMap<String, Option<Arc<PackIndex>>>>,
}

impl Registry {
    /// Opens `location`: a path (relative to `cwd`), a `file://` URL or an `http(s)://` URL.
    /// A directory must exist; a URL is not contacted until something is read.
    ///
    /// A URL's `user:password@` (or `GGEN_REGISTRY_TOKEN`) is used for requests and is never
    /// recorded or shown: the registry describes itself without it.
    pub fn open(location: &str, cwd: &Path, access: &Access) -> Result<Registry, RegistryError> {
        let (stripped, credentials) = crate::credentials::split(location);
        let location = stripped.as_str();
        let location = match Location::parse(location, cwd)? {
            Location::Dir(path) => {
                if !path.is_dir() {
                    return Err(RegistryError::Missing {
                        registry: location.to_string(),
                    });
                }
                Location::Dir(path.canonicalize().unwrap_or(path))
            }
            http => http,
        };
        let http = match &location {
            Location::Http(_) => Some(HttpClient::new(
                access.network.clone(),
                access.progress.clone(),
                credentials,
            )),
            Location::Dir(_) => None,
        };
        Ok(Registry {
            location,
            cache: Cache::new(&access.ggen_home),
            offline: access.offline,
            http,
            progress: access.progress.clone(),
            indexes: Mutex::new(BTreeMap::new()),
        })
    }

    /// Opens a registry directory to publish into, creating it when absent.
    pub fn create(location: &str, cwd: &Path, access: &Access) -> Result<Registry, RegistryError> {
        let location = crate::credentials::redact(location);
        let location = location.as_str();
        match Location::parse(location, cwd)? {
            Location::Dir(path) => {
                ggen_fs::create_dir_all(&path)?;
                Registry::open(&path.to_string_lossy(), cwd, access)
            }
            Location::Http(_) => Err(RegistryError::NotLocal {
                registry: location.to_string(),
                action: "publishing",
            }),
        }
    }

    /// The registry's directory; an error naming `action` for an HTTP registry.
    pub fn dir(&self, action: &'static str) -> Result<&Path, RegistryError> {
        match &self.location {
            Location::Dir(path) => Ok(path),
            Location::Http(url) => Err(RegistryError::NotLocal {
                registry: url.clone(),
                action,
            }),
        }
    }

    /// The location for messages: a directory path or a URL.
    pub fn describe(&self) -> String {
        self.location.describe()
    }

    /// The `source` recorded in `ggen.lock` for packs from this registry.
    pub fn source_id(&self) -> String {
        self.location.source_id()
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// `index.json`. An empty index when a registry directory has none yet; an error when
    /// an HTTP registry has none (the URL is probably wrong).
    pub fn root_index(&self) -> Result<RootIndex, RegistryError> {
        match self.read_index_file("index.json", "the pack list (index.json)")? {
            Some(bytes) => parse_json(&self.location.url_of("index.json"), &bytes),
            None if matches!(self.location, Location::Dir(_)) => Ok(RootIndex::default()),
            None => Err(RegistryError::Missing {
                registry: format!("{} (it has no index.json)", self.describe()),
            }),
        }
    }

    /// `index/<id>.json`, or `None` when the pack was never published here.
    pub fn pack_index_optional(&self, id: &str) -> Result<Option<Arc<PackIndex>>, RegistryError> {
        if let Ok(memo) = self.indexes.lock()
            && let Some(known) = memo.get(id)
        {
            return Ok(known.clone());
        }
        let relative = format!("index/{id}.json");
        let index = match self.read_index_file(&relative, &format!("the index of pack `{id}`"))? {
            Some(bytes) => {
                let url = self.location.url_of(&relative);
                let index: PackIndex = parse_json(&url, &bytes)?;
                if index.id != id {
                    return Err(RegistryError::Index {
                        location: url,
                        message: format!("names pack `{}`, expected `{id}`", index.id),
                    });
                }
                index.validate().map_err(|message| RegistryError::Index {
                    location: url,
                    message,
                })?;
                Some(Arc::new(index))
            }
            None => None,
        };
        if let Ok(mut memo) = self.indexes.lock() {
            memo.insert(id.to_string(), index.clone());
        }
        Ok(index)
    }

    /// `index/<id>.json`; an unknown pack is an error naming it and the registry.
    pub fn pack_index(&self, id: &str) -> Result<Arc<PackIndex>, RegistryError> {
        self.pack_index_optional(id)?
            .ok_or_else(|| self.unknown_pack(id))
    }

    /// The error for a pack id this registry does not have, with the nearest id it has (a
    /// typo's did-you-mean) when one is close.
    pub fn unknown_pack(&self, id: &str) -> RegistryError {
        let suggestion = self.root_index().ok().and_then(|index| {
            index
                .packs
                .keys()
                .map(|known| (strsim::damerau_levenshtein(id, known), known))
                .filter(|(distance, known)| *distance <= (known.len() / 3).max(2))
                .min()
                .map(|(_, known)| known.clone())
        });
        RegistryError::UnknownPack {
            id: id.to_string(),
            registry: self.describe(),
            suggestion,
        }
    }

    /// Forgets what was read, so that the next read sees the registry as it is now.
    pub(crate) fn forget(&self, id: &str) {
        if let Ok(mut memo) = self.indexes.lock() {
            memo.remove(id);
        }
    }

    pub(crate) fn pack_index_path(&self, id: &str) -> Result<PathBuf, RegistryError> {
        Ok(self
            .dir("publishing")?
            .join("index")
            .join(format!("{id}.json")))
    }

    /// Reads an index file: from the directory, from the server (recording it in the cache),
    /// or offline from the cache, warning when that copy is more than a week old.
    fn read_index_file(
        &self,
        relative: &str,
        what: &str,
    ) -> Result<Option<Vec<u8>>, RegistryError> {
        let (http, url) = match &self.location {
            Location::Dir(dir) => {
                return Ok(ggen_fs::read_optional_capped(
                    &dir.join(relative),
                    MAX_INDEX_BYTES,
                )?);
            }
            Location::Http(_) => (self.http.as_ref(), self.location.url_of(relative)),
        };
        let key = self.location.cache_key();
        if self.offline {
            let Some((bytes, fetched)) = self.cache.index(&key, relative)? else {
                return Err(RegistryError::NotCached {
                    what: what.to_string(),
                    registry: self.describe(),
                });
            };
            let age = SystemTime::now()
                .duration_since(fetched)
                .unwrap_or(Duration::ZERO);
            if age > STALE_AFTER {
                self.progress.warning(&format!(
                    "offline: using {what} of registry {} cached {} days ago; it may be out of date",
                    self.describe(),
                    age.as_secs() / 86_400
                ));
            }
            return Ok(Some(bytes));
        }
        let Some(http) = http else {
            return Err(RegistryError::Unsupported {
                registry: self.describe(),
            });
        };
        let body = http.get(&url, MAX_INDEX_BYTES, false)?;
        if let Some(bytes) = &body {
            self.cache.store_index(&key, relative, bytes)?;
        }
        Ok(body)
    }

    /// The archive of `entry`, verified against the index's sha256: from the cache when it
    /// holds it, else from the registry (and then cached). Nothing unverified is kept.
    pub fn fetch_archive(&self, id: &str, entry: &VersionEntry) -> Result<Vec<u8>, RegistryError> {
        crate::location::check_relative(&entry.archive).map_err(|message| {
            RegistryError::Index {
                location: self.location.url_of(&format!("index/{id}.json")),
                message,
            }
        })?;
        let integrity = entry.integrity();
        if let Some(bytes) = self.cache.archive(&integrity)? {
            return Ok(bytes);
        }
        let url = self.location.url_of(&entry.archive);
        let bytes = match &self.location {
            Location::Dir(dir) => ggen_fs::read_capped(
                &dir.join(&entry.archive),
                ArchiveLimits::default().max_compressed_bytes,
            )?,
            Location::Http(_) if self.offline => {
                return Err(RegistryError::NotCached {
                    what: format!("archive {id}@{}", entry.version),
                    registry: self.describe(),
                });
            }
            Location::Http(_) => {
                let limit = ArchiveLimits::default().max_compressed_bytes;
                let http = self
                    .http
                    .as_ref()
                    .ok_or_else(|| RegistryError::Unsupported {
                        registry: self.describe(),
                    })?;
                http.get(&url, limit, true)?
                    .ok_or_else(|| RegistryError::HttpStatus {
                        url: url.clone(),
                        status: 404,
                        detail: " (the index lists an archive the server does not have)".into(),
                    })?
            }
        };
        let actual = ggen_pack::integrity::sha256(&bytes);
        if actual != integrity {
            return Err(RegistryError::Checksum {
                id: id.to_string(),
                version: entry.version.clone(),
                archive: url,
                expected: entry.sha256.clone(),
                actual: actual.trim_start_matches("sha256-").to_string(),
            });
        }
        if matches!(self.location, Location::Http(_)) {
            self.cache.store_archive(&integrity, &bytes)?;
        }
        Ok(bytes)
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("location", &self.location)
            .field("offline", &self.offline)
            .finish_non_exhaustive()
    }
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    location: &str,
    bytes: &[u8],
) -> Result<T, RegistryError> {
    serde_json::from_slice(bytes).map_err(|e| RegistryError::Index {
        location: location.to_string(),
        message: e.to_string(),
    })
}
