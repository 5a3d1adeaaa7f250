//! Resolution against registry directories written by the tests.

use std::collections::BTreeMap;

use super::*;
use crate::{Access, VersionEntry};

/// (id, version, yanked, [(dependency, requirement)])
type Spec<'a> = (&'a str, &'a str, bool, &'a [(&'a str, &'a str)]);

fn registry(dir: &std::path::Path, specs: &[Spec<'_>]) -> Registry {
    let mut indexes: BTreeMap<&str, PackIndex> = BTreeMap::new();
    for (id, version, yanked, deps) in specs {
        let index = indexes.entry(id).or_insert_with(|| PackIndex {
            id: id.to_string(),
            versions: Vec::new(),
        });
        index.versions.push(VersionEntry {
            version: version.to_string(),
            description: String::new(),
            archive: format!("packs/{id}/{id}-{version}.tar.gz"),
            sha256: "0".repeat(64),
            dependencies: deps
                .iter()
                .map(|(d, r)| (d.to_string(), r.to_string()))
                .collect(),
            yanked: *yanked,
            published_at: String::new(),
            signature: None,
        });
    }
    std::fs::create_dir_all(dir.join("index")).unwrap();
    for (id, index) in indexes {
        let path = dir.join("index").join(format!("{id}.json"));
        std::fs::write(path, serde_json::to_vec(&index).unwrap()).unwrap();
    }
    Registry::open(&dir.to_string_lossy(), dir, &Access::new(&dir.join("home"))).unwrap()
}

fn request(items: &[(&str, &str)]) -> Problem {
    Problem {
        requests: items
            .iter()
            .map(|(id, req)| (id.to_string(), VersionReq::parse(req).unwrap()))
            .collect(),
        ..Problem::default()
    }
}

fn versions(resolution: &Resolution) -> Vec<String> {
    resolution
        .order
        .iter()
        .map(|id| format!("{id}@{}", resolution.versions[id]))
        .collect()
}

#[test]
fn newest_versions_transitively_dependencies_first() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry(
        dir.path(),
        &[
            ("app", "1.0.0", false, &[("lib", "^1"), ("log", "*")]),
            ("lib", "1.0.0", false, &[]),
            ("lib", "1.1.0", false, &[("base", "~0.2")]),
            ("lib", "2.0.0", false, &[]),
            ("base", "0.2.0", false, &[]),
            ("base", "0.2.5", false, &[]),
            ("base", "0.3.0", false, &[]),
            ("log", "0.1.0", false, &[]),
        ],
    );
    let resolution = resolve(&request(&[("app", "*")]), Some(&reg)).unwrap();
    assert_eq!(
        versions(&resolution),
        ["base@0.2.5", "lib@1.1.0", "log@0.1.0", "app@1.0.0"]
    );
    assert_eq!(
        resolution.dependencies["app"].keys().collect::<Vec<_>>(),
        ["lib", "log"]
    );
}

#[test]
fn backtracks_to_an_older_version_when_the_newest_cannot_work() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry(
        dir.path(),
        &[
            ("app", "1.0.0", false, &[("lib", "^1")]),
            ("app", "2.0.0", false, &[("lib", "^2"), ("tool", "^1")]),
            ("tool", "1.0.0", false, &[("lib", "^1")]),
            ("lib", "1.3.0", false, &[]),
            ("lib", "2.0.0", false, &[]),
        ],
    );
    let resolution = resolve(&request(&[("app", "*")]), Some(&reg)).unwrap();
    assert_eq!(versions(&resolution), ["lib@1.3.0", "app@1.0.0"]);
}

#[test]
fn a_conflict_names_the_packs_and_requirements() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry(
        dir.path(),
        &[
            ("web", "1.0.0", false, &[("shared", "^1.2")]),
            ("cli", "1.0.0", false, &[("shared", "^2")]),
            ("shared", "1.2.0", false, &[]),
            ("shared", "2.0.0", false, &[]),
        ],
    );
    let err = resolve(&request(&[("web", "*"), ("cli", "*")]), Some(&reg)).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, RegistryError::Unsatisfiable { .. }), "{text}");
    for needle in [
        "web 1.0.0 depends on shared ^1.2",
        "cli 1.0.0 depends on shared ^2",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn a_requirement_nothing_matches_lists_what_exists() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry(
        dir.path(),
        &[
            ("app", "1.0.0", false, &[("lib", "^3")]),
            ("lib", "1.0.0", false, &[]),
            ("lib", "3.0.0", true, &[]),
        ],
    );
    let text = resolve(&request(&[("app", "^1")]), Some(&reg))
        .unwrap_err()
        .to_string();
    assert!(text.contains("app 1.0.0 depends on lib ^3"), "{text}");
    assert!(text.contains("1.0.0, 3.0.0 (yanked)"), "{text}");
}

