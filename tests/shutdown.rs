//! Graceful shutdown of the real binary: SIGTERM while uploads are in flight. The uploads complete (201), new
//! connections are refused, idle and silent connections do not hold the process, and it exits 0 within 2 s.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The lambdalite process this test started; killed (by its own PID) if the test fails before it exits.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn start() -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lambdalite"))
        .args(["--host", "127.0.0.1", "--port", "0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start lambdalite");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("ready line");
    let url = line.trim().strip_prefix("lambdalite listening on http://").expect("ready line format").to_owned();
    Server { child, addr: url.parse().expect("address") }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Reads one response with a Content-Length body; returns (status, body).
fn read_response(s: &mut TcpStream) -> (u16, String) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).expect("read head");
        assert!(n > 0, "connection closed before a response: {}", String::from_utf8_lossy(&buf));
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    let len = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).expect("read body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A CreateFunction body of about 3 MB (a stored zip of incompressible-looking text), so it can be sent in parts.
fn create_body(name: &str) -> Vec<u8> {
    let mut zip = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut zip);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        w.start_file("index.py", opts).unwrap();
        let filler: String =
            (0..2_000_000u32).map(|i| char::from(b'a' + (i.wrapping_mul(2_654_435_761) >> 27) as u8 % 26)).collect();
        w.write_all(format!("# {filler}\ndef handler(e, c): return 1\n").as_bytes()).unwrap();
        w.finish().unwrap();
    }
    format!(
        r#"{{"FunctionName":"{name}","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r","Handler":"index.handler","Code":{{"ZipFile":"{}"}}}}"#,
        STANDARD.encode(zip.into_inner())
    )
    .into_bytes()
}

#[test]
fn sigterm_completes_in_flight_requests_refuses_new_connections_and_exits_zero() {
    let mut server = start();
    let addr = server.addr;

    // In-flight uploads: each connection is first proven served (a complete keep-alive request), then starts a
    // CreateFunction whose body is only half sent.
    let names: Vec<String> = (0..4).map(|i| format!("shutdown-{i}")).collect();
    let bodies: Vec<Vec<u8>> = names.iter().map(|n| create_body(n)).collect();
    let mut uploads: Vec<TcpStream> = Vec::new();
    for body in &bodies {
        let mut s = connect(addr);
        s.write_all(b"GET /2015-03-31/functions HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(read_response(&mut s).0, 200);
        let head = format!("POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", body.len());
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&body[..body.len() / 2]).unwrap();
        uploads.push(s);
    }
    // An idle keep-alive connection and one that never sends a byte must not hold the shutdown.
    let mut idle = connect(addr);
    idle.write_all(b"GET /_lambdalite/health HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut idle).0, 200);
    let _silent = connect(addr);
    // Give the server a moment to read the upload heads (the only wait that is not on an observable event).
    std::thread::sleep(Duration::from_millis(300));

    let pid = server.child.id() as libc::pid_t;
    // SAFETY: kill(2) on the PID of the child this test spawned and still owns (it has not been waited for).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);

    // New connections are refused once the listener is closed (poll until then, bounded).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
            _ if Instant::now() > deadline => panic!("new connections still accepted 5 s after SIGTERM"),
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }

    // The in-flight uploads finish and are answered in full.
    for ((mut s, body), name) in uploads.into_iter().zip(&bodies).zip(&names) {
        s.write_all(&body[body.len() / 2..]).expect("rest of the upload");
        let (status, text) = read_response(&mut s);
        assert_eq!(status, 201, "{name}: {text}");
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(json["FunctionName"], name.as_str());
    }
    let finished = Instant::now();

    // The process exits 0, promptly.
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("try_wait") {
            break status;
        }
        assert!(finished.elapsed() < Duration::from_secs(2), "still running 2 s after the last in-flight request");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "exit status {status:?}");
    // The idle keep-alive connection was closed, not left hanging.
    let mut rest = Vec::new();
    assert_eq!(idle.read_to_end(&mut rest).map(|_| rest.len()).unwrap_or(0), 0);
}
