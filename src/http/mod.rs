//! HTTP: axum only. One file per resource family, each declaring its routes (`ROUTES`, see [`routes`]) beside
//! their handlers; this module builds the one service the server runs and the tests call ([`app`]): the router made
//! from those declarations, AWS-shaped answers for unknown routes, strict authentication when configured, and the
//! envelope (request id, panics, the request log) around it all.

pub mod admin;
pub mod aliases;
pub mod auth;
pub mod body;
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
pub mod routes;
pub mod simulate;
pub mod ui;

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware;
use axum::response::Response;
use axum::{BoxError, Router};
use tower::{Layer, Service};

use crate::config::AuthMode;
use crate::error::Error;
use crate::AppState;
use routes::Route;

/// Every route the server answers, family by family.
pub const ROUTES: &[&[Route]] = &[
    functions::ROUTES,
    aliases::ROUTES,
    policy::ROUTES,
    invoke::ROUTES,
    layers::ROUTES,
    layer_policy::ROUTES,
    admin::ROUTES,
    simulate::ROUTES,
    ui::ROUTES,
];

/// The whole service: what `lambdalite::serve` runs for every connection and what tests call with `oneshot`. It
/// takes any request body (hyper's on a connection, axum's `Body` in a test), drops a trailing slash as older
/// clients send it (see [`paths`]), and hands the request to the envelope around the routes.
///
/// Only what needs the matched route (strict authentication) is a route layer: `Router::layer` wraps every route
/// separately and each layer costs allocations on every request. Everything else (request id, panics, the request
/// log, the body limit) wraps the finished router once, in [`envelope::Envelope`]. There is no outer `Router`
/// around the envelope: that was a second routing step and a boxed-service clone per request (about 1,000
/// instructions).
#[derive(Debug, Clone)]
pub struct App {
    inner: Enveloped,
}

/// The envelope around the routes (with their state) under the body limit.
type Enveloped = envelope::Envelope<<DefaultBodyLimit as Layer<Router>>::Service>;

/// The service for `state`: see [`App`].
pub fn app(state: AppState) -> App {
    let routes = routes(&state);
    stack(routes, state)
}

impl<B> Service<axum::http::Request<B>> for App
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = <Enveloped as Service<Request>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        // `Body::new` keeps a body that already is axum's as it is.
        self.inner.call(paths::trim_trailing_slash(request.map(Body::new)))
    }
}

/// `routes` with their state, under the body limit, in the envelope.
fn stack(routes: Router<AppState>, state: AppState) -> App {
    routes::install(ROUTES);
    // The filter is set before the app is built (main.rs) and never reloaded, so when request lines are filtered
    // out now (the benchmark's RUST_LOG=warn, for one) they always will be, and the envelope gathers nothing.
    let log = tracing::enabled!(target: "lambdalite::request", tracing::Level::INFO);
    if log {
        routes::prepare_log_names();
    }
    let inner = routes.with_state(state.clone());
    let inner = envelope::EnvelopeLayer { log: log.then(|| state.config.clone()) }
        .layer(DefaultBodyLimit::max(body::MAX_BODY_BYTES).layer(inner));
    App { inner }
}

/// The router of every declared route, the fallbacks, and the route layers.
fn routes(state: &AppState) -> Router<AppState> {
    let mut router = Router::new();
    if state.config.test_panic_route {
        router = router.route("/_lambdalite/test/panic", axum::routing::get(test_panic));
    }
    #[cfg(feature = "failpoints")]
    {
        router = router.merge(failpoints::router());
    }
    for route in ROUTES.iter().flat_map(|list| list.iter()) {
        if let Some(method_router) = route.method_router() {
            router = router.route(route.path(), method_router);
        }
    }
    let router = router.fallback(unknown_operation).method_not_allowed_fallback(unknown_operation);
    // Installed only in strict mode, so the default mode pays nothing for it. Inside the envelope, so refusals are
    // logged with their code.
    match state.config.auth {
        AuthMode::Sigv4 => router.layer(middleware::from_fn_with_state(state.clone(), auth::authenticate)),
        AuthMode::None => router,
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
    use axum::http::Method;
    use axum::middleware::Next;
    use tower::ServiceExt;

    use super::*;
    use crate::config::Config;

    /// A sample path for a route: each `{parameter}` replaced by a value its handler could be sent.
    fn sample(route: &str) -> String {
        route
            .split('/')
            .map(|segment| match segment {
                "{VersionNumber}" | "{version}" => "1",
                s if s.starts_with('{') => "sample-name",
                s => s,
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Every route the request log names: `(method, path, name)`.
    fn named_routes() -> Vec<(Method, &'static str, &'static str)> {
        let routes = ROUTES.iter().flat_map(|list| list.iter());
        routes.filter_map(|r| r.log_name().map(|name| (r.method.clone(), r.path(), name))).collect()
    }

    /// Requests for every named route, as declared and with a trailing slash, with methods the route does not
    /// have, routes left unnamed, a path shared by two operations, and paths no route has.
    fn requests() -> Vec<(Method, String)> {
        let mut out = Vec::new();
        for (method, route, _) in named_routes() {
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
                let aws = routes::operation_name(method, p.as_str());
                if aws != "Unknown" {
                    return aws;
                }
                named_routes().into_iter().find(|(m, r, _)| m == method && *r == p.as_str()).map_or(aws, |(_, _, n)| n)
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
            let app = stack(routes(&state).layer(middleware::from_fn(record)), state);
            for (method, uri) in &requests {
                let request = Request::builder().method(method.clone()).uri(uri.as_str()).body(Body::empty()).unwrap();
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
        // Every named route was reached under its name (and its trailing-slash spellings under the AWS one).
        assert!(named >= named_routes().len(), "{named}");
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
            let response = runtime.block_on(app(state).oneshot(request)).unwrap();
            assert_eq!(response.status(), 500);
        });
        let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        let line = log.lines().find(|l| l.contains(" lambdalite::request: ")).unwrap_or_else(|| panic!("{log}"));
        assert!(line.contains(" status=500 error=\"ServiceException\" "), "{line}");
        assert!(line.contains(" path=/_lambdalite/test/panic "), "{line}");
    }

    #[test]
    fn route_names_cover_the_tables() {
        routes::install(ROUTES);
        use routes::logged_operation;
        for (method, route, op) in named_routes() {
            assert_eq!(logged_operation(&method, &sample(route)), op, "{method} {route}");
        }
        assert_eq!(logged_operation(&Method::GET, "/2018-10-31/layers"), "ListLayers");
        assert_eq!(logged_operation(&Method::HEAD, "/2018-10-31/layers"), "Unknown");
        assert_eq!(logged_operation(&Method::GET, "/2018-10-31/layers/"), "Unknown");
        assert_eq!(logged_operation(&Method::GET, "/_lambdalite/code/a/r/f/1"), "Unknown");
    }
}
