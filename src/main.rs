//! The `lambdalite` binary: with no subcommand, parse the configuration, set up logging, bind, serve until SIGTERM
//! or Ctrl-C; with a subcommand, act as a small client of a running server's admin endpoints (`lambdalite health`,
//! `lambdalite reset`, `lambdalite state`).

mod logging;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use lambdalite::config::{Cli, ClientArgs, Command, Config};
use lambdalite::AppState;
use tokio::net::TcpListener;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => {
            logging::init(cli.config.log_format);
            // `FAILPOINTS`, in a build with the `failpoints` feature (the fault tests'); nothing otherwise.
            lambdalite::persist::fault::setup_from_env();
            let result = run_server(cli.config);
            // Log lines wait a few milliseconds to be written in batches: whatever ended the server, they are
            // written before it exits, and before its own last words.
            logging::finish();
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("lambdalite: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Health(args)) => run_client(Action::Health, &args, cli.config.port),
        Some(Command::Reset(args)) => run_client(Action::Reset, &args, cli.config.port),
        Some(Command::State(args)) => run_client(Action::State, &args, cli.config.port),
    }
}

/// Serves until SIGTERM or Ctrl-C; `Err` is what to print (after "lambdalite: ") before exiting with 1.
fn run_server(config: Config) -> Result<(), String> {
    // The state comes first, before the runtime (loading blocks) and before binding: a state directory that cannot
    // be opened or an init file that cannot be applied means no server, not an empty or half-made one.
    let app = AppState::open(config)?;
    // With one CPU to run on (a pinned process, a one-CPU container: `available_parallelism` follows the affinity
    // mask and cgroup quota) a multi-thread runtime would run one worker beside the main thread and pay for
    // work-stealing it cannot use. The current-thread runtime serves the same connections on the main thread:
    // fewer instructions per request (bench/instr.py) and one thread and malloc arena less at idle.
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut builder = if cpus == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = builder.enable_all().build().map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(app))
}

async fn serve(app: AppState) -> Result<(), String> {
    let config = &app.config;
    let addr = format!("{}:{}", config.host, config.port);
    let listener = TcpListener::bind(&addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| format!("cannot read the bound address: {e}"))?;
    // The ready line tests and scripts wait for; it carries the port actually bound, so `--port 0` works.
    println!("lambdalite listening on http://{local}");
    lambdalite::serve(listener, app, shutdown_signal()).await.map_err(|e| format!("server error: {e}"))
}

/// Resolves on Ctrl-C or SIGTERM (`docker stop` sends SIGTERM).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// What a client subcommand asks of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Health,
    Reset,
    State,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Health => "health",
            Action::Reset => "reset",
            Action::State => "state",
        }
    }

    /// The exit status for a failure. `health` only ever fails with 1: Docker reserves a HEALTHCHECK's 2.
    fn exit_code(self, failure: &client::Failure) -> ExitCode {
        match (self, failure) {
            (Action::Health, _) | (_, client::Failure::Answered(_)) => ExitCode::from(1),
            (_, client::Failure::Unreachable(_)) => ExitCode::from(2),
        }
    }
}

/// Runs one client subcommand: exit 0 with its output on stdout, or the reason on stderr and the documented status
/// (`config::CLIENT_EXIT_CODES`, `config::HEALTH_EXIT_CODES`).
fn run_client(action: Action, args: &ClientArgs, port: u16) -> ExitCode {
    let url = args.endpoint(port);
    // One connection and no parallelism: a current-thread runtime starts fastest, which matters for a health probe
    // run every few seconds by the container engine.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lambdalite {}: cannot start the runtime: {e}", action.name());
            return ExitCode::FAILURE;
        }
    };
    let timeout = Duration::from_millis(args.timeout_ms);
    let outcome = runtime.block_on(async {
        match tokio::time::timeout(timeout, client::run(action, &url)).await {
            Ok(result) => result,
            Err(_) => Err(client::Failure::Unreachable(format!("no answer within {} ms", args.timeout_ms))),
        }
    });
    match outcome {
        Ok(output) => {
            if !output.is_empty() {
                print!("{output}");
                if !output.ends_with('\n') {
                    println!();
                }
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("lambdalite {}: {url}: {}", action.name(), failure.reason());
            action.exit_code(&failure)
        }
    }
}

/// The admin endpoints' client: one HTTP/1.1 request with `Connection: close` over hyper's client connection (the
/// server's own HTTP library, already in the binary), on a current-thread runtime.
mod client {
    use std::future::poll_fn;
    use std::pin::Pin;

    use hyper::body::Body;
    use hyper::header::{ACCEPT, CONNECTION, CONTENT_LENGTH, HOST, USER_AGENT};
    use hyper::Request;
    use hyper_util::rt::TokioIo;
    use tokio::net::TcpStream;

    use super::Action;

