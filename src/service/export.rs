//! Two read-only views of the whole state: [`export`], the `--init` file format that `GET /_lambdalite/state` (and
//! `lambdalite state`) serve, so a captured state replays with `--init`; and [`snapshot`], what the state browser
//! page (`GET /_lambdalite/`) shows, RevisionIds and dates included.
//!
//! Both run under the store's read lock and only copy: everything they return is owned (an export's zips are shared
//! `Arc`s, base64-encoded only when serialized), so serializing and HTML rendering happen after the lock is released.
//!
//! The export turns each stored policy statement back into the AddPermission (or AddLayerVersionPermission) members
//! that write it, so that replaying gives GetPolicy the same bytes: [`permission_of`], [`layer_permission_of`].
//! RevisionIds, dates and code locations are not part of an init file; a replay makes new ones.
//!
//! The snapshot leaves out what a client cannot see: a layer whose versions were all deleted (it only remembers its
//! next version number, see `domain::layer::Layer`) and a namespace that holds nothing visible. The export keeps
//! such a layer when its counter matters (`NextVersion`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::domain::arn::{IamArn, Scope};
use crate::domain::function::{FunctionConfig, Transition};
use crate::domain::policy::{Policy, Principal, Statement};
use crate::domain::state::State;
use crate::wire::dto::aliases::AliasRoutingConfiguration;
use crate::wire::dto::functions::{
    DeadLetterConfig, Environment, EphemeralStorage, LoggingConfig, SnapStart, TracingConfig,
};
use crate::wire::dto::layers::AddLayerVersionPermissionInput;
use crate::wire::dto::permissions::AddPermissionInput;
use crate::wire::init::{
    AliasEntry, CodeEntry, FunctionEntry, FunctionSettings, InitFile, LayerContentEntry, LayerEntry, LayerVersionEntry,
    NamespaceEntry, VersionEntry, ZipBlob,
};

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
            account: scope.account.to_string(),
            region: scope.region.to_string(),
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

// ---------------------------------------------------------------------------------------------------------------
// The export: the init file format

/// The whole state as an init file, namespaces sorted by account then region, with explicit account and region.
/// `Err` only if the state holds something no API request could have made (a statement without AddPermission
/// members, a function without code), which would be a bug.
pub fn export(state: &State) -> Result<InitFile, String> {
    let mut scopes: Vec<_> = state.namespaces().collect();
    scopes.sort_by(|a, b| a.0.cmp(b.0));
    let mut namespaces = Vec::new();
    for (scope, ns) in scopes {
        let functions = ns.functions.values().map(|f| export_function(scope, f)).collect::<Result<Vec<_>, String>>()?;
        let layers = ns
            .layers
            .values()
            .filter(|l| !l.versions.is_empty() || l.next_version > 1)
            .map(|l| export_layer(scope, l))
            .collect::<Result<Vec<_>, String>>()?;
        if functions.is_empty() && layers.is_empty() {
            continue;
        }
        namespaces.push(NamespaceEntry {
            account: Some(scope.account.to_string()),
            region: Some(scope.region.to_string()),
            layers,
            functions,
        });
    }
    Ok(InitFile {
        lambdalite_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        layers: Vec::new(),
        functions: Vec::new(),
        namespaces,
    })
}

/// `Some(value)` unless it is the default CreateFunction gives.
fn unless<T: PartialEq>(value: T, default: T) -> Option<T> {
    (value != default).then_some(value)
}

