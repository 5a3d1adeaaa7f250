//! Test support: run the real `ggen` binary in temporary directories and compare trees.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

pub mod case;
pub mod terminal;

/// The `ggen` binary with an isolated `$GGEN_HOME`, no registry from the environment, and
/// no colors.
pub fn ggen(home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("ggen").expect("ggen binary");
    cmd.env("GGEN_HOME", home)
        .env_remove("GGEN_REGISTRY")
        .env("NO_COLOR", "1");
    cmd
}

/// A scratch directory with `home/` (GGEN_HOME) and a working directory `work/`.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("work")).expect("work dir");
        Scratch { dir }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// `ggen` running in `work/`.
    pub fn ggen(&self) -> assert_cmd::Command {
        let mut cmd = ggen(&self.home());
        cmd.current_dir(self.work());
        cmd
    }

    /// Runs `ggen --registry work/reg ARGS` in `dir` and returns what it did.
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.ggen()
            .current_dir(dir)
            .arg("--registry")
            .arg(self.work().join("reg"))
            .args(args)
            .output()
            .expect("run ggen")
    }

    /// Writes `files` (relative path -> content) under `work/<dir>`; returns that directory.
    pub fn write_tree(&self, dir: &str, files: &[(&str, &str)]) -> PathBuf {
        let root = self.work().join(dir);
        for (path, content) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, content).expect("write");
        }
        root
    }
}

/// The repository's `examples/packs/NAME`.
pub fn example_pack(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/packs")
        .join(name)
        .canonicalize()
        .expect("example pack")
}

/// Every file under `root` (relative path -> bytes), `.ggen/` left out.
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(root, false)
}

/// Every file under `root` (relative, `/`-separated path -> bytes), `.ggen/` included when
/// `with_ggen`; symlinks are followed, unreadable files read as empty.
fn walk(root: &Path, with_ggen: bool) -> BTreeMap<String, Vec<u8>> {
    fn collect(root: &Path, dir: &Path, with_ggen: bool, files: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("entry").path();
            let rel = path
                .strip_prefix(root)
                .expect("prefix")
                .to_string_lossy()
                .replace('\\', "/");
            if rel == ".ggen" && !with_ggen {
                continue;
            }
            if path.is_dir() {
                collect(root, &path, with_ggen, files);
            } else {
                files.insert(rel, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    let mut files = BTreeMap::new();
    collect(root, root, with_ggen, &mut files);
    files
}

/// Compares `actual` with the expected tree under `tests/expected/NAME/`; with
/// `GGEN_BLESS=1` rewrites the expected tree instead. `normalize` maps file text before the
/// comparison (e.g. to replace absolute paths).
pub fn assert_tree(name: &str, actual: &Path, normalize: impl Fn(&str, String) -> String) {
    let expected_root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name);
    assert_tree_at(&expected_root, actual, normalize);
}

/// Whether this run rewrites expected trees and reports (`GGEN_BLESS=1`).
pub fn blessing() -> bool {
    std::env::var_os("GGEN_BLESS").is_some()
}

/// [`assert_tree`] against the expected tree at `expected_root`.
pub fn assert_tree_at(
    expected_root: &Path,
    actual: &Path,
    normalize: impl Fn(&str, String) -> String,
) {
    let actual: BTreeMap<String, Vec<u8>> = tree(actual)
        .into_iter()
        .map(|(path, bytes)| {
            let bytes = match String::from_utf8(bytes) {
                Ok(text) => normalize(&path, text).into_bytes(),
                Err(e) => e.into_bytes(),
            };
            (path, bytes)
        })
        .collect();
    let shown = expected_root.display();
    if blessing() {
        let _ = std::fs::remove_dir_all(expected_root);
        std::fs::create_dir_all(expected_root).expect("mkdir");
        for (path, bytes) in &actual {
            let dest = expected_root.join(path);
            std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
            std::fs::write(dest, bytes).expect("write");
        }
        return;
    }
    assert!(
        expected_root.is_dir(),
        "no expected tree at {shown}: run with GGEN_BLESS=1 once"
    );
    let expected = tree(expected_root);
    let actual_paths: Vec<&String> = actual.keys().collect();
    let expected_paths: Vec<&String> = expected.keys().collect();
    assert_eq!(
        actual_paths, expected_paths,
        "file lists differ from {shown}"
    );
    for (path, bytes) in &expected {
        assert!(
            &actual[path] == bytes,
            "{path} differs from {shown}/{path}:\n--- expected\n{}\n--- actual\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&actual[path]),
        );
    }
}

pub fn stdout_json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Copies the tree at `from` into `to` (created as needed); symlinks are copied as links.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).expect("link"), &target)
                .expect("symlink");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file under `root`, `.ggen/` included, as (full path, bytes), sorted.
