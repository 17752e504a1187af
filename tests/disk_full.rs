//! `--state-dir` on a real filesystem that fills up: a 4 MiB tmpfs (root only; elsewhere the test says loudly that it
//! did not run, and fails under `CI=true`). Functions with incompressible code and small AddPermission calls are
//! written until the disk is full and past it; then space is freed and writing goes on without a restart.
//!
//! Checked, through the Rust SDK: every write is either acknowledged or refused with a 500 `ServiceException`; while
//! the disk is full and after it, the served state holds exactly the acknowledged writes (no refused one, no lost
//! one); once space is back the next write succeeds; a restart on the directory serves the same state.

mod common;
#[path = "common/faults.rs"]
mod faults;

use std::collections::BTreeSet;
use std::time::Instant;

use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::operation::add_permission::AddPermissionError;
use aws_sdk_lambda::operation::create_function::CreateFunctionError;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use aws_sdk_lambda::Client;
use common::{spawn_server, zip_bytes, ServerProcess};
use faults::{incompressible, Ledger, Tally, Tmpfs};

/// Asserts `e` is an answer, a 500 `ServiceException` in AWS's shape, and not a dropped connection.
pub fn assert_refused<E: ProvideErrorMetadata + std::fmt::Debug>(e: &SdkError<E>, what: &str) {
    let SdkError::ServiceError(service) = e else { panic!("{what}: not an answer: {e:?}") };
    assert_eq!(service.raw().status().as_u16(), 500, "{what}: {e:?}");
    assert_eq!(service.err().code(), Some("ServiceException"), "{what}: {e:?}");
    let header = service.raw().headers().get("x-amzn-errortype");
    assert_eq!(header, Some("ServiceException"), "{what}");
}

async fn create(c: &Client, name: &str, zip: Vec<u8>) -> Result<(), SdkError<CreateFunctionError>> {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role("arn:aws:iam::000000000000:role/lambda-role")
        .handler("index.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .map(|_| ())
}

async fn grant(c: &Client, sid: &str) -> Result<(), SdkError<AddPermissionError>> {
    c.add_permission()
        .function_name("target")
        .statement_id(sid)
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .send()
        .await
        .map(|_| ())
}

/// The function names `c` lists (every page).
async fn served_functions(c: &Client) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut pages = c.list_functions().into_paginator().send();
    while let Some(page) = pages.next().await {
        names.extend(
            page.expect("ListFunctions").functions.unwrap_or_default().into_iter().filter_map(|f| f.function_name),
        );
    }
    names
}

/// The statement ids of `target`'s policy.
async fn served_sids(c: &Client) -> BTreeSet<String> {
    match c.get_policy().function_name("target").send().await {
        Ok(p) => {
            let doc: serde_json::Value = serde_json::from_str(p.policy.as_deref().unwrap()).unwrap();
            doc["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap().to_owned()).collect()
        }
        Err(e) => {
            assert_eq!(e.into_service_error().code(), Some("ResourceNotFoundException"));
            BTreeSet::new()
        }
    }
}

fn state_export(p: &ServerProcess) -> String {
    let (status, body) = common::http_get(&format!("{}/_lambdalite/state", p.url));
    assert_eq!(status, 200);
    String::from_utf8(body).unwrap()
}

#[tokio::test]
async fn a_full_disk_refuses_writes_serves_only_what_is_on_disk_and_recovers_when_space_is_back() {
    let fs = match Tmpfs::mount("4m") {
        Ok(fs) => fs,
        Err(why) => return faults::unavailable("the real full-disk test (a 4 MiB tmpfs)", &why),
    };
    let mut tally = Tally::new("real 4 MiB tmpfs");
    // Ballast: 1 MiB the test frees later to give space back.
    let ballast = fs.join("ballast");
    std::fs::write(&ballast, incompressible(7, 1 << 20)).unwrap();
    let dir = fs.join("state");
    let args = ["--state-dir", dir.to_str().unwrap()];
    let server = spawn_server(&args).expect("starts on the tmpfs");
    let c = server.client();
    let (mut functions, mut sids) = (Ledger::default(), Ledger::default());
    create(&c, "target", zip_bytes("def handler(e, c): 0")).await.expect("target");
    functions.acknowledged.insert("target".into());

    // Write until the disk is full, and on for a few more writes of both kinds past the first refusal.
    let mut refusals_seen = 0;
    for i in 0..200u64 {
        let name = format!("fn-{i}");
        tally.writes_attempted += 1;
        match create(&c, &name, zip_bytes(&incompressible(i, 200 << 10))).await {
            Ok(()) => {
                tally.acknowledged += 1;
                functions.acknowledged.insert(name);
            }
            Err(e) => {
                assert_refused(&e, &name);
                tally.refused_5xx += 1;
                functions.refused.insert(name);
                refusals_seen += 1;
            }
        }
        let sid = format!("sid-{i}");
        tally.writes_attempted += 1;
        match grant(&c, &sid).await {
            Ok(()) => {
                tally.acknowledged += 1;
                sids.acknowledged.insert(sid);
            }
            Err(e) => {
                assert_refused(&e, &sid);
                tally.refused_5xx += 1;
                sids.refused.insert(sid);
            }
        }
        if refusals_seen > 0 {
            // Served now: exactly what was acknowledged.
            functions.check(&served_functions(&c).await, &mut tally, "while full: functions");
            sids.check(&served_sids(&c).await, &mut tally, "while full: statements");
        }
        if refusals_seen >= 4 {
            break;
        }
    }
    assert!(refusals_seen >= 4, "the disk never filled up: {tally:?}");
    tally.faults_injected = 1;
    println!("disk full after {} acknowledged writes; {} used on the tmpfs", tally.acknowledged, faults::usage(&dir));

    // Space comes back: the next write succeeds, without a restart.
    std::fs::remove_file(&ballast).unwrap();
    let freed = Instant::now();
    tally.writes_attempted += 1;
    create(&c, "after-space-is-back", zip_bytes("def handler(e, c): 2")).await.expect("a write after space is back");
    tally.acknowledged += 1;
    tally.recoveries.push(freed.elapsed());
    functions.acknowledged.insert("after-space-is-back".into());
    tally.writes_attempted += 1;
    grant(&c, "after").await.expect("a permission after space is back");
    tally.acknowledged += 1;
    sids.acknowledged.insert("after".into());
    functions.check(&served_functions(&c).await, &mut tally, "after recovery: functions");
    sids.check(&served_sids(&c).await, &mut tally, "after recovery: statements");
    let served = state_export(&server);

    // On disk: a restart serves the same.
    server.kill();
    let server = spawn_server(&args).expect("restarts on the directory");
    let c = server.client();
    functions.check(&served_functions(&c).await, &mut tally, "after restart: functions");
    sids.check(&served_sids(&c).await, &mut tally, "after restart: statements");
    assert_eq!(state_export(&server), served, "the restarted server serves what the first one did");
    drop(server);
    tally.report();
}
