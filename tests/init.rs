//! `--init FILE` and `GET /_lambdalite/state` (issue 6): the built binary started with an init file on a free
//! loopback port and read back through the AWS SDK; bad files refused before anything listens; and an export of a
//! state seeded through the SDK replayed with `--init`, giving the same export and byte-for-byte the same policies.

mod common;

use std::path::{Path, PathBuf};

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{AliasRoutingConfiguration, Environment, FunctionCode, LayerVersionContentInput, Runtime};
use aws_sdk_lambda::Client;
use base64::Engine;

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

/// A fresh directory for init files and their zips.
fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lambdalite-init-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write");
    path.to_str().expect("utf-8 path").to_owned()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A loopback port with no listener.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

const INIT_YAML: &str = r#"
# Every kind of entry, in the server's own namespace and in another one.
Layers:
  - LayerName: shared-utils
    Versions:
      - Description: helpers
        Content: {Path: layer.zip}
        CompatibleRuntimes: [python3.12, python3.13]
        LicenseInfo: MIT
        Permissions:
          - {StatementId: whole-org, Action: "lambda:GetLayerVersion", Principal: "*", OrganizationId: o-a1b2c3d4e5}
Functions:
  - FunctionName: orders-api
    Runtime: python3.12
    Role: arn:aws:iam::000000000000:role/lambda-role
    Handler: index.handler
    Code: {Path: fn.zip}
    Description: Takes orders
    MemorySize: 256
    Environment: {Variables: {STAGE: dev}}
    Layers: [arn:aws:lambda:us-east-1:000000000000:layer:shared-utils:1]
    Tags: {team: orders}
    Versions:
      - Description: first release
        Permissions:
          - {StatementId: legacy-api, Action: "lambda:InvokeFunction", Principal: apigateway.amazonaws.com}
      - Version: 3
    Aliases:
      - Name: live
        FunctionVersion: "3"
        Description: production traffic
        RoutingConfig: {AdditionalVersionWeights: {"1": 0.1}}
        Permissions:
          - {StatementId: partner, Action: "lambda:InvokeFunction", Principal: "223456789012"}
    Permissions:
      - StatementId: s3-uploads
        Action: lambda:InvokeFunction
        Principal: s3.amazonaws.com
        SourceArn: arn:aws:s3:::orders-uploads
        SourceAccount: "000000000000"
      - {StatementId: url, Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: NONE}
Namespaces:
  - Account: "111122223333"
    Region: eu-west-1
    Functions:
      - FunctionName: thumbnailer
        Runtime: python3.12
        Role: arn:aws:iam::111122223333:role/r
        Handler: index.handler
        Code: {ZipFile: ZIP_B64}
"#;

/// The example file's directory: the YAML above with its two zips beside it.
fn example_dir() -> (PathBuf, String) {
    let dir = temp_dir();
    write(&dir, "fn.zip", common::zip_bytes("def handler(e, c):\n    return 1\n"));
    write(&dir, "layer.zip", common::zip_bytes("VERSION = 1\n"));
    let yaml = INIT_YAML.replace("ZIP_B64", &b64(&common::zip_bytes("def handler(e, c):\n    return 2\n")));
    let path = write(&dir, "init.yaml", yaml);
    (dir, path)
}

