//! Hostile and damaged archives: each is refused and names the entry and the rule. Archives
//! are read into memory ([`Pack::from_archive`]): nothing is ever written to disk.

mod common;

use common::{RawTar, gzip, sample_pack};
use ggen_pack::archive::{ArchiveLimits, pack_directory};
use ggen_pack::{Pack, PackError};
use proptest::prelude::*;
use tar::EntryType;

/// Reads the archive and returns the refusal message.
fn refused_with(bytes: &[u8], limits: &ArchiveLimits) -> String {
    match Pack::from_archive(bytes, "evil.tar.gz", limits) {
        Err(err @ PackError::Archive { .. }) => {
            let message = err.to_string();
            assert!(message.contains("evil.tar.gz"), "{message}");
            message
        }
        Err(other) => panic!("expected PackError::Archive, got {other:?}"),
        Ok(pack) => panic!("accepted a hostile archive: {}", pack.root.display()),
    }
}

fn refused(bytes: &[u8]) -> String {
    refused_with(bytes, &ArchiveLimits::default())
}

const MANIFEST: &[u8] = b"[pack]\nid = \"p\"\nversion = \"1.0.0\"\ndescription = \"p\"\n";

fn pack_prefix() -> RawTar {
    RawTar::default()
        .dir("p-1.0.0/")
        .file("p-1.0.0/gpack.toml", MANIFEST)
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

fn valid_tar() -> Vec<u8> {
    pack_prefix()
        .dir("p-1.0.0/templates/")
        .file("p-1.0.0/templates/a.txt", b"hello {{ name }}\n")
        .pax("path", "p-1.0.0/templates/b.txt")
        .file("p-1.0.0/x", &[7u8; 700])
        .finish()
}

/// Reading whatever bytes never panics.
fn unpack_never_panics(bytes: &[u8]) {
    let limits = ArchiveLimits {
        max_unpacked_bytes: 1 << 20,
        ..ArchiveLimits::default()
    };
    let _ = Pack::from_archive(bytes, "fuzz.tar.gz", &limits);
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
    let pack = Pack::from_archive(
        &gzip(&valid_tar()),
        "seed.tar.gz",
        &ArchiveLimits::default(),
    )
    .unwrap();
    assert_eq!(pack.root, std::path::Path::new("seed.tar.gz/p-1.0.0"));
    let files = pack.template_files().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.rel_path.as_str()).collect();
    // The PAX path names the 700-byte entry (there is no `x`).
    assert_eq!(names, ["a.txt", "b.txt"]);
    assert_eq!(&files[0].bytes[..], b"hello {{ name }}\n");
    assert_eq!(&files[1].bytes[..], &[7u8; 700][..]);
}
