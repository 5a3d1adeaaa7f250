//! Loading pack directories: template and graph files, hidden files, order, symlinks.

use std::fs;
use std::path::Path;

use ggen_pack::{Pack, PackError};

const MANIFEST: &str = "[pack]\nid = \"web\"\nversion = \"1.0.0\"\ndescription = \"d\"\n";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn pack_dir(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gpack.toml", &format!("{MANIFEST}{extra}"));
    dir
}

fn rel_paths(files: &[ggen_pack::PackFile]) -> Vec<&str> {
    files.iter().map(|f| f.rel_path.as_str()).collect()
}

#[test]
fn template_files_are_sorted_and_include_hidden_files() {
    let dir = pack_dir("");
    for rel in [
        "templates/src/main.rs.tmpl",
        "templates/.github/workflows/ci.yml",
        "templates/.gitignore",
        "templates/README.md",
        "templates/src-extra/x.txt",
        "templates/src/a/b.rs",
        "graph/model.ttl",
    ] {
        write(dir.path(), rel, rel);
    }
    let pack = Pack::load(dir.path()).unwrap();
    assert_eq!(pack.id(), "web");
    assert_eq!(pack.version(), &semver::Version::new(1, 0, 0));
    let files = pack.template_files().unwrap();
    assert_eq!(
        rel_paths(&files),
        [
            ".github/workflows/ci.yml",
            ".gitignore",
            "README.md",
            "src-extra/x.txt",
            "src/a/b.rs",
            "src/main.rs.tmpl",
        ]
    );
    assert_eq!(&files[5].bytes[..], b"templates/src/main.rs.tmpl");
}

#[test]
fn missing_default_templates_root_gives_no_files() {
    let dir = pack_dir("");
    let pack = Pack::load(dir.path()).unwrap();
    assert!(pack.template_files().unwrap().is_empty());
}

#[test]
fn missing_explicit_templates_root_is_an_error() {
    let dir = pack_dir("[templates]\nroot = \"tpl\"\n");
    let err = Pack::load(dir.path()).unwrap_err();
    assert!(matches!(err, PackError::Files { .. }), "{err:?}");
    assert!(err.to_string().contains("`tpl`"), "{err}");

    write(dir.path(), "tpl/x.txt", "x");
    let pack = Pack::load(dir.path()).unwrap();
    assert_eq!(rel_paths(&pack.template_files().unwrap()), ["x.txt"]);
}

#[test]
fn missing_manifest_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = Pack::load(dir.path()).unwrap_err();
    assert!(err.to_string().contains("gpack.toml"), "{err}");
}

#[test]
fn manifest_errors_name_the_full_path() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gpack.toml", "[pack]\nid = 1\n");
    let err = Pack::load(dir.path()).unwrap_err();
    let expected = dir.path().join("gpack.toml");
    assert!(
        matches!(&err, PackError::Manifest { path, .. } if *path == expected),
        "{err:?}"
    );
}

#[test]
fn graph_files_follow_globs_relative_to_the_pack_root() {
    let dir = pack_dir("[graph]\nfiles = [\"graph/*.ttl\", \"extra.ttl\", \"graph/*.ttl\"]\n");
    write(dir.path(), "graph/b.ttl", "b");
    write(dir.path(), "graph/a.ttl", "a");
    write(dir.path(), "graph/notes.md", "no");
    write(dir.path(), "graph/deep/c.ttl", "no: * does not cross /");
    write(dir.path(), "extra.ttl", "e");
    let pack = Pack::load(dir.path()).unwrap();
    let files = pack.graph_files().unwrap();
    assert_eq!(
        rel_paths(&files),
        ["extra.ttl", "graph/a.ttl", "graph/b.ttl"]
    );
    assert_eq!(&files[1].bytes[..], b"a");
}

#[test]
fn a_literal_graph_file_that_is_missing_is_an_error() {
    let dir = pack_dir("[graph]\nfiles = [\"graph/*.ttl\", \"graph/model.ttl\"]\n");
    let pack = Pack::load(dir.path()).unwrap();
    let err = pack.graph_files().unwrap_err();
    assert!(err.to_string().contains("graph/model.ttl"), "{err}");
    // A wildcard that matches nothing is fine.
    let dir = pack_dir("[graph]\nfiles = [\"graph/*.ttl\"]\n");
    assert!(
        Pack::load(dir.path())
            .unwrap()
            .graph_files()
            .unwrap()
            .is_empty()
    );
}

