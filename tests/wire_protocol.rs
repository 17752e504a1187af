//! Wire-level tests: requests go straight into the app the server runs (`lambdalite::app`) with `oneshot`, and the
//! tests pin what clients parse: status, `x-amzn-ErrorType`, `x-amzn-RequestId`, `Content-Type` and the exact body
//! bytes (SPEC §1, §2).

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http_body_util::BodyExt;
use lambdalite::http::App;
use lambdalite::{AppState, Config};
use tower::ServiceExt;

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

fn app() -> App {
    lambdalite::app(AppState::new(Config::default()))
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("utf-8 body")
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("json body")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("ascii header"))
    }

    /// Pins an error reply: status, code header, JSON content type, request id, exact body.
    fn assert_error(&self, status: u16, code: &str, body: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        assert_eq!(self.header("x-amzn-errortype"), Some(code));
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_request_id(&self.headers);
        assert_eq!(self.text(), body);
    }
}

fn assert_request_id(headers: &HeaderMap) {
    let id = headers.get("x-amzn-requestid").expect("x-amzn-RequestId").to_str().unwrap();
    let parsed = uuid::Uuid::parse_str(id).expect("request id is a uuid");
    assert_eq!(parsed.get_version_num(), 4);
}

async fn send(app: &App, method: Method, uri: &str, body: impl Into<Body>) -> Reply {
    send_with(app, Request::builder().method(method).uri(uri), body).await
}

