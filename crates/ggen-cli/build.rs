//! Link the `ggen` binary position-dependent (`-no-pie`) on Linux with glibc.
//!
//! A position-independent executable is relocated by the dynamic loader at every start: for
//! ggen's binary that is tens of thousands of relative relocations, each one a write that
//! faults a page in, before `main` runs. `ggen merge-file` is meant to start as fast as
//! `git merge-file` (see `scripts/merge_file_startup.py`), and most of a one-line merge's time
//! was that. A position-dependent executable is loaded at its link address and needs none of
//! them. Only the binaries are linked this way (not tests or libraries); the code itself is
//! still compiled position-independent, which links into either kind of executable.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
