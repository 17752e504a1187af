//! The function control plane through the Rust `aws-sdk-lambda` against a real server on loopback: create, read,
//! list, update, publish and delete, the state settling of both `--settle-delay-ms` modes, account/region
//! isolation, and the modeled errors with AWS's texts (SPEC §3, §4, §5.2, §10, §13.1, §13.4).

mod common;

use std::time::Duration;

use aws_sdk_lambda::client::Waiters;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::operation::create_function::CreateFunctionError;
use aws_sdk_lambda::operation::delete_function::DeleteFunctionError;
use aws_sdk_lambda::operation::get_function::GetFunctionError;
use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationError;
use aws_sdk_lambda::operation::get_policy::GetPolicyError;
use aws_sdk_lambda::operation::list_versions_by_function::ListVersionsByFunctionError;
use aws_sdk_lambda::operation::publish_version::PublishVersionError;
use aws_sdk_lambda::operation::update_function_code::UpdateFunctionCodeError;
use aws_sdk_lambda::operation::update_function_configuration::UpdateFunctionConfigurationError;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    Architecture, Environment, FunctionCode, FunctionVersion, LastUpdateStatus, PackageType, Runtime, State,
};
use aws_sdk_lambda::Client;
use lambdalite::Config;

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";
const REVISION_MISMATCH: &str = "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id";

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:000000000000:function:{name}")
}

fn zip(content: &str) -> Blob {
    Blob::new(common::zip_bytes(content))
}

/// The code and message of an error the model does not declare for the operation (ValidationException).
fn unmodeled<E: ProvideErrorMetadata>(e: &E) -> (String, String) {
    (e.code().unwrap_or_default().to_owned(), e.message().unwrap_or_default().to_owned())
}

async fn publish(client: &Client, name: &str) -> String {
    client.publish_version().function_name(name).send().await.unwrap().version().unwrap().to_owned()
}

#[tokio::test]
async fn create_responds_pending_and_every_later_read_is_settled() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    let created = common::create_function(&client, &name).await;
    assert_eq!(created.state(), Some(&State::Pending));
    assert_eq!(created.state_reason(), Some("The function is being created."));
    assert_eq!(created.state_reason_code().map(|c| c.as_str()), Some("Creating"));
    assert_eq!(created.last_update_status(), None);
    assert_eq!(created.function_arn(), Some(arn(&name).as_str()));
    assert_eq!(created.version(), Some("$LATEST"));
    assert_eq!(created.code_sha256().unwrap().len(), 44);
    assert_eq!(created.code_size(), common::zip_bytes("def handler(e, c): return 1").len() as i64);
    assert_eq!(created.timeout(), Some(3));
    assert_eq!(created.memory_size(), Some(128));
    assert_eq!(created.architectures(), &[Architecture::X8664]);
    assert_eq!(created.package_type(), Some(&PackageType::Zip));
    assert_eq!(created.logging_config().unwrap().log_group(), Some(format!("/aws/lambda/{name}").as_str()));

    let cfg = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!(cfg.state(), Some(&State::Active));
    assert_eq!(cfg.state_reason(), None);
    assert_eq!(cfg.last_update_status(), Some(&LastUpdateStatus::Successful));
    // Settling Pending→Active changes the RevisionId (SPEC §5.2 step 2).
    assert_ne!(cfg.revision_id(), created.revision_id());
    assert!(cfg
        .runtime_version_config()
        .unwrap()
        .runtime_version_arn()
        .unwrap()
        .starts_with("arn:aws:lambda:us-east-1::runtime:"));

    // The waiters return on their first poll.
    client.wait_until_function_active_v2().function_name(&name).wait(Duration::from_secs(5)).await.unwrap();
    client.wait_until_function_updated_v2().function_name(&name).wait(Duration::from_secs(5)).await.unwrap();

    let got = client.get_function().function_name(&name).send().await.unwrap();
    assert_eq!(got.configuration().unwrap().revision_id(), cfg.revision_id());
    assert_eq!(got.code().unwrap().repository_type(), Some("S3"));
    assert!(got.code().unwrap().location().unwrap().starts_with("http://127.0.0.1:"));
    assert!(got.tags().is_none());

    let latest = client.get_function().function_name(&name).qualifier("$LATEST").send().await.unwrap();
    assert_eq!(latest.configuration().unwrap().function_arn(), Some(format!("{}:$LATEST", arn(&name)).as_str()));
}

