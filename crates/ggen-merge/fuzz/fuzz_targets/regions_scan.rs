//! Fuzz target: `ggen_merge::regions::scan` on arbitrary text (first byte picks the path).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = ggen_merge::fuzzing::scan_input(data) {
        panic!("{problem}");
    }
});
