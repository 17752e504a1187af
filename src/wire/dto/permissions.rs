//! Function permissions.
//! <https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html>

use serde::{Deserialize, Serialize};

/// <https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html>
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddPermissionInput {
    pub statement_id: Option<String>,
    pub action: Option<String>,
    pub principal: Option<String>,
    pub source_arn: Option<String>,
    pub source_account: Option<String>,
    pub event_source_token: Option<String>,
    pub revision_id: Option<String>,
    #[serde(rename = "PrincipalOrgID")]
    pub principal_org_id: Option<String>,
    pub function_url_auth_type: Option<String>,
    pub invoked_via_function_url: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddPermissionOutput {
    pub statement: String,
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html>
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPolicyOutput {
    pub policy: String,
    pub revision_id: String,
}

/// RemovePermission's query.
#[derive(Debug, Default, Deserialize)]
pub struct RemovePermissionQuery {
    #[serde(rename = "Qualifier")]
    pub qualifier: Option<String>,
    #[serde(rename = "RevisionId")]
    pub revision_id: Option<String>,
}
