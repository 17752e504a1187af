//! The request log as an operator reads it: the built binary as a process, driven by the AWS SDK, its stderr
//! parsed line by line. One line per request, naming the operation, the caller's account and region, the status,
//! the AWS error code, the latency and the request id the client saw. Lines are written in batches a few
//! milliseconds apart, and whatever ends the server, none waiting is lost.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aws_sdk_lambda::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_lambda::operation::RequestId;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_lambdalite");

/// A `lambdalite` process on 127.0.0.1 with a free port and its stderr piped; killed by PID when dropped.
struct ServerProcess {
    child: Child,
    url: String,
}

impl ServerProcess {
    fn start(args: &[&str], rust_log: &str) -> ServerProcess {
        let mut child = Command::new(BIN)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .env("RUST_LOG", rust_log)
            .env_remove("LAMBDALITE_LOG_FORMAT")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
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

    fn client(&self, access_key: &str, region: &str) -> aws_sdk_lambda::Client {
        let conf = aws_sdk_lambda::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .credentials_provider(Credentials::new(access_key, "secret", None, None, "test"))
            .endpoint_url(&self.url)
            .build();
        aws_sdk_lambda::Client::from_conf(conf)
    }

    /// Stops the server as `docker stop` does (SIGTERM) and returns everything it wrote to stderr. A line may still
    /// wait for its batch when the client has its response; a stopped server writes it before exiting.
    fn stop(mut self) -> String {
        // SAFETY: kill(2) on the PID of the child this test spawned and still owns (it has not been waited for).
        assert_eq!(unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) }, 0);
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(self.child.try_wait(), Ok(None)) {
            assert!(Instant::now() < deadline, "lambdalite still running 10 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut err = String::new();
        self.child.stderr.take().expect("stderr").read_to_string(&mut err).expect("read stderr");
        err
    }

    /// Stderr's lines as they are written, read on a thread of their own.
    fn stderr_lines(&mut self) -> mpsc::Receiver<String> {
        let stderr = BufReader::new(self.child.stderr.take().expect("stderr"));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        rx
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn json_log_has_one_object_per_request_with_the_expected_fields() {
    let server = ServerProcess::start(&["--log-format", "json"], "info");
    let client = server.client("123456789012", "eu-west-1");
    let ok = client.list_functions().send().await.expect("list_functions");
    let ok_id = ok.request_id().expect("request id").to_owned();
    let err = client.get_function().function_name("missing").send().await.expect_err("no such function");
    let err_id = err.request_id().expect("request id").to_owned();
    let log = server.stop();

    let mut requests = Vec::new();
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let json: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        if json["target"] == "lambdalite::request" {
            requests.push(json);
        }
    }
    assert_eq!(requests.len(), 2, "{log}");
    let find = |id: &str| requests.iter().find(|r| r["request_id"] == id).unwrap_or_else(|| panic!("{id}: {log}"));

    let ok = find(&ok_id);
    assert_eq!(ok["operation"], "ListFunctions");
    assert_eq!(ok["account"], "123456789012");
    assert_eq!(ok["region"], "eu-west-1");
    assert_eq!(ok["status"], 200);
    assert_eq!(ok["error"], "");
    assert_eq!(ok["method"], "GET");
    assert_eq!(ok["level"], "INFO");
    assert!(ok["latency_us"].is_u64(), "{ok}");

    let failed = find(&err_id);
    assert_eq!(failed["operation"], "GetFunction");
    assert_eq!(failed["account"], "123456789012");
    assert_eq!(failed["region"], "eu-west-1");
    assert_eq!(failed["status"], 404);
    assert_eq!(failed["error"], "ResourceNotFoundException");
    assert_eq!(failed["path"], "/2015-03-31/functions/missing");
    assert!(failed["latency_us"].is_u64(), "{failed}");
}

#[tokio::test]
async fn text_log_names_account_and_region_and_admin_routes() {
    let server = ServerProcess::start(&[], "info");
    let client = server.client("AKIDEXAMPLE", "ap-south-1");
    client.list_functions().send().await.expect("list_functions");
    let url = server.url.clone();
    // An admin route gets a name of its own rather than "Unknown"; no credentials, so the configured defaults.
    let health = tokio::task::spawn_blocking(move || {
        Command::new(BIN).args(["health", "--endpoint-url", &url]).output().expect("health")
    })
    .await
    .unwrap();
    assert_eq!(health.status.code(), Some(0));
    let log = server.stop();

    // Piped (as in CI or `2> file`), the text format carries no terminal colour codes.
    assert!(!log.contains('\u{1b}'), "{log}");
    let list = log.lines().find(|l| l.contains("operation=\"ListFunctions\"")).unwrap_or_else(|| panic!("{log}"));
    // A non-numeric access key falls back to the configured account; the region comes from the credential scope.
    assert!(list.contains("account=000000000000") && list.contains("region=ap-south-1"), "{list}");
    assert!(list.contains("status=200"), "{list}");
    let health = log.lines().find(|l| l.contains("operation=\"Lambdalite.Health\"")).unwrap_or_else(|| panic!("{log}"));
    assert!(health.contains("region=us-east-1"), "{health}");
}

#[tokio::test]
async fn filtered_request_lines_are_not_written() {
    let server = ServerProcess::start(&["--log-format", "json"], "warn");
    let client = server.client("123456789012", "eu-west-1");
    client.list_functions().send().await.expect("list_functions");
    client.get_function().function_name("missing").send().await.expect_err("no such function");
    let log = server.stop();
    assert!(!log.contains("lambdalite::request"), "{log}");
}

#[tokio::test]
async fn a_request_line_is_written_while_the_server_runs() {
    let mut server = ServerProcess::start(&[], "info");
    let lines = server.stderr_lines();
    let client = server.client("123456789012", "eu-west-1");
    client.list_functions().send().await.expect("list_functions");
    let answered = Instant::now();
    // A few milliseconds after the request (the batch delay); the generous limit is for a loaded CI machine.
    let line = tokio::task::spawn_blocking(move || loop {
        match lines.recv_timeout(Duration::from_secs(5)) {
            Ok(line) if line.contains("operation=\"ListFunctions\"") => return line,
            Ok(_) => continue,
            Err(e) => panic!("no request line within 5 s of the response: {e}"),
        }
    })
    .await
    .unwrap();
    assert!(line.contains("status=200"), "{line}");
    assert!(answered.elapsed() < Duration::from_secs(5));
}

#[test]
fn lines_logged_before_a_start_up_error_come_before_its_message() {
    let dir = std::env::temp_dir().join(format!("lambdalite-log-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let init = dir.join("init.yaml");
    std::fs::write(&init, "Bogus: 1\n").expect("write init file");
    let out = Command::new(BIN)
        .args(["--host", "127.0.0.1", "--port", "0", "--state-dir"])
        .arg(dir.join("state"))
        .arg("--init")
        .arg(&init)
        .env("RUST_LOG", "info")
        .env_remove("LAMBDALITE_LOG_FORMAT")
        .output()
        .expect("run lambdalite");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let opened = stderr.find("state directory opened").unwrap_or_else(|| panic!("{stderr}"));
    let message = stderr.find("lambdalite: --init").unwrap_or_else(|| panic!("{stderr}"));
    assert!(opened < message, "{stderr}");
}
