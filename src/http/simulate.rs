//! `POST /_lambdalite/simulate`: asks how a resource-based policy decides a request that cannot be signed, such as
//! S3 invoking a function on a bucket's behalf (see `service::enforce::simulate`).
//!
//! Request: `{"Principal":"s3.amazonaws.com","Action":"lambda:InvokeFunction","Resource":"<function ARN, qualified
//! or not, or layer version ARN>","Context":{"aws:SourceArn":"...","aws:SourceAccount":"..."}}`. `Principal` is a
//! service principal, a 12-digit account or an IAM ARN; `Context` values are strings (or booleans).
//!
//! Response 200: `{"Decision":"Allow","Basis":"ResourcePolicy","MatchedStatement":"<sid>","Context":{...}}`, or
//! `{"Decision":"Deny","Reason":"...","Statements":[{"Sid":"...","Result":"ConditionFailed","Detail":"..."}],
//! "Context":{...}}`. Members without a value are omitted. Bad input gets AWS-shaped errors.

use axum::extract::State;
use axum::http::Method;
use axum::http::StatusCode;
use axum::routing::on;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::extract::AwsJson;
use super::routes::Route;
use crate::domain::evaluate::Context;
use crate::error::Error;
use crate::service::enforce;
use crate::wire::JsonResponse;
use crate::AppState;

/// The condition keys a simulation may set, in the spelling the response echoes. Other keys are accepted too
/// (IAM evaluates whatever a statement names), but these are the ones Lambda's statements use.
const KNOWN_KEYS: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalAccount",
    "lambda:FunctionUrlAuthType",
    "lambda:EventSourceToken",
    "lambda:InvokedViaFunctionUrl",
];

pub const ROUTES: &[Route] =
    &[Route::admin(Method::POST, "/_lambdalite/simulate", "Lambdalite.Simulate", |m| on(m, simulate))];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SimulateInput {
    principal: Option<String>,
    action: Option<String>,
    resource: Option<String>,
    #[serde(default)]
    context: IndexMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct SimulateOutput {
    decision: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    matched_statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    statements: Vec<StatementResult>,
    context: IndexMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct StatementResult {
    sid: String,
    result: &'static str,
    detail: String,
}

async fn simulate(
    State(app): State<AppState>,
    AwsJson(input): AwsJson<SimulateInput>,
) -> Result<JsonResponse<SimulateOutput>, Error> {
    let mut context = Context::new();
    let mut echoed = IndexMap::new();
    for (key, value) in &input.context {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => {
                return Err(Error::invalid(format!(
                    "Context value of {key} must be a string or a boolean, got {value}"
                )))
            }
        };
        context.insert(key, text.clone());
        echoed.insert(key.clone(), text);
    }
    let sim = app
        .store
        .read(|s| {
            enforce::simulate(
                s,
                input.principal.as_deref(),
                input.action.as_deref(),
                input.resource.as_deref(),
                context,
            )
        })
        .await?;
    // Keys the evaluation added (the principal's organization and account) are echoed in their usual spelling.
    for key in KNOWN_KEYS {
        if let (false, Some(v)) = (echoed.keys().any(|k| k.eq_ignore_ascii_case(key)), sim.context.get(key)) {
            echoed.insert((*key).to_owned(), v.to_owned());
        }
    }
    let out = SimulateOutput {
        decision: if sim.allowed { "Allow" } else { "Deny" },
        basis: sim.basis,
        matched_statement: sim.matched_statement,
        reason: sim.reason,
        statements: sim
            .statements
            .into_iter()
            .map(|(sid, m)| StatementResult { sid, result: m.kind(), detail: m.to_string() })
            .collect(),
        context: echoed,
    };
    Ok(JsonResponse(StatusCode::OK, out))
}
