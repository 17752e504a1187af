//! The durable state directory (`--state-dir`): every acknowledged mutation is on disk before its answer is sent,
//! and a restart loads exactly what was acknowledged.
//!
//! # Records
//! The unit of storage is an entity of [`State`]: a function with its versions, aliases and policies, or a layer
//! with its versions and their policies, each one JSON record in a [`redb`] table keyed by (account, region, name).
//! Zips are kept apart, one blob per SHA-256, written once: an AddPermission rewrites the function's record, not
//! its code. Writing whole entities makes every write idempotent and every record self-consistent, so nothing
//! half-applied can be loaded.
//!
//! # Write path and group commit
//! Inside the store's write lock, after the operation ran, [`Durable::submit`] takes the state's journal (which
//! entities the operation touched), serializes them and hands the batch to the writer thread over a channel: no
//! I/O and no `.await` under the lock, and batches reach the writer in lock order. The writer takes every batch
//! waiting, applies them in order in one redb transaction, commits (one fsync for all of them) and only then
//! acknowledges each; the request's answer waits for that acknowledgement after the lock is released. While one
//! commit runs, the next requests queue up and share the following one.
//!
//! A reader may see a mutation whose commit is still running; if the process dies before it, that mutation is lost
//! together with its unanswered request, and nothing that was answered depends on it alone: a later write that
//! builds on it is committed after it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use tokio::sync::oneshot;

use crate::domain::arn::Scope;
use crate::domain::function::{Code, Function};
use crate::domain::layer::Layer;
use crate::domain::state::{EntityKey, Journal, State};

/// (account, region, name) → a [`Function`] as JSON.
const FUNCTIONS: TableDefinition<(&str, &str, &str), &[u8]> = TableDefinition::new("functions");
/// (account, region, name) → a [`Layer`] as JSON.
const LAYERS: TableDefinition<(&str, &str, &str), &[u8]> = TableDefinition::new("layers");
/// Code SHA-256 (base64, as `CodeSha256` shows it) → the zip.
const BLOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("blobs");
/// `format` → the record format version.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The record format this build writes and reads.
const FORMAT: u64 = 1;
/// The database file inside the state directory.
pub const FILE_NAME: &str = "lambdalite.redb";
/// At most this many batches share one commit, so a burst cannot grow one transaction without bound.
const MAX_BATCHES_PER_COMMIT: usize = 4096;

/// Why the state directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("cannot create {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot open {path}: {source}")]
    Open { path: PathBuf, source: redb::DatabaseError },
    #[error("{path} was written in record format {found}; this lambdalite reads format {FORMAT}")]
    Format { path: PathBuf, found: u64 },
    #[error("{path}: {what}")]
    Corrupt { path: PathBuf, what: String },
    #[error("{0}")]
    Storage(String),
}

impl<E: Into<redb::Error>> From<E> for PersistError {
    fn from(e: E) -> Self {
        PersistError::Storage(e.into().to_string())
    }
}

/// One entity's new content: its JSON record, or `None` when it no longer exists.
struct Record {
    key: EntityKey,
    json: Option<Vec<u8>>,
    /// The zips the record refers to; the writer stores those it does not have yet.
    blobs: Vec<(String, Arc<[u8]>)>,
}

/// What one write changed, with the channel its acknowledgement goes back on.
struct Batch {
    reset: bool,
    records: Vec<Record>,
    ack: oneshot::Sender<Result<(), String>>,
}

/// The handle the store holds: sends batches to the writer thread. Dropping it stops the thread once the queue is
/// written.
#[derive(Debug)]
pub struct Durable {
    tx: mpsc::Sender<Batch>,
}

/// Awaited after the store's lock is released: resolves once the write is durable.
pub type Pending = oneshot::Receiver<Result<(), String>>;

impl Durable {
    /// Opens (or creates) the state directory `dir`, loads what it holds into `state`, and starts the writer.
    /// From here on `state` journals its mutations. Returns how many functions and layers were loaded.
    pub fn open(dir: &Path, state: &mut State) -> Result<(Durable, Loaded), PersistError> {
        std::fs::create_dir_all(dir).map_err(|source| PersistError::CreateDir { path: dir.to_owned(), source })?;
        let path = dir.join(FILE_NAME);
        let db = Database::create(&path).map_err(|source| PersistError::Open { path: path.clone(), source })?;
        let loaded = load(&db, &path, state)?;
        state.enable_journal();
        let (tx, rx) = mpsc::channel();
        thread::Builder::new()
            .name("lambdalite-persist".into())
            .spawn(move || writer(db, rx))
            .map_err(|e| PersistError::Storage(format!("cannot start the writer thread: {e}")))?;
        Ok((Durable { tx }, loaded))
    }

    /// Takes `state`'s journal and queues what it names for the writer. Called under the write lock, right after
    /// the operation, so batches are queued in the order they were applied. `None` when nothing was touched.
    pub fn submit(&self, state: &mut State) -> Option<Pending> {
        let Journal { reset, touched } = state.take_journal()?;
        let records = touched.into_iter().map(|key| record(state, key)).collect();
        let (ack, pending) = oneshot::channel();
        // A send fails only when the writer thread is gone; dropping `ack` then makes `pending` fail.
        let _ = self.tx.send(Batch { reset, records, ack });
        Some(pending)
    }
}

/// What [`Durable::open`] found in the directory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loaded {
    pub functions: usize,
    pub layers: usize,
}

impl Loaded {
    pub fn is_empty(&self) -> bool {
        self.functions == 0 && self.layers == 0
    }
}