async fn policy(client: &Client, name: &str, qualifier: Option<&str>) -> String {
    let out = client.get_policy().function_name(name).set_qualifier(qualifier.map(Into::into)).send().await;
    out.unwrap_or_else(|e| panic!("get_policy {name} {qualifier:?}: {e:?}")).policy().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_init_file_creates_what_clients_read() {
    let (dir, path) = example_dir();
    let server = common::spawn_server(&["--init", &path]).unwrap_or_else(|e| panic!("did not start: {e:?}"));
    let client = server.client_as("AKIDEXAMPLE", "us-east-1");

    let f = client.get_function().function_name("orders-api").send().await.expect("get_function");
    let cfg = f.configuration().unwrap();
    assert_eq!(cfg.memory_size(), Some(256));
    assert_eq!(cfg.description(), Some("Takes orders"));
    assert_eq!(cfg.environment().unwrap().variables().unwrap()["STAGE"], "dev");
    assert_eq!(cfg.layers()[0].arn(), Some("arn:aws:lambda:us-east-1:000000000000:layer:shared-utils:1"));
    assert_eq!(f.tags().unwrap()["team"], "orders");
    let zip = std::fs::read(dir.join("fn.zip")).unwrap();
    use sha2::Digest;
    assert_eq!(cfg.code_sha256(), Some(b64(&sha2::Sha256::digest(&zip)).as_str()));

    let versions = client.list_versions_by_function().function_name("orders-api").send().await.unwrap();
    let numbers: Vec<_> = versions.versions().iter().map(|v| v.version().unwrap()).collect();
    assert_eq!(numbers, ["$LATEST", "1", "3"]);
    assert_eq!(versions.versions()[1].description(), Some("first release"));

    let alias = client.get_alias().function_name("orders-api").name("live").send().await.unwrap();
    assert_eq!(alias.function_version(), Some("3"));
    assert_eq!(alias.routing_config().unwrap().additional_version_weights().unwrap()["1"], 0.1);

    // The policies are byte for byte what the same AddPermission requests write.
    let arn = "arn:aws:lambda:us-east-1:000000000000:function:orders-api";
    assert_eq!(
        policy(&client, "orders-api", None).await,
        format!(
            r#"{{"Version":"2012-10-17","Id":"default","Statement":[{{"Sid":"s3-uploads","Effect":"Allow","Principal":{{"Service":"s3.amazonaws.com"}},"Action":"lambda:InvokeFunction","Resource":"{arn}","Condition":{{"StringEquals":{{"AWS:SourceAccount":"000000000000"}},"ArnLike":{{"AWS:SourceArn":"arn:aws:s3:::orders-uploads"}}}}}},{{"Sid":"url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"{arn}","Condition":{{"StringEquals":{{"lambda:FunctionUrlAuthType":"NONE"}}}}}}]}}"#
        )
    );
    assert_eq!(
        policy(&client, "orders-api", Some("live")).await,
        format!(
            r#"{{"Version":"2012-10-17","Id":"default","Statement":[{{"Sid":"partner","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::223456789012:root"}},"Action":"lambda:InvokeFunction","Resource":"{arn}:live"}}]}}"#
        )
    );
    assert_eq!(
        policy(&client, "orders-api", Some("1")).await,
        format!(
            r#"{{"Version":"2012-10-17","Id":"default","Statement":[{{"Sid":"legacy-api","Effect":"Allow","Principal":{{"Service":"apigateway.amazonaws.com"}},"Action":"lambda:InvokeFunction","Resource":"{arn}:1"}}]}}"#
        )
    );
    assert!(client.get_policy().function_name("orders-api").qualifier("3").send().await.is_err());

    let layer = client.get_layer_version().layer_name("shared-utils").version_number(1).send().await.unwrap();
    assert_eq!(layer.license_info(), Some("MIT"));
    assert_eq!(layer.compatible_runtimes(), [Runtime::Python312, Runtime::Python313]);
    let layer_policy =
        client.get_layer_version_policy().layer_name("shared-utils").version_number(1).send().await.unwrap();
    assert_eq!(
        layer_policy.policy().unwrap(),
        r#"{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"whole-org","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion","Resource":"arn:aws:lambda:us-east-1:000000000000:layer:shared-utils:1","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#
    );

    let other = server.client_as("111122223333", "eu-west-1");
    let thumb = other.get_function().function_name("thumbnailer").send().await.expect("the other namespace");
    assert_eq!(
        thumb.configuration().unwrap().function_arn(),
        Some("arn:aws:lambda:eu-west-1:111122223333:function:thumbnailer")
    );

    // The counters continue after the file's numbers.
    client.update_function_configuration().function_name("orders-api").description("changed").send().await.unwrap();
    let next = client.publish_version().function_name("orders-api").send().await.unwrap();
    assert_eq!(next.version(), Some("4"));
    let content = LayerVersionContentInput::builder().zip_file(Blob::new(common::zip_bytes("V = 2"))).build();
    let l2 = client.publish_layer_version().layer_name("shared-utils").content(content).send().await.unwrap();
    assert_eq!(l2.version(), 2);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Starts the binary on a known free port with `file`; it must exit 1 with `want` in its message, and nothing may
/// be listening on that port.
fn refused(file: &str, want: &str) {
    let port = closed_port();
    let exit = match common::spawn_server(&["--port", &port.to_string(), "--init", file]) {
        Ok(server) => panic!("started at {} with {file}", server.url),
        Err(e) => e,
    };
    assert_eq!(exit.status.code(), Some(1), "{exit:?}");
    assert!(exit.stdout.is_empty(), "printed a ready line: {exit:?}");
    let expected = format!("lambdalite: --init {file}: {want}");
    assert!(exit.stderr.contains(&expected), "want {expected:?} in {:?}", exit.stderr);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "something listens on {port}");
}

#[test]
fn bad_files_exit_non_zero_naming_the_entry_and_nothing_listens() {
    let (dir, path) = example_dir();
    let yaml = std::fs::read_to_string(&path).unwrap();
    let bad = |name: &str, from: &str, to: &str| {
        assert!(yaml.contains(from), "{from}");
        write(&dir, name, yaml.replacen(from, to, 1))
    };

    // The API's own error, under the entry's name.
    let file = bad("principal.yaml", "Principal: \"223456789012\"", "Principal: example.org");
    refused(
        &file,
        "Functions[0] (orders-api): Aliases[0] (live): Permissions[0]: InvalidParameterValueException: The provided \
         principal was invalid. Please check the principal and try again.",
    );
    let file = bad("auth-type.yaml", "FunctionUrlAuthType: NONE", "FunctionUrlAuthType: OPEN");
    refused(
        &file,
        "Functions[0] (orders-api): Permissions[1]: ValidationException: 1 validation error detected: Value 'OPEN' at \
         'functionUrlAuthType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]",
    );
    let file = bad("layer-ref.yaml", "layer:shared-utils:1]", "layer:shared-utils:2]");
    refused(
        &file,
        "Functions[0] (orders-api): InvalidParameterValueException: Layer version \
         arn:aws:lambda:us-east-1:000000000000:layer:shared-utils:2 does not exist.",
    );
    let file = bad(
        "runtime.yaml",
        "Runtime: python3.12\n        Role: arn:aws:iam::111122223333",
        "Runtime: python2.7\n        Role: arn:aws:iam::111122223333",
    );
    refused(
        &file,
        "Namespaces[0] (111122223333/eu-west-1): Functions[0] (thumbnailer): InvalidParameterValueException: ",
    );
    // Ours: numbers, files.
    let file = bad("numbers.yaml", "- Version: 3", "- Version: 1");
    refused(
        &file,
        "Functions[0] (orders-api): Versions[1]: Version 1 is not above the versions before it (the next number is 2)",
    );
    let file = bad("zip-path.yaml", "Code: {Path: fn.zip}", "Code: {Path: missing.zip}");
    refused(&file, &format!("Functions[0] (orders-api): cannot read {}", dir.join("missing.zip").display()));
    // Unknown members and files that do not parse.
    let file = bad("unknown.yaml", "    MemorySize: 256", "    MemorySize: 256\n    Memory: 512");
    refused(&file, "Functions[0] (orders-api): unknown member Memory: a function takes CreateFunction's members");
    let file = bad("nested.yaml", "OrganizationId:", "OrgId:");
    refused(&file, "not a valid init file: Layers[0].Versions[0].Permissions[0]: unknown field `OrgId`");
    let file = write(&dir, "broken.json", r#"{"Functions": [{"FunctionName": "f",}]}"#);
    refused(&file, "not a valid init file: trailing comma at line 1 column 37");
    let file = write(&dir, "init.txt", "");
    refused(&file, "the file name must end in .json, .yaml or .yml");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Seeds a state through the SDK with what a replay must keep: deleted versions, a version of older code, every
/// principal form, conditions, aliases with routing, a layer with a deleted version and one with none left.
async fn seed(url: &str) {
    let client = common::client_for(url, "AKIDEXAMPLE", "us-east-1");
    let name = "orders-api";
    common::create_function(&client, name).await;
    let grant = |sid: &str, principal: &str| {
        client
            .add_permission()
            .function_name(name)
            .statement_id(sid)
            .action("lambda:InvokeFunction")
            .principal(principal)
    };
    grant("any", "*").send().await.unwrap();
    grant("account", "223456789012").send().await.unwrap();
    grant("role", "arn:aws:iam::223456789012:role/caller").send().await.unwrap();
    grant("bucket", "s3.amazonaws.com")
        .source_arn("arn:aws:s3:::uploads")
        .source_account("000000000000")
        .send()
        .await
        .unwrap();
    grant("org", "*").principal_org_id("o-a1b2c3d4e5").send().await.unwrap();
    grant("alexa", "alexa-appkit.amazon.com").event_source_token("amzn1.ask.skill.x").send().await.unwrap();
    grant("via-url", "*").invoked_via_function_url(true).send().await.unwrap();
    client
        .add_permission()
        .function_name(name)
        .statement_id("url")
        .action("lambda:InvokeFunctionUrl")
        .principal("*")
        .function_url_auth_type(aws_sdk_lambda::types::FunctionUrlAuthType::AwsIam)
        .send()
        .await
        .unwrap();
    for n in 1..=4 {
        let published = client.publish_version().function_name(name).description(format!("v{n}")).send().await;
        assert_eq!(published.unwrap().version(), Some(n.to_string().as_str()));
        let code = common::zip_bytes(&format!("def handler(e, c):\n    return {}\n", n + 1));
        client.update_function_code().function_name(name).zip_file(Blob::new(code)).send().await.unwrap();
    }
    client
        .update_function_configuration()
        .function_name(name)
        .environment(Environment::builder().variables("STAGE", "prod").build())
        .memory_size(512)
        .send()
        .await
        .unwrap();
    client.delete_function().function_name(name).qualifier("2").send().await.unwrap();
    client.delete_function().function_name(name).qualifier("4").send().await.unwrap();
    grant("v1-only", "events.amazonaws.com").qualifier("1").send().await.unwrap();
    client
        .create_alias()
        .function_name(name)
        .name("live")
        .function_version("3")
        .routing_config(AliasRoutingConfiguration::builder().additional_version_weights("1", 0.25).build())
        .send()
        .await
        .unwrap();
    grant("alias", "123456789012").qualifier("live").send().await.unwrap();

    let content = || LayerVersionContentInput::builder().zip_file(Blob::new(common::zip_bytes("V = 1"))).build();
    for layer in ["kept", "gone"] {
        for _ in 0..3 {
            client.publish_layer_version().layer_name(layer).content(content()).send().await.unwrap();
        }
    }
    for (layer, n) in [("kept", 1), ("gone", 1), ("gone", 2), ("gone", 3)] {
        client.delete_layer_version().layer_name(layer).version_number(n).send().await.unwrap();
    }
    for (n, principal) in [(2, "*"), (3, "223456789012")] {
        client
            .add_layer_version_permission()
            .layer_name("kept")
            .version_number(n)
            .statement_id("share")
            .action("lambda:GetLayerVersion")
            .principal(principal)
            .send()
            .await
            .unwrap();
    }
    client
        .create_function()
        .function_name("with-layer")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(common::zip_bytes("x = 1"))).build())
        .layers("arn:aws:lambda:us-east-1:000000000000:layer:kept:3")
        .send()
        .await
        .unwrap();

    let other = common::client_for(url, "123456789012", "eu-west-1");
    common::create_function(&other, "elsewhere").await;
    other
        .add_permission()
        .function_name("elsewhere")
        .statement_id("back")
        .action("lambda:*")
        .principal("000000000000")
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_replays_to_the_same_state() {
    let original = common::start().await;
    seed(&original.url).await;
    let exported = common::export_state(&original.url).await;

    let dir = temp_dir();
    let file = write(&dir, "state.json", serde_json::to_vec_pretty(&exported).unwrap());
    let replay = common::spawn_server(&["--init", &file]).unwrap_or_else(|e| panic!("did not start: {e:?}"));
    // The export holds no RevisionIds, dates or locations: a replay's export is the same document.
    assert_eq!(common::export_state(&replay.url).await, exported);

    for (key, region) in [("AKIDEXAMPLE", "us-east-1"), ("123456789012", "eu-west-1")] {
        let (a, b) = (original.client_as(key, region), replay.client_as(key, region));
        let functions = a.list_functions().send().await.unwrap();
        for f in functions.functions() {
            let name = f.function_name().unwrap();
            let versions = a.list_versions_by_function().function_name(name).send().await.unwrap();
            let replayed = b.list_versions_by_function().function_name(name).send().await.unwrap();
            assert_eq!(versions.versions().len(), replayed.versions().len(), "{name}");
            for (x, y) in versions.versions().iter().zip(replayed.versions()) {
                assert_eq!(x.version(), y.version(), "{name}");
                assert_eq!(x.code_sha256(), y.code_sha256(), "{name} {:?}", x.version());
                assert_eq!(x.description(), y.description(), "{name} {:?}", x.version());
                assert_eq!(x.memory_size(), y.memory_size(), "{name} {:?}", x.version());
                assert_eq!(x.environment(), y.environment(), "{name} {:?}", x.version());
                assert_eq!(x.layers(), y.layers(), "{name} {:?}", x.version());
            }
            let aliases = a.list_aliases().function_name(name).send().await.unwrap();
            let mut qualifiers: Vec<Option<String>> = vec![None];
            qualifiers.extend(versions.versions().iter().skip(1).map(|v| v.version().map(Into::into)));
            qualifiers.extend(aliases.aliases().iter().map(|a| a.name().map(Into::into)));
            for q in qualifiers {
                let get = |c: &Client| c.get_policy().function_name(name).set_qualifier(q.clone()).send();
                match (get(&a).await, get(&b).await) {
                    (Ok(x), Ok(y)) => assert_eq!(x.policy(), y.policy(), "{name} {q:?}"),
                    (Err(_), Err(_)) => {}
                    (x, y) => panic!("{name} {q:?}: {x:?} vs {y:?}"),
                }
            }
        }
    }
    let (a, b) = (original.client_as("AKIDEXAMPLE", "us-east-1"), replay.client_as("AKIDEXAMPLE", "us-east-1"));
    for n in [2, 3] {
        let get = |c: &Client| c.get_layer_version_policy().layer_name("kept").version_number(n).send();
        assert_eq!(get(&a).await.unwrap().policy(), get(&b).await.unwrap().policy());
    }
    // The next numbers are the original's: versions 2 and 4 were deleted, and "gone" lost all three of its versions.
    for c in [&a, &b] {
        c.update_function_configuration().function_name("orders-api").timeout(30).send().await.unwrap();
        assert_eq!(c.publish_version().function_name("orders-api").send().await.unwrap().version(), Some("5"));
        let content = LayerVersionContentInput::builder().zip_file(Blob::new(common::zip_bytes("V = 9"))).build();
        let published = c.publish_layer_version().layer_name("gone").content(content).send().await.unwrap();
        assert_eq!(published.version(), 4);
    }
    std::fs::remove_dir_all(dir).unwrap();
}