pub fn whole_tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walk(root, true)
        .into_iter()
        .map(|(rel, bytes)| (root.join(rel), bytes))
        .collect();
    files.sort();
    files
}

/// Writes pack `id` at `version` into `dir`: a manifest with one variable (`name`, default
/// `demo`) and `files` under `templates/` (paths relative to it).
pub fn write_pack<P: AsRef<Path>, C: AsRef<[u8]>>(
    dir: &Path,
    id: &str,
    version: &str,
    files: &[(P, C)],
) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("gpack.toml"),
        format!(
            "[pack]\nid = \"{id}\"\nversion = \"{version}\"\ndescription = \"{id}\"\n\n\
             [variables.name]\ndefault = \"demo\"\n"
        ),
    )
    .unwrap();
    for (path, content) in files {
        let path = dir.join("templates").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// [`write_pack`] of pack `app`.
pub fn write_app_pack<P: AsRef<Path>, C: AsRef<[u8]>>(dir: &Path, version: &str, files: &[(P, C)]) {
    write_pack(dir, "app", version, files);
}

/// Publishes the pack directories `versions` (under `work/`) to the registry `work/reg`, then
/// runs `ggen new PROJECT --pack SPEC` from it; returns the project's path.
pub fn publish_and_create(
    scratch: &Scratch,
    versions: &[&str],
    project: &str,
    spec: &str,
) -> PathBuf {
    for dir in versions {
        scratch
            .ggen()
            .args(["packs", "publish", dir, "--registry", "reg", "--init"])
            .assert()
            .success();
    }
    scratch
        .ggen()
        .args(["--registry", "reg", "new", project, "--pack", spec])
        .assert()
        .success();
    scratch.work().join(project)
}

/// Runs git in `dir` without the user's or system's config (a fixed author), and returns
/// its stdout; a failing git fails the test.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every object in the project's `.ggen/objects/` (hash -> bytes), read the way
/// docs/project-state.md describes the store: loose files `ab/cdef…` and packs
/// `pack/*.pack` (`GGENPACK`, format and count as u32 LE, then per object its sha256, offset
/// and length as u64 LE, sorted by hash, then the bytes).
pub fn stored_objects(project: &Path) -> BTreeMap<String, Vec<u8>> {
    let store = project.join(".ggen/objects");
    let mut objects = BTreeMap::new();
    for (path, bytes) in walk(&store, true) {
        match path.split_once('/') {
            Some(("pack", name)) if name.ends_with(".pack") => {
                assert_eq!(&bytes[..8], b"GGENPACK", "{path}");
                let number = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
                let count = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
                for entry in 0..count {
                    let at = 16 + entry * 48;
                    let hash = format!("sha256-{}", hex(&bytes[at..at + 32]));
                    let (offset, len) = (number(at + 32) as usize, number(at + 40) as usize);
                    objects.insert(hash, bytes[offset..offset + len].to_vec());
                }
            }
            Some((head, tail)) if head.len() == 2 && !tail.starts_with(".ggen-tmp-") => {
                objects.insert(format!("sha256-{head}{tail}"), bytes);
            }
            _ => {}
        }
    }
    objects
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
