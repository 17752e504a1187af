//! Storage faults injected into the real binary (built with the `failpoints` feature: `cargo test --features
//! failpoints --test faults -- --nocapture`), checked through the Rust SDK.
//!
//! Each scenario runs concurrent clients (each owns its function names, statement ids and layer) through three
//! phases: healthy (every write acknowledged), faulty (the fail points of `src/persist/fault.rs` set through the
//! hidden `/_lambdalite/test/failpoints` route: every write is acknowledged or answered 500 `ServiceException`, and
//! what is served is exactly what was acknowledged), recovered (the fault cleared: the next write succeeds, no
//! restart). The state on disk is checked while the fault is on (a copy of the file, opened by a second server: what
//! a `kill -9` at that moment would leave) and after recovery (a restart on the directory); the log must say what
//! happened and what to do. A tally line per scenario gives the figures.
//!
//! Without the feature this test compiles to nothing (a `[[test]]` with required-features would make every build
//! of the manifest, the image's among them, need this file).
#![cfg(feature = "failpoints")]

mod common;
#[path = "common/faults.rs"]
mod faults;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, LayerVersionContentInput, Runtime};
use aws_sdk_lambda::Client;
use common::{zip_bytes, TempDir};
use faults::{start, Server, Tally};

const CLIENTS: usize = 6;
const TARGET: &str = "target";

/// What the server should hold: the acknowledged writes of every client.
#[derive(Debug, Default, Clone)]
struct Model {
    functions: BTreeSet<String>,
    sids: BTreeSet<String>,
    /// Layer → version → CodeSha256.
    layers: BTreeMap<String, BTreeMap<i64, String>>,
}

/// One client: what it was told was acknowledged, and its counters.
#[derive(Debug, Default)]
struct Actor {
    id: usize,
    next: u64,
    model: Model,
    attempted: u64,
    acknowledged: u64,
    refused_count: u64,
}

impl Actor {
    fn layer(&self) -> String {
        format!("layer-c{}", self.id)
    }
}

/// Asserts an error is a 500 `ServiceException` in AWS's shape, answered (not a dropped connection).
fn assert_refused<E: ProvideErrorMetadata + std::fmt::Debug>(e: &SdkError<E>, what: &str) {
    let SdkError::ServiceError(service) = e else { panic!("{what}: not an answer: {e:?}") };
    assert_eq!(service.raw().status().as_u16(), 500, "{what}: {e:?}");
    assert_eq!(service.err().code(), Some("ServiceException"), "{what}: {e:?}");
    assert_eq!(service.raw().headers().get("x-amzn-errortype"), Some("ServiceException"), "{what}");
    let message = service.err().message().unwrap_or_default();
    assert!(message.contains("could not write its state directory"), "{what}: {message}");
}

