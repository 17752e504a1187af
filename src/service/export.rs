//! A read-only snapshot of the whole state, for `GET /_lambdalite/state` (and `lambdalite state`) and for the
//! state browser page (`GET /_lambdalite/`).
//!
//! [`snapshot`] runs under the store's read lock and only copies: everything it returns is owned, so serializing
//! and HTML rendering happen after the lock is released. Member names follow AWS's (PascalCase, `FunctionArn`,
//! `RevisionId`, ...) so the JSON reads like the API it mirrors; the shape is lambdalite's own, not an AWS output.
//!
//! What a client cannot see is left out here too: a layer whose versions were all deleted (it only remembers its
//! next version number, see `domain::layer::Layer`) and a namespace that holds nothing visible.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::domain::arn::Scope;
use crate::domain::function::{FunctionConfig, Transition};
use crate::domain::policy::{Policy, Statement};
use crate::domain::state::State;

/// Everything lambdalite holds, namespaces sorted by account then region.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Snapshot {
    /// The server's crate version, so a saved export says what produced it.
    pub lambdalite_version: &'static str,
    pub namespaces: Vec<NamespaceExport>,
}

/// One account in one region.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NamespaceExport {
    pub account: String,
    pub region: String,
    pub functions: Vec<FunctionExport>,
    pub layers: Vec<LayerExport>,
}

/// A function, its `$LATEST` configuration and policy, its versions and aliases.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionExport {
    pub function_name: String,
    pub function_arn: String,
    pub configuration: ConfigSummary,
    /// The unqualified (`$LATEST`) policy.
    pub policy: Option<PolicyExport>,
    pub versions: Vec<VersionExport>,
    pub aliases: Vec<AliasExport>,
    pub tags: BTreeMap<String, String>,
}

/// The members of a FunctionConfiguration that say what a function is; the full object is one GetFunction away.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigSummary {
    pub version: String,
    pub runtime: Option<String>,
    pub handler: Option<String>,
    pub role: String,
    pub description: String,
    pub package_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_uri: Option<String>,
    pub code_sha256: String,
    pub code_size: u64,
    pub memory_size: i64,
    pub timeout: i64,
    pub architectures: Vec<String>,
    /// Layer version ARNs, in the function's order.
    pub layers: Vec<String>,
    pub last_modified: String,
    /// `Pending` or `Active`, as GetFunctionConfiguration would say now.
    pub state: &'static str,
    /// `InProgress` or `Successful`, likewise.
    pub last_update_status: &'static str,
    pub revision_id: String,
}

/// A published version.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersionExport {
    pub version: String,
    /// The qualified ARN (`...:function:name:3`).
    pub function_arn: String,
    pub configuration: ConfigSummary,
    pub policy: Option<PolicyExport>,
}

/// An alias.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasExport {
    pub name: String,
    pub alias_arn: String,
    pub function_version: String,
    pub description: String,
    /// Version → weight; empty without routing.
    pub additional_version_weights: BTreeMap<String, f64>,
    pub revision_id: String,
    pub policy: Option<PolicyExport>,
}

/// A layer and its live versions.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LayerExport {
    pub layer_name: String,
    pub layer_arn: String,
    pub versions: Vec<LayerVersionExport>,
}

/// One layer version.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LayerVersionExport {
    pub version: u64,
    pub layer_version_arn: String,
    pub description: String,
    pub created_date: String,
    pub compatible_runtimes: Option<Vec<String>>,
    pub compatible_architectures: Option<Vec<String>>,
    pub license_info: Option<String>,
    pub code_sha256: String,
    pub code_size: u64,
    pub policy: Option<PolicyExport>,
}

/// A policy: its RevisionId and its document as an object (GetPolicy returns the same document as a string).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyExport {
    pub revision_id: String,
    pub document: PolicyDocument,
}

/// The policy document with its statements typed, members in AWS's order: serialized compactly it is byte for byte
/// what GetPolicy returns (a unit test holds this to `Policy::document`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    pub version: &'static str,
    pub id: &'static str,
    pub statement: Vec<Statement>,
}

impl PolicyExport {
    fn of(policy: &Policy) -> Self {
        PolicyExport {
            revision_id: policy.revision_id().to_owned(),
            document: PolicyDocument { version: "2012-10-17", id: "default", statement: policy.statements().collect() },
        }
    }
}

/// Copies `state` into an owned [`Snapshot`]. Runs under the read lock: no serialization or formatting here
/// beyond the ARNs.
pub fn snapshot(state: &State) -> Snapshot {
    let delay = state.settle_delay;
    let mut scopes: Vec<_> = state.namespaces().collect();
    // The namespaces live in a HashMap; a stable order makes the page and the export diffable.
    scopes.sort_by(|a, b| a.0.cmp(b.0));
    let namespaces = scopes
        .into_iter()
        .map(|(scope, ns)| NamespaceExport {
            account: scope.account.clone(),
            region: scope.region.clone(),
            functions: ns
                .functions
                .values()
                .map(|f| FunctionExport {
                    function_name: f.name.clone(),
                    function_arn: scope.function_arn(&f.name),
                    configuration: summary(&f.latest, "$LATEST", delay),
                    policy: f.policy.as_ref().map(PolicyExport::of),
                    versions: f
                        .versions
                        .iter()
                        .map(|(n, v)| VersionExport {
                            version: n.to_string(),
                            function_arn: scope.qualified_function_arn(&f.name, &n.to_string()),
                            configuration: summary(&v.config, &n.to_string(), delay),
                            policy: v.policy.as_ref().map(PolicyExport::of),
                        })
                        .collect(),
                    aliases: f
                        .aliases
                        .values()
                        .map(|a| AliasExport {
                            name: a.name.clone(),
                            alias_arn: scope.qualified_function_arn(&f.name, &a.name),
                            function_version: a.function_version.clone(),
                            description: a.description.clone(),
                            additional_version_weights: a.routing.clone(),
                            revision_id: a.revision_id.clone(),
                            policy: a.policy.as_ref().map(PolicyExport::of),
                        })
                        .collect(),
                    tags: f.tags.clone(),
                })
                .collect(),
            layers: ns
                .layers
                .values()
                .filter(|l| !l.versions.is_empty())
                .map(|l| LayerExport {
                    layer_name: l.name.clone(),
                    layer_arn: scope.layer_arn(&l.name),
                    versions: l.versions.values().map(|v| layer_version(scope, &l.name, v)).collect(),
                })
                .collect(),
        })
        .filter(|ns| !ns.functions.is_empty() || !ns.layers.is_empty())
        .collect();
    Snapshot { lambdalite_version: env!("CARGO_PKG_VERSION"), namespaces }
}

