//! HTTP-level robustness over real sockets: random and truncated bodies, wrong content types, huge headers, invalid
//! UTF-8 and percent-encoding in paths, bodies over the limit, slow clients that never finish their headers, and a
//! panicking handler. After each, the server must still answer correctly (`assert_healthy`).
//!
//! Also here: strict authentication (`--auth sigv4`) through the Rust SDK, right and wrong secrets, unknown keys and
//! a skewed signing clock (the SDK's own time source).

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, SystemTime};

use aws_sdk_lambda::error::ProvideErrorMetadata;
use common::{create_function, unique, TestServer};
use lambdalite::config::{AuthMode, Credentials};
use lambdalite::Config;

/// A parsed HTTP/1.1 response read off a raw socket.
#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Every answer the service gives must be a 2xx, or a 4xx in AWS shape: `x-amzn-ErrorType`, a request id and a
    /// JSON body with a message. Never a 5xx.
    fn assert_aws_shaped(&self, context: &str) {
        assert!(self.status < 500, "{context}: 5xx {} {}", self.status, String::from_utf8_lossy(&self.body));
        assert!(self.header("x-amzn-requestid").is_some(), "{context}: no request id");
        if self.status >= 400 {
            assert!(self.header("x-amzn-errortype").is_some(), "{context}: no error type ({})", self.status);
            let body = self.json();
            assert!(body.get("message").or_else(|| body.get("Message")).is_some(), "{context}: {body}");
        }
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

/// Reads one response (to Content-Length, or to EOF) from `s`; `None` when the server closed without answering.
fn read_response(s: &mut TcpStream) -> Option<Raw> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = buf[head_end + 4..].to_vec();
    let len = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse::<usize>().ok());
    match len {
        Some(len) => {
            while body.len() < len {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => body.extend_from_slice(&chunk[..n]),
                }
            }
            body.truncate(len);
        }
        None => {
            let _ = s.read_to_end(&mut body);
        }
    }
    Some(Raw { status, headers, body })
}

/// Sends raw request bytes on a fresh connection and reads the answer.
fn raw(addr: SocketAddr, request: &[u8]) -> Option<Raw> {
    let mut s = connect(addr);
    s.write_all(request).ok()?;
    read_response(&mut s)
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Run on a blocking thread: the raw-socket helpers block.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}

