//! Every route the server answers, each declared once: its method, its path, its name and the handler that serves
//! it. Each family module (`functions`, `aliases`, `policy`, ...) declares its routes in a `ROUTES` list beside its
//! handlers, and `http` builds the axum router from those lists. The names the request log and the 413 message give
//! a request come from the same lists, so a route cannot be served without a name; `tests/model_routes.rs` holds the
//! AWS ones to the botocore model's `http` entries.
//!
//! The names are looked up at run time from the lists `http` [installs](install) when it builds the app, rather
//! than from the lists themselves: the extractors that name the operation in a message are used by the handlers the
//! lists point at, and reading the lists directly would make the two depend on each other.

use std::sync::OnceLock;

use axum::extract::MatchedPath;
use axum::http::{Extensions, Method};
use axum::routing::{MethodFilter, MethodRouter};

use crate::AppState;

/// Builds a route's handler for the method it is declared with (`|method| on(method, handler)`).
pub type MakeHandler = fn(MethodFilter) -> MethodRouter<AppState>;

/// One route; see the module documentation.
#[derive(Debug)]
pub struct Route {
    pub method: Method,
    /// The path as the model's `requestUri` writes it, `{Label}`s included. An operation that shares its method and
    /// path with another and is told apart by the query has that query here (`?find=LayerVersion`).
    pub uri: &'static str,
    pub name: RouteName,
    /// `None` for an operation told apart by its query: the handler of the route without the query serves it.
    handler: Option<MakeHandler>,
}

/// What the request log calls a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteName {
    /// An AWS operation, named as the model names it.
    Aws(&'static str),
    /// One of lambdalite's own routes, named `Lambdalite.<what>` (not an AWS operation, hence the prefix).
    Admin(&'static str),
    /// Logged as `Unknown`: the code downloads, whose paths name a namespace rather than an operation.
    Unnamed,
}

impl Route {
    /// An AWS operation served by `handler`.
    pub const fn aws(method: Method, uri: &'static str, name: &'static str, handler: MakeHandler) -> Self {
        Route { method, uri, name: RouteName::Aws(name), handler: Some(handler) }
    }

    /// An AWS operation whose `uri` is another operation's path plus a query: the handler declared for that path
    /// looks at the query and serves both. Requests are named after the operation without the query.
    pub const fn aws_by_query(method: Method, uri: &'static str, name: &'static str) -> Self {
        Route { method, uri, name: RouteName::Aws(name), handler: None }
    }

    /// One of lambdalite's own routes; `name` is its full log name.
    pub const fn admin(method: Method, uri: &'static str, name: &'static str, handler: MakeHandler) -> Self {
        Route { method, uri, name: RouteName::Admin(name), handler: Some(handler) }
    }

    /// A route the request log does not name.
    pub const fn unnamed(method: Method, uri: &'static str, handler: MakeHandler) -> Self {
        Route { method, uri, name: RouteName::Unnamed, handler: Some(handler) }
    }

    /// The path the router matches: `uri` without its query.
    pub fn path(&self) -> &'static str {
        self.uri.split_once('?').map_or(self.uri, |(path, _)| path)
    }

    /// The AWS operation's name, for an AWS operation.
    pub fn aws_name(&self) -> Option<&'static str> {
        match self.name {
            RouteName::Aws(name) => Some(name),
            RouteName::Admin(_) | RouteName::Unnamed => None,
        }
    }

    /// Whether the handler of the route without the query serves this one (see [`Route::aws_by_query`]).
    pub fn is_told_by_query(&self) -> bool {
        self.handler.is_none()
    }

    /// The route's handler, or `None` for an operation another route's handler serves (see [`Route::aws_by_query`]).
    pub fn method_router(&self) -> Option<MethodRouter<AppState>> {
        let filter = MethodFilter::try_from(self.method.clone()).expect("routes are declared with standard methods");
        self.handler.map(|make| make(filter))
    }

    /// The name a request routed here is logged with, if any: query-told operations are logged under the
    /// operation that shares their path.
    pub fn log_name(&self) -> Option<&'static str> {
        match (self.name, self.handler) {
            (_, None) | (RouteName::Unnamed, _) => None,
            (RouteName::Aws(name) | RouteName::Admin(name), Some(_)) => Some(name),
        }
    }
}

/// The route lists `http` serves, set once when the first app is built.
static INSTALLED: OnceLock<&'static [&'static [Route]]> = OnceLock::new();

/// The installed routes by path, each with its names by method: built on first use (see [`prepare_log_names`]).
static LOG_NAMES: OnceLock<matchit::Router<Vec<(Method, &'static str)>>> = OnceLock::new();

/// Makes `lists` the routes whose names requests get. Every app serves the same lists, so only the first call
/// matters.
pub fn install(lists: &'static [&'static [Route]]) {
    INSTALLED.get_or_init(|| lists);
}

fn installed() -> impl Iterator<Item = &'static Route> {
    INSTALLED.get().copied().unwrap_or_default().iter().flat_map(|list| list.iter())
}

/// The AWS operation name of a matched route, or "Unknown".
pub fn operation_name(method: &Method, matched_path: &str) -> &'static str {
    installed()
        .filter(|r| r.handler.is_some() && r.method == method && r.path() == matched_path)
        .find_map(Route::aws_name)
        .unwrap_or("Unknown")
}

/// The AWS operation a request was routed to, for messages that name it: "this" before routing.
pub fn request_operation(method: &Method, extensions: &Extensions) -> &'static str {
    extensions.get::<MatchedPath>().map_or("this", |p| operation_name(method, p.as_str()))
}

/// Builds the request log's lookup now, so that the first logged request does not pay for it.
pub fn prepare_log_names() {
    log_names();
}

fn log_names() -> &'static matchit::Router<Vec<(Method, &'static str)>> {
    LOG_NAMES.get_or_init(|| {
        let mut by_path: Vec<(&str, Vec<(Method, &'static str)>)> = Vec::new();
        for route in installed() {
            let Some(name) = route.log_name() else { continue };
            match by_path.iter_mut().find(|(path, _)| *path == route.path()) {
                Some((_, names)) => names.push((route.method.clone(), name)),
                None => by_path.push((route.path(), vec![(route.method.clone(), name)])),
            }
        }
        let mut names = matchit::Router::new();
        for (path, by_method) in by_path {
            names.insert(path, by_method).expect("the routes are paths axum accepted");
        }
        names
    })
}

/// The request log's name for a request: the operation (or admin route) whose route matches `path` with `method`,
/// or "Unknown". The same name the router's `MatchedPath` gives, found without being inside the router: the log is
/// written by the envelope that wraps the router once (a route layer would be boxed and cloned around every route),
/// and this lookup runs only when the line is written. The routes go into a [`matchit`] router, the matcher axum
/// itself uses, so a path matches here exactly when it does there.
pub fn logged_operation(method: &Method, path: &str) -> &'static str {
    let Ok(matched) = log_names().at(path) else { return "Unknown" };
    matched.value.iter().find(|(m, _)| m == method).map_or("Unknown", |(_, name)| *name)
}
