//! Layers and layer permissions through the Rust `aws-sdk-lambda` against a real server: every operation, every
//! parameter, every error text of SPEC §5.4, §7, §9, §10.1 (Layers) and §12, isolation, and the compare-and-swap
//! under concurrency.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::operation::add_layer_version_permission::AddLayerVersionPermissionError;
use aws_sdk_lambda::operation::get_layer_version::GetLayerVersionError;
use aws_sdk_lambda::operation::get_layer_version_policy::GetLayerVersionPolicyError;
use aws_sdk_lambda::operation::publish_layer_version::{PublishLayerVersionError, PublishLayerVersionOutput};
use aws_sdk_lambda::operation::remove_layer_version_permission::RemoveLayerVersionPermissionError;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, FunctionCode, LayerVersionContentInput, Runtime};
use aws_sdk_lambda::Client;

const GET_LAYER_POLICY_412: &str =
    "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id";

/// Awaits a request that must fail; gives `(HTTP status, error code, message, modeled error)`.
macro_rules! fails {
    ($request:expr) => {{
        let err = $request.await.expect_err("the request should have failed");
        let status = err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
        let svc = err.into_service_error();
        let code = svc.code().unwrap_or("").to_owned();
        let message = svc.message().unwrap_or("").to_owned();
        (status, code, message, svc)
    }};
}

fn zip_content(text: &str) -> LayerVersionContentInput {
    LayerVersionContentInput::builder().zip_file(Blob::new(common::zip_bytes(text))).build()
}

async fn publish(client: &Client, name: &str) -> PublishLayerVersionOutput {
    client.publish_layer_version().layer_name(name).content(zip_content(name)).send().await.expect("publish")
}

async fn grant(client: &Client, layer: &str, version: i64, sid: &str) -> String {
    let out = client
        .add_layer_version_permission()
        .layer_name(layer)
        .version_number(version)
        .statement_id(sid)
        .action("lambda:GetLayerVersion")
        .principal("*")
        .send()
        .await
        .expect("add_layer_version_permission");
    out.revision_id().expect("RevisionId").to_owned()
}

#[tokio::test]
async fn seed_example_comes_back_byte_for_byte() {
    let server = common::start().await;
    let client = server.client_as("123456789012", "us-east-2");
    assert_eq!(publish(&client, "my-layer").await.version(), 1);
    let out = client
        .add_layer_version_permission()
        .action("lambda:GetLayerVersion")
        .layer_name("my-layer")
        .principal("223456789012")
        .statement_id("xaccount")
        .version_number(1)
        .send()
        .await
        .unwrap();
    let want = r#"{"Sid":"xaccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::223456789012:root"},"Action":"lambda:GetLayerVersion","Resource":"arn:aws:lambda:us-east-2:123456789012:layer:my-layer:1"}"#;
    assert_eq!(out.statement(), Some(want));
    let rev = out.revision_id().unwrap();
    assert_eq!(rev.len(), 36);

    let policy = client.get_layer_version_policy().layer_name("my-layer").version_number(1).send().await.unwrap();
    assert_eq!(
        policy.policy(),
        Some(format!(r#"{{"Version":"2012-10-17","Id":"default","Statement":[{want}]}}"#).as_str())
    );
    assert_eq!(policy.revision_id(), Some(rev));
}

#[tokio::test]
async fn organization_example_and_every_principal_form() {
    let server = common::start().await;
    let client = server.client_as("123456789012", "us-west-2");
    for _ in 0..3 {
        publish(&client, "my-layer").await;
    }
    let org = client
        .add_layer_version_permission()
        .layer_name("my-layer")
        .version_number(3)
        .statement_id("engineering-org")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .organization_id("o-t194hfs8cz")
        .send()
        .await
        .unwrap();
    assert_eq!(
        org.statement(),
        Some(
            r#"{"Sid":"engineering-org","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion","Resource":"arn:aws:lambda:us-west-2:123456789012:layer:my-layer:3","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-t194hfs8cz"}}}"#
        )
    );
    let root = client
        .add_layer_version_permission()
        .layer_name("my-layer")
        .version_number(3)
        .statement_id("root-arn")
        .action("lambda:GetLayerVersion")
        .principal("arn:aws:iam::223456789012:root")
        .send()
        .await
        .unwrap();
    assert!(root.statement().unwrap().contains(r#""Principal":{"AWS":"arn:aws:iam::223456789012:root"}"#));
    assert_ne!(root.revision_id(), org.revision_id(), "every add sets a new RevisionId");
    let policy = client.get_layer_version_policy().layer_name("my-layer").version_number(3).send().await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    let sids: Vec<_> = doc["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap()).collect();
    assert_eq!(sids, ["engineering-org", "root-arn"]);
}

#[tokio::test]
async fn publish_get_and_get_by_arn_echo_every_field() {
    let server = common::start().await;
    let client = server.client_as("123456789012", "eu-west-1");
    let name = common::unique("layer");
    let bytes = common::zip_bytes("payload");
    let out = client
        .publish_layer_version()
        .layer_name(&name)
        .description("shared helpers")
        .license_info("MIT")
        .compatible_runtimes(Runtime::Python312)
        .compatible_runtimes(Runtime::Nodejs20x)
        .compatible_architectures(Architecture::Arm64)
        .content(LayerVersionContentInput::builder().zip_file(Blob::new(bytes.clone())).build())
        .send()
        .await
        .unwrap();
    let arn = format!("arn:aws:lambda:eu-west-1:123456789012:layer:{name}");
    assert_eq!(out.layer_arn(), Some(arn.as_str()));
    assert_eq!(out.layer_version_arn(), Some(format!("{arn}:1").as_str()));
    assert_eq!(out.version(), 1);
    assert_eq!(out.description(), Some("shared helpers"));
    assert_eq!(out.license_info(), Some("MIT"));
    assert_eq!(out.compatible_runtimes(), [Runtime::Python312, Runtime::Nodejs20x]);
    assert_eq!(out.compatible_architectures(), [Architecture::Arm64]);
    let content = out.content().unwrap();
    assert_eq!(content.code_size(), bytes.len() as i64);
    {
        use base64::Engine;
        use sha2::Digest;
        let want = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&bytes));
        assert_eq!(content.code_sha256(), Some(want.as_str()));
    }
    assert!(content.location().unwrap().starts_with(&format!("{}/_lambdalite/layer-code/", server.url)));
    let created = out.created_date().unwrap();
    assert_eq!(created.len(), "2018-11-27T15:10:45.123+0000".len(), "{created}");
    assert!(created.ends_with("+0000"));

    let got = client.get_layer_version().layer_name(&name).version_number(1).send().await.unwrap();
    assert_eq!(got.layer_version_arn(), out.layer_version_arn());
    assert_eq!(got.created_date(), out.created_date());
    assert_eq!(got.content().unwrap().code_sha256(), content.code_sha256());
    assert_eq!(got.compatible_runtimes(), out.compatible_runtimes());

    let by_arn = client.get_layer_version_by_arn().arn(format!("{arn}:1")).send().await.unwrap();
    assert_eq!(by_arn.layer_version_arn(), out.layer_version_arn());
    assert_eq!(by_arn.description(), Some("shared helpers"));
    assert_eq!(by_arn.license_info(), Some("MIT"));

    // The layer ARN works as LayerName too.
    let via_arn = client.get_layer_version().layer_name(&arn).version_number(1).send().await.unwrap();
    assert_eq!(via_arn.version(), 1);
}

#[tokio::test]
async fn optional_members_are_omitted_or_echoed_empty() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("layer");
    let bare = publish(&client, &name).await;
    assert_eq!(bare.description(), Some(""));
    assert_eq!(bare.compatible_runtimes, None);
    assert_eq!(bare.compatible_architectures, None);
    assert_eq!(bare.license_info(), None);
    let empty = client
        .publish_layer_version()
        .layer_name(&name)
        .content(zip_content("x"))
        .set_compatible_runtimes(Some(vec![]))
        .set_compatible_architectures(Some(vec![]))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.version(), 2);
    assert_eq!(empty.compatible_runtimes, Some(vec![]));
    assert_eq!(empty.compatible_architectures, Some(vec![]));
}

#[tokio::test]
async fn version_numbers_are_never_reused() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("layer");
    publish(&client, &name).await;
    publish(&client, &name).await;
    for n in [1, 2] {
        client.delete_layer_version().layer_name(&name).version_number(n).send().await.unwrap();
    }
    assert_eq!(publish(&client, &name).await.version(), 3);
    let versions = client.list_layer_versions().layer_name(&name).send().await.unwrap();
    assert_eq!(versions.layer_versions().iter().map(|v| v.version()).collect::<Vec<_>>(), [3]);
}

