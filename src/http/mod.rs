//! HTTP: axum only. One file per resource family, each with its own `router()`; this module merges them, names
//! every operation, answers unknown routes in AWS shape, and adds the request-id, logging and panic layers.

pub mod admin;
pub mod aliases;
pub mod auth;
pub mod envelope;
pub mod extract;
pub mod functions;
pub mod invoke;
pub mod layer_policy;
pub mod layers;
pub mod paths;
pub mod policy;
pub mod simulate;
pub mod ui;

use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower::Layer;
use tower_http::request_id::RequestId;

use crate::config::AuthMode;
use crate::error::Error;
use crate::wire::error::ErrorCode;
use crate::AppState;

/// AWS operation names by method and route, for logs and messages.
const OPERATIONS: &[(Method, &str, &str)] = &[
    (Method::POST, "/2015-03-31/functions", "CreateFunction"),
    (Method::GET, "/2015-03-31/functions", "ListFunctions"),
    (Method::GET, "/2015-03-31/functions/{function_name}", "GetFunction"),
    (Method::DELETE, "/2015-03-31/functions/{function_name}", "DeleteFunction"),
    (Method::GET, "/2015-03-31/functions/{function_name}/configuration", "GetFunctionConfiguration"),
    (Method::PUT, "/2015-03-31/functions/{function_name}/configuration", "UpdateFunctionConfiguration"),
    (Method::PUT, "/2015-03-31/functions/{function_name}/code", "UpdateFunctionCode"),
    (Method::POST, "/2015-03-31/functions/{function_name}/versions", "PublishVersion"),
    (Method::GET, "/2015-03-31/functions/{function_name}/versions", "ListVersionsByFunction"),
    (Method::POST, "/2015-03-31/functions/{function_name}/aliases", "CreateAlias"),
    (Method::GET, "/2015-03-31/functions/{function_name}/aliases", "ListAliases"),
    (Method::GET, "/2015-03-31/functions/{function_name}/aliases/{name}", "GetAlias"),
    (Method::PUT, "/2015-03-31/functions/{function_name}/aliases/{name}", "UpdateAlias"),
    (Method::DELETE, "/2015-03-31/functions/{function_name}/aliases/{name}", "DeleteAlias"),
    (Method::POST, "/2015-03-31/functions/{function_name}/policy", "AddPermission"),
    (Method::GET, "/2015-03-31/functions/{function_name}/policy", "GetPolicy"),
    (Method::DELETE, "/2015-03-31/functions/{function_name}/policy/{statement_id}", "RemovePermission"),
    (Method::POST, "/2015-03-31/functions/{function_name}/invocations", "Invoke"),
    (Method::GET, "/2018-10-31/layers", "ListLayers"),
    (Method::POST, "/2018-10-31/layers/{layer_name}/versions", "PublishLayerVersion"),
    (Method::GET, "/2018-10-31/layers/{layer_name}/versions", "ListLayerVersions"),
    (Method::GET, "/2018-10-31/layers/{layer_name}/versions/{version_number}", "GetLayerVersion"),
    (Method::DELETE, "/2018-10-31/layers/{layer_name}/versions/{version_number}", "DeleteLayerVersion"),
    (Method::POST, "/2018-10-31/layers/{layer_name}/versions/{version_number}/policy", "AddLayerVersionPermission"),
    (Method::GET, "/2018-10-31/layers/{layer_name}/versions/{version_number}/policy", "GetLayerVersionPolicy"),
    (
        Method::DELETE,
        "/2018-10-31/layers/{layer_name}/versions/{version_number}/policy/{statement_id}",
        "RemoveLayerVersionPermission",
    ),
];

/// Names for lambdalite's own routes in the request log; they are not AWS operations, hence the prefix.
const ADMIN_OPERATIONS: &[(Method, &str, &str)] = &[
    (Method::GET, "/_lambdalite/health", "Lambdalite.Health"),
    (Method::POST, "/_lambdalite/reset", "Lambdalite.Reset"),
    (Method::GET, "/_lambdalite/state", "Lambdalite.State"),
    (Method::GET, "/_lambdalite/", "Lambdalite.StatePage"),
    (Method::GET, "/_lambdalite", "Lambdalite.StatePage"),
    (Method::POST, "/_lambdalite/simulate", "Lambdalite.Simulate"),
];

