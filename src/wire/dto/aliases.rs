//! Aliases.
//! <https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html>

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, Serialize, Clone, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AliasRoutingConfiguration {
    /// Kept as raw JSON numbers so that out-of-range weights can be echoed the way AWS echoes them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_version_weights: Option<BTreeMap<String, serde_json::Value>>,
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html>
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateAliasInput {
    pub name: Option<String>,
    pub function_version: Option<String>,
    pub description: Option<String>,
    pub routing_config: Option<AliasRoutingConfiguration>,
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html>
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateAliasInput {
    pub function_version: Option<String>,
    pub description: Option<String>,
    pub routing_config: Option<AliasRoutingConfiguration>,
    pub revision_id: Option<String>,
}

#[derive(Debug, Serialize, Clone, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RoutingConfigOutput {
    pub additional_version_weights: BTreeMap<String, f64>,
}

/// AliasConfiguration (SPEC §13.2).
#[derive(Debug, Serialize, Clone, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AliasConfiguration {
    pub alias_arn: String,
    pub name: String,
    pub function_version: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_config: Option<RoutingConfigOutput>,
    pub revision_id: String,
}

/// ListAliases' query.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesQuery {
    pub function_version: Option<String>,
    pub marker: Option<String>,
    pub max_items: Option<String>,
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_ListAliases.html>
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    pub aliases: Vec<AliasConfiguration>,
}
