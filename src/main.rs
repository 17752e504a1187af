//! The `lambdalite` binary: with no subcommand, parse the configuration, set up logging, bind, serve until SIGTERM
//! or Ctrl-C; with a subcommand, act as a small client of a running server (`lambdalite health`).

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use lambdalite::config::{Cli, ClientArgs, Command, Config, LogFormat};
use lambdalite::AppState;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => run_server(cli.config),
        Some(Command::Health(args)) => run_health(&args, cli.config.port),
    }
}

fn run_server(config: Config) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lambdalite: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> ExitCode {
    init_tracing(config.log_format);

    let addr = format!("{}:{}", config.host, config.port);
    let listener = match TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("lambdalite: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let local = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("lambdalite: cannot read the bound address: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The ready line tests and scripts wait for; it carries the port actually bound, so `--port 0` works.
    println!("lambdalite listening on http://{local}");

    match lambdalite::serve(listener, AppState::new(config), shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lambdalite: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
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

/// `lambdalite health`: exit 0 and print the health body when the server answers 200 `{"status":"ok",..}`;
/// exit 1 with the reason on stderr otherwise. A scratch image has no curl, so its HEALTHCHECK runs this.
fn run_health(args: &ClientArgs, port: u16) -> ExitCode {
    let endpoint = args.endpoint(port);
    // One connection and no parallelism: a current-thread runtime starts fastest, which matters for a probe run
    // every few seconds by the container engine.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lambdalite health: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let timeout = Duration::from_millis(args.timeout_ms);
    match runtime.block_on(async { tokio::time::timeout(timeout, probe::health(&endpoint)).await }) {
        Ok(Ok(body)) => {
            println!("{body}");
            ExitCode::SUCCESS
        }
        Ok(Err(reason)) => {
            eprintln!("lambdalite health: {endpoint}: {reason}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("lambdalite health: {endpoint}: no answer within {} ms", args.timeout_ms);
            ExitCode::FAILURE
        }
    }
}

/// A deliberately tiny HTTP/1.1 client for the admin endpoints: the binary must stay static and small, and one
/// `GET` with `Connection: close` needs no client library.
mod probe {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    /// The admin endpoints answer small bodies; anything larger is not lambdalite.
    const MAX_RESPONSE: u64 = 64 * 1024;

    /// The server's base address split for a raw request.
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

    /// GETs `/_lambdalite/health`; `Ok(body)` only for a 200 whose JSON says `"status":"ok"`.
    pub async fn health(url: &str) -> Result<String, String> {
        let endpoint = parse_endpoint(url)?;
        let (status, body) = get(&endpoint, "/_lambdalite/health").await?;
        if status != 200 {
            return Err(format!("unhealthy: HTTP {status}: {body}"));
        }
        let json: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| format!("unhealthy: body is not JSON ({e}): {body}"))?;
        if json.get("status").and_then(|s| s.as_str()) != Some("ok") {
            return Err(format!("unhealthy: {body}"));
        }
        Ok(body)
    }

    async fn get(endpoint: &Endpoint, path: &str) -> Result<(u16, String), String> {
        let mut stream = TcpStream::connect(&endpoint.authority)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", endpoint.authority))?;
        let request = format!(
            "GET {}{path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: lambdalite-cli/{}\r\nAccept: application/json\r\n\
             Connection: close\r\n\r\n",
            endpoint.base_path,
            endpoint.authority,
            env!("CARGO_PKG_VERSION"),
        );
        stream.write_all(request.as_bytes()).await.map_err(|e| format!("cannot send the request: {e}"))?;
        let mut raw = Vec::new();
        (&mut stream)
            .take(MAX_RESPONSE)
            .read_to_end(&mut raw)
            .await
            .map_err(|e| format!("cannot read the response: {e}"))?;
        parse_response(&raw)
    }

    /// Status and body of a `Connection: close` response. The admin handlers answer with a Content-Length, so
    /// chunked bodies are not decoded; a chunked body would fail the JSON check and read as unhealthy.
    pub fn parse_response(raw: &[u8]) -> Result<(u16, String), String> {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").ok_or("the response ended before its headers did")?;
        let status_line = head.lines().next().unwrap_or_default();
        let mut parts = status_line.split(' ');
        let status = match (parts.next(), parts.next()) {
            (Some(version), Some(code)) if version.starts_with("HTTP/1.") => code.parse::<u16>().ok(),
            _ => None,
        }
        .ok_or_else(|| format!("not an HTTP/1.x response: '{status_line}'"))?;
        Ok((status, body.to_owned()))
    }

    #[cfg(test)]
    mod tests {
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

        #[test]
        fn responses_give_status_and_body() {
            let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"status\":\"ok\"}";
            assert_eq!(parse_response(raw).unwrap(), (200, "{\"status\":\"ok\"}".to_owned()));
            let raw = b"HTTP/1.1 503 Service Unavailable\r\n\r\n";
            assert_eq!(parse_response(raw).unwrap().0, 503);
            assert!(parse_response(b"SSH-2.0-OpenSSH\r\n").is_err());
            assert!(parse_response(b"HTTP/1.1 200 OK\r\nx: y").is_err());
        }
    }
}
