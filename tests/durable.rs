//! `--state-dir`: a restart on the same directory finds exactly what was there (functions, versions, aliases,
//! layers, code, policies in statement order, every RevisionId, the version counters), in-flight lifecycles stay in
//! flight, deletes and resets stay done, and a directory that cannot be used stops the server from starting.
//! Crashes (SIGKILL under load) are in `tests/crash.rs`.

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{AliasRoutingConfiguration, Environment, LayerVersionContentInput, Runtime, State};
use aws_sdk_lambda::Client;
use common::{http_get, spawn_server, zip_bytes, ServerProcess, TempDir};

fn start(dir: &TempDir, extra: &[&str]) -> ServerProcess {
    let mut args = vec!["--state-dir", dir.path()];
    args.extend_from_slice(extra);
    spawn_server(&args).expect("server starts")
}

fn export(p: &ServerProcess) -> String {
    let (status, body) = http_get(&format!("{}/_lambdalite/state", p.url));
    assert_eq!(status, 200);
    String::from_utf8(body).expect("utf-8")
}

async fn grant(c: &Client, function: &str, qualifier: Option<&str>, sid: &str) {
    c.add_permission()
        .function_name(function)
        .set_qualifier(qualifier.map(str::to_owned))
        .statement_id(sid)
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn(format!("arn:aws:s3:::bucket-{sid}"))
        .source_account("123456789012")
        .send()
        .await
        .expect("add_permission");
}

/// Everything a client can read about the seeded resources, as text, without request ids.
async fn observe(c: &Client) -> Vec<String> {
    let mut seen = Vec::new();
    for q in [None, Some("1"), Some("3"), Some("live")] {
        let f = c.get_function().function_name("app").set_qualifier(q.map(str::to_owned)).send().await.unwrap();
        let config = f.configuration.unwrap();
        assert!(config.revision_id.is_some() && config.last_modified.is_some());
        seen.push(format!("{q:?} {config:?} tags={:?}", f.tags));
        let p = c.get_policy().function_name("app").set_qualifier(q.map(str::to_owned)).send().await.unwrap();
        seen.push(format!("{q:?} {} {}", p.policy.unwrap(), p.revision_id.unwrap()));
    }
    let versions = c.list_versions_by_function().function_name("app").send().await.unwrap();
    seen.push(format!("{:?}", versions.versions.unwrap()));
    let aliases = c.list_aliases().function_name("app").send().await.unwrap();
    seen.push(format!("{:?}", aliases.aliases.unwrap()));
    let functions = c.list_functions().send().await.unwrap();
    seen.push(format!("{:?}", functions.functions.unwrap()));
    for n in [1, 3] {
        let v = c.get_layer_version().layer_name("shared").version_number(n).send().await.unwrap();
        seen.push(format!(
            "{:?} {:?} {:?}",
            v.version,
            v.content.map(|c| (c.code_sha256, c.code_size)),
            v.created_date
        ));
        let p = c.get_layer_version_policy().layer_name("shared").version_number(n).send().await.unwrap();
        seen.push(format!("{} {}", p.policy.unwrap(), p.revision_id.unwrap()));
    }
    let layers = c.list_layer_versions().layer_name("shared").send().await.unwrap();
    seen.push(format!("{:?}", layers.layer_versions.unwrap()));
    seen
}

/// The zip `GetFunction` offers for download, fetched from the URL it gives.
async fn code_bytes(c: &Client, qualifier: Option<&str>) -> Vec<u8> {
    let f = c.get_function().function_name("app").set_qualifier(qualifier.map(str::to_owned)).send().await.unwrap();
    let location = f.code.unwrap().location.unwrap();
    let (status, body) = http_get(&location);
    assert_eq!(status, 200, "{location}");
    body
}