#[tokio::test]
async fn positive_settle_delay_keeps_reads_in_flight() {
    let server = common::start_with(Config { settle_delay_ms: 600_000, ..Config::default() }).await;
    let client = server.client();
    let name = common::unique("fn");
    let created = common::create_function(&client, &name).await;
    let cfg = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!(cfg.state(), Some(&State::Pending));
    assert_eq!(cfg.last_update_status(), Some(&LastUpdateStatus::InProgress));
    assert_eq!(cfg.revision_id(), created.revision_id());

    let updated = client.update_function_configuration().function_name(&name).timeout(9).send().await.unwrap();
    assert_eq!(updated.state(), Some(&State::Active));
    assert_eq!(updated.last_update_status(), Some(&LastUpdateStatus::InProgress));
    assert_eq!(updated.last_update_status_reason(), Some("The function is being created."));
    let cfg = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!(cfg.last_update_status(), Some(&LastUpdateStatus::InProgress));
    assert_eq!(cfg.revision_id(), updated.revision_id());
    // The in-flight RevisionId is the current one: an update guarded by it goes through.
    client
        .update_function_configuration()
        .function_name(&name)
        .revision_id(cfg.revision_id().unwrap())
        .description("d")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn zero_settle_delay_updates_respond_in_progress_then_read_successful() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let before = client.get_function_configuration().function_name(&name).send().await.unwrap();
    let updated = client.update_function_code().function_name(&name).zip_file(zip("v2")).send().await.unwrap();
    assert_eq!(updated.last_update_status(), Some(&LastUpdateStatus::InProgress));
    assert_eq!(updated.last_update_status_reason_code().map(|c| c.as_str()), Some("Creating"));
    assert_ne!(updated.revision_id(), before.revision_id());
    assert_ne!(updated.code_sha256(), before.code_sha256());
    let after = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!(after.last_update_status(), Some(&LastUpdateStatus::Successful));
    assert_eq!(after.last_update_status_reason(), None);
    assert_ne!(after.revision_id(), updated.revision_id());
    assert_eq!(after.code_sha256(), updated.code_sha256());
    client.wait_until_function_updated_v2().function_name(&name).wait(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn list_functions_pages_and_trims_items() {
    let server = common::start().await;
    let client = server.client();
    for name in ["b", "a", "c"] {
        common::create_function(&client, name).await;
    }
    publish(&client, "a").await;

    let all = client.list_functions().send().await.unwrap();
    let names: Vec<_> = all.functions().iter().map(|f| f.function_name().unwrap()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert!(all.next_marker().is_none());
    let item = &all.functions()[0];
    assert_eq!(item.function_arn(), Some(arn("a").as_str()));
    assert_eq!(item.state(), None);
    assert_eq!(item.last_update_status(), None);
    assert!(item.runtime_version_config().is_none());
    assert!(item.revision_id().is_some());

    let mut seen = Vec::new();
    let mut marker = None;
    loop {
        let page = client.list_functions().max_items(1).set_marker(marker.clone()).send().await.unwrap();
        assert_eq!(page.functions().len(), 1);
        seen.push(page.functions()[0].function_name().unwrap().to_owned());
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["a", "b", "c"]);

    let versions =
        client.list_functions().function_version(FunctionVersion::All).master_region("ALL").send().await.unwrap();
    let arns: Vec<_> = versions.functions().iter().map(|f| f.function_arn().unwrap()).collect();
    assert_eq!(
        arns,
        [
            format!("{}:$LATEST", arn("a")),
            format!("{}:1", arn("a")),
            format!("{}:$LATEST", arn("b")),
            format!("{}:$LATEST", arn("c"))
        ]
    );
    // Paging through FunctionVersion=ALL visits every version once.
    let mut count = 0;
    let mut marker = None;
    loop {
        let page = client
            .list_functions()
            .function_version(FunctionVersion::All)
            .max_items(3)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        count += page.functions().len();
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    assert_eq!(count, 4);
}

#[tokio::test]
async fn list_functions_rejects_bad_members() {
    let server = common::start().await;
    let client = server.client();
    let err = client.list_functions().function_version(FunctionVersion::from("LATEST")).send().await.unwrap_err();
    assert_eq!(
        unmodeled(&err.into_service_error()),
        (
            "ValidationException".into(),
            "1 validation error detected: Value 'LATEST' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]".into()
        )
    );
    let err = client.list_functions().max_items(0).send().await.unwrap_err();
    assert_eq!(
        unmodeled(&err.into_service_error()).1,
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
}

#[tokio::test]
async fn get_function_addresses_versions_and_aliases() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    publish(&client, &name).await;
    client.create_alias().function_name(&name).name("live").function_version("1").send().await.unwrap();

    let v1 = client.get_function().function_name(format!("{name}:1")).send().await.unwrap();
    let v1 = v1.configuration().unwrap();
    assert_eq!(v1.function_arn(), Some(format!("{}:1", arn(&name)).as_str()));
    assert_eq!(v1.version(), Some("1"));
    let live = client.get_function_configuration().function_name(&name).qualifier("live").send().await.unwrap();
    assert_eq!(live.function_arn(), Some(format!("{}:live", arn(&name)).as_str()));
    assert_eq!(live.version(), Some("1"));

    let err = client.get_function().function_name(&name).qualifier("7").send().await.unwrap_err().into_service_error();
    let GetFunctionError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}:7", arn(&name)).as_str()));
    let err = client.get_function().function_name(format!("{name}:1")).qualifier("2").send().await.unwrap_err();
    let err = err.into_service_error();
    let GetFunctionError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(
        e.message(),
        Some("The derived qualifier from the function name does not match the specified qualifier.")
    );
    let err = client.get_function_configuration().function_name("nope").qualifier("live").send().await.unwrap_err();
    let err = err.into_service_error();
    let GetFunctionConfigurationError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}:live", arn("nope")).as_str()));
    let err = client.get_function().function_name("bad!name").send().await.unwrap_err().into_service_error();
    let (code, msg) = unmodeled(&err);
    assert_eq!(code, "ValidationException");
    assert!(msg.starts_with("1 validation error detected: Value 'bad!name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?"), "{msg}");
}

#[tokio::test]
async fn delete_function_rules() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    publish(&client, &name).await;
    client.update_function_configuration().function_name(&name).description("2").send().await.unwrap();
    publish(&client, &name).await;
    client.create_alias().function_name(&name).name("live").function_version("1").send().await.unwrap();

    let del =
        |q: Option<&str>, n: &str| client.delete_function().function_name(n).set_qualifier(q.map(str::to_owned)).send();

    let err = del(Some("live"), &name).await.unwrap_err().into_service_error();
    let DeleteFunctionError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("Deletion of aliases is not currently supported."));
    // The alias refusal comes before the lookup.
    let err = del(Some("live"), "missing").await.unwrap_err().into_service_error();
    assert!(matches!(err, DeleteFunctionError::InvalidParameterValueException(_)), "{err:?}");
    let err = del(Some("$LATEST"), &name).await.unwrap_err().into_service_error();
    let DeleteFunctionError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("$LATEST version cannot be deleted without deleting the function."));
    let err = del(Some("1"), "missing").await.unwrap_err().into_service_error();
    let DeleteFunctionError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}", arn("missing")).as_str()));
    let err = del(Some("1"), &name).await.unwrap_err().into_service_error();
    let DeleteFunctionError::ResourceConflictException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("Unable to delete version because the following aliases reference it: [live]"));

    // Deleting a version deletes its policy with it.
    client
        .add_permission()
        .function_name(&name)
        .qualifier("2")
        .statement_id("s")
        .action("lambda:InvokeFunction")
        .principal("*")
        .send()
        .await
        .unwrap();
    let out = del(Some("2"), &name).await.unwrap();
    assert_eq!(out.status_code(), 204);
    let err = client.get_policy().function_name(&name).qualifier("2").send().await.unwrap_err().into_service_error();
    assert!(matches!(err, GetPolicyError::ResourceNotFoundException(_)), "{err:?}");
    // A version that does not exist is deleted already.
    del(Some("2"), &name).await.unwrap();
    del(Some("99"), &name).await.unwrap();
    let versions = client.list_versions_by_function().function_name(&name).send().await.unwrap();
    let numbers: Vec<_> = versions.versions().iter().map(|v| v.version().unwrap()).collect();
    assert_eq!(numbers, ["$LATEST", "1"]);

    del(None, &arn(&name)).await.unwrap();
    let err = client.get_function().function_name(&name).send().await.unwrap_err().into_service_error();
    let GetFunctionError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}", arn(&name)).as_str()));
    let err = del(None, &name).await.unwrap_err().into_service_error();
    assert!(matches!(err, DeleteFunctionError::ResourceNotFoundException(_)), "{err:?}");
    // A re-created function starts from nothing: no versions, no aliases.
    common::create_function(&client, &name).await;
    let versions = client.list_versions_by_function().function_name(&name).send().await.unwrap();
    assert_eq!(versions.versions().len(), 1);
    assert!(client.list_aliases().function_name(&name).send().await.unwrap().aliases().is_empty());
}

