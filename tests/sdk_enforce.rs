//! Policy enforcement through the Rust `aws-sdk-lambda` against a real server, with two (or three) accounts: Invoke
//! with `InvocationType::DryRun` before and after AddPermission and after RemovePermission, qualifier-scoped grants,
//! cross-account reads, layer sharing by account, `*` and organization, and `/_lambdalite/simulate`.

mod common;

use std::io::{Read, Write};

use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, InvocationType, LayerVersionContentInput, Runtime};
use aws_sdk_lambda::Client;
use lambdalite::Config;
use serde_json::{json, Value};

const OWNER: &str = "111111111111";
const OTHER: &str = "222222222222";
const OUTSIDER: &str = "333333333333";
const REGION: &str = "us-east-1";
const ORG: &str = "o-abcdefghij";

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{OWNER}:function:{name}")
}

/// HTTP status, `x-amzn-ErrorType` code and message of a failed call.
fn failure<E: ProvideErrorMetadata + std::fmt::Debug>(e: SdkError<E, HttpResponse>) -> (u16, String, String) {
    let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or_default();
    (status, e.code().unwrap_or_default().to_owned(), e.message().unwrap_or_default().to_owned())
}

fn denied(caller: &str, action: &str, resource: &str) -> (u16, String, String) {
    (
        403,
        "AccessDeniedException".into(),
        format!(
            "User: arn:aws:iam::{caller}:root is not authorized to perform: {action} on resource: {resource} because no resource-based policy allows the {action} action"
        ),
    )
}

/// A DryRun invoke: `Ok(status)` or the failure.
async fn dry_run(client: &Client, function: &str, qualifier: Option<&str>) -> Result<i32, (u16, String, String)> {
    client
        .invoke()
        .function_name(function)
        .set_qualifier(qualifier.map(Into::into))
        .invocation_type(InvocationType::DryRun)
        .send()
        .await
        .map(|out| out.status_code())
        .map_err(failure)
}

async fn grant(client: &Client, function: &str, sid: &str, principal: &str, qualifier: Option<&str>) {
    client
        .add_permission()
        .function_name(function)
        .set_qualifier(qualifier.map(Into::into))
        .statement_id(sid)
        .action("lambda:InvokeFunction")
        .principal(principal)
        .send()
        .await
        .expect("add_permission");
}

/// Two accounts on one server, and a function of the first.
async fn setup() -> (common::TestServer, Client, Client, String) {
    let server = common::start().await;
    let owner = server.client_as(OWNER, REGION);
    let other = server.client_as(OTHER, REGION);
    let name = common::unique("enf");
    common::create_function(&owner, &name).await;
    (server, owner, other, name)
}

#[tokio::test]
async fn dry_run_is_denied_before_add_permission_allowed_after_and_denied_after_remove() {
    let (_server, owner, other, name) = setup().await;
    let target = arn(&name);
    // The owner's own account needs no grant.
    assert_eq!(dry_run(&owner, &name, None).await, Ok(204));
    assert_eq!(dry_run(&other, &target, None).await, Err(denied(OTHER, "lambda:InvokeFunction", &target)));
    // A partial ARN addresses the same function.
    let partial = format!("{OWNER}:function:{name}");
    assert_eq!(dry_run(&other, &partial, None).await, Err(denied(OTHER, "lambda:InvokeFunction", &target)));

    grant(&owner, &name, "xaccount", OTHER, None).await;
    assert_eq!(dry_run(&other, &target, None).await, Ok(204));
    assert_eq!(dry_run(&other, &partial, None).await, Ok(204));
    // `$LATEST` is the unqualified function's policy.
    assert_eq!(dry_run(&other, &target, Some("$LATEST")).await, Ok(204));
    // The grant names one account, not everyone.
    let outsider = _server.client_as(OUTSIDER, REGION);
    assert_eq!(dry_run(&outsider, &target, None).await, Err(denied(OUTSIDER, "lambda:InvokeFunction", &target)));

    owner.remove_permission().function_name(&name).statement_id("xaccount").send().await.unwrap();
    assert_eq!(dry_run(&other, &target, None).await, Err(denied(OTHER, "lambda:InvokeFunction", &target)));

    // A `*` grant lets any account in.
    grant(&owner, &name, "anyone", "*", None).await;
    assert_eq!(dry_run(&outsider, &target, None).await, Ok(204));
}

