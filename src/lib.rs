//! lambdalite: a small, fast, AWS-exact local emulator of the AWS Lambda permission APIs.
//!
//! # Layout
//! - [`config`]: flags and environment variables.
//! - [`http`]: axum routers, one file per resource family, extractors that fail in AWS error shape.
//! - [`wire`]: the REST-JSON request/response DTOs and the error envelope.
//! - [`service`]: one synchronous function per AWS operation, run under the store's lock.
//! - [`domain`]: names, ARNs, validation, policies, functions, layers, the `State`; no HTTP, no async.
//! - [`store`]: the `State` behind one `RwLock`.
//! - [`error`]: the error enum, one variant per AWS error code.
//!
//! A request flows extract (http) → one `Store` call running a `service` function → wire DTO → response.

pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod service;
pub mod store;
pub mod wire;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

pub use config::Config;
pub use error::Error;
pub use store::Store;

/// What every handler gets: the store and the configuration. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        let mut state = domain::state::State::new(config.settle_delay());
        state.organizations = config.organizations();
        AppState { store: Store::new(state), config: Arc::new(config) }
    }
}

/// The service as a `Router`, without binding a socket (what wire tests call).
pub fn app(state: AppState) -> Router {
    http::router(state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown).await
}