    /// The health and reset answers are small; anything larger is not lambdalite.
    const MAX_SMALL_RESPONSE: usize = 64 * 1024;
    /// The state export grows with the state; this only guards against reading an endless stream.
    const MAX_STATE_RESPONSE: usize = 1024 * 1024 * 1024;

    /// Why a subcommand failed, split the way the exit status is.
    #[derive(Debug, PartialEq, Eq)]
    pub enum Failure {
        /// Nothing usable came back: no connection, a broken one, a timeout, or an endpoint we cannot use.
        Unreachable(String),
        /// Something answered, but with an error status or with what lambdalite would not send.
        Answered(String),
    }

    impl Failure {
        pub fn reason(&self) -> &str {
            match self {
                Failure::Unreachable(r) | Failure::Answered(r) => r,
            }
        }
    }

    /// The server's base address split for a request.
    #[derive(Debug, PartialEq, Eq)]
    pub struct Endpoint {
        /// `host:port`, as `connect` and the `Host` header want it (IPv6 hosts keep their brackets).
        pub authority: String,
        /// Path prefix without a trailing slash, for a server behind a path-routing proxy; usually empty.
        pub base_path: String,
    }

    pub fn parse_endpoint(url: &str) -> Result<Endpoint, String> {
        let rest =
            url.strip_prefix("http://").ok_or_else(|| format!("endpoint must start with http:// (got '{url}')"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.is_empty() {
            return Err(format!("endpoint has no host (got '{url}')"));
        }
        // A port is present when the text after the last ':' is all digits and, for IPv6, follows the ']'.
        let has_port = match authority.rfind(':') {
            Some(i) => !authority[i..].contains(']') && authority[i + 1..].bytes().all(|b| b.is_ascii_digit()),
            None => false,
        };
        let authority = if has_port { authority.to_owned() } else { format!("{authority}:80") };
        Ok(Endpoint { authority, base_path: path.trim_end_matches('/').to_owned() })
    }

    /// Performs `action` against the server at `url`; `Ok` holds what to print on stdout.
    pub async fn run(action: Action, url: &str) -> Result<String, Failure> {
        let endpoint = parse_endpoint(url).map_err(Failure::Unreachable)?;
        match action {
            Action::Health => health(&endpoint).await,
            Action::Reset => {
                let (status, body) = request(&endpoint, "POST", "/_lambdalite/reset", MAX_SMALL_RESPONSE).await?;
                if !(200..300).contains(&status) {
                    return Err(Failure::Answered(format!("HTTP {status}: {body}")));
                }
                Ok(String::new())
            }
            Action::State => {
                let (status, body) = request(&endpoint, "GET", "/_lambdalite/state", MAX_STATE_RESPONSE).await?;
                if status != 200 {
                    return Err(Failure::Answered(format!("HTTP {status}: {body}")));
                }
                // The server pretty-prints in member order; checking it parses is enough to vouch for it.
                serde_json::from_str::<serde_json::Value>(&body)
                    .map_err(|e| Failure::Answered(format!("the state is not JSON ({e})")))?;
                Ok(body)
            }
        }
    }

    /// `Ok(body)` only for a 200 whose JSON says `"status":"ok"`.
    async fn health(endpoint: &Endpoint) -> Result<String, Failure> {
        let (status, body) = request(endpoint, "GET", "/_lambdalite/health", MAX_SMALL_RESPONSE).await?;
        if status != 200 {
            return Err(Failure::Answered(format!("unhealthy: HTTP {status}: {body}")));
        }
        let json: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| Failure::Answered(format!("unhealthy: body is not JSON ({e}): {body}")))?;
        if json.get("status").and_then(|s| s.as_str()) != Some("ok") {
            return Err(Failure::Answered(format!("unhealthy: {body}")));
        }
        Ok(body)
    }

    /// Status and body of one request. A broken connection is `Unreachable`; an answer that is not HTTP/1.x, or
    /// whose body is shorter than its Content-Length, is `Answered` (something is there, but not lambdalite as it
    /// should be) rather than a silently truncated answer.
    pub async fn request(endpoint: &Endpoint, method: &str, path: &str, max: usize) -> Result<(u16, String), Failure> {
        let stream = TcpStream::connect(&endpoint.authority)
            .await
            .map_err(|e| Failure::Unreachable(format!("cannot connect to {}: {e}", endpoint.authority)))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake::<_, String>(TokioIo::new(stream))
            .await
            .map_err(|e| failure("cannot send the request", e))?;
        let request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", endpoint.base_path))
            .header(HOST, &endpoint.authority)
            .header(USER_AGENT, concat!("lambdalite-cli/", env!("CARGO_PKG_VERSION")))
            .header(ACCEPT, "application/json")
            .header(CONNECTION, "close");
        // A POST says its (empty) length: some servers and proxies answer 411 without one.
        let request = if method == "GET" { request } else { request.header(CONTENT_LENGTH, "0") };
        let request =
            request.body(String::new()).map_err(|e| Failure::Unreachable(format!("cannot build the request: {e}")))?;
        let exchange = async {
            let response = sender.send_request(request).await.map_err(|e| failure("no response", e))?;
            let status = response.status().as_u16();
            let length = response.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
            let mut body = response.into_body();
            let mut bytes = Vec::new();
            while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
                let frame = match (frame, length) {
                    (Ok(frame), _) => frame,
                    (Err(_), Some(n)) if bytes.len() < n => {
                        return Err(Failure::Answered(format!(
                            "the response body ended after {} of {n} bytes",
                            bytes.len()
                        )))
                    }
                    (Err(e), _) => return Err(body_failure(e)),
                };
                if let Some(data) = frame.data_ref() {
                    if bytes.len() + data.len() > max {
                        return Err(Failure::Answered(format!("the response is larger than {max} bytes")));
                    }
                    bytes.extend_from_slice(data);
                }
            }
            Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
        };
        // The connection reads the response into the body the exchange consumes, on this task (no spawned task, so
        // no task machinery in the binary for it); with `Connection: close` it ends once the response has, and a
        // connection error surfaces in the exchange as well.
        let (out, _) = tokio::join!(exchange, connection);
        out
    }