#[tokio::test]
async fn a_restart_restores_everything_exactly() {
    let dir = TempDir::new("lambdalite-durable");
    let server = start(&dir, &[]);
    let c = server.client();
    let layer_zip = zip_bytes("layer code");
    for n in 1..=3 {
        c.publish_layer_version()
            .layer_name("shared")
            .content(LayerVersionContentInput::builder().zip_file(Blob::new(layer_zip.clone())).build())
            .compatible_runtimes(Runtime::Python312)
            .description(format!("v{n}"))
            .send()
            .await
            .unwrap();
    }
    c.delete_layer_version().layer_name("shared").version_number(2).send().await.unwrap();
    for (n, sid) in [(1, "org"), (3, "anyone"), (3, "account")] {
        c.add_layer_version_permission()
            .layer_name("shared")
            .version_number(n)
            .statement_id(sid)
            .action("lambda:GetLayerVersion")
            .principal(if sid == "account" { "123456789012" } else { "*" })
            .send()
            .await
            .unwrap();
    }
    let layer_arn = c.get_layer_version().layer_name("shared").version_number(3).send().await.unwrap();
    let layer_arn = layer_arn.layer_version_arn.unwrap();

    let codes: Vec<Vec<u8>> = (1..=3).map(|n| zip_bytes(&format!("def handler(e, c): return {n}"))).collect();
    c.create_function()
        .function_name("app")
        .runtime(Runtime::Python312)
        .role("arn:aws:iam::000000000000:role/lambda-role")
        .handler("index.handler")
        .layers(&layer_arn)
        .environment(Environment::builder().variables("BETA", "2").variables("ALPHA", "1").build())
        .tags("team", "core")
        .code(aws_sdk_lambda::types::FunctionCode::builder().zip_file(Blob::new(codes[0].clone())).build())
        .send()
        .await
        .unwrap();
    for (n, code) in codes.iter().enumerate() {
        if n > 0 {
            c.update_function_code().function_name("app").zip_file(Blob::new(code.clone())).send().await.unwrap();
        }
        c.publish_version().function_name("app").send().await.unwrap();
    }
    c.delete_function().function_name("app").qualifier("2").send().await.unwrap();
    c.create_alias()
        .function_name("app")
        .name("live")
        .function_version("1")
        .routing_config(AliasRoutingConfiguration::builder().additional_version_weights("3", 0.25).build())
        .send()
        .await
        .unwrap();
    for q in [None, Some("1"), Some("3"), Some("live")] {
        for sid in ["first", "second", "third"] {
            grant(&c, "app", q, sid).await;
        }
    }
    c.remove_permission().function_name("app").statement_id("second").send().await.unwrap();
    crate::common::create_function(&c, "other").await;
    c.delete_function().function_name("other").send().await.unwrap();
    // Another account's namespace.
    let other = server.client_as("111111111111", "us-east-1");
    crate::common::create_function(&other, "theirs").await;

    let before = observe(&c).await;
    let exported = export(&server);
    let theirs = other.get_function().function_name("theirs").send().await.unwrap().configuration.unwrap();
    assert!(server.terminate(), "SIGTERM exits 0");

    let server = start(&dir, &[]);
    let c = server.client();
    assert_eq!(observe(&c).await, before);
    assert_eq!(export(&server), exported);
    let theirs_now =
        server.client_as("111111111111", "us-east-1").get_function().function_name("theirs").send().await.unwrap();
    assert_eq!(theirs_now.configuration.unwrap(), theirs);
    assert!(c.get_function().function_name("other").send().await.is_err(), "the deleted function stays deleted");
    assert_eq!(code_bytes(&c, None).await, codes[2]);
    assert_eq!(code_bytes(&c, Some("1")).await, codes[0]);
    assert_eq!(code_bytes(&c, Some("3")).await, codes[2]);

    // The counters survive too: no number is handed out twice.
    let v = c.update_function_code().function_name("app").zip_file(Blob::new(zip_bytes("4"))).send().await.unwrap();
    assert!(v.revision_id.is_some());
    let published = c.publish_version().function_name("app").send().await.unwrap();
    assert_eq!(published.version.as_deref(), Some("4"));
    let layer = c
        .publish_layer_version()
        .layer_name("shared")
        .content(LayerVersionContentInput::builder().zip_file(Blob::new(layer_zip)).build())
        .send()
        .await
        .unwrap();
    assert_eq!(layer.version, 4);
    assert!(server.terminate());
}

#[tokio::test]
async fn a_function_in_flight_stays_in_flight_with_its_revision() {
    let dir = TempDir::new("lambdalite-durable");
    let server = start(&dir, &["--settle-delay-ms", "600000"]);
    let created = crate::common::create_function(&server.client(), "slow").await;
    assert_eq!(created.state, Some(State::Pending));
    server.kill();

    let server = start(&dir, &["--settle-delay-ms", "600000"]);
    let config = server.client().get_function_configuration().function_name("slow").send().await.unwrap();
    assert_eq!(config.state, Some(State::Pending), "still within its settle delay");
    assert_eq!(config.revision_id, created.revision_id);
    server.kill();

    // Restarted with no delay, it has settled, with the RevisionId it would have settled with.
    let server = start(&dir, &[]);
    let config = server.client().get_function_configuration().function_name("slow").send().await.unwrap();
    assert_eq!(config.state, Some(State::Active));
    assert_ne!(config.revision_id, created.revision_id);
    let again = server.client().get_function_configuration().function_name("slow").send().await.unwrap();
    assert_eq!(again.revision_id, config.revision_id, "the settled RevisionId is stable");
}