/// `n` writes by client `me` (a mix of CreateFunction, AddPermission, RemovePermission, PublishLayerVersion);
/// with `must_succeed` any refusal fails the test.
async fn work(c: Client, mut me: Actor, n: usize, must_succeed: bool) -> Actor {
    for _ in 0..n {
        me.next += 1;
        let step = me.next % 4;
        me.attempted += 1;
        let outcome: Result<(), String> = match step {
            0 => {
                let name = format!("fn-c{}-{}", me.id, me.next);
                let r = c
                    .create_function()
                    .function_name(&name)
                    .runtime(Runtime::Python312)
                    .role("arn:aws:iam::000000000000:role/lambda-role")
                    .handler("index.handler")
                    .code(FunctionCode::builder().zip_file(Blob::new(zip_bytes(&name))).build())
                    .send()
                    .await;
                match r {
                    Ok(_) => {
                        me.model.functions.insert(name);
                        Ok(())
                    }
                    Err(e) => {
                        assert_refused(&e, &name);
                        Err(name)
                    }
                }
            }
            1 | 2 if step == 2 && me.model.sids.iter().any(|s| s.starts_with(&format!("c{}-", me.id))) => {
                let sid = me.model.sids.iter().find(|s| s.starts_with(&format!("c{}-", me.id))).unwrap().clone();
                match c.remove_permission().function_name(TARGET).statement_id(&sid).send().await {
                    Ok(_) => {
                        me.model.sids.remove(&sid);
                        Ok(())
                    }
                    Err(e) => {
                        assert_refused(&e, &sid);
                        Err(sid)
                    }
                }
            }
            1 | 2 => {
                let sid = format!("c{}-{}", me.id, me.next);
                let r = c
                    .add_permission()
                    .function_name(TARGET)
                    .statement_id(&sid)
                    .action("lambda:InvokeFunction")
                    .principal("sns.amazonaws.com")
                    .source_arn(format!("arn:aws:sns:us-east-1:123456789012:{sid}"))
                    .send()
                    .await;
                match r {
                    Ok(_) => {
                        me.model.sids.insert(sid);
                        Ok(())
                    }
                    Err(e) => {
                        assert_refused(&e, &sid);
                        Err(sid)
                    }
                }
            }
            _ => {
                let zip = zip_bytes(&format!("layer {} {}", me.id, me.next));
                let r = c
                    .publish_layer_version()
                    .layer_name(me.layer())
                    .content(LayerVersionContentInput::builder().zip_file(Blob::new(zip)).build())
                    .send()
                    .await;
                match r {
                    Ok(out) => {
                        let sha = out.content.and_then(|c| c.code_sha256).unwrap();
                        me.model.layers.entry(me.layer()).or_default().insert(out.version, sha);
                        Ok(())
                    }
                    Err(e) => {
                        assert_refused(&e, "publish");
                        Err("publish".into())
                    }
                }
            }
        };
        match outcome {
            Ok(()) => me.acknowledged += 1,
            Err(what) => {
                assert!(!must_succeed, "client {}: {what} was refused while the disk was healthy", me.id);
                me.refused_count += 1;
            }
        }
    }
    me
}

/// Runs `n` writes on every client concurrently.
async fn phase(server: &Server, clients: Vec<Actor>, n: usize, must_succeed: bool) -> Vec<Actor> {
    let tasks: Vec<_> =
        clients.into_iter().map(|me| tokio::spawn(work(server.client(), me, n, must_succeed))).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("client task"));
    }
    out
}

