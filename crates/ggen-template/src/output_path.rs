//! Output-path rules: relative, inside the project, no `..`.

/// Normalises a rendered output path (`/`-separated, `.` components and duplicate slashes
/// removed) or says why it is refused: empty, absolute (`/x`, `C:\x`, `\\x`), a `..`
/// component, a NUL byte or a backslash. Symlink escapes are checked by the caller, who
/// knows the project directory.
pub fn normalize(path: &str) -> Result<String, String> {
    unimplemented!()
}
