//! Shared by the transaction tests (crash, concurrency, rollback, tamper): packs generated in
//! the test and published to a registry, and whole project states compared byte for byte.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{Scratch, copy_dir, publish_and_create, tree, write_pack};

/// One generated source file with a generated and a manual-edit region; `changed` moves
/// every fifth generated line (a new pack version).
pub fn module(index: usize, changed: bool) -> String {
    let mut text =
        format!("// module {{{{ name }}}} file {index}\n// @ggen:generated-start id=consts\n");
    for line in 0..12 {
        let value = if changed && line % 5 == 0 {
            line * 7 + index + 1000
        } else {
            line * 7 + index
        };
        text.push_str(&format!("pub const C_{index}_{line}: u64 = {value};\n"));
    }
    text.push_str("// @ggen:generated-end\n// @ggen:manual-edit id=user\n// your code here\n");
    text.push_str("// @ggen:manual-edit-end\n");
    for line in 0..12 {
        text.push_str(&format!("fn f_{index}_{line}() -> u32 {{ {line} }}\n"));
    }
    text
}

pub fn module_path(index: usize) -> String {
    format!("src/m{:02}/file_{index:04}.rs", index % 16)
}

/// A template: its path under `templates/` and its text.
pub type Template = (String, String);

/// Versions 1.0.0 and 2.0.0 of a pack of `files` modules: 2.0.0 changes every fifth file,
/// drops every 25th and adds one in 20.
pub fn versions(files: usize) -> (Vec<Template>, Vec<Template>) {
    let v1 = (0..files)
        .map(|i| (format!("{}.tmpl", module_path(i)), module(i, false)))
        .collect();
    let v2 = (0..files + files / 20)
        .filter(|i| *i >= files || i % 25 != 7)
        .map(|i| {
            let changed = i < files && i % 5 == 0;
            (format!("{}.tmpl", module_path(i)), module(i, changed))
        })
        .collect();
    (v1, v2)
}

/// The user's edits: a line in the manual region of every tenth file, a conflicting change
/// of a generated line in two files, and one generated file deleted.
pub fn edit_project(root: &Path, files: usize) {
    for i in (3..files).step_by(10) {
        let path = root.join(module_path(i));
        let text = std::fs::read_to_string(&path).expect("read");
        let text = text.replacen(
            "// your code here\n",
            "// your code here\nfn mine() {}\n",
            1,
        );
        std::fs::write(&path, text).expect("write");
    }
    for i in [0, 5] {
        let path = root.join(module_path(i));
        let text = std::fs::read_to_string(&path).expect("read");
        let text = text.replacen(
            &format!("C_{i}_0: u64 = {i};"),
            &format!("C_{i}_0: u64 = 99;"),
            1,
        );
        std::fs::write(&path, text).expect("write");
    }
    let _ = std::fs::remove_file(root.join(module_path(files - 2)));
}

/// A registry `reg/` with `app` 1.0.0 and 2.0.0 of `files` modules, and the project
/// `before/` generated from 1.0.0 and edited by the user.
pub struct UpdateFixture {
    pub scratch: Scratch,
    pub files: usize,
}

impl UpdateFixture {
    pub fn new(files: usize) -> UpdateFixture {
        let scratch = Scratch::new();
        let (v1, v2) = versions(files);
        write_pack(&scratch.work().join("v1"), "app", "1.0.0", &v1);
        write_pack(&scratch.work().join("v2"), "app", "2.0.0", &v2);
        let before = publish_and_create(&scratch, &["v1", "v2"], "before", "app@1.0.0");
        edit_project(&before, files);
        UpdateFixture { scratch, files }
    }

    pub fn before(&self) -> PathBuf {
        self.scratch.work().join("before")
    }

    pub fn registry(&self) -> PathBuf {
        self.scratch.work().join("reg")
    }

    /// A fresh copy of the edited project at `work/<name>`.
    pub fn copy(&self, name: &str) -> PathBuf {
        let dest = self.scratch.work().join(name);
        let _ = std::fs::remove_dir_all(&dest);
        copy_dir(&self.before(), &dest);
        dest
    }

    /// `ggen packs update app` on `project`, not yet started.
    pub fn update(&self, project: &Path) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("ggen"));
        command
            .env("GGEN_HOME", self.scratch.home())
            .env_remove("GGEN_REGISTRY")
            .env("NO_COLOR", "1")
            .arg("-C")
            .arg(project)
            .arg("--registry")
            .arg(self.registry())
            .args(["--json", "packs", "update", "app"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        command
    }
}

/// Everything a user sees of a project: every file outside `.ggen/` (ggen.lock included),
/// byte for byte, and the snapshot without its per-file stat cache and checksum (inode and
/// mtime differ between copies of one project).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectState {
    pub files: BTreeMap<String, Vec<u8>>,
    pub snapshot: Option<String>,
}

pub fn state(root: &Path) -> ProjectState {
    let snapshot = std::fs::read(root.join(".ggen/snapshot.json"))
        .ok()
        .map(|bytes| {
            let mut doc: serde_json::Value = serde_json::from_slice(&bytes).expect("snapshot json");
            if let Some(doc) = doc.as_object_mut() {
                doc.remove("checksum");
            }
            if let Some(files) = doc["files"].as_object_mut() {
                for file in files.values_mut() {
                    if let Some(file) = file.as_object_mut() {
                        file.remove("stat");
                    }
                }
            }
            serde_json::to_string_pretty(&doc).expect("json")
        });
    ProjectState {
        files: tree(root),
        snapshot,
    }
}

/// What differs between two states, briefly, for assertion messages.
pub fn difference(a: &ProjectState, b: &ProjectState) -> String {
    let mut lines = Vec::new();
    for (path, bytes) in &a.files {
        match b.files.get(path) {
            None => lines.push(format!("only in the first: {path}")),
            Some(other) if other != bytes => lines.push(format!("differs: {path}")),
            _ => {}
        }
    }
    for path in b.files.keys().filter(|p| !a.files.contains_key(*p)) {
        lines.push(format!("only in the second: {path}"));
    }
    if a.snapshot != b.snapshot {
        lines.push("snapshots differ".into());
    }
    lines.truncate(10);
    lines.join("; ")
}

/// Entries left in `.ggen/journal/` (none once recovered or committed).
pub fn journal_entries(root: &Path) -> usize {
    std::fs::read_dir(root.join(".ggen/journal"))
        .map(|entries| entries.count())
        .unwrap_or(0)
}

/// Every `.ggen-tmp-*` file under `root`, `.ggen` included (a killed write leaves one; none
/// may stay once the next command has recovered).
pub fn temporary_files(root: &Path) -> Vec<String> {
    crate::common::whole_tree(root)
        .into_iter()
        .filter(|(path, _)| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".ggen-tmp-"))
        })
        .map(|(path, _)| path.display().to_string())
        .collect()
}

/// The hashes of the objects in `.ggen/objects/`, loose or packed.
pub fn objects(root: &Path) -> std::collections::BTreeSet<String> {
    crate::common::stored_objects(root).into_keys().collect()
}

/// The ids in `.ggen/history/`, oldest first.
pub fn history_ids(root: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(root.join(".ggen/history"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// A small deterministic pseudo-random sequence (xorshift), so failures can be replayed
/// from the seed printed by the test.
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