/// What a server serves, in the model's terms.
async fn observe(c: &Client, clients: &[Actor]) -> Model {
    let mut seen = Model::default();
    let mut pages = c.list_functions().into_paginator().send();
    while let Some(page) = pages.next().await {
        seen.functions.extend(page.unwrap().functions.unwrap_or_default().into_iter().filter_map(|f| f.function_name));
    }
    seen.functions.remove(TARGET);
    let policy = c.get_policy().function_name(TARGET).send().await;
    if let Ok(p) = policy {
        let doc: serde_json::Value = serde_json::from_str(p.policy.as_deref().unwrap()).unwrap();
        seen.sids.extend(doc["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap().to_owned()));
    }
    for me in clients {
        let mut versions = BTreeMap::new();
        let mut pages = c.list_layer_versions().layer_name(me.layer()).into_paginator().send();
        while let Some(page) = pages.next().await {
            for v in page.unwrap().layer_versions.unwrap_or_default() {
                let full = c.get_layer_version().layer_name(me.layer()).version_number(v.version).send().await.unwrap();
                versions.insert(v.version, full.content.and_then(|c| c.code_sha256).unwrap());
            }
        }
        if !versions.is_empty() {
            seen.layers.insert(me.layer(), versions);
        }
    }
    seen
}

fn expected(clients: &[Actor]) -> Model {
    let mut m = Model::default();
    for c in clients {
        m.functions.extend(c.model.functions.iter().cloned());
        m.sids.extend(c.model.sids.iter().cloned());
        m.layers.extend(c.model.layers.clone());
    }
    m
}

/// Compares `seen` with what was acknowledged: acknowledged facts missing are lost, anything else present is
/// phantom (refused creates and adds, removed statements, layer versions nobody was told about). Returns
/// (lost, phantom) and prints them.
fn compare(seen: &Model, clients: &[Actor], context: &str) -> (u64, u64) {
    let want = expected(clients);
    let lost_f = want.functions.difference(&seen.functions).count();
    let extra_f: Vec<_> = seen.functions.difference(&want.functions).collect();
    let lost_s = want.sids.difference(&seen.sids).count();
    let extra_s: Vec<_> = seen.sids.difference(&want.sids).collect();
    let (mut lost_l, mut extra_l) = (0, 0);
    for (layer, versions) in &want.layers {
        let got = seen.layers.get(layer).cloned().unwrap_or_default();
        lost_l += versions.iter().filter(|(v, sha)| got.get(v) != Some(sha)).count();
    }
    for (layer, versions) in &seen.layers {
        let want_v = want.layers.get(layer).cloned().unwrap_or_default();
        extra_l += versions.keys().filter(|v| !want_v.contains_key(v)).count();
    }
    let lost = (lost_f + lost_s + lost_l) as u64;
    let phantom = (extra_f.len() + extra_s.len() + extra_l) as u64;
    if lost + phantom > 0 {
        println!("{context}: lost {lost}, phantom {phantom}: functions {extra_f:?}, statements {extra_s:?}");
    }
    (lost, phantom)
}

/// The state on disk at this moment: the database file copied and opened by a second server (what a `kill -9`
/// now would leave behind).
async fn on_disk_now(dir: &Path, clients: &[Actor]) -> Model {
    let copy = TempDir::new("lambdalite-faults-copy");
    std::fs::copy(dir.join("lambdalite.redb"), copy.0.join("lambdalite.redb")).expect("copy the database");
    let server = start(&copy.0, &[]).unwrap_or_else(|e| panic!("the copy opens: {e:?}"));
    observe(&server.client(), clients).await
}

/// A fault scenario: what to inject, what the log must say, whether a refused commit may be on disk until the
/// recovery (the disk wrote it but reported an error).
struct Scenario {
    name: &'static str,
    inject: &'static [(&'static str, &'static str)],
    log_says: &'static [&'static str],
    outcome_unknown: bool,
}

async fn run(s: Scenario) {
    let dir = TempDir::new("lambdalite-faults");
    let server = start(&dir.0, &[]).expect("starts");
    let c = server.client();
    common::create_function(&c, TARGET).await;
    let mut tally = Tally::new(s.name);
    let mut clients: Vec<Actor> = (0..CLIENTS).map(|id| Actor { id, ..Actor::default() }).collect();

    // Healthy.
    clients = phase(&server, clients, 6, true).await;

    // Faulty: every write is acknowledged or refused; what is served is what was acknowledged.
    for (name, actions) in s.inject {
        server.failpoint(name, actions);
    }
    clients = phase(&server, clients, 8, false).await;
    let refused_so_far: u64 = clients.iter().map(|c| c.refused_count).sum();
    assert!(refused_so_far > 0, "[{}] the fault refused nothing", s.name);
    let (lost, phantom) = compare(&observe(&c, &clients).await, &clients, "served during the fault");
    tally.lost += lost;
    tally.phantom += phantom;
    let (lost, on_disk_extra) = compare(&on_disk_now(&dir.0, &clients).await, &clients, "on disk during the fault");
    tally.lost += lost;
    if s.outcome_unknown {
        println!("[{}] refused writes the disk had taken before it reported the error: {on_disk_extra}", s.name);
    } else {
        tally.phantom += on_disk_extra;
    }
    for needle in s.log_says {
        assert!(server.log_says(needle), "[{}] the log does not say {needle:?}:\n{}", s.name, server.log());
    }

    // Recovered: the first write after the fault is cleared succeeds, without a restart.
    for (name, _) in s.inject {
        server.failpoint(name, "off");
    }
    tally.faults_injected = server.injected();
    let cleared = Instant::now();
    clients = phase(&server, clients, 1, true).await;
    tally.recoveries.push(cleared.elapsed());
    clients = phase(&server, clients, 4, true).await;
    let served = observe(&c, &clients).await;
    let (lost, phantom) = compare(&served, &clients, "served after recovery");
    tally.lost += lost;
    tally.phantom += phantom;
    let recovered = server.log_says("the state directory can be written again");
    assert!(recovered, "[{}] no recovery line:\n{}", s.name, server.log());
    let exported = server.export();

    // On disk after recovery: a restart serves the same, byte for byte.
    server.kill();
    let server = start(&dir.0, &[]).expect("restarts");
    let (lost, phantom) = compare(&observe(&server.client(), &clients).await, &clients, "after a restart");
    tally.lost += lost;
    tally.phantom += phantom;
    assert_eq!(server.export(), exported, "[{}] the restart serves what was served", s.name);

    tally.writes_attempted = clients.iter().map(|c| c.attempted).sum();
    tally.acknowledged = clients.iter().map(|c| c.acknowledged).sum();
    tally.refused_5xx = clients.iter().map(|c| c.refused_count).sum();
    tally.report();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_at_write_time() {
    run(Scenario {
        name: "ENOSPC on every write",
        inject: &[("persist::write", "return(enospc)")],
        log_says: &["No space left on device", "free space on the filesystem of"],
        outcome_unknown: false,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_when_the_file_grows() {
    run(Scenario {
        name: "ENOSPC on growth",
        inject: &[("persist::set_len", "return(enospc)"), ("persist::write", "3*off->return(enospc)")],
        log_says: &["No space left on device"],
        outcome_unknown: false,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_io_error_now_and_then() {
    // Deterministic intermittent faults: the N-th writes of the file fail, those between succeed.
    run(Scenario {
        name: "intermittent EIO on write",
        inject: &[("persist::write", "2*off->1*return(eio)->3*off->1*return(eio)->5*off->1*return(eio)->off")],
        log_says: &["Input/output error", "check the disk"],
        outcome_unknown: false,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_fsync_that_fails_after_writing() {
    run(Scenario {
        name: "EIO on fsync (commit outcome unknown)",
        inject: &[("persist::sync", "return(eio)")],
        log_says: &["Input/output error"],
        outcome_unknown: true,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_commit_that_fails_before_and_after_reaching_the_disk() {
    run(Scenario {
        name: "commit fails (before)",
        inject: &[("persist::commit", "return")],
        log_says: &["commit failed (injected)"],
        outcome_unknown: false,
    })
    .await;
    run(Scenario {
        name: "commit unconfirmed (after)",
        inject: &[("persist::commit", "return(after)")],
        log_says: &["the disk did not confirm the commit"],
        outcome_unknown: true,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_directory_turns_read_only() {
    // A filesystem remounted read-only: writes fail with EROFS, and so does reopening the file for writing.
    run(Scenario {
        name: "EROFS (read-only)",
        inject: &[("persist::write", "return(erofs)"), ("persist::open", "return(erofs)")],
        log_says: &["Read-only file system", "writable again"],
        outcome_unknown: false,
    })
    .await;
}

#[tokio::test]
async fn an_open_that_fails_at_start_stops_the_server_and_leaves_the_file() {
    let dir = TempDir::new("lambdalite-faults");
    let server = start(&dir.0, &[]).expect("starts");
    common::create_function(&server.client(), TARGET).await;
    let exported = server.export();
    server.kill();
    let file = dir.0.join("lambdalite.redb");
    let before = std::fs::read(&file).unwrap();
    for errno in ["eacces", "eio", "erofs"] {
        let failpoints = format!("persist::open=return({errno})");
        let (status, stderr) =
            start(&dir.0, &[("FAILPOINTS", &failpoints), ("RUST_LOG", "warn")]).err().expect("refused");
        assert_eq!(status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("lambdalite: --state-dir ") && stderr.contains("cannot open"), "{stderr}");
        assert_eq!(std::fs::read(&file).unwrap(), before, "{errno}: the file is left as it was");
        println!("refused as it should be: {}", stderr.trim());
    }
    let server = start(&dir.0, &[]).expect("starts once opening works");
    assert_eq!(server.export(), exported);
}