#[tokio::test]
async fn publish_validation_reports_every_member_with_the_whole_list() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("layer");
    let (status, code, message, _) = fails!(client
        .publish_layer_version()
        .layer_name(&name)
        .content(zip_content("x"))
        .compatible_runtimes(Runtime::from("python9"))
        .compatible_architectures(Architecture::from("x86"))
        .send());
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    let runtimes = lambdalite::domain::runtimes::MODEL_ENUM.join(", ");
    assert_eq!(
        message,
        format!(
            "2 validation errors detected: Value '[python9]' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy enum value set: [{runtimes}]; Value '[x86]' at 'compatibleArchitectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
        )
    );

    // Valid items are echoed along with the bad one.
    let (_, _, message, _) = fails!(client
        .publish_layer_version()
        .layer_name(&name)
        .content(zip_content("x"))
        .compatible_architectures(Architecture::X8664)
        .compatible_architectures(Architecture::from("sparc"))
        .send());
    assert!(
        message.starts_with("1 validation error detected: Value '[x86_64, sparc]' at 'compatibleArchitectures'"),
        "{message}"
    );

    let sixteen: Vec<Runtime> = std::iter::repeat_n(Runtime::Python312, 16).collect();
    let (_, code, message, _) = fails!(client
        .publish_layer_version()
        .layer_name(&name)
        .content(zip_content("x"))
        .set_compatible_runtimes(Some(sixteen))
        .compatible_architectures(Architecture::X8664)
        .compatible_architectures(Architecture::Arm64)
        .compatible_architectures(Architecture::Arm64)
        .send());
    assert_eq!(code, "ValidationException");
    let list16 = vec!["python3.12"; 16].join(", ");
    assert_eq!(
        message,
        format!(
            "2 validation errors detected: Value '[{list16}]' at 'compatibleRuntimes' failed to satisfy constraint: Member must have length less than or equal to 15; Value '[x86_64, arm64, arm64]' at 'compatibleArchitectures' failed to satisfy constraint: Member must have length less than or equal to 2"
        )
    );

    let (_, code, message, _) = fails!(client
        .publish_layer_version()
        .layer_name(&name)
        .content(zip_content("x"))
        .description("d".repeat(257))
        .license_info("l".repeat(513))
        .send());
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        format!(
            "2 validation errors detected: Value '{}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256; Value '{}' at 'licenseInfo' failed to satisfy constraint: Member must have length less than or equal to 512",
            "d".repeat(257),
            "l".repeat(513)
        )
    );
    // Exactly at the limits is fine.
    let ok = client
        .publish_layer_version()
        .layer_name(&name)
        .content(zip_content("x"))
        .description("d".repeat(256))
        .license_info("l".repeat(512))
        .set_compatible_runtimes(Some(std::iter::repeat_n(Runtime::Python312, 15).collect()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.version(), 1, "failed publishes consume no version number");

    let (status, code, message, _) =
        fails!(client.publish_layer_version().layer_name("bad name!").content(zip_content("x")).send());
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert_eq!(
        message,
        "1 validation error detected: Value 'bad name!' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"
    );
    let long = "l".repeat(141);
    let (_, _, message, _) = fails!(client.publish_layer_version().layer_name(&long).content(zip_content("x")).send());
    assert_eq!(
        message,
        format!("1 validation error detected: Value '{long}' at 'layerName' failed to satisfy constraint: Member must have length less than or equal to 140")
    );
}

