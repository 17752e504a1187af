//! AddPermission, GetPolicy and RemovePermission through the Rust `aws-sdk-lambda` against a real server: every
//! request member, every FunctionName form, every error text of SPEC §4, §5.3, §6, §7 and §8, per-qualifier
//! policies, RevisionId compare-and-swap and the 20 KB limit.

mod common;

use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::operation::add_permission::AddPermissionError;
use aws_sdk_lambda::operation::get_policy::GetPolicyError;
use aws_sdk_lambda::operation::remove_permission::RemovePermissionError;
use aws_sdk_lambda::types::FunctionUrlAuthType;
use aws_sdk_lambda::Client;
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-2";
const POLICY_412: &str =
    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id";
const NS_PATTERN: &str = r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";
const QUALIFIER_PATTERN: &str = r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+";
const DOC_HEAD: &str = r#"{"Version":"2012-10-17","Id":"default","Statement":["#;

/// What a client sees of a failed call: HTTP status, `x-amzn-ErrorType` code and message.
#[derive(Debug, PartialEq, Eq)]
struct Failure {
    status: u16,
    code: String,
    message: String,
}

fn failure<E: ProvideErrorMetadata + std::fmt::Debug>(e: SdkError<E, HttpResponse>) -> Failure {
    let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or_default();
    Failure {
        status,
        code: e.code().unwrap_or_default().to_owned(),
        message: e.message().unwrap_or_default().to_owned(),
    }
}

fn fail(status: u16, code: &str, message: impl Into<String>) -> Failure {
    Failure { status, code: code.into(), message: message.into() }
}

/// Unwraps the error of a call that must fail.
fn err<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, SdkError<E, HttpResponse>>,
) -> Failure {
    failure(r.expect_err("the call must fail"))
}

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

/// A server, a client for account 123456789012 in us-east-2, and a fresh function.
async fn setup() -> (common::TestServer, Client, String) {
    let server = common::start().await;
    let client = server.client_as(ACCOUNT, REGION);
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    (server, client, name)
}

/// A minimal AddPermission call: `*` may invoke.
fn grant(
    client: &Client,
    function: &str,
    sid: &str,
) -> aws_sdk_lambda::operation::add_permission::builders::AddPermissionFluentBuilder {
    client.add_permission().function_name(function).statement_id(sid).action("lambda:InvokeFunction").principal("*")
}

async fn policy_doc(client: &Client, function: &str, qualifier: Option<&str>) -> (Value, String, String) {
    let out =
        client.get_policy().function_name(function).set_qualifier(qualifier.map(Into::into)).send().await.unwrap();
    let raw = out.policy().unwrap().to_owned();
    (serde_json::from_str(&raw).unwrap(), out.revision_id().unwrap().to_owned(), raw)
}

