//! Soak test: a long run of mixed requests through keep-alive connections against the real binary, with functions
//! and layer versions created and deleted all along; no answer may be a 5xx (nor anything but what the request
//! should get), and once the state is reset the server's resident memory must be back within a few MiB of where
//! it was after a warm-up round that did the same on a smaller scale.
//!
//! The client is raw HTTP/1.1 over `std::net::TcpStream`, one thread per connection, so it is not the bottleneck.
//! `SOAK_REQUESTS` (default 200,000: the suite's short run against the debug binary it builds) and
//! `SOAK_CONNECTIONS` (default 16) size it, and `SOAK_BINARY` names another server binary. The long run, a few
//! million requests against the release build:
//!
//! ```sh
//! cargo build --release --bin lambdalite
//! SOAK_BINARY=target/release/lambdalite SOAK_REQUESTS=3000000 cargo test --test soak -- --nocapture
//! ```
//!
//! The figures are printed with `--nocapture`.

mod common;
#[path = "common/faults.rs"]
mod faults;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::Engine;
use faults::{start_with, Server};

/// The allowed growth of resident memory between the warm-up baseline and the end, both after a reset.
const RSS_SLACK_KIB: u64 = 6 * 1024;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One keep-alive connection and a reusable read buffer.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn open(authority: &str) -> Conn {
        let stream = TcpStream::connect(authority).expect("connect");
        stream.set_nodelay(true).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        Conn { stream, buf: Vec::with_capacity(16 << 10) }
    }

    /// Sends one request and reads its answer: (status, body).
    fn call(&mut self, method: &str, path: &str, body: &str) -> (u16, String) {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream.write_all(request.as_bytes()).expect("send");
        self.buf.clear();
        let mut chunk = [0u8; 16 << 10];
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let n = self.stream.read(&mut chunk).expect("read");
            assert!(n > 0, "{method} {path}: connection closed");
            self.buf.extend_from_slice(&chunk[..n]);
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).unwrap();
        let status: u16 = head[9..12].parse().unwrap();
        let len: usize = head
            .split("\r\n")
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        while self.buf.len() < head_end + 4 + len {
            let n = self.stream.read(&mut chunk).expect("read body");
            assert!(n > 0, "{method} {path}: body cut");
            self.buf.extend_from_slice(&chunk[..n]);
        }
        let body = String::from_utf8_lossy(&self.buf[head_end + 4..head_end + 4 + len]).into_owned();
        (status, body)
    }

    /// [`Conn::call`] that must get `want`.
    fn expect(&mut self, want: u16, method: &str, path: &str, body: &str) -> String {
        let (status, answer) = self.call(method, path, body);
        assert!(status < 500, "{method} {path}: a 5xx: {status} {answer}");
        assert_eq!(status, want, "{method} {path}: {answer}");
        answer
    }
}

fn zip_b64(content: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(common::zip_bytes(content))
}

fn create_body(name: &str, code: &str) -> String {
    format!(
        r#"{{"FunctionName":"{name}","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r","Handler":"index.handler","Code":{{"ZipFile":"{code}"}}}}"#
    )
}

