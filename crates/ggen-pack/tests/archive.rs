//! Pack archives: deterministic bytes, the documented layout, and a faithful round trip.

mod common;

use std::fs;

use common::{sample_pack, tree, write};
use ggen_pack::archive::{ArchiveLimits, pack_directory};
use ggen_pack::{Pack, PackError};

fn version() -> semver::Version {
    semver::Version::new(1, 0, 0)
}

#[test]
fn packing_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    sample_pack(dir.path());
    let first = pack_directory(dir.path(), "web", &version()).unwrap();
    let second = pack_directory(dir.path(), "web", &version()).unwrap();
    assert_eq!(first, second);
}

#[test]
fn a_copy_elsewhere_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    sample_pack(dir.path());
    let original = pack_directory(dir.path(), "web", &version()).unwrap();

    // Same contents, created later and in reverse order: other mtimes, other inode order.
    let copy = tempfile::tempdir().unwrap();
    let files = tree(dir.path());
    for (rel, contents) in files.iter().rev() {
        match contents {
            Some(bytes) => write(copy.path(), rel, bytes),
            None => fs::create_dir_all(copy.path().join(rel)).unwrap(),
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Only the executable bit counts: 0700 packs like 0755, 0600 like 0644.
        let set = |rel: &str, mode| {
            fs::set_permissions(copy.path().join(rel), fs::Permissions::from_mode(mode)).unwrap()
        };
        set("scripts/setup.sh", 0o700);
        set("gpack.toml", 0o600);
    }
    assert_eq!(
        pack_directory(copy.path(), "web", &version()).unwrap(),
        original
    );
}

#[test]
fn layout_is_sorted_under_the_top_directory_with_fixed_metadata() {
    let dir = tempfile::tempdir().unwrap();
    sample_pack(dir.path());
    write(dir.path(), ".git/HEAD", b"ref: refs/heads/main\n");
    write(dir.path(), "target/debug/junk", b"junk");
    write(
        dir.path(),
        "templates/target/kept.txt",
        b"only the top-level target is skipped",
    );
    let bytes = pack_directory(dir.path(), "web", &version()).unwrap();

    // gzip header: no FNAME flag, mtime 0, OS unknown.
    assert_eq!(&bytes[..3], &[0x1f, 0x8b, 8]);
    assert_eq!(bytes[3], 0, "no gzip flags (no file name)");
    assert_eq!(&bytes[4..8], &[0, 0, 0, 0], "gzip mtime");
    assert_eq!(bytes[9], 255, "gzip OS");

    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    let mut names = Vec::new();
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        let header = entry.header();
        assert_eq!(header.mtime().unwrap(), 0);
        assert_eq!((header.uid().unwrap(), header.gid().unwrap()), (0, 0));
        assert_eq!(header.username_bytes().unwrap_or_default(), b"");
        assert_eq!(header.groupname_bytes().unwrap_or_default(), b"");
        let name = String::from_utf8(entry.path_bytes().into_owned()).unwrap();
        let mode = header.mode().unwrap();
        let expected_mode = if header.entry_type().is_dir() || name.ends_with("setup.sh") {
            0o755
        } else {
            0o644
        };
        if cfg!(unix) || header.entry_type().is_dir() {
            assert_eq!(mode, expected_mode, "{name}");
        }
        names.push(name);
    }
    let long = "long-directory-name".repeat(8);
    let expected = [
        "web-1.0.0/".to_string(),
        "web-1.0.0/gpack.toml".into(),
        "web-1.0.0/graph/".into(),
        "web-1.0.0/graph/model.ttl".into(),
        "web-1.0.0/scripts/".into(),
        "web-1.0.0/scripts/setup.sh".into(),
        "web-1.0.0/templates/".into(),
        "web-1.0.0/templates/.github/".into(),
        "web-1.0.0/templates/.github/workflows/".into(),
        "web-1.0.0/templates/.github/workflows/ci.yml".into(),
        "web-1.0.0/templates/empty-dir/".into(),
        "web-1.0.0/templates/empty.txt".into(),
        format!("web-1.0.0/templates/{long}/"),
        format!("web-1.0.0/templates/{long}/deep.txt"),
        "web-1.0.0/templates/src/".into(),
        "web-1.0.0/templates/src/main.rs.tmpl".into(),
        "web-1.0.0/templates/target/".into(),
        "web-1.0.0/templates/target/kept.txt".into(),
    ];
    assert_eq!(names, expected);
}

#[test]
fn round_trip_gives_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    sample_pack(dir.path());
    write(dir.path(), ".git/config", b"not packed");
    write(dir.path(), "templates/run.sh", b"#!/bin/sh\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let script = dir.path().join("templates/run.sh");
        fs::set_permissions(script, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let bytes = pack_directory(dir.path(), "web", &version()).unwrap();

    // Read into memory, the archive is the same pack as the directory it was made from.
    let limits = ArchiveLimits::default();
    let pack = Pack::from_archive(&bytes, "web-1.0.0.tar.gz", &limits).unwrap();
    assert_eq!(
        pack.root,
        std::path::Path::new("web-1.0.0.tar.gz/web-1.0.0")
    );
    let on_disk = Pack::load(dir.path()).unwrap();
    assert_eq!(pack.manifest, on_disk.manifest);
    let templates = pack.template_files().unwrap();
    assert_eq!(templates.len(), 5);
    assert_eq!(templates, on_disk.template_files().unwrap());
    assert_eq!(pack.graph_files().unwrap(), on_disk.graph_files().unwrap());
    #[cfg(unix)]
    assert!(
        templates.iter().any(|f| f.executable),
        "the executable bit is kept"
    );
}

#[test]
fn archives_without_a_single_pack_directory_have_their_root_at_the_top() {
    let bytes = common::RawTar::default()
        .file(
            "gpack.toml",
            b"[pack]\nid = \"flat\"\nversion = \"1.0.0\"\ndescription = \"f\"\n",
        )
        .file("templates/a.txt", b"a")
        .gz();
    let pack = Pack::from_archive(&bytes, "flat.tar.gz", &ArchiveLimits::default()).unwrap();
    assert_eq!(pack.root, std::path::Path::new("flat.tar.gz"));
    let files = pack.template_files().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        (files[0].rel_path.as_str(), &files[0].bytes[..]),
        ("a.txt", &b"a"[..])
    );
}

#[cfg(unix)]
#[test]
fn symlinks_in_the_pack_are_refused_when_packing() {
    let dir = tempfile::tempdir().unwrap();
    sample_pack(dir.path());
    std::os::unix::fs::symlink("main.rs.tmpl", dir.path().join("templates/src/link.rs")).unwrap();
    let err = pack_directory(dir.path(), "web", &version()).unwrap_err();
    assert!(matches!(err, PackError::Files { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("`templates/src/link.rs` is a symlink"),
        "{err}"
    );
}

#[test]
fn an_invalid_id_cannot_name_the_top_directory() {
    let dir = tempfile::tempdir().unwrap();
    sample_pack(dir.path());
    assert!(pack_directory(dir.path(), "../web", &version()).is_err());
}
