//! `lambdalite reset` and `lambdalite state`: the built binary, as a process, against a real server on loopback that
//! the test starts and seeds through the AWS SDK, and against endpoints that fail in each way the exit status
//! distinguishes (0 done, 1 the server answered an error, 2 no answer).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::LayerVersionContentInput;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_lambdalite");

/// Runs `lambdalite <args>` off the runtime's threads (the server under test runs on them).
async fn lambdalite(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let envs: Vec<(String, String)> = envs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(BIN);
        cmd.args(&args).env_remove("LAMBDALITE_PORT").env_remove("LAMBDALITE_ENDPOINT_URL");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().expect("run lambdalite")
    })
    .await
    .expect("join")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A loopback port with no listener: bind port 0, note the port, close it.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A plain HTTP server (not lambdalite) on loopback that answers one request with `response`, or with nothing
/// at all (holding the connection open until the client gives up) when `response` is `None`.
fn other_server(response: Option<&'static [u8]>) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        // Non-blocking with a deadline, so a client that never connects fails the test instead of hanging it.
        listener.set_nonblocking(true).expect("nonblocking");
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut s = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => panic!("the client never connected: {e}"),
            }
        };
        s.set_nonblocking(false).expect("blocking");
        s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let mut buf = [0u8; 4096];
        let n = s.read(&mut buf).unwrap_or(0);
        let request = String::from_utf8_lossy(&buf[..n]).into_owned();
        match response {
            Some(r) => s.write_all(r).expect("write"),
            // Wait for the client to hang up.
            None => while matches!(s.read(&mut buf), Ok(n) if n > 0) {},
        }
        request
    });
    (url, handle)
}