#[tokio::test]
async fn a_qualifier_scoped_grant_allows_only_that_qualifier() {
    let (_server, owner, other, name) = setup().await;
    let target = arn(&name);
    owner.publish_version().function_name(&name).send().await.unwrap();
    owner.create_alias().function_name(&name).name("live").function_version("1").send().await.unwrap();
    grant(&owner, &name, "alias-only", OTHER, Some("live")).await;

    let live = format!("{target}:live");
    assert_eq!(dry_run(&other, &live, None).await, Ok(204));
    assert_eq!(dry_run(&other, &target, Some("live")).await, Ok(204));
    // Neither the unqualified function nor the version the alias points at is covered.
    assert_eq!(dry_run(&other, &target, None).await, Err(denied(OTHER, "lambda:InvokeFunction", &target)));
    let v1 = format!("{target}:1");
    assert_eq!(dry_run(&other, &v1, None).await, Err(denied(OTHER, "lambda:InvokeFunction", &v1)));

    // A version grant covers that version only.
    grant(&owner, &name, "v1-only", OTHER, Some("1")).await;
    assert_eq!(dry_run(&other, &target, Some("1")).await, Ok(204));
    assert_eq!(dry_run(&other, &target, None).await, Err(denied(OTHER, "lambda:InvokeFunction", &target)));
    // An unqualified grant does not reach the alias either.
    owner.remove_permission().function_name(&name).qualifier("live").statement_id("alias-only").send().await.unwrap();
    grant(&owner, &name, "function", OTHER, None).await;
    assert_eq!(dry_run(&other, &target, None).await, Ok(204));
    assert_eq!(dry_run(&other, &live, None).await, Err(denied(OTHER, "lambda:InvokeFunction", &live)));
}

#[tokio::test]
async fn invoke_not_found_texts_and_invocation_types_that_would_run_code() {
    let (server, owner, other, name) = setup().await;
    let missing = arn("missing");
    assert_eq!(
        dry_run(&owner, "missing", None).await,
        Err((404, "ResourceNotFoundException".into(), format!("Function not found: {missing}")))
    );
    assert_eq!(
        dry_run(&owner, "missing", Some("live")).await,
        Err((404, "ResourceNotFoundException".into(), format!("Function not found: {missing}:live")))
    );
    assert_eq!(
        dry_run(&owner, &name, Some("7")).await,
        Err((404, "ResourceNotFoundException".into(), format!("Function not found: {}:7", arn(&name))))
    );
    // For another account, no policy can allow a missing function: the decision comes first.
    assert_eq!(dry_run(&other, &missing, None).await, Err(denied(OTHER, "lambda:InvokeFunction", &missing)));
    assert_eq!(dry_run(&owner, &name, Some("x")).await.map_err(|e| e.0), Err(404), "a missing alias is not found");
    assert_eq!(
        dry_run(&owner, &format!("{name}:1"), Some("2")).await,
        Err((
            400,
            "InvalidParameterValueException".into(),
            "The derived qualifier from the function name does not match the specified qualifier.".into()
        ))
    );

    // RequestResponse (the default) and Event would run code, which lambdalite never does.
    for invocation_type in [Some(InvocationType::RequestResponse), Some(InvocationType::Event), None] {
        let err = owner
            .invoke()
            .function_name(&name)
            .set_invocation_type(invocation_type.clone())
            .payload(Blob::new(b"{}".to_vec()))
            .send()
            .await
            .map_err(failure)
            .unwrap_err();
        let shown = invocation_type.as_ref().map_or("RequestResponse", |t| t.as_str());
        assert_eq!(
            err,
            (
                400,
                "InvalidParameterValueException".into(),
                format!("lambdalite does not run function code, so InvocationType {shown} is not supported. Use InvocationType DryRun to check that the function exists and that the caller may invoke it.")
            )
        );
    }
    // Not an enum value: the model's constraint.
    let err = owner
        .invoke()
        .function_name(&name)
        .invocation_type(InvocationType::from("Later"))
        .send()
        .await
        .map_err(failure)
        .unwrap_err();
    assert_eq!(
        err,
        (
            400,
            "ValidationException".into(),
            "1 validation error detected: Value 'Later' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]".into()
        )
    );
    drop(server);
}