fn sids(doc: &Value) -> Vec<String> {
    doc["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap().to_owned()).collect()
}

async fn publish(client: &Client, function: &str) -> (String, String) {
    let v = client.publish_version().function_name(function).send().await.unwrap();
    (v.version().unwrap().to_owned(), v.revision_id().unwrap().to_owned())
}

async fn alias(client: &Client, function: &str, name: &str, version: &str) -> String {
    let a = client.create_alias().function_name(function).name(name).function_version(version).send().await.unwrap();
    a.revision_id().unwrap().to_owned()
}

async fn function_revision(client: &Client, function: &str) -> String {
    let f = client.get_function().function_name(function).send().await.unwrap();
    f.configuration().unwrap().revision_id().unwrap().to_owned()
}

// ---------------------------------------------------------------------------------------------------------------
// Statements (SPEC §6)
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn seed_examples_come_back_byte_for_byte() {
    let server = common::start().await;
    let client = server.client_as(ACCOUNT, REGION);
    common::create_function(&client, "my-function").await;

    // The seed passes `.../*` but shows the statement without it; AWS echoes SourceArn verbatim, so the value that
    // reproduces the shown output is the one without `/*` (see `source_arn_is_echoed_verbatim`).
    let s3 = client
        .add_permission()
        .function_name("my-function")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_account("123456789012")
        .source_arn("arn:aws:s3:::my-bucket-1xpuxmplzrlbh")
        .statement_id("s3")
        .send()
        .await
        .unwrap();
    assert_eq!(
        s3.statement(),
        Some(
            r#"{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-2:123456789012:function:my-function","Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket-1xpuxmplzrlbh"}}}"#
        )
    );

    let xaccount = client
        .add_permission()
        .function_name("my-function")
        .action("lambda:InvokeFunction")
        .principal("223456789012")
        .statement_id("xaccount")
        .send()
        .await
        .unwrap();
    assert_eq!(
        xaccount.statement(),
        Some(
            r#"{"Sid":"xaccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::223456789012:root"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-2:123456789012:function:my-function"}"#
        )
    );

    let policy = client.get_policy().function_name("my-function").send().await.unwrap();
    assert_eq!(
        policy.policy().unwrap(),
        format!(
            r#"{{"Version":"2012-10-17","Id":"default","Statement":[{},{}]}}"#,
            s3.statement().unwrap(),
            xaccount.statement().unwrap()
        )
    );
    assert_eq!(policy.revision_id().unwrap().len(), 36);
}

#[tokio::test]
async fn source_arn_is_echoed_verbatim() {
    let (_server, client, name) = setup().await;
    for (sid, source_arn) in [
        ("wild", "arn:aws:s3:::my-bucket-1xpuxmplzrlbh/*"),
        ("sns", "arn:aws:sns:us-east-2:123456789012:my-topic"),
        ("star", "arn:aws:execute-api:us-east-2:123456789012:abc123/*/GET/pets"),
    ] {
        let out = client
            .add_permission()
            .function_name(&name)
            .statement_id(sid)
            .action("lambda:InvokeFunction")
            .principal("s3.amazonaws.com")
            .source_arn(source_arn)
            .send()
            .await
            .unwrap();
        let s: Value = serde_json::from_str(out.statement().unwrap()).unwrap();
        assert_eq!(s["Condition"], json!({"ArnLike": {"AWS:SourceArn": source_arn}}));
    }
}

#[tokio::test]
async fn spec_6_3_examples_byte_for_byte() {
    let (_server, client, name) = setup().await;
    let resource = arn(&name);

    let url_public = client
        .add_permission()
        .function_name(&name)
        .statement_id("url-public")
        .action("lambda:InvokeFunctionUrl")
        .principal("*")
        .source_account(ACCOUNT)
        .function_url_auth_type(FunctionUrlAuthType::None)
        .principal_org_id("o-abcdefghij")
        .source_arn("arn:aws:s3:::my-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(
        url_public.statement().unwrap(),
        format!(
            r#"{{"Sid":"url-public","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"{resource}","Condition":{{"StringEquals":{{"AWS:SourceAccount":"{ACCOUNT}","lambda:FunctionUrlAuthType":"NONE","aws:PrincipalOrgID":"o-abcdefghij"}},"ArnLike":{{"AWS:SourceArn":"arn:aws:s3:::my-bucket"}}}}}}"#
        )
    );

    let alexa = client
        .add_permission()
        .function_name(&name)
        .statement_id("alexa")
        .action("lambda:InvokeFunction")
        .principal("*")
        .event_source_token("amzn1.ask.skill.00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(
        alexa.statement().unwrap(),
        format!(
            r#"{{"Sid":"alexa","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"{resource}","Condition":{{"StringEquals":{{"lambda:EventSourceToken":"amzn1.ask.skill.00000000-0000-0000-0000-000000000000"}}}}}}"#
        )
    );

    let via_url = client
        .add_permission()
        .function_name(&name)
        .statement_id("FunctionURLAllowInvokeAction")
        .action("lambda:InvokeFunction")
        .principal("*")
        .invoked_via_function_url(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        via_url.statement().unwrap(),
        format!(
            r#"{{"Sid":"FunctionURLAllowInvokeAction","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"{resource}","Condition":{{"Bool":{{"lambda:InvokedViaFunctionUrl":"true"}}}}}}"#
        )
    );

    // GetPolicy carries the same bytes, in insertion order.
    let (_, _, raw) = policy_doc(&client, &name, None).await;
    assert_eq!(
        raw,
        format!(
            "{DOC_HEAD}{},{},{}]}}",
            url_public.statement().unwrap(),
            alexa.statement().unwrap(),
            via_url.statement().unwrap()
        )
    );
}

#[tokio::test]
async fn every_condition_member_in_aws_key_order() {
    let (_server, client, name) = setup().await;
    let out = client
        .add_permission()
        .function_name(&name)
        .statement_id("all")
        .action("lambda:InvokeFunction")
        .principal("alexa-appkit.amazon.com")
        .source_arn("arn:aws:s3:::b")
        .source_account(ACCOUNT)
        .event_source_token("tok.en-1_2")
        .principal_org_id("o-abcdefghij")
        .invoked_via_function_url(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.statement().unwrap(),
        format!(
            r#"{{"Sid":"all","Effect":"Allow","Principal":{{"Service":"alexa-appkit.amazon.com"}},"Action":"lambda:InvokeFunction","Resource":"{}","Condition":{{"StringEquals":{{"AWS:SourceAccount":"{ACCOUNT}","aws:PrincipalOrgID":"o-abcdefghij","lambda:EventSourceToken":"tok.en-1_2"}},"ArnLike":{{"AWS:SourceArn":"arn:aws:s3:::b"}},"Bool":{{"lambda:InvokedViaFunctionUrl":"true"}}}}}}"#,
            arn(&name)
        )
    );

    // FunctionUrlAuthType sits between SourceAccount and PrincipalOrgID; AWS_IAM is the other enum value.
    let out = client
        .add_permission()
        .function_name(&name)
        .statement_id("iam-url")
        .action("lambda:InvokeFunctionUrl")
        .principal("arn:aws:iam::223456789012:role/caller")
        .function_url_auth_type(FunctionUrlAuthType::AwsIam)
        .source_account(ACCOUNT)
        .principal_org_id("o-abcdefghij")
        .event_source_token("t")
        .send()
        .await
        .unwrap();
    assert!(out.statement().unwrap().ends_with(&format!(
        r#""Condition":{{"StringEquals":{{"AWS:SourceAccount":"{ACCOUNT}","lambda:FunctionUrlAuthType":"AWS_IAM","aws:PrincipalOrgID":"o-abcdefghij","lambda:EventSourceToken":"t"}}}}}}"#
    )));
    assert!(out.statement().unwrap().contains(r#""Principal":{"AWS":"arn:aws:iam::223456789012:role/caller"}"#));

    // InvokedViaFunctionUrl false adds no condition at all.
    let out = grant(&client, &name, "nofalse").invoked_via_function_url(false).send().await.unwrap();
    assert!(!out.statement().unwrap().contains("Condition"));
}

#[tokio::test]
async fn principal_forms_and_action_verbatim() {
    let (_server, client, name) = setup().await;
    let cases = [
        ("star", "*", json!("*")),
        ("acct", "223456789012", json!({"AWS": "arn:aws:iam::223456789012:root"})),
        ("root", "arn:aws:iam::223456789012:root", json!({"AWS": "arn:aws:iam::223456789012:root"})),
        ("user", "arn:aws:iam::223456789012:user/alice", json!({"AWS": "arn:aws:iam::223456789012:user/alice"})),
        ("role", "arn:aws:iam::223456789012:role/r", json!({"AWS": "arn:aws:iam::223456789012:role/r"})),
        ("svc", "lambda.amazonaws.com", json!({"Service": "lambda.amazonaws.com"})),
        ("alexa", "alexa-appkit.amazon.com", json!({"Service": "alexa-appkit.amazon.com"})),
    ];
    for (sid, principal, want) in cases {
        let out = client
            .add_permission()
            .function_name(&name)
            .statement_id(sid)
            .action("lambda:invokeFunctionUrl")
            .principal(principal)
            .send()
            .await
            .unwrap();
        let s: Value = serde_json::from_str(out.statement().unwrap()).unwrap();
        assert_eq!(s["Principal"], want, "{principal}");
        assert_eq!(s["Action"], "lambda:invokeFunctionUrl", "action is not normalised");
        assert_eq!(s["Effect"], "Allow");
        assert_eq!(s["Resource"], arn(&name));
    }
    for action in ["lambda:*", "*", "lambda:GetFunction"] {
        let sid = format!("a{}", action.len());
        let out = grant(&client, &name, &sid).action(action).send().await.unwrap();
        assert!(out.statement().unwrap().contains(&format!(r#""Action":"{action}""#)));
    }
    for bad in ["example.org", "2234567890", "arn:aws:s3:::bucket", "amazonaws.com.evil"] {
        let e = err(client
            .add_permission()
            .function_name(&name)
            .statement_id("bad")
            .action("lambda:InvokeFunction")
            .principal(bad)
            .send()
            .await);
        assert_eq!(
            e,
            fail(
                400,
                "InvalidParameterValueException",
                "The provided principal was invalid. Please check the principal and try again."
            ),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn function_url_members_need_their_action() {
    let (_server, client, name) = setup().await;
    let e = err(grant(&client, &name, "x").function_url_auth_type(FunctionUrlAuthType::None).send().await);
    assert_eq!(
        e,
        fail(
            400,
            "InvalidParameterValueException",
            "FunctionUrlAuthType is only supported for lambda:InvokeFunctionUrl action"
        )
    );
    let e =
        err(grant(&client, &name, "x").action("lambda:InvokeFunctionUrl").invoked_via_function_url(true).send().await);
    assert_eq!(
        e,
        fail(
            400,
            "InvalidParameterValueException",
            "InvokedViaFunctionUrl is only supported for lambda:InvokeFunction action"
        )
    );
    assert!(client.get_policy().function_name(&name).send().await.is_err(), "nothing was stored");
}

// ---------------------------------------------------------------------------------------------------------------
// FunctionName forms and qualifiers (SPEC §4)
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_function_name_form_addresses_the_same_policies() {
    let (_server, client, name) = setup().await;
    let (v, _) = publish(&client, &name).await;
    alias(&client, &name, "prod", &v).await;
    let unq = arn(&name);
    // (FunctionName, Qualifier param, which policy, Resource)
    let cases: Vec<(String, Option<&str>, Option<&str>, String)> = vec![
        (name.clone(), None, None, unq.clone()),
        (format!("{name}:1"), None, Some("1"), format!("{unq}:1")),
        (format!("{name}:prod"), None, Some("prod"), format!("{unq}:prod")),
        (name.clone(), Some("prod"), Some("prod"), format!("{unq}:prod")),
        (format!("{name}:1"), Some("1"), Some("1"), format!("{unq}:1")),
        (unq.clone(), None, None, unq.clone()),
        (format!("{unq}:1"), None, Some("1"), format!("{unq}:1")),
        (format!("{unq}:prod"), Some("prod"), Some("prod"), format!("{unq}:prod")),
        (format!("{ACCOUNT}:function:{name}"), None, None, unq.clone()),
        (format!("{ACCOUNT}:function:{name}:prod"), None, Some("prod"), format!("{unq}:prod")),
        (format!("{ACCOUNT}:function:{name}"), Some("1"), Some("1"), format!("{unq}:1")),
    ];
    for (i, (function_name, param, policy, resource)) in cases.iter().enumerate() {
        let sid = format!("form{i}");
        let out = grant(&client, function_name, &sid).set_qualifier(param.map(Into::into)).send().await.unwrap();
        let s: Value = serde_json::from_str(out.statement().unwrap()).unwrap();
        assert_eq!(&s["Resource"], resource, "{function_name} {param:?}");
        // GetPolicy through the same form sees it; through the plain name plus qualifier too.
        let (doc, _, _) = policy_doc(&client, function_name, *param).await;
        assert!(sids(&doc).contains(&sid), "{function_name} {param:?}");
        let (doc, _, _) = policy_doc(&client, &name, *policy).await;
        assert!(sids(&doc).contains(&sid), "{function_name} {param:?}");
    }
    // Every unqualified/version/alias form landed in its own policy, in insertion order.
    assert_eq!(sids(&policy_doc(&client, &name, None).await.0), ["form0", "form5", "form8"]);
    assert_eq!(sids(&policy_doc(&client, &name, Some("1")).await.0), ["form1", "form4", "form6", "form10"]);
    assert_eq!(sids(&policy_doc(&client, &name, Some("prod")).await.0), ["form2", "form3", "form7", "form9"]);

    // RemovePermission accepts every form as well.
    for (i, (function_name, param, _, _)) in cases.iter().enumerate() {
        client
            .remove_permission()
            .function_name(function_name)
            .statement_id(format!("form{i}"))
            .set_qualifier(param.map(Into::into))
            .send()
            .await
            .unwrap();
    }
    for q in [None, Some("1"), Some("prod")] {
        assert_eq!(
            err(client.get_policy().function_name(&name).set_qualifier(q.map(Into::into)).send().await).status,
            404
        );
    }
}

#[tokio::test]
async fn latest_qualifier_rules() {
    let (_server, client, name) = setup().await;
    let latest =
        fail(400, "InvalidParameterValueException", "We currently do not support adding policies for $LATEST.");
    assert_eq!(err(grant(&client, &name, "a").qualifier("$LATEST").send().await), latest);
    assert_eq!(err(grant(&client, &format!("{name}:$LATEST"), "a").send().await), latest);
    assert_eq!(err(grant(&client, &format!("{}:$LATEST", arn(&name)), "a").qualifier("$LATEST").send().await), latest);
    // Even for a function that does not exist: the check comes before the lookup.
    assert_eq!(err(grant(&client, "nope", "a").qualifier("$LATEST").send().await), latest);

    // GetPolicy and RemovePermission treat `$LATEST` as the unqualified policy.
    grant(&client, &name, "a").send().await.unwrap();
    let (doc, rev, _) = policy_doc(&client, &name, Some("$LATEST")).await;
    assert_eq!(sids(&doc), ["a"]);
    assert_eq!(rev, policy_doc(&client, &name, None).await.1);
    assert_eq!(sids(&policy_doc(&client, &format!("{name}:$LATEST"), None).await.0), ["a"]);
    client.remove_permission().function_name(&name).statement_id("a").qualifier("$LATEST").send().await.unwrap();
    assert_eq!(err(client.get_policy().function_name(&name).send().await).status, 404);
}

#[tokio::test]
async fn qualifier_mismatch_is_rejected_by_all_three() {
    let (_server, client, name) = setup().await;
    publish(&client, &name).await;
    let mismatch = fail(
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    );
    for function_name in [format!("{name}:1"), format!("{}:1", arn(&name)), format!("{ACCOUNT}:function:{name}:1")] {
        assert_eq!(err(grant(&client, &function_name, "a").qualifier("2").send().await), mismatch);
        assert_eq!(err(client.get_policy().function_name(&function_name).qualifier("prod").send().await), mismatch);
        assert_eq!(
            err(client
                .remove_permission()
                .function_name(&function_name)
                .statement_id("a")
                .qualifier("$LATEST")
                .send()
                .await),
            mismatch
        );
    }
    // Mismatch wins over a missing function, and over `$LATEST`.
    assert_eq!(err(grant(&client, "nope:1", "a").qualifier("$LATEST").send().await), mismatch);
}

#[tokio::test]
async fn missing_function_version_alias_texts_per_operation() {
    let (_server, client, name) = setup().await;
    let unq = arn(&name);
    let nope = arn("nope");

    // AddPermission (SPEC §8.1 steps 5–6).
    assert_eq!(
        err(grant(&client, "nope", "a").send().await),
        fail(404, "ResourceNotFoundException", format!("Function not found: {nope}"))
    );
    assert_eq!(
        err(grant(&client, "nope", "a").qualifier("1").send().await),
        fail(404, "ResourceNotFoundException", format!("Function not found: {nope}"))
    );
    assert_eq!(
        err(grant(&client, &name, "a").qualifier("7").send().await),
        fail(404, "ResourceNotFoundException", format!("Function not found: {unq}:7"))
    );
    assert_eq!(
        err(grant(&client, &format!("{name}:prod"), "a").send().await),
        fail(404, "ResourceNotFoundException", format!("Cannot find alias arn: {unq}:prod"))
    );
    // A `$`-qualifier other than `$LATEST` passes validation and never resolves.
    for other in ["$latest", "abc$def", "$LATEST.PUBLISHED"] {
        assert_eq!(
            err(grant(&client, &name, "a").qualifier(other).send().await),
            fail(404, "ResourceNotFoundException", format!("Function not found: {unq}:{other}"))
        );
    }

    // GetPolicy: one text for all of them (SPEC §8.2).
    let gone = fail(404, "ResourceNotFoundException", "The resource you requested does not exist.");
    assert_eq!(err(client.get_policy().function_name("nope").send().await), gone);
    assert_eq!(err(client.get_policy().function_name(&name).send().await), gone);
    assert_eq!(err(client.get_policy().function_name(&name).qualifier("7").send().await), gone);
    assert_eq!(err(client.get_policy().function_name(&name).qualifier("prod").send().await), gone);
    assert_eq!(err(client.get_policy().function_name(&name).qualifier("$latest").send().await), gone);
    let e = client.get_policy().function_name("nope").send().await.unwrap_err().into_service_error();
    assert!(matches!(e, GetPolicyError::ResourceNotFoundException(_)), "{e:?}");

    // RemovePermission (SPEC §8.3 steps 2–5).
    let remove = |f: &str, q: Option<&str>, sid: &str| {
        client.remove_permission().function_name(f).statement_id(sid).set_qualifier(q.map(Into::into)).send()
    };
    assert_eq!(
        err(remove("nope", None, "a").await),
        fail(404, "ResourceNotFoundException", format!("No policy found for: {nope}"))
    );
    assert_eq!(
        err(remove("nope", Some("prod"), "a").await),
        fail(404, "ResourceNotFoundException", format!("No policy found for: {nope}"))
    );
    assert_eq!(
        err(remove(&name, Some("prod"), "a").await),
        fail(404, "ResourceNotFoundException", format!("Cannot find alias arn: {unq}:prod"))
    );
    assert_eq!(
        err(remove(&name, Some("7"), "a").await),
        fail(404, "ResourceNotFoundException", format!("Function not found: {unq}:7"))
    );
    assert_eq!(
        err(remove(&name, None, "a").await),
        fail(404, "ResourceNotFoundException", "No policy is associated with the given resource.")
    );
    grant(&client, &name, "present").send().await.unwrap();
    assert_eq!(
        err(remove(&name, None, "absent").await),
        fail(404, "ResourceNotFoundException", "Statement absent is not found in resource policy.")
    );
    // Dots are valid in RemovePermission's StatementId, so this is a lookup miss, not a validation error.
    assert_eq!(
        err(remove(&name, None, "my.sid").await),
        fail(404, "ResourceNotFoundException", "Statement my.sid is not found in resource policy.")
    );
    let e = remove(&name, None, "absent").await.unwrap_err().into_service_error();
    assert!(matches!(e, RemovePermissionError::ResourceNotFoundException(_)), "{e:?}");
    // A version with no policy: no policy, not a missing version.
    let (v, _) = publish(&client, &name).await;
    assert_eq!(
        err(remove(&name, Some(&v), "present").await),
        fail(404, "ResourceNotFoundException", "No policy is associated with the given resource.")
    );
}

#[tokio::test]
async fn validation_texts_and_multiple_violations() {
    let (_server, client, name) = setup().await;
    let one = |member: &str, value: &str, constraint: &str| {
        fail(
            400,
            "ValidationException",
            format!(
                "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
            ),
        )
    };
    let pattern = |p: &str| format!("Member must satisfy regular expression pattern: {p}");

    // The recorded text (SPEC §6.4).
    assert_eq!(
        err(grant(&client, &name, "my.sid").send().await),
        fail(
            400,
            "ValidationException",
            "1 validation error detected: Value 'my.sid' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)"
        )
    );
    let long_sid = "s".repeat(101);
    assert_eq!(
        err(grant(&client, &name, &long_sid).send().await),
        one("statementId", &long_sid, "Member must have length less than or equal to 100")
    );
    assert_eq!(
        err(grant(&client, &name, "a").action("s3:GetObject").send().await),
        one("action", "s3:GetObject", &pattern("(lambda:[*]|lambda:[a-zA-Z]+|[*])"))
    );
    assert_eq!(
        err(grant(&client, &name, "a").principal("a b").send().await),
        one("principal", "a b", &pattern(r"[^\s]+"))
    );
    assert_eq!(
        err(grant(&client, &name, "a").source_arn("not-an-arn").send().await),
        one(
            "sourceArn",
            "not-an-arn",
            &pattern(r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)")
        )
    );
    assert_eq!(
        err(grant(&client, &name, "a").source_account("12345").send().await),
        one("sourceAccount", "12345", &pattern(r"\d{12}"))
    );
    assert_eq!(
        err(grant(&client, &name, "a").event_source_token("bad token").send().await),
        one("eventSourceToken", "bad token", &pattern(r"[a-zA-Z0-9._\-]+"))
    );
    assert_eq!(
        err(grant(&client, &name, "a").principal_org_id("o-abc").send().await),
        fail(
            400,
            "ValidationException",
            format!(
                "2 validation errors detected: Value 'o-abc' at 'principalOrgID' failed to satisfy constraint: Member must have length greater than or equal to 12; Value 'o-abc' at 'principalOrgID' failed to satisfy constraint: {}",
                pattern("o-[a-z0-9]{10,32}")
            )
        )
    );
    assert_eq!(
        err(grant(&client, &name, "a").principal_org_id("o-ABCDEFGHIJ").send().await),
        one("principalOrgID", "o-ABCDEFGHIJ", &pattern("o-[a-z0-9]{10,32}"))
    );
    assert_eq!(
        err(grant(&client, &name, "a")
            .action("lambda:InvokeFunctionUrl")
            .function_url_auth_type(FunctionUrlAuthType::from("OPEN"))
            .send()
            .await),
        one("functionUrlAuthType", "OPEN", "Member must satisfy enum value set: [NONE, AWS_IAM]")
    );
    assert_eq!(
        err(grant(&client, &name, "a").qualifier("bad?qualifier").send().await),
        one("qualifier", "bad?qualifier", &pattern(QUALIFIER_PATTERN))
    );
    let long_q = "q".repeat(129);
    assert_eq!(
        err(grant(&client, &name, "a").qualifier(&long_q).send().await),
        one("qualifier", &long_q, "Member must have length less than or equal to 128")
    );
    for bad_name in ["my-function!", "x:y:z", "arn:aws:lambda:us-east-2:123456789012:function:f:1:2", "f:$LATES"] {
        assert_eq!(
            err(grant(&client, bad_name, "a").send().await),
            one("functionName", bad_name, &pattern(NS_PATTERN)),
            "{bad_name}"
        );
        assert_eq!(
            err(client.get_policy().function_name(bad_name).send().await),
            one("functionName", bad_name, &pattern(NS_PATTERN))
        );
        assert_eq!(
            err(client.remove_permission().function_name(bad_name).statement_id("a").send().await),
            one("functionName", bad_name, &pattern(NS_PATTERN))
        );
    }

    // Two violations, one message, model member order: functionName, statementId, action, ..., qualifier.
    assert_eq!(
        err(client.add_permission().function_name("bad!").statement_id("my.sid").action("s3:Get").principal("*").send().await),
        fail(
            400,
            "ValidationException",
            format!(
                "3 validation errors detected: Value 'bad!' at 'functionName' failed to satisfy constraint: {}; Value 'my.sid' at 'statementId' failed to satisfy constraint: {}; Value 's3:Get' at 'action' failed to satisfy constraint: {}",
                pattern(NS_PATTERN),
                pattern("([a-zA-Z0-9-_]+)"),
                pattern("(lambda:[*]|lambda:[a-zA-Z]+|[*])")
            )
        )
    );
    assert_eq!(
        err(client.get_policy().function_name("bad!").qualifier("bad?q").send().await),
        fail(
            400,
            "ValidationException",
            format!(
                "2 validation errors detected: Value 'bad!' at 'functionName' failed to satisfy constraint: {}; Value 'bad?q' at 'qualifier' failed to satisfy constraint: {}",
                pattern(NS_PATTERN),
                pattern(QUALIFIER_PATTERN)
            )
        )
    );
    assert_eq!(
        err(client.remove_permission().function_name(&name).statement_id("bad sid").qualifier("bad?q").send().await),
        fail(
            400,
            "ValidationException",
            format!(
                "2 validation errors detected: Value 'bad sid' at 'statementId' failed to satisfy constraint: {}; Value 'bad?q' at 'qualifier' failed to satisfy constraint: {}",
                pattern("([a-zA-Z0-9-_.]+)"),
                pattern(QUALIFIER_PATTERN)
            )
        )
    );
    // A 13-digit SourceAccount breaks both its length and its pattern.
    assert_eq!(
        err(grant(&client, &name, "a").source_account("1234567890123").send().await),
        fail(
            400,
            "ValidationException",
            format!(
                "2 validation errors detected: Value '1234567890123' at 'sourceAccount' failed to satisfy constraint: Member must have length less than or equal to 12; Value '1234567890123' at 'sourceAccount' failed to satisfy constraint: {}",
                pattern(r"\d{12}")
            )
        )
    );
    // Validation comes before every lookup: a missing function still gets the ValidationException.
    assert_eq!(err(grant(&client, "nope", "my.sid").send().await).code, "ValidationException");
    assert!(client.get_policy().function_name(&name).send().await.is_err(), "nothing was stored");
}

#[tokio::test]
async fn other_region_is_404_and_other_account_is_403() {
    let (server, client, name) = setup().await;
    let west = format!("arn:aws:lambda:us-west-2:{ACCOUNT}:function:{name}");
    let unreachable = fail(
        404,
        "ResourceNotFoundException",
        "Functions from 'us-west-2' are not reachable in this region ('us-east-2')",
    );
    assert_eq!(err(grant(&client, &west, "a").send().await), unreachable);
    assert_eq!(err(client.get_policy().function_name(&west).send().await), unreachable);
    assert_eq!(err(client.remove_permission().function_name(&west).statement_id("a").send().await), unreachable);

    // Another account's function: the writes are denied (inferred text); the policy read follows the ARN, and the
    // policy itself must allow lambda:GetPolicy to the reader.
    grant(&client, &name, "a").send().await.unwrap();
    let other = server.client_as("999999999999", REGION);
    let target = arn(&name);
    assert_eq!(
        err(grant(&other, &target, "b").send().await),
        fail(
            403,
            "AccessDeniedException",
            format!("User: arn:aws:iam::999999999999:root is not authorized to perform: lambda:AddPermission on resource: {target}")
        )
    );
    assert_eq!(
        err(other.remove_permission().function_name(format!("{ACCOUNT}:function:{name}")).statement_id("a").send().await),
        fail(
            403,
            "AccessDeniedException",
            format!("User: arn:aws:iam::999999999999:root is not authorized to perform: lambda:RemovePermission on resource: {target}")
        )
    );
    assert_eq!(
        err(other.get_policy().function_name(&target).send().await),
        fail(
            403,
            "AccessDeniedException",
            format!("User: arn:aws:iam::999999999999:root is not authorized to perform: lambda:GetPolicy on resource: {target} because no resource-based policy allows the lambda:GetPolicy action")
        )
    );
    grant(&client, &name, "reader").action("lambda:GetPolicy").principal("999999999999").send().await.unwrap();
    let (doc, _, _) = policy_doc(&other, &target, None).await;
    assert_eq!(sids(&doc), ["a", "reader"]);
    // By plain name, the other account has no such function.
    assert_eq!(err(other.get_policy().function_name(&name).send().await).status, 404);
}

// ---------------------------------------------------------------------------------------------------------------
// One policy per qualifier (SPEC §5.1, §8.2)
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn one_policy_per_qualifier_with_the_same_sid() {
    let (_server, client, name) = setup().await;
    grant(&client, &name, "shared").send().await.unwrap();
    let (v, _) = publish(&client, &name).await;
    // PublishVersion copies no policy.
    assert_eq!(
        err(client.get_policy().function_name(&name).qualifier(&v).send().await),
        fail(404, "ResourceNotFoundException", "The resource you requested does not exist.")
    );
    alias(&client, &name, "live", &v).await;
    alias(&client, &name, "edge", "$LATEST").await;
    for q in [&v, "live", "edge"] {
        let out = grant(&client, &name, "shared").qualifier(q).send().await.unwrap();
        assert!(out.statement().unwrap().contains(&format!(r#""Resource":"{}:{q}""#, arn(&name))));
    }
    // Each policy holds exactly its own statement, under its own RevisionId.
    let mut revisions = Vec::new();
    for (q, resource) in [
        (None, arn(&name)),
        (Some(v.as_str()), format!("{}:{v}", arn(&name))),
        (Some("live"), format!("{}:live", arn(&name))),
        (Some("edge"), format!("{}:edge", arn(&name))),
    ] {
        let (doc, rev, _) = policy_doc(&client, &name, q).await;
        assert_eq!(sids(&doc), ["shared"]);
        assert_eq!(doc["Statement"][0]["Resource"], resource);
        revisions.push(rev);
    }
    revisions.sort();
    revisions.dedup();
    assert_eq!(revisions.len(), 4);
    // A second add of the Sid conflicts only within its own policy.
    for q in [None, Some(v.as_str()), Some("live")] {
        let e = grant(&client, &name, "shared")
            .set_qualifier(q.map(Into::into))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        let AddPermissionError::ResourceConflictException(c) = &e else { panic!("{e:?}") };
        assert_eq!(
            c.message(),
            Some("The statement id (shared) provided already exists. Please provide a new statement id, or remove the existing statement.")
        );
    }
    // Removing from the alias leaves the others alone.
    client.remove_permission().function_name(&name).statement_id("shared").qualifier("live").send().await.unwrap();
    assert_eq!(err(client.get_policy().function_name(&name).qualifier("live").send().await).status, 404);
    assert_eq!(sids(&policy_doc(&client, &name, None).await.0), ["shared"]);
    assert_eq!(sids(&policy_doc(&client, &name, Some(&v)).await.0), ["shared"]);
    assert_eq!(sids(&policy_doc(&client, &name, Some("edge")).await.0), ["shared"]);
}

#[tokio::test]
async fn deleting_version_alias_or_function_deletes_its_policy() {
    let (_server, client, name) = setup().await;
    let (v, _) = publish(&client, &name).await;
    alias(&client, &name, "live", &v).await;
    for q in [None, Some(v.as_str()), Some("live")] {
        grant(&client, &name, "s").set_qualifier(q.map(Into::into)).send().await.unwrap();
    }
    client.delete_alias().function_name(&name).name("live").send().await.unwrap();
    alias(&client, &name, "live", &v).await;
    assert_eq!(err(client.get_policy().function_name(&name).qualifier("live").send().await).status, 404);
    // A version an alias points at cannot be deleted: drop the alias first.
    client.delete_alias().function_name(&name).name("live").send().await.unwrap();
    client.delete_function().function_name(&name).qualifier(&v).send().await.unwrap();
    assert_eq!(err(client.get_policy().function_name(&name).qualifier(&v).send().await).status, 404);
    assert_eq!(sids(&policy_doc(&client, &name, None).await.0), ["s"]);
    client.delete_function().function_name(&name).send().await.unwrap();
    common::create_function(&client, &name).await;
    assert_eq!(err(client.get_policy().function_name(&name).send().await).status, 404);
}

// ---------------------------------------------------------------------------------------------------------------
// RevisionId (SPEC §5.3)
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn add_compare_and_swap() {
    let (_server, client, name) = setup().await;
    grant(&client, &name, "one").send().await.unwrap();
    let (_, r1, before) = policy_doc(&client, &name, None).await;
    let e = grant(&client, &name, "two").revision_id("wrong").send().await.unwrap_err().into_service_error();
    let AddPermissionError::PreconditionFailedException(p) = &e else { panic!("{e:?}") };
    assert_eq!(p.message(), Some(POLICY_412));
    assert_eq!(
        err(grant(&client, &name, "two").revision_id("wrong").send().await),
        fail(412, "PreconditionFailedException", POLICY_412)
    );
    // The function's RevisionId is not the policy's once a policy exists.
    let fn_rev = function_revision(&client, &name).await;
    assert_eq!(err(grant(&client, &name, "two").revision_id(&fn_rev).send().await).status, 412);
    let (_, unchanged, after) = policy_doc(&client, &name, None).await;
    assert_eq!((unchanged.as_str(), after.as_str()), (r1.as_str(), before.as_str()), "a failed add changes nothing");

    grant(&client, &name, "two").revision_id(&r1).send().await.unwrap();
    let (doc, r2, _) = policy_doc(&client, &name, None).await;
    assert_ne!(r2, r1);
    assert_eq!(sids(&doc), ["one", "two"]);
    // The old RevisionId is now stale.
    assert_eq!(err(grant(&client, &name, "three").revision_id(&r1).send().await).status, 412);
    // 412 comes after the Sid check's predecessors but before the Sid conflict (SPEC §8.1 steps 9–10).
    assert_eq!(err(grant(&client, &name, "one").revision_id("wrong").send().await).status, 412);
    // Add/Remove leave the function's own RevisionId alone [inferred].
    assert_eq!(function_revision(&client, &name).await, fn_rev);
}

#[tokio::test]
async fn remove_compare_and_swap_and_last_statement_deletes_the_policy() {
    let (_server, client, name) = setup().await;
    grant(&client, &name, "one").send().await.unwrap();
    grant(&client, &name, "two").send().await.unwrap();
    let (_, r1, _) = policy_doc(&client, &name, None).await;
    let e = client.remove_permission().function_name(&name).statement_id("one").revision_id("wrong").send().await;
    let e = e.unwrap_err().into_service_error();
    let RemovePermissionError::PreconditionFailedException(p) = &e else { panic!("{e:?}") };
    assert_eq!(p.message(), Some(POLICY_412));
    assert_eq!(sids(&policy_doc(&client, &name, None).await.0), ["one", "two"]);
    // A missing Sid is reported before a stale RevisionId (SPEC §8.3 steps 5–6).
    assert_eq!(
        err(client.remove_permission().function_name(&name).statement_id("zzz").revision_id("wrong").send().await)
            .status,
        404
    );

    client.remove_permission().function_name(&name).statement_id("one").revision_id(&r1).send().await.unwrap();
    let (doc, r2, _) = policy_doc(&client, &name, None).await;
    assert_eq!(sids(&doc), ["two"]);
    assert_ne!(r2, r1);
    assert_eq!(
        err(client.remove_permission().function_name(&name).statement_id("two").revision_id(&r1).send().await),
        fail(412, "PreconditionFailedException", POLICY_412)
    );
    client.remove_permission().function_name(&name).statement_id("two").revision_id(&r2).send().await.unwrap();
    assert_eq!(
        err(client.get_policy().function_name(&name).send().await),
        fail(404, "ResourceNotFoundException", "The resource you requested does not exist.")
    );
    // Now there is no policy: a later add starts a fresh one with a new RevisionId.
    grant(&client, &name, "again").send().await.unwrap();
    let (doc, r3, _) = policy_doc(&client, &name, None).await;
    assert_eq!(sids(&doc), ["again"]);
    assert!(r3 != r1 && r3 != r2);
}

#[tokio::test]
async fn without_a_policy_the_targets_revision_is_the_precondition() {
    let (_server, client, name) = setup().await;
    // Unqualified: the function's `$LATEST` RevisionId.
    let fn_rev = function_revision(&client, &name).await;
    assert_eq!(
        err(grant(&client, &name, "a").revision_id("wrong").send().await),
        fail(412, "PreconditionFailedException", POLICY_412)
    );
    grant(&client, &name, "a").revision_id(&fn_rev).send().await.unwrap();
    let (_, policy_rev, _) = policy_doc(&client, &name, None).await;
    assert_ne!(policy_rev, fn_rev);

    // A version: the version's RevisionId; the first statement gets a policy RevisionId of its own.
    let (v, v_rev) = publish(&client, &name).await;
    assert_eq!(err(grant(&client, &name, "a").qualifier(&v).revision_id(&fn_rev).send().await).status, 412);
    grant(&client, &name, "a").qualifier(&v).revision_id(&v_rev).send().await.unwrap();
    let (_, v_policy_rev, _) = policy_doc(&client, &name, Some(&v)).await;
    assert_ne!(v_policy_rev, v_rev);

    // An alias: the alias's RevisionId.
    let a_rev = alias(&client, &name, "live", &v).await;
    assert_eq!(err(grant(&client, &name, "a").qualifier("live").revision_id(&v_rev).send().await).status, 412);
    grant(&client, &name, "a").qualifier("live").revision_id(&a_rev).send().await.unwrap();

    // PublishVersion moved `$LATEST`'s RevisionId, not the unqualified policy's.
    assert_ne!(function_revision(&client, &name).await, fn_rev);
    assert_eq!(policy_doc(&client, &name, None).await.1, policy_rev);
    // Each policy's RevisionId moves only when that policy changes.
    grant(&client, &name, "b").qualifier(&v).send().await.unwrap();
    assert_eq!(policy_doc(&client, &name, None).await.1, policy_rev);
    assert_ne!(policy_doc(&client, &name, Some(&v)).await.1, v_policy_rev);
}

// ---------------------------------------------------------------------------------------------------------------
// The 20 KB limit (SPEC §7)
// ---------------------------------------------------------------------------------------------------------------

fn big(
    client: &Client,
    name: &str,
    sid: &str,
    arn_len: usize,
) -> aws_sdk_lambda::operation::add_permission::builders::AddPermissionFluentBuilder {
    let prefix = "arn:aws:s3:::";
    let source_arn = format!("{prefix}{}", "b".repeat(arn_len - prefix.len()));
    grant(client, name, sid).principal("s3.amazonaws.com").source_arn(source_arn)
}

#[tokio::test]
async fn policy_length_limit_is_exact_and_stores_nothing() {
    let (_server, client, name) = setup().await;
    // Measure one statement, then size a second so the document is exactly 20480 bytes.
    big(&client, &name, "probe", 100).send().await.unwrap();
    let (_, _, raw) = policy_doc(&client, &name, None).await;
    let one_statement = raw.len() - DOC_HEAD.len() - 2;
    // A second statement of the same shape with a longer ARN and a same-length Sid: doc = raw + "," + stmt.
    let fill = 20_480 - raw.len() - 1 - one_statement;
    let fits = big(&client, &name, "fills", 100 + fill).send().await.unwrap();
    let (_, rev, raw) = policy_doc(&client, &name, None).await;
    assert_eq!(raw.len(), 20_480, "exactly at the limit is allowed");
    assert!(raw.ends_with(&format!("{}]}}", fits.statement().unwrap())));

    // One more byte of anything is too much; N is the real document length.
    let next = big(&client, &name, "x", 14);
    let stmt_len = format!(
        r#"{{"Sid":"x","Effect":"Allow","Principal":{{"Service":"s3.amazonaws.com"}},"Action":"lambda:InvokeFunction","Resource":"{}","Condition":{{"ArnLike":{{"AWS:SourceArn":"arn:aws:s3:::b"}}}}}}"#,
        arn(&name)
    )
    .len();
    let e = next.send().await.unwrap_err().into_service_error();
    let AddPermissionError::PolicyLengthExceededException(p) = &e else { panic!("{e:?}") };
    let n = 20_480 + 1 + stmt_len;
    assert_eq!(p.message(), Some(format!("The final policy size ({n}) is bigger than the limit (20480).").as_str()));
    assert_eq!(
        err(big(&client, &name, "x", 14).send().await),
        fail(
            400,
            "PolicyLengthExceededException",
            format!("The final policy size ({n}) is bigger than the limit (20480).")
        )
    );
    let (_, rev_after, raw_after) = policy_doc(&client, &name, None).await;
    assert_eq!((rev_after, raw_after.len()), (rev, 20_480), "nothing stored");

    // Removing a statement makes room again.
    client.remove_permission().function_name(&name).statement_id("fills").send().await.unwrap();
    big(&client, &name, "x", 14).send().await.unwrap();
}

#[tokio::test]
async fn a_single_oversized_statement_is_rejected() {
    let (_server, client, name) = setup().await;
    let e = err(big(&client, &name, "huge", 25_000).send().await);
    assert_eq!((e.status, e.code.as_str()), (400, "PolicyLengthExceededException"));
    let size: usize =
        e.message.strip_prefix("The final policy size (").unwrap().split(')').next().unwrap().parse().unwrap();
    // Head, tail, and the statement: the ARN plus the statement's fixed text.
    assert!(size > 25_000 && size < 25_400, "{size}");
    assert!(e.message.ends_with(") is bigger than the limit (20480)."));
    assert_eq!(err(client.get_policy().function_name(&name).send().await).status, 404);
}

#[tokio::test]
async fn a_missing_statement_id_body_member_is_a_validation_error() {
    // The SDK sends what it is given: no StatementId, no Action, no Principal.
    let (_server, client, name) = setup().await;
    let e = err(client.add_permission().function_name(&name).send().await);
    assert_eq!(
        e,
        fail(
            400,
            "ValidationException",
            "3 validation errors detected: Value null at 'statementId' failed to satisfy constraint: Member must not be null; Value null at 'action' failed to satisfy constraint: Member must not be null; Value null at 'principal' failed to satisfy constraint: Member must not be null"
        )
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Review fixes: AWS validates with Java regexes, so `\d` is ASCII only, `\s` is ASCII whitespace and `.` stops at a
// line terminator; and principals that only look like an IAM ARN or a service are invalid.
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn model_patterns_match_as_java_does() {
    let (_server, client, name) = setup().await;
    let pattern = |p: &str| format!("Member must satisfy regular expression pattern: {p}");
    let one = |member: &str, value: &str, constraint: &str| {
        fail(
            400,
            "ValidationException",
            format!(
                "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
            ),
        )
    };
    // Arabic-Indic digits are `\d` to Rust's Unicode regexes but not to Java's.
    let arabic = "\u{661}\u{662}\u{663}\u{664}\u{665}\u{666}\u{667}\u{668}\u{669}\u{660}\u{661}\u{662}";
    assert_eq!(
        err(grant(&client, &name, "a").source_account(arabic).send().await),
        one("sourceAccount", arabic, &pattern(r"\d{12}"))
    );
    let partial = format!("{arabic}:function:{name}");
    assert_eq!(
        err(client.get_policy().function_name(&partial).send().await),
        one("functionName", &partial, &pattern(NS_PATTERN))
    );
    let bad_region = format!("arn:aws:lambda:us-east-\u{662}:{ACCOUNT}:function:{name}");
    assert_eq!(
        err(grant(&client, &bad_region, "a").send().await),
        one("functionName", &bad_region, &pattern(NS_PATTERN))
    );
    let source_arn = format!("arn:aws:sns:us-east-\u{662}:{ACCOUNT}:topic");
    assert_eq!(
        err(grant(&client, &name, "a").source_arn(&source_arn).send().await),
        one(
            "sourceArn",
            &source_arn,
            &pattern(r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)")
        )
    );
    // Java's `.` does not match a line terminator.
    for tail in ["\n", "\r", "\u{2028}"] {
        let source_arn = format!("arn:aws:s3:::bucket{tail}x");
        assert_eq!(err(grant(&client, &name, "a").source_arn(&source_arn).send().await).code, "ValidationException");
    }
    // A no-break space is not `\s` to Java: the principal passes the pattern and is then simply not a principal.
    assert_eq!(
        err(grant(&client, &name, "a").principal("a\u{a0}b").send().await),
        fail(
            400,
            "InvalidParameterValueException",
            "The provided principal was invalid. Please check the principal and try again."
        )
    );
    assert!(client.get_policy().function_name(&name).send().await.is_err(), "nothing was stored");
}

#[tokio::test]
async fn principals_that_only_look_like_an_arn_or_a_service_are_invalid() {
    let (_server, client, name) = setup().await;
    for bad in [
        ".amazonaws.com",
        ".amazon.com",
        "arn:aws:iam:",
        "arn:aws:iam::223456789012",
        "arn:aws:iam::223456789012:",
        "arn:aws:iam::1:root",
        "arn:aws:iam:us-east-1:223456789012:root",
        "arn:gcp:iam::223456789012:root",
    ] {
        assert_eq!(
            err(grant(&client, &name, "bad").principal(bad).send().await),
            fail(
                400,
                "InvalidParameterValueException",
                "The provided principal was invalid. Please check the principal and try again."
            ),
            "{bad}"
        );
    }
    assert!(client.get_policy().function_name(&name).send().await.is_err(), "nothing was stored");
    // The partitions that exist still pass.
    for (sid, good) in [
        ("cn", "arn:aws-cn:iam::223456789012:root"),
        ("gov", "arn:aws-us-gov:iam::223456789012:role/path/r"),
        ("isob", "arn:aws-iso-b:iam::223456789012:user/u"),
    ] {
        let out = grant(&client, &name, sid).principal(good).send().await.unwrap();
        let s: Value = serde_json::from_str(out.statement().unwrap()).unwrap();
        assert_eq!(s["Principal"], json!({ "AWS": good }));
    }
}