#[tokio::test]
async fn publish_content_errors() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("layer");
    let bad_zip = LayerVersionContentInput::builder().zip_file(Blob::new(b"not a zip".to_vec())).build();
    let (status, _, message, err) = fails!(client.publish_layer_version().layer_name(&name).content(bad_zip).send());
    assert!(matches!(err, PublishLayerVersionError::InvalidParameterValueException(_)), "{err:?}");
    assert_eq!(status, 400);
    assert_eq!(message, "Could not unzip uploaded file. Please check your file, then try to upload again.");

    let mut empty_zip = vec![0x50, 0x4b, 0x05, 0x06];
    empty_zip.extend([0u8; 18]);
    let content = LayerVersionContentInput::builder().zip_file(Blob::new(empty_zip)).build();
    let (_, _, message, err) = fails!(client.publish_layer_version().layer_name(&name).content(content).send());
    assert!(matches!(err, PublishLayerVersionError::InvalidParameterValueException(_)), "{err:?}");
    assert_eq!(message, "Uploaded file must be a non-empty zip");

    let s3 = LayerVersionContentInput::builder().s3_bucket("bucket").s3_key("layer.zip").build();
    let (_, _, message, err) = fails!(client.publish_layer_version().layer_name(&name).content(s3).send());
    assert!(matches!(err, PublishLayerVersionError::InvalidParameterValueException(_)), "{err:?}");
    assert_eq!(
        message,
        "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist"
    );
    let versions = client.list_layer_versions().layer_name(&name).send().await.unwrap();
    assert!(versions.layer_versions().is_empty());
}

#[tokio::test]
async fn get_and_delete_errors() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("layer");
    publish(&client, &name).await;
    for n in [0, -1] {
        let (status, _, message, err) = fails!(client.get_layer_version().layer_name(&name).version_number(n).send());
        assert!(matches!(err, GetLayerVersionError::InvalidParameterValueException(_)), "{err:?}");
        assert_eq!((status, message.as_str()), (400, "Layer Version Cannot be less than 1"));
        let (status, code, message, _) =
            fails!(client.delete_layer_version().layer_name(&name).version_number(n).send());
        assert_eq!(
            (status, code.as_str(), message.as_str()),
            (400, "InvalidParameterValueException", "Layer Version Cannot be less than 1")
        );
    }
    let (status, _, message, err) = fails!(client.get_layer_version().layer_name(&name).version_number(2).send());
    assert!(matches!(err, GetLayerVersionError::ResourceNotFoundException(_)), "{err:?}");
    assert_eq!((status, message.as_str()), (404, "The resource you requested does not exist."));
    let (_, _, message, _) = fails!(client.get_layer_version().layer_name("no-such-layer").version_number(1).send());
    assert_eq!(message, "The resource you requested does not exist.");

    // Deleting what does not exist is still a 204.
    client.delete_layer_version().layer_name(&name).version_number(7).send().await.unwrap();
    client.delete_layer_version().layer_name("no-such-layer").version_number(1).send().await.unwrap();
    client.delete_layer_version().layer_name(&name).version_number(1).send().await.unwrap();
    client.delete_layer_version().layer_name(&name).version_number(1).send().await.unwrap();
    let (_, _, message, _) = fails!(client.get_layer_version().layer_name(&name).version_number(1).send());
    assert_eq!(message, "The resource you requested does not exist.");
}

#[tokio::test]
async fn get_layer_version_by_arn_errors() {
    let server = common::start().await;
    let client = server.client_as("123456789012", "us-east-1");
    let name = common::unique("layer");
    publish(&client, &name).await;
    let arn = format!("arn:aws:lambda:us-east-1:123456789012:layer:{name}");
    let (status, code, message, _) = fails!(client.get_layer_version_by_arn().arn(&arn).send());
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert_eq!(
        message,
        format!(
            "1 validation error detected: Value '{arn}' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{{2}}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{{1}}:\\d{{12}}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)"
        )
    );
    let (status, code, message, _) = fails!(client.get_layer_version_by_arn().arn(format!("{arn}:2")).send());
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    );
    let (status, _, message, _) =
        fails!(client.get_layer_version_by_arn().arn("arn:aws:lambda:::awslayer:AWSLambda-Python").send());
    assert_eq!((status, message.as_str()), (404, "The resource you requested does not exist."));
}

#[tokio::test]
async fn list_layer_versions_newest_first_with_filters_and_pages() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("layer");
    let publish_with = |rt: Runtime, arch: Architecture| {
        client
            .publish_layer_version()
            .layer_name(&name)
            .content(zip_content("x"))
            .compatible_runtimes(rt)
            .compatible_architectures(arch)
            .send()
    };
    publish_with(Runtime::Python312, Architecture::X8664).await.unwrap();
    publish_with(Runtime::Nodejs20x, Architecture::Arm64).await.unwrap();
    publish_with(Runtime::Python312, Architecture::Arm64).await.unwrap();
    publish(&client, &name).await; // v4: no declared compatibility

    let versions = |out: &aws_sdk_lambda::operation::list_layer_versions::ListLayerVersionsOutput| {
        out.layer_versions().iter().map(|v| v.version()).collect::<Vec<_>>()
    };
    let all = client.list_layer_versions().layer_name(&name).send().await.unwrap();
    assert_eq!(versions(&all), [4, 3, 2, 1]);
    assert_eq!(all.next_marker(), None);
    let item = &all.layer_versions()[1];
    assert_eq!(item.compatible_runtimes(), [Runtime::Python312]);
    assert!(item.layer_version_arn().unwrap().ends_with(&format!(":layer:{name}:3")));

    let py =
        client.list_layer_versions().layer_name(&name).compatible_runtime(Runtime::Python312).send().await.unwrap();
    assert_eq!(versions(&py), [3, 1]);
    let arm = client
        .list_layer_versions()
        .layer_name(&name)
        .compatible_architecture(Architecture::Arm64)
        .send()
        .await
        .unwrap();
    assert_eq!(versions(&arm), [3, 2]);
    let both = client
        .list_layer_versions()
        .layer_name(&name)
        .compatible_runtime(Runtime::Python312)
        .compatible_architecture(Architecture::X8664)
        .send()
        .await
        .unwrap();
    assert_eq!(versions(&both), [1]);

    let mut seen = Vec::new();
    let mut marker = None;
    loop {
        let page = client
            .list_layer_versions()
            .layer_name(&name)
            .max_items(1)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(page.layer_versions().len(), 1);
        seen.extend(versions(&page));
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    assert_eq!(seen, [4, 3, 2, 1]);
    // The SDK paginator drives the same tokens.
    let items: Vec<_> = client
        .list_layer_versions()
        .layer_name(&name)
        .max_items(3)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|r| r.unwrap().version())
        .collect();
    assert_eq!(items, [4, 3, 2, 1]);

    let unknown = client.list_layer_versions().layer_name("no-such-layer").send().await.unwrap();
    assert!(unknown.layer_versions().is_empty());
}

