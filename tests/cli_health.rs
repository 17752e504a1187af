//! `lambdalite health` as a container HEALTHCHECK runs it: the built binary, as a process, against a real server
//! process on loopback (healthy → exit 0) and against a port nothing listens on (→ non-zero).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_lambdalite");

/// A `lambdalite` server process on 127.0.0.1 with a free port; killed by PID when dropped.
struct ServerProcess {
    child: Child,
    url: String,
}

impl ServerProcess {
    fn start() -> ServerProcess {
        let mut child = Command::new(BIN)
            .args(["--host", "127.0.0.1", "--port", "0"])
            // The server's own environment must not leak into the probe's defaults (and vice versa).
            .env_remove("LAMBDALITE_PORT")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn lambdalite");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read ready line");
        let url = match line.trim().strip_prefix("lambdalite listening on ") {
            Some(url) => url.to_owned(),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("unexpected first line from lambdalite: {line:?}");
            }
        };
        ServerProcess { child, url }
    }

    fn port(&self) -> u16 {
        self.url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port in ready line")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn health(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("health").args(args).env_remove("LAMBDALITE_PORT").env_remove("LAMBDALITE_ENDPOINT_URL");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run lambdalite health")
}

/// A loopback port with no listener: bind port 0, note the port, close it.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

#[test]
fn health_exits_zero_against_a_running_server() {
    let server = ServerProcess::start();
    let out = health(&["--endpoint-url", &server.url], &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the health JSON");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn health_without_endpoint_uses_lambdalite_port() {
    // What the image's HEALTHCHECK relies on: the server and the probe read the same LAMBDALITE_PORT.
    let server = ServerProcess::start();
    let port = server.port().to_string();
    let out = health(&[], &[("LAMBDALITE_PORT", &port)]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn health_reads_lambdalite_endpoint_url() {
    let server = ServerProcess::start();
    let out = health(&[], &[("LAMBDALITE_ENDPOINT_URL", &server.url)]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn health_exits_non_zero_when_nothing_listens() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let out = health(&["--endpoint-url", &url], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot connect"), "stderr: {stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn health_exits_non_zero_after_the_server_is_killed() {
    let mut server = ServerProcess::start();
    let url = server.url.clone();
    assert_eq!(health(&["--endpoint-url", &url], &[]).status.code(), Some(0));
    server.child.kill().expect("kill server");
    server.child.wait().expect("reap server");
    assert_eq!(health(&["--endpoint-url", &url], &[]).status.code(), Some(1));
}

#[test]
fn health_exits_non_zero_when_the_server_is_not_lambdalite() {
    // Something else on the port answers 404 at /_lambdalite/health: a plain HTTP server made here.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let other = std::thread::spawn(move || {
        use std::io::{Read, Write};
        // Non-blocking with a deadline, so a probe that never connects fails this test instead of hanging it.
        listener.set_nonblocking(true).expect("nonblocking");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut s = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                Err(e) => panic!("the probe never connected: {e}"),
            }
        };
        s.set_nonblocking(false).expect("blocking");
        let mut buf = [0u8; 1024];
        let _ = s.read(&mut buf);
        s.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot found")
            .expect("write");
    });
    let out = health(&["--endpoint-url", &url], &[]);
    other.join().expect("fake server thread");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 404"));
}

#[test]
fn health_refuses_a_non_http_endpoint_with_a_failure_code() {
    let out = health(&["--endpoint-url", "https://127.0.0.1:4566"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("http://"));
}

#[test]
fn server_flags_and_health_subcommand_do_not_mix() {
    // `lambdalite --port 1 health` would be ambiguous: clap refuses it as a usage error (exit 2).
    let out = Command::new(BIN).args(["--port", "1", "health"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}
