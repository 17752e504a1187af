//! Property-based fuzzing (proptest) of everything a request carries, through the whole service
//! (`lambdalite::app()` driven with `tower::ServiceExt::oneshot`): request bodies of every operation (arbitrary bytes,
//! and JSON objects built from the operations' member names with values of every JSON type), query strings, and
//! path segments (percent-encoded arbitrary text, invalid escapes, invalid UTF-8).
//!
//! Property: never a 5xx (a handler panic would surface as the panic layer's 500), always a request id, and either a
//! 2xx or a 4xx in AWS shape (`x-amzn-ErrorType` and a JSON body with `message`/`Message`).
//!
//! The app keeps its state across cases (seeded with a function, a version, an alias, a layer and policies), so
//! later cases run against whatever earlier ones created. Cases: `PROPTEST_CASES` (default 1500 per property).
//! Failures are persisted to `proptest-regressions/fuzz_http.txt`, which CI replays first on every run.

mod common;

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http_body_util::BodyExt;
use lambdalite::http::App;
use lambdalite::{AppState, Config};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{json, Map, Value};
use tower::ServiceExt;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1500);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/fuzz_http.txt"))),
        ..ProptestConfig::default()
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime"))
}

fn zip_b64() -> &'static str {
    static Z: OnceLock<String> = OnceLock::new();
    Z.get_or_init(|| STANDARD.encode(common::zip_bytes("def handler(e, c): return 1")))
}

/// The resources cases aim at; re-created every 100 requests, since cases delete them too.
fn seed(app: &App) {
    let seed = [
        (
            Method::POST,
            "/2015-03-31/functions",
            json!({"FunctionName":"f","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r",
                   "Handler":"index.handler","Code":{"ZipFile": zip_b64()}}),
        ),
        (Method::POST, "/2015-03-31/functions/f/versions", json!({})),
        (Method::POST, "/2015-03-31/functions/f/aliases", json!({"Name":"live","FunctionVersion":"1"})),
        (
            Method::POST,
            "/2015-03-31/functions/f/policy",
            json!({"StatementId":"s","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com"}),
        ),
        (Method::POST, "/2018-10-31/layers/l/versions", json!({"Content":{"ZipFile": zip_b64()}})),
        (
            Method::POST,
            "/2018-10-31/layers/l/versions/1/policy",
            json!({"StatementId":"s","Action":"lambda:GetLayerVersion","Principal":"*"}),
        ),
    ];
    runtime().block_on(async {
        for (method, uri, body) in seed {
            let req = Request::builder().method(method).uri(uri).body(Body::from(body.to_string())).unwrap();
            // Conflicts (already there) and a deleted layer version 1 are fine: the rest still gets seeded.
            let status = app.clone().oneshot(req).await.unwrap().status();
            assert!(status.as_u16() < 500, "seed {uri}: {status}");
        }
    });
}

/// One app for the whole test binary.
fn app() -> App {
    static APP: OnceLock<App> = OnceLock::new();
    static REQUESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let app = APP.get_or_init(|| lambdalite::app(AppState::new(Config::default()))).clone();
    if REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 100 == 0 {
        seed(&app);
    }
    app
}

/// Sends one request and checks the property; `Err` describes the violation.
fn check(method: Method, uri: &str, body: Vec<u8>, content_type: Option<&str>) -> Result<(), TestCaseError> {
    let mut builder = Request::builder().method(method.clone()).uri(uri);
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    // Strings that http::Uri refuses never reach a server (hyper refuses them first); nothing to test.
    let Ok(req) = builder.body(Body::from(body)) else { return Ok(()) };
    let app = app();
    let (status, headers, bytes) = runtime().block_on(async {
        let resp = app.oneshot(req).await.expect("infallible");
        let (parts, body) = resp.into_parts();
        (parts.status, parts.headers, body.collect().await.expect("body").to_bytes())
    });
    tally(status.as_u16(), headers.get("x-amzn-errortype").and_then(|v| v.to_str().ok()));
    let text = String::from_utf8_lossy(&bytes);
    prop_assert!(status.as_u16() < 500, "{} {} → {} {}", method, uri, status, text);
    prop_assert!(headers.contains_key("x-amzn-requestid"), "{} {}: no request id", method, uri);
    if status.is_client_error() {
        prop_assert!(headers.contains_key("x-amzn-errortype"), "{} {} → {}: no error type", method, uri, status);
        let v: Value = serde_json::from_slice(&bytes)
            .map_err(|e| TestCaseError::fail(format!("{method} {uri} → {status}: body not JSON ({e}): {text}")))?;
        prop_assert!(v.get("message").or_else(|| v.get("Message")).is_some_and(Value::is_string), "{}", text);
    } else if !bytes.is_empty() {
        prop_assert!(serde_json::from_slice::<Value>(&bytes).is_ok(), "{} {} → {}: {}", method, uri, status, text);
    }
    Ok(())
}