#[tokio::test]
async fn list_layers_latest_matching_version_filters_and_pages() {
    let server = common::start().await;
    // A fresh account keeps the listing to this test's layers.
    let client = server.client_as("333333333333", "us-east-1");
    for (name, rt) in [("alpha", Runtime::Python312), ("beta", Runtime::Nodejs20x), ("gamma", Runtime::Python312)] {
        client
            .publish_layer_version()
            .layer_name(name)
            .content(zip_content(name))
            .compatible_runtimes(rt)
            .compatible_architectures(Architecture::X8664)
            .send()
            .await
            .unwrap();
    }
    // alpha v2 is newer but not python: the python filter must still pick alpha v1.
    client
        .publish_layer_version()
        .layer_name("alpha")
        .content(zip_content("a2"))
        .compatible_runtimes(Runtime::Nodejs20x)
        .description("second")
        .send()
        .await
        .unwrap();
    // delta's only version is deleted: it disappears from the listing.
    publish(&client, "delta").await;
    client.delete_layer_version().layer_name("delta").version_number(1).send().await.unwrap();

    let all = client.list_layers().send().await.unwrap();
    let names: Vec<_> = all.layers().iter().map(|l| l.layer_name().unwrap()).collect();
    assert_eq!(names, ["alpha", "beta", "gamma"]);
    let alpha = &all.layers()[0];
    assert_eq!(alpha.layer_arn(), Some("arn:aws:lambda:us-east-1:333333333333:layer:alpha"));
    let latest = alpha.latest_matching_version().unwrap();
    assert_eq!((latest.version(), latest.description()), (2, Some("second")));
    assert_eq!(latest.layer_version_arn(), Some("arn:aws:lambda:us-east-1:333333333333:layer:alpha:2"));

    let py = client.list_layers().compatible_runtime(Runtime::Python312).send().await.unwrap();
    let picked: Vec<_> =
        py.layers().iter().map(|l| (l.layer_name().unwrap(), l.latest_matching_version().unwrap().version())).collect();
    assert_eq!(picked, [("alpha", 1), ("gamma", 1)]);
    let x86 = client.list_layers().compatible_architecture(Architecture::X8664).send().await.unwrap();
    assert_eq!(x86.layers().len(), 3);
    let arm = client.list_layers().compatible_architecture(Architecture::Arm64).send().await.unwrap();
    assert!(arm.layers().is_empty());

    let first = client.list_layers().max_items(2).send().await.unwrap();
    assert_eq!(first.layers().len(), 2);
    let marker = first.next_marker().expect("more layers follow").to_owned();
    let second = client.list_layers().max_items(2).marker(marker).send().await.unwrap();
    assert_eq!(second.layers().iter().map(|l| l.layer_name().unwrap()).collect::<Vec<_>>(), ["gamma"]);
    assert_eq!(second.next_marker(), None);
    let paged: Vec<_> = client
        .list_layers()
        .max_items(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|r| r.unwrap().layer_name().unwrap().to_owned())
        .collect();
    assert_eq!(paged, ["alpha", "beta", "gamma"]);
}

#[tokio::test]
async fn list_filters_and_max_items_are_validated() {
    let server = common::start().await;
    let client = server.client();
    let (status, code, message, _) =
        fails!(client.list_layers().compatible_architecture(Architecture::from("sparc")).send());
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert_eq!(
        message,
        "1 validation error detected: Value 'sparc' at 'compatibleArchitecture' failed to satisfy constraint: Member must satisfy enum value set: [x86_64, arm64]"
    );
    let (_, _, message, _) = fails!(client.list_layers().compatible_runtime(Runtime::from("cobol")).send());
    let runtimes = lambdalite::domain::runtimes::MODEL_ENUM.join(", ");
    assert_eq!(
        message,
        format!("1 validation error detected: Value 'cobol' at 'compatibleRuntime' failed to satisfy constraint: Member must satisfy enum value set: [{runtimes}]")
    );
    for (n, constraint) in [(51, "less than or equal to 50"), (0, "greater than or equal to 1")] {
        let (_, code, message, _) = fails!(client.list_layers().max_items(n).send());
        assert_eq!(code, "ValidationException");
        assert_eq!(
            message,
            format!("1 validation error detected: Value '{n}' at 'maxItems' failed to satisfy constraint: Member must have value {constraint}")
        );
        let (_, code, _, _) = fails!(client.list_layer_versions().layer_name("x").max_items(n).send());
        assert_eq!(code, "ValidationException");
    }
    let (_, _, message, _) = fails!(client
        .list_layer_versions()
        .layer_name("x")
        .compatible_runtime(Runtime::from("cobol"))
        .compatible_architecture(Architecture::from("sparc"))
        .send());
    assert!(message.starts_with("2 validation errors detected: Value 'cobol' at 'compatibleRuntime'"), "{message}");
    assert!(message.ends_with("Value 'sparc' at 'compatibleArchitecture' failed to satisfy constraint: Member must satisfy enum value set: [x86_64, arm64]"), "{message}");
}

