//! Fuzz target: `ggen_merge::merge_regions` on three texts separated by 0xFF bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = ggen_merge::fuzzing::merge_regions_input(data) {
        panic!("{problem}");
    }
});