#[tokio::test]
async fn update_function_code_rules() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let cfg = client.get_function_configuration().function_name(&name).send().await.unwrap();

    let err = client
        .update_function_code()
        .function_name(&name)
        .zip_file(zip("x"))
        .revision_id("wrong")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let UpdateFunctionCodeError::PreconditionFailedException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(REVISION_MISMATCH));

    let err = client.update_function_code().function_name(&name).image_uri("x/y:1").send().await.unwrap_err();
    let err = err.into_service_error();
    let UpdateFunctionCodeError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("Please don't provide ImageUri when updating a function with packageType Zip."));
    let err = client.update_function_code().function_name(&name).zip_file(Blob::new("nope")).send().await.unwrap_err();
    let err = err.into_service_error();
    let UpdateFunctionCodeError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("Could not unzip uploaded file. Please check your file, then try to upload again."));
    let err = client.update_function_code().function_name(&name).s3_bucket("bucket").s3_key("k.zip").send().await;
    let err = err.unwrap_err().into_service_error();
    let UpdateFunctionCodeError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(
        e.message(),
        Some("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
    );
    let err = client.update_function_code().function_name("missing").zip_file(zip("x")).send().await.unwrap_err();
    let err = err.into_service_error();
    let UpdateFunctionCodeError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}", arn("missing")).as_str()));

    // DryRun checks and changes nothing.
    let dry =
        client.update_function_code().function_name(&name).zip_file(zip("dry")).dry_run(true).send().await.unwrap();
    assert_ne!(dry.code_sha256(), cfg.code_sha256());
    let now = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!(now.code_sha256(), cfg.code_sha256());
    assert_eq!(now.revision_id(), cfg.revision_id());

    let updated = client
        .update_function_code()
        .function_name(&name)
        .zip_file(zip("v2"))
        .revision_id(cfg.revision_id().unwrap())
        .architectures(Architecture::Arm64)
        .publish(true)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.version(), Some("1"));
    assert_eq!(updated.function_arn(), Some(format!("{}:1", arn(&name)).as_str()));
    assert_eq!(updated.architectures(), &[Architecture::Arm64]);
    assert_eq!(updated.code_size(), common::zip_bytes("v2").len() as i64);
    let latest = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!(latest.code_sha256(), updated.code_sha256());
    client
        .wait_until_published_version_active()
        .function_name(&name)
        .qualifier("1")
        .wait(Duration::from_secs(5))
        .await
        .unwrap();

    let err = client
        .update_function_code()
        .function_name(&name)
        .zip_file(zip("x"))
        .architectures(Architecture::from("x86"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        unmodeled(&err.into_service_error()).1,
        "1 validation error detected: Value '[x86]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
    );
}