#[tokio::test]
async fn add_permission_validation() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("layer");
    publish(&client, &name).await;
    let add = || client.add_layer_version_permission().layer_name(&name).version_number(1);

    let (status, code, message, _) = fails!(add().statement_id("s").action("*").principal("*").send());
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert_eq!(
        message,
        "1 validation error detected: Value '*' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion"
    );
    let (_, _, message, _) = fails!(add().statement_id("s").action("lambda:InvokeFunction").principal("*").send());
    assert!(message.contains("Value 'lambda:InvokeFunction' at 'action'"), "{message}");
    let (_, _, message, _) = fails!(add().statement_id("s").action("lambda:GetLayerVersionXXXX").principal("*").send());
    assert_eq!(
        message,
        "2 validation errors detected: Value 'lambda:GetLayerVersionXXXX' at 'action' failed to satisfy constraint: Member must have length less than or equal to 22; Value 'lambda:GetLayerVersionXXXX' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion"
    );
    for bad in ["s3.amazonaws.com", "arn:aws:iam::223456789012:user/u", "22345678901"] {
        let (_, code, message, _) =
            fails!(add().statement_id("s").action("lambda:GetLayerVersion").principal(bad).send());
        assert_eq!(code, "ValidationException");
        assert_eq!(
            message,
            format!("1 validation error detected: Value '{bad}' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{{12}}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{{12}}:root")
        );
    }
    let (_, _, message, _) = fails!(add()
        .statement_id("s")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .organization_id("o-SHORT")
        .send());
    assert_eq!(
        message,
        "1 validation error detected: Value 'o-SHORT' at 'organizationId' failed to satisfy constraint: Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}"
    );
    let (_, _, message, _) =
        fails!(add().statement_id("my.sid").action("lambda:GetLayerVersion").principal("*").send());
    assert_eq!(
        message,
        "1 validation error detected: Value 'my.sid' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)"
    );
    // Every failing member in one message, in model order.
    let (_, _, message, _) = fails!(add().statement_id("a.b").action("*").principal("x").send());
    assert!(message.starts_with("3 validation errors detected: Value 'a.b' at 'statementId'"), "{message}");
    assert!(message.contains("; Value '*' at 'action'") && message.contains("; Value 'x' at 'principal'"), "{message}");
    // Nothing was added along the way.
    let (_, _, message, _) = fails!(client.get_layer_version_policy().layer_name(&name).version_number(1).send());
    assert_eq!(message, "No policy is associated with the given resource.");
}