/// The record of `key` as `state` holds it now.
fn record(state: &State, key: EntityKey) -> Record {
    let (json, blobs) = match &key {
        EntityKey::Function(scope, name) => match state.function(scope, name) {
            Some(f) => (Some(to_json(f)), function_codes(f).filter_map(blob).collect()),
            None => (None, Vec::new()),
        },
        EntityKey::Layer(scope, name) => match state.layer(scope, name) {
            Some(l) => (Some(to_json(l)), l.versions.values().map(|v| &v.content).filter_map(blob).collect()),
            None => (None, Vec::new()),
        },
    };
    Record { key, json, blobs }
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("state entities always serialize")
}

/// Every code a function holds: `$LATEST`'s and each version's.
fn function_codes(f: &Function) -> impl Iterator<Item = &Code> {
    std::iter::once(&f.latest.code).chain(f.versions.values().map(|v| &v.config.code))
}

fn blob(code: &Code) -> Option<(String, Arc<[u8]>)> {
    code.zip.as_ref().map(|zip| (code.sha256.clone(), zip.clone()))
}

fn key_parts(key: &EntityKey) -> (&Scope, &str) {
    match key {
        EntityKey::Function(scope, name) | EntityKey::Layer(scope, name) => (scope, name),
    }
}

/// The writer thread: one transaction and one commit for every batch waiting, then the acknowledgements.
fn writer(db: Database, rx: mpsc::Receiver<Batch>) {
    while let Ok(first) = rx.recv() {
        let mut batches = vec![first];
        while batches.len() < MAX_BATCHES_PER_COMMIT {
            match rx.try_recv() {
                Ok(b) => batches.push(b),
                Err(_) => break,
            }
        }
        let result = commit(&db, &batches).map_err(|e| {
            tracing::error!(error = %e, "cannot write the state directory");
            e.to_string()
        });
        for b in batches {
            let _ = b.ack.send(result.clone());
        }
    }
}

fn commit(db: &Database, batches: &[Batch]) -> Result<(), PersistError> {
    let txn = db.begin_write()?;
    {
        let mut functions = txn.open_table(FUNCTIONS)?;
        let mut layers = txn.open_table(LAYERS)?;
        let mut blobs = txn.open_table(BLOBS)?;
        for batch in batches {
            if batch.reset {
                functions.retain(|_, _| false)?;
                layers.retain(|_, _| false)?;
                blobs.retain(|_, _| false)?;
            }
            for r in &batch.records {
                let (scope, name) = key_parts(&r.key);
                let key = (scope.account.as_str(), scope.region.as_str(), name);
                let table = match r.key {
                    EntityKey::Function(..) => &mut functions,
                    EntityKey::Layer(..) => &mut layers,
                };
                match &r.json {
                    Some(json) => {
                        table.insert(key, json.as_slice())?;
                    }
                    None => {
                        table.remove(key)?;
                    }
                }
                for (sha, zip) in &r.blobs {
                    if blobs.get(sha.as_str())?.is_none() {
                        blobs.insert(sha.as_str(), &**zip)?;
                    }
                }
            }
        }
    }
    txn.commit()?;
    Ok(())
}

/// Loads every record into `state` (before its journal is on), then drops the blobs nothing refers to any more
/// (code of deleted functions and versions).
fn load(db: &Database, path: &Path, state: &mut State) -> Result<Loaded, PersistError> {
    let corrupt = |what: String| PersistError::Corrupt { path: path.to_owned(), what };
    // Create the tables (and stamp the format) on first use, so the read below finds them.
    let txn = db.begin_write()?;
    {
        let mut meta = txn.open_table(META)?;
        let found = meta.get("format")?.map(|v| v.value());
        match found {
            None => {
                meta.insert("format", FORMAT)?;
            }
            Some(FORMAT) => {}
            Some(found) => return Err(PersistError::Format { path: path.to_owned(), found }),
        }
        txn.open_table(FUNCTIONS)?;
        txn.open_table(LAYERS)?;
        txn.open_table(BLOBS)?;
    }
    txn.commit()?;

    let txn = db.begin_read()?;
    let blobs = txn.open_table(BLOBS)?;
    let mut used = HashSet::new();
    let mut fill = |code: &mut Code, owner: &str| -> Result<(), PersistError> {
        if code.zip.is_some() {
            let bytes = blobs
                .get(code.sha256.as_str())?
                .ok_or_else(|| corrupt(format!("{owner}: the zip {} is missing", code.sha256)))?;
            code.zip = Some(Arc::from(bytes.value()));
            used.insert(code.sha256.clone());
        }
        Ok(())
    };
    let mut loaded = Loaded::default();
    for entry in txn.open_table(FUNCTIONS)?.iter()? {
        let (key, value) = entry?;
        let (account, region, name) = key.value();
        let owner = format!("function {account}/{region}/{name}");
        let mut f: Function = serde_json::from_slice(value.value()).map_err(|e| corrupt(format!("{owner}: {e}")))?;
        fill(&mut f.latest.code, &owner)?;
        for v in f.versions.values_mut() {
            fill(&mut v.config.code, &owner)?;
        }
        state.insert_function(&Scope::new(account, region), f);
        loaded.functions += 1;
    }
    for entry in txn.open_table(LAYERS)?.iter()? {
        let (key, value) = entry?;
        let (account, region, name) = key.value();
        let owner = format!("layer {account}/{region}/{name}");
        let mut l: Layer = serde_json::from_slice(value.value()).map_err(|e| corrupt(format!("{owner}: {e}")))?;
        for v in l.versions.values_mut() {
            fill(&mut v.content, &owner)?;
        }
        state.insert_layer(&Scope::new(account, region), l);
        loaded.layers += 1;
    }
    drop(blobs);
    drop(txn);

    let txn = db.begin_write()?;
    txn.open_table(BLOBS)?.retain(|sha, _| used.contains(sha))?;
    txn.commit()?;
    Ok(loaded)
}
