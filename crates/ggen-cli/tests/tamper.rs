//! Hostile registry archives, end to end: a wrong sha256, path traversal, absolute paths,
//! symlinks, hard links, devices and decompression bombs are refused by `ggen new`,
//! `ggen packs install` and `ggen packs update`, and nothing is written — the project stays
//! as it was, byte for byte, and nothing appears outside it.

mod common;
mod txn_support;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{Scratch, stderr, stdout_json, write_pack};
use txn_support::{ProjectState, history_ids, journal_entries, state};

/// A tar written header by header, so that it can hold what `tar::Builder` refuses to write.
#[derive(Default)]
struct RawTar {
    bytes: Vec<u8>,
}

impl RawTar {
    /// The start of a valid pack `evil` 1.0.0.
    fn pack() -> RawTar {
        RawTar::default()
            .entry("evil-1.0.0/", tar::EntryType::Directory, b"", "")
            .entry(
                "evil-1.0.0/gpack.toml",
                tar::EntryType::Regular,
                b"[pack]\nid = \"evil\"\nversion = \"1.0.0\"\ndescription = \"evil\"\n",
                "",
            )
            .entry(
                "evil-1.0.0/templates/ok.txt",
                tar::EntryType::Regular,
                b"ok\n",
                "",
            )
    }

    fn entry(mut self, name: &str, kind: tar::EntryType, data: &[u8], link: &str) -> RawTar {
        let mut header = tar::Header::new_gnu();
        {
            let old = header.as_old_mut();
            old.name[..name.len()].copy_from_slice(name.as_bytes());
            old.linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
        header.set_entry_type(kind);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        self.bytes.extend_from_slice(header.as_bytes());
        self.bytes.extend_from_slice(data);
        self.bytes
            .extend(std::iter::repeat_n(0, (512 - data.len() % 512) % 512));
        self
    }

    fn file(self, name: &str, data: &[u8]) -> RawTar {
        self.entry(name, tar::EntryType::Regular, data, "")
    }

    fn gz(mut self) -> Vec<u8> {
        self.bytes.extend(std::iter::repeat_n(0, 1024));
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&self.bytes).expect("gzip");
        encoder.finish().expect("gzip")
    }
}

/// A registry with a genuine `evil` 1.0.0, and a project `proj` made from another pack.
struct Setup {
    scratch: Scratch,
}

impl Setup {
    fn new() -> Setup {
        let scratch = Scratch::new();
        write_pack(
            &scratch.work().join("evil-src"),
            "evil",
            "1.0.0",
            &[("ok.txt", "ok\n")],
        );
        write_pack(
            &scratch.work().join("good"),
            "good",
            "1.0.0",
            &[("src/good.rs.tmpl", "// good {{ name }}\n")],
        );
        scratch
            .ggen()
            .args([
                "packs",
                "publish",
                "evil-src",
                "--registry",
                "reg",
                "--init",
            ])
            .assert()
            .success();
        scratch
            .ggen()
            .args(["new", "proj", "--pack", "./good"])
            .assert()
            .success();
        Setup { scratch }
    }

    fn archive(&self, id: &str, version: &str) -> PathBuf {
        self.scratch
            .work()
            .join(format!("reg/packs/{id}/{id}-{version}.tar.gz"))
    }

    /// Replaces the published archive; with `fix_index`, the index records its real sha256
    /// (as a compromised registry would), so only the archive checks stand in the way.
    fn replace_archive(&self, id: &str, version: &str, bytes: &[u8], fix_index: bool) {
        std::fs::write(self.archive(id, version), bytes).unwrap();
        if !fix_index {
            return;
        }
        let index_path = self.scratch.work().join(format!("reg/index/{id}.json"));
        let mut index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
        let hash = ggen_pack::integrity::sha256(bytes);
        for entry in index["versions"].as_array_mut().unwrap() {
            if entry["version"] == version {
                entry["sha256"] = hash.trim_start_matches("sha256-").into();
            }
        }
        std::fs::write(&index_path, serde_json::to_vec_pretty(&index).unwrap()).unwrap();
    }

    fn project(&self) -> PathBuf {
        self.scratch.work().join("proj")
    }

