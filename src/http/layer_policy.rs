//! Layer permission routes (SPEC §9). `RevisionId` is a query member on these routes, not a body member.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use axum::Router;

use super::extract::{AwsJson, AwsPath, AwsQuery, Caller};
use crate::error::Error;
use crate::service::layer_permissions;
use crate::wire::dto::layers::*;
use crate::wire::{no_content, JsonResponse};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/2018-10-31/layers/{layer_name}/versions/{version_number}/policy",
            get(get_layer_version_policy).post(add_layer_version_permission),
        )
        .route(
            "/2018-10-31/layers/{layer_name}/versions/{version_number}/policy/{statement_id}",
            delete(remove_layer_version_permission),
        )
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html>
async fn add_layer_version_permission(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((layer_name, version_number)): AwsPath<(String, String)>,
    AwsQuery(q): AwsQuery<RevisionIdQuery>,
    AwsJson(input): AwsJson<AddLayerVersionPermissionInput>,
) -> Result<JsonResponse<AddLayerVersionPermissionOutput>, Error> {
    let out = app
        .store
        .write(|s| {
            layer_permissions::add_layer_version_permission(
                s,
                &caller,
                &layer_name,
                &version_number,
                q.revision_id.as_deref(),
                input,
            )
        })
        .await?;
    Ok(JsonResponse(StatusCode::CREATED, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersionPolicy.html>
async fn get_layer_version_policy(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((layer_name, version_number)): AwsPath<(String, String)>,
) -> Result<JsonResponse<GetLayerVersionPolicyOutput>, Error> {
    let out = app
        .store
        .read(|s| layer_permissions::get_layer_version_policy(s, &caller, &layer_name, &version_number))
        .await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_RemoveLayerVersionPermission.html>
async fn remove_layer_version_permission(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((layer_name, version_number, statement_id)): AwsPath<(String, String, String)>,
    AwsQuery(q): AwsQuery<RevisionIdQuery>,
) -> Result<Response, Error> {
    app.store
        .write(|s| {
            layer_permissions::remove_layer_version_permission(
                s,
                &caller,
                &layer_name,
                &version_number,
                &statement_id,
                q.revision_id.as_deref(),
            )
        })
        .await?;
    Ok(no_content())
}