#[tokio::test]
async fn image_functions_take_only_image_uris() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("img");
    let created = client
        .create_function()
        .function_name(&name)
        .role(ROLE)
        .package_type(PackageType::Image)
        .code(FunctionCode::builder().image_uri("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1").build())
        .send()
        .await
        .unwrap();
    assert_eq!(created.package_type(), Some(&PackageType::Image));
    assert!(created.runtime_version_config().is_none());
    let err = client.update_function_code().function_name(&name).zip_file(zip("x")).send().await.unwrap_err();
    let err = err.into_service_error();
    let UpdateFunctionCodeError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("Please provide ImageUri when updating a function with packageType Image."));
    client
        .update_function_code()
        .function_name(&name)
        .image_uri("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:2")
        .send()
        .await
        .unwrap();
    let got = client.get_function().function_name(&name).send().await.unwrap();
    assert_eq!(got.code().unwrap().repository_type(), Some("ECR"));
    assert_eq!(got.code().unwrap().image_uri(), Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:2"));
}

#[tokio::test]
async fn update_function_configuration_changes_only_present_members() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    client
        .update_function_configuration()
        .function_name(&name)
        .environment(Environment::builder().variables("AA", "1").variables("BB", "2").build())
        .description("first")
        .send()
        .await
        .unwrap();
    let updated =
        client.update_function_configuration().function_name(&name).timeout(30).memory_size(256).send().await.unwrap();
    assert_eq!(updated.timeout(), Some(30));
    assert_eq!(updated.memory_size(), Some(256));
    assert_eq!(updated.description(), Some("first"));
    let vars = updated.environment().unwrap().variables().unwrap();
    assert_eq!((vars.get("AA").map(String::as_str), vars.get("BB").map(String::as_str)), (Some("1"), Some("2")));
    // Environment replaces the whole map.
    let replaced = client
        .update_function_configuration()
        .function_name(&name)
        .environment(Environment::builder().variables("CC", "3").build())
        .runtime(Runtime::Nodejs22x)
        .handler("index.main")
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.environment().unwrap().variables().unwrap().keys().collect::<Vec<_>>(), ["CC"]);
    assert_eq!(replaced.runtime(), Some(&Runtime::Nodejs22x));
    assert_eq!(replaced.handler(), Some("index.main"));
    assert_eq!(replaced.timeout(), Some(30));
    // Layers: [] removes all layers; a redundant update still counts as one.
    let same =
        client.update_function_configuration().function_name(&name).set_layers(Some(vec![])).send().await.unwrap();
    assert!(same.layers().is_empty());
    assert_eq!(same.last_update_status(), Some(&LastUpdateStatus::InProgress));
    assert_ne!(same.revision_id(), replaced.revision_id());
}

#[tokio::test]
async fn update_function_configuration_errors() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let update = || client.update_function_configuration().function_name(&name);

    let err = update().revision_id("wrong").timeout(5).send().await.unwrap_err().into_service_error();
    let UpdateFunctionConfigurationError::PreconditionFailedException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(REVISION_MISMATCH));

    let err = update().runtime(Runtime::from("cobol")).send().await.unwrap_err().into_service_error();
    let UpdateFunctionConfigurationError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert!(e.message().unwrap().starts_with("Value cobol at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs20.x, python3.14,"));
    assert!(e.message().unwrap().ends_with("java8.al2] or be a valid ARN"));
    let err = update().runtime(Runtime::Python37).send().await.unwrap_err().into_service_error();
    let UpdateFunctionConfigurationError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions."));

    let layer = "arn:aws:lambda:us-east-1:000000000000:layer:nope:1";
    let err = update().layers(layer).send().await.unwrap_err().into_service_error();
    let UpdateFunctionConfigurationError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Layer version {layer} does not exist.").as_str()));

    let big = "x".repeat(5000);
    let err = update().environment(Environment::builder().variables("KEY", &big).build()).send().await.unwrap_err();
    let err = err.into_service_error();
    let UpdateFunctionConfigurationError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(
        e.message(),
        Some(format!("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {{\"KEY\":\"{big}\"}}").as_str())
    );

    let err = update().timeout(0).memory_size(64).role("not-a-role").send().await.unwrap_err().into_service_error();
    assert_eq!(
        unmodeled(&err),
        (
            "ValidationException".into(),
            "3 validation errors detected: Value 'not-a-role' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+; Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128".into()
        )
    );

    let err = client.update_function_configuration().function_name("missing").timeout(5).send().await.unwrap_err();
    let err = err.into_service_error();
    let UpdateFunctionConfigurationError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}", arn("missing")).as_str()));

    // Nothing changed through all those failures.
    let cfg = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!((cfg.timeout(), cfg.runtime()), (Some(3), Some(&Runtime::Python312)));
}