#[tokio::test]
async fn deletes_and_resets_are_durable() {
    let dir = TempDir::new("lambdalite-durable");
    let server = start(&dir, &[]);
    let c = server.client();
    crate::common::create_function(&c, "kept").await;
    crate::common::create_function(&c, "dropped").await;
    grant(&c, "kept", None, "one").await;
    grant(&c, "kept", None, "two").await;
    c.remove_permission().function_name("kept").statement_id("one").send().await.unwrap();
    c.delete_function().function_name("dropped").send().await.unwrap();
    server.kill();

    let server = start(&dir, &[]);
    let c = server.client();
    let names: Vec<String> = c
        .list_functions()
        .send()
        .await
        .unwrap()
        .functions
        .unwrap()
        .into_iter()
        .filter_map(|f| f.function_name)
        .collect();
    assert_eq!(names, ["kept"]);
    let policy = c.get_policy().function_name("kept").send().await.unwrap().policy.unwrap();
    assert!(policy.contains(r#""Sid":"two""#) && !policy.contains(r#""Sid":"one""#), "{policy}");

    let (status, _) = {
        use std::io::{Read, Write};
        let authority = server.url.strip_prefix("http://").unwrap().to_owned();
        let mut s = std::net::TcpStream::connect(&authority).unwrap();
        write!(
            s,
            "POST /_lambdalite/reset HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        (raw.split(' ').nth(1).unwrap().to_owned(), raw)
    };
    assert_eq!(status, "204");
    server.kill();

    let server = start(&dir, &[]);
    assert_eq!(server.client().list_functions().send().await.unwrap().functions.unwrap(), vec![]);
    let size = std::fs::metadata(dir.0.join("lambdalite.redb")).unwrap().len();
    assert!(size > 0);
}

#[test]
fn a_directory_that_cannot_be_used_stops_the_start() {
    let dir = TempDir::new("lambdalite-durable");
    let first = start(&dir, &[]);
    let err =
        spawn_server(&["--state-dir", dir.path()]).err().expect("a second server on the directory is refused").stderr;
    assert!(err.contains("--state-dir") && err.contains(dir.path()), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    drop(first);

    let file = dir.0.join("not-a-directory");
    std::fs::write(&file, b"x").unwrap();
    let err = spawn_server(&["--state-dir", file.to_str().unwrap()]).err().expect("a file is refused").stderr;
    assert!(err.contains("cannot create"), "{err}");

    std::fs::write(dir.0.join("lambdalite.redb"), b"this is not a database").unwrap();
    let err = spawn_server(&["--state-dir", dir.path()]).err().expect("garbage is refused").stderr;
    assert!(err.contains("cannot open"), "{err}");
}

#[tokio::test]
async fn init_fills_an_empty_directory_once() {
    let dir = TempDir::new("lambdalite-durable");
    let files = TempDir::new("lambdalite-init");
    let init = files.0.join("init.json");
    let code = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, zip_bytes("def handler(e, c): 1"));
    let function = |sid: &str| {
        serde_json::json!({"Functions": [{
            "FunctionName": "seeded", "Runtime": "python3.12", "Role": "arn:aws:iam::000000000000:role/r",
            "Handler": "index.handler", "Code": {"ZipFile": code},
            "Permissions": [{"StatementId": sid, "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com"}]
        }]})
    };
    std::fs::write(&init, function("from-init").to_string()).unwrap();
    let init = init.to_str().unwrap();

    // A file that fails half-way leaves the directory empty: the next start applies a good file from scratch.
    let mut bad = function("ok");
    bad["Functions"][0]["Permissions"][0]["Principal"] = serde_json::json!("not a principal");
    let bad_path = files.0.join("bad.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();
    let err = spawn_server(&["--state-dir", dir.path(), "--init", bad_path.to_str().unwrap()]).err().expect("refused");
    assert!(err.stderr.contains("Functions[0] (seeded): Permissions[0]"), "{}", err.stderr);

    let server = start(&dir, &["--init", init]);
    let c = server.client();
    grant(&c, "seeded", None, "added-later").await;
    let policy = c.get_policy().function_name("seeded").send().await.unwrap();
    server.kill();

    // The second start finds state: the file is skipped (applying it again would fail: the function exists).
    let server = start(&dir, &["--init", init]);
    let again = server.client().get_policy().function_name("seeded").send().await.unwrap();
    assert_eq!((again.policy, again.revision_id), (policy.policy, policy.revision_id));
}

/// On one CPU the server runs a current-thread runtime (what the benchmark measures): zip preparation on the
/// blocking pool, concurrent durable writes waiting for their commits and a graceful stop all still work there.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_cpu_serves_concurrent_durable_writes_and_stops_cleanly() {
    let dir = TempDir::new("lambdalite-durable");
    let server = common::spawn_server_on_one_cpu(&["--state-dir", dir.path()]).expect("starts on one CPU");
    let c = server.client();
    crate::common::create_function(&c, "pinned").await;
    let writers = (0..16).map(|i| {
        let c = c.clone();
        tokio::spawn(async move { grant(&c, "pinned", None, &format!("w{i}")).await })
    });
    for w in futures::future::join_all(writers).await {
        w.expect("writer");
    }
    let policy = c.get_policy().function_name("pinned").send().await.unwrap().policy.unwrap();
    assert_eq!(policy.matches(r#""Sid":"w"#).count(), 16);
    assert!(server.terminate(), "SIGTERM exits 0 on the current-thread runtime");

    let server = start(&dir, &[]);
    let again = server.client().get_policy().function_name("pinned").send().await.unwrap().policy.unwrap();
    assert_eq!(again, policy);
}