#[tokio::test]
async fn cross_account_reads_need_the_read_action_in_the_policy() {
    let (_server, owner, other, name) = setup().await;
    let target = arn(&name);
    let get = || other.get_function().function_name(&target).send();
    assert_eq!(get().await.map_err(failure).unwrap_err(), denied(OTHER, "lambda:GetFunction", &target));
    let err = other.get_function_configuration().function_name(&target).send().await.map_err(failure).unwrap_err();
    assert_eq!(err, denied(OTHER, "lambda:GetFunctionConfiguration", &target));
    let err = other.list_versions_by_function().function_name(&target).send().await.map_err(failure).unwrap_err();
    assert_eq!(err, denied(OTHER, "lambda:ListVersionsByFunction", &target));
    // An InvokeFunction grant is not a read grant.
    grant(&owner, &name, "invoke", OTHER, None).await;
    assert_eq!(get().await.map_err(failure).unwrap_err().0, 403);

    owner
        .add_permission()
        .function_name(&name)
        .statement_id("read")
        .action("lambda:GetFunction")
        .principal(OTHER)
        .send()
        .await
        .unwrap();
    let got = get().await.unwrap();
    assert_eq!(got.configuration().unwrap().function_arn(), Some(target.as_str()));
    // Each read is its own action.
    let err = other.get_function_configuration().function_name(&target).send().await.map_err(failure).unwrap_err();
    assert_eq!(err.0, 403);
    owner
        .add_permission()
        .function_name(&name)
        .statement_id("all")
        .action("lambda:*")
        .principal(OTHER)
        .send()
        .await
        .unwrap();
    other.get_function_configuration().function_name(&target).send().await.unwrap();
    assert_eq!(other.list_versions_by_function().function_name(&target).send().await.unwrap().versions().len(), 1);
    let policy = other.get_policy().function_name(&target).send().await.unwrap();
    assert!(policy.policy().unwrap().contains(r#""Sid":"all""#));
    // Writes stay the owner's.
    let err = other.delete_function().function_name(&target).send().await.map_err(failure).unwrap_err();
    assert_eq!((err.0, err.1.as_str()), (403, "AccessDeniedException"));
}

fn zip_content(text: &str) -> LayerVersionContentInput {
    LayerVersionContentInput::builder().zip_file(Blob::new(common::zip_bytes(text))).build()
}

async fn create_with_layer(client: &Client, name: &str, layer: &str) -> Result<(), (u16, String, String)> {
    client
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role("arn:aws:iam::111111111111:role/r")
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(common::zip_bytes("x"))).build())
        .layers(layer)
        .send()
        .await
        .map(|_| ())
        .map_err(failure)
}