#[tokio::test]
async fn layer_policy_not_found_conflict_and_precondition_texts() {
    let server = common::start().await;
    let client = server.client_as("123456789012", "us-east-1");
    let name = common::unique("layer");
    publish(&client, &name).await;
    let lv = |n: i64| format!("arn:aws:lambda:us-east-1:123456789012:layer:{name}:{n}");

    // Missing version, missing layer: the same 404 for all three operations.
    let (status, _, message, err) = fails!(client
        .add_layer_version_permission()
        .layer_name(&name)
        .version_number(2)
        .statement_id("s")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .send());
    assert!(matches!(err, AddLayerVersionPermissionError::ResourceNotFoundException(_)), "{err:?}");
    assert_eq!((status, message), (404, format!("Layer version {} does not exist.", lv(2))));
    let (_, _, message, err) = fails!(client.get_layer_version_policy().layer_name(&name).version_number(2).send());
    assert!(matches!(err, GetLayerVersionPolicyError::ResourceNotFoundException(_)), "{err:?}");
    assert_eq!(message, format!("Layer version {} does not exist.", lv(2)));
    let (_, _, message, err) =
        fails!(client.remove_layer_version_permission().layer_name("nope").version_number(1).statement_id("s").send());
    assert!(matches!(err, RemoveLayerVersionPermissionError::ResourceNotFoundException(_)), "{err:?}");
    assert_eq!(message, "Layer version arn:aws:lambda:us-east-1:123456789012:layer:nope:1 does not exist.");

    // No policy yet.
    let (status, _, message, _) = fails!(client.get_layer_version_policy().layer_name(&name).version_number(1).send());
    assert_eq!((status, message.as_str()), (404, "No policy is associated with the given resource."));
    let (_, _, message, _) =
        fails!(client.remove_layer_version_permission().layer_name(&name).version_number(1).statement_id("s").send());
    assert_eq!(message, "No policy is associated with the given resource.");
    // No policy + any RevisionId: 412.
    let (status, _, message, err) = fails!(client
        .add_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("s")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .revision_id("anything")
        .send());
    assert!(matches!(err, AddLayerVersionPermissionError::PreconditionFailedException(_)), "{err:?}");
    assert_eq!((status, message.as_str()), (412, GET_LAYER_POLICY_412));

    let r1 = grant(&client, &name, 1, "a").await;
    // A duplicate Sid is a 409 even with a stale RevisionId: the Sid is checked first.
    let (status, _, message, err) = fails!(client
        .add_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("a")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .revision_id("stale")
        .send());
    assert!(matches!(err, AddLayerVersionPermissionError::ResourceConflictException(_)), "{err:?}");
    assert_eq!(
        (status, message.as_str()),
        (409, "The statement id (a) provided already exists. Please provide a new statement id, or remove the existing statement.")
    );
    // The right RevisionId lets the add through and moves the revision.
    let out = client
        .add_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("b")
        .action("lambda:GetLayerVersion")
        .principal("223456789012")
        .revision_id(&r1)
        .send()
        .await
        .unwrap();
    let r2 = out.revision_id().unwrap().to_owned();
    assert_ne!(r1, r2);
    let (_, _, message, _) = fails!(client
        .add_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("c")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .revision_id(&r1)
        .send());
    assert_eq!(message, GET_LAYER_POLICY_412);

    // Remove: the revision is checked before the Sid.
    let (status, _, message, err) = fails!(client
        .remove_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("zzz")
        .revision_id(&r1)
        .send());
    assert!(matches!(err, RemoveLayerVersionPermissionError::PreconditionFailedException(_)), "{err:?}");
    assert_eq!((status, message.as_str()), (412, GET_LAYER_POLICY_412));
    let (status, _, message, _) =
        fails!(client.remove_layer_version_permission().layer_name(&name).version_number(1).statement_id("zzz").send());
    assert_eq!((status, message.as_str()), (404, "Statement zzz is not found in resource policy."));
    let (_, code, message, _) =
        fails!(client.remove_layer_version_permission().layer_name(&name).version_number(1).statement_id("a.b").send());
    assert_eq!(code, "ValidationException");
    assert!(message.contains("Value 'a.b' at 'statementId'"), "{message}");

    client
        .remove_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("a")
        .revision_id(&r2)
        .send()
        .await
        .unwrap();
    let policy = client.get_layer_version_policy().layer_name(&name).version_number(1).send().await.unwrap();
    let r3 = policy.revision_id().unwrap().to_owned();
    assert_ne!(r3, r2, "every remove sets a new RevisionId");
    assert!(!policy.policy().unwrap().contains(r#""Sid":"a""#));
    client
        .remove_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("b")
        .send()
        .await
        .unwrap();
    let (_, _, message, _) = fails!(client.get_layer_version_policy().layer_name(&name).version_number(1).send());
    assert_eq!(message, "No policy is associated with the given resource.");
}

#[tokio::test]
async fn policy_size_limit_and_delete_takes_the_policy_along() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("layer");
    publish(&client, &name).await;
    let mut added = 0;
    let (status, code, message, err) = loop {
        let res = client
            .add_layer_version_permission()
            .layer_name(&name)
            .version_number(1)
            .statement_id(format!("statement-{added:04}"))
            .action("lambda:GetLayerVersion")
            .principal("*")
            .organization_id("o-abcdefghijklmnopqrstuvwxyz012345")
            .send()
            .await;
        match res {
            Ok(_) => added += 1,
            Err(e) => {
                let status = e.raw_response().unwrap().status().as_u16();
                let svc = e.into_service_error();
                break (status, svc.code().unwrap().to_owned(), svc.message().unwrap().to_owned(), svc);
            }
        }
        assert!(added < 200, "the size limit never triggered");
    };
    assert!(matches!(err, AddLayerVersionPermissionError::PolicyLengthExceededException(_)), "{err:?}");
    assert_eq!((status, code.as_str()), (400, "PolicyLengthExceededException"));
    let policy = client.get_layer_version_policy().layer_name(&name).version_number(1).send().await.unwrap();
    let doc = policy.policy().unwrap();
    assert!(doc.len() <= 20480);
    let statement_len =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(doc).unwrap()["Statement"][0]).unwrap().len();
    assert_eq!(
        message,
        format!("The final policy size ({}) is bigger than the limit (20480).", doc.len() + 1 + statement_len)
    );

    client.delete_layer_version().layer_name(&name).version_number(1).send().await.unwrap();
    let (_, _, message, _) = fails!(client.get_layer_version_policy().layer_name(&name).version_number(1).send());
    assert!(message.ends_with(&format!(":layer:{name}:1 does not exist.")), "{message}");
    // A new version starts without a policy.
    assert_eq!(publish(&client, &name).await.version(), 2);
    let (_, _, message, _) = fails!(client.get_layer_version_policy().layer_name(&name).version_number(2).send());
    assert_eq!(message, "No policy is associated with the given resource.");
}