async fn send_with(app: &App, builder: axum::http::request::Builder, body: impl Into<Body>) -> Reply {
    let response = app.clone().oneshot(builder.body(body.into()).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply { status, headers, body }
}

fn create_body(name: &str) -> String {
    serde_json::json!({
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "index.handler",
        "Code": {"ZipFile": STANDARD.encode(common::zip_bytes("x"))},
    })
    .to_string()
}

async fn create(app: &App, name: &str) -> Reply {
    let r = send(app, Method::POST, "/2015-03-31/functions", create_body(name)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r
}

#[tokio::test]
async fn success_responses_carry_json_and_a_request_id() {
    let app = app();
    let r = create(&app, "f").await;
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_request_id(&r.headers);
    assert_eq!(r.header("x-amzn-errortype"), None);
    // Compact JSON, absent members omitted rather than null.
    assert!(!r.text().contains(": ") && !r.text().contains("null"), "{}", r.text());
    let cfg = r.json();
    assert_eq!(cfg["State"], "Pending");
    assert!(cfg.get("LastUpdateStatus").is_none());
    assert!(cfg.get("Environment").is_none());
    assert_eq!(cfg["CodeSha256"].as_str().unwrap().len(), 44);
    let last_modified = cfg["LastModified"].as_str().unwrap();
    assert_eq!(last_modified.len(), "2020-04-10T19:06:32.563+0000".len());
    assert!(last_modified.ends_with("+0000"));

    let r = send(&app, Method::GET, "/2015-03-31/functions/f/configuration", Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_request_id(&r.headers);
    assert_eq!(r.json()["State"], "Active");
    assert_eq!(r.json()["LastUpdateStatus"], "Successful");

    // Two requests never share an id.
    let again = send(&app, Method::GET, "/2015-03-31/functions/f/configuration", Body::empty()).await;
    assert_ne!(again.header("x-amzn-requestid"), r.header("x-amzn-requestid"));
}

#[tokio::test]
async fn no_content_responses_are_empty() {
    let app = app();
    create(&app, "f").await;
    let body = r#"{"Name":"live","FunctionVersion":"$LATEST"}"#;
    assert_eq!(send(&app, Method::POST, "/2015-03-31/functions/f/aliases", body).await.status, StatusCode::CREATED);
    for uri in
        ["/2015-03-31/functions/f/aliases/live", "/2015-03-31/functions/f/aliases/live", "/2015-03-31/functions/f"]
    {
        let r = send(&app, Method::DELETE, uri, Body::empty()).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{uri}");
        assert!(r.body.is_empty());
        assert_request_id(&r.headers);
    }
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let app = app();
    let body = r#"{"message":"Unknown operation"}"#;
    for (method, uri) in [
        (Method::GET, "/"),
        (Method::GET, "/2015-03-31/nothing"),
        (Method::GET, "/2015-03-31/functions/f/unknown"),
        (Method::PATCH, "/2015-03-31/functions"),
        (Method::POST, "/2015-03-31/functions/f/configuration"),
        (Method::PUT, "/2015-03-31/functions/f"),
        (Method::DELETE, "/2015-03-31/functions/f/versions"),
    ] {
        let r = send(&app, method.clone(), uri, Body::empty()).await;
        r.assert_error(404, "UnknownOperationException", body);
    }
}

#[tokio::test]
async fn malformed_json_and_wrong_member_types() {
    let app = app();
    let r = send(&app, Method::POST, "/2015-03-31/functions", "{").await;
    r.assert_error(
        400,
        "InvalidRequestContentException",
        r#"{"Type":"User","message":"Could not parse request body into json: EOF while parsing an object at line 1 column 1"}"#,
    );
    let r = send(&app, Method::POST, "/2015-03-31/functions", "not json").await;
    r.assert_error(
        400,
        "InvalidRequestContentException",
        r#"{"Type":"User","message":"Could not parse request body into json: expected ident at line 1 column 2"}"#,
    );
    let r = send(&app, Method::POST, "/2015-03-31/functions", r#"{"FunctionName":5}"#).await;
    r.assert_error(
        400,
        "InvalidRequestContentException",
        r#"{"Type":"User","message":"Could not parse request body into json: invalid type: integer `5`, expected a string at line 1 column 17"}"#,
    );
    create(&app, "f").await;
    let r = send(&app, Method::PUT, "/2015-03-31/functions/f/configuration", r#"{"Timeout":"ten"}"#).await;
    r.assert_error(
        400,
        "InvalidRequestContentException",
        r#"{"Type":"User","message":"Could not parse request body into json: invalid type: string \"ten\", expected i64 at line 1 column 16"}"#,
    );
    // A JSON array is not an object.
    let r = send(&app, Method::POST, "/2015-03-31/functions/f/aliases", "[]").await;
    assert_eq!(r.header("x-amzn-errortype"), Some("InvalidRequestContentException"));
    // Not even one whose items would fill the struct's fields in order.
    let r = send(&app, Method::POST, "/2015-03-31/functions/f/policy", r#"["s","lambda:InvokeFunction","*"]"#).await;
    r.assert_error(
        400,
        "InvalidRequestContentException",
        r#"{"Type":"User","message":"Could not parse request body into json: the request body must be a JSON object"}"#,
    );
    let r = send(&app, Method::GET, "/2015-03-31/functions/f/policy", "").await;
    assert_eq!(r.status.as_u16(), 404);
    // Unknown members are ignored.
    let r = send(&app, Method::PUT, "/2015-03-31/functions/f/configuration", r#"{"Timeout":10,"Bogus":[1]}"#).await;
    assert_eq!(r.status, StatusCode::OK);
    // ZipFile that is not base64.
    let r = send(&app, Method::PUT, "/2015-03-31/functions/f/code", r#"{"ZipFile":"***"}"#).await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.header("x-amzn-errortype"), Some("InvalidRequestContentException"));
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("Could not parse request body into json: ZipFile is not valid base64"));
}

#[tokio::test]
async fn missing_required_members_and_empty_bodies() {
    let app = app();
    let want = r#"{"message":"3 validation errors detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null; Value null at 'role' failed to satisfy constraint: Member must not be null; Value null at 'code' failed to satisfy constraint: Member must not be null"}"#;
    let r = send(&app, Method::POST, "/2015-03-31/functions", "{}").await;
    r.assert_error(400, "ValidationException", want);
    // An empty body counts as `{}`, whatever the content type says.
    let r = send(&app, Method::POST, "/2015-03-31/functions", Body::empty()).await;
    r.assert_error(400, "ValidationException", want);
    let builder =
        Request::builder().method(Method::POST).uri("/2015-03-31/functions").header("content-type", "application/json");
    send_with(&app, builder, " \n").await.assert_error(400, "ValidationException", want);

    create(&app, "f").await;
    let r = send(&app, Method::POST, "/2015-03-31/functions/f/aliases", Body::empty()).await;
    r.assert_error(
        400,
        "ValidationException",
        r#"{"message":"2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; Value null at 'functionVersion' failed to satisfy constraint: Member must not be null"}"#,
    );
    // PublishVersion has no required body member: an empty body publishes.
    let r = send(&app, Method::POST, "/2015-03-31/functions/f/versions", Body::empty()).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["Version"], "1");
}

#[tokio::test]
async fn oversized_body_is_413() {
    let app = app();
    let body = vec![b' '; 70_167_212];
    let r = send(
        &app,
        Method::POST,
        "/2015-03-31/functions",
        Body::new(http_body_util::Full::new(axum::body::Bytes::from(body))),
    )
    .await;
    r.assert_error(
        413,
        "RequestEntityTooLargeException",
        r#"{"Message":"Request must be smaller than 70167211 bytes for the CreateFunction operation"}"#,
    );
}

#[tokio::test]
async fn percent_encoded_path_segments() {
    let app = app();
    create(&app, "f").await;
    let arn = "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af";
    let r = send(&app, Method::GET, &format!("/2015-03-31/functions/{arn}/configuration"), Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:f");
    // `$` arrives as `%24`; the qualifier in the name is honoured.
    let r = send(&app, Method::GET, &format!("/2015-03-31/functions/{arn}%3A%24LATEST"), Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["Configuration"]["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST");
    let r = send(&app, Method::GET, "/2015-03-31/functions/f?Qualifier=%24LATEST", Body::empty()).await;
    assert_eq!(r.json()["Configuration"]["Version"], "$LATEST");
    // An encoded slash stays inside the segment, where the name pattern rejects it.
    let r = send(&app, Method::GET, "/2015-03-31/functions/a%2Fb", Body::empty()).await;
    assert_eq!(r.header("x-amzn-errortype"), Some("ValidationException"));
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("1 validation error detected: Value 'a/b' at 'functionName'"));
}

#[tokio::test]
async fn the_credential_scope_picks_account_and_region() {
    let app = app();
    let signed = |method: Method, uri: &str| {
        Request::builder().method(method).uri(uri).header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=123456789012/20250101/eu-west-1/lambda/aws4_request, SignedHeaders=host, Signature=00",
        )
    };
    let r = send_with(&app, signed(Method::POST, "/2015-03-31/functions"), create_body("f")).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["FunctionArn"], "arn:aws:lambda:eu-west-1:123456789012:function:f");
    // Unsigned requests use the defaults, where no `f` exists.
    let r = send(&app, Method::GET, "/2015-03-31/functions/f", Body::empty()).await;
    r.assert_error(
        404,
        "ResourceNotFoundException",
        r#"{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:f"}"#,
    );
    let r = send_with(&app, signed(Method::GET, "/2015-03-31/functions"), Body::empty()).await;
    assert_eq!(r.json()["Functions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn one_representative_error_of_each_code() {
    let app = app();
    create(&app, "f").await;

    // 404, capital `Message`.
    send(&app, Method::GET, "/2015-03-31/functions/f/aliases/nope", Body::empty()).await.assert_error(
        404,
        "ResourceNotFoundException",
        r#"{"Type":"User","Message":"Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:f:nope"}"#,
    );
    // 400 IPVE, lower-case `message`.
    send(&app, Method::DELETE, "/2015-03-31/functions/f?Qualifier=%24LATEST", Body::empty()).await.assert_error(
        400,
        "InvalidParameterValueException",
        r#"{"Type":"User","message":"$LATEST version cannot be deleted without deleting the function."}"#,
    );
    // The one IPVE AWS sends without `Type`.
    let body = r#"{"Name":"r","FunctionVersion":"$LATEST","RoutingConfig":{"AdditionalVersionWeights":{"1":0.5}}}"#;
    send(&app, Method::POST, "/2015-03-31/functions/f/aliases", body).await.assert_error(
        400,
        "InvalidParameterValueException",
        r#"{"message":"$LATEST is not supported for an alias pointing to more than 1 version"}"#,
    );
    // 409.
    send(&app, Method::POST, "/2015-03-31/functions", create_body("f")).await.assert_error(
        409,
        "ResourceConflictException",
        r#"{"Type":"User","message":"Function already exist: f"}"#,
    );
    // 412.
    send(&app, Method::PUT, "/2015-03-31/functions/f/configuration", r#"{"RevisionId":"x"}"#).await.assert_error(
        412,
        "PreconditionFailedException",
        r#"{"Type":"User","message":"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"}"#,
    );
    // 400 ValidationException: no `Type`.
    send(&app, Method::GET, "/2015-03-31/functions?FunctionVersion=LATEST", Body::empty()).await.assert_error(
        400,
        "ValidationException",
        r#"{"message":"1 validation error detected: Value 'LATEST' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]"}"#,
    );
    // 403: creating in another account; the recorded AWS body carries no message text.
    let other = create_body("arn:aws:lambda:us-east-1:111111111111:function:g");
    send(&app, Method::POST, "/2015-03-31/functions", other).await.assert_error(
        403,
        "AccessDeniedException",
        r#"{"Message":""}"#,
    );
    // 404 for a function ARN of another region.
    let west = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A000000000000%3Afunction%3Af";
    send(&app, Method::DELETE, west, Body::empty()).await.assert_error(
        404,
        "ResourceNotFoundException",
        r#"{"Type":"User","Message":"Functions from 'us-west-2' are not reachable in this region ('us-east-1')"}"#,
    );
    // 400 PolicyLengthExceededException: statements with long SourceArns until the policy passes 20480 bytes.
    let long_arn = format!("arn:aws:s3:::{}", "b".repeat(1500));
    let mut last = None;
    for i in 0..20 {
        let body = serde_json::json!({
            "StatementId": format!("s{i}"), "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com", "SourceArn": long_arn,
        });
        let r = send(&app, Method::POST, "/2015-03-31/functions/f/policy", body.to_string()).await;
        if r.status != StatusCode::CREATED {
            last = Some(r);
            break;
        }
    }
    let r = last.expect("the policy outgrew its limit");
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.header("x-amzn-errortype"), Some("PolicyLengthExceededException"));
    let msg = r.json()["message"].as_str().unwrap().to_owned();
    assert!(
        msg.starts_with("The final policy size (") && msg.ends_with(") is bigger than the limit (20480)."),
        "{msg}"
    );
    assert_eq!(r.json()["Type"], "User");
}

#[tokio::test]
async fn list_responses_and_pagination_tokens() {
    let app = app();
    for name in ["a", "b"] {
        create(&app, name).await;
    }
    let r = send(&app, Method::GET, "/2015-03-31/functions?MaxItems=1", Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK);
    let marker = r.json()["NextMarker"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["Functions"][0]["FunctionName"], "a");
    let uri = format!("/2015-03-31/functions?MaxItems=1&Marker={}", urlencode(&marker));
    let r = send(&app, Method::GET, &uri, Body::empty()).await;
    assert_eq!(r.json()["Functions"][0]["FunctionName"], "b");
    assert!(r.json().get("NextMarker").is_none());
    // MasterRegion is accepted and ignored.
    let r = send(&app, Method::GET, "/2015-03-31/functions?MasterRegion=ALL&FunctionVersion=ALL", Body::empty()).await;
    assert_eq!(r.json()["Functions"].as_array().unwrap().len(), 2);
    send(&app, Method::GET, "/2015-03-31/functions?MaxItems=10001", Body::empty()).await.assert_error(
        400,
        "ValidationException",
        r#"{"message":"1 validation error detected: Value '10001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10000"}"#,
    );
    // AWS caps a ListFunctions page at 50.
    for i in 0..55 {
        create(&app, &format!("p{i:02}")).await;
    }
    let r = send(&app, Method::GET, "/2015-03-31/functions?MaxItems=100", Body::empty()).await;
    assert_eq!(r.json()["Functions"].as_array().unwrap().len(), 50);
    assert!(r.json()["NextMarker"].is_string());
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn max_items_edge_cases_on_every_list() {
    let app = app();
    create(&app, "pager").await;
    let lists =
        ["/2015-03-31/functions", "/2015-03-31/functions/pager/versions", "/2015-03-31/functions/pager/aliases"];
    for path in lists {
        for (raw, constraint) in [
            ("0", "Member must have value greater than or equal to 1"),
            ("-1", "Member must have value greater than or equal to 1"),
            ("10001", "Member must have value less than or equal to 10000"),
            // Not an integer at all [inferred text]; never a 5xx.
            ("abc", "Member must be a valid integer"),
            ("99999999999999999999", "Member must be a valid integer"),
        ] {
            send(&app, Method::GET, &format!("{path}?MaxItems={raw}"), Body::empty()).await.assert_error(
                400,
                "ValidationException",
                &format!(
                    r#"{{"message":"1 validation error detected: Value '{raw}' at 'maxItems' failed to satisfy constraint: {constraint}"}}"#
                ),
            );
        }
        // A marker that is not one of ours is an IPVE, also when it is not valid UTF-8 once decoded.
        let r = send(&app, Method::GET, &format!("{path}?Marker=%21%21"), Body::empty()).await;
        r.assert_error(400, "InvalidParameterValueException", r#"{"Type":"User","message":"Invalid Marker: !!"}"#);
        let r = send(&app, Method::GET, &format!("{path}?Marker=%2F%2F%2F%2F"), Body::empty()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.text());
        assert_eq!(r.header("x-amzn-errortype"), Some("InvalidParameterValueException"));
        // MaxItems=1 on a one-item list: the item, no NextMarker.
        let r = send(&app, Method::GET, &format!("{path}?MaxItems=1"), Body::empty()).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
        assert!(r.json().get("NextMarker").is_none(), "{path}: {}", r.text());
    }
}
