//! Limits against the real binary over raw sockets: the connection cap (`--max-connections`), running out of file
//! descriptors under a low `ulimit -n` (the cap set above it), and the body-read timeout
//! (`--body-read-timeout-ms`) for a client that sends its headers and stalls its body.

mod common;
#[path = "common/faults.rs"]
mod faults;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use faults::{start_with, Server};

const HEALTH: &[u8] = b"GET /_lambdalite/health HTTP/1.1\r\nHost: x\r\n\r\n";

fn binary() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_lambdalite"))
}

fn connect(server: &Server) -> TcpStream {
    let s = TcpStream::connect(server.url.strip_prefix("http://").unwrap()).expect("connect");
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Reads one response head and its Content-Length body within `wait`: `Some(status, head, body)`, or `None` when
/// nothing came (timeout) or the server closed the connection without an answer.
fn answer(s: &mut TcpStream, wait: Duration) -> Option<(u16, String, String)> {
    s.set_read_timeout(Some(wait)).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let len = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let status = head.split(' ').nth(1)?.parse().ok()?;
            let body = String::from_utf8_lossy(&buf[end + 4..]).into_owned();
            return Some((status, head, body));
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// What the server did with a new connection that sent a request: closed it at once (EOF or reset, no bytes), or
/// nothing within `wait`.
fn closed_without_answer(s: &mut TcpStream, wait: Duration) -> bool {
    s.set_read_timeout(Some(wait)).unwrap();
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        Ok(0) => true,
        Ok(n) => panic!("answered: {:?}", String::from_utf8_lossy(&buf[..n])),
        Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe) => true,
        Err(_) => false,
    }
}

fn healthy(s: &mut TcpStream) -> bool {
    s.write_all(HEALTH).is_ok() && answer(s, Duration::from_secs(5)).is_some_and(|(status, _, _)| status == 200)
}

#[test]
fn connections_beyond_the_cap_are_closed_at_once_and_served_again_after_release() {
    let server = start_with(binary(), &["--max-connections", "8"], &[("RUST_LOG", "warn")]).expect("starts");
    // Eight connections in use, each served.
    let mut held: Vec<TcpStream> = (0..8).map(|_| connect(&server)).collect();
    for s in &mut held {
        assert!(healthy(s), "a connection within the cap is served");
    }
    // A ninth is closed at once, without an answer, however long it waits.
    let started = Instant::now();
    let mut extra = connect(&server);
    let _ = extra.write_all(HEALTH);
    assert!(closed_without_answer(&mut extra, Duration::from_secs(5)), "the ninth connection is closed");
    assert!(started.elapsed() < Duration::from_secs(2), "at once: {:?}", started.elapsed());
    // The ones in use are unaffected.
    for s in &mut held {
        assert!(healthy(s), "an existing connection keeps working");
    }
    // One ends: a new connection is served again (the slot is freed when the server sees the close).
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut s = connect(&server);
        if healthy(&mut s) {
            break;
        }
        assert!(Instant::now() < deadline, "a new connection is served after one ended");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(server.log_says("too many connections (--max-connections)"), "{}", server.log());
    println!("connection cap: 8 served, the 9th closed in {:?}, served again after a release", started.elapsed());
}