/// How deep the cases get: answers by status and error code, printed every 5000 requests (`--nocapture`).
fn tally(status: u16, code: Option<&str>) {
    static COUNTS: std::sync::Mutex<std::collections::BTreeMap<String, u64>> =
        std::sync::Mutex::new(std::collections::BTreeMap::new());
    let mut counts = COUNTS.lock().unwrap();
    *counts.entry(format!("{status} {}", code.unwrap_or(""))).or_default() += 1;
    let total: u64 = counts.values().sum();
    if total % 5000 == 0 {
        println!("fuzz_http after {total} requests: {counts:?}");
    }
}

/// Every AWS route as the server declares it (`lambdalite::http::ROUTES`), with `{}` slots for its path labels.
fn routes() -> Vec<(&'static str, String)> {
    let declared = lambdalite::http::ROUTES.iter().flat_map(|list| list.iter());
    declared
        .filter(|r| r.aws_name().is_some() && !r.is_told_by_query())
        .map(|r| {
            let path: Vec<&str> = r.path().split('/').map(|s| if s.starts_with('{') { "{}" } else { s }).collect();
            (r.method.as_str(), path.join("/"))
        })
        .collect()
}

/// The routes that read a body, as `"METHOD path"`.
const BODY_ROUTES: &[&str] = &[
    "POST /2015-03-31/functions",
    "PUT /2015-03-31/functions/{}/configuration",
    "PUT /2015-03-31/functions/{}/code",
    "POST /2015-03-31/functions/{}/versions",
    "POST /2015-03-31/functions/{}/aliases",
    "PUT /2015-03-31/functions/{}/aliases/{}",
    "POST /2015-03-31/functions/{}/policy",
    "POST /2018-10-31/layers/{}/versions",
    "POST /2018-10-31/layers/{}/versions/{}/policy",
];

const MEMBERS: &[&str] = &[
    "FunctionName",
    "Role",
    "Runtime",
    "Handler",
    "Code",
    "ZipFile",
    "S3Bucket",
    "S3Key",
    "ImageUri",
    "Description",
    "Timeout",
    "MemorySize",
    "Publish",
    "PackageType",
    "Environment",
    "Variables",
    "Layers",
    "Architectures",
    "StatementId",
    "Action",
    "Principal",
    "SourceArn",
    "SourceAccount",
    "EventSourceToken",
    "Qualifier",
    "RevisionId",
    "PrincipalOrgID",
    "FunctionUrlAuthType",
    "InvokedViaFunctionUrl",
    "Name",
    "FunctionVersion",
    "RoutingConfig",
    "AdditionalVersionWeights",
    "Content",
    "CompatibleRuntimes",
    "CompatibleArchitectures",
    "LicenseInfo",
    "OrganizationId",
    "CodeSha256",
    "DryRun",
    "TracingConfig",
    "Mode",
    "VpcConfig",
    "DeadLetterConfig",
    "TargetArn",
    "KMSKeyArn",
    "EphemeralStorage",
    "Size",
    "LoggingConfig",
    "LogFormat",
    "SnapStart",
    "ApplyOn",
    "ImageConfig",
    "Tags",
];

