//! Layer permission routes (SPEC §9). `RevisionId` is a query member on these routes, not a body member.
//!
//! Validation and the statement are built before the store's lock (`prepare_*`); lookup, RevisionId check and
//! mutation then happen in one store call (`apply_*`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Method;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::on;

use super::extract::{AwsJson, AwsPath, AwsQuery, Caller};
use super::routes::Route;
use crate::error::Error;
use crate::service::layer_permissions;
use crate::wire::dto::layers::*;
use crate::wire::{no_content, JsonBody};
use crate::AppState;

const POLICY: &str = "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy";

pub const ROUTES: &[Route] = &[
    Route::aws(Method::POST, POLICY, "AddLayerVersionPermission", |m| on(m, add_layer_version_permission)),
    Route::aws(Method::GET, POLICY, "GetLayerVersionPolicy", |m| on(m, get_layer_version_policy)),
    Route::aws(
        Method::DELETE,
        "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}",
        "RemoveLayerVersionPermission",
        |m| on(m, remove_layer_version_permission),
    ),
];

/// <https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html>
async fn add_layer_version_permission(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((layer_name, version_number)): AwsPath<(String, String)>,
    AwsQuery(q): AwsQuery<RevisionIdQuery>,
    AwsJson(input): AwsJson<AddLayerVersionPermissionInput>,
) -> Result<JsonBody, Error> {
    let req = layer_permissions::prepare_add_layer_version_permission(
        &caller,
        &layer_name,
        &version_number,
        q.revision_id,
        input,
    )?;
    let out = app.store.write(|s| layer_permissions::apply_add_layer_version_permission(s, req)).await?;
    Ok(JsonBody(StatusCode::CREATED, out.into_body()))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersionPolicy.html>
async fn get_layer_version_policy(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((layer_name, version_number)): AwsPath<(String, String)>,
) -> Result<JsonBody<Bytes>, Error> {
    let target = layer_permissions::prepare_get_layer_version_policy(&caller, &layer_name, &version_number)?;
    let out = app.store.read(|s| layer_permissions::apply_get_layer_version_policy(s, &target)).await?;
    Ok(JsonBody(StatusCode::OK, out.into_body()))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_RemoveLayerVersionPermission.html>
async fn remove_layer_version_permission(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((layer_name, version_number, statement_id)): AwsPath<(String, String, String)>,
    AwsQuery(q): AwsQuery<RevisionIdQuery>,
) -> Result<Response, Error> {
    let req = layer_permissions::prepare_remove_layer_version_permission(
        &caller,
        &layer_name,
        &version_number,
        statement_id,
        q.revision_id,
    )?;
    app.store.write(|s| layer_permissions::apply_remove_layer_version_permission(s, req)).await?;
    Ok(no_content())
}
