//! HTTP: axum only. One file per resource family, each with its own `router()`; this module merges them, names
//! every operation, answers unknown routes in AWS shape, and adds the request-id, logging and panic layers.

pub mod admin;
pub mod aliases;
pub mod auth;
pub mod envelope;
pub mod extract;
#[cfg(feature = "failpoints")]
pub mod failpoints;
pub mod functions;
pub mod invoke;
pub mod layer_policy;
pub mod layers;
pub mod paths;
pub mod policy;
pub mod simulate;
pub mod ui;

use std::sync::LazyLock;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::middleware;
use axum::Router;
use tower::Layer;

use crate::config::AuthMode;
use crate::error::Error;
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

/// The request log's name for a request: the operation (or admin route) of [`OPERATIONS`] and [`ADMIN_OPERATIONS`]
/// whose route matches `path` with `method`, or "Unknown". The same name the router's `MatchedPath` gives, found
/// without being inside the router: the log is written by the envelope that wraps the router once (a route layer
/// would be boxed and cloned around every route), and this lookup runs only when the line is written. The routes
/// go into a [`matchit`] router, the matcher axum itself uses, so a path matches here exactly when it does there.
pub fn logged_operation(method: &Method, path: &str) -> &'static str {
    let Ok(matched) = ROUTE_NAMES.at(path) else { return "Unknown" };
    matched.value.iter().find(|(m, _)| m == method).map_or("Unknown", |(_, op)| *op)
}

/// The routes of the two tables, each with its operations by method. Built on first use (see [`router`]).
static ROUTE_NAMES: LazyLock<matchit::Router<Vec<(Method, &'static str)>>> = LazyLock::new(|| {
    let mut by_route: Vec<(&str, Vec<(Method, &'static str)>)> = Vec::new();
    for (method, route, op) in OPERATIONS.iter().chain(ADMIN_OPERATIONS) {
        match by_route.iter_mut().find(|(r, _)| r == route) {
            Some((_, ops)) => ops.push((method.clone(), *op)),
            None => by_route.push((route, vec![(method.clone(), *op)])),
        }
    }
    let mut names = matchit::Router::new();
    for (route, ops) in by_route {
        names.insert(route, ops).expect("the operation tables hold routes axum accepted");
    }
    names
});

/// The whole service: AWS routes, admin routes, fallbacks and layers.
///
/// Only what needs the matched route (strict authentication) is a route layer: `Router::layer` wraps every route
/// separately and each layer costs allocations on every request. Everything else (request id, panics, the request
/// log, the body limit) wraps the finished router once, in [`envelope::Envelope`].
pub fn router(state: AppState) -> Router {
    envelop(routes(state.clone()), state)
}

/// What the server runs: [`router`]'s service without the outer `Router`, which cost a second routing step and a
/// boxed-service clone per request (about 1,000 instructions).
pub fn service(state: AppState) -> Enveloped {
    enveloped(routes(state.clone()), state)
}

/// The envelope around the routes (with their state) under the body limit: what the server runs.
pub type Enveloped = envelope::Envelope<<DefaultBodyLimit as Layer<Router>>::Service>;

/// `routes` with their state, the body limit and the envelope.
fn envelop(routes: Router<AppState>, state: AppState) -> Router {
    Router::new().fallback_service(enveloped(routes, state))
}

fn enveloped(routes: Router<AppState>, state: AppState) -> Enveloped {
    // The filter is set before the app is built (main.rs) and never reloaded, so when request lines are filtered
    // out now (the benchmark's RUST_LOG=warn, for one) they always will be, and the envelope gathers nothing.
    let log = tracing::enabled!(target: "lambdalite::request", tracing::Level::INFO);
    if log {
        LazyLock::force(&ROUTE_NAMES);
    }
    let inner = routes.with_state(state.clone());
    envelope::EnvelopeLayer { log: log.then(|| state.config.clone()) }
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES).layer(inner))
}

/// Every route, fallback and route layer: what [`router`] wraps in the envelope.
fn routes(state: AppState) -> Router<AppState> {
    let mut routes = Router::new();
    if state.config.test_panic_route {
        routes = routes.route("/_lambdalite/test/panic", axum::routing::get(test_panic));
    }
    #[cfg(feature = "failpoints")]
    let routes = routes.merge(failpoints::router());
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
    // Installed only in strict mode, so the default mode pays nothing for it. Inside the envelope, so refusals are
    // logged with their code.
    match state.config.auth {
        AuthMode::Sigv4 => routes.layer(middleware::from_fn_with_state(state, auth::authenticate)),
        AuthMode::None => routes,
    }
}

/// Behind the hidden `--test-panic-route` flag only: lets tests prove a panicking handler becomes a 500
/// ServiceException and the server keeps serving.
async fn test_panic() -> Error {
    panic!("test panic requested through /_lambdalite/test/panic")
}