#[tokio::test]
async fn publish_version_rules() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let before = client.get_function_configuration().function_name(&name).send().await.unwrap();

    let err = client.publish_version().function_name(&name).revision_id("wrong").send().await.unwrap_err();
    let err = err.into_service_error();
    let PublishVersionError::PreconditionFailedException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(REVISION_MISMATCH));
    let sha = before.code_sha256().unwrap();
    let err = client.publish_version().function_name(&name).code_sha256("abc").send().await.unwrap_err();
    let err = err.into_service_error();
    let PublishVersionError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(
        e.message(),
        Some(format!("CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST ({sha}). Please try again with the CodeSHA256 in $LATEST.").as_str())
    );
    let err = client.publish_version().function_name("missing").send().await.unwrap_err().into_service_error();
    assert!(matches!(err, PublishVersionError::ResourceNotFoundException(_)), "{err:?}");

    let v1 = client
        .publish_version()
        .function_name(&name)
        .code_sha256(sha)
        .revision_id(before.revision_id().unwrap())
        .description("first")
        .send()
        .await
        .unwrap();
    assert_eq!((v1.version(), v1.description()), (Some("1"), Some("first")));
    assert_eq!(v1.state(), Some(&State::Active));
    assert_eq!(v1.last_update_status(), Some(&LastUpdateStatus::Successful));
    assert_eq!(v1.function_arn(), Some(format!("{}:1", arn(&name)).as_str()));
    // Publishing changes $LATEST's RevisionId; publishing again with no change returns version 1 as it was.
    let latest = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_ne!(latest.revision_id(), before.revision_id());
    let again = client.publish_version().function_name(&name).send().await.unwrap();
    assert_eq!((again.version(), again.revision_id()), (Some("1"), v1.revision_id()));
    let unchanged = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!(unchanged.revision_id(), latest.revision_id());
    client.update_function_configuration().function_name(&name).timeout(7).send().await.unwrap();
    let v2 = client.publish_version().function_name(&name).send().await.unwrap();
    assert_eq!((v2.version(), v2.timeout()), (Some("2"), Some(7)));
    // A version is a snapshot: later changes to $LATEST leave it alone.
    client.update_function_configuration().function_name(&name).timeout(8).send().await.unwrap();
    let v1_now = client.get_function_configuration().function_name(&name).qualifier("1").send().await.unwrap();
    assert_eq!(v1_now.timeout(), Some(3));
}

#[tokio::test]
async fn create_with_publish_returns_version_one_with_an_unqualified_arn() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    let out = client
        .create_function()
        .function_name(&name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(zip("x")).build())
        .publish(true)
        .send()
        .await
        .unwrap();
    assert_eq!(out.version(), Some("1"));
    assert_eq!(out.function_arn(), Some(arn(&name).as_str()));
    assert_eq!(out.state(), Some(&State::Pending));
    let v1 = client.get_function_configuration().function_name(&name).qualifier("1").send().await.unwrap();
    assert_eq!(v1.state(), Some(&State::Active));
    assert_ne!(v1.revision_id(), out.revision_id());
}

#[tokio::test]
async fn list_versions_by_function_pages_in_order() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    for t in 4..7 {
        client.update_function_configuration().function_name(&name).timeout(t).send().await.unwrap();
        publish(&client, &name).await;
    }
    let mut seen = Vec::new();
    let mut marker = None;
    loop {
        let page = client
            .list_versions_by_function()
            .function_name(&name)
            .max_items(2)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        for v in page.versions() {
            assert_eq!(v.state(), None);
            seen.push((v.version().unwrap().to_owned(), v.function_arn().unwrap().to_owned()));
        }
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    let want: Vec<_> =
        ["$LATEST", "1", "2", "3"].iter().map(|v| (v.to_string(), format!("{}:{v}", arn(&name)))).collect();
    assert_eq!(seen, want);
    let err =
        client.list_versions_by_function().function_name("missing").send().await.unwrap_err().into_service_error();
    let ListVersionsByFunctionError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}", arn("missing")).as_str()));
}

#[tokio::test]
async fn accounts_and_regions_are_isolated() {
    let server = common::start().await;
    let a = server.client_as("111111111111", "us-east-1");
    let b = server.client_as("222222222222", "us-east-1");
    let west = server.client_as("111111111111", "us-west-2");
    common::create_function(&a, "shared").await;
    common::create_function(&b, "shared").await;
    common::create_function(&west, "shared").await;
    client_update_timeout(&a, 11).await;
    for (client, account, region, timeout) in [
        (&a, "111111111111", "us-east-1", 11),
        (&b, "222222222222", "us-east-1", 3),
        (&west, "111111111111", "us-west-2", 3),
    ] {
        let cfg = client.get_function_configuration().function_name("shared").send().await.unwrap();
        assert_eq!(cfg.function_arn(), Some(format!("arn:aws:lambda:{region}:{account}:function:shared").as_str()));
        assert_eq!(cfg.timeout(), Some(timeout));
        assert_eq!(client.list_functions().send().await.unwrap().functions().len(), 1);
    }
    b.delete_function().function_name("shared").send().await.unwrap();
    a.get_function().function_name("shared").send().await.unwrap();

    // An ARN naming another region is not reachable from this one.
    let other = "arn:aws:lambda:us-west-2:111111111111:function:shared";
    let err = a.get_function().function_name(other).send().await.unwrap_err().into_service_error();
    let GetFunctionError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("Functions from 'us-west-2' are not reachable in this region ('us-east-1')"));
    let err = a.delete_function().function_name(other).send().await.unwrap_err().into_service_error();
    assert!(matches!(err, DeleteFunctionError::ResourceNotFoundException(_)), "{err:?}");

    // Creating in another account is denied.
    let err = a
        .create_function()
        .function_name("arn:aws:lambda:us-east-1:222222222222:function:theirs")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(zip("x")).build())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    let names = a.list_functions().send().await.unwrap();
    assert!(names.functions().iter().all(|f| f.function_name() != Some("theirs")));
    // Other mutations across accounts are denied with IAM's wording.
    let err = a
        .update_function_configuration()
        .function_name("222222222222:function:shared")
        .timeout(5)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    assert_eq!(
        err.message(),
        Some("User: arn:aws:iam::111111111111:root is not authorized to perform: lambda:UpdateFunctionConfiguration on resource: arn:aws:lambda:us-east-1:222222222222:function:shared")
    );
}

async fn client_update_timeout(client: &Client, timeout: i32) {
    client.update_function_configuration().function_name("shared").timeout(timeout).send().await.unwrap();
}

