#!/bin/sh
# Builds the original ggen's own engine as a small command, for scripts/migrate_corpus.py
# --oracle: it renders a pack exactly as the original does, so converted packs can be
# compared byte for byte.
#
#   scripts/original-oracle/build.sh ORIGINAL_GIT_DIR BUILD_DIR
#
# ORIGINAL_GIT_DIR is a clone (bare or not) of seanchatmangpt/ggen (MIT). Only the crates
# its engine needs are taken from its HEAD (ggen-engine and its path dependencies), in a
# workspace of their own next to main.rs here, and built with the original's Cargo.lock.
# The original needs a nightly toolchain (praxis-core depends on wasm4pm-compat, which uses
# #![feature]); its rust-toolchain.toml pins nightly-2026-06-22, nightly-2026-05-19 works.
# The binary is BUILD_DIR/target/debug/ggen-original-oracle.
set -eu
git_dir=$1
build=$2
here=$(cd "$(dirname "$0")" && pwd)
crates="ggen-engine praxis-core praxis-graphlaw powl2-decompose bcinr-pddl bcinr-mfw-ir ggen-marketplace ggen-config"
mkdir -p "$build"
cd "$build"
paths=""
for crate in $crates; do paths="$paths crates/$crate"; done
# Blob by blob: a partial clone may lack some (large ontologies the engine does not read).
git -C "$git_dir" ls-tree -r HEAD $paths Cargo.lock Cargo.toml | while read -r mode kind sha path; do
    [ "$kind" = blob ] || continue
    mkdir -p "$(dirname "$path")"
    git -C "$git_dir" cat-file blob "$sha" >"$path" 2>/dev/null || echo "skipped (missing): $path" >&2
done
mv Cargo.toml Cargo.original.toml
{
    printf '[workspace]\nresolver = "2"\nmembers = ["oracle"'
    for crate in $crates; do printf ', "crates/%s"' "$crate"; done
    printf ']\n\n'
    sed -n '/^\[workspace.package\]/,/^\[package\]/p' Cargo.original.toml | sed '$d'
    # The shared dependency table, without the original's other workspace crates.
    sed -n '/^\[workspace.dependencies\]/,/^\[[a-z]/p' Cargo.original.toml | sed '$d' |
        grep -v -E '^(ggen-|cargo-cicd)'
    sed -n '/^\[workspace.lints.rust\]/,/^\[features\]/p' Cargo.original.toml | sed '$d'
} >Cargo.toml
# Without RocksDB: its C++ build takes longer than everything else together, and a sync
# keeps its graph in memory. The two persistent-store constructors now fail loudly
# instead (so a run that needed one could not pass unnoticed).
for manifest in crates/ggen-engine/Cargo.toml crates/praxis-graphlaw/Cargo.toml crates/ggen-marketplace/Cargo.toml; do
    sed -i -E 's/^oxigraph = (\{ version = )?"([0-9.]+)"(, features = \["rdf-12"\] \})?/oxigraph = { version = "\2", default-features = false, features = ["rdf-12"] }/' "$manifest"
done
sed -i 's/Store::open(path)/Err::<Store, \&str>("no RocksDB in this build")/' crates/praxis-graphlaw/src/chatman/engine.rs
sed -i 's/Store::open(store_path.as_ref())/Err::<Store, \&str>("no RocksDB in this build")/' crates/ggen-marketplace/src/marketplace/rdf/control.rs
mkdir -p oracle/src
cp "$here/main.rs" oracle/src/main.rs
cat >oracle/Cargo.toml <<'TOML'
[package]
name = "ggen-original-oracle"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
ggen-engine = { path = "../crates/ggen-engine" }
serde_json = "1"
TOML
CARGO_PROFILE_DEV_DEBUG=0 cargo +nightly build -p ggen-original-oracle
echo "$build/target/debug/ggen-original-oracle"
