//! Model-checked stress test: many concurrent Rust SDK clients over real sockets mix every mutating and reading
//! operation on a small set of shared resources, and every acknowledged answer is checked against a model.
//!
//! How the oracle stays exact under concurrency:
//! - **Ownership.** Each client owns its statement ids (function and layer policies), its aliases, its scratch
//!   functions and the layer versions it published. Only the owner writes them and its operations are sequential,
//!   so the owner's model says exactly what the server must hold, at any read and at the end (read-your-writes
//!   included). Owned keys live on shared resources, so every request still contends for the same entities.
//! - **Shared registers.** Concurrent UpdateFunctionConfiguration calls on the shared functions write unique
//!   descriptions; the final description must come from an acknowledged update that no other acknowledged update
//!   strictly follows in real time (a linearizability check of a register).
//! - **Counters.** Concurrent PublishVersion/PublishLayerVersion calls: the final version lists must equal exactly the
//!   acknowledged version numbers (minus the owners' acknowledged deletes), each number naming one state only.
//! - **RevisionIds.** Every RevisionId seen anywhere (writes and reads) must name one entity in one state: a reused
//!   RevisionId is a violation.
//! - **Outcomes.** No 5xx, no transport failure; every error must be one the model allows at that point (e.g. 412 only
//!   where another client could have moved a shared RevisionId; an AddPermission of an owned absent statement id
//!   must succeed).
//!
//! `STRESS_SECS` (default 20), `STRESS_DURABLE_SECS` (default 15, the run with `--state-dir`) and `STRESS_CLIENTS`
//! (default 16) make longer local runs possible.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, LayerVersionContentInput, Runtime};
use aws_sdk_lambda::Client;

const SHARED_FUNCTIONS: usize = 3;
const SHARED_LAYERS: usize = 2;
const SIDS_PER_CLIENT: usize = 4;
const ALIASES_PER_CLIENT: usize = 2;
const SCRATCH_PER_CLIENT: usize = 2;
const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

fn shared_fn(i: usize) -> String {
    format!("stress-fn-{i}")
}

fn shared_layer(i: usize) -> String {
    format!("stress-layer-{i}")
}

/// What one request came back with.
enum Outcome<T> {
    Ok(T),
    /// A 4xx with its code.
    Refused(String),
}

/// Shared bookkeeping: violations, counters, and the records the final check needs.
#[derive(Default)]
struct Log {
    violations: Vec<String>,
    acknowledged: u64,
    by_op: BTreeMap<&'static str, u64>,
    /// RevisionId → (entity, state fingerprint); `None` fingerprint matches any state of that entity.
    revisions: HashMap<String, (String, Option<String>)>,
    /// Acknowledged description updates of shared functions: (function, description, start, end).
    updates: Vec<(String, String, Instant, Instant)>,
    /// Acknowledged published function versions: function → version → RevisionId.
    versions: BTreeMap<String, BTreeMap<u64, String>>,
    /// Acknowledged published layer versions: layer → version.
    layer_versions: BTreeMap<String, BTreeSet<u64>>,
    /// Layer versions deleted by their owner (acknowledged).
    deleted_layer_versions: BTreeMap<String, BTreeSet<u64>>,
}

type Shared = Arc<Mutex<Log>>;

fn violation(log: &Shared, text: String) {
    let mut log = log.lock().unwrap();
    if log.violations.len() < 1000 {
        log.violations.push(text);
    }
}

/// Records that `rev` names `entity` in state `fingerprint`; a different entity or state is a reuse.
fn see_revision(log: &Shared, rev: Option<&str>, entity: &str, fingerprint: Option<String>) {
    let Some(rev) = rev else {
        violation(log, format!("{entity}: response without RevisionId"));
        return;
    };
    let mut l = log.lock().unwrap();
    match l.revisions.get(rev).cloned() {
        None => {
            l.revisions.insert(rev.to_owned(), (entity.to_owned(), fingerprint));
        }
        Some((e, f)) => {
            let same_state = match (&f, &fingerprint) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            if e != entity || !same_state {
                drop(l);
                violation(log, format!("RevisionId {rev} reused: {e} {f:?} and {entity} {fingerprint:?}"));
            } else if f.is_none() {
                l.revisions.insert(rev.to_owned(), (e, fingerprint));
            }
        }
    }
}

/// Sends one request: 2xx → Ok, 4xx → Refused(code); a 5xx or a transport failure is a violation (and `None`).
async fn call<T, E>(
    log: &Shared,
    op: &'static str,
    fut: impl std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>>,
) -> Option<Outcome<T>>
where
    E: ProvideErrorMetadata + std::fmt::Debug,
{
    let result = fut.await;
    let outcome = match result {
        Ok(v) => Some(Outcome::Ok(v)),
        Err(e) => {
            let status = e.raw_response().map(|r| r.status().as_u16());
            match (status, e.as_service_error().and_then(|s| s.code())) {
                (Some(s), Some(code)) if (400..500).contains(&s) => Some(Outcome::Refused(code.to_owned())),
                _ => {
                    violation(log, format!("{op}: status {status:?}: {e:?}"));
                    None
                }
            }
        }
    };
    if outcome.is_some() {
        let mut l = log.lock().unwrap();
        l.acknowledged += 1;
        *l.by_op.entry(op).or_default() += 1;
    }
    outcome
}

