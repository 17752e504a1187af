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
//! - [`init`]: the `--init` file format (also what `GET /_lambdalite/state` exports) and applying it at start.
//!
//! A request flows extract (http) → one `Store` call running a `service` function → wire DTO → response.

pub mod config;
pub mod conn;
pub mod domain;
pub mod error;
pub mod http;
pub mod init;
pub mod persist;
pub mod service;
pub mod store;
pub mod wire;

use std::future::Future;
use std::sync::Arc;

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
    /// An in-memory server with an empty state (no `--init`, no `--state-dir`: see [`AppState::open`]).
    pub fn new(config: Config) -> Self {
        let state = empty_state(&config);
        AppState::with_state(config, state)
    }

    /// An in-memory server holding `state`.
    pub fn with_state(config: Config, state: domain::state::State) -> Self {
        AppState { store: Store::new(state), config: Arc::new(config) }
    }

    /// The server `config` asks for, before anything listens: the state loaded from `--state-dir` (and durable
    /// from then on), or a fresh one; `--init` is applied when the state starts empty, and with a state directory
    /// what it created is on disk before this returns. A directory that already holds state skips `--init`, so a
    /// restart does not trip over what the file created the first time. `Err` is the line to print before exiting.
    pub fn open(config: Config) -> Result<Self, String> {
        let Some(dir) = config.state_dir().map(ToOwned::to_owned) else {
            let state = initial_state(&config)?;
            return Ok(AppState::with_state(config, state));
        };
        let mut state = empty_state(&config);
        let failed = |e: &dyn std::fmt::Display| format!("--state-dir {}: {e}", dir.display());
        let (mut opened, loaded) = persist::open(&dir, &mut state).map_err(|e| failed(&e))?;
        tracing::info!(
            dir = %dir.display(),
            functions = loaded.functions,
            layers = loaded.layers,
            "state directory opened"
        );
        if !loaded.is_empty() {
            if let Some(path) = config.init_file() {
                tracing::info!(file = %path.display(), "the state directory holds state: --init skipped");
            }
        } else if apply_init_file(&config, &mut state)? {
            // The state journals what init created; nothing reaches the directory if the file failed half-way.
            opened.commit_now(&mut state).map_err(|e| failed(&e))?;
        }
        let store = Store::durable(state, opened).map_err(|e| failed(&format!("cannot start the writer: {e}")))?;
        Ok(AppState { store, config: Arc::new(config) })
    }
}

/// A fresh state for `config`: no resources, the configured settle delay and organizations.
pub fn empty_state(config: &Config) -> domain::state::State {
    let mut state = domain::state::State::new(config.settle_delay());
    state.organizations = config.organizations();
    state.code_storage_limit = config.code_storage_limit();
    state
}

/// A fresh state with the `--init` file applied when one is named. `Err` is the line to print before exiting:
/// nothing may be served from a half-applied file.
pub fn initial_state(config: &Config) -> Result<domain::state::State, String> {
    let mut state = empty_state(config);
    apply_init_file(config, &mut state)?;
    Ok(state)
}

/// Applies `--init` (if given) to `state`; whether there was a file.
fn apply_init_file(config: &Config, state: &mut domain::state::State) -> Result<bool, String> {
    let Some(path) = config.init_file() else { return Ok(false) };
    let scope = domain::arn::Scope::new(config.account_id.clone(), config.region.clone());
    let applied = init::apply_file(state, path, &scope)?;
    tracing::info!(
        file = %path.display(),
        functions = applied.functions,
        layer_versions = applied.layer_versions,
        "applied the init file"
    );
    Ok(true)
}