/// Strings that matter to the service, and arbitrary ones.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("f".to_owned()),
        Just("live".to_owned()),
        Just("1".to_owned()),
        Just("$LATEST".to_owned()),
        Just("*".to_owned()),
        Just("python3.12".to_owned()),
        Just("x86_64".to_owned()),
        Just("lambda:InvokeFunction".to_owned()),
        Just("lambda:GetLayerVersion".to_owned()),
        Just("s3.amazonaws.com".to_owned()),
        Just("arn:aws:iam::000000000000:role/r".to_owned()),
        Just("arn:aws:lambda:us-east-1:000000000000:function:f:1".to_owned()),
        Just("arn:aws:lambda:us-east-1:000000000000:layer:l:1".to_owned()),
        Just(zip_b64().to_owned()),
        "[a-zA-Z0-9_.:$*/-]{0,80}",
        "[0-9]{1,30}",
        "\\PC{0,40}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop_oneof![Just(0i64), Just(1), Just(-1), Just(3), Just(128), Just(900), Just(10240)].prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(MEMBERS), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// A top-level JSON object of member names with arbitrary values.
fn json_object() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((prop::sample::select(MEMBERS), json_value()), 0..10).prop_map(|kv| {
        let map: Map<String, Value> = kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        Value::Object(map).to_string().into_bytes()
    })
}

/// A valid body for the route, then 0–3 members replaced by arbitrary values and 0–2 members dropped: gets past
/// the first check far more often than random objects.
fn template(route: &str) -> Value {
    let zip = zip_b64();
    match route {
        "POST /2015-03-31/functions" => json!({"FunctionName":"g","Runtime":"python3.12",
            "Role":"arn:aws:iam::000000000000:role/r","Handler":"index.handler","Code":{"ZipFile":zip},
            "Layers":["arn:aws:lambda:us-east-1:000000000000:layer:l:1"],"Environment":{"Variables":{"A":"b"}},
            "Architectures":["arm64"],"Timeout":30,"MemorySize":256,"Publish":true}),
        "PUT /2015-03-31/functions/{}/configuration" => json!({"Description":"d","Timeout":3,"MemorySize":128,
            "Environment":{"Variables":{"A":"b"}},"Runtime":"python3.13","Handler":"h.h"}),
        "PUT /2015-03-31/functions/{}/code" => json!({"ZipFile":zip,"Publish":false,"Architectures":["x86_64"]}),
        "POST /2015-03-31/functions/{}/versions" => json!({"Description":"v","CodeSha256":"x"}),
        "POST /2015-03-31/functions/{}/aliases" => json!({"Name":"a1","FunctionVersion":"1",
            "RoutingConfig":{"AdditionalVersionWeights":{"1":0.5}}}),
        "PUT /2015-03-31/functions/{}/aliases/{}" => json!({"FunctionVersion":"$LATEST","Description":"d",
            "RoutingConfig":{"AdditionalVersionWeights":{"1":0.5}}}),
        "POST /2015-03-31/functions/{}/policy" => json!({"StatementId":"x","Action":"lambda:InvokeFunction",
            "Principal":"s3.amazonaws.com","SourceArn":"arn:aws:s3:::b","SourceAccount":"123456789012",
            "FunctionUrlAuthType":"NONE","PrincipalOrgID":"o-abcdefghij"}),
        "POST /2018-10-31/layers/{}/versions" => json!({"Content":{"ZipFile":zip},"CompatibleRuntimes":["python3.12"],
            "CompatibleArchitectures":["x86_64"],"Description":"d","LicenseInfo":"MIT"}),
        "POST /2018-10-31/layers/{}/versions/{}/policy" => json!({"StatementId":"x","Action":"lambda:GetLayerVersion",
            "Principal":"*","OrganizationId":"o-abcdefghij"}),
        _ => json!({}),
    }
}

fn mutated(route: &'static str) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((prop::sample::select(MEMBERS), json_value()), 0..3),
        prop::collection::vec(any::<prop::sample::Index>(), 0..2),
    )
        .prop_map(move |(overrides, drops)| {
            let mut v = template(route);
            let obj = v.as_object_mut().expect("object");
            for d in drops {
                if !obj.is_empty() {
                    let key = obj.keys().nth(d.index(obj.len())).cloned().unwrap();
                    obj.remove(&key);
                }
            }
            for (k, val) in overrides {
                obj.insert(k.to_owned(), val);
            }
            v.to_string().into_bytes()
        })
}

