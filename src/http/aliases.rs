//! Alias routes (SPEC §11).

use axum::extract::State;
use axum::http::Method;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::on;

use super::extract::{AwsJson, AwsPath, AwsQuery, Caller};
use super::routes::Route;
use crate::error::Error;
use crate::service::aliases;
use crate::wire::dto::aliases::*;
use crate::wire::{no_content, JsonResponse};
use crate::AppState;

pub const ROUTES: &[Route] = &[
    Route::aws(Method::POST, "/2015-03-31/functions/{FunctionName}/aliases", "CreateAlias", |m| on(m, create_alias)),
    Route::aws(Method::GET, "/2015-03-31/functions/{FunctionName}/aliases", "ListAliases", |m| on(m, list_aliases)),
    Route::aws(Method::GET, "/2015-03-31/functions/{FunctionName}/aliases/{Name}", "GetAlias", |m| on(m, get_alias)),
    Route::aws(Method::PUT, "/2015-03-31/functions/{FunctionName}/aliases/{Name}", "UpdateAlias", |m| {
        on(m, update_alias)
    }),
    Route::aws(Method::DELETE, "/2015-03-31/functions/{FunctionName}/aliases/{Name}", "DeleteAlias", |m| {
        on(m, delete_alias)
    }),
];

/// <https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html>
async fn create_alias(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(function_name): AwsPath<String>,
    AwsJson(input): AwsJson<CreateAliasInput>,
) -> Result<JsonResponse<AliasConfiguration>, Error> {
    let out = app.store.write(|s| aliases::create_alias(s, &caller, &function_name, input)).await?;
    Ok(JsonResponse(StatusCode::CREATED, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_GetAlias.html>
async fn get_alias(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((function_name, name)): AwsPath<(String, String)>,
) -> Result<JsonResponse<AliasConfiguration>, Error> {
    let out = app.store.read(|s| aliases::get_alias(s, &caller, &function_name, &name)).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html>
async fn update_alias(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((function_name, name)): AwsPath<(String, String)>,
    AwsJson(input): AwsJson<UpdateAliasInput>,
) -> Result<JsonResponse<AliasConfiguration>, Error> {
    let out = app.store.write(|s| aliases::update_alias(s, &caller, &function_name, &name, input)).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_DeleteAlias.html>
async fn delete_alias(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath((function_name, name)): AwsPath<(String, String)>,
) -> Result<Response, Error> {
    app.store.write(|s| aliases::delete_alias(s, &caller, &function_name, &name)).await?;
    Ok(no_content())
}

/// <https://docs.aws.amazon.com/lambda/latest/api/API_ListAliases.html>
async fn list_aliases(
    State(app): State<AppState>,
    Caller(caller): Caller,
    AwsPath(function_name): AwsPath<String>,
    AwsQuery(q): AwsQuery<ListAliasesQuery>,
) -> Result<JsonResponse<ListAliasesOutput>, Error> {
    let out = app.store.read(|s| aliases::list_aliases(s, &caller, &function_name, q)).await?;
    Ok(JsonResponse(StatusCode::OK, out))
}
