//! AddPermission, GetPolicy and RemovePermission through the Rust `aws-sdk-lambda` against a real server.

mod common;

use aws_sdk_lambda::operation::add_permission::AddPermissionError;
use aws_sdk_lambda::operation::get_policy::GetPolicyError;

#[tokio::test]
async fn seed_examples_come_back_byte_for_byte() {
    let server = common::start().await;
    let client = server.client_as("123456789012", "us-east-2");
    common::create_function(&client, "my-function").await;

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
async fn duplicate_sid_is_a_conflict_and_remove_deletes_the_policy() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let add = || {
        client.add_permission().function_name(&name).statement_id("sid").action("lambda:InvokeFunction").principal("*")
    };
    add().send().await.unwrap();
    let err = add().send().await.unwrap_err().into_service_error();
    let AddPermissionError::ResourceConflictException(e) = &err else { panic!("{err:?}") };
    assert_eq!(
        e.message(),
        Some("The statement id (sid) provided already exists. Please provide a new statement id, or remove the existing statement.")
    );

    client.remove_permission().function_name(&name).statement_id("sid").send().await.unwrap();
    let err = client.get_policy().function_name(&name).send().await.unwrap_err().into_service_error();
    let GetPolicyError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("The resource you requested does not exist."));
}
