//! What the conversion of a pack builds up: the new pack's files, the report, and what the
//! manifest is written from.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::report::FileReport;

/// A variable hoisted from `vars:` or `[preset] vars`.
#[derive(Debug, Clone)]
pub(crate) struct Variable {
    /// None: required.
    pub default: Option<Value>,
}

/// The pieces of the new pack that templates add to.
pub(crate) struct Output {
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    pub reports: Vec<FileReport>,
    pub variables: BTreeMap<String, Variable>,
    pub graphs: Vec<String>,
}