/// One connection's share: `n` requests of a fixed mix, over resources it owns (`c{id}-*`) and the shared `soak`
/// function. Returns how many requests it sent.
fn client(authority: String, id: usize, n: u64) -> u64 {
    let mut c = Conn::open(&authority);
    let own = format!("c{id}");
    c.expect(201, "POST", "/2015-03-31/functions", &create_body(&own, &zip_b64(&own)));
    let mut sent = 1u64;
    let mut i = 0u64;
    while sent < n {
        i += 1;
        let step = i % 100;
        match step {
            // Writes on the client's own function: a statement added and removed.
            0 | 25 | 50 | 75 => {
                let sid = format!("s{i}");
                let body = format!(
                    r#"{{"StatementId":"{sid}","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com","SourceArn":"arn:aws:s3:::b{i}"}}"#
                );
                c.expect(201, "POST", &format!("/2015-03-31/functions/{own}/policy"), &body);
                c.expect(204, "DELETE", &format!("/2015-03-31/functions/{own}/policy/{sid}"), "");
                sent += 2;
            }
            // A function created (new code each time) and deleted.
            10 => {
                let name = format!("{own}-f{i}");
                c.expect(201, "POST", "/2015-03-31/functions", &create_body(&name, &zip_b64(&name)));
                c.expect(200, "GET", &format!("/2015-03-31/functions/{name}"), "");
                c.expect(204, "DELETE", &format!("/2015-03-31/functions/{name}"), "");
                sent += 3;
            }
            // A layer version published and deleted.
            60 => {
                let layer = format!("{own}-layer");
                let body = format!(r#"{{"Content":{{"ZipFile":"{}"}}}}"#, zip_b64(&format!("{layer} {i}")));
                let out = c.expect(201, "POST", &format!("/2018-10-31/layers/{layer}/versions"), &body);
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                let version = v["Version"].as_u64().unwrap();
                c.expect(204, "DELETE", &format!("/2018-10-31/layers/{layer}/versions/{version}"), "");
                sent += 2;
            }
            // Reads: the shared function's policy and configuration, the client's own, listings, a miss, health.
            s if s % 4 == 1 => {
                c.expect(200, "GET", "/2015-03-31/functions/soak/policy", "");
                sent += 1;
            }
            s if s % 4 == 2 => {
                c.expect(200, "GET", &format!("/2015-03-31/functions/{own}/configuration"), "");
                sent += 1;
            }
            s if s % 10 == 3 => {
                c.expect(200, "GET", "/2015-03-31/functions?MaxItems=10", "");
                sent += 1;
            }
            s if s % 10 == 7 => {
                c.expect(404, "GET", &format!("/2015-03-31/functions/{own}-missing"), "");
                sent += 1;
            }
            _ => {
                c.expect(200, "GET", "/_lambdalite/health", "");
                sent += 1;
            }
        }
    }
    sent
}

/// Sets up the shared function and runs `total` requests over `connections` connections; returns the count.
fn round(server: &Server, total: u64, connections: usize) -> u64 {
    let authority = server.url.strip_prefix("http://").unwrap().to_owned();
    let mut setup = Conn::open(&authority);
    setup.expect(201, "POST", "/2015-03-31/functions", &create_body("soak", &zip_b64("soak")));
    for s in 0..5 {
        let body = format!(
            r#"{{"StatementId":"shared{s}","Action":"lambda:InvokeFunction","Principal":"sns.amazonaws.com"}}"#
        );
        setup.expect(201, "POST", "/2015-03-31/functions/soak/policy", &body);
    }
    let per = total / connections as u64;
    let threads: Vec<_> = (0..connections)
        .map(|id| {
            let authority = authority.clone();
            std::thread::spawn(move || client(authority, id, per))
        })
        .collect();
    let sent: u64 = threads.into_iter().map(|t| t.join().expect("client thread")).sum();
    sent + 6
}

fn reset(server: &Server) {
    let (status, _) = server.http("POST", "/_lambdalite/reset", "");
    assert_eq!(status, 204);
}

/// The resident memory once it has settled (the allocator may return freed memory a little late).
fn settled_rss(server: &Server) -> u64 {
    std::thread::sleep(Duration::from_millis(300));
    server.rss_kib()
}

#[test]
fn a_long_mixed_run_gets_no_5xx_and_gives_its_memory_back() {
    let total = env_number("SOAK_REQUESTS", 200_000);
    let connections = env_number("SOAK_CONNECTIONS", 16) as usize;
    let path = std::env::var("SOAK_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_lambdalite").to_owned());
    println!("soak: {total} requests against {path}");
    let binary = std::process::Command::new(&path);
    let server = start_with(binary, &[], &[("RUST_LOG", "warn")]).expect("starts");
    let at_start = server.rss_kib();

    // Warm-up: the same mix on a tenth of the scale, then a reset: the baseline.
    let warmup = round(&server, (total / 10).max(20_000), connections);
    reset(&server);
    let baseline = settled_rss(&server);

    let started = Instant::now();
    let sent = round(&server, total, connections);
    let elapsed = started.elapsed();
    let at_end = server.rss_kib();
    reset(&server);
    let after_reset = settled_rss(&server);
    assert!(server.log().lines().all(|l| !l.contains(" ERROR ")), "{}", server.log());

    println!(
        "soak: {sent} requests over {connections} keep-alive connections in {:.1} s ({:.0}/s), no 5xx; resident \
         memory: {} KiB at start, {} KiB after the warm-up ({warmup} requests) and a reset, {} KiB at the end, {} KiB \
         after a reset ({:+} KiB against the baseline)",
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64(),
        at_start,
        baseline,
        at_end,
        after_reset,
        after_reset as i64 - baseline as i64,
    );
    assert!(sent >= total * 9 / 10, "{sent} of {total}");
    assert!(
        after_reset <= baseline + RSS_SLACK_KIB,
        "resident memory after the reset ({after_reset} KiB) is more than {RSS_SLACK_KIB} KiB above the baseline \
         ({baseline} KiB)"
    );
}