#[test]
fn running_out_of_file_descriptors_keeps_existing_connections_and_recovers() {
    use std::os::unix::process::CommandExt;
    const LIMIT: u64 = 64;
    let mut command = binary();
    // SAFETY: between fork and exec only setrlimit(2) on the child itself, with a struct on its stack.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: LIMIT, rlim_max: LIMIT };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    // The cap above the limit, so it is the descriptors that run out.
    let server = start_with(command, &["--max-connections", "100000"], &[("RUST_LOG", "warn")]).expect("starts");
    // More connections than descriptors: the kernel completes them all (the listen backlog); the server accepts
    // until accept fails with EMFILE, then backs off.
    let mut all: Vec<TcpStream> = (0..2 * LIMIT).map(|_| connect(&server)).collect();
    for s in &mut all {
        s.write_all(HEALTH).unwrap();
    }
    // Whatever is answered is answered quickly; then the rest is waiting.
    std::thread::sleep(Duration::from_millis(500));
    let (mut served, mut waiting) = (Vec::new(), Vec::new());
    for mut s in all {
        match answer(&mut s, Duration::from_millis(5)) {
            Some((200, _, _)) => served.push(s),
            Some(other) => panic!("unexpected answer {other:?}"),
            None => waiting.push(s),
        }
    }
    println!("ulimit -n {LIMIT}: {} connections served, {} waiting for a descriptor", served.len(), waiting.len());
    assert!(!served.is_empty() && !waiting.is_empty(), "the descriptors ran out part way");
    assert!(server.log_says("accept failed"), "{}", server.log());
    // Existing connections keep working.
    for s in &mut served {
        assert!(healthy(s), "an existing connection keeps working while descriptors are exhausted");
    }
    // Descriptors come back: the waiting connections are accepted and answered, and new ones are served.
    let waiting_count = waiting.len();
    drop(served);
    let started = Instant::now();
    let mut answered = 0;
    // Each is closed once answered, so the ones behind it get its descriptor.
    for mut s in waiting {
        if answer(&mut s, Duration::from_secs(10)).is_some_and(|(status, _, _)| status == 200) {
            answered += 1;
        }
    }
    assert_eq!(answered, waiting_count, "every waiting connection was served once descriptors were free");
    let mut fresh = connect(&server);
    assert!(healthy(&mut fresh), "a new connection is served");
    println!("after the release: {answered} waiting connections served in {:?}", started.elapsed());
}

