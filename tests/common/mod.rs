//! Shared test harness: a real lambdalite server on 127.0.0.1:0 in this process, and clients pointed at it.
#![allow(dead_code)]

use std::io::Write;
use std::net::SocketAddr;

use aws_sdk_lambda::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use lambdalite::{AppState, Config};
use tokio::sync::oneshot;

/// A server running on a free loopback port; stopped (gracefully) when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a server with default configuration.
pub async fn start() -> TestServer {
    start_with(Config { port: 0, ..Config::default() }).await
}

/// Starts a server with `config` (its host and port are replaced by 127.0.0.1:0).
pub async fn start_with(config: Config) -> TestServer {
    let config = Config { host: "127.0.0.1".into(), port: 0, ..config };
    start_app(AppState::new(config)).await
}

/// Serves `app` on 127.0.0.1:0.
pub async fn start_app(app: AppState) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(lambdalite::serve(listener, app, async move {
        let _ = rx.await;
    }));
    TestServer { addr, url: format!("http://{addr}"), stop: Some(tx) }
}

impl TestServer {
    /// An SDK client for the default account (non-numeric key) in us-east-1.
    pub fn client(&self) -> aws_sdk_lambda::Client {
        self.client_as("AKIDEXAMPLE", "us-east-1")
    }

    /// An SDK client signing with `access_key` in `region`; a 12-digit key is the account id.
    pub fn client_as(&self, access_key: &str, region: &str) -> aws_sdk_lambda::Client {
        aws_sdk_lambda::Client::from_conf(sdk_config(&self.url, access_key, region).build())
    }
}

/// A small valid zip holding one file.
pub fn zip_bytes(content: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        w.start_file("index.py", opts).expect("zip entry");
        w.write_all(content.as_bytes()).expect("zip write");
        w.finish().expect("zip finish");
    }
    buf.into_inner()
}

/// Creates a zip function `name` with python3.12 and returns its configuration.
pub async fn create_function(
    client: &aws_sdk_lambda::Client,
    name: &str,
) -> aws_sdk_lambda::operation::create_function::CreateFunctionOutput {
    client
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role("arn:aws:iam::000000000000:role/lambda-role")
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip_bytes("def handler(e, c): return 1"))).build())
        .send()
        .await
        .expect("create_function")
}

/// A unique name for a test resource.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// An SDK client for a server at `url`, signing with `access_key` in `region`.
pub fn client_for(url: &str, access_key: &str, region: &str) -> aws_sdk_lambda::Client {
    let conf = sdk_config(url, access_key, region)
        // One attempt: a retry could hide an error, or reach a server restarted on the same port.
        .retry_config(aws_sdk_lambda::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_lambda::Client::from_conf(conf)
}

/// The SDK configuration every test client starts from: `url`, `access_key` (a 12-digit key is the account id)
/// with any secret, `region`.
pub fn sdk_config(url: &str, access_key: &str, region: &str) -> aws_sdk_lambda::config::Builder {
    aws_sdk_lambda::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(Credentials::new(access_key, "secret", None, None, "test"))
        .endpoint_url(url)
}

/// The built `lambdalite` binary as a server process on 127.0.0.1 with a free port; killed by PID when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    pub url: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl ServerProcess {
    /// An SDK client for the default account in us-east-1.
    pub fn client(&self) -> aws_sdk_lambda::Client {
        self.client_as("AKIDEXAMPLE", "us-east-1")
    }

    pub fn client_as(&self, access_key: &str, region: &str) -> aws_sdk_lambda::Client {
        client_for(&self.url, access_key, region)
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }

    /// SIGTERM, then waits for the exit; whether it exited 0.
    pub fn terminate(mut self) -> bool {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid");
        // SAFETY: kill(2) on the PID of a child this test started and has not reaped yet.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        self.child.wait().expect("wait").success()
    }
}

/// How a server process that never got ready ended: its exit status and what it printed on stderr.
#[derive(Debug)]
pub struct EarlyExit {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Starts `lambdalite --host 127.0.0.1 <args>` (with `--port 0` unless `args` name a port) and waits for its ready
/// line; `Err` when it exits first. Its stderr goes to a file (a pipe nobody reads could fill up and stall it).
pub fn spawn_server(args: &[&str]) -> Result<ServerProcess, EarlyExit> {
    spawn_server_with(args, std::process::Command::new(env!("CARGO_BIN_EXE_lambdalite")))
}

/// [`spawn_server`] allowed to run on CPU 0 only, as the benchmark pins it: the server then picks its one-CPU
/// (current-thread) runtime.
pub fn spawn_server_on_one_cpu(args: &[&str]) -> Result<ServerProcess, EarlyExit> {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_lambdalite"));
    // SAFETY: between fork and exec the closure only calls sched_setaffinity(2) on the child itself with a cpu set
    // on its own stack; it allocates nothing and takes no lock.
    unsafe {
        command.pre_exec(|| {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(0, &mut set);
            if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    spawn_server_with(args, command)
}

fn spawn_server_with(args: &[&str], mut command: std::process::Command) -> Result<ServerProcess, EarlyExit> {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;
    let log = std::env::temp_dir().join(format!("lambdalite-test-{}.log", uuid::Uuid::new_v4().simple()));
    let stderr = std::fs::File::create(&log).expect("create the log file");
    let mut child = command
        .args(["--host", "127.0.0.1"])
        .args(if args.contains(&"--port") { &[][..] } else { &["--port", "0"][..] })
        .args(args)
        .env_remove("LAMBDALITE_PORT")
        .env_remove("LAMBDALITE_INIT")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("spawn lambdalite");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read the ready line");
    if let Some(url) = line.trim().strip_prefix("lambdalite listening on ") {
        let _ = std::fs::remove_file(&log);
        return Ok(ServerProcess { child, url: url.to_owned() });
    }
    let mut rest = String::new();
    let _ = stdout.read_to_string(&mut rest);
    let status = child.wait().expect("wait for lambdalite");
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    Err(EarlyExit { status, stdout: line + &rest, stderr })
}

/// `lambdalite state --endpoint-url <url>`: the server's export, parsed (run off the async runtime's threads).
pub async fn export_state(url: &str) -> serde_json::Value {
    let url = url.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_lambdalite"))
            .args(["state", "--endpoint-url", &url])
            .output()
            .expect("run lambdalite state")
    })
    .await
    .expect("join");
    assert!(out.status.success(), "lambdalite state failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the state is JSON")
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        let dir = std::env::temp_dir().join(unique(prefix));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A plain HTTP/1.1 GET of `url` (`http://host:port/path`) over loopback: (status, body). For admin endpoints and
/// code downloads, which no SDK call covers.
pub fn http_get(url: &str) -> (u16, Vec<u8>) {
    use std::io::Read;
    let rest = url.strip_prefix("http://").expect("http url");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut s = std::net::TcpStream::connect(authority).expect("connect");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("response head") + 4;
    let head = String::from_utf8_lossy(&raw[..split]);
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "chunked: {head}");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    (status, raw[split..].to_vec())
}
