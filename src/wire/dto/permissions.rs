//! Function permissions.
//! <https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html>

use serde::{Deserialize, Serialize};

use bytes::Bytes;

use crate::domain::policy::{Policy, StoredStatement};

/// <https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html>. Serializable for the init file's
/// permissions (`wire::init`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
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

/// AddPermission's 201 body. The statement is held already escaped for its JSON string (see
/// `domain::policy::StoredStatement`), so the body is assembled, not serialized.
#[derive(Debug)]
pub struct AddPermissionOutput {
    body: String,
}

impl AddPermissionOutput {
    pub fn into_body(self) -> String {
        self.body
    }

    /// `{"Statement":"<escaped statement>"}`, in one allocation of its exact size.
    pub fn new(statement: &StoredStatement) -> Self {
        const HEAD: &str = r#"{"Statement":""#;
        const TAIL: &str = r#""}"#;
        let escaped = statement.escaped();
        let mut body = String::with_capacity(HEAD.len() + escaped.len() + TAIL.len());
        body.push_str(HEAD);
        body.push_str(escaped);
        body.push_str(TAIL);
        AddPermissionOutput { body }
    }
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html>: the body, which the policy holds ready
/// (`{"Policy":"<escaped document>","RevisionId":"<id>"}`) and shares.
#[derive(Debug)]
pub struct GetPolicyOutput {
    body: Bytes,
}

impl GetPolicyOutput {
    pub fn new(policy: &Policy) -> Self {
        GetPolicyOutput { body: policy.body() }
    }

    pub fn into_body(self) -> Bytes {
        self.body
    }
}

/// RemovePermission's query.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemovePermissionQuery {
    pub qualifier: Option<String>,
    pub revision_id: Option<String>,
}