#[tokio::test]
async fn layer_use_across_accounts_needs_a_grant_by_account_star_or_organization() {
    let server =
        common::start_with(Config { organizations: vec![format!("{ORG}={OWNER},{OTHER}")], ..Config::default() }).await;
    let owner = server.client_as(OWNER, REGION);
    let member = server.client_as(OTHER, REGION);
    let outsider = server.client_as(OUTSIDER, REGION);
    let name = common::unique("shared");
    let published = owner.publish_layer_version().layer_name(&name).content(zip_content("l")).send().await.unwrap();
    let version_arn = published.layer_version_arn().unwrap().to_owned();
    let read = |c: &Client| c.get_layer_version_by_arn().arn(&version_arn).send();

    // Not shared: every other account is refused, on reads and on use in a function.
    assert_eq!(
        read(&member).await.map_err(failure).unwrap_err(),
        denied(OTHER, "lambda:GetLayerVersion", &version_arn)
    );
    let layer_arn = published.layer_arn().unwrap();
    let err = member.get_layer_version().layer_name(layer_arn).version_number(1).send().await.map_err(failure);
    assert_eq!(err.unwrap_err(), denied(OTHER, "lambda:GetLayerVersion", &version_arn));
    assert_eq!(
        create_with_layer(&member, "m1", &version_arn).await,
        Err(denied(OTHER, "lambda:GetLayerVersion", &version_arn))
    );
    // The owner uses its own layer freely.
    read(&owner).await.unwrap();
    create_with_layer(&owner, "o1", &version_arn).await.unwrap();

    // Shared with the organization: members only.
    owner
        .add_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("org")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .organization_id(ORG)
        .send()
        .await
        .unwrap();
    read(&member).await.unwrap();
    create_with_layer(&member, "m2", &version_arn).await.unwrap();
    assert_eq!(read(&outsider).await.map_err(failure).unwrap_err().0, 403);
    assert_eq!(create_with_layer(&outsider, "x1", &version_arn).await.map_err(|e| e.0), Err(403));
    // UpdateFunctionConfiguration checks the same.
    common::create_function(&outsider, "x2").await;
    let err = outsider
        .update_function_configuration()
        .function_name("x2")
        .layers(&version_arn)
        .send()
        .await
        .map_err(failure)
        .unwrap_err();
    assert_eq!(err, denied(OUTSIDER, "lambda:GetLayerVersion", &version_arn));

    // Shared with one account by id.
    owner
        .add_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("outsider")
        .action("lambda:GetLayerVersion")
        .principal(OUTSIDER)
        .send()
        .await
        .unwrap();
    read(&outsider).await.unwrap();
    outsider.update_function_configuration().function_name("x2").layers(&version_arn).send().await.unwrap();

    // Another version of the same layer is not shared by this version's policy.
    owner.publish_layer_version().layer_name(&name).content(zip_content("l2")).send().await.unwrap();
    let v2 = format!("{layer_arn}:2");
    assert_eq!(
        member.get_layer_version_by_arn().arn(&v2).send().await.map_err(failure).unwrap_err(),
        denied(OTHER, "lambda:GetLayerVersion", &v2)
    );
    // Revoked: refused again.
    owner
        .remove_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("org")
        .send()
        .await
        .unwrap();
    assert_eq!(read(&member).await.map_err(failure).unwrap_err().0, 403);
}

#[tokio::test]
async fn layers_shared_with_star_reach_every_account() {
    let server = common::start().await;
    let owner = server.client_as(OWNER, REGION);
    let outsider = server.client_as(OUTSIDER, REGION);
    let name = common::unique("public");
    let published = owner.publish_layer_version().layer_name(&name).content(zip_content("p")).send().await.unwrap();
    let version_arn = published.layer_version_arn().unwrap();
    owner
        .add_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("public")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .send()
        .await
        .unwrap();
    outsider.get_layer_version_by_arn().arn(version_arn).send().await.unwrap();
    create_with_layer(&outsider, "uses-public", version_arn).await.unwrap();
    // The organization condition, without a configured organization, lets nobody in.
    owner
        .add_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("org-only")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .organization_id(ORG)
        .send()
        .await
        .unwrap();
    owner
        .remove_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("public")
        .send()
        .await
        .unwrap();
    assert_eq!(outsider.get_layer_version_by_arn().arn(version_arn).send().await.map_err(failure).unwrap_err().0, 403);
}

/// `POST path` with a JSON body over a plain socket; returns the status and the JSON body.
async fn post_json(server: &common::TestServer, path: &str, body: &Value) -> (u16, Value) {
    let addr = server.addr;
    let path = path.to_owned();
    let body = body.to_string();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read");
        let status: u16 = raw.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status line");
        let (_, payload) = raw.split_once("\r\n\r\n").expect("headers end");
        (status, serde_json::from_str(payload).unwrap_or(Value::Null))
    })
    .await
    .expect("request thread")
}

