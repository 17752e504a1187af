//! The benchmark's ceiling: a minimal axum server that answers lambdalite's benchmarked paths with fixed bodies and
//! does no work beyond reading the request body (so keep-alive connections stay open, as with lambdalite).
//! `bench/run.py` reports lambdalite's throughput as a fraction of this server's, measured in the same run on the
//! same core, so the figure says how much our own work costs rather than how fast the machine is.
//!
//! Usage: `cargo run --release -p ceiling -- 127.0.0.1:0` (prints `ceiling listening on http://ADDR`).

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::Router;

/// GetPolicy's answer: a policy of the benchmark's 10 seed statements (bench/run.py), about the size of lambdalite's
/// answer, so both servers write, and the load generator reads, the same number of bytes.
fn policy_body() -> &'static str {
    let statements: Vec<String> = (0..10)
        .map(|i| {
            format!(
                r#"{{\"Sid\":\"seed-{i}\",\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"s3.amazonaws.com\"}},\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:function:bench\",\"Condition\":{{\"StringEquals\":{{\"AWS:SourceAccount\":\"123456789012\"}},\"ArnLike\":{{\"AWS:SourceArn\":\"arn:aws:s3:::seed-bucket-{i}\"}}}}}}"#
            )
        })
        .collect();
    let body = format!(
        r#"{{"Policy":"{{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[{}]}}","RevisionId":"00000000-0000-4000-8000-000000000000"}}"#,
        statements.join(",")
    );
    Box::leak(body.into_boxed_str())
}
const STATEMENT: &str = r#"{"Statement":"{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:function:bench\"}"}"#;
const LAYER_STATEMENT: &str = r#"{"Statement":"{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"lambda:GetLayerVersion\",\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:layer:bench:1\"}","RevisionId":"00000000-0000-4000-8000-000000000000"}"#;

fn json(status: StatusCode, body: &'static str) -> (StatusCode, [(&'static str, &'static str); 1], &'static str) {
    (status, [("content-type", "application/json")], body)
}

fn main() {
    // The same runtime lambdalite picks (src/main.rs): current-thread when one CPU is available, as under the
    // benchmark's pinning, so the ratio compares the work done per request and not two runtime flavours.
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut builder = if cpus == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    builder.enable_all().build().expect("runtime").block_on(serve());
}

async fn serve() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".into());
    let policy = policy_body();
    let app = Router::new()
        .route(
            "/2015-03-31/functions/{name}/policy",
            get(move || async move { json(StatusCode::OK, policy) })
                .post(|_body: Bytes| async { json(StatusCode::CREATED, STATEMENT) }),
        )
        .route("/2015-03-31/functions/{name}/policy/{sid}", delete(|| async { StatusCode::NO_CONTENT }))
        .route(
            "/2018-10-31/layers/{name}/versions/{v}/policy",
            get(move || async move { json(StatusCode::OK, policy) })
                .post(|_body: Bytes| async { json(StatusCode::CREATED, LAYER_STATEMENT) }),
        )
        .route("/2018-10-31/layers/{name}/versions/{v}/policy/{sid}", delete(|| async { StatusCode::NO_CONTENT }))
        .route("/_lambdalite/health", get(|| async { json(StatusCode::OK, r#"{"status":"ok"}"#) }));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!("ceiling listening on http://{}", listener.local_addr().expect("addr"));
    // Exits on Ctrl-C so profilers (valgrind) see a normal exit and write their output.
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .expect("serve");
}