#[tokio::test]
async fn layers_are_isolated_by_account_and_region_unless_addressed_by_arn() {
    let server = common::start().await;
    let owner = server.client_as("111111111111", "us-east-1");
    let other_account = server.client_as("222222222222", "us-east-1");
    let other_region = server.client_as("111111111111", "eu-west-1");
    let name = common::unique("shared");
    publish(&owner, &name).await;
    let layer_arn = format!("arn:aws:lambda:us-east-1:111111111111:layer:{name}");

    // The other account must be granted the read; the owner's account reads its own layer from any region.
    for denied in [
        fails!(other_account.get_layer_version_by_arn().arn(format!("{layer_arn}:1")).send()).0,
        fails!(other_account.get_layer_version().layer_name(&layer_arn).version_number(1).send()).0,
    ] {
        assert_eq!(denied, 403);
    }
    for client in [&other_account, &other_region] {
        assert!(client
            .list_layers()
            .send()
            .await
            .unwrap()
            .layers()
            .iter()
            .all(|l| l.layer_name() != Some(name.as_str())));
        assert!(client.list_layer_versions().layer_name(&name).send().await.unwrap().layer_versions().is_empty());
        let (status, _, _, _) = fails!(client.get_layer_version().layer_name(&name).version_number(1).send());
        assert_eq!(status, 404);
        let listed = client.list_layer_versions().layer_name(&layer_arn).send().await.unwrap();
        assert_eq!(listed.layer_versions().len(), 1);
    }

    // Only the owner changes a layer version's policy: another account naming it by ARN is refused, and the
    // policy is untouched.
    let (status, code, message, _) = fails!(other_account
        .add_layer_version_permission()
        .layer_name(&layer_arn)
        .version_number(1)
        .statement_id("via-arn")
        .action("lambda:GetLayerVersion")
        .principal("222222222222")
        .send());
    assert_eq!((status, code.as_str()), (403, "AccessDeniedException"));
    assert_eq!(
        message,
        format!("User: arn:aws:iam::222222222222:root is not authorized to perform: lambda:AddLayerVersionPermission on resource: {layer_arn}:1")
    );
    let (status, _, message, _) = fails!(owner.get_layer_version_policy().layer_name(&name).version_number(1).send());
    assert_eq!((status, message.as_str()), (404, "No policy is associated with the given resource."));
    grant(&owner, &name, 1, "owner-grant").await;
    // Shared with `*`, the version is readable by ARN from the other account and from the owner's other region.
    for client in [&other_account, &other_region] {
        let got = client.get_layer_version_by_arn().arn(format!("{layer_arn}:1")).send().await.unwrap();
        assert_eq!(got.layer_arn(), Some(layer_arn.as_str()));
        let got = client.get_layer_version().layer_name(&layer_arn).version_number(1).send().await.unwrap();
        assert_eq!(got.version(), 1);
    }
    let (status, code, _, _) = fails!(other_account
        .remove_layer_version_permission()
        .layer_name(&layer_arn)
        .version_number(1)
        .statement_id("owner-grant")
        .send());
    assert_eq!((status, code.as_str()), (403, "AccessDeniedException"));
    // Reading it by ARN follows the ARN; by bare name it is the caller's own (missing) layer.
    let by_arn = other_account.get_layer_version_policy().layer_name(&layer_arn).version_number(1).send().await;
    assert!(by_arn.unwrap().policy().unwrap().contains(r#""Sid":"owner-grant""#));
    let (_, _, message, _) =
        fails!(other_account.get_layer_version_policy().layer_name(&name).version_number(1).send());
    assert_eq!(message, format!("Layer version arn:aws:lambda:us-east-1:222222222222:layer:{name}:1 does not exist."));

    // Publishing or deleting in another account's namespace is refused.
    let (status, code, message, _) =
        fails!(other_account.publish_layer_version().layer_name(&layer_arn).content(zip_content("x")).send());
    assert_eq!((status, code.as_str()), (403, "AccessDeniedException"));
    assert_eq!(
        message,
        format!("User: arn:aws:iam::222222222222:root is not authorized to perform: lambda:PublishLayerVersion on resource: {layer_arn}")
    );
    let (status, code, _, _) =
        fails!(other_account.delete_layer_version().layer_name(&layer_arn).version_number(1).send());
    assert_eq!((status, code.as_str()), (403, "AccessDeniedException"));
    owner.get_layer_version().layer_name(&name).version_number(1).send().await.unwrap();
}

#[tokio::test]
async fn layer_policy_compare_and_swap_under_concurrency() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("layer");
    publish(&client, &name).await;
    let rev = grant(&client, &name, 1, "seed").await;

    // 40 writers race with the same RevisionId: exactly one wins, the rest get the GetLayerPolicy 412.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (client, name, rev) = (client.clone(), name.clone(), rev.clone());
            tokio::spawn(async move {
                client
                    .add_layer_version_permission()
                    .layer_name(&name)
                    .version_number(1)
                    .statement_id(format!("racer-{i}"))
                    .action("lambda:GetLayerVersion")
                    .principal("*")
                    .revision_id(rev)
                    .send()
                    .await
            })
        })
        .collect();
    let mut wins = 0;
    for t in futures::future::join_all(tasks).await {
        match t.unwrap() {
            Ok(_) => wins += 1,
            Err(e) => {
                let svc = e.into_service_error();
                assert!(matches!(svc, AddLayerVersionPermissionError::PreconditionFailedException(_)), "{svc:?}");
                assert_eq!(svc.message(), Some(GET_LAYER_POLICY_412));
            }
        }
    }
    assert_eq!(wins, 1);

    // 40 writers with distinct Sids and no RevisionId: none is lost.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (client, name) = (client.clone(), name.clone());
            tokio::spawn(async move { grant(&client, &name, 1, &format!("sid-{i}")).await })
        })
        .collect();
    let revisions: std::collections::HashSet<_> =
        futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(revisions.len(), 40, "every add produced its own RevisionId");
    let policy = client.get_layer_version_policy().layer_name(&name).version_number(1).send().await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    let sids: std::collections::HashSet<_> =
        doc["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap().to_owned()).collect();
    assert_eq!(sids.len(), 42);
    assert!((0..40).all(|i| sids.contains(&format!("sid-{i}"))));
    assert!(revisions.contains(policy.revision_id().unwrap()), "the final revision is one of the writers'");

    // 40 concurrent removals of one Sid with the current RevisionId: exactly one wins.
    let current = policy.revision_id().unwrap().to_owned();
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let (client, name, rev) = (client.clone(), name.clone(), current.clone());
            tokio::spawn(async move {
                client
                    .remove_layer_version_permission()
                    .layer_name(&name)
                    .version_number(1)
                    .statement_id("seed")
                    .revision_id(rev)
                    .send()
                    .await
                    .is_ok()
            })
        })
        .collect();
    let removed = futures::future::join_all(tasks).await.into_iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(removed, 1);
}

async fn create_with_layers(
    client: &Client,
    name: &str,
    layers: Vec<String>,
) -> Result<
    aws_sdk_lambda::operation::create_function::CreateFunctionOutput,
    aws_sdk_lambda::error::SdkError<
        aws_sdk_lambda::operation::create_function::CreateFunctionError,
        aws_sdk_lambda::config::http::HttpResponse,
    >,
> {
    client
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role("arn:aws:iam::123456789012:role/r")
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(common::zip_bytes("def handler(e, c): pass"))).build())
        .set_layers(Some(layers))
        .send()
        .await
}