/// The whole service, without binding a socket: what [`serve`] runs for every connection, and what wire tests
/// call with `oneshot`.
pub fn app(state: AppState) -> http::App {
    http::app(state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then stops accepting (new connections are refused) and
/// lets in-flight requests finish.
///
/// Served with hyper-util's connection builder rather than `axum::serve`, which has no header-read timeout: a client
/// that opens a connection and never finishes its request headers is disconnected after
/// `config.header_read_timeout()` instead of holding a connection (and a task) forever; a request body that stalls
/// is answered 408 after `config.body_read_timeout()` (see [`conn::StallGuard`]).
///
/// At most `config.max_connections()` connections are served at once. Beyond that a new connection is accepted and
/// closed at once, without an answer: what a front end out of connection slots does, and what every AWS SDK
/// retries with backoff; answering it (429 or 503) would mean reading its request, with the resources the cap is
/// there to protect. [inferred: AWS's front end's own limit is not documented.]
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    let header_read_timeout = state.config.header_read_timeout();
    let body_read_timeout = state.config.body_read_timeout();
    let slots = Arc::new(tokio::sync::Semaphore::new(state.config.max_connections()));
    let mut refused = conn::Refusals::default();
    // The same app the tests call; only the connection's own body watchdog is added here, around hyper's body.
    let app = tower::ServiceExt::map_request(app(state), move |request: hyper::Request<hyper::body::Incoming>| {
        request.map(|body| conn::StallGuard::new(body, body_read_timeout))
    });
    let mut builder = Builder::new(TokioExecutor::new());
    // hyper's per-request header-read timer is replaced by a per-connection one (see `conn`).
    builder.http1().header_read_timeout(None);
    builder.http2().timer(TokioTimer::new());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    // Tells connections that have not sent a byte yet to go away at shutdown instead of being waited for.
    let (closing_tx, closing_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Per-connection errors (reset before accept, fd exhaustion) must not stop the server; back off
                    // briefly so that fd exhaustion does not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            refused.refuse(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let builder = builder.clone();
        let clock = conn::HeaderClock::new();
        let service = {
            use tower::ServiceExt;
            let (begin, end) = (clock.clone(), clock.clone());
            TowerToHyperService::new(
                app.clone()
                    .map_request(move |request: hyper::Request<hyper::body::Incoming>| {
                        begin.begin();
                        request
                    })
                    .map_response(move |response| {
                        end.end();
                        response
                    }),
            )
        };
        let watcher = graceful.watcher();
        let mut closing = closing_rx.clone();
        tokio::spawn(async move {
            // Held for as long as the connection is served.
            let _slot = slot;
            // hyper's header-read timer only starts once the HTTP/1-or-2 sniffing has read some bytes, so a client
            // that connects and sends nothing would otherwise be held forever.
            tokio::select! {
                started = tokio::time::timeout(header_read_timeout, first_bytes(&stream)) => {
                    if !matches!(started, Ok(true)) {
                        return;
                    }
                }
                _ = closing.wait_for(|closing| *closing) => return,
            }
            let stream = conn::ClockedStream::new(stream, clock.clone());
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
            // A connection error is the client's (reset, timeout, bad framing); there is nobody to report it to.
            // A request whose head is still arriving after the timeout ends the connection (hyper answered 408
            // or closed; closing is what the client sees either way).
            tokio::select! {
                biased;
                _ = watcher.watch(connection) => {}
                () = clock.expired(header_read_timeout) => {}
            }
        });
    }
    // Closing the listener first is what makes new connections be refused while old ones drain.
    drop(listener);
    let _ = closing_tx.send(true);
    graceful.shutdown().await;
    Ok(())
}

/// Waits until the client has sent enough to tell HTTP/1 from the HTTP/2 preface (what hyper-util's sniffing
/// reads); `false` on EOF or error.
async fn first_bytes(stream: &tokio::net::TcpStream) -> bool {
    const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let mut buf = [0u8; 24];
    loop {
        match stream.peek(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) if n >= H2_PREFACE.len() || buf[..n] != H2_PREFACE[..n] => return true,
            // A partial HTTP/2 preface: peek would return at once again, so wait a little for the rest.
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
        }
    }
}
