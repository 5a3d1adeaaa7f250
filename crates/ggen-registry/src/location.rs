//! Where a registry lives: a local directory (a path or a `file://` URL) or an `http(s)://`
//! base URL, and how the files of the registry layout are named under it.

use std::path::{Component, Path, PathBuf};

use crate::RegistryError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// An absolute directory.
    Dir(PathBuf),
    /// A base URL without a trailing slash.
    Http(String),
}

impl Location {
    /// Parses `location` (a path relative to `cwd`, a `file://` URL, or an `http(s)://` URL)
    /// without touching the filesystem or the network.
    pub(crate) fn parse(location: &str, cwd: &Path) -> Result<Location, RegistryError> {
        let lower = location.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let base = location.trim_end_matches('/');
            let rest = base.split_once("://").map(|(_, rest)| rest).unwrap_or("");
            if rest.is_empty() || rest.contains(char::is_whitespace) {
                return Err(RegistryError::Unsupported {
                    registry: location.to_string(),
                });
            }
            return Ok(Location::Http(base.to_string()));
        }
        if let Some(rest) = location.strip_prefix("file://") {
            return Ok(Location::Dir(cwd.join(rest)));
        }
        if location.contains("://") || location.is_empty() {
            return Err(RegistryError::Unsupported {
                registry: location.to_string(),
            });
        }
        Ok(Location::Dir(cwd.join(location)))
    }

    /// The location as the user would write it.
    pub(crate) fn describe(&self) -> String {
        match self {
            Location::Dir(path) => path.display().to_string(),
            Location::Http(url) => url.clone(),
        }
    }

    /// The `source` recorded in `ggen.lock` for packs from here.
    pub(crate) fn source_id(&self) -> String {
        match self {
            Location::Dir(path) => format!("registry+file://{}", path.display()),
            Location::Http(url) => format!("registry+{url}"),
        }
    }

    /// The URL (or path, for messages) of `relative` under the registry root.
    pub(crate) fn url_of(&self, relative: &str) -> String {
        match self {
            Location::Dir(path) => path.join(relative).display().to_string(),
            Location::Http(url) => format!("{url}/{relative}"),
        }
    }

    /// A directory name for this registry's cached indexes: readable, and unique through a
    /// hash of the whole location.
    pub(crate) fn cache_key(&self) -> String {
        let described = self.describe();
        let digest = ggen_pack::integrity::sha256(described.as_bytes());
        let hash = digest.trim_start_matches("sha256-");
        let readable: String = described
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(&described)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .take(48)
            .collect();
        format!("{}-{}", readable.trim_matches('-'), &hash[..16])
    }
}

/// Checks that `relative` (an archive path from an index) stays inside the registry: plain
/// components only, `/`-separated.
pub(crate) fn check_relative(relative: &str) -> Result<(), String> {
    let path = Path::new(relative);
    let plain = !relative.is_empty()
        && !relative.contains('\\')
        && !path.is_absolute()
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if plain {
        Ok(())
    } else {
        Err(format!("archive path {relative:?} leaves the registry"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_as_directories_or_urls() {
        let cwd = Path::new("/work");
        assert_eq!(
            Location::parse("reg", cwd).unwrap(),
            Location::Dir("/work/reg".into())
        );
        assert_eq!(
            Location::parse("file:///srv/reg", cwd).unwrap(),
            Location::Dir("/srv/reg".into())
        );
        let http = Location::parse("https://packs.example.org/reg/", cwd).unwrap();
        assert_eq!(http, Location::Http("https://packs.example.org/reg".into()));
        assert_eq!(
            http.url_of("index/web.json"),
            "https://packs.example.org/reg/index/web.json"
        );
        assert_eq!(http.source_id(), "registry+https://packs.example.org/reg");
        assert!(http.cache_key().starts_with("packs-example-org-reg-"));
        assert!(Location::parse("ftp://x", cwd).is_err());
        assert!(Location::parse("http://", cwd).is_err());
    }

    #[test]
    fn archive_paths_must_stay_inside() {
        assert!(check_relative("packs/a/a-1.0.0.tar.gz").is_ok());
        for bad in [
            "../x.tar.gz",
            "/etc/passwd",
            "packs/../../x",
            "",
            "a\\b",
            "./a",
        ] {
            assert!(check_relative(bad).is_err(), "{bad}");
        }
    }
}