#[tokio::test]
async fn create_function_resolves_real_layers() {
    let server = common::start().await;
    let client = server.client_as("123456789012", "us-east-1");
    let a = publish(&client, "fn-layer-a").await;
    publish(&client, "fn-layer-a").await;
    let b = publish(&client, "fn-layer-b").await;
    let a1 = a.layer_version_arn().unwrap().to_owned();
    let a2 = format!("{}:2", a.layer_arn().unwrap());
    let b1 = b.layer_version_arn().unwrap().to_owned();

    let f = create_with_layers(&client, "with-layers", vec![a2.clone(), b1.clone()]).await.unwrap();
    let got: Vec<_> = f.layers().iter().map(|l| (l.arn().unwrap().to_owned(), l.code_size())).collect();
    assert_eq!(got, [(a2.clone(), a.content().unwrap().code_size()), (b1.clone(), b.content().unwrap().code_size())]);

    let (status, code, message, _) = fails!(create_with_layers(&client, "six", vec![a1.clone(); 6]));
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (400, "InvalidParameterValueException", "Cannot reference more than 5 layers.")
    );
    let missing = format!("{}:9", a.layer_arn().unwrap());
    let (_, code, message, _) = fails!(create_with_layers(&client, "missing", vec![b1.clone(), missing.clone()]));
    assert_eq!(
        (code.as_str(), message),
        ("InvalidParameterValueException", format!("Layer version {missing} does not exist."))
    );
    let (_, code, message, _) = fails!(create_with_layers(&client, "twice", vec![a1.clone(), b1.clone(), a2.clone()]));
    assert_eq!(code, "InvalidParameterValueException");
    assert_eq!(
        message,
        format!("Two different versions of the same layer are not allowed to be referenced in the same function. {a1} and {a2} are versions of the same layer.")
    );
    // None of the failed creates left a function behind.
    let (status, _, _, _) = fails!(client.get_function().function_name("twice").send());
    assert_eq!(status, 404);

    // A layer of another account, addressed by ARN, resolves once that account shares it.
    let other = server.client_as("444444444444", "us-east-1");
    let foreign = publish(&other, "foreign").await;
    let (status, code, message, _) =
        fails!(create_with_layers(&client, "with-foreign", vec![foreign.layer_version_arn().unwrap().to_owned()]));
    assert_eq!((status, code.as_str()), (403, "AccessDeniedException"));
    assert_eq!(
        message,
        format!(
            "User: arn:aws:iam::123456789012:root is not authorized to perform: lambda:GetLayerVersion on resource: {} because no resource-based policy allows the lambda:GetLayerVersion action",
            foreign.layer_version_arn().unwrap()
        )
    );
    grant(&other, "foreign", 1, "everyone").await;
    let f = create_with_layers(&client, "with-foreign", vec![foreign.layer_version_arn().unwrap().to_owned()])
        .await
        .unwrap();
    assert_eq!(f.layers()[0].arn(), foreign.layer_version_arn());

    // Deleting a referenced version leaves the function's Layers as they were.
    client.delete_layer_version().layer_name("fn-layer-b").version_number(1).send().await.unwrap();
    let cfg = client.get_function_configuration().function_name("with-layers").send().await.unwrap();
    assert_eq!(cfg.layers().iter().map(|l| l.arn().unwrap()).collect::<Vec<_>>(), [a2.as_str(), b1.as_str()]);
    let (_, _, message, _) = fails!(create_with_layers(&client, "gone", vec![b1.clone()]));
    assert_eq!(message, format!("Layer version {b1} does not exist."));
}

#[tokio::test]
async fn update_function_configuration_resolves_and_clears_layers() {
    let server = common::start().await;
    let client = server.client_as("123456789012", "us-east-1");
    let a = publish(&client, "cfg-layer").await;
    let a1 = a.layer_version_arn().unwrap().to_owned();
    common::create_function(&client, "cfg-fn").await;

    let cfg = client.update_function_configuration().function_name("cfg-fn").layers(a1.clone()).send().await.unwrap();
    assert_eq!(
        cfg.layers().iter().map(|l| (l.arn().unwrap(), l.code_size())).collect::<Vec<_>>(),
        [(a1.as_str(), a.content().unwrap().code_size())]
    );

    let missing = format!("{}:7", a.layer_arn().unwrap());
    let (status, code, message, _) =
        fails!(client.update_function_configuration().function_name("cfg-fn").layers(missing.clone()).send());
    assert_eq!((status, code.as_str()), (400, "InvalidParameterValueException"));
    assert_eq!(message, format!("Layer version {missing} does not exist."));

    // A malformed layer ARN is a model-constraint failure, reported before any lookup.
    let (status, code, message, _) =
        fails!(client.update_function_configuration().function_name("cfg-fn").layers("not-an-arn").send());
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert!(message.starts_with("1 validation error detected: Value '[not-an-arn]' at 'layers' failed"), "{message}");

    // `Layers: []` removes every layer.
    let cfg = client.update_function_configuration().function_name("cfg-fn").set_layers(Some(vec![])).send().await;
    assert!(cfg.unwrap().layers().is_empty());
    let got = client.get_function_configuration().function_name("cfg-fn").send().await.unwrap();
    assert!(got.layers().is_empty());
}

/// AWS validates with Java regexes: `\d` is `[0-9]`. Rust's Unicode `\d` let other scripts' digits through, and the
/// layer principal then came back as `{"AWS":"<those digits>"}`.
#[tokio::test]
async fn layer_patterns_take_ascii_digits_only() {
    let server = common::start().await;
    let client = server.client_as("123456789012", "us-east-1");
    let name = common::unique("layer");
    publish(&client, &name).await;
    let arabic = "\u{661}\u{662}\u{663}\u{664}\u{665}\u{666}\u{667}\u{668}\u{669}\u{660}\u{661}\u{662}";
    let (status, code, message, _) = fails!(client
        .add_layer_version_permission()
        .layer_name(&name)
        .version_number(1)
        .statement_id("s")
        .action("lambda:GetLayerVersion")
        .principal(arabic)
        .send());
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert_eq!(
        message,
        format!("1 validation error detected: Value '{arabic}' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{{12}}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{{12}}:root")
    );
    let layer_arn = format!("arn:aws:lambda:us-east-1:{arabic}:layer:{name}");
    let (status, code, message, _) =
        fails!(client.get_layer_version_policy().layer_name(&layer_arn).version_number(1).send());
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert!(
        message.starts_with(&format!("1 validation error detected: Value '{layer_arn}' at 'layerName'")),
        "{message}"
    );
    let (_, _, message, _) = fails!(client.get_layer_version_policy().layer_name(&name).version_number(1).send());
    assert_eq!(message, "No policy is associated with the given resource.", "nothing was added");
}
