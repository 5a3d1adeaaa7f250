//! The one rule for paths inside pack archives: relative, plain names joined by `/`.

use std::path::{Component, Path, PathBuf};

/// `raw` (an archive entry's path, a directory's possibly ending in `/`) as a relative path,
/// or the rule it breaks, worded to follow `entry "..."`.
pub(super) fn check(raw: &[u8]) -> Result<PathBuf, &'static str> {
    if raw.is_empty() {
        return Err("has an empty path");
    }
    if raw.contains(&0) {
        return Err("contains a NUL byte");
    }
    let Ok(text) = std::str::from_utf8(raw) else {
        return Err("is not valid UTF-8");
    };
    if text.starts_with('/') {
        return Err("is an absolute path");
    }
    // A backslash is a separator on Windows: `a\..\..\x` would climb out there.
    if text.contains('\\') {
        return Err("contains a backslash");
    }
    let body = text.strip_suffix('/').unwrap_or(text);
    for part in body.split('/') {
        match part {
            "" => return Err("has an empty component"),
            "." => return Err("has a \".\" component"),
            ".." => return Err("has a \"..\" component"),
            _ => {}
        }
    }
    let path = PathBuf::from(body);
    // What the platform itself would read as a root or a drive (`C:` on Windows).
    if !Path::new(body)
        .components()
        .all(|component| matches!(component, Component::Normal(_)))
    {
        return Err("is an absolute path");
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn plain_relative_paths_pass() {
        assert!(check(b"p-1.0.0/").is_ok());
        assert!(check(b"p-1.0.0/templates/.github/ci.yml").is_ok());
    }

    #[test]
    fn every_rule_is_enforced() {
        assert_eq!(check(b"/etc/passwd"), Err("is an absolute path"));
        assert_eq!(check(b"../evil"), Err("has a \"..\" component"));
        assert_eq!(check(b"a/../../evil"), Err("has a \"..\" component"));
        assert_eq!(check(b"./a"), Err("has a \".\" component"));
        assert_eq!(check(b"a//b"), Err("has an empty component"));
        assert_eq!(check(b"a\\..\\b"), Err("contains a backslash"));
        assert_eq!(check(b""), Err("has an empty path"));
        assert_eq!(check(b"a\0b"), Err("contains a NUL byte"));
        assert_eq!(check(b"\xff"), Err("is not valid UTF-8"));
    }
}