fn summary(cfg: &FunctionConfig, version: &str, delay: Duration) -> ConfigSummary {
    let (state, last_update_status) = match cfg.lifecycle.in_flight(delay) {
        Some(Transition::Creating) => ("Pending", "InProgress"),
        Some(Transition::Updating) => ("Active", "InProgress"),
        None => ("Active", "Successful"),
    };
    ConfigSummary {
        version: version.to_owned(),
        runtime: cfg.runtime.clone(),
        handler: cfg.handler.clone(),
        role: cfg.role.clone(),
        description: cfg.description.clone(),
        package_type: cfg.package_type.clone(),
        image_uri: cfg.code.image_uri.clone(),
        code_sha256: cfg.code.sha256.clone(),
        code_size: cfg.code.size,
        memory_size: cfg.memory_size,
        timeout: cfg.timeout,
        architectures: cfg.architectures.clone(),
        layers: cfg.layers.iter().map(|l| l.arn.clone()).collect(),
        last_modified: cfg.last_modified.clone(),
        state,
        last_update_status,
        revision_id: cfg.lifecycle.revision_id(delay).to_owned(),
    }
}

fn layer_version(scope: &Scope, name: &str, v: &crate::domain::layer::LayerVersion) -> LayerVersionExport {
    LayerVersionExport {
        version: v.version,
        layer_version_arn: scope.layer_version_arn(name, v.version),
        description: v.description.clone(),
        created_date: v.created_date.clone(),
        compatible_runtimes: v.compatible_runtimes.clone(),
        compatible_architectures: v.compatible_architectures.clone(),
        license_info: v.license_info.clone(),
        code_sha256: v.content.sha256.clone(),
        code_size: v.content.size,
        policy: v.policy.as_ref().map(PolicyExport::of),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::layer::{Layer, LayerVersion};
    use crate::domain::policy::{add_statement, Conditions, Principal};

    fn statement(sid: &str) -> Statement {
        let mut cond = Conditions::new();
        cond.entry("ArnLike").or_default().insert("AWS:SourceArn", "arn:aws:s3:::bucket".into());
        Statement::allow(
            sid.into(),
            Principal::Service("s3.amazonaws.com".into()),
            "lambda:InvokeFunction".into(),
            "arn:aws:lambda:us-east-1:000000000000:function:f".into(),
            cond,
        )
    }

    #[test]
    fn the_exported_document_is_the_get_policy_document() {
        let mut slot = None;
        add_statement(&mut slot, statement("one")).unwrap();
        add_statement(&mut slot, statement("two")).unwrap();
        let policy = slot.unwrap();
        let export = PolicyExport::of(&policy);
        assert_eq!(serde_json::to_string(&export.document).unwrap(), policy.document());
        assert_eq!(export.revision_id, policy.revision_id());
    }

    #[test]
    fn empty_namespaces_and_emptied_layers_are_left_out_and_order_is_stable() {
        let mut state = State::new(Duration::ZERO);
        // A layer whose only version was deleted: still in the map, invisible to clients.
        let mut gone = Layer::new("gone");
        gone.take_version_number();
        state.insert_layer(&Scope::new("111111111111", "us-east-1"), gone);
        state.layer_entry(&Scope::new("222222222222", "us-east-1"), "never-published");
        for (account, region) in [("333333333333", "us-west-2"), ("000000000000", "us-east-1")] {
            let mut layer = Layer::new("shared");
            let n = layer.take_version_number();
            let mut slot = None;
            add_statement(&mut slot, statement("pub")).unwrap();
            layer.versions.insert(
                n,
                LayerVersion {
                    version: n,
                    description: String::new(),
                    created_date: String::new(),
                    content: crate::domain::function::Code { sha256: "h".into(), size: 1, zip: None, image_uri: None },
                    compatible_runtimes: None,
                    compatible_architectures: None,
                    license_info: None,
                    policy: slot,
                },
            );
            state.insert_layer(&Scope::new(account, region), layer);
        }
        let snap = snapshot(&state);
        let scopes: Vec<_> = snap.namespaces.iter().map(|n| (n.account.as_str(), n.region.as_str())).collect();
        assert_eq!(scopes, [("000000000000", "us-east-1"), ("333333333333", "us-west-2")]);
        let v = &snap.namespaces[1].layers[0].versions[0];
        assert_eq!(v.layer_version_arn, "arn:aws:lambda:us-west-2:333333333333:layer:shared:1");
        assert_eq!(v.policy.as_ref().unwrap().document.statement[0].sid, "pub");
    }
}