/// The server still does real work: create, read back, add a permission, list.
async fn assert_healthy(server: &TestServer) {
    let client = server.client();
    let name = unique("healthy");
    create_function(&client, &name).await;
    let got = client.get_function_configuration().function_name(&name).send().await.expect("get after abuse");
    assert_eq!(got.function_name(), Some(name.as_str()));
    client
        .add_permission()
        .function_name(&name)
        .statement_id("s")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .send()
        .await
        .expect("add_permission after abuse");
    let policy = client.get_policy().function_name(&name).send().await.expect("get_policy after abuse");
    assert!(policy.policy().unwrap_or("").contains(r#""Sid":"s""#));
}

/// A deterministic xorshift generator: the random inputs are the same on every run, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Characters that make random text look like JSON often enough to reach the deserializers.
const JSONISH: &[u8] = b"{}[]\":,0123456789abcdeftrulnTRUE\\ \n";

/// Every body-taking operation, with a path whose resources exist (so the body is what gets judged).
fn body_routes(function: &str) -> Vec<(&'static str, String)> {
    vec![
        ("POST", "/2015-03-31/functions".into()),
        ("PUT", format!("/2015-03-31/functions/{function}/configuration")),
        ("PUT", format!("/2015-03-31/functions/{function}/code")),
        ("POST", format!("/2015-03-31/functions/{function}/versions")),
        ("POST", format!("/2015-03-31/functions/{function}/aliases")),
        ("PUT", format!("/2015-03-31/functions/{function}/aliases/live")),
        ("POST", format!("/2015-03-31/functions/{function}/policy")),
        ("POST", "/2018-10-31/layers/robust-layer/versions".into()),
        ("POST", "/2018-10-31/layers/robust-layer/versions/1/policy".into()),
    ]
}

#[tokio::test]
async fn random_truncated_and_mistyped_bodies_get_aws_shaped_answers() {
    let server = common::start().await;
    let client = server.client();
    let function = unique("robust");
    create_function(&client, &function).await;
    let addr = server.addr;
    let routes = body_routes(&function);
    blocking(move || {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let valid = format!(
            r#"{{"FunctionName":"trunc-fn","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r","Handler":"index.handler","Code":{{"ZipFile":"{}"}},"Description":"ünï"}}"#,
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, common::zip_bytes("x"))
        );
        for (method, path) in &routes {
            // Random bytes, random printable JSON-ish text, and valid JSON of the wrong types.
            for round in 0..12 {
                let body = match round % 4 {
                    0 => {
                        let n = (rng.next() % 300) as usize;
                        rng.bytes(n)
                    }
                    1 => (0..(rng.next() % 200))
                        .map(|_| JSONISH[(rng.next() % JSONISH.len() as u64) as usize])
                        .collect(),
                    2 => br#"{"FunctionName":5,"StatementId":[],"Action":{},"Principal":null,"Name":true}"#.to_vec(),
                    _ => b"\xff\xfe{\"a\":1}".to_vec(),
                };
                let r = raw(addr, &request(method, path, &[], &body)).expect("answer");
                r.assert_aws_shaped(&format!("{method} {path} round {round}"));
            }
            for content_type in ["text/plain", "application/xml", "application/x-amz-json-1.1", "multipart/form-data"] {
                let r = raw(addr, &request(method, path, &[("Content-Type", content_type)], b"{}")).expect("answer");
                r.assert_aws_shaped(&format!("{method} {path} as {content_type}"));
            }
        }
        // A valid CreateFunction body cut at every length: each prefix is bad JSON, never a crash.
        let bytes = valid.as_bytes();
        for cut in (1..bytes.len()).step_by(7) {
            let r = raw(addr, &request("POST", "/2015-03-31/functions", &[], &bytes[..cut])).expect("answer");
            r.assert_aws_shaped(&format!("cut at {cut}"));
            assert_eq!(r.status, 400, "cut at {cut}");
            assert_eq!(r.header("x-amzn-errortype"), Some("InvalidRequestContentException"));
        }
        // The content type is not checked (SPEC §1): the whole body under text/plain still creates the function.
        let r = raw(addr, &request("POST", "/2015-03-31/functions", &[("Content-Type", "text/plain")], bytes))
            .expect("answer");
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    })
    .await;
    assert_healthy(&server).await;
}

#[tokio::test]
async fn body_declared_shorter_or_longer_than_sent() {
    let server = common::start().await;
    let addr = server.addr;
    blocking(move || {
        // Declares 100 bytes, sends 10, then half-closes: the body ends early.
        let mut s = connect(addr);
        s.write_all(b"POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":\"b\"}").unwrap();
        s.shutdown(std::net::Shutdown::Write).unwrap();
        if let Some(r) = read_response(&mut s) {
            assert!(r.status < 500, "{r:?}");
        }
        // Chunked encoding with a broken chunk size.
        let r = raw(
            addr,
            b"POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        );
        if let Some(r) = r {
            assert!(r.status < 500, "{r:?}");
        }
    })
    .await;
    assert_healthy(&server).await;
}

#[tokio::test]
async fn huge_and_numerous_headers_are_refused_without_harm() {
    let server = common::start().await;
    let addr = server.addr;
    blocking(move || {
        let big = "a".repeat(1 << 20);
        let r = raw(addr, &request("GET", "/2015-03-31/functions", &[("X-Big", &big)], b""));
        // hyper refuses an oversized head with 431 (or closes): never a 5xx, never a hang.
        if let Some(r) = r {
            assert_eq!(r.status, 431, "{r:?}");
        }
        let many: Vec<(String, String)> = (0..500).map(|i| (format!("X-H{i}"), "v".to_owned())).collect();
        let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if let Some(r) = raw(addr, &request("GET", "/2015-03-31/functions", &many, b"")) {
            assert_eq!(r.status, 431, "{r:?}");
        }
        // A large but acceptable header (8 KiB) is served normally.
        let ok = "b".repeat(8 << 10);
        let r = raw(addr, &request("GET", "/2015-03-31/functions", &[("X-Ok", &ok)], b"")).expect("answer");
        assert_eq!(r.status, 200);
    })
    .await;
    assert_healthy(&server).await;
}

#[tokio::test]
async fn invalid_utf8_and_percent_encoding_in_paths() {
    let server = common::start().await;
    let addr = server.addr;
    blocking(move || {
        let paths = [
            "/2015-03-31/functions/%FF%FE/configuration",
            "/2015-03-31/functions/%C0%AF/policy",
            "/2015-03-31/functions/%zz/policy",
            "/2015-03-31/functions/%/policy",
            "/2015-03-31/functions/%E2%82/aliases/%00",
            "/2015-03-31/functions/f/policy/%FF?Qualifier=%FF%00",
            "/2015-03-31/functions/f?Qualifier=%zz&Qualifier=1",
            "/2018-10-31/layers/%FF/versions/%FF",
            "/2018-10-31/layers/l/versions/99999999999999999999999/policy",
            "/2018-10-31/layers?find=LayerVersion&Arn=%FF%FE",
            "/2015-03-31/functions?MaxItems=%FF&Marker=%00",
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af%3A%FF",
        ];
        for path in paths {
            for method in ["GET", "POST", "DELETE", "PUT"] {
                let r = raw(addr, &request(method, path, &[], b"")).expect("answer");
                r.assert_aws_shaped(&format!("{method} {path}"));
                assert!(r.status >= 400, "{method} {path}: {}", r.status);
            }
        }
        // Raw non-UTF-8 bytes in the request line: hyper refuses the request itself (400), the server lives on.
        let mut bad = b"GET /2015-03-31/functions/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec();
        if let Some(r) = raw(addr, &bad) {
            assert!((400..500).contains(&r.status), "{r:?}");
        }
        bad = b"GARBAGE\r\n\r\n".to_vec();
        if let Some(r) = raw(addr, &bad) {
            assert!((400..500).contains(&r.status), "{r:?}");
        }
    })
    .await;
    assert_healthy(&server).await;
}

#[tokio::test]
async fn body_over_the_limit_is_413() {
    let server = common::start().await;
    let addr = server.addr;
    blocking(move || {
        let limit = 70_167_211usize;
        let total = limit + 1024;
        let mut s = connect(addr);
        s.write_all(
            format!("POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {total}\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
        // The server may answer (and close) before the whole body is sent; stop writing at the first error.
        let chunk = vec![b' '; 1 << 20];
        let mut sent = 0;
        while sent < total {
            let n = chunk.len().min(total - sent);
            if s.write_all(&chunk[..n]).is_err() {
                break;
            }
            sent += n;
        }
        let r = read_response(&mut s).expect("a 413 answer");
        assert_eq!(r.status, 413);
        assert_eq!(r.header("x-amzn-errortype"), Some("RequestEntityTooLargeException"));
        assert_eq!(
            r.json(),
            serde_json::json!({"Message": format!("Request must be smaller than {limit} bytes for the CreateFunction operation")})
        );
    })
    .await;
    assert_healthy(&server).await;
}

#[tokio::test]
async fn slow_clients_time_out_and_do_not_starve_others() {
    let server = common::start_with(Config { header_read_timeout_ms: 300, ..Config::default() }).await;
    let addr = server.addr;
    // Many connections that start a request and never finish its headers, plus some that send nothing at all.
    let mut stalled = blocking(move || {
        (0..64)
            .map(|i| {
                let mut s = connect(addr);
                if i % 2 == 0 {
                    s.write_all(b"POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Le").unwrap();
                }
                s
            })
            .collect::<Vec<_>>()
    })
    .await;
    // Meanwhile everyone else is served.
    assert_healthy(&server).await;
    // Each stalled connection is closed by the server (hyper answers 408 or just closes): a read returns, it does
    // not block until the 30 s socket timeout.
    let outcomes = blocking(move || {
        stalled
            .iter_mut()
            .map(|s| {
                let mut buf = Vec::new();
                match s.read_to_end(&mut buf) {
                    Ok(_) => Ok(String::from_utf8_lossy(&buf).into_owned()),
                    Err(e) => Err(e.kind()),
                }
            })
            .collect::<Vec<_>>()
    })
    .await;
    for (i, outcome) in outcomes.iter().enumerate() {
        match outcome {
            Ok(text) => assert!(text.is_empty() || text.starts_with("HTTP/1.1 408"), "connection {i}: {text:?}"),
            Err(kind) => assert_eq!(*kind, std::io::ErrorKind::ConnectionReset, "connection {i}"),
        }
    }
    assert_healthy(&server).await;
}

/// The header-read timeout is kept per connection (src/conn.rs): it runs from the first byte of each request on a
/// keep-alive connection, not from the connection's start, and a request's body may take longer than it.
#[tokio::test]
async fn the_header_timeout_counts_each_request_head_and_spares_bodies() {
    let server = common::start_with(Config { header_read_timeout_ms: 300, ..Config::default() }).await;
    let addr = server.addr;
    blocking(move || {
        let health = b"GET /_lambdalite/health HTTP/1.1\r\nHost: x\r\n\r\n";
        // A keep-alive connection idle for longer than the timeout between requests stays usable.
        let mut s = connect(addr);
        s.write_all(health).unwrap();
        assert_eq!(read_response(&mut s).expect("first answer").status, 200);
        std::thread::sleep(Duration::from_millis(700));
        s.write_all(health).unwrap();
        assert_eq!(read_response(&mut s).expect("answer after idling").status, 200);
        // Its next request stalls half-way through the head: the connection is closed.
        s.write_all(b"GET /_lambdalite/health HTTP/1.1\r\nHo").unwrap();
        let started = std::time::Instant::now();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        let waited = started.elapsed();
        assert!(rest.is_empty() || rest.starts_with(b"HTTP/1.1 408"), "{:?}", String::from_utf8_lossy(&rest));
        assert!(waited >= Duration::from_millis(250) && waited < Duration::from_secs(5), "closed after {waited:?}");

        // A body sent slowly, over more than the timeout, is read to the end and answered.
        let body = br#"{"FunctionName":"slow-upload","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r","Handler":"h","Code":{"ZipFile":""}}"#;
        let mut s = connect(addr);
        let head = format!(
            "POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        for chunk in body.chunks(body.len() / 4 + 1) {
            std::thread::sleep(Duration::from_millis(150));
            s.write_all(chunk).unwrap();
        }
        let answer = read_response(&mut s).expect("an answer to the slow body");
        // An AWS-shaped answer to the complete body (the empty zip is refused), not a cut connection.
        assert_eq!(answer.status, 400, "{:?}", String::from_utf8_lossy(&answer.body));
        assert!(answer.header("x-amzn-errortype").is_some());
    })
    .await;
    assert_healthy(&server).await;
}

#[tokio::test]
async fn a_panicking_handler_becomes_a_500_service_exception_and_the_server_keeps_serving() {
    let server = common::start_with(Config { test_panic_route: true, ..Config::default() }).await;
    let addr = server.addr;
    for _ in 0..3 {
        let r =
            blocking(move || raw(addr, &request("GET", "/_lambdalite/test/panic", &[], b"")).expect("answer")).await;
        assert_eq!(r.status, 500);
        assert_eq!(r.header("x-amzn-errortype"), Some("ServiceException"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(r.header("x-amzn-requestid").is_some());
        assert_eq!(
            r.json(),
            serde_json::json!({"Type": "Service", "Message": "An internal error occurred in lambdalite; see its log."})
        );
        assert_healthy(&server).await;
    }
    // Without the flag the route does not exist.
    let plain = common::start().await;
    let addr = plain.addr;
    let r = blocking(move || raw(addr, &request("GET", "/_lambdalite/test/panic", &[], b"")).expect("answer")).await;
    assert_eq!((r.status, r.header("x-amzn-errortype")), (404, Some("UnknownOperationException")));
}

// --- Strict authentication through the Rust SDK. ---

const CREDENTIALS: &str = "[alice]\naws_access_key_id = AKIAALICEEXAMPLE0001\naws_secret_access_key = alice-secret\n\
                           account_id = 111111111111\n\n[bob]\naws_access_key_id = 222222222222\n\
                           aws_secret_access_key = bob-secret\n";

async fn strict_server() -> TestServer {
    common::start_with(Config {
        auth: AuthMode::Sigv4,
        credentials: Some(Credentials::parse(CREDENTIALS).expect("credentials")),
        admin_token: Some("tok".into()),
        ..Config::default()
    })
    .await
}

fn sdk(server: &TestServer, key: &str, secret: &str, time: Option<SystemTime>) -> aws_sdk_lambda::Client {
    let mut conf = aws_sdk_lambda::Config::builder()
        .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
        .region(aws_sdk_lambda::config::Region::new("ap-southeast-2"))
        .credentials_provider(aws_sdk_lambda::config::Credentials::new(key, secret, None, None, "test"))
        .retry_config(aws_sdk_lambda::config::retry::RetryConfig::disabled())
        .endpoint_url(&server.url);
    if let Some(t) = time {
        conf = conf.time_source(aws_smithy_async::time::StaticTimeSource::new(t));
    }
    aws_sdk_lambda::Client::from_conf(conf.build())
}

#[tokio::test]
async fn sdk_right_secret_is_served_as_the_file_account() {
    let server = strict_server().await;
    let alice = sdk(&server, "AKIAALICEEXAMPLE0001", "alice-secret", None);
    let name = unique("auth");
    let out = create_function(&alice, &name).await;
    assert_eq!(
        out.function_arn(),
        Some(format!("arn:aws:lambda:ap-southeast-2:111111111111:function:{name}").as_str())
    );
    // A qualified ARN in the path (`:` and `$` percent-encoded, then double-encoded in the canonical URI).
    let arn = format!("arn:aws:lambda:ap-southeast-2:111111111111:function:{name}:$LATEST");
    let got = alice.get_function_configuration().function_name(&arn).send().await.expect("get by ARN");
    assert_eq!(got.function_name(), Some(name.as_str()));
    let bob = sdk(&server, "222222222222", "bob-secret", None);
    let listed = bob.list_functions().send().await.expect("bob lists");
    assert!(listed.functions().is_empty(), "bob's account is his own");
}

#[tokio::test]
async fn sdk_wrong_secret_unknown_key_and_skewed_clock_are_refused() {
    let server = strict_server().await;
    let cases: Vec<(aws_sdk_lambda::Client, &str, String)> = vec![
        (
            sdk(&server, "AKIAALICEEXAMPLE0001", "wrong", None),
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret \
             Access Key and signing method. Consult the service documentation for details."
                .into(),
        ),
        (
            sdk(&server, "AKIANOBODY", "x", None),
            "UnrecognizedClientException",
            "The security token included in the request is invalid.".into(),
        ),
        (
            sdk(&server, "AKIAALICEEXAMPLE0001", "alice-secret", Some(SystemTime::now() - Duration::from_secs(3600))),
            "InvalidSignatureException",
            "Signature expired: ".into(),
        ),
        (
            sdk(&server, "AKIAALICEEXAMPLE0001", "alice-secret", Some(SystemTime::now() + Duration::from_secs(3600))),
            "InvalidSignatureException",
            "Signature not yet current: ".into(),
        ),
    ];
    for (client, code, message) in cases {
        let err = client.list_functions().send().await.expect_err("refused").into_service_error();
        assert_eq!(err.code(), Some(code), "{err:?}");
        assert!(err.message().unwrap_or("").starts_with(&message), "{err:?}");
    }
    // Inside the window is fine.
    let slightly_off =
        sdk(&server, "AKIAALICEEXAMPLE0001", "alice-secret", Some(SystemTime::now() - Duration::from_secs(600)));
    slightly_off.list_functions().send().await.expect("10 minutes of skew is accepted");
}
