//! Layer routes (SPEC §12), and the download route that `Content.Location` points at.
//!
//! `GET /2018-10-31/layers` is two operations: GetLayerVersionByArn when the query says `find=LayerVersion`,
//! ListLayers otherwise. One handler dispatches on `find`, since axum routes on the path alone.

use axum::extract::State;
use axum::http::Method;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::on;

use super::extract::{AwsJson, AwsPath, AwsQuery, Caller};
use super::routes::Route;
use crate::domain::arn::Scope;
use crate::error::Error;
use crate::service::layers;
use crate::wire::dto::layers::*;
use crate::wire::{no_content, JsonResponse};
use crate::AppState;

pub const ROUTES: &[Route] = &[
    Route::aws(Method::GET, "/2018-10-31/layers", "ListLayers", |m| on(m, list_layers_or_find)),
    Route::aws_by_query(Method::GET, "/2018-10-31/layers?find=LayerVersion", "GetLayerVersionByArn"),
    Route::aws(Method::POST, "/2018-10-31/layers/{LayerName}/versions", "PublishLayerVersion", |m| {
        on(m, publish_layer_version)
    }),
    Route::aws(Method::GET, "/2018-10-31/layers/{LayerName}/versions", "ListLayerVersions", |m| {
        on(m, list_layer_versions)
    }),
    Route::aws(Method::GET, "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}", "GetLayerVersion", |m| {
        on(m, get_layer_version)
    }),
    Route::aws(Method::DELETE, "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}", "DeleteLayerVersion", |m| {
        on(m, delete_layer_version)
    }),
    Route::unnamed(Method::GET, "/_lambdalite/layer-code/{account}/{region}/{layer_name}/{version}", |m| {
        on(m, download_layer_code)
    }),
];

/// The URL prefix clients reached us at, for `Content.Location`.
fn code_base(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}")
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_ListLayers.html> and
/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersionByArn.html>
async fn list_layers_or_find(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsQuery(q): AwsQuery<ListLayersQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    if q.find.as_deref() == Some("LayerVersion") {
        let base = code_base(&headers);
        let out = app.store.read(|s| layers::get_layer_version_by_arn(s, &caller, q.arn.as_deref(), &base)).await?;
        return Ok(JsonResponse(StatusCode::OK, out).into_response());
    }
    let out = app.store.read(|s| layers::list_layers(s, &caller, &q)).await?;
    Ok(JsonResponse(StatusCode::OK, out).into_response())
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html>
async fn publish_layer_version(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(layer_name): AwsPath<String>,
    headers: HeaderMap,
    AwsJson(input): AwsJson<PublishLayerVersionInput>,
) -> Result<JsonResponse<GetLayerVersionOutput>, Error> {
    let base = code_base(&headers);
    // Validation, base64 decoding and hashing need no state; off the runtime threads and outside the lock.
    let prepared =
        tokio::task::spawn_blocking(move || layers::prepare_publish_layer_version(&caller, &layer_name, input))
            .await
            .map_err(|e| Error::ServiceException(format!("layer content preparation failed: {e}")))??;
    let out = app.store.write(|s| layers::apply_publish_layer_version(s, prepared, &base)).await?;
    Ok(JsonResponse(StatusCode::CREATED, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_ListLayerVersions.html>
async fn list_layer_versions(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(layer_name): AwsPath<String>,
    AwsQuery(q): AwsQuery<ListLayerVersionsQuery>,
) -> Result<JsonResponse<ListLayerVersionsOutput>, Error> {
    let out = app.store.read(|s| layers::list_layer_versions(s, &caller, &layer_name, &q)).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersion.html>
async fn get_layer_version(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((layer_name, version_number)): AwsPath<(String, String)>,
    headers: HeaderMap,
) -> Result<JsonResponse<GetLayerVersionOutput>, Error> {
    let base = code_base(&headers);
    let out = app.store.read(|s| layers::get_layer_version(s, &caller, &layer_name, &version_number, &base)).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_DeleteLayerVersion.html>
async fn delete_layer_version(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((layer_name, version_number)): AwsPath<(String, String)>,
) -> Result<Response, Error> {
    app.store.write(|s| layers::delete_layer_version(s, &caller, &layer_name, &version_number)).await?;
    Ok(no_content())
}

/// `GET /_lambdalite/layer-code/{account}/{region}/{layer}/{version}`: the stored zip `Content.Location` names.
async fn download_layer_code(
    State(app): State<AppState>,
    AwsPath((account, region, layer_name, version)): AwsPath<(String, String, String, String)>,
) -> Response {
    let scope = Scope::new(account, region);
    match app.store.read(|s| layers::layer_code_bytes(s, &scope, &layer_name, &version)).await {
        Some(bytes) => ([(header::CONTENT_TYPE, "application/zip")], bytes.to_vec()).into_response(),
        None => Error::not_found(layers::RESOURCE_NOT_FOUND).into_response(),
    }
}