#[test]
fn a_cycle_is_an_error_naming_each_step() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry(
        dir.path(),
        &[
            ("a", "1.0.0", false, &[("b", "^1")]),
            ("b", "1.0.0", false, &[("c", "^1")]),
            ("c", "1.0.0", false, &[("a", ">=1")]),
        ],
    );
    let err = resolve(&request(&[("a", "*")]), Some(&reg)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dependency cycle: a 1.0.0 depends on b ^1, and b 1.0.0 depends on c ^1, and \
         c 1.0.0 depends on a >=1"
    );
}

#[test]
fn yanked_versions_are_skipped_unless_preferred() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry(
        dir.path(),
        &[("lib", "1.0.0", false, &[]), ("lib", "1.1.0", true, &[])],
    );
    let fresh = resolve(&request(&[("lib", "^1")]), Some(&reg)).unwrap();
    assert_eq!(versions(&fresh), ["lib@1.0.0"]);
    let mut locked = request(&[("lib", "^1")]);
    locked.preferred.insert("lib".into(), Version::new(1, 1, 0));
    assert_eq!(
        versions(&resolve(&locked, Some(&reg)).unwrap()),
        ["lib@1.1.0"]
    );
}

#[test]
fn installed_packs_keep_their_version_and_say_so_when_in_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry(
        dir.path(),
        &[
            ("app", "1.0.0", false, &[("base", "^1")]),
            ("tool", "1.0.0", false, &[("base", "^2")]),
            ("base", "1.0.0", false, &[]),
            ("base", "1.5.0", false, &[]),
            ("base", "2.0.0", false, &[]),
        ],
    );
    let installed = |problem: &mut Problem| {
        problem.fixed.insert(
            "base".into(),
            Fixed {
                version: Version::new(1, 0, 0),
                dependencies: BTreeMap::new(),
                origin: Origin::Installed,
            },
        );
    };
    let mut keep = request(&[("app", "*")]);
    installed(&mut keep);
    let resolution = resolve(&keep, Some(&reg)).unwrap();
    assert_eq!(versions(&resolution), ["base@1.0.0", "app@1.0.0"]);

    let mut clash = request(&[("tool", "*")]);
    installed(&mut clash);
    let text = resolve(&clash, Some(&reg)).unwrap_err().to_string();
    assert!(text.contains("tool 1.0.0 depends on base ^2"), "{text}");
    assert!(text.contains("installed in this project"), "{text}");
}

#[test]
fn pre_releases_are_chosen_only_when_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry(
        dir.path(),
        &[
            ("lib", "1.0.0", false, &[]),
            ("lib", "1.1.0-beta.1", false, &[]),
        ],
    );
    let release = resolve(&request(&[("lib", "^1")]), Some(&reg)).unwrap();
    assert_eq!(versions(&release), ["lib@1.0.0"]);
    let beta = resolve(&request(&[("lib", ">=1.1.0-beta.1")]), Some(&reg)).unwrap();
    assert_eq!(versions(&beta), ["lib@1.1.0-beta.1"]);
}

#[test]
fn without_a_registry_only_fixed_packs_resolve() {
    let mut problem = request(&[("app", "=0.1.0")]);
    problem.fixed.insert(
        "app".into(),
        Fixed {
            version: Version::new(0, 1, 0),
            dependencies: BTreeMap::from([("base".into(), VersionReq::parse("^1").unwrap())]),
            origin: Origin::Path("./app".into()),
        },
    );
    let err = resolve(&problem, None).unwrap_err();
    assert!(
        matches!(err, RegistryError::NoRegistry { ref id } if id == "base"),
        "{err}"
    );
}