async fn unknown_operation() -> Error {
    Error::UnknownOperationException
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use axum::extract::{MatchedPath, Request};
    use axum::middleware::Next;
    use tower::ServiceExt;

    use super::*;
    use crate::config::Config;

    /// A sample path for a route: each `{parameter}` replaced by a value its handler could be sent.
    fn sample(route: &str) -> String {
        route
            .split('/')
            .map(|segment| match segment {
                "{version_number}" | "{version}" => "1",
                s if s.starts_with('{') => "sample-name",
                s => s,
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Requests for every route of both tables, as listed and with a trailing slash, with methods the route does
    /// not have, routes the tables leave out, a path shared by two operations, and paths no route has.
    fn requests() -> Vec<(Method, String)> {
        let mut out = Vec::new();
        for (method, route, _) in OPERATIONS.iter().chain(ADMIN_OPERATIONS) {
            let path = sample(route);
            out.push((method.clone(), path.clone()));
            out.push((method.clone(), format!("{path}/")));
            out.push((method.clone(), format!("{path}//?Qualifier=1")));
            out.push((Method::HEAD, path.clone()));
            out.push((Method::PATCH, path));
        }
        for path in [
            // GetLayerVersionByArn: ListLayers' path and method, told apart by the query only.
            "/2018-10-31/layers?find=LayerVersion&Arn=arn:aws:lambda:us-east-1:123456789012:layer:shared:1",
            "/2015-03-31/functions/my%20function/policy",
            "/_lambdalite/code/123456789012/us-east-1/sample-name/1",
            "/_lambdalite/layer-code/123456789012/us-east-1/sample-name/1",
            "/_lambdalite/test/panic",
            "/_lambdalite/health/",
            "/",
            "//",
            "/nope",
            "/2015-03-31",
            "/2015-03-31/functions/a/b/c/d",
            "/2015-03-31//functions",
            "/2018-10-31/layers/sample-name/versions/1/policy/sid/extra",
        ] {
            out.push((Method::GET, path.to_owned()));
            out.push((Method::POST, path.to_owned()));
            out.push((Method::DELETE, path.to_owned()));
        }
        out
    }

    /// The name the request log had when it was a route layer: from the router's `MatchedPath`.
    fn matched_name(request: &Request) -> &'static str {
        let method = request.method();
        request
            .extensions()
            .get::<MatchedPath>()
            .map(|p| {
                let aws = operation_name(method, p.as_str());
                if aws != "Unknown" {
                    return aws;
                }
                ADMIN_OPERATIONS.iter().find(|(m, r, _)| m == method && *r == p.as_str()).map_or(aws, |(_, _, op)| *op)
            })
            .unwrap_or("Unknown")
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_logged_operation_is_the_one_the_router_matched() {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
        let matched = Arc::new(Mutex::new(Vec::new()));
        let seen = matched.clone();
        let record = move |request: Request, next: Next| {
            seen.lock().unwrap().push(matched_name(&request));
            next.run(request)
        };
        let state = AppState::new(Config { test_panic_route: true, ..Config::default() });
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let requests = requests();
        tracing::subscriber::with_default(subscriber, || {
            // The real routes and envelope, with the route layer the request log used to be recording what the
            // router matched.
            let app = envelop(routes(state.clone()).layer(middleware::from_fn(record)), state);
            for (method, uri) in &requests {
                let request = Request::builder().method(method.clone()).uri(uri.as_str()).body(Body::empty()).unwrap();
                let request = paths::trim_trailing_slash(request);
                let response = runtime.block_on(app.clone().oneshot(request)).unwrap();
                assert!(response.headers().contains_key(envelope::REQUEST_ID), "{method} {uri}");
            }
        });

        let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = log.lines().filter(|l| l.contains(" lambdalite::request: ")).collect();
        let matched = matched.lock().unwrap();
        assert_eq!((lines.len(), matched.len()), (requests.len(), requests.len()), "{log}");
        let mut named = 0;
        for (((method, uri), line), matched) in requests.iter().zip(lines).zip(matched.iter()) {
            let logged = line.split(" operation=\"").nth(1).and_then(|rest| rest.split('"').next());
            assert_eq!(logged, Some(*matched), "{method} {uri}: {line}");
            named += usize::from(*matched != "Unknown");
        }
        // Every listed route was reached under its name (and its trailing-slash spellings under the AWS one).
        assert!(named >= OPERATIONS.len() + ADMIN_OPERATIONS.len(), "{named}");
    }

    /// A handler that panics still gets its request line, with the 500 the client got.
    #[test]
    fn a_panicking_handler_is_logged_with_its_500() {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
        let state = AppState::new(Config { test_panic_route: true, ..Config::default() });
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        tracing::subscriber::with_default(subscriber, || {
            let request = Request::builder().uri("/_lambdalite/test/panic").body(Body::empty()).unwrap();
            let response = runtime.block_on(service(state).oneshot(request)).unwrap();
            assert_eq!(response.status(), 500);
        });
        let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        let line = log.lines().find(|l| l.contains(" lambdalite::request: ")).unwrap_or_else(|| panic!("{log}"));
        assert!(line.contains(" status=500 error=\"ServiceException\" "), "{line}");
        assert!(line.contains(" path=/_lambdalite/test/panic "), "{line}");
    }

    #[test]
    fn route_names_cover_the_tables() {
        for (method, route, op) in OPERATIONS.iter().chain(ADMIN_OPERATIONS) {
            assert_eq!(logged_operation(method, &sample(route)), *op, "{method} {route}");
        }
        assert_eq!(logged_operation(&Method::GET, "/2018-10-31/layers"), "ListLayers");
        assert_eq!(logged_operation(&Method::HEAD, "/2018-10-31/layers"), "Unknown");
        assert_eq!(logged_operation(&Method::GET, "/2018-10-31/layers/"), "Unknown");
        assert_eq!(logged_operation(&Method::GET, "/_lambdalite/code/a/r/f/1"), "Unknown");
    }
}
