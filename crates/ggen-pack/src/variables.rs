//! Resolving a pack's variables: command line, then recorded values, then defaults.

use std::collections::BTreeMap;

use crate::{Manifest, PackError};

/// The value of every variable `manifest` declares: `given` (from `--var`) wins, then
/// `recorded` (from `ggen.lock`), then the default. A variable with none of the three is
/// [`PackError::MissingVariable`]; a value not matching its pattern is
/// [`PackError::VariablePattern`]. Names not declared by the manifest are ignored here.
pub fn resolve(
    manifest: &Manifest,
    given: &BTreeMap<String, String>,
    recorded: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, PackError> {
    unimplemented!()
}