/// Seeds account 123456789012 in us-east-2: a function with a policy, a version, an alias with a policy, and a
/// layer version with a policy. Returns the function and layer names.
async fn seed(server: &common::TestServer) -> (String, String) {
    let client = server.client_as("123456789012", "us-east-2");
    let name = common::unique("cli");
    common::create_function(&client, &name).await;
    client
        .add_permission()
        .function_name(&name)
        .statement_id("from-s3")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn("arn:aws:s3:::my-bucket")
        .send()
        .await
        .expect("add_permission");
    client.publish_version().function_name(&name).send().await.expect("publish_version");
    client.create_alias().function_name(&name).name("live").function_version("1").send().await.expect("alias");
    client
        .add_permission()
        .function_name(&name)
        .qualifier("live")
        .statement_id("xaccount")
        .action("lambda:InvokeFunction")
        .principal("223456789012")
        .send()
        .await
        .expect("add_permission on alias");
    let layer = common::unique("layer");
    client
        .publish_layer_version()
        .layer_name(&layer)
        .content(LayerVersionContentInput::builder().zip_file(Blob::new(common::zip_bytes("x = 1"))).build())
        .send()
        .await
        .expect("publish_layer_version");
    client
        .add_layer_version_permission()
        .layer_name(&layer)
        .version_number(1)
        .statement_id("public")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .send()
        .await
        .expect("add_layer_version_permission");
    (name, layer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_prints_the_seeded_state_as_pretty_json() {
    let server = common::start().await;
    let (name, layer) = seed(&server).await;
    let client = server.client_as("123456789012", "us-east-2");

    let out = lambdalite(&["state", "--endpoint-url", &server.url], &[]).await;
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.lines().count() > 20 && text.contains("\n  \"Namespaces\": ["), "not pretty: {text}");
    let state: Value = serde_json::from_str(&text).expect("stdout is JSON");
    assert_eq!(state["LambdaliteVersion"], env!("CARGO_PKG_VERSION"));

    let ns = state["Namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["Account"] == "123456789012" && n["Region"] == "us-east-2")
        .expect("the seeded namespace");
    // The init-file format (issue 6): CreateFunction's members, and each policy as the AddPermission members that
    // write it again (tests/init.rs replays an export and compares GetPolicy byte for byte).
    let f = ns["Functions"].as_array().unwrap().iter().find(|f| f["FunctionName"] == name.as_str()).expect("function");
    assert_eq!(f["Runtime"], "python3.12");
    assert_eq!(f["Handler"], "index.handler");
    let code = f["Code"]["ZipFile"].as_str().expect("the zip inline");
    let function = client.get_function().function_name(&name).send().await.expect("get_function");
    let sha = function.configuration().unwrap().code_sha256().unwrap();
    use base64::Engine;
    let zip = base64::engine::general_purpose::STANDARD.decode(code).expect("base64");
    use sha2::Digest;
    assert_eq!(base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&zip)), sha);
    assert_eq!(
        f["Permissions"],
        serde_json::json!([{"StatementId": "from-s3", "Action": "lambda:InvokeFunction",
                            "Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::my-bucket"}])
    );
    assert_eq!(f["Versions"], serde_json::json!([{"Version": 1}]));
    let alias = &f["Aliases"][0];
    assert_eq!((&alias["Name"], &alias["FunctionVersion"]), (&Value::from("live"), &Value::from("1")));
    // An account principal comes back as the account id AddPermission took.
    assert_eq!(
        alias["Permissions"],
        serde_json::json!([{"StatementId": "xaccount", "Action": "lambda:InvokeFunction", "Principal": "223456789012"}])
    );

    let l = ns["Layers"].as_array().unwrap().iter().find(|l| l["LayerName"] == layer.as_str()).expect("layer");
    assert_eq!(l["Versions"][0]["Version"], 1);
    assert_eq!(
        l["Versions"][0]["Permissions"],
        serde_json::json!([{"StatementId": "public", "Action": "lambda:GetLayerVersion", "Principal": "*"}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_reads_the_endpoint_from_lambdalite_endpoint_url() {
    let server = common::start().await;
    let out = lambdalite(&["state"], &[("LAMBDALITE_ENDPOINT_URL", &server.url)]).await;
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let state: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(state["Namespaces"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_drops_everything_and_prints_nothing() {
    let server = common::start().await;
    let (name, _) = seed(&server).await;
    let client = server.client_as("123456789012", "us-east-2");
    assert_eq!(client.list_functions().send().await.unwrap().functions().len(), 1);

    let out = lambdalite(&["reset", "--endpoint-url", &server.url], &[]).await;
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert!(out.stdout.is_empty());

    assert!(client.list_functions().send().await.unwrap().functions().is_empty());
    assert!(client.get_function().function_name(&name).send().await.is_err());
    let state = lambdalite(&["state", "--endpoint-url", &server.url], &[]).await;
    let state: Value = serde_json::from_slice(&state.stdout).expect("JSON");
    assert_eq!(state["Namespaces"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_servers_exit_2() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    for command in ["reset", "state"] {
        let out = lambdalite(&[command, "--endpoint-url", &url], &[]).await;
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
        assert!(stderr(&out).contains("cannot connect"), "{command}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    // health keeps to 0/1 (Docker reserves 2 for HEALTHCHECKs).
    let out = lambdalite(&["health", "--endpoint-url", &url], &[]).await;
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_endpoint_url_exits_2() {
    for command in ["reset", "state"] {
        let out = lambdalite(&[command, "--endpoint-url", "https://127.0.0.1:4566"], &[]).await;
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(stderr(&out).contains("http://"), "{command}: {}", stderr(&out));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_exits_2_after_the_timeout() {
    let (url, other) = other_server(None);
    let out = lambdalite(&["state", "--endpoint-url", &url, "--timeout-ms", "300"], &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no answer within 300 ms"), "{}", stderr(&out));
    other.join().expect("other server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_answers_exit_1_with_the_status_on_stderr() {
    const ERROR: &[u8] = b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 4\r\nconnection: close\r\n\r\noops";
    for (command, method_and_path) in
        [("reset", "POST /_lambdalite/reset HTTP/1.1"), ("state", "GET /_lambdalite/state HTTP/1.1")]
    {
        let (url, other) = other_server(Some(ERROR));
        let out = lambdalite(&[command, "--endpoint-url", &url], &[]).await;
        let request = other.join().expect("other server");
        assert!(request.starts_with(method_and_path), "{command} sent: {request}");
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        assert!(stderr(&out).contains("HTTP 500: oops"), "{command}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_that_is_not_json_exits_1() {
    const NOT_JSON: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 13\r\nconnection: close\r\n\r\n<html></html>";
    let (url, other) = other_server(Some(NOT_JSON));
    let out = lambdalite(&["state", "--endpoint-url", &url], &[]).await;
    other.join().expect("other server");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("not JSON"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_documents_the_exit_statuses() {
    for command in ["reset", "state"] {
        let out = lambdalite(&[command, "--help"], &[]).await;
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8_lossy(&out.stdout).into_owned();
        for line in ["0  the server did it", "1  the server answered with an error", "2  no answer"] {
            assert!(help.contains(line), "{command} --help lacks '{line}': {help}");
        }
    }
    let out = lambdalite(&["health", "--help"], &[]).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("reserved by Docker"));
}
