//! Hostile and damaged archives: each is refused, names the entry and the rule, and leaves
//! nothing at (or next to) the destination.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{RawTar, gzip, sample_pack};
use ggen_pack::PackError;
use ggen_pack::archive::{ArchiveLimits, pack_directory, unpack};
use proptest::prelude::*;
use tar::EntryType;

/// Unpacks into a fresh directory and returns the refusal message, after checking that
/// nothing was left behind.
fn refused_with(bytes: &[u8], limits: &ArchiveLimits) -> String {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("dest");
    let result = unpack(bytes, "evil.tar.gz", &dest, limits);
    assert_nothing_left(out.path(), &dest);
    match result {
        Err(err @ PackError::Archive { .. }) => {
            let message = err.to_string();
            assert!(message.contains("evil.tar.gz"), "{message}");
            message
        }
        Err(other) => panic!("expected PackError::Archive, got {other:?}"),
        Ok(root) => panic!("accepted a hostile archive: {}", root.display()),
    }
}

fn refused(bytes: &[u8]) -> String {
    refused_with(bytes, &ArchiveLimits::default())
}

fn assert_nothing_left(parent: &Path, dest: &Path) {
    assert!(!dest.exists(), "{} exists after a refusal", dest.display());
    let left: Vec<PathBuf> = fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

fn pack_prefix() -> RawTar {
    RawTar::default()
        .dir("p-1.0.0/")
        .file("p-1.0.0/gpack.toml", b"[pack]\n")
}

#[test]
fn absolute_paths_are_refused() {
    let message = refused(&pack_prefix().file("/tmp/evil", b"x").gz());
    assert!(
        message.contains(r#"entry "/tmp/evil" is an absolute path"#),
        "{message}"
    );
}

#[test]
fn parent_components_are_refused() {
    let message = refused(&pack_prefix().file("../evil", b"x").gz());
    assert!(
        message.contains(r#"entry "../evil" has a ".." component"#),
        "{message}"
    );
    let message = refused(&pack_prefix().file("p-1.0.0/a/../../evil", b"x").gz());
    assert!(message.contains(r#"has a ".." component"#), "{message}");
    let message = refused(&pack_prefix().dir("p-1.0.0/..").gz());
    assert!(message.contains(r#"has a ".." component"#), "{message}");
}

#[test]
fn paths_hidden_in_extension_headers_are_checked() {
    // The ustar name looks harmless; the PAX path (which wins) climbs out.
    let message = refused(
        &pack_prefix()
            .pax("path", "../evil")
            .file("p-1.0.0/ok", b"x")
            .gz(),
    );
    assert!(message.contains(r#"entry "../evil""#), "{message}");
    let long_escape = format!("p-1.0.0/{}../../../evil", "a/".repeat(60));
    let message = refused(
        &pack_prefix()
            .entry(
                b"././@LongLink",
                EntryType::GNULongName,
                long_escape.as_bytes(),
                b"",
            )
            .file("p-1.0.0/ok", b"x")
            .gz(),
    );
    assert!(message.contains(r#"has a ".." component"#), "{message}");
}

#[test]
fn odd_components_are_refused() {
    assert!(
        refused(&pack_prefix().file("./p-1.0.0/x", b"x").gz()).contains(r#"has a "." component"#)
    );
    assert!(refused(&pack_prefix().file("p-1.0.0//x", b"x").gz()).contains("empty component"));
    assert!(refused(&pack_prefix().file("p-1.0.0\\..\\x", b"x").gz()).contains("backslash"));
}

#[test]
fn links_devices_and_fifos_are_refused() {
    let cases: [(EntryType, &str); 5] = [
        (EntryType::Symlink, "symlink"),
        (EntryType::Link, "hard link"),
        (EntryType::Fifo, "fifo"),
        (EntryType::Char, "character device"),
        (EntryType::Block, "block device"),
    ];
    for (kind, word) in cases {
        let bytes = pack_prefix()
            .entry(b"p-1.0.0/x", kind, b"", b"/etc/passwd")
            .gz();
        let message = refused(&bytes);
        assert!(
            message.contains(&format!(r#"entry "p-1.0.0/x" is a {word}"#)),
            "{message}"
        );
    }
}

#[test]
fn too_many_entries_are_refused() {
    let mut tar = pack_prefix();
    for index in 0..10 {
        tar = tar.file(&format!("p-1.0.0/f{index}"), b"x");
    }
    let limits = ArchiveLimits {
        max_entries: 5,
        ..ArchiveLimits::default()
    };
    let message = refused_with(&tar.gz(), &limits);
    assert!(message.contains("more than 5 entries"), "{message}");
}

#[test]
fn too_many_unpacked_bytes_are_refused() {
    let limits = ArchiveLimits {
        max_unpacked_bytes: 1000,
        ..ArchiveLimits::default()
    };
    let message = refused_with(
        &pack_prefix().file("p-1.0.0/big", &[b'x'; 2000]).gz(),
        &limits,
    );
    assert!(message.contains(r#"entry "p-1.0.0/big""#), "{message}");
    assert!(message.contains("1000 bytes"), "{message}");
    // Each file is under the limit; together they are not.
    let bytes = pack_prefix()
        .file("p-1.0.0/a", &[b'a'; 600])
        .file("p-1.0.0/b", &[b'b'; 600])
        .gz();
    let message = refused_with(&bytes, &limits);
    assert!(message.contains(r#"entry "p-1.0.0/b""#), "{message}");
}

#[test]
fn a_high_expansion_ratio_is_refused() {
    let bytes = pack_prefix()
        .file("p-1.0.0/zeros", &vec![0u8; 8 << 20])
        .gz();
    assert!(
        bytes.len() < 64 << 10,
        "the bomb compresses well: {}",
        bytes.len()
    );
    let message = refused(&bytes);
    assert!(message.contains("expands more than 200:1"), "{message}");
}

#[test]
fn an_oversized_archive_is_refused_before_reading() {
    let limits = ArchiveLimits {
        max_compressed_bytes: 10,
        ..ArchiveLimits::default()
    };
    let message = refused_with(&pack_prefix().gz(), &limits);
    assert!(
        message.contains("more than the limit of 10 bytes"),
        "{message}"
    );
}

#[test]
fn truncated_and_corrupt_archives_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    sample_pack(dir.path());
    let good = pack_directory(dir.path(), "web", &semver::Version::new(1, 0, 0)).unwrap();
    for cut in [good.len() / 2, good.len() - 4, 10, 0] {
        let message = refused(&good[..cut]);
        assert!(
            message.contains("truncated or not a valid .tar.gz"),
            "cut {cut}: {message}"
        );
    }
    // A flipped byte in the compressed data fails the CRC (or the inflate) at the latest.
    let mut damaged = good.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x55;
    refused(&damaged);
    // A tar whose last file is cut short inside an intact gzip stream.
    let mut tar = pack_prefix().file("p-1.0.0/data", &[b'd'; 3000]).finish();
    tar.truncate(512 * 4);
    let message = refused(&gzip(&tar));
    assert!(
        message.contains("p-1.0.0/data") || message.contains("truncated"),
        "{message}"
    );
}

#[test]
fn duplicate_entries_are_refused() {
    let message = refused(&pack_prefix().file("p-1.0.0/gpack.toml", b"again").gz());
    assert!(message.contains("appears twice"), "{message}");
}

#[test]
fn entries_colliding_with_earlier_ones_are_refused() {
    let message = refused(
        &pack_prefix()
            .file("p-1.0.0/a", b"file")
            .file("p-1.0.0/a/b", b"x")
            .gz(),
    );
    assert!(
        message.contains(r#"entry "p-1.0.0/a/b" collides with an earlier entry"#),
        "{message}"
    );
    let message = refused(
        &pack_prefix()
            .file("p-1.0.0/a", b"file")
            .dir("p-1.0.0/a/")
            .gz(),
    );
    assert!(message.contains("appears twice"), "{message}");
}

#[test]
fn an_existing_destination_is_left_alone() {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("dest");
    fs::create_dir(&dest).unwrap();
    fs::write(dest.join("mine"), b"keep").unwrap();
    let err = unpack(
        &pack_prefix().gz(),
        "ok.tar.gz",
        &dest,
        &ArchiveLimits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, PackError::Io { .. }), "{err:?}");
    assert_eq!(fs::read(dest.join("mine")).unwrap(), b"keep");
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), 1);
}

fn valid_tar() -> Vec<u8> {
    pack_prefix()
        .dir("p-1.0.0/templates/")
        .file("p-1.0.0/templates/a.txt", b"hello {{ name }}\n")
        .pax("path", "p-1.0.0/templates/b.txt")
        .file("p-1.0.0/x", &[7u8; 700])
        .finish()
}

/// Unpacking whatever bytes never panics, and a refusal never leaves anything behind.
fn unpack_never_panics(bytes: &[u8]) {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("dest");
    let limits = ArchiveLimits {
        max_unpacked_bytes: 1 << 20,
        ..ArchiveLimits::default()
    };
    if unpack(bytes, "fuzz.tar.gz", &dest, &limits).is_err() {
        assert_nothing_left(out.path(), &dest);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        unpack_never_panics(&bytes);
    }

    #[test]
    fn random_tar_streams(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        unpack_never_panics(&gzip(&bytes));
    }

    #[test]
    fn mutated_tars(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16)) {
        let mut tar = valid_tar();
        for (index, byte) in edits {
            let at = index.index(tar.len());
            tar[at] = byte;
        }
        unpack_never_panics(&gzip(&tar));
    }
}

#[test]
fn the_fuzz_seed_itself_unpacks() {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("dest");
    let root = unpack(
        &gzip(&valid_tar()),
        "seed.tar.gz",
        &dest,
        &ArchiveLimits::default(),
    )
    .unwrap();
    assert_eq!(root, dest.join("p-1.0.0"));
    // The PAX path names the 700-byte entry.
    assert_eq!(
        fs::read(root.join("templates/b.txt")).unwrap(),
        vec![7u8; 700]
    );
    assert_eq!(
        fs::read(root.join("templates/a.txt")).unwrap(),
        b"hello {{ name }}\n"
    );
    assert!(!root.join("x").exists());
}