/// The CreateFunction members that make `cfg`, defaults left out.
fn settings_of(name: &str, cfg: &FunctionConfig) -> Result<FunctionSettings, String> {
    let code = match (&cfg.code.image_uri, &cfg.code.zip) {
        (Some(uri), _) => CodeEntry { image_uri: Some(uri.clone()), ..Default::default() },
        (None, Some(zip)) => CodeEntry { zip_file: Some(ZipBlob::Bytes(zip.clone())), ..Default::default() },
        (None, None) => return Err(format!("function {name} has neither a zip nor an image")),
    };
    let logging = LoggingConfig {
        log_format: unless(cfg.log_format.clone(), "Text".into()),
        application_log_level: cfg.application_log_level.clone(),
        system_log_level: cfg.system_log_level.clone(),
        log_group: unless(cfg.log_group.clone(), format!("/aws/lambda/{name}")),
    };
    Ok(FunctionSettings {
        runtime: cfg.runtime.clone(),
        role: Some(cfg.role.clone()),
        handler: cfg.handler.clone(),
        code: Some(code),
        description: unless(cfg.description.clone(), String::new()),
        timeout: unless(cfg.timeout, 3),
        memory_size: unless(cfg.memory_size, 128),
        vpc_config: cfg.vpc_config.clone(),
        dead_letter_config: cfg.dead_letter_target_arn.clone().map(|a| DeadLetterConfig { target_arn: Some(a) }),
        environment: cfg.environment.clone().map(|v| Environment { variables: Some(v) }),
        kms_key_arn: cfg.kms_key_arn.clone(),
        tracing_config: unless(cfg.tracing_mode.clone(), "PassThrough".into()).map(|m| TracingConfig { mode: Some(m) }),
        layers: (!cfg.layers.is_empty()).then(|| cfg.layers.iter().map(|l| l.arn.clone()).collect()),
        file_system_configs: cfg.file_system_configs.clone(),
        image_config: cfg.image_config.clone(),
        architectures: unless(cfg.architectures.clone(), vec!["x86_64".to_owned()]),
        ephemeral_storage: unless(cfg.ephemeral_storage_size, 512).map(|s| EphemeralStorage { size: Some(s) }),
        snap_start: unless(cfg.snap_start_apply_on.clone(), "None".into()).map(|a| SnapStart { apply_on: Some(a) }),
        logging_config: unless(logging, LoggingConfig::default()),
    })
}