#[tokio::test]
async fn create_function_errors() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let create = |n: &str| {
        client
            .create_function()
            .function_name(n)
            .runtime(Runtime::Python312)
            .role(ROLE)
            .handler("index.handler")
            .code(FunctionCode::builder().zip_file(zip("x")).build())
    };
    let err = create(&name).send().await.unwrap_err().into_service_error();
    let CreateFunctionError::ResourceConflictException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function already exist: {name}").as_str()));
    let long = "a".repeat(65);
    let err = create(&long).send().await.unwrap_err().into_service_error();
    let CreateFunctionError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(
        e.message(),
        Some(format!("1 validation error detected: Value '{long}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64").as_str())
    );
    let err = create("f2").code(FunctionCode::builder().zip_file(Blob::new("nozip")).build()).send().await;
    let err = err.unwrap_err().into_service_error();
    let CreateFunctionError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("Could not unzip uploaded file. Please check your file, then try to upload again."));
    let err = create("arn:aws:lambda:eu-west-1:000000000000:function:f3").send().await.unwrap_err();
    let err = err.into_service_error();
    let CreateFunctionError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"));
    // A partial ARN in the caller's own account creates the plain name.
    let out = create("000000000000:function:partial").send().await.unwrap();
    assert_eq!(out.function_name(), Some("partial"));
}

#[tokio::test]
async fn nested_configuration_members_are_validated() {
    use aws_sdk_lambda::types::{DeadLetterConfig, LoggingConfig, VpcConfig};
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let create = |n: &str| {
        client
            .create_function()
            .function_name(n)
            .runtime(Runtime::Python312)
            .role(ROLE)
            .handler("index.handler")
            .code(FunctionCode::builder().zip_file(zip("x")).build())
    };

    // Variable names need a letter and at least one more character; AWS leaves the (sensitive) values out, and
    // reports the map once however many keys fail.
    let env_text = "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]";
    let bad_env = Environment::builder().variables("a", "1").variables("1X", "2").variables("OK", "3").build();
    let err = create("env-names").environment(bad_env.clone()).send().await.unwrap_err().into_service_error();
    assert_eq!(unmodeled(&err), ("ValidationException".into(), env_text.into()));
    let err = client.update_function_configuration().function_name(&name).environment(bad_env).send().await;
    assert_eq!(unmodeled(&err.unwrap_err().into_service_error()), ("ValidationException".into(), env_text.into()));

    // Variables Lambda sets itself are refused (the order of several is pinned through boto3, whose maps keep it).
    let reserved_text = "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION";
    let reserved = Environment::builder().variables("AWS_REGION", "x").variables("MINE", "y");
    let err = create("env-reserved").environment(reserved.clone().build()).send().await.unwrap_err();
    let err = err.into_service_error();
    let CreateFunctionError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(reserved_text));
    let err = client.update_function_configuration().function_name(&name).environment(reserved.build()).send().await;
    let err = err.unwrap_err().into_service_error();
    let UpdateFunctionConfigurationError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(reserved_text));

    // Members nested in structures carry their dotted path; all violations come in one message.
    let err = create("nested")
        .vpc_config(VpcConfig::builder().set_security_group_ids(Some(vec!["sg".into(); 6])).build())
        .dead_letter_config(DeadLetterConfig::builder().target_arn("queue").build())
        .kms_key_arn("arn:key")
        .logging_config(LoggingConfig::builder().log_group("my group").build())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        unmodeled(&err),
        (
            "ValidationException".into(),
            "4 validation errors detected: Value '[sg, sg, sg, sg, sg, sg]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length less than or equal to 5; Value 'queue' at 'deadLetterConfig.targetArn' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|(); Value 'arn:key' at 'kMSKeyArn' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|(); Value 'my group' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+".into()
        )
    );
    let err = client
        .update_function_configuration()
        .function_name(&name)
        .vpc_config(VpcConfig::builder().set_subnet_ids(Some(vec!["s".into(); 17])).build())
        .logging_config(LoggingConfig::builder().log_group("").build())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let (code, msg) = unmodeled(&err);
    assert_eq!(code, "ValidationException");
    assert!(msg.starts_with("3 validation errors detected: Value '[s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s]' at 'vpcConfig.subnetIds' failed to satisfy constraint: Member must have length less than or equal to 16; "), "{msg}");
    assert!(msg.ends_with("Value '' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"), "{msg}");

    // Valid values of the same members go through; an empty DLQ target and KMS key mean "none".
    let ok = create("nested-ok")
        .environment(Environment::builder().variables("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR").build())
        .vpc_config(VpcConfig::builder().subnet_ids("subnet-1").security_group_ids("sg-1").build())
        .dead_letter_config(DeadLetterConfig::builder().target_arn("").build())
        .kms_key_arn("")
        .logging_config(LoggingConfig::builder().log_group("/custom/group#1").build())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.dead_letter_config(), None);
    assert_eq!(ok.kms_key_arn(), None);
    assert_eq!(ok.logging_config().unwrap().log_group(), Some("/custom/group#1"));
    // None of the refused requests created or changed anything.
    let listed = client.list_functions().send().await.unwrap();
    let names: Vec<_> = listed.functions().iter().filter_map(|f| f.function_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let cfg = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert!(cfg.environment().is_none() && cfg.vpc_config().is_none());
}

