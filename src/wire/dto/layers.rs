//! Layers and layer permissions.
//! <https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html>
//!
//! Output members are declared in the model's order and optional ones are omitted, never `null` (SPEC §1, §13.3).

use serde::{Deserialize, Serialize};

/// `Content` of PublishLayerVersion.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LayerVersionContentInput {
    pub s3_bucket: Option<String>,
    pub s3_key: Option<String>,
    pub s3_object_version: Option<String>,
    pub zip_file: Option<String>,
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html>
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishLayerVersionInput {
    pub description: Option<String>,
    pub content: Option<LayerVersionContentInput>,
    pub compatible_runtimes: Option<Vec<String>>,
    pub license_info: Option<String>,
    pub compatible_architectures: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LayerVersionContentOutput {
    pub location: String,
    pub code_sha256: String,
    pub code_size: u64,
}

/// The body of PublishLayerVersion, GetLayerVersion and GetLayerVersionByArn.
/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersion.html>
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetLayerVersionOutput {
    pub content: LayerVersionContentOutput,
    pub layer_arn: String,
    pub layer_version_arn: String,
    pub description: String,
    pub created_date: String,
    pub version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compatible_runtimes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compatible_architectures: Option<Vec<String>>,
}

/// One version in ListLayerVersions, and ListLayers' `LatestMatchingVersion`: no `Content` (SPEC §13.3).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LayerVersionsListItem {
    pub layer_version_arn: String,
    pub version: u64,
    pub description: String,
    pub created_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compatible_runtimes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compatible_architectures: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LayersListItem {
    pub layer_name: String,
    pub layer_arn: String,
    pub latest_matching_version: LayerVersionsListItem,
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_ListLayers.html>
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListLayersOutput {
    pub layers: Vec<LayersListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_ListLayerVersions.html>
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListLayerVersionsOutput {
    pub layer_versions: Vec<LayerVersionsListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
}

/// The query of `GET /2018-10-31/layers`: ListLayers, or GetLayerVersionByArn when `find=LayerVersion`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListLayersQuery {
    #[serde(rename = "find")]
    pub find: Option<String>,
    pub arn: Option<String>,
    pub compatible_runtime: Option<String>,
    pub compatible_architecture: Option<String>,
    pub marker: Option<String>,
    pub max_items: Option<String>,
}

/// ListLayerVersions' query.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListLayerVersionsQuery {
    pub compatible_runtime: Option<String>,
    pub compatible_architecture: Option<String>,
    pub marker: Option<String>,
    pub max_items: Option<String>,
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html>. `RevisionId` is not here:
/// for layers it is a query member ([`RevisionIdQuery`]). Serializable for the init file (`wire::init`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddLayerVersionPermissionInput {
    pub statement_id: Option<String>,
    pub action: Option<String>,
    pub principal: Option<String>,
    pub organization_id: Option<String>,
}

/// AddLayerVersionPermission's 201 body; the statement is held already escaped for its JSON string.
#[derive(Debug)]
pub struct AddLayerVersionPermissionOutput {
    body: String,
}

impl AddLayerVersionPermissionOutput {
    /// `{"Statement":"<escaped statement>","RevisionId":"<id>"}`, in one allocation of its exact size.
    pub fn new(statement: &crate::domain::policy::StoredStatement, revision_id: &str) -> Self {
        const HEAD: &str = r#"{"Statement":""#;
        const MIDDLE: &str = r#"","RevisionId":""#;
        const TAIL: &str = r#""}"#;
        let escaped = statement.escaped();
        let mut body =
            String::with_capacity(HEAD.len() + escaped.len() + MIDDLE.len() + revision_id.len() + TAIL.len());
        body.push_str(HEAD);
        body.push_str(escaped);
        body.push_str(MIDDLE);
        crate::domain::policy::escape_json_into(&mut body, revision_id);
        body.push_str(TAIL);
        AddLayerVersionPermissionOutput { body }
    }

    pub fn into_body(self) -> String {
        self.body
    }
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersionPolicy.html>
#[derive(Debug)]
pub struct GetLayerVersionPolicyOutput(pub super::permissions::GetPolicyOutput);

impl GetLayerVersionPolicyOutput {
    pub fn into_body(self) -> bytes::Bytes {
        self.0.into_body()
    }
}

/// `?RevisionId=` of AddLayerVersionPermission and RemoveLayerVersionPermission.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevisionIdQuery {
    pub revision_id: Option<String>,
}