fn export_function(scope: &Scope, f: &crate::domain::function::Function) -> Result<FunctionEntry, String> {
    let latest = settings_of(&f.name, &f.latest)?;
    let mut versions = Vec::with_capacity(f.versions.len());
    for (n, v) in &f.versions {
        let mut settings = settings_of(&f.name, &v.config)?;
        // A version published from `$LATEST` as it is now needs no configuration of its own, only its description.
        let published_from = settings.clone();
        settings.description.clone_from(&latest.description);
        let configuration = (settings != latest).then_some(published_from);
        let from_description = configuration.as_ref().unwrap_or(&latest).description.as_deref().unwrap_or_default();
        versions.push(VersionEntry {
            version: Some(*n),
            description: (v.config.description != from_description).then(|| v.config.description.clone()),
            configuration,
            permissions: permissions_of(scope, &scope.qualified_function_arn(&f.name, &n.to_string()), &v.policy)?,
        });
    }
    let next_after_last = f.versions.keys().next_back().map_or(1, |n| n + 1);
    let aliases = f
        .aliases
        .values()
        .map(|a| {
            Ok(AliasEntry {
                name: a.name.clone(),
                function_version: a.function_version.clone(),
                description: unless(a.description.clone(), String::new()),
                routing_config: (!a.routing.is_empty()).then(|| AliasRoutingConfiguration {
                    additional_version_weights: Some(a.routing.iter().map(|(k, w)| (k.clone(), (*w).into())).collect()),
                }),
                permissions: permissions_of(scope, &scope.qualified_function_arn(&f.name, &a.name), &a.policy)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(FunctionEntry {
        function_name: f.name.clone(),
        package_type: unless(f.latest.package_type.clone(), "Zip".into()),
        settings: latest,
        tags: (!f.tags.is_empty()).then(|| f.tags.clone()),
        versions,
        next_version: unless(f.next_version, next_after_last),
        aliases,
        permissions: permissions_of(scope, &scope.function_arn(&f.name), &f.policy)?,
        unknown: Default::default(),
    })
}

fn export_layer(scope: &Scope, l: &crate::domain::layer::Layer) -> Result<LayerEntry, String> {
    let versions = l
        .versions
        .values()
        .map(|v| {
            let zip =
                v.content.zip.clone().ok_or_else(|| format!("layer {} version {} has no zip", l.name, v.version))?;
            let resource = scope.layer_version_arn(&l.name, v.version);
            let permissions = match &v.policy {
                None => Vec::new(),
                Some(p) => {
                    p.statements().map(|s| layer_permission_of(scope, &resource, &s)).collect::<Result<_, _>>()?
                }
            };
            Ok(LayerVersionEntry {
                version: Some(v.version),
                description: unless(v.description.clone(), String::new()),
                content: Some(LayerContentEntry { zip_file: Some(ZipBlob::Bytes(zip)), path: None }),
                compatible_runtimes: v.compatible_runtimes.clone(),
                compatible_architectures: v.compatible_architectures.clone(),
                license_info: v.license_info.clone(),
                permissions,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let next_after_last = l.versions.keys().next_back().map_or(1, |n| n + 1);
    Ok(LayerEntry {
        layer_name: l.name.clone(),
        versions,
        next_version: unless(l.next_version.max(1), next_after_last),
    })
}

fn permissions_of(scope: &Scope, resource: &str, policy: &Option<Policy>) -> Result<Vec<AddPermissionInput>, String> {
    match policy {
        None => Ok(Vec::new()),
        Some(p) => p.statements().map(|s| permission_of(scope, resource, &s)).collect(),
    }
}

/// The account id of `arn:<partition of scope>:iam::<account>:root`: AddPermission and AddLayerVersionPermission
/// turn an account id into exactly that ARN, so giving the id back writes the same statement, and reads better.
fn root_account<'a>(scope: &Scope, arn: &'a str) -> Option<&'a str> {
    let arn = IamArn::parse(arn)?;
    (arn.is_account_root() && arn.partition == scope.partition()).then_some(arn.account)
}

/// The AddPermission members that write `statement` into the policy of `resource` (a function, version or alias
/// ARN): the inverse of `permissions::map_principal` and `permissions::build_conditions`.
pub fn permission_of(scope: &Scope, resource: &str, statement: &Statement) -> Result<AddPermissionInput, String> {
    let sid = &statement.sid;
    if statement.effect != "Allow" || statement.resource != resource {
        return Err(format!("statement {sid} is not an Allow on {resource}"));
    }
    let principal = match &statement.principal {
        Principal::Any => "*".to_owned(),
        Principal::Service(service) => service.clone(),
        Principal::Aws(arn) => root_account(scope, arn).unwrap_or(arn).to_owned(),
    };
    let mut entry = AddPermissionInput {
        statement_id: Some(sid.clone()),
        action: Some(statement.action.clone()),
        principal: Some(principal),
        ..Default::default()
    };
    for (op, keys) in &statement.condition {
        for (key, value) in keys {
            let member = match (*op, *key) {
                ("StringEquals", "AWS:SourceAccount") => &mut entry.source_account,
                ("StringEquals", "lambda:FunctionUrlAuthType") => &mut entry.function_url_auth_type,
                ("StringEquals", "aws:PrincipalOrgID") => &mut entry.principal_org_id,
                ("StringEquals", "lambda:EventSourceToken") => &mut entry.event_source_token,
                ("ArnLike", "AWS:SourceArn") => &mut entry.source_arn,
                ("Bool", "lambda:InvokedViaFunctionUrl") if value == "true" => {
                    entry.invoked_via_function_url = Some(true);
                    continue;
                }
                _ => return Err(format!("statement {sid}: no AddPermission member writes the condition {op} {key}")),
            };
            *member = Some(value.clone());
        }
    }
    Ok(entry)
}

/// The AddLayerVersionPermission members that write `statement` into the policy of the layer version `resource`:
/// the inverse of `layer_permissions::layer_principal` and its one condition.
pub fn layer_permission_of(
    scope: &Scope,
    resource: &str,
    statement: &Statement,
) -> Result<AddLayerVersionPermissionInput, String> {
    let sid = &statement.sid;
    if statement.effect != "Allow" || statement.resource != resource {
        return Err(format!("statement {sid} is not an Allow on {resource}"));
    }
    let principal = match &statement.principal {
        Principal::Any => "*".to_owned(),
        Principal::Aws(arn) => root_account(scope, arn).unwrap_or(arn).to_owned(),
        Principal::Service(service) => {
            return Err(format!("statement {sid}: a layer policy has no service principal {service}"))
        }
    };
    let mut entry = AddLayerVersionPermissionInput {
        statement_id: Some(sid.clone()),
        action: Some(statement.action.clone()),
        principal: Some(principal),
        organization_id: None,
    };
    for (op, keys) in &statement.condition {
        for (key, value) in keys {
            match (*op, *key) {
                ("StringEquals", "aws:PrincipalOrgID") => entry.organization_id = Some(value.clone()),
                _ => {
                    return Err(format!(
                        "statement {sid}: no AddLayerVersionPermission member writes the condition {op} {key}"
                    ))
                }
            }
        }
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    mod reversal {
        use super::super::*;
        use crate::domain::policy::Conditions;
        use crate::service::{aliases, functions, layer_permissions, layers, permissions};
        use crate::wire::dto::layers::{AddLayerVersionPermissionInput, PublishLayerVersionInput};
        use crate::wire::dto::permissions::AddPermissionInput;

        fn zip_b64() -> String {
            use base64::Engine;
            let mut buf = std::io::Cursor::new(Vec::new());
            {
                let mut w = zip::ZipWriter::new(&mut buf);
                w.start_file("index.py", zip::write::SimpleFileOptions::default()).unwrap();
                std::io::Write::write_all(&mut w, b"def handler(e, c): return 1").unwrap();
                w.finish().unwrap();
            }
            base64::engine::general_purpose::STANDARD.encode(buf.into_inner())
        }

        /// A state with function `f` (version 1, alias `live`) and layer `l` (version 1) in `scope`.
        fn seeded(scope: &Scope) -> State {
            let mut state = State::new(Duration::ZERO);
            let input = serde_json::from_value(serde_json::json!({
                "FunctionName": "f", "Runtime": "python3.12", "Role": "arn:aws:iam::123456789012:role/r",
                "Handler": "index.handler", "Code": {"ZipFile": zip_b64()},
            }))
            .unwrap();
            functions::create_function(&mut state, scope, input).unwrap();
            functions::publish_version(&mut state, scope, "f", Default::default()).unwrap();
            let alias = serde_json::from_value(serde_json::json!({"Name": "live", "FunctionVersion": "1"})).unwrap();
            aliases::create_alias(&mut state, scope, "f", alias).unwrap();
            let layer: PublishLayerVersionInput =
                serde_json::from_value(serde_json::json!({"Content": {"ZipFile": zip_b64()}})).unwrap();
            layers::publish_layer_version(&mut state, scope, "l", layer, "").unwrap();
            state
        }

        fn add(state: &mut State, scope: &Scope, q: Option<&str>, input: AddPermissionInput) {
            let req = permissions::prepare_add_permission(scope, "f", q, input).unwrap();
            permissions::apply_add_permission(state, req).unwrap();
        }

        /// What the export gives back is AddPermission's input itself.
        fn entry_input(e: AddPermissionInput) -> AddPermissionInput {
            assert_eq!(e.revision_id, None);
            e
        }

        /// Every principal form AddPermission maps (SPEC §6.1) and every condition member alone and together.
        fn function_cases() -> Vec<AddPermissionInput> {
            let base = |sid: &str, principal: &str| AddPermissionInput {
                statement_id: Some(sid.into()),
                action: Some("lambda:InvokeFunction".into()),
                principal: Some(principal.into()),
                ..Default::default()
            };
            vec![
                base("any", "*"),
                base("account", "223456789012"),
                base("root-arn", "arn:aws:iam::223456789012:root"),
                base("role", "arn:aws:iam::223456789012:role/service/r"),
                base("other-partition", "arn:aws-cn:iam::223456789012:root"),
                base("service", "s3.amazonaws.com"),
                base("alexa", "alexa-appkit.amazon.com"),
                AddPermissionInput { action: Some("lambda:*".into()), ..base("star-action", "*") },
                AddPermissionInput { source_arn: Some("arn:aws:s3:::b/*".into()), ..base("arn", "s3.amazonaws.com") },
                AddPermissionInput { source_account: Some("123456789012".into()), ..base("acct", "s3.amazonaws.com") },
                AddPermissionInput { principal_org_id: Some("o-a1b2c3d4e5".into()), ..base("org", "*") },
                AddPermissionInput {
                    event_source_token: Some("tok-1".into()),
                    ..base("token", "alexa-appkit.amazon.com")
                },
                AddPermissionInput {
                    action: Some("lambda:invokeFunctionUrl".into()),
                    function_url_auth_type: Some("AWS_IAM".into()),
                    ..base("url", "223456789012")
                },
                AddPermissionInput { invoked_via_function_url: Some(true), ..base("via-url", "*") },
                AddPermissionInput { invoked_via_function_url: Some(false), ..base("not-via-url", "*") },
                AddPermissionInput {
                    action: Some("lambda:InvokeFunctionUrl".into()),
                    source_arn: Some("arn:aws:execute-api:us-east-1:123456789012:api/*".into()),
                    source_account: Some("123456789012".into()),
                    principal_org_id: Some("o-a1b2c3d4e5".into()),
                    event_source_token: Some("t".into()),
                    function_url_auth_type: Some("NONE".into()),
                    ..base("everything", "arn:aws:iam::223456789012:user/u")
                },
            ]
        }

        #[test]
        fn every_function_statement_form_replays_byte_for_byte() {
            for scope in [Scope::new("123456789012", "us-east-1"), Scope::new("123456789012", "cn-north-1")] {
                let mut original = seeded(&scope);
                for q in [None, Some("1"), Some("live")] {
                    for input in function_cases() {
                        add(&mut original, &scope, q, input);
                    }
                }
                let mut replayed = seeded(&scope);
                let f = original.function(&scope, "f").unwrap();
                let policies = [
                    (None, scope.function_arn("f"), f.policy.as_ref().unwrap()),
                    (Some("1"), scope.qualified_function_arn("f", "1"), f.versions[&1].policy.as_ref().unwrap()),
                    (
                        Some("live"),
                        scope.qualified_function_arn("f", "live"),
                        f.aliases["live"].policy.as_ref().unwrap(),
                    ),
                ];
                for (q, resource, policy) in &policies {
                    for statement in policy.statements() {
                        let entry = permission_of(&scope, resource, &statement).unwrap();
                        add(&mut replayed, &scope, *q, entry_input(entry));
                    }
                }
                let g = replayed.function(&scope, "f").unwrap();
                assert_eq!(g.policy.as_ref().unwrap().document(), policies[0].2.document());
                assert_eq!(g.versions[&1].policy.as_ref().unwrap().document(), policies[1].2.document());
                assert_eq!(g.aliases["live"].policy.as_ref().unwrap().document(), policies[2].2.document());
            }
        }

        #[test]
        fn account_principals_come_back_as_the_account_id_and_other_arns_as_given() {
            let scope = Scope::new("123456789012", "us-gov-west-1");
            let resource = scope.function_arn("f");
            let with = |p: Principal| {
                Statement::allow("s".into(), p, "lambda:*".into(), resource.clone(), Conditions::default())
            };
            let principal = |p| permission_of(&scope, &resource, &with(p)).unwrap().principal.unwrap();
            assert_eq!(principal(Principal::Aws("arn:aws-us-gov:iam::223456789012:root".into())), "223456789012");
            assert_eq!(
                principal(Principal::Aws("arn:aws:iam::223456789012:root".into())),
                "arn:aws:iam::223456789012:root"
            );
            assert_eq!(
                principal(Principal::Aws("arn:aws-us-gov:iam::2234:root".into())),
                "arn:aws-us-gov:iam::2234:root"
            );
            assert_eq!(principal(Principal::Any), "*");
            assert_eq!(principal(Principal::Service("sns.amazonaws.com".into())), "sns.amazonaws.com");
        }

        #[test]
        fn statements_no_request_writes_are_refused() {
            let scope = Scope::new("123456789012", "us-east-1");
            let resource = scope.function_arn("f");
            let mut cond = Conditions::default();
            cond.entry("StringLike").or_default().insert("AWS:SourceArn", "x".into());
            let odd = Statement::allow("odd".into(), Principal::Any, "lambda:*".into(), resource.clone(), cond);
            assert!(permission_of(&scope, &resource, &odd).unwrap_err().contains("StringLike AWS:SourceArn"));
            let elsewhere =
                Statement::allow("e".into(), Principal::Any, "lambda:*".into(), "arn:x".into(), Conditions::default());
            assert!(permission_of(&scope, &resource, &elsewhere).is_err());
            let service = Statement::allow(
                "svc".into(),
                Principal::Service("s3.amazonaws.com".into()),
                "lambda:GetLayerVersion".into(),
                resource.clone(),
                Conditions::default(),
            );
            assert!(layer_permission_of(&scope, &resource, &service).is_err());
        }

        #[test]
        fn every_layer_statement_form_replays_byte_for_byte() {
            for scope in [Scope::new("123456789012", "us-east-1"), Scope::new("123456789012", "us-gov-west-1")] {
                let cases = [
                    ("any", "*", None),
                    ("account", "223456789012", None),
                    ("root", "arn:aws:iam::223456789012:root", None),
                    ("cn-root", "arn:aws-cn:iam::223456789012:root", None),
                    ("org", "*", Some("o-a1b2c3d4e5")),
                ];
                let add = |state: &mut State, input: AddLayerVersionPermissionInput| {
                    let req =
                        layer_permissions::prepare_add_layer_version_permission(&scope, "l", "1", None, input).unwrap();
                    layer_permissions::apply_add_layer_version_permission(state, req).unwrap();
                };
                let mut original = seeded(&scope);
                for (sid, principal, org) in cases {
                    let input = AddLayerVersionPermissionInput {
                        statement_id: Some(sid.into()),
                        action: Some("lambda:GetLayerVersion".into()),
                        principal: Some(principal.into()),
                        organization_id: org.map(Into::into),
                    };
                    add(&mut original, input);
                }
                let policy = original.namespace(&scope).unwrap().layers["l"].versions[&1].policy.clone().unwrap();
                let mut replayed = seeded(&scope);
                let resource = scope.layer_version_arn("l", 1);
                for statement in policy.statements() {
                    let input = layer_permission_of(&scope, &resource, &statement).unwrap();
                    add(&mut replayed, input);
                }
                let again = replayed.namespace(&scope).unwrap().layers["l"].versions[&1].policy.clone().unwrap();
                assert_eq!(again.document(), policy.document());
            }
        }
    }
    use crate::domain::layer::{Layer, LayerVersion};
    use crate::domain::policy::{add_statement, Conditions, Principal};

    fn statement(sid: &str) -> Statement {
        let mut cond = Conditions::default();
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
