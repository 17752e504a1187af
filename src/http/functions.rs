//! Function and version routes (SPEC §10).

use axum::extract::State;
use axum::http::Method;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::on;

use super::extract::{AwsJson, AwsPath, AwsQuery, Caller};
use super::routes::Route;
use crate::error::Error;
use crate::service::functions;
use crate::wire::dto::functions::*;
use crate::wire::{no_content, JsonResponse};
use crate::AppState;

pub const ROUTES: &[Route] = &[
    Route::aws(Method::POST, "/2015-03-31/functions", "CreateFunction", |m| on(m, create_function)),
    Route::aws(Method::GET, "/2015-03-31/functions", "ListFunctions", |m| on(m, list_functions)),
    Route::aws(Method::GET, "/2015-03-31/functions/{FunctionName}", "GetFunction", |m| on(m, get_function)),
    Route::aws(Method::DELETE, "/2015-03-31/functions/{FunctionName}", "DeleteFunction", |m| on(m, delete_function)),
    Route::aws(Method::GET, "/2015-03-31/functions/{FunctionName}/configuration", "GetFunctionConfiguration", |m| {
        on(m, get_function_configuration)
    }),
    Route::aws(Method::PUT, "/2015-03-31/functions/{FunctionName}/configuration", "UpdateFunctionConfiguration", |m| {
        on(m, update_function_configuration)
    }),
    Route::aws(Method::PUT, "/2015-03-31/functions/{FunctionName}/code", "UpdateFunctionCode", |m| {
        on(m, update_function_code)
    }),
    Route::aws(Method::POST, "/2015-03-31/functions/{FunctionName}/versions", "PublishVersion", |m| {
        on(m, publish_version)
    }),
    Route::aws(Method::GET, "/2015-03-31/functions/{FunctionName}/versions", "ListVersionsByFunction", |m| {
        on(m, list_versions_by_function)
    }),
    Route::unnamed(Method::GET, "/_lambdalite/code/{account}/{region}/{function_name}/{version}", |m| {
        on(m, download_code)
    }),
];

/// The URL prefix clients reached us at, for `Code.Location`.
fn code_base(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}")
}

/// Decodes, unzips and hashes an uploaded zip on a blocking thread, before the store lock is taken: for a
/// 50 MB upload that is the slowest step of the request, and under the lock it would stall every other request.
async fn prepare_zip(zip_file: Option<String>) -> Result<functions::PreparedZip, Error> {
    if zip_file.is_none() {
        return Ok(None);
    }
    tokio::task::spawn_blocking(move || functions::prepare_zip(zip_file))
        .await
        .map_err(|e| Error::ServiceException(format!("zip preparation failed: {e}")))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html>
async fn create_function(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsJson(mut input): AwsJson<CreateFunctionInput>,
) -> Result<JsonResponse<FunctionConfiguration>, Error> {
    let zip = prepare_zip(input.code.as_mut().and_then(|c| c.zip_file.take())).await?;
    let out = app.store.write(|s| functions::create_function_prepared(s, &caller, input, zip)).await?;
    Ok(JsonResponse(StatusCode::CREATED, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html>
async fn get_function(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(name): AwsPath<String>,
    AwsQuery(q): AwsQuery<QualifierQuery>,
    headers: HeaderMap,
) -> Result<JsonResponse<GetFunctionOutput>, Error> {
    let base = code_base(&headers);
    let out = app.store.read(|s| functions::get_function(s, &caller, &name, q.qualifier.as_deref(), &base)).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html>
async fn get_function_configuration(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(name): AwsPath<String>,
    AwsQuery(q): AwsQuery<QualifierQuery>,
) -> Result<JsonResponse<FunctionConfiguration>, Error> {
    let out =
        app.store.read(|s| functions::get_function_configuration(s, &caller, &name, q.qualifier.as_deref())).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html>
async fn publish_version(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(name): AwsPath<String>,
    AwsJson(input): AwsJson<PublishVersionInput>,
) -> Result<JsonResponse<FunctionConfiguration>, Error> {
    let out = app.store.write(|s| functions::publish_version(s, &caller, &name, input)).await?;
    Ok(JsonResponse(StatusCode::CREATED, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html>
async fn list_functions(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsQuery(q): AwsQuery<ListFunctionsQuery>,
) -> Result<JsonResponse<ListFunctionsOutput>, Error> {
    let out = app.store.read(|s| functions::list_functions(s, &caller, q)).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunction.html>
///
/// The model says 200; AWS answers 204 with an empty body (SPEC §10.5).
async fn delete_function(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(name): AwsPath<String>,
    AwsQuery(q): AwsQuery<QualifierQuery>,
) -> Result<Response, Error> {
    app.store.write(|s| functions::delete_function(s, &caller, &name, q.qualifier.as_deref())).await?;
    Ok(no_content())
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html>
async fn update_function_code(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(name): AwsPath<String>,
    AwsJson(mut input): AwsJson<UpdateFunctionCodeInput>,
) -> Result<JsonResponse<FunctionConfiguration>, Error> {
    let zip = prepare_zip(input.zip_file.take()).await?;
    let out = app.store.write(|s| functions::update_function_code_prepared(s, &caller, &name, input, zip)).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html>
async fn update_function_configuration(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(name): AwsPath<String>,
    AwsJson(input): AwsJson<UpdateFunctionConfigurationInput>,
) -> Result<JsonResponse<FunctionConfiguration>, Error> {
    let out = app.store.write(|s| functions::update_function_configuration(s, &caller, &name, input)).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_ListVersionsByFunction.html>
async fn list_versions_by_function(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(name): AwsPath<String>,
    AwsQuery(q): AwsQuery<PageQuery>,
) -> Result<JsonResponse<ListVersionsByFunctionOutput>, Error> {
    let out = app.store.read(|s| functions::list_versions_by_function(s, &caller, &name, q)).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// `GET /_lambdalite/code/{account}/{region}/{function}/{version}`: the stored zip that `Code.Location` points at.
async fn download_code(
    State(app): State<AppState>,
    AwsPath((account, region, name, version)): AwsPath<(String, String, String, String)>,
) -> Response {
    let scope = crate::domain::arn::Scope::new(account, region);
    match app.store.read(|s| functions::code_bytes(s, &scope, &name, &version)).await {
        Some(bytes) => ([(header::CONTENT_TYPE, "application/zip")], bytes.to_vec()).into_response(),
        None => Error::not_found("The resource you requested does not exist.").into_response(),
    }
}