#[test]
fn a_body_that_stalls_is_answered_408_and_its_connection_closed() {
    let server = start_with(binary(), &["--body-read-timeout-ms", "300"], &[("RUST_LOG", "warn")]).expect("starts");
    // Headers and 10 of 100 bytes, then nothing.
    let mut stalled = connect(&server);
    let started = Instant::now();
    stalled
        .write_all(b"POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"Functio")
        .unwrap();
    // Meanwhile others are served.
    let mut other = connect(&server);
    assert!(healthy(&mut other));
    let (status, head, body) = answer(&mut stalled, Duration::from_secs(10)).expect("an answer to the stalled body");
    let waited = started.elapsed();
    assert_eq!(status, 408, "{head}\n{body}");
    let head = head.to_ascii_lowercase();
    assert!(head.contains("x-amzn-errortype: requesttimeoutexception"), "{head}");
    assert!(head.contains("x-amzn-requestid:"), "{head}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
    assert_eq!(json["message"], "no byte of the request body arrived for 300 ms", "{body}");
    assert!(waited >= Duration::from_millis(280) && waited < Duration::from_secs(5), "answered after {waited:?}");
    // The connection is closed after the answer (its request was never complete).
    assert!(closed_without_answer(&mut stalled, Duration::from_secs(5)), "closed after the 408");

    // A body that keeps moving, slower than the timeout in total but never idle that long, is read and answered.
    let body = br#"{"FunctionName":"slow-upload","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r","Handler":"h","Code":{"ZipFile":""}}"#;
    let mut slow = connect(&server);
    let head = format!(
        "POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    slow.write_all(head.as_bytes()).unwrap();
    for chunk in body.chunks(body.len() / 5 + 1) {
        std::thread::sleep(Duration::from_millis(150));
        slow.write_all(chunk).unwrap();
    }
    let (status, _, answer_body) = answer(&mut slow, Duration::from_secs(10)).expect("an answer to the slow body");
    // The empty zip is refused: an AWS-shaped answer to the complete body, not a timeout.
    assert_eq!(status, 400, "{answer_body}");
    assert!(healthy(&mut slow), "the connection stays usable");
    println!("stalled body answered 408 after {waited:?}; a slow but moving body was read to the end");
}

// --- The code storage cap (--code-storage-limit), through the Rust SDK. ---

async fn create_with(c: &aws_sdk_lambda::Client, name: &str, zip: &[u8]) -> Result<u64, String> {
    c.create_function()
        .function_name(name)
        .runtime(aws_sdk_lambda::types::Runtime::Python312)
        .role("arn:aws:iam::000000000000:role/lambda-role")
        .handler("index.handler")
        .code(
            aws_sdk_lambda::types::FunctionCode::builder().zip_file(aws_sdk_lambda::primitives::Blob::new(zip)).build(),
        )
        .send()
        .await
        .map(|out| out.code_size as u64)
        .map_err(|e| storage_error(e.into_service_error().meta()))
}

/// The code and message of a refusal, which must be `CodeStorageExceededException`.
fn storage_error(meta: &aws_sdk_lambda::error::ErrorMetadata) -> String {
    assert_eq!(meta.code(), Some("CodeStorageExceededException"), "{meta:?}");
    meta.message().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn code_beyond_the_storage_limit_is_refused_until_some_is_deleted() {
    use aws_sdk_lambda::types::LayerVersionContentInput;
    let zip = |seed: u64| common::zip_bytes(&faults::incompressible(seed, 100 << 10));
    let size = zip(1).len() as u64;
    let limit = 3 * size + size / 2;
    let server =
        common::start_with(lambdalite::Config { code_storage_limit: limit, ..lambdalite::Config::default() }).await;
    let c = server.client();
    for (i, name) in ["one", "two", "three"].iter().enumerate() {
        assert_eq!(create_with(&c, name, &zip(i as u64)).await, Ok(size));
    }
    // A fourth is refused with AWS's text and stored nowhere.
    assert_eq!(create_with(&c, "four", &zip(4)).await, Err("Code storage limit exceeded.".to_owned()));
    assert!(c.get_function().function_name("four").send().await.is_err());
    // The limit is the server's, for every account and region (lambdalite's deviation: AWS's is per account).
    let other = server.client_as("111111111111", "eu-west-1");
    assert_eq!(create_with(&other, "theirs", &zip(5)).await, Err("Code storage limit exceeded.".to_owned()));
    // Publishing a version counts its code again, as AWS counts it.
    let e = c.publish_version().function_name("one").send().await.expect_err("refused");
    assert_eq!(storage_error(e.into_service_error().meta()), "Code storage limit exceeded.");
    // Replacing code frees the old: the same size fits; with Publish it needs room for the version too.
    c.update_function_code().function_name("one").zip_file(zip(6).into()).send().await.expect("same size fits");
    let e = c.update_function_code().function_name("two").zip_file(zip(7).into()).publish(true).send().await;
    assert_eq!(storage_error(e.expect_err("refused").into_service_error().meta()), "Code storage limit exceeded.");
    let content = |seed| LayerVersionContentInput::builder().zip_file(zip(seed).into()).build();
    let e = c.publish_layer_version().layer_name("l").content(content(8)).send().await.expect_err("refused");
    assert_eq!(storage_error(e.into_service_error().meta()), "Code storage limit exceeded.");
    // Deleting gives the room back.
    c.delete_function().function_name("three").send().await.unwrap();
    c.publish_layer_version().layer_name("l").content(content(9)).send().await.expect("fits after a delete");
    assert_eq!(create_with(&c, "four", &zip(4)).await, Err("Code storage limit exceeded.".to_owned()));

    // The body, raw: 400 with Type and lowercase message (the model's shape).
    let body = format!(
        r#"{{"FunctionName":"raw","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r","Handler":"h","Code":{{"ZipFile":"{}"}}}}"#,
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, zip(10))
    );
    let addr = server.addr;
    let raw = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        answer(&mut s, Duration::from_secs(10)).expect("answer")
    })
    .await
    .unwrap();
    assert_eq!(raw.0, 400);
    assert!(raw.1.to_ascii_lowercase().contains("x-amzn-errortype: codestorageexceededexception"), "{}", raw.1);
    assert_eq!(raw.2, r#"{"Type":"User","message":"Code storage limit exceeded."}"#);
}
