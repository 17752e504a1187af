//! Layers and their versions (SPEC §5.1, §12).

use std::collections::BTreeMap;

use super::function::Code;
use super::policy::Policy;

/// One published layer version.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerVersion {
    pub version: u64,
    pub description: String,
    pub created_date: String,
    pub content: Code,
    /// `None` when the request omitted it; `Some(vec![])` is echoed as `[]`.
    pub compatible_runtimes: Option<Vec<String>>,
    pub compatible_architectures: Option<Vec<String>>,
    pub license_info: Option<String>,
    pub policy: Option<Policy>,
}

/// A layer: its versions and the counter that numbers the next one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layer {
    pub name: String,
    pub versions: BTreeMap<u64, LayerVersion>,
    /// Version numbers are never reused after a deletion.
    pub next_version: u64,
}
