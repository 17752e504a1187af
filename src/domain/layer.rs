//! Layers and their versions (SPEC §5.1, §12), and where a `LayerName` (a name or a layer ARN without version,
//! SPEC §9) points. Layer version ARNs (GetLayerVersionByArn, a function's `Layers`) are `arn::LayerVersionArn`.
//!
//! Parsing here assumes the value already passed its model pattern; `service::layers` runs those checks first.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::arn::{LayerArn, Scope};
use super::function::Code;
use super::policy::Policy;

/// One published layer version. Its policy lives here, so deleting the version deletes the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl LayerVersion {
    /// Whether this version passes ListLayers/ListLayerVersions filters. A version that declared no runtimes (or no
    /// architectures) matches no filter on that member [inferred: a filter asks for declared compatibility].
    pub fn matches(&self, runtime: Option<&str>, architecture: Option<&str>) -> bool {
        let declared = |list: &Option<Vec<String>>, want: Option<&str>| match want {
            None => true,
            Some(w) => list.as_ref().is_some_and(|l| l.iter().any(|x| x == w)),
        };
        declared(&self.compatible_runtimes, runtime) && declared(&self.compatible_architectures, architecture)
    }
}

/// A layer: its versions and the counter that numbers the next one.
///
/// A layer whose versions were all deleted stays in the map: it is invisible to every read, but it still remembers
/// the next number, because AWS never reuses a deleted version number (SPEC §12).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Layer {
    pub name: String,
    pub versions: BTreeMap<u64, LayerVersion>,
    /// Version numbers are never reused after a deletion.
    pub next_version: u64,
}

impl Layer {
    /// A layer with no versions yet; its first version will be 1.
    pub fn new(name: impl Into<String>) -> Self {
        Layer { name: name.into(), versions: BTreeMap::new(), next_version: 1 }
    }

    /// The next version number, advancing the counter.
    pub fn take_version_number(&mut self) -> u64 {
        let n = self.next_version.max(1);
        self.next_version = n + 1;
        n
    }
}

/// Where a validated `LayerName` points: the caller's namespace for a plain name, or the ARN's region and account.
/// The ARN's partition is not kept: ARNs are always rendered with the region's partition.
pub fn parse_layer_name(caller: &Scope, layer_name: &str) -> (Scope, String) {
    match LayerArn::parse(layer_name) {
        Some(arn) => (arn.scope, arn.name.to_owned()),
        None => (caller.clone(), layer_name.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(runtimes: Option<&[&str]>, archs: Option<&[&str]>) -> LayerVersion {
        let list = |l: Option<&[&str]>| l.map(|l| l.iter().map(|s| s.to_string()).collect());
        LayerVersion {
            version: 1,
            description: String::new(),
            created_date: String::new(),
            content: Code { sha256: String::new(), size: 0, zip: None, image_uri: None },
            compatible_runtimes: list(runtimes),
            compatible_architectures: list(archs),
            license_info: None,
            policy: None,
        }
    }

    #[test]
    fn filters() {
        let v = version(Some(&["python3.12", "python3.13"]), Some(&["arm64"]));
        assert!(v.matches(None, None));
        assert!(v.matches(Some("python3.13"), None));
        assert!(v.matches(Some("python3.12"), Some("arm64")));
        assert!(!v.matches(Some("nodejs20.x"), None));
        assert!(!v.matches(None, Some("x86_64")));
        let bare = version(None, Some(&[]));
        assert!(bare.matches(None, None));
        assert!(!bare.matches(Some("python3.12"), None));
        assert!(!bare.matches(None, Some("arm64")));
    }

    #[test]
    fn numbers_never_go_back() {
        let mut l = Layer::new("l");
        assert_eq!(l.take_version_number(), 1);
        assert_eq!(l.take_version_number(), 2);
        let mut d = Layer::default();
        assert_eq!(d.take_version_number(), 1);
        assert_eq!(d.take_version_number(), 2);
    }

    #[test]
    fn layer_names() {
        let caller = Scope::new("000000000000", "us-east-1");
        assert_eq!(parse_layer_name(&caller, "my-layer"), (caller.clone(), "my-layer".into()));
        assert_eq!(
            parse_layer_name(&caller, "arn:aws:lambda:eu-west-1:123456789012:layer:shared"),
            (Scope::new("123456789012", "eu-west-1"), "shared".into())
        );
    }
}
