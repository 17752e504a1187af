//! Function permission routes (SPEC §8).
//!
//! Each handler validates and builds what it can before taking the store's lock (`prepare_*`), then makes exactly one
//! store call (`apply_*`) in which every lookup, the RevisionId check and the mutation happen together.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Method;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::on;

use super::extract::{AwsJson, AwsPath, AwsQuery, Caller};
use super::routes::Route;
use crate::error::Error;
use crate::service::permissions;
use crate::wire::dto::functions::QualifierQuery;
use crate::wire::dto::permissions::*;
use crate::wire::{no_content, JsonBody};
use crate::AppState;

pub const ROUTES: &[Route] = &[
    Route::aws(Method::POST, "/2015-03-31/functions/{FunctionName}/policy", "AddPermission", |m| on(m, add_permission)),
    Route::aws(Method::GET, "/2015-03-31/functions/{FunctionName}/policy", "GetPolicy", |m| on(m, get_policy)),
    Route::aws(Method::DELETE, "/2015-03-31/functions/{FunctionName}/policy/{StatementId}", "RemovePermission", |m| {
        on(m, remove_permission)
    }),
];

/// <https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html>
async fn add_permission(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(function_name): AwsPath<String>,
    AwsQuery(q): AwsQuery<QualifierQuery>,
    AwsJson(input): AwsJson<AddPermissionInput>,
) -> Result<JsonBody, Error> {
    let req = permissions::prepare_add_permission(&caller, &function_name, q.qualifier.as_deref(), input)?;
    let out = app.store.write(|s| permissions::apply_add_permission(s, req)).await?;
    Ok(JsonBody(StatusCode::CREATED, out.into_body()))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html>
async fn get_policy(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(function_name): AwsPath<String>,
    AwsQuery(q): AwsQuery<QualifierQuery>,
) -> Result<JsonBody<Bytes>, Error> {
    let target = permissions::prepare_get_policy(&caller, &function_name, q.qualifier.as_deref())?;
    let out = app.store.read(|s| permissions::apply_get_policy(s, &target)).await?;
    Ok(JsonBody(StatusCode::OK, out.into_body()))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_RemovePermission.html>
async fn remove_permission(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((function_name, statement_id)): AwsPath<(String, String)>,
    AwsQuery(q): AwsQuery<RemovePermissionQuery>,
) -> Result<Response, Error> {
    let req = permissions::prepare_remove_permission(&caller, &function_name, statement_id, q)?;
    app.store.write(|s| permissions::apply_remove_permission(s, req)).await?;
    Ok(no_content())
}