#[cfg(unix)]
mod symlinks {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn a_symlink_inside_the_pack_is_followed() {
        let dir = pack_dir("");
        write(dir.path(), "shared/license.txt", "MIT");
        write(dir.path(), "templates/a.txt", "a");
        symlink(
            dir.path().join("shared/license.txt"),
            dir.path().join("templates/LICENSE"),
        )
        .unwrap();
        symlink("../shared", dir.path().join("templates/shared")).unwrap();
        let files = Pack::load(dir.path()).unwrap().template_files().unwrap();
        assert_eq!(
            rel_paths(&files),
            ["LICENSE", "a.txt", "shared/license.txt"]
        );
        assert_eq!(&files[0].bytes[..], b"MIT");
    }

    #[test]
    fn a_symlink_leaving_the_pack_is_refused_by_name() {
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "secret.txt", "secret");
        let dir = pack_dir("");
        write(dir.path(), "templates/a.txt", "a");
        symlink(
            outside.path().join("secret.txt"),
            dir.path().join("templates/leak.txt"),
        )
        .unwrap();
        let err = Pack::load(dir.path())
            .unwrap()
            .template_files()
            .unwrap_err();
        assert!(matches!(err, PackError::Files { .. }), "{err:?}");
        assert!(err.to_string().contains("`leak.txt`"), "{err}");
        assert!(err.to_string().contains("outside the pack"), "{err}");
    }

    #[test]
    fn a_directory_symlink_leaving_the_pack_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "x.txt", "x");
        let dir = pack_dir("");
        fs::create_dir_all(dir.path().join("templates")).unwrap();
        symlink(outside.path(), dir.path().join("templates/ext")).unwrap();
        let err = Pack::load(dir.path())
            .unwrap()
            .template_files()
            .unwrap_err();
        assert!(err.to_string().contains("`ext`"), "{err}");
    }

    #[test]
    fn a_graph_file_symlink_leaving_the_pack_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "g.ttl", "x");
        let dir = pack_dir("[graph]\nfiles = [\"graph/*.ttl\"]\n");
        fs::create_dir_all(dir.path().join("graph")).unwrap();
        symlink(outside.path().join("g.ttl"), dir.path().join("graph/g.ttl")).unwrap();
        let err = Pack::load(dir.path()).unwrap().graph_files().unwrap_err();
        assert!(err.to_string().contains("`graph/g.ttl`"), "{err}");
    }

    #[test]
    fn a_templates_root_symlinked_outside_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "x.txt", "x");
        let dir = pack_dir("");
        symlink(outside.path(), dir.path().join("templates")).unwrap();
        assert!(Pack::load(dir.path()).unwrap().template_files().is_err());
    }

    #[test]
    fn broken_links_and_loops_are_errors() {
        let dir = pack_dir("");
        fs::create_dir_all(dir.path().join("templates")).unwrap();
        symlink("nowhere", dir.path().join("templates/broken")).unwrap();
        let err = Pack::load(dir.path())
            .unwrap()
            .template_files()
            .unwrap_err();
        assert!(err.to_string().contains("broken"), "{err}");

        let dir = pack_dir("");
        fs::create_dir_all(dir.path().join("templates/a")).unwrap();
        symlink("..", dir.path().join("templates/a/up")).unwrap();
        let err = Pack::load(dir.path())
            .unwrap()
            .template_files()
            .unwrap_err();
        assert!(err.to_string().contains("loop"), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn template_files_carry_the_executable_bit_and_partials_are_known() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join("gpack.toml"),
        "[pack]\nid = \"modes\"\nversion = \"1.0.0\"\n[templates]\npartials = \"shared\"\n",
    )
    .expect("manifest");
    std::fs::create_dir_all(root.join("templates/bin")).expect("dirs");
    std::fs::create_dir_all(root.join("templates/shared")).expect("dirs");
    std::fs::write(root.join("templates/bin/run.sh"), "#!/bin/sh\n").expect("script");
    std::fs::set_permissions(
        root.join("templates/bin/run.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    std::fs::write(root.join("templates/shared/h.txt"), "h").expect("partial");
    std::fs::write(root.join("templates/sharedness.txt"), "not a partial").expect("file");
    let pack = ggen_pack::Pack::load(root).expect("load");
    assert_eq!(pack.manifest.templates.partials, "shared");
    let files = pack.template_files().expect("files");
    let summary: Vec<(&str, bool, bool)> = files
        .iter()
        .map(|f| (f.rel_path.as_str(), f.executable, f.is_partial("shared")))
        .collect();
    assert_eq!(
        summary,
        [
            ("bin/run.sh", true, false),
            ("shared/h.txt", false, true),
            ("sharedness.txt", false, false)
        ]
    );
}