    /// A failed exchange: `Answered` when what came back was not a well-formed HTTP/1.x response head, which is
    /// something other than lambdalite at the endpoint; `Unreachable` when the connection itself failed.
    fn failure(what: &str, e: hyper::Error) -> Failure {
        if e.is_incomplete_message() {
            Failure::Answered("the response ended before its headers did".into())
        } else if e.is_parse() {
            Failure::Answered(format!("not an HTTP/1.x response ({e})"))
        } else {
            Failure::Unreachable(format!("{what}: {e}"))
        }
    }

    /// A body that broke off: `Answered` when the connection ended before the body's framing did (a chunked body
    /// cut short), `Unreachable` when reading failed.
    fn body_failure(e: hyper::Error) -> Failure {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(s) = source {
            if s.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::UnexpectedEof) {
                return Failure::Answered("the response body ended before it was complete".into());
            }
            source = s.source();
        }
        Failure::Unreachable(format!("cannot read the response: {e}"))
    }

    #[cfg(test)]
    mod tests {
        use std::io::{Read, Write};

        use super::*;

        #[test]
        fn endpoints_parse_into_authority_and_prefix() {
            let cases = [
                ("http://127.0.0.1:4566", "127.0.0.1:4566", ""),
                ("http://127.0.0.1:4566/", "127.0.0.1:4566", ""),
                ("http://localhost", "localhost:80", ""),
                ("http://[::1]:9000", "[::1]:9000", ""),
                ("http://[::1]", "[::1]:80", ""),
                ("http://lambdalite:4566/prefix/", "lambdalite:4566", "/prefix"),
            ];
            for (url, authority, base_path) in cases {
                let e = parse_endpoint(url).unwrap();
                assert_eq!((e.authority.as_str(), e.base_path.as_str()), (authority, base_path), "{url}");
            }
        }

        #[test]
        fn non_http_endpoints_are_refused() {
            for url in ["https://127.0.0.1:4566", "127.0.0.1:4566", "http://", "http:///x"] {
                assert!(parse_endpoint(url).is_err(), "{url}");
            }
        }

        /// What the client makes of `raw`, sent by a peer on loopback that then closes the connection.
        fn parse_response(raw: &'static [u8]) -> Result<(u16, String), String> {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let endpoint = Endpoint { authority: listener.local_addr().unwrap().to_string(), base_path: String::new() };
            let peer = std::thread::spawn(move || {
                let (mut s, _) = listener.accept().unwrap();
                let _ = s.read(&mut [0u8; 1024]);
                s.write_all(raw).unwrap();
            });
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let out = runtime.block_on(request(&endpoint, "GET", "/", MAX_SMALL_RESPONSE));
            peer.join().unwrap();
            out.map_err(|f| f.reason().to_owned())
        }

        #[test]
        fn responses_give_status_and_body() {
            let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"status\":\"ok\"}";
            assert_eq!(parse_response(raw).unwrap(), (200, "{\"status\":\"ok\"}".to_owned()));
            let raw = b"HTTP/1.1 503 Service Unavailable\r\n\r\n";
            assert_eq!(parse_response(raw).unwrap().0, 503);
            assert!(parse_response(b"SSH-2.0-OpenSSH\r\n").is_err());
            assert!(parse_response(b"HTTP/1.1 200 OK\r\nx: y").is_err());
        }

        #[test]
        fn chunked_bodies_are_decoded_and_short_bodies_refused() {
            let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\n\r\n";
            assert_eq!(parse_response(raw).unwrap(), (200, "{\"a\":1}".to_owned()));
            let cut = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc";
            assert!(parse_response(cut).is_err());
            let short = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
            assert!(parse_response(short).unwrap_err().contains("3 of 10"));
        }
    }
}
