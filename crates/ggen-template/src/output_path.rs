//! Output-path rules: relative, inside the project, no `..`.

/// Normalises a rendered output path (`/`-separated, `.` components and duplicate slashes
/// removed) or says why it is refused: empty, absolute (`/x`, `C:\x`, `\\x`), a `..`
/// component, a NUL byte or a backslash. Symlink escapes are checked by the caller, who
/// knows the project directory.
///
/// Also refused: other control characters (a newline in a file name is always a rendering
/// slip), a drive prefix written with a forward slash (`C:/x`, `c:x`), and a trailing `/`
/// (it names a directory, typically because a variable in the last component rendered
/// empty, and writing a *file* there would surprise everyone).
pub fn normalize(path: &str) -> Result<String, String> {
    if path.is_empty() {
        return Err("the path is empty".to_string());
    }
    if path.contains('\0') {
        return Err("the path contains a NUL byte".to_string());
    }
    if let Some(c) = path.chars().find(|c| c.is_control()) {
        return Err(format!("the path contains the control character {c:?}"));
    }
    if path.contains('\\') {
        // Refused outright rather than translated: on Windows `\\server\x` and `C:\x` are
        // absolute, and on Unix a backslash is a legal but confusing file-name byte.
        return Err("the path contains a backslash (use `/` as the separator)".to_string());
    }
    if path.starts_with('/') {
        return Err("the path is absolute".to_string());
    }
    if has_drive_prefix(path) {
        return Err("the path starts with a drive letter (it is absolute on Windows)".to_string());
    }
    if path.ends_with('/') {
        return Err("the path ends with `/` (it names a directory, not a file)".to_string());
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(format!("the path is longer than {MAX_PATH_BYTES} bytes"));
    }
    let mut components = Vec::new();
    for component in path.split('/') {
        match component {
            "" | "." => {}
            ".." => return Err("the path contains a `..` component".to_string()),
            other if names_git_dir(other) => {
                return Err(format!(
                    "the path goes into `{other}`, git's own directory: a pack may not write \
                     git configuration or hooks (they would run commands on the next git call)"
                ));
            }
            other if components.is_empty() && other.eq_ignore_ascii_case(".ggen") => {
                return Err("the path goes into `.ggen`, ggen's own state directory".to_string());
            }
            long if long.len() > MAX_NAME_BYTES => {
                return Err(format!(
                    "a file or directory name is longer than {MAX_NAME_BYTES} bytes"
                ));
            }
            other => components.push(other),
        }
    }
    if components.is_empty() {
        return Err("the path is empty".to_string());
    }
    let normalized = components.join("/");
    // `./c:x` normalises to `c:x`: check the result too, so normalising is idempotent.
    if has_drive_prefix(&normalized) {
        return Err("the path starts with a drive letter (it is absolute on Windows)".to_string());
    }
    Ok(normalized)
}

/// Whether a component names git's directory on some filesystem: `.git` in any case, also
/// with trailing dots or spaces (dropped on Windows) or with characters that HFS+ ignores.
fn names_git_dir(component: &str) -> bool {
    let visible: String = component
        .chars()
        .filter(|c| !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}'))
        .collect();
    let trimmed = visible.trim_end_matches(['.', ' ']);
    trimmed.eq_ignore_ascii_case(".git") || trimmed.eq_ignore_ascii_case("git~1")
}
/// Longest file or directory name most filesystems accept.
const MAX_NAME_BYTES: usize = 255;
/// Longest path: Linux's `PATH_MAX`.
const MAX_PATH_BYTES: usize = 4096;

/// `C:`, `c:x`, `C:/x`: a letter and a colon at the very start.
fn has_drive_prefix(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use proptest::prelude::*;

    #[test]
    fn git_and_ggen_directories_are_refused() {
        for bad in [
            ".git/config",
            ".GIT/hooks/pre-commit",
            "sub/.Git/config",
            "a/b/c/.git/info/exclude",
            "./.git/config",
            ".git./config",
            ".git /config",
            ".g\u{200c}it/config",
            "GIT~1/config",
            ".git",
            ".ggen/snapshot.json",
            ".GGEN/x",
        ] {
            let err = normalize(bad).unwrap_err();
            assert!(
                err.contains("git's own directory") || err.contains("ggen's own state"),
                "{bad}: {err}"
            );
        }
        for good in [
            ".github/x",
            ".gitignore",
            "a/.gitkeep",
            "src/.ggen/x",
            "git/x",
        ] {
            assert!(normalize(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn accepts_and_normalises_relative_paths() {
        let cases = [
            ("a", "a"),
            ("a/b.rs", "a/b.rs"),
            ("./a//b", "a/b"),
            ("a/./b/./c", "a/b/c"),
            ("./a", "a"),
            (".github/workflows/ci.yml", ".github/workflows/ci.yml"),
            ("a/..b/c..", "a/..b/c.."),
            ("src/my file.rs", "src/my file.rs"),
            ("dir.with:colon/x", "dir.with:colon/x"),
            ("ü/日本.txt", "ü/日本.txt"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(input).as_deref(), Ok(expected), "input {input:?}");
        }
    }

    #[test]
    fn refuses_unsafe_paths_with_a_reason() {
        let cases = [
            ("", "empty"),
            (".", "empty"),
            ("./", "directory"),
            ("//", "absolute"),
            ("/etc/passwd", "absolute"),
            ("/", "absolute"),
            ("..", "`..`"),
            ("../x", "`..`"),
            ("a/../b", "`..`"),
            ("a/b/..", "`..`"),
            ("a/./../../b", "`..`"),
            ("C:\\Windows\\x", "backslash"),
            ("C:/Windows/x", "drive"),
            ("c:x", "drive"),
            ("./a:", "drive"),
            ("\\\\server\\share", "backslash"),
            ("a\\b", "backslash"),
            ("a\0b", "NUL"),
            ("a\nb", "control"),
            ("src/", "directory"),
        ];
        let long_name = "n".repeat(256);
        let long_path = "a/".repeat(2100) + "a";
        let cases = cases.into_iter().chain([
            (long_name.as_str(), "longer than 255"),
            (long_path.as_str(), "longer than 4096"),
        ]);
        for (input, reason) in cases {
            let err = normalize(input).expect_err(input);
            assert!(err.contains(reason), "input {input:?}: {err}");
        }
    }

    proptest! {
        #[test]
        fn never_accepts_parent_or_absolute(path in "[a./\\\\:C\0-]{0,12}") {
            if let Ok(normal) = normalize(&path) {
                prop_assert!(!normal.is_empty());
                prop_assert!(!normal.starts_with('/'));
                prop_assert!(!normal.split('/').any(|c| c == ".." || c == "." || c.is_empty()));
                prop_assert!(!normal.contains('\\'));
                prop_assert!(!normal.contains('\0'));
                // Normalising is idempotent.
                prop_assert_eq!(normalize(&normal), Ok(normal.clone()));
            }
        }

        #[test]
        fn never_panics(path in any::<String>()) {
            if let Ok(normal) = normalize(&path) {
                prop_assert!(!normal.starts_with('/'));
                prop_assert!(!normal.split('/').any(|c| c == ".."));
            }
        }
    }
}