/// A refusal the model did not allow.
fn unexpected(log: &Shared, op: &str, what: &str, code: &str) {
    violation(log, format!("{op} {what}: unexpected {code}"));
}

fn sids_of(policy: &str) -> BTreeSet<String> {
    let doc: serde_json::Value = serde_json::from_str(policy).unwrap_or_default();
    doc["Statement"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["Sid"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// This client's statement ids within `all`.
fn mine(all: &BTreeSet<String>, client: usize) -> BTreeSet<String> {
    let prefix = format!("c{client}s");
    all.iter().filter(|s| s.starts_with(&prefix)).cloned().collect()
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// One client's model of what it owns.
#[derive(Default)]
struct Model {
    /// (function, qualifier or "") → my statement ids there.
    fn_sids: BTreeMap<(String, String), BTreeSet<String>>,
    /// (function, alias) → (function version, alias RevisionId).
    aliases: BTreeMap<(String, String), (String, String)>,
    /// Scratch functions that exist.
    scratch: BTreeSet<String>,
    /// My layer versions that exist.
    layer_versions: BTreeSet<(String, u64)>,
    /// (layer, version) → my statement ids there.
    layer_sids: BTreeMap<(String, u64), BTreeSet<String>>,
}

struct Worker {
    id: usize,
    client: Client,
    log: Shared,
    model: Model,
    rng: Rng,
    zip_a: Vec<u8>,
    zip_b: Vec<u8>,
    seq: u64,
}

impl Worker {
    fn sid(&mut self) -> String {
        format!("c{}s{}", self.id, self.rng.below(SIDS_PER_CLIENT))
    }

    fn alias(&mut self) -> String {
        format!("c{}a{}", self.id, self.rng.below(ALIASES_PER_CLIENT))
    }

    fn scratch(&mut self) -> String {
        format!("stress-c{}-scratch{}", self.id, self.rng.below(SCRATCH_PER_CLIENT))
    }

    /// A function-policy target I may write: a shared function, unqualified or through one of my aliases, or one
    /// of my scratch functions.
    fn policy_target(&mut self) -> (String, String) {
        let mine_aliases: Vec<(String, String)> = self.model.aliases.keys().cloned().collect();
        match self.rng.below(10) {
            0..=1 if !mine_aliases.is_empty() => mine_aliases[self.rng.below(mine_aliases.len())].clone(),
            2 if !self.model.scratch.is_empty() => {
                let v: Vec<&String> = self.model.scratch.iter().collect();
                (v[self.rng.below(v.len())].clone(), String::new())
            }
            _ => (shared_fn(self.rng.below(SHARED_FUNCTIONS)), String::new()),
        }
    }

    fn qual(q: &str) -> Option<String> {
        (!q.is_empty()).then(|| q.to_owned())
    }

    async fn step(&mut self) {
        self.seq += 1;
        match self.rng.below(24) {
            0..=3 => self.add_permission().await,
            4..=5 => self.remove_permission().await,
            6..=7 => self.get_policy().await,
            8 => self.update_configuration().await,
            9 => self.update_code().await,
            10 => self.publish_version().await,
            11 => self.create_or_update_alias().await,
            12 => self.delete_alias().await,
            13 => self.get_alias().await,
            14 => self.scratch_function().await,
            15 => self.publish_layer_version().await,
            16 => self.delete_layer_version().await,
            17..=18 => self.add_layer_permission().await,
            19 => self.remove_layer_permission().await,
            20 => self.get_layer_policy().await,
            _ => self.read_only().await,
        }
    }

    /// The current RevisionId of a function policy, for a conditional write (`None`: no policy).
    async fn policy_revision(&mut self, function: &str, qualifier: &str) -> Option<Option<String>> {
        let log = self.log.clone();
        let req = self.client.get_policy().function_name(function).set_qualifier(Self::qual(qualifier)).send();
        match call(&log, "GetPolicy", req).await? {
            Outcome::Ok(out) => {
                self.check_fn_sids(function, qualifier, out.policy().unwrap_or(""));
                see_revision(
                    &log,
                    out.revision_id(),
                    &format!("policy {function}:{qualifier}"),
                    out.policy().map(Into::into),
                );
                Some(out.revision_id().map(Into::into))
            }
            Outcome::Refused(code) if code == "ResourceNotFoundException" => {
                self.check_fn_sids(function, qualifier, "");
                Some(None)
            }
            Outcome::Refused(code) => {
                unexpected(&log, "GetPolicy", function, &code);
                None
            }
        }
    }

    /// Read-your-writes on my own statement ids.
    fn check_fn_sids(&self, function: &str, qualifier: &str, policy: &str) {
        let want = self.model.fn_sids.get(&(function.to_owned(), qualifier.to_owned())).cloned().unwrap_or_default();
        let got = mine(&sids_of(policy), self.id);
        if want != got {
            violation(
                &self.log,
                format!("client {} policy {function}:{qualifier}: model {want:?}, server {got:?}", self.id),
            );
        }
    }

    async fn add_permission(&mut self) {
        let (function, qualifier) = self.policy_target();
        let sid = self.sid();
        let key = (function.clone(), qualifier.clone());
        let present = self.model.fn_sids.get(&key).is_some_and(|s| s.contains(&sid));
        let conditional = self.rng.chance(40);
        let rev = if conditional {
            match self.policy_revision(&function, &qualifier).await {
                Some(Some(rev)) => Some(rev),
                // No policy: condition on the target's own RevisionId is SPEC §5.3's rule; skip that corner here.
                _ => None,
            }
        } else {
            None
        };
        let log = self.log.clone();
        let req = self
            .client
            .add_permission()
            .function_name(&function)
            .set_qualifier(Self::qual(&qualifier))
            .statement_id(&sid)
            .action("lambda:InvokeFunction")
            .principal("s3.amazonaws.com")
            .set_revision_id(rev.clone())
            .send();
        match call(&log, "AddPermission", req).await {
            Some(Outcome::Ok(_)) => {
                if present {
                    violation(&log, format!("AddPermission {function}:{qualifier} {sid}: accepted a duplicate"));
                }
                self.model.fn_sids.entry(key).or_default().insert(sid);
            }
            Some(Outcome::Refused(code)) => {
                let allowed = (code == "ResourceConflictException" && present)
                    || (code == "PreconditionFailedException" && rev.is_some());
                if !allowed {
                    unexpected(&log, "AddPermission", &format!("{function}:{qualifier} {sid}"), &code);
                }
            }
            None => {}
        }
    }

    async fn remove_permission(&mut self) {
        let (function, qualifier) = self.policy_target();
        let sid = self.sid();
        let key = (function.clone(), qualifier.clone());
        let present = self.model.fn_sids.get(&key).is_some_and(|s| s.contains(&sid));
        let rev = if self.rng.chance(40) { self.policy_revision(&function, &qualifier).await.flatten() } else { None };
        let log = self.log.clone();
        let req = self
            .client
            .remove_permission()
            .function_name(&function)
            .set_qualifier(Self::qual(&qualifier))
            .statement_id(&sid)
            .set_revision_id(rev.clone())
            .send();
        match call(&log, "RemovePermission", req).await {
            Some(Outcome::Ok(_)) => {
                if !present {
                    violation(&log, format!("RemovePermission {function}:{qualifier} {sid}: removed an absent id"));
                }
                if let Some(s) = self.model.fn_sids.get_mut(&key) {
                    s.remove(&sid);
                }
            }
            Some(Outcome::Refused(code)) => {
                let allowed = (code == "ResourceNotFoundException" && !present)
                    || (code == "PreconditionFailedException" && rev.is_some());
                if !allowed {
                    unexpected(&log, "RemovePermission", &format!("{function}:{qualifier} {sid}"), &code);
                }
            }
            None => {}
        }
    }

    async fn get_policy(&mut self) {
        let (function, qualifier) = self.policy_target();
        self.policy_revision(&function, &qualifier).await;
    }

    fn see_config(
        &self,
        entity: &str,
        c: &aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput,
    ) {
        let fp = format!(
            "{:?}|{:?}|{:?}|{:?}",
            c.description(),
            c.code_sha256(),
            c.state().map(|s| s.as_str().to_owned()),
            c.last_update_status().map(|s| s.as_str().to_owned())
        );
        see_revision(&self.log, c.revision_id(), entity, Some(fp));
    }

    async fn update_configuration(&mut self) {
        let function = shared_fn(self.rng.below(SHARED_FUNCTIONS));
        let log = self.log.clone();
        let mut rev = None;
        if self.rng.chance(40) {
            let req = self.client.get_function_configuration().function_name(&function).send();
            if let Some(Outcome::Ok(c)) = call(&log, "GetFunctionConfiguration", req).await {
                self.see_config(&format!("{function}:$LATEST"), &c);
                rev = c.revision_id().map(str::to_owned);
            }
        }
        let description = format!("c{}-u{}", self.id, self.seq);
        let start = Instant::now();
        let req = self
            .client
            .update_function_configuration()
            .function_name(&function)
            .description(&description)
            .set_revision_id(rev.clone())
            .send();
        match call(&log, "UpdateFunctionConfiguration", req).await {
            Some(Outcome::Ok(out)) => {
                if out.description() != Some(description.as_str()) {
                    violation(
                        &log,
                        format!("UpdateFunctionConfiguration {function}: answered {:?}", out.description()),
                    );
                }
                let fp = format!(
                    "{:?}|{:?}|{:?}|{:?}",
                    out.description(),
                    out.code_sha256(),
                    out.state().map(|s| s.as_str().to_owned()),
                    out.last_update_status().map(|s| s.as_str().to_owned())
                );
                see_revision(&log, out.revision_id(), &format!("{function}:$LATEST"), Some(fp));
                log.lock().unwrap().updates.push((function, description, start, Instant::now()));
            }
            Some(Outcome::Refused(code)) if code == "PreconditionFailedException" && rev.is_some() => {}
            Some(Outcome::Refused(code)) => unexpected(&log, "UpdateFunctionConfiguration", &function, &code),
            None => {}
        }
    }

    async fn update_code(&mut self) {
        let function = shared_fn(self.rng.below(SHARED_FUNCTIONS));
        let zip = if self.rng.chance(50) { self.zip_a.clone() } else { self.zip_b.clone() };
        let log = self.log.clone();
        let req = self.client.update_function_code().function_name(&function).zip_file(Blob::new(zip)).send();
        match call(&log, "UpdateFunctionCode", req).await {
            Some(Outcome::Ok(out)) => see_revision(&log, out.revision_id(), &format!("{function}:$LATEST"), None),
            Some(Outcome::Refused(code)) => unexpected(&log, "UpdateFunctionCode", &function, &code),
            None => {}
        }
    }

    async fn publish_version(&mut self) {
        let function = shared_fn(self.rng.below(SHARED_FUNCTIONS));
        let log = self.log.clone();
        let req = self.client.publish_version().function_name(&function).send();
        match call(&log, "PublishVersion", req).await {
            Some(Outcome::Ok(out)) => {
                let Some(version) = out.version().and_then(|v| v.parse::<u64>().ok()) else {
                    violation(&log, format!("PublishVersion {function}: version {:?}", out.version()));
                    return;
                };
                let rev = out.revision_id().unwrap_or("").to_owned();
                see_revision(&log, Some(&rev), &format!("{function}:{version}"), None);
                let mut l = log.lock().unwrap();
                let prev = l.versions.entry(function.clone()).or_default().insert(version, rev.clone());
                if prev.is_some_and(|p| p != rev) {
                    drop(l);
                    violation(
                        &log,
                        format!("PublishVersion {function}: version {version} answered with two RevisionIds"),
                    );
                }
            }
            Some(Outcome::Refused(code)) => unexpected(&log, "PublishVersion", &function, &code),
            None => {}
        }
    }

    /// A version of `function` known to exist (published and acknowledged; shared versions are never deleted).
    fn known_version(&mut self, function: &str) -> String {
        let versions: Vec<u64> =
            self.log.lock().unwrap().versions.get(function).map(|v| v.keys().copied().collect()).unwrap_or_default();
        if versions.is_empty() || self.rng.chance(30) {
            "$LATEST".into()
        } else {
            versions[self.rng.below(versions.len())].to_string()
        }
    }

    async fn create_or_update_alias(&mut self) {
        let function = shared_fn(self.rng.below(SHARED_FUNCTIONS));
        let alias = self.alias();
        let version = self.known_version(&function);
        let key = (function.clone(), alias.clone());
        let log = self.log.clone();
        let fp = |v: &str, rev: &str| Some(format!("{v}|{rev}"));
        match self.model.aliases.get(&key).cloned() {
            None => {
                let req =
                    self.client.create_alias().function_name(&function).name(&alias).function_version(&version).send();
                match call(&log, "CreateAlias", req).await {
                    Some(Outcome::Ok(out)) => {
                        let rev = out.revision_id().unwrap_or("").to_owned();
                        see_revision(&log, Some(&rev), &format!("alias {function}:{alias}"), fp(&version, ""));
                        self.model.aliases.insert(key, (version, rev));
                    }
                    Some(Outcome::Refused(code)) => unexpected(&log, "CreateAlias", &alias, &code),
                    None => {}
                }
            }
            Some((_, old_rev)) => {
                // I am the alias's only writer, so my last RevisionId must still be current.
                let req = self
                    .client
                    .update_alias()
                    .function_name(&function)
                    .name(&alias)
                    .function_version(&version)
                    .revision_id(&old_rev)
                    .send();
                match call(&log, "UpdateAlias", req).await {
                    Some(Outcome::Ok(out)) => {
                        let rev = out.revision_id().unwrap_or("").to_owned();
                        if rev == old_rev {
                            violation(&log, format!("UpdateAlias {function}:{alias}: RevisionId did not change"));
                        }
                        see_revision(&log, Some(&rev), &format!("alias {function}:{alias}"), fp(&version, ""));
                        self.model.aliases.insert(key, (version, rev));
                    }
                    Some(Outcome::Refused(code)) => unexpected(&log, "UpdateAlias", &alias, &code),
                    None => {}
                }
            }
        }
    }

    async fn delete_alias(&mut self) {
        let function = shared_fn(self.rng.below(SHARED_FUNCTIONS));
        let alias = self.alias();
        let log = self.log.clone();
        let req = self.client.delete_alias().function_name(&function).name(&alias).send();
        match call(&log, "DeleteAlias", req).await {
            Some(Outcome::Ok(_)) => {
                self.model.aliases.remove(&(function.clone(), alias.clone()));
                // The alias's policy goes with it.
                self.model.fn_sids.remove(&(function, alias));
            }
            Some(Outcome::Refused(code)) => unexpected(&log, "DeleteAlias", &alias, &code),
            None => {}
        }
    }

    async fn get_alias(&mut self) {
        let function = shared_fn(self.rng.below(SHARED_FUNCTIONS));
        let alias = self.alias();
        let want = self.model.aliases.get(&(function.clone(), alias.clone())).cloned();
        let log = self.log.clone();
        let req = self.client.get_alias().function_name(&function).name(&alias).send();
        match (call(&log, "GetAlias", req).await, want) {
            (Some(Outcome::Ok(out)), Some((version, rev))) => {
                if out.function_version() != Some(version.as_str()) || out.revision_id() != Some(rev.as_str()) {
                    violation(&log, format!("GetAlias {function}:{alias}: model {version}/{rev}, server {out:?}"));
                }
            }
            (Some(Outcome::Ok(_)), None) => {
                violation(&log, format!("GetAlias {function}:{alias}: deleted alias found"))
            }
            (Some(Outcome::Refused(code)), None) if code == "ResourceNotFoundException" => {}
            (Some(Outcome::Refused(code)), _) => unexpected(&log, "GetAlias", &alias, &code),
            (None, _) => {}
        }
    }

    /// Create a scratch function if absent (a new one has no policy), else delete it (its policies go with it).
    async fn scratch_function(&mut self) {
        let name = self.scratch();
        let log = self.log.clone();
        if self.model.scratch.contains(&name) {
            let req = self.client.delete_function().function_name(&name).send();
            match call(&log, "DeleteFunction", req).await {
                Some(Outcome::Ok(_)) => {
                    self.model.scratch.remove(&name);
                    self.model.fn_sids.remove(&(name, String::new()));
                }
                Some(Outcome::Refused(code)) => unexpected(&log, "DeleteFunction", &name, &code),
                None => {}
            }
        } else {
            let req = self
                .client
                .create_function()
                .function_name(&name)
                .runtime(Runtime::Python312)
                .role(ROLE)
                .handler("index.handler")
                .code(FunctionCode::builder().zip_file(Blob::new(self.zip_a.clone())).build())
                .send();
            match call(&log, "CreateFunction", req).await {
                Some(Outcome::Ok(out)) => {
                    see_revision(&log, out.revision_id(), &format!("{name}:$LATEST#{}", self.seq), None);
                    self.model.scratch.insert(name.clone());
                    self.policy_revision(&name, "").await;
                }
                Some(Outcome::Refused(code)) => unexpected(&log, "CreateFunction", &name, &code),
                None => {}
            }
        }
    }

    async fn publish_layer_version(&mut self) {
        let layer = shared_layer(self.rng.below(SHARED_LAYERS));
        let log = self.log.clone();
        let req = self
            .client
            .publish_layer_version()
            .layer_name(&layer)
            .content(LayerVersionContentInput::builder().zip_file(Blob::new(self.zip_b.clone())).build())
            .compatible_runtimes(Runtime::Python312)
            .send();
        match call(&log, "PublishLayerVersion", req).await {
            Some(Outcome::Ok(out)) => {
                let version = out.version() as u64;
                let fresh = log.lock().unwrap().layer_versions.entry(layer.clone()).or_default().insert(version);
                if !fresh {
                    violation(&log, format!("PublishLayerVersion {layer}: version {version} handed out twice"));
                }
                self.model.layer_versions.insert((layer, version));
            }
            Some(Outcome::Refused(code)) => unexpected(&log, "PublishLayerVersion", &layer, &code),
            None => {}
        }
    }

    async fn delete_layer_version(&mut self) {
        let Some((layer, version)) = self.model.layer_versions.iter().next().cloned() else { return };
        let log = self.log.clone();
        let req = self.client.delete_layer_version().layer_name(&layer).version_number(version as i64).send();
        match call(&log, "DeleteLayerVersion", req).await {
            Some(Outcome::Ok(_)) => {
                self.model.layer_versions.remove(&(layer.clone(), version));
                self.model.layer_sids.remove(&(layer.clone(), version));
                log.lock().unwrap().deleted_layer_versions.entry(layer).or_default().insert(version);
            }
            Some(Outcome::Refused(code)) => unexpected(&log, "DeleteLayerVersion", &layer, &code),
            None => {}
        }
    }

    /// The shared version 1 of a shared layer, or one of my own layer versions.
    fn layer_target(&mut self) -> (String, u64) {
        let own: Vec<(String, u64)> = self.model.layer_versions.iter().cloned().collect();
        if !own.is_empty() && self.rng.chance(40) {
            own[self.rng.below(own.len())].clone()
        } else {
            (shared_layer(self.rng.below(SHARED_LAYERS)), 1)
        }
    }

    async fn layer_policy(&mut self, layer: &str, version: u64) -> Option<Option<String>> {
        let log = self.log.clone();
        let req = self.client.get_layer_version_policy().layer_name(layer).version_number(version as i64).send();
        let want = self.model.layer_sids.get(&(layer.to_owned(), version)).cloned().unwrap_or_default();
        let (got, rev) = match call(&log, "GetLayerVersionPolicy", req).await? {
            Outcome::Ok(out) => {
                see_revision(
                    &log,
                    out.revision_id(),
                    &format!("layer policy {layer}:{version}"),
                    out.policy().map(Into::into),
                );
                (mine(&sids_of(out.policy().unwrap_or("")), self.id), out.revision_id().map(Into::into))
            }
            Outcome::Refused(code) if code == "ResourceNotFoundException" => (BTreeSet::new(), None),
            Outcome::Refused(code) => {
                unexpected(&log, "GetLayerVersionPolicy", layer, &code);
                return None;
            }
        };
        if got != want {
            violation(
                &log,
                format!("client {} layer policy {layer}:{version}: model {want:?}, server {got:?}", self.id),
            );
        }
        Some(rev)
    }

    async fn add_layer_permission(&mut self) {
        let (layer, version) = self.layer_target();
        let sid = self.sid();
        let key = (layer.clone(), version);
        let present = self.model.layer_sids.get(&key).is_some_and(|s| s.contains(&sid));
        let rev = if self.rng.chance(40) { self.layer_policy(&layer, version).await.flatten() } else { None };
        let log = self.log.clone();
        let req = self
            .client
            .add_layer_version_permission()
            .layer_name(&layer)
            .version_number(version as i64)
            .statement_id(&sid)
            .action("lambda:GetLayerVersion")
            .principal("*")
            .set_revision_id(rev.clone())
            .send();
        match call(&log, "AddLayerVersionPermission", req).await {
            Some(Outcome::Ok(out)) => {
                if present {
                    violation(&log, format!("AddLayerVersionPermission {layer}:{version} {sid}: accepted a duplicate"));
                }
                see_revision(&log, out.revision_id(), &format!("layer policy {layer}:{version}"), None);
                self.model.layer_sids.entry(key).or_default().insert(sid);
            }
            Some(Outcome::Refused(code)) => {
                let allowed = (code == "ResourceConflictException" && present)
                    || (code == "PreconditionFailedException" && rev.is_some());
                if !allowed {
                    unexpected(&log, "AddLayerVersionPermission", &format!("{layer}:{version} {sid}"), &code);
                }
            }
            None => {}
        }
    }

    async fn remove_layer_permission(&mut self) {
        let (layer, version) = self.layer_target();
        let sid = self.sid();
        let key = (layer.clone(), version);
        let present = self.model.layer_sids.get(&key).is_some_and(|s| s.contains(&sid));
        let rev = if self.rng.chance(40) { self.layer_policy(&layer, version).await.flatten() } else { None };
        let log = self.log.clone();
        let req = self
            .client
            .remove_layer_version_permission()
            .layer_name(&layer)
            .version_number(version as i64)
            .statement_id(&sid)
            .set_revision_id(rev.clone())
            .send();
        match call(&log, "RemoveLayerVersionPermission", req).await {
            Some(Outcome::Ok(_)) => {
                if !present {
                    violation(
                        &log,
                        format!("RemoveLayerVersionPermission {layer}:{version} {sid}: removed an absent id"),
                    );
                }
                if let Some(s) = self.model.layer_sids.get_mut(&key) {
                    s.remove(&sid);
                }
            }
            Some(Outcome::Refused(code)) => {
                let allowed = (code == "ResourceNotFoundException" && !present)
                    || (code == "PreconditionFailedException" && rev.is_some());
                if !allowed {
                    unexpected(&log, "RemoveLayerVersionPermission", &format!("{layer}:{version} {sid}"), &code);
                }
            }
            None => {}
        }
    }

    async fn get_layer_policy(&mut self) {
        let (layer, version) = self.layer_target();
        self.layer_policy(&layer, version).await;
    }

    /// Reads whose answers only need to be well-formed and 2xx.
    async fn read_only(&mut self) {
        let log = self.log.clone();
        let function = shared_fn(self.rng.below(SHARED_FUNCTIONS));
        let layer = shared_layer(self.rng.below(SHARED_LAYERS));
        let ok = match self.rng.below(7) {
            0 => matches!(
                call(&log, "ListFunctions", self.client.list_functions().max_items(50).send()).await,
                Some(Outcome::Ok(_))
            ),
            1 => matches!(
                call(&log, "GetFunction", self.client.get_function().function_name(&function).send()).await,
                Some(Outcome::Ok(_))
            ),
            2 => {
                let req = self.client.list_versions_by_function().function_name(&function).send();
                matches!(call(&log, "ListVersionsByFunction", req).await, Some(Outcome::Ok(_)))
            }
            3 => matches!(
                call(&log, "ListAliases", self.client.list_aliases().function_name(&function).send()).await,
                Some(Outcome::Ok(_))
            ),
            4 => matches!(call(&log, "ListLayers", self.client.list_layers().send()).await, Some(Outcome::Ok(_))),
            5 => {
                let req = self.client.list_layer_versions().layer_name(&layer).send();
                matches!(call(&log, "ListLayerVersions", req).await, Some(Outcome::Ok(_)))
            }
            _ => {
                let req = self.client.get_function_configuration().function_name(&function).send();
                match call(&log, "GetFunctionConfiguration", req).await {
                    Some(Outcome::Ok(c)) => {
                        self.see_config(&format!("{function}:$LATEST"), &c);
                        true
                    }
                    _ => false,
                }
            }
        };
        if !ok {
            violation(&log, format!("client {}: a read of shared resources failed", self.id));
        }
    }

    /// End of run: everything I own must be on the server exactly as my model says.
    async fn final_check(&mut self) {
        let log = self.log.clone();
        for i in 0..SHARED_FUNCTIONS {
            let function = shared_fn(i);
            self.policy_revision(&function, "").await;
            let req = self.client.list_aliases().function_name(&function).send();
            if let Some(Outcome::Ok(out)) = call(&log, "ListAliases", req).await {
                let prefix = format!("c{}a", self.id);
                let got: BTreeMap<String, (String, String)> = out
                    .aliases()
                    .iter()
                    .filter(|a| a.name().unwrap_or("").starts_with(&prefix))
                    .map(|a| {
                        let v =
                            (a.function_version().unwrap_or("").to_owned(), a.revision_id().unwrap_or("").to_owned());
                        (a.name().unwrap_or("").to_owned(), v)
                    })
                    .collect();
                let want: BTreeMap<String, (String, String)> = self
                    .model
                    .aliases
                    .iter()
                    .filter(|((f, _), _)| *f == function)
                    .map(|((_, a), v)| (a.clone(), v.clone()))
                    .collect();
                if got != want {
                    violation(
                        &log,
                        format!("client {} aliases of {function}: model {want:?}, server {got:?}", self.id),
                    );
                }
            }
        }
        for (function, alias) in self.model.aliases.keys().cloned().collect::<Vec<_>>() {
            self.policy_revision(&function, &alias).await;
        }
        for k in 0..SCRATCH_PER_CLIENT {
            let name = format!("stress-c{}-scratch{k}", self.id);
            let req = self.client.get_function().function_name(&name).send();
            let exists = match call(&log, "GetFunction", req).await {
                Some(Outcome::Ok(_)) => true,
                Some(Outcome::Refused(code)) if code == "ResourceNotFoundException" => false,
                _ => continue,
            };
            if exists != self.model.scratch.contains(&name) {
                violation(&log, format!("client {} scratch {name}: exists={exists}, model disagrees", self.id));
            }
            if exists {
                self.policy_revision(&name, "").await;
            }
        }
        for i in 0..SHARED_LAYERS {
            self.layer_policy(&shared_layer(i), 1).await;
        }
        for (layer, version) in self.model.layer_versions.clone() {
            self.layer_policy(&layer, version).await;
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_agree_with_the_model() {
    let server = common::start().await;
    agree_with_the_model(&server, env_number("STRESS_SECS", 20), "in memory").await;
}

/// The same model check with `--state-dir`: the durable write path (journal, group commit, waiting for the
/// acknowledgement after the lock) must keep every guarantee the in-memory one gives. Shorter: commits are slower.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_agree_with_the_model_with_a_state_dir() {
    let dir = common::TempDir::new("lambdalite-stress");
    let config = lambdalite::Config { state_dir: Some(dir.0.clone()), ..lambdalite::Config::default() };
    let server = common::start_app(lambdalite::AppState::open(config).expect("state dir")).await;
    agree_with_the_model(&server, env_number("STRESS_DURABLE_SECS", 15), "state dir").await;
}

async fn agree_with_the_model(server: &common::TestServer, secs: u64, label: &str) {
    let clients = env_number("STRESS_CLIENTS", 16) as usize;
    let setup = server.client();
    for i in 0..SHARED_FUNCTIONS {
        common::create_function(&setup, &shared_fn(i)).await;
    }
    for i in 0..SHARED_LAYERS {
        let out = setup
            .publish_layer_version()
            .layer_name(shared_layer(i))
            .content(LayerVersionContentInput::builder().zip_file(Blob::new(common::zip_bytes("layer"))).build())
            .send()
            .await
            .expect("seed layer");
        assert_eq!(out.version(), 1);
    }
    let log: Shared = Arc::default();
    for i in 0..SHARED_LAYERS {
        log.lock().unwrap().layer_versions.entry(shared_layer(i)).or_default().insert(1);
    }

    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let workers = (0..clients).map(|id| {
        let mut worker = Worker {
            id,
            // One attempt per request: an outcome is exactly what the server answered.
            client: common::client_for(&server.url, "AKIDEXAMPLE", "us-east-1"),
            log: log.clone(),
            model: Model::default(),
            rng: Rng(0x2545_f491_4f6c_dd1d ^ ((id as u64 + 1) * 0x9e37_79b9)),
            zip_a: common::zip_bytes(&format!("a{id}")),
            zip_b: common::zip_bytes(&format!("b{id}")),
            seq: 0,
        };
        tokio::spawn(async move {
            while Instant::now() < deadline {
                worker.step().await;
            }
            worker.final_check().await;
        })
    });
    for w in futures::future::join_all(workers).await {
        w.expect("worker task");
    }
    let elapsed = started.elapsed();

    // Shared state: function versions, layer versions, and the description register.
    for i in 0..SHARED_FUNCTIONS {
        let function = shared_fn(i);
        let mut listed = BTreeMap::new();
        let mut marker = None;
        loop {
            let out =
                setup.list_versions_by_function().function_name(&function).set_marker(marker).send().await.unwrap();
            for v in out.versions() {
                if let Ok(n) = v.version().unwrap_or("").parse::<u64>() {
                    listed.insert(n, v.revision_id().unwrap_or("").to_owned());
                }
            }
            marker = out.next_marker().map(str::to_owned);
            if marker.is_none() {
                break;
            }
        }
        let acked = log.lock().unwrap().versions.get(&function).cloned().unwrap_or_default();
        if listed != acked {
            violation(&log, format!("versions of {function}: acknowledged {acked:?}, listed {listed:?}"));
        }
        let config = setup.get_function_configuration().function_name(&function).send().await.unwrap();
        let last = config.description().unwrap_or("").to_owned();
        let updates: Vec<(String, Instant, Instant)> = log
            .lock()
            .unwrap()
            .updates
            .iter()
            .filter(|(f, ..)| *f == function)
            .map(|(_, d, s, e)| (d.clone(), *s, *e))
            .collect();
        match updates.iter().find(|(d, ..)| *d == last) {
            Some((_, _, end)) => {
                if let Some((later, ..)) = updates.iter().find(|(_, s, _)| s > end) {
                    violation(
                        &log,
                        format!("{function}: final description {last} but {later} was acknowledged after it"),
                    );
                }
            }
            None if updates.is_empty() && last.is_empty() => {}
            None => violation(&log, format!("{function}: final description {last:?} is no acknowledged update")),
        }
    }
    for i in 0..SHARED_LAYERS {
        let layer = shared_layer(i);
        let mut listed = BTreeSet::new();
        let mut marker = None;
        loop {
            let out = setup.list_layer_versions().layer_name(&layer).set_marker(marker).send().await.unwrap();
            listed.extend(out.layer_versions().iter().map(|v| v.version() as u64));
            marker = out.next_marker().map(str::to_owned);
            if marker.is_none() {
                break;
            }
        }
        let l = log.lock().unwrap();
        let published = l.layer_versions.get(&layer).cloned().unwrap_or_default();
        let deleted = l.deleted_layer_versions.get(&layer).cloned().unwrap_or_default();
        drop(l);
        let want: BTreeSet<u64> = published.difference(&deleted).copied().collect();
        if listed != want {
            violation(&log, format!("layer versions of {layer}: expected {want:?}, listed {listed:?}"));
        }
    }

    let log = log.lock().unwrap();
    println!(
        "stress ({label}): {:.1} s, {clients} clients, {} operations acknowledged ({:.0}/s), {} distinct RevisionIds, \
         {} violations",
        elapsed.as_secs_f64(),
        log.acknowledged,
        log.acknowledged as f64 / elapsed.as_secs_f64(),
        log.revisions.len(),
        log.violations.len()
    );
    println!("stress ({label}): by operation {:?}", log.by_op);
    for v in log.violations.iter().take(30) {
        println!("violation: {v}");
    }
    assert!(log.violations.is_empty(), "{} violations (first: {:?})", log.violations.len(), log.violations.first());
    assert!(log.acknowledged > 1000, "too few operations to mean anything: {}", log.acknowledged);
}