fn body(route: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => mutated(route),
        2 => json_object(),
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => json_object().prop_flat_map(|b| { let n = b.len(); (Just(b), 0..=n) }).prop_map(|(b, cut)| b[..cut].to_vec()),
        1 => Just(Vec::new()),
    ]
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A path segment: a known resource, percent-encoded arbitrary text, or raw escape garbage.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => text().prop_map(|t| percent_encode(&t)),
        1 => Just("f".to_owned()),
        1 => Just("l".to_owned()),
        1 => "(%[0-9A-Fa-fzZ]{0,2}|[a-z0-9]){1,12}",
        1 => prop::collection::vec(128u8..=255, 1..6).prop_map(|b| b.iter().map(|x| format!("%{x:02X}")).collect()),
    ]
}

const QUERY_KEYS: &[&str] = &[
    "Qualifier",
    "RevisionId",
    "Marker",
    "MaxItems",
    "FunctionVersion",
    "MasterRegion",
    "CompatibleRuntime",
    "CompatibleArchitecture",
    "Arn",
    "find",
    "x",
];

fn query() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(QUERY_KEYS),
            prop_oneof![
                3 => text().prop_map(|t| percent_encode(&t)),
                1 => Just("LayerVersion".to_owned()),
                1 => "(%[0-9A-Fa-fzZ]{0,2}|[a-z0-9+=]){0,12}",
            ],
        ),
        0..5,
    )
    .prop_map(|kv| kv.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"))
}

fn fill(template: &str, segments: &[String]) -> String {
    let mut out = String::new();
    let mut it = segments.iter();
    for (i, part) in template.split("{}").enumerate() {
        if i > 0 {
            out.push_str(it.next().map(String::as_str).unwrap_or("x"));
        }
        out.push_str(part);
    }
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_operation_answers_any_body_in_aws_shape(
        (route, body) in prop::sample::select(BODY_ROUTES).prop_flat_map(|r| (Just(r), body(r))),
        segments in prop::collection::vec(prop_oneof![3 => Just(None), 1 => segment().prop_map(Some)], 3),
        content_type in proptest::option::of(prop_oneof![Just("application/json"), Just("text/plain"), Just("application/x-www-form-urlencoded")]),
    ) {
        // Mostly the seeded resources, so the body is what gets judged.
        let defaults = ["f", "live", "s"];
        let layer_defaults = ["l", "1", "s"];
        let (method, path) = route.split_once(' ').expect("method and path");
        let d = if path.starts_with("/2018") { layer_defaults } else { defaults };
        let segs: Vec<String> = segments.iter().zip(d).map(|(s, d)| s.clone().unwrap_or_else(|| d.to_owned())).collect();
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        check(method, &fill(path, &segs), body, content_type)?;
    }

    #[test]
    fn every_operation_answers_any_query_and_path_in_aws_shape(
        route in prop::sample::select(routes()),
        segments in prop::collection::vec(segment(), 3),
        query in query(),
        method_override in proptest::option::of(prop::sample::select(&["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"][..])),
    ) {
        let method = Method::from_bytes(method_override.unwrap_or(route.0).as_bytes()).unwrap();
        let uri = format!("{}?{query}", fill(&route.1, &segments));
        let body = if method == Method::GET || method == Method::HEAD { Vec::new() } else { b"{}".to_vec() };
        if method == Method::HEAD {
            // HEAD answers have no body to judge; still never a 5xx.
            let req = Request::builder().method(Method::HEAD).uri(&uri).body(Body::empty());
            if let Ok(req) = req {
                let app = app();
                let status = runtime().block_on(app.oneshot(req)).expect("infallible").status();
                prop_assert!(status.as_u16() < 500, "HEAD {} → {}", uri, status);
            }
            return Ok(());
        }
        check(method, &uri, body, None)?;
    }
}
