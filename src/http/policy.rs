//! Function permission routes (SPEC §8).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use axum::Router;

use super::extract::{AwsJson, AwsPath, AwsQuery, Caller};
use crate::error::Error;
use crate::service::permissions;
use crate::wire::dto::functions::QualifierQuery;
use crate::wire::dto::permissions::*;
use crate::wire::{no_content, JsonResponse};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/2015-03-31/functions/{function_name}/policy", get(get_policy).post(add_permission))
        .route("/2015-03-31/functions/{function_name}/policy/{statement_id}", delete(remove_permission))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html>
async fn add_permission(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(function_name): AwsPath<String>,
    AwsQuery(q): AwsQuery<QualifierQuery>,
    AwsJson(input): AwsJson<AddPermissionInput>,
) -> Result<JsonResponse<AddPermissionOutput>, Error> {
    let out = app
        .store
        .write(|s| permissions::add_permission(s, &caller, &function_name, q.qualifier.as_deref(), input))
        .await?;
    Ok(JsonResponse(StatusCode::CREATED, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html>
async fn get_policy(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(function_name): AwsPath<String>,
    AwsQuery(q): AwsQuery<QualifierQuery>,
) -> Result<JsonResponse<GetPolicyOutput>, Error> {
    let out = app.store.read(|s| permissions::get_policy(s, &caller, &function_name, q.qualifier.as_deref())).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_RemovePermission.html>
async fn remove_permission(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((function_name, statement_id)): AwsPath<(String, String)>,
    AwsQuery(q): AwsQuery<RemovePermissionQuery>,
) -> Result<Response, Error> {
    app.store.write(|s| permissions::remove_permission(s, &caller, &function_name, &statement_id, q)).await?;
    Ok(no_content())
}