#[tokio::test]
async fn simulate_service_principals_with_and_without_matching_source() {
    let (server, owner, _other, name) = setup().await;
    let target = arn(&name);
    let bucket = "arn:aws:s3:::my-bucket-1xpuxmplzrlbh";
    let s3 = |context: Value| json!({"Principal": "s3.amazonaws.com", "Action": "lambda:InvokeFunction", "Resource": target, "Context": context});

    let (status, out) = post_json(&server, "/_lambdalite/simulate", &s3(json!({"aws:SourceArn": bucket}))).await;
    assert_eq!(status, 200);
    assert_eq!(out["Decision"], "Deny");
    assert_eq!(out["Reason"], format!("No resource-based policy is attached to {target}."));
    assert!(out.get("MatchedStatement").is_none());

    owner
        .add_permission()
        .function_name(&name)
        .statement_id("s3")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn(bucket)
        .source_account(OWNER)
        .send()
        .await
        .unwrap();
    let good = json!({"aws:SourceArn": bucket, "aws:SourceAccount": OWNER});
    let (_, out) = post_json(&server, "/_lambdalite/simulate", &s3(good.clone())).await;
    assert_eq!((out["Decision"].as_str(), out["MatchedStatement"].as_str()), (Some("Allow"), Some("s3")));
    assert_eq!(out["Basis"], "ResourcePolicy");

    // Another bucket, another source account, or a missing key: denied, and the failed condition is named.
    for (context, failed) in [
        (json!({"aws:SourceArn": "arn:aws:s3:::other-bucket", "aws:SourceAccount": OWNER}), "ArnLike AWS:SourceArn"),
        (json!({"aws:SourceArn": bucket, "aws:SourceAccount": "999999999999"}), "StringEquals AWS:SourceAccount"),
        (json!({"aws:SourceArn": bucket}), "StringEquals AWS:SourceAccount"),
    ] {
        let (_, out) = post_json(&server, "/_lambdalite/simulate", &s3(context.clone())).await;
        assert_eq!(out["Decision"], "Deny", "{context}");
        assert_eq!(out["Statements"][0]["Sid"], "s3");
        assert_eq!(out["Statements"][0]["Result"], "ConditionFailed");
        assert!(out["Statements"][0]["Detail"].as_str().unwrap().contains(failed), "{out}");
        assert!(out["Reason"].as_str().unwrap().starts_with("No statement in the policy of"), "{out}");
    }
    // Another service, or a qualified resource the unqualified grant does not cover.
    let mut sns = s3(good.clone());
    sns["Principal"] = json!("sns.amazonaws.com");
    let (_, out) = post_json(&server, "/_lambdalite/simulate", &sns).await;
    assert_eq!(
        (out["Decision"].as_str(), out["Statements"][0]["Result"].as_str()),
        (Some("Deny"), Some("PrincipalMismatch"))
    );
    owner.publish_version().function_name(&name).send().await.unwrap();
    let mut v1 = s3(good);
    v1["Resource"] = json!(format!("{target}:1"));
    let (_, out) = post_json(&server, "/_lambdalite/simulate", &v1).await;
    assert_eq!(out["Decision"], "Deny");
    assert_eq!(out["Reason"], format!("No resource-based policy is attached to {target}:1."));

    // Bad input comes back in AWS's error shape.
    let (status, out) =
        post_json(&server, "/_lambdalite/simulate", &json!({"Action": "lambda:InvokeFunction", "Resource": target}))
            .await;
    assert_eq!(status, 400);
    assert_eq!(
        out["message"],
        "1 validation error detected: Value null at 'principal' failed to satisfy constraint: Member must not be null"
    );
    let (status, out) = post_json(
        &server,
        "/_lambdalite/simulate",
        &json!({"Principal": "s3.amazonaws.com", "Action": "lambda:InvokeFunction", "Resource": arn("nope")}),
    )
    .await;
    assert_eq!((status, out["Message"].as_str()), (404, Some(format!("Function not found: {}", arn("nope")).as_str())));
}
