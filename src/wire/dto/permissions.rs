//! Function permissions.
//! <https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html>

use serde::Deserialize;

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

/// AddPermission's 201 body. The statement is held already escaped for its JSON string (see
/// `domain::policy::StoredStatement`), so the body is assembled, not serialized.
#[derive(Debug)]
pub struct AddPermissionOutput {
    pub statement_escaped: String,
}

impl AddPermissionOutput {
    pub fn into_body(self) -> String {
        format!(r#"{{"Statement":"{}"}}"#, self.statement_escaped)
    }
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html>: the document is held already escaped.
#[derive(Debug)]
pub struct GetPolicyOutput {
    pub policy_escaped: String,
    pub revision_id: String,
}

impl GetPolicyOutput {
    pub fn into_body(self) -> String {
        let mut body = self.policy_escaped;
        body.insert_str(0, r#"{"Policy":""#);
        body.push_str(r#"","RevisionId":""#);
        crate::domain::policy::escape_json_into(&mut body, &self.revision_id);
        body.push_str(r#""}"#);
        body
    }
}

/// RemovePermission's query.
#[derive(Debug, Default, Deserialize)]
pub struct RemovePermissionQuery {
    #[serde(rename = "Qualifier")]
    pub qualifier: Option<String>,
    #[serde(rename = "RevisionId")]
    pub revision_id: Option<String>,
}