    /// Runs a command that must be refused with `expected` in its message.
    fn refused(&self, args: &[&str], expected: &str) {
        let output = self
            .scratch
            .ggen()
            .arg("--registry")
            .arg(self.scratch.work().join("reg"))
            .arg("--json")
            .args(args)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        let message = stdout_json(&output)["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains(expected), "{args:?}: {message}");
    }

    /// `ggen new` and `ggen packs install` of `evil` are refused and write nothing.
    fn assert_refused_everywhere(&self, expected: &str) {
        let before = snapshot_of(&self.project());
        self.refused(&["new", "out", "--pack", "evil"], expected);
        assert!(!self.scratch.work().join("out").exists());
        self.refused(&["-C", "proj", "packs", "install", "evil"], expected);
        assert_eq!(snapshot_of(&self.project()), before);
    }
}

/// The project's state, its history and its journal.
fn snapshot_of(project: &Path) -> (ProjectState, Vec<String>, usize) {
    (
        state(project),
        history_ids(project),
        journal_entries(project),
    )
}

#[test]
fn an_archive_whose_sha256_differs_from_the_index_is_refused() {
    let setup = Setup::new();
    let mut bytes = std::fs::read(setup.archive("evil", "1.0.0")).unwrap();
    let last = bytes.len() - 12;
    bytes[last] ^= 0x55;
    setup.replace_archive("evil", "1.0.0", &bytes, false);
    setup.assert_refused_everywhere("but the registry index says");
}

#[test]
fn traversal_and_absolute_entries_are_refused_and_nothing_escapes() {
    let setup = Setup::new();
    let escape = setup.scratch.dir.path().join("escaped.txt");
    let cases = [
        (
            "evil-1.0.0/../../escaped.txt".to_string(),
            r#"".." component"#,
        ),
        ("../escaped.txt".to_string(), r#"".." component"#),
        (escape.to_string_lossy().into_owned(), "absolute path"),
    ];
    for (name, expected) in cases {
        let bytes = RawTar::pack().file(&name, b"pwned\n").gz();
        setup.replace_archive("evil", "1.0.0", &bytes, true);
        setup.assert_refused_everywhere(expected);
        assert!(!escape.exists(), "{name} escaped");
        assert!(!setup.scratch.work().join("escaped.txt").exists(), "{name}");
    }
}

#[test]
fn links_and_special_files_are_refused() {
    let setup = Setup::new();
    let cases = [
        (tar::EntryType::Symlink, "/etc/passwd", "symlink"),
        (tar::EntryType::Symlink, "../../..", "symlink"),
        (tar::EntryType::Link, "evil-1.0.0/gpack.toml", "hard link"),
        (tar::EntryType::Char, "", "character device"),
        (tar::EntryType::Fifo, "", "fifo"),
    ];
    for (kind, target, expected) in cases {
        let bytes = RawTar::pack()
            .entry("evil-1.0.0/templates/x", kind, b"", target)
            .gz();
        setup.replace_archive("evil", "1.0.0", &bytes, true);
        setup.assert_refused_everywhere(expected);
    }
}

#[test]
fn a_decompression_bomb_is_refused() {
    let setup = Setup::new();
    let bytes = RawTar::pack()
        .file("evil-1.0.0/templates/zeros.bin", &vec![0u8; 8 << 20])
        .gz();
    assert!(bytes.len() < 64 << 10, "{} bytes", bytes.len());
    setup.replace_archive("evil", "1.0.0", &bytes, true);
    setup.assert_refused_everywhere("expands more than");
}

#[test]
fn an_update_to_a_tampered_version_changes_nothing() {
    let setup = Setup::new();
    let scratch = &setup.scratch;
    scratch
        .ggen()
        .arg("--registry")
        .arg(scratch.work().join("reg"))
        .args(["-C", "proj", "packs", "install", "evil"])
        .assert()
        .success();
    write_pack(
        &scratch.work().join("evil-src"),
        "evil",
        "2.0.0",
        &[("ok.txt", "ok, version 2\n")],
    );
    scratch
        .ggen()
        .args([
            "packs",
            "publish",
            "evil-src",
            "--registry",
            "reg",
            "--init",
        ])
        .assert()
        .success();
    let before = snapshot_of(&setup.project());
    let tar = RawTar::default()
        .entry("evil-2.0.0/", tar::EntryType::Directory, b"", "")
        .file(
            "evil-2.0.0/gpack.toml",
            b"[pack]\nid = \"evil\"\nversion = \"2.0.0\"\ndescription = \"evil\"\n",
        )
        .file("evil-2.0.0/templates/ok.txt", b"ok\n")
        .file("evil-2.0.0/../../../escaped.txt", b"pwned\n");
    setup.replace_archive("evil", "2.0.0", &tar.gz(), true);
    setup.refused(
        &["-C", "proj", "packs", "update", "evil"],
        r#"".." component"#,
    );
    assert_eq!(snapshot_of(&setup.project()), before);
    assert!(!scratch.dir.path().join("escaped.txt").exists());
    // The same with a wrong sha256.
    let mut bytes = std::fs::read(setup.archive("evil", "2.0.0")).unwrap();
    bytes[20] ^= 1;
    setup.replace_archive("evil", "2.0.0", &bytes, false);
    setup.refused(&["-C", "proj", "packs", "update", "evil"], "sha256");
    assert_eq!(snapshot_of(&setup.project()), before);
}
