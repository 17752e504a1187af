//! The declared routes against the botocore model: every AWS operation lambdalite serves must have the method and
//! `requestUri` the model gives it, so an SDK built from the model reaches it.
//!
//! The model is `$LAMBDALITE_BOTOCORE_MODEL` (a `service-2.json`) when set; otherwise it is read from the botocore
//! (1.44.8 or newer) of a Python: `$LAMBDALITE_TEST_PYTHON`, else `.venv/test/bin/python` of this checkout (what
//! `scripts/test` creates), else `python3`. Without such a botocore the test fails and says how to get one.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use lambdalite::http::routes::Route;

/// The oldest botocore whose Lambda model this test accepts.
const MIN_BOTOCORE: &str = "1.44.8";

/// Prints the Lambda model of the botocore it runs with, or exits 3 with its version when that is too old.
const PRINT_MODEL: &str = r#"
import gzip, os, sys
import botocore
minimum = tuple(int(p) for p in sys.argv[1].split("."))
version = tuple(int(p) for p in botocore.__version__.split(".")[:3])
if version < minimum:
    print(botocore.__version__)
    sys.exit(3)
data = os.path.join(os.path.dirname(botocore.__file__), "data", "lambda", "2015-03-31", "service-2.json")
raw = open(data, "rb").read() if os.path.exists(data) else gzip.open(data + ".gz").read()
sys.stdout.buffer.write(raw)
"#;

fn model() -> serde_json::Value {
    let text = match std::env::var_os("LAMBDALITE_BOTOCORE_MODEL") {
        Some(path) => std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("LAMBDALITE_BOTOCORE_MODEL={}: {e}", Path::new(&path).display())),
        None => model_from_python(),
    };
    serde_json::from_str(&text).expect("the model is JSON")
}

fn model_from_python() -> String {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/test/bin/python");
    let python = match std::env::var_os("LAMBDALITE_TEST_PYTHON") {
        Some(p) => p,
        None if venv.exists() => venv.into_os_string(),
        None => "python3".into(),
    };
    let shown = Path::new(&python).display().to_string();
    let advice = format!(
        "this test needs botocore {MIN_BOTOCORE} or newer: run scripts/test (it creates .venv/test with it), or set \
         LAMBDALITE_TEST_PYTHON to a Python that has it, or LAMBDALITE_BOTOCORE_MODEL to its lambda service-2.json"
    );
    let out = Command::new(&python)
        .args(["-c", PRINT_MODEL, MIN_BOTOCORE])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}; {advice}"));
    match out.status.code() {
        Some(0) => String::from_utf8(out.stdout).expect("the model is UTF-8"),
        Some(3) => {
            panic!("{shown} has botocore {}; {advice}", String::from_utf8_lossy(&out.stdout).trim())
        }
        _ => {
            panic!("{shown} could not read botocore's model: {}; {advice}", String::from_utf8_lossy(&out.stderr).trim())
        }
    }
}

/// A `requestUri` with its labels blanked (`{FunctionName}`, `{Resource+}` and axum's `{*rest}` all become `{}`) and
/// its query's members sorted, so that only what routes a request is compared.
fn normalised(uri: &str) -> String {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let path: Vec<&str> = path
        .split('/')
        .map(|segment| if segment.starts_with('{') && segment.ends_with('}') { "{}" } else { segment })
        .collect();
    let mut query: Vec<&str> = query.split('&').filter(|q| !q.is_empty()).collect();
    query.sort_unstable();
    match query.is_empty() {
        true => path.join("/"),
        false => format!("{}?{}", path.join("/"), query.join("&")),
    }
}

fn declared() -> impl Iterator<Item = &'static Route> {
    lambdalite::http::ROUTES.iter().flat_map(|list| list.iter())
}

#[test]
fn every_served_operation_has_the_models_method_and_request_uri() {
    let model = model();
    let operations = model["operations"].as_object().expect("the model has operations");
    let mut checked = 0;
    for route in declared() {
        let Some(name) = route.aws_name() else { continue };
        let op = operations.get(name).unwrap_or_else(|| panic!("{name} is not an operation of the model"));
        let http = &op["http"];
        assert_eq!(http["method"].as_str(), Some(route.method.as_str()), "{name}: method");
        let uri = http["requestUri"].as_str().expect("every operation has a requestUri");
        assert_eq!(normalised(route.uri), normalised(uri), "{name}: requestUri (declared {})", route.uri);
        checked += 1;
    }
    assert!(checked >= 27, "only {checked} AWS operations declared");
}

#[test]
fn each_route_is_declared_once_and_query_told_operations_have_a_handler() {
    let mut seen = BTreeSet::new();
    let mut names = BTreeSet::new();
    for route in declared() {
        assert!(seen.insert((route.method.to_string(), route.uri)), "{} {} is declared twice", route.method, route.uri);
        if let Some(name) = route.aws_name() {
            assert!(names.insert(name), "{name} is declared twice");
        }
        if route.is_told_by_query() {
            assert!(route.uri.contains('?'), "{}: only a query tells it apart", route.uri);
            let serving =
                declared().filter(|r| !r.is_told_by_query() && r.method == route.method && r.uri == route.path());
            assert_eq!(serving.count(), 1, "{} {}: no route serves its path", route.method, route.uri);
        }
    }
}

#[test]
fn normalising_keeps_what_routes_a_request() {
    assert_eq!(normalised("/2015-03-31/functions/{FunctionName}/policy"), "/2015-03-31/functions/{}/policy");
    assert_eq!(normalised("/2017-03-31/tags/{Resource+}"), "/2017-03-31/tags/{}");
    assert_eq!(normalised("/2018-10-31/layers?find=LayerVersion"), "/2018-10-31/layers?find=LayerVersion");
    assert_eq!(normalised("/x?b=2&a=1"), "/x?a=1&b=2");
    assert_ne!(normalised("/2018-10-31/layers"), normalised("/2018-10-31/layers?find=LayerVersion"));
}