#[tokio::test]
async fn publish_version_publishes_only_real_changes() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    let code = || zip("def handler(e, c): return 1");
    client
        .create_function()
        .function_name(&name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(code()).build())
        .send()
        .await
        .unwrap();
    let v1 = client.publish_version().function_name(&name).description("first").send().await.unwrap();
    assert_eq!(v1.version(), Some("1"));

    // Re-uploading the same zip and re-setting the same timeout are updates (new RevisionIds, SPEC §5.2 step 4),
    // but they change nothing a version holds: publishing returns version 1 unchanged.
    let before = client.get_function_configuration().function_name(&name).send().await.unwrap();
    let same_code = client.update_function_code().function_name(&name).zip_file(code()).send().await.unwrap();
    assert_ne!(same_code.revision_id(), before.revision_id());
    let same_cfg = client.update_function_configuration().function_name(&name).timeout(3).send().await.unwrap();
    assert_eq!(same_cfg.last_update_status(), Some(&LastUpdateStatus::InProgress));
    let again = client.publish_version().function_name(&name).send().await.unwrap();
    assert_eq!(
        (again.version(), again.revision_id(), again.description()),
        (Some("1"), v1.revision_id(), Some("first"))
    );
    // The same holds for UpdateFunctionCode with Publish.
    let published =
        client.update_function_code().function_name(&name).zip_file(code()).publish(true).send().await.unwrap();
    assert_eq!((published.version(), published.revision_id()), (Some("1"), v1.revision_id()));
    let versions = client.list_versions_by_function().function_name(&name).send().await.unwrap();
    assert_eq!(versions.versions().len(), 2);

    // A real change publishes the next version.
    let changed =
        client.update_function_code().function_name(&name).zip_file(zip("v2")).publish(true).send().await.unwrap();
    assert_eq!(changed.version(), Some("2"));
    assert_ne!(changed.code_sha256(), v1.code_sha256());
    client.update_function_configuration().function_name(&name).description("new").send().await.unwrap();
    assert_eq!(publish(&client, &name).await, "3");
    assert_eq!(publish(&client, &name).await, "3");
}

#[tokio::test]
async fn list_functions_validates_master_region() {
    let server = common::start().await;
    let client = server.client();
    common::create_function(&client, &common::unique("fn")).await;
    let err = client.list_functions().master_region("mars").send().await.unwrap_err().into_service_error();
    assert_eq!(
        unmodeled(&err),
        (
            "ValidationException".into(),
            "1 validation error detected: Value 'mars' at 'masterRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}".into()
        )
    );
    for region in ["ALL", "us-east-1"] {
        let out = client.list_functions().master_region(region).function_version(FunctionVersion::All).send().await;
        assert_eq!(out.unwrap().functions().len(), 1, "{region}");
    }
}

#[tokio::test]
async fn a_bad_upload_is_reported_in_its_place() {
    // The zip is decoded and hashed before the store lock is taken; its errors must still come after the model
    // checks (SPEC §2.2) and leave nothing behind.
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    let err = client
        .create_function()
        .function_name(&name)
        .runtime(Runtime::Python312)
        .role("not-a-role")
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(Blob::new("nozip")).build())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(unmodeled(&err).0, "ValidationException");
    common::create_function(&client, &name).await;
    let before = client.get_function_configuration().function_name(&name).send().await.unwrap();
    let err = client.update_function_code().function_name(&name).zip_file(Blob::new("nozip")).revision_id("wrong");
    let err = err.send().await.unwrap_err().into_service_error();
    assert!(matches!(err, UpdateFunctionCodeError::PreconditionFailedException(_)), "{err:?}");
    let err = client.update_function_code().function_name(&name).zip_file(Blob::new("nozip")).send().await;
    let err = err.unwrap_err().into_service_error();
    let UpdateFunctionCodeError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("Could not unzip uploaded file. Please check your file, then try to upload again."));
    let after = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!((after.revision_id(), after.code_sha256()), (before.revision_id(), before.code_sha256()));
}

#[tokio::test]
async fn publishing_while_in_flight_still_changes_the_latest_revision() {
    // SPEC §5.2 step 5: publishing changes `$LATEST`'s RevisionId, whether or not `$LATEST` has settled yet.
    let server = common::start_with(Config { settle_delay_ms: 600_000, ..Config::default() }).await;
    let client = server.client();
    let name = common::unique("fn");
    let created = common::create_function(&client, &name).await;
    let v1 = client.publish_version().function_name(&name).send().await.unwrap();
    assert_eq!(v1.version(), Some("1"));
    let latest = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!(latest.state(), Some(&State::Pending));
    assert_ne!(latest.revision_id(), created.revision_id());
    assert_ne!(latest.revision_id(), v1.revision_id());
    // The old RevisionId no longer guards an update; the new one does.
    let err = client
        .update_function_configuration()
        .function_name(&name)
        .revision_id(created.revision_id().unwrap())
        .timeout(5)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(err, UpdateFunctionConfigurationError::PreconditionFailedException(_)), "{err:?}");
    client
        .update_function_configuration()
        .function_name(&name)
        .revision_id(latest.revision_id().unwrap())
        .timeout(5)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn s3_code_locations_are_validated_in_both_operations() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let err = client
        .create_function()
        .function_name(common::unique("fn"))
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("index.handler")
        .code(FunctionCode::builder().s3_bucket("b").s3_key("").build())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        unmodeled(&err),
        (
            "ValidationException".into(),
            "2 validation errors detected: Value 'b' at 'code.s3Bucket' failed to satisfy constraint: Member must have length greater than or equal to 3; Value '' at 'code.s3Key' failed to satisfy constraint: Member must have length greater than or equal to 1".into()
        )
    );
    // Every failed constraint of a member is listed: here both the length and the pattern of the bucket.
    let err = client.update_function_code().function_name(&name).s3_bucket("a.").s3_key("k").send().await;
    assert_eq!(
        unmodeled(&err.unwrap_err().into_service_error()),
        (
            "ValidationException".into(),
            "2 validation errors detected: Value 'a.' at 's3Bucket' failed to satisfy constraint: Member must have length greater than or equal to 3; Value 'a.' at 's3Bucket' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9A-Za-z\\.\\-_]*(?<!\\.)".into()
        )
    );
    // A well-formed location reaches the (missing) bucket.
    let err = client.update_function_code().function_name(&name).s3_bucket("my-bucket").s3_key("k.zip").send().await;
    let err = err.unwrap_err().into_service_error();
    let UpdateFunctionCodeError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert!(e.message().unwrap().starts_with("Error occurred while GetObject. S3 Error Code: NoSuchBucket."));
}

