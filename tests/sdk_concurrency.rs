//! Concurrent writers against one policy through the Rust SDK and a real server (SPEC §5.3): the RevisionId
//! compare-and-swap lets exactly one of N same-revision writers through, and concurrent adds never lose a statement.
//! The tasks run on a multi-threaded runtime, each with its own client, so requests really overlap on the wire.

mod common;

use std::collections::BTreeSet;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::Client;
use futures::future::join_all;

const POLICY_412: &str =
    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id";

async fn statement_ids(client: &Client, function: &str) -> BTreeSet<String> {
    let out = client.get_policy().function_name(function).send().await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(out.policy().unwrap()).unwrap();
    doc["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap().to_owned()).collect()
}

async fn revision(client: &Client, function: &str) -> String {
    client.get_policy().function_name(function).send().await.unwrap().revision_id().unwrap().to_owned()
}

/// A failure's `(code, message)`, small enough to pass out of a task.
type Failure = (Option<String>, Option<String>);

fn failure(e: impl ProvideErrorMetadata) -> Failure {
    (e.code().map(Into::into), e.message().map(Into::into))
}

/// Counts successes and checks that every failure is the AddPermission/RemovePermission 412.
fn tally(results: Vec<Result<(), Failure>>) -> usize {
    let mut ok = 0;
    for r in results {
        match r {
            Ok(()) => ok += 1,
            Err((code, message)) => {
                assert_eq!(code.as_deref(), Some("PreconditionFailedException"));
                assert_eq!(message.as_deref(), Some(POLICY_412));
            }
        }
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn same_revision_adds_exactly_one_wins() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    client
        .add_permission()
        .function_name(&name)
        .statement_id("seed")
        .action("lambda:*")
        .principal("*")
        .send()
        .await
        .unwrap();
    let rev = revision(&client, &name).await;

    let tasks = (0..32).map(|i| {
        let client = server.client();
        let (name, rev) = (name.clone(), rev.clone());
        tokio::spawn(async move {
            client
                .add_permission()
                .function_name(name)
                .statement_id(format!("w{i}"))
                .action("lambda:InvokeFunction")
                .principal("*")
                .revision_id(rev)
                .send()
                .await
                .map(|_| ())
                .map_err(failure)
        })
    });
    let results: Vec<_> = join_all(tasks).await.into_iter().map(|j| j.expect("task")).collect();
    assert_eq!(tally(results), 1);
    let sids = statement_ids(&client, &name).await;
    assert_eq!(sids.len(), 2, "{sids:?}");
    assert!(sids.contains("seed"));
    assert_ne!(revision(&client, &name).await, rev);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn same_revision_removes_exactly_one_wins() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    for i in 0..33 {
        client
            .add_permission()
            .function_name(&name)
            .statement_id(format!("s{i}"))
            .action("lambda:InvokeFunction")
            .principal("*")
            .send()
            .await
            .unwrap();
    }
    let rev = revision(&client, &name).await;

    // Each writer removes a different statement with the same RevisionId: only the first may pass.
    let tasks = (0..32).map(|i| {
        let client = server.client();
        let (name, rev) = (name.clone(), rev.clone());
        tokio::spawn(async move {
            client
                .remove_permission()
                .function_name(name)
                .statement_id(format!("s{i}"))
                .revision_id(rev)
                .send()
                .await
                .map(|_| ())
                .map_err(failure)
        })
    });
    let results: Vec<_> = join_all(tasks).await.into_iter().map(|j| j.expect("task")).collect();
    assert_eq!(tally(results), 1);
    assert_eq!(statement_ids(&client, &name).await.len(), 32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_adds_with_distinct_sids_lose_nothing() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;

    let tasks = (0..64).map(|i| {
        let client = server.client();
        let name = name.clone();
        tokio::spawn(async move {
            client
                .add_permission()
                .function_name(name)
                .statement_id(format!("sid-{i}"))
                .action("lambda:InvokeFunction")
                .principal("*")
                .send()
                .await
                .map(|out| out.statement().map(str::to_owned))
        })
    });
    for r in join_all(tasks).await {
        assert!(r.expect("task").expect("add").is_some());
    }
    let want: BTreeSet<String> = (0..64).map(|i| format!("sid-{i}")).collect();
    assert_eq!(statement_ids(&client, &name).await, want);

    // And concurrent removes of distinct Sids leave an empty (deleted) policy.
    let tasks = (0..64).map(|i| {
        let client = server.client();
        let name = name.clone();
        tokio::spawn(async move {
            client.remove_permission().function_name(name).statement_id(format!("sid-{i}")).send().await.map(|_| ())
        })
    });
    for r in join_all(tasks).await {
        r.expect("task").expect("remove");
    }
    let e = client.get_policy().function_name(&name).send().await.unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
}

/// Without a RevisionId the Sid check is the guard: of 32 concurrent adds of one Sid, exactly one is stored and every
/// other writer gets the 409, so the check and the append cannot interleave.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn same_sid_adds_exactly_one_wins() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let tasks = (0..32).map(|i| {
        let client = server.client();
        let name = name.clone();
        tokio::spawn(async move {
            client
                .add_permission()
                .function_name(name)
                .statement_id("same")
                .action("lambda:InvokeFunction")
                .principal(format!("{:012}", 100_000_000_000u64 + i))
                .send()
                .await
                .map(|_| ())
                .map_err(failure)
        })
    });
    let mut ok = 0;
    for r in join_all(tasks).await {
        match r.expect("task") {
            Ok(()) => ok += 1,
            Err((code, message)) => {
                assert_eq!(code.as_deref(), Some("ResourceConflictException"));
                assert_eq!(
                    message.as_deref(),
                    Some("The statement id (same) provided already exists. Please provide a new statement id, or remove the existing statement.")
                );
            }
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(statement_ids(&client, &name).await.len(), 1);
}

/// Before any policy exists, a RevisionId is compared with the function's (SPEC §5.3). 32 writers holding that same
/// RevisionId race to create the policy: the first one moves the comparison to the new policy's RevisionId, so
/// exactly one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn first_statement_with_the_functions_revision_exactly_one_wins() {
    let server = common::start().await;
    let client = server.client();
    let name = common::unique("fn");
    common::create_function(&client, &name).await;
    let fn_rev = client.get_function().function_name(&name).send().await.unwrap();
    let fn_rev = fn_rev.configuration().unwrap().revision_id().unwrap().to_owned();
    let tasks = (0..32).map(|i| {
        let client = server.client();
        let (name, rev) = (name.clone(), fn_rev.clone());
        tokio::spawn(async move {
            client
                .add_permission()
                .function_name(name)
                .statement_id(format!("w{i}"))
                .action("lambda:InvokeFunction")
                .principal("*")
                .revision_id(rev)
                .send()
                .await
                .map(|_| ())
                .map_err(failure)
        })
    });
    let results: Vec<_> = join_all(tasks).await.into_iter().map(|j| j.expect("task")).collect();
    assert_eq!(tally(results), 1);
    assert_eq!(statement_ids(&client, &name).await.len(), 1);
    assert_ne!(revision(&client, &name).await, fn_rev);
}