/// The AWS operation name of a matched route (`GetLayerVersionByArn` shares ListLayers' path).
pub fn operation_name(method: &Method, matched_path: &str) -> &'static str {
    OPERATIONS.iter().find(|(m, p, _)| m == method && *p == matched_path).map(|(_, _, op)| *op).unwrap_or("Unknown")
}

/// The whole service: AWS routes, admin routes, fallbacks and layers.
///
/// Only what needs the matched route (the request log, strict authentication) is a route layer: `Router::layer`
/// wraps every route separately and each layer costs allocations on every request. Everything else (request id,
/// panics, the body limit) wraps the finished router once, in the same order as before: request id outermost, then
/// panics, then the request log.
pub fn router(state: AppState) -> Router {
    let mut routes = Router::new();
    if state.config.test_panic_route {
        routes = routes.route("/_lambdalite/test/panic", axum::routing::get(test_panic));
    }
    let routes = routes
        .merge(functions::router())
        .merge(aliases::router())
        .merge(policy::router())
        .merge(layers::router())
        .merge(layer_policy::router())
        .merge(admin::router())
        .merge(invoke::router())
        .merge(simulate::router())
        .merge(ui::router())
        .fallback(unknown_operation)
        .method_not_allowed_fallback(unknown_operation);
    // Installed only in strict mode, so the default mode pays nothing for it. Inside the log layer so refusals are
    // logged with their code.
    let routes = match state.config.auth {
        AuthMode::Sigv4 => routes.layer(middleware::from_fn_with_state(state.clone(), auth::authenticate)),
        AuthMode::None => routes,
    };
    // The filter is set before the app is built (main.rs) and never reloaded, so when request lines are filtered
    // out now (the benchmark's RUST_LOG=warn, for one) they always will be, and the layer is left out altogether.
    let log = tracing::enabled!(target: "lambdalite::request", tracing::Level::INFO);
    let routes = if log { routes.layer(middleware::from_fn_with_state(state.clone(), log_request)) } else { routes };
    let inner = routes.with_state(state);
    let inner = envelope::EnvelopeLayer { request_id_extension: log }
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES).layer(inner));
    Router::new().fallback_service(inner)
}

/// Behind the hidden `--test-panic-route` flag only: lets tests prove a panicking handler becomes a 500
/// ServiceException and the server keeps serving.
async fn test_panic() -> Error {
    panic!("test panic requested through /_lambdalite/test/panic")
}

async fn unknown_operation() -> Error {
    Error::UnknownOperationException
}

/// One log line per request: operation, caller account and region, status, AWS error code, latency and request id.
async fn log_request(State(app): State<AppState>, request: Request, next: Next) -> Response {
    // Nothing to gather when the line would be filtered out (the benchmark's RUST_LOG=warn, for one).
    if !tracing::enabled!(target: "lambdalite::request", tracing::Level::INFO) {
        return next.run(request).await;
    }
    let start = Instant::now();
    let method = request.method().clone();
    let operation = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| {
            let aws = operation_name(&method, p.as_str());
            if aws != "Unknown" {
                return aws;
            }
            ADMIN_OPERATIONS.iter().find(|(m, r, _)| *m == method && *r == p.as_str()).map_or(aws, |(_, _, op)| *op)
        })
        .unwrap_or("Unknown");
    // The same resolution the handlers' `Caller` does, so the line names the namespace the request touched.
    let scope = extract::caller_scope(request.headers(), &app.config);
    let request_id =
        request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("").to_owned();
    let uri = request.uri().path().to_owned();
    let response = next.run(request).await;
    let error = response.extensions().get::<ErrorCode>().map(|c| c.0).unwrap_or("");
    tracing::info!(
        target: "lambdalite::request",
        operation,
        account = %scope.account,
        region = %scope.region,
        %method,
        path = %uri,
        status = response.status().as_u16(),
        error,
        latency_us = start.elapsed().as_micros() as u64,
        request_id = %request_id,
        "request"
    );
    response
}