#[tokio::test]
async fn name_and_qualifier_edge_cases() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let not_found = |err: GetFunctionError| match err {
        GetFunctionError::ResourceNotFoundException(e) => e.message().unwrap_or_default().to_owned(),
        other => panic!("{other:?}"),
    };

    // SPEC §4.4: a 65-character plain name is no validation error for GetFunction, just not found; its limit is
    // 170, reported as the only error.
    let long = "a".repeat(65);
    let err = client.get_function().function_name(&long).send().await.unwrap_err().into_service_error();
    assert_eq!(not_found(err), format!("Function not found: {}", arn(&long)));
    let at_limit = "b".repeat(170);
    let err = client.get_function().function_name(&at_limit).send().await.unwrap_err().into_service_error();
    assert_eq!(not_found(err), format!("Function not found: {}", arn(&at_limit)));
    let over = "c".repeat(171);
    let err = client.get_function().function_name(&over).send().await.unwrap_err().into_service_error();
    assert_eq!(
        unmodeled(&err),
        (
            "ValidationException".into(),
            format!("1 validation error detected: Value '{over}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 170")
        )
    );

    // SPEC §4.3: `$LATEST.PUBLISHED` and other `$` values pass validation and never resolve.
    for q in ["$LATEST.PUBLISHED", "$latest", "abc$def"] {
        let err = client.get_function().function_name(&name).qualifier(q).send().await.unwrap_err();
        assert_eq!(not_found(err.into_service_error()), format!("Function not found: {}:{q}", arn(&name)), "{q}");
        let err = client.get_function_configuration().function_name(&name).qualifier(q).send().await.unwrap_err();
        let GetFunctionConfigurationError::ResourceNotFoundException(_) = err.into_service_error() else {
            panic!("{q}")
        };
    }

    // Both members failing: one message, functionName first.
    let long_q = "q".repeat(129);
    let err = client.get_function().function_name("bad name").qualifier(&long_q).send().await.unwrap_err();
    let (code, msg) = unmodeled(&err.into_service_error());
    assert_eq!(code, "ValidationException");
    assert!(msg.starts_with("2 validation errors detected: Value 'bad name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:"), "{msg}");
    assert!(msg.ends_with(&format!("Value '{long_q}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128")), "{msg}");

    // A qualified name and an equal Qualifier agree; the ARN form addresses the same function.
    let full = format!("{}:$LATEST", arn(&name));
    let got = client.get_function_configuration().function_name(&full).qualifier("$LATEST").send().await.unwrap();
    assert_eq!(got.function_arn(), Some(full.as_str()));
}

#[tokio::test]
async fn enum_and_range_members_are_validated_together() {
    use aws_sdk_lambda::types::{
        ApplicationLogLevel, EphemeralStorage, LogFormat, LoggingConfig, SnapStart, SnapStartApplyOn, TracingConfig,
        TracingMode,
    };
    let server = common::start().await;
    let client = server.client();
    let long = "d".repeat(257);
    let err = client
        .create_function()
        .function_name(common::unique("fn"))
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("a b")
        .description(&long)
        .code(FunctionCode::builder().zip_file(zip("x")).build())
        .tracing_config(TracingConfig::builder().mode(TracingMode::from("On")).build())
        .ephemeral_storage(EphemeralStorage::builder().size(100).build().unwrap())
        .logging_config(
            LoggingConfig::builder()
                .log_format(LogFormat::from("XML"))
                .application_log_level(ApplicationLogLevel::from("LOUD"))
                .build(),
        )
        .snap_start(SnapStart::builder().apply_on(SnapStartApplyOn::from("Always")).build())
        .package_type(PackageType::from("Jar"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        unmodeled(&err),
        (
            "ValidationException".into(),
            format!(
                "8 validation errors detected: \
                 Value 'a b' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+; \
                 Value '{long}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256; \
                 Value 'On' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]; \
                 Value '100' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512; \
                 Value 'XML' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]; \
                 Value 'LOUD' at 'loggingConfig.applicationLogLevel' failed to satisfy constraint: Member must satisfy enum value set: [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]; \
                 Value 'Always' at 'snapStart.applyOn' failed to satisfy constraint: Member must satisfy enum value set: [PublishedVersions, None]; \
                 Value 'Jar' at 'packageType' failed to satisfy constraint: Member must satisfy enum value set: [Zip, Image]"
            )
        )
    );
    // The same checks guard UpdateFunctionConfiguration.
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let err = client
        .update_function_configuration()
        .function_name(&name)
        .timeout(901)
        .memory_size(10241)
        .ephemeral_storage(EphemeralStorage::builder().size(10241).build().unwrap())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        unmodeled(&err),
        (
            "ValidationException".into(),
            "3 validation errors detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900; Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240; Value '10241' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value less than or equal to 10240".into()
        )
    );
}
