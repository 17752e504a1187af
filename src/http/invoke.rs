//! Invoke, which lambdalite answers only as a dry run: the function exists and the caller may invoke it (see
//! `service::enforce::invoke`). The payload is never read: no code runs.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::Method;
use axum::response::Response;
use axum::routing::on;

use super::extract::{AwsPath, AwsQuery, Caller};
use super::routes::Route;
use crate::error::Error;
use crate::service::enforce;
use crate::wire::dto::functions::QualifierQuery;
use crate::wire::no_content;
use crate::AppState;

pub const ROUTES: &[Route] =
    &[Route::aws(Method::POST, "/2015-03-31/functions/{FunctionName}/invocations", "Invoke", |m| on(m, invoke))];

/// <https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html>: 204 for an allowed `DryRun`.
async fn invoke(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(function_name): AwsPath<String>,
    AwsQuery(q): AwsQuery<QualifierQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    // A header that is not text cannot be one of the enum's values; it is reported as given, lossily.
    let invocation_type =
        headers.get("x-amz-invocation-type").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    app.store
        .read(|s| enforce::invoke(s, &caller, &function_name, q.qualifier.as_deref(), invocation_type.as_deref()))
        .await?;
    Ok(no_content())
}
