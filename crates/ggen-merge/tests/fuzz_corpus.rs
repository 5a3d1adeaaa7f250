//! Runs every file of the fuzz seed corpus (`fuzz/corpus/<target>/`) through the fuzz entry
//! points, and a proptest-driven fuzz of the same entry points, so CI covers them on stable.

use std::path::Path;

use ggen_merge::fuzzing::{merge_regions_input, scan_input};
use proptest::prelude::*;

fn run_corpus(target: &str, entry: fn(&[u8]) -> Result<(), String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "the {target} seed corpus should hold a few files, found {}",
        files.len()
    );
    for file in files {
        let data =
            std::fs::read(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        if let Err(problem) = entry(&data) {
            panic!("{}: {problem}", file.display());
        }
    }
}

#[test]
fn regions_scan_corpus() {
    run_corpus("regions_scan", scan_input);
}

#[test]
fn merge_regions_corpus() {
    run_corpus("merge_regions", merge_regions_input);
}

/// Bytes that look like generated files: marker lines, code, separators, odd bytes.
fn fuzz_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"// @ggen:generated-start id=g\n".to_vec()),
        Just(b"// @ggen:generated-end\n".to_vec()),
        Just(b"// @ggen:manual-edit id=m\n".to_vec()),
        Just(b"// @ggen:manual-edit\n".to_vec()),
        Just(b"// @ggen:manual-edit-end\n".to_vec()),
        Just(b"# @ggen:protected id=p\r\n".to_vec()),
        Just(b"/* @ggen:protected-end */\n".to_vec()),
        Just(b"=======\n".to_vec()),
        Just(b"<<<<<<< x\n".to_vec()),
        Just(b"\xff".to_vec()),
        Just(b"\x00".to_vec()),
        prop::collection::vec(any::<u8>(), 0..6),
        "[a-c }{ ]{0,6}\n".prop_map(String::into_bytes),
    ];
    (any::<u8>(), prop::collection::vec(piece, 0..24)).prop_map(|(selector, pieces)| {
        let mut data = vec![selector];
        data.extend(pieces.concat());
        data
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn scan_never_breaks_its_invariants(data in fuzz_bytes()) {
        prop_assert_eq!(scan_input(&data), Ok(()));
    }

    #[test]
    fn merge_regions_never_breaks_its_invariants(data in fuzz_bytes()) {
        prop_assert_eq!(merge_regions_input(&data), Ok(()));
    }
}
