//! The durable state directory (`--state-dir`): every acknowledged mutation is on disk before its answer is sent,
//! a restart loads exactly what was acknowledged, and when the disk fails nothing that was refused is served.
//!
//! # Records
//! The unit of storage is an entity of [`State`]: a function with its versions, aliases and policies, or a layer
//! with its versions and their policies, each one JSON record in a [`redb`] table keyed by (account, region, name).
//! Zips are kept apart, one blob per SHA-256, written once: an AddPermission rewrites the function's record, not
//! its code. Writing whole entities makes every write idempotent and every record self-consistent, so nothing
//! half-applied can be loaded. The `meta` table holds the record format ([`FORMAT`]); a database without it is of
//! format 1.
//!
//! # Write path and group commit
//! Inside the store's write lock, after the operation ran, [`Durable::submit`] takes the state's journal (which
//! entities the operation touched, and what they were before), serializes them and hands the batch to the writer
//! thread over a channel: no I/O and no `.await` under the lock, and batches reach the writer in lock order. The
//! writer takes every batch waiting, applies them in order in one redb transaction, commits (one fsync for all of
//! them) and only then acknowledges each; the request's answer waits for that acknowledgement after the lock is
//! released. While one commit runs, the next requests queue up and share the following one.
//!
//! A reader may see a mutation whose commit is still running; if the process dies before it, that mutation is lost
//! together with its unanswered request, and nothing that was answered depends on it alone: a later write that
//! builds on it is committed after it.
//!
//! # When a commit fails
//! A full disk, an I/O error, a read-only or vanished file: the commit group fails. The writer then takes the write
//! lock once, also takes every batch queued behind the group (they were applied after it, maybe on top of it),
//! undoes all of them newest first from their journals' before-images, and answers each with a 500 — so from the
//! moment the refusals go out, what is served is what was last committed. The entities they touched are *dirty*:
//! a failed fsync leaves unknown whether the group reached the disk, so the next commit writes those entities
//! again from memory, which makes the disk agree with what is served whatever happened. After an I/O error redb
//! refuses every later write until the database is reopened, so the writer reopens it (redb's crash recovery) on
//! its next try: at the next write, or after a second without one. A file that disappeared is written anew from
//! memory; a different file in its place is left alone and writes are refused until a restart. See
//! [`Writer::refuse`] and [`Writer::round`].
//!
//! # Opening
//! A file is opened with its writes deferred (see [`backend`]): redb's recovery after a crash, an integrity check of
//! every page, and the load of every record run against the file, but what they write is kept in memory until all
//! of it succeeded. A file that cannot be used (damaged, truncated, not redb, of a newer format, unreadable) stops
//! the start with a one-line reason and is left byte for byte as it was.

pub mod backend;
pub mod fault;

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, TableError};
use tokio::sync::{oneshot, RwLock};

use crate::domain::arn::Scope;
use crate::domain::function::{Code, Function};
use crate::domain::layer::Layer;
use crate::domain::state::{EntityKey, Journal, State, Undo};
use backend::GuardedFile;

/// (account, region, name) → a [`Function`] as JSON.
const FUNCTIONS: TableDefinition<(&str, &str, &str), &[u8]> = TableDefinition::new("functions");
/// (account, region, name) → a [`Layer`] as JSON.
const LAYERS: TableDefinition<(&str, &str, &str), &[u8]> = TableDefinition::new("layers");
/// Code SHA-256 (base64, as `CodeSha256` shows it) → the zip.
const BLOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("blobs");
/// `format` → the record format version.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The record format this build writes and reads. A database without a `format` entry predates the entry and is
/// format 1; one with a larger number was written by a newer lambdalite and is refused.
pub const FORMAT: u64 = 1;
/// The database file inside the state directory.
pub const FILE_NAME: &str = "lambdalite.redb";
/// At most this many batches share one commit, so a burst cannot grow one transaction without bound.
const MAX_BATCHES_PER_COMMIT: usize = 4096;
/// While writes fail, the writer tries again this often even when no write asks it to.
const RETRY_EVERY: Duration = Duration::from_secs(1);
/// redb's page cache. Every record and zip is in memory already (the state), so the cache only needs the pages a
/// commit walks; redb's default (1 GiB) would keep a second copy of the code that was loaded at start.
const CACHE_BYTES: usize = 16 << 20;

/// Why the state directory could not be used at start: each is one line, said before the server exits.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("cannot create {path}: {source}")]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("cannot open {path}: {source}")]
    OpenFile { path: PathBuf, source: io::Error },
    #[error("cannot open {path}: another process has it open (is another lambdalite using this --state-dir?)")]
    InUse { path: PathBuf },
    #[error("cannot open {path}: {what}; the file was left as it is: {LEFT_ALONE}")]
    Unusable { path: PathBuf, what: String },
    #[error(
        "{path} holds records of format {found}, written by a newer lambdalite; this one reads format {FORMAT}: run \
         the newer version, or give this one another --state-dir (the file was left as it is)"
    )]
    Format { path: PathBuf, found: u64 },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("{path}: {what}")]
    Storage { path: PathBuf, what: String },
}

/// What the start-up refusals tell the user to do with a file they cannot use.
const LEFT_ALONE: &str = "restore it from a backup, or move it away to start with an empty state";

/// One entity's new content: its JSON record, or `None` when it no longer exists.
struct Record {
    key: EntityKey,
    json: Option<Vec<u8>>,
    /// The zips the record refers to; the writer stores those it does not have yet.
    blobs: Vec<(String, Arc<[u8]>)>,
}

/// What one write changed, how to take it back, and the channel its answer goes back on.
struct Batch {
    reset: bool,
    records: Vec<Record>,
    undo: Vec<Undo>,
    ack: oneshot::Sender<Result<(), String>>,
}

/// The handle the store holds: sends batches to the writer thread. Dropping it stops the thread once the queue is
/// written.
#[derive(Debug)]
pub struct Durable {
    tx: mpsc::Sender<Batch>,
}

/// Awaited after the store's lock is released: `Ok` once the write is durable, `Err` (the message for the client)
/// when it was refused and taken back.
pub type Pending = oneshot::Receiver<Result<(), String>>;

/// A database file that was opened, checked and loaded, before its writer runs.
pub struct Opened {
    db: Database,
    file: DbFile,
}

/// Where the database is and which file it is: a file at the path with another identity is not ours.
#[derive(Debug, Clone)]
struct DbFile {
    dir: PathBuf,
    path: PathBuf,
    /// (device, inode) of the file opened.
    identity: (u64, u64),
}

/// Opens (or creates) the state directory `dir` and loads what it holds into `state`; from here on `state`
/// journals its mutations. Nothing is written to an existing file unless all of it could be read.
pub fn open(dir: &Path, state: &mut State) -> Result<(Opened, Loaded), PersistError> {
    std::fs::create_dir_all(dir).map_err(|source| PersistError::CreateDir { path: dir.to_owned(), source })?;
    let path = dir.join(FILE_NAME);
    let open_failed = |source| PersistError::OpenFile { path: path.clone(), source };
    if let Some(e) = fault::io("persist::open") {
        return Err(open_failed(e));
    }
    // Never truncate, and create only when there is nothing: an empty file (a first start that died before redb
    // wrote anything) holds no state and is initialized; anything else must be a database.
    let file =
        OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(open_failed)?;
    let meta = file.metadata().map_err(open_failed)?;
    let identity = (meta.dev(), meta.ino());
    let (backend, guard) = GuardedFile::new(file, true).map_err(open_failed)?;

    let recovered = Arc::new(AtomicBool::new(false));
    let mut builder = Database::builder();
    builder.set_cache_size(CACHE_BYTES);
    {
        let recovered = recovered.clone();
        builder.set_repair_callback(move |_| recovered.store(true, Ordering::Relaxed));
    }
    let unusable = |what: String| PersistError::Unusable { path: path.clone(), what };
    let mut db = quietly(|| builder.create_with_backend(backend))
        .map_err(|panic| unusable(format!("reading it failed ({panic})")))?
        .map_err(|e| open_error(&path, e))?;
    if recovered.load(Ordering::Relaxed) {
        tracing::info!(
            file = %path.display(),
            "the state directory was not closed cleanly (the server was killed or the machine stopped): redb \
             recovered the last complete commit"
        );
    }
    match quietly(|| db.check_integrity()) {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => return Err(unusable("it fails redb's integrity check (it was damaged or changed)".into())),
        Ok(Err(e)) => return Err(open_error(&path, e)),
        Err(panic) => return Err(unusable(format!("checking it failed ({panic})"))),
    }
    let (loaded, used) = match quietly(|| load(&db, &path, state)) {
        Ok(result) => result?,
        Err(panic) => return Err(unusable(format!("reading its records failed ({panic})"))),
    };
    // Everything was readable: what redb wrote meanwhile (its recovery, the check) may reach the file now.
    tracing::debug!(writes = guard.deferred_writes(), "replaying the writes of the open");
    guard.persist().map_err(|source| PersistError::Write { path: path.clone(), source })?;
    prepare(&db, Some(&used)).map_err(|e| PersistError::Storage { path: path.clone(), what: e.to_string() })?;
    state.enable_journal();
    Ok((Opened { db, file: DbFile { dir: dir.to_owned(), path, identity } }, loaded))
}

/// Why redb would not open the file at start, as one line.
fn open_error(path: &Path, e: redb::DatabaseError) -> PersistError {
    let unusable = |what: String| PersistError::Unusable { path: path.to_owned(), what };
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen | redb::DatabaseError::LockProtocolMismatch => {
            PersistError::InUse { path: path.to_owned() }
        }
        redb::DatabaseError::UpgradeRequired(v) => {
            unusable(format!("it is a redb file of the old format {v}, which this lambdalite cannot read"))
        }
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(what)) => {
            unusable(format!("it is damaged or truncated ({what})"))
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(e)) if e.kind() == io::ErrorKind::InvalidData => {
            unusable(format!("it is not a lambdalite database ({e})"))
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
            unusable(format!("it is truncated ({e})"))
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(source)) => {
            PersistError::OpenFile { path: path.to_owned(), source }
        }
        other => unusable(other.to_string()),
    }
}

/// Runs `f`, turning a panic (redb checks some invariants of a file with assertions) into `Err(message)` without
/// the panic being printed: the caller reports it as one line.
fn quietly<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    static CAUGHT: Mutex<Option<String>> = Mutex::new(None);
    let me = thread::current().id();
    let previous: Arc<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync> = Arc::from(std::panic::take_hook());
    let forward = previous.clone();
    std::panic::set_hook(Box::new(move |info| {
        if thread::current().id() == me {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            *CAUGHT.lock().unwrap_or_else(|e| e.into_inner()) = Some(message);
        } else {
            forward(info);
        }
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let _ = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| previous(info)));
    result.map_err(|_| CAUGHT.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_else(|| "a panic".into()))
}

impl Opened {
    /// Writes what `state`'s journal holds now, before the writer runs (the `--init` file's resources).
    pub fn commit_now(&mut self, state: &mut State) -> Result<(), String> {
        let Some(journal) = state.take_journal() else { return Ok(()) };
        let (ack, _pending) = oneshot::channel();
        let batch = batch(state, journal, ack);
        commit(&self.db, &Repair::default(), std::slice::from_ref(&batch)).map_err(|f| f.detail)
    }

    /// Starts the writer thread for the store whose state is `state`.
    pub fn start(self, state: Arc<RwLock<State>>) -> io::Result<Durable> {
        let (tx, rx) = mpsc::channel();
        let writer = Writer {
            db: Some(self.db),
            file: self.file,
            state,
            rx,
            dirty: HashSet::new(),
            rewrite_all: false,
            fault: None,
        };
        thread::Builder::new().name("lambdalite-persist".into()).spawn(move || writer.run())?;
        Ok(Durable { tx })
    }
}

impl Durable {
    /// Takes `state`'s journal and queues what it names for the writer. Called under the write lock, right after
    /// the operation, so batches are queued in the order they were applied. `None` when nothing was touched.
    pub fn submit(&self, state: &mut State) -> Option<Pending> {
        let journal = state.take_journal()?;
        let (ack, pending) = oneshot::channel();
        // A send fails only when the writer thread is gone; dropping `ack` then makes `pending` fail.
        let _ = self.tx.send(batch(state, journal, ack));
        Some(pending)
    }
}

fn batch(state: &State, journal: Journal, ack: oneshot::Sender<Result<(), String>>) -> Batch {
    let Journal { reset, touched, undo } = journal;
    let records = touched.into_iter().map(|key| record(state, key)).collect();
    Batch { reset, records, undo, ack }
}

/// What [`open`] found in the directory.
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

/// What a commit writes before its batches to make the disk agree with memory again after a failure.
#[derive(Default)]
struct Repair {
    /// Drop every record first (the file is new, or a reset may or may not have reached it).
    all: bool,
    records: Vec<Record>,
}

/// Why a commit did not happen, for the log and the client.
#[derive(Debug, Clone)]
struct Failure {
    cause: Cause,
    /// What went wrong, in a few words with the OS's error (the client's 500 carries it too).
    detail: String,
    /// redb refuses everything after an I/O error: the database must be reopened.
    reopen: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// ENOSPC, EDQUOT.
    Full,
    /// EROFS, EACCES, EPERM.
    ReadOnly,
    /// The file is not where it was (and could not be made anew).
    Removed,
    /// Another file is where ours was.
    Replaced,
    /// Anything else: EIO, a failed commit.
    Failed,
}

impl Failure {
    fn io(e: &io::Error, what: &str) -> Failure {
        let cause = match e.raw_os_error() {
            Some(28 | 122) => Cause::Full,
            Some(1 | 13 | 30) => Cause::ReadOnly,
            _ if e.kind() == io::ErrorKind::StorageFull => Cause::Full,
            _ if e.kind() == io::ErrorKind::ReadOnlyFilesystem || e.kind() == io::ErrorKind::PermissionDenied => {
                Cause::ReadOnly
            }
            _ => Cause::Failed,
        };
        Failure { cause, detail: format!("{what}: {e}"), reopen: true }
    }

    /// A redb error of a commit: I/O errors by their errno, anything else as a failure that needs a reopen too.
    fn redb(e: impl Into<redb::Error>, what: &str) -> Failure {
        match e.into() {
            redb::Error::Io(e) => Failure::io(&e, what),
            other => Failure { cause: Cause::Failed, detail: format!("{what}: {other}"), reopen: true },
        }
    }

    /// What the log tells the user to do.
    fn advice(&self, file: &DbFile) -> String {
        let dir = file.dir.display();
        match self.cause {
            Cause::Full => format!("free space on the filesystem of {dir}; writes resume by themselves"),
            Cause::ReadOnly => format!(
                "make {dir} writable again (was its filesystem remounted read-only, or its permissions changed?); \
                 writes resume by themselves"
            ),
            Cause::Removed => format!("lambdalite keeps trying to create {} from memory", file.path.display()),
            Cause::Replaced => format!(
                "another file took the place of {} while lambdalite was running; it is not touched: restart \
                 lambdalite to serve it, or put the original back",
                file.path.display()
            ),
            Cause::Failed => "check the disk (dmesg); lambdalite tries again every second".to_owned(),
        }
    }
}

/// A failure that is still going on.
struct Ongoing {
    failure: Failure,
    since: Instant,
    refused: u64,
}

/// The writer thread: one transaction and one commit for every batch waiting, then the acknowledgements; on a
/// failure, the refusals and the recovery described in the module documentation.
struct Writer {
    /// `None` after an I/O error, until reopened.
    db: Option<Database>,
    file: DbFile,
    /// The store's state, for taking refused writes back and for writing dirty entities again.
    state: Arc<RwLock<State>>,
    rx: mpsc::Receiver<Batch>,
    /// Entities whose record on disk may differ from memory (a commit that wrote them failed).
    dirty: HashSet<EntityKey>,
    /// Everything must be written again (the file is new, or a failed reset may or may not have reached it).
    rewrite_all: bool,
    fault: Option<Ongoing>,
}

impl Writer {
    fn run(mut self) {
        loop {
            let first = if self.fault.is_some() {
                match self.rx.recv_timeout(RETRY_EVERY) {
                    Ok(b) => Some(b),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            } else {
                match self.rx.recv() {
                    Ok(b) => Some(b),
                    Err(_) => return,
                }
            };
            let mut batches: Vec<Batch> = first.into_iter().collect();
            while batches.len() < MAX_BATCHES_PER_COMMIT {
                match self.rx.try_recv() {
                    Ok(b) => batches.push(b),
                    Err(_) => break,
                }
            }
            self.round(batches);
        }
    }

    /// Every batch waiting, however many: called under a lock, when what is in memory is about to be copied or
    /// taken back, so nothing applied before that moment is left behind in the queue.
    fn drain_all(&self, batches: &mut Vec<Batch>) {
        while let Ok(b) = self.rx.try_recv() {
            batches.push(b);
        }
    }

    /// One commit: the repair (if a failure left anything dirty), then `batches`; acknowledged or refused together.
    fn round(&mut self, mut batches: Vec<Batch>) {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.ensure_open()?;
            let repair = self.repair(&mut batches);
            let db = self.db.as_ref().expect("opened");
            commit(db, &repair, &batches)
        }))
        .unwrap_or_else(|_| Err(Failure { cause: Cause::Failed, detail: "the commit panicked".into(), reopen: true }));
        match result {
            Ok(()) => {
                self.dirty.clear();
                self.rewrite_all = false;
                if let Some(ongoing) = self.fault.take() {
                    tracing::warn!(
                        dir = %self.file.dir.display(),
                        after_ms = ongoing.since.elapsed().as_millis() as u64,
                        refused = ongoing.refused,
                        "the state directory can be written again; the writes refused meanwhile were not applied, \
                         and the disk holds exactly what is served"
                    );
                }
                for b in batches {
                    let _ = b.ack.send(Ok(()));
                }
            }
            Err(failure) => self.refuse(batches, failure),
        }
    }

    /// Makes `db` usable: checks that the file at the path is still the one open, reopens it after an I/O error,
    /// and makes a new one when it is gone.
    fn ensure_open(&mut self) -> Result<(), Failure> {
        let path = &self.file.path;
        let on_disk = match std::fs::metadata(path) {
            Ok(m) => Some((m.dev(), m.ino())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(Failure { reopen: false, ..Failure::io(&e, &format!("cannot look at {}", path.display())) })
            }
        };
        match on_disk {
            Some(identity) if identity == self.file.identity => {
                if self.db.is_none() {
                    self.db = Some(reopen(path)?);
                    tracing::info!(file = %path.display(), "reopened the database after the failure");
                }
                Ok(())
            }
            Some(_) => {
                self.db = None;
                Err(Failure {
                    cause: Cause::Replaced,
                    detail: format!("{} was replaced by another file", path.display()),
                    reopen: true,
                })
            }
            None => {
                if self.db.take().is_some() {
                    tracing::warn!(
                        file = %path.display(),
                        "the database file was removed while lambdalite was running (a cleaner of temporary \
                         files?); writing the whole state to a new one. Keep --state-dir out of such cleaners' reach"
                    );
                }
                let (db, identity) = create_anew(&self.file)?;
                self.db = Some(db);
                self.file.identity = identity;
                self.rewrite_all = true;
                Ok(())
            }
        }
    }

    /// The records that make the disk agree with memory again, copied under the read lock together with every
    /// batch queued by then (they were applied before the copy, so they must share its commit).
    fn repair(&mut self, batches: &mut Vec<Batch>) -> Repair {
        if !self.rewrite_all && self.dirty.is_empty() {
            return Repair::default();
        }
        let state = self.state.blocking_read();
        self.drain_all(batches);
        if self.rewrite_all {
            let mut keys = Vec::new();
            for (scope, ns) in state.namespaces() {
                keys.extend(ns.functions.keys().map(|n| EntityKey::Function(scope.clone(), n.clone())));
                keys.extend(ns.layers.keys().map(|n| EntityKey::Layer(scope.clone(), n.clone())));
            }
            return Repair { all: true, records: keys.into_iter().map(|k| record(&state, k)).collect() };
        }
        Repair { all: false, records: self.dirty.iter().map(|k| record(&state, k.clone())).collect() }
    }

    /// Refuses `batches` and every batch queued behind them: under one acquisition of the write lock, takes them
    /// back newest first, notes what they touched as dirty, and answers each with the failure.
    fn refuse(&mut self, mut batches: Vec<Batch>, failure: Failure) {
        if failure.reopen {
            // Dropping the handle closes the file; redb accepts nothing more from it after an I/O error.
            self.db = None;
        }
        let message = format!(
            "lambdalite could not write its state directory ({}); the request was not applied. See the server's log.",
            failure.detail
        );
        let refused;
        {
            let mut state = self.state.blocking_write();
            self.drain_all(&mut batches);
            for b in batches.iter_mut().rev() {
                state.undo(std::mem::take(&mut b.undo));
            }
            for b in &batches {
                self.rewrite_all |= b.reset;
                self.dirty.extend(b.records.iter().map(|r| r.key.clone()));
            }
            refused = batches.len() as u64;
            for b in batches {
                let _ = b.ack.send(Err(message.clone()));
            }
        }
        match &mut self.fault {
            Some(ongoing) if ongoing.failure.cause == failure.cause => {
                ongoing.refused += refused;
                tracing::debug!(error = %failure.detail, refused, "writes to the state directory still fail");
            }
            _ => {
                tracing::error!(
                    dir = %self.file.dir.display(),
                    error = %failure.detail,
                    refused,
                    "writes to the state directory fail: {}. Until then writes are refused (500 ServiceException) \
                     and taken back; nothing acknowledged is lost, and what is served is what is on disk",
                    failure.advice(&self.file)
                );
                let since = self.fault.as_ref().map_or_else(Instant::now, |o| o.since);
                let before = self.fault.as_ref().map_or(0, |o| o.refused);
                self.fault = Some(Ongoing { failure, since, refused: before + refused });
            }
        }
    }
}

/// Opens the file at `path` again after a failure (redb recovers it as after a crash).
fn reopen(path: &Path) -> Result<Database, Failure> {
    let what = format!("cannot reopen {}", path.display());
    if let Some(e) = fault::io("persist::open") {
        return Err(Failure::io(&e, &what));
    }
    let file = OpenOptions::new().read(true).write(true).open(path).map_err(|e| Failure::io(&e, &what))?;
    let (backend, _) = GuardedFile::new(file, false).map_err(|e| Failure::io(&e, &what))?;
    let mut builder = Database::builder();
    builder.set_cache_size(CACHE_BYTES);
    builder.create_with_backend(backend).map_err(|e| Failure::redb(e, &what))
}

/// A new, empty database where the old file was, its tables made.
fn create_anew(file: &DbFile) -> Result<(Database, (u64, u64)), Failure> {
    let what = format!("{} is gone and cannot be created again", file.path.display());
    let fail = |e: &io::Error| Failure { cause: Cause::Removed, ..Failure::io(e, &what) };
    if let Some(e) = fault::io("persist::open") {
        return Err(fail(&e));
    }
    std::fs::create_dir_all(&file.dir).map_err(|e| fail(&e))?;
    let f = OpenOptions::new().read(true).write(true).create_new(true).open(&file.path).map_err(|e| fail(&e))?;
    let meta = f.metadata().map_err(|e| fail(&e))?;
    let (backend, _) = GuardedFile::new(f, false).map_err(|e| fail(&e))?;
    let mut builder = Database::builder();
    builder.set_cache_size(CACHE_BYTES);
    let db = builder.create_with_backend(backend).map_err(|e| Failure::redb(e, &what))?;
    prepare(&db, None).map_err(|e| Failure::redb(e, &what))?;
    Ok((db, (meta.dev(), meta.ino())))
}

/// One transaction: `repair`, then every batch in order, then the commit.
fn commit(db: &Database, repair: &Repair, batches: &[Batch]) -> Result<(), Failure> {
    let failed = |e: redb::Error| Failure::redb(e, "commit failed");
    let txn = db.begin_write().map_err(|e| failed(e.into()))?;
    {
        let mut tables = Tables::open(&txn).map_err(failed)?;
        let mut write = || -> Result<(), redb::Error> {
            if repair.all {
                tables.clear()?;
            }
            for r in &repair.records {
                tables.put(r)?;
            }
            for batch in batches {
                if batch.reset {
                    tables.clear()?;
                }
                for r in &batch.records {
                    tables.put(r)?;
                }
            }
            Ok(())
        };
        write().map_err(failed)?;
    }
    if let Some(arg) = fault::fires("persist::commit") {
        if arg != "after" {
            // The transaction is dropped: nothing was written.
            return Err(Failure { cause: Cause::Failed, detail: "commit failed (injected)".into(), reopen: false });
        }
        txn.commit().map_err(|e| failed(e.into()))?;
        return Err(Failure {
            cause: Cause::Failed,
            detail: "the disk did not confirm the commit (injected)".into(),
            reopen: false,
        });
    }
    txn.commit().map_err(|e| failed(e.into()))?;
    Ok(())
}

/// The record tables, open in one write transaction.
struct Tables<'t> {
    functions: redb::Table<'t, (&'static str, &'static str, &'static str), &'static [u8]>,
    layers: redb::Table<'t, (&'static str, &'static str, &'static str), &'static [u8]>,
    blobs: redb::Table<'t, &'static str, &'static [u8]>,
}

impl<'t> Tables<'t> {
    fn open(txn: &'t redb::WriteTransaction) -> Result<Self, redb::Error> {
        Ok(Tables {
            functions: txn.open_table(FUNCTIONS)?,
            layers: txn.open_table(LAYERS)?,
            blobs: txn.open_table(BLOBS)?,
        })
    }

    /// Writes (or removes) one record, and the zips it refers to that are not stored yet.
    fn put(&mut self, r: &Record) -> Result<(), redb::Error> {
        let (scope, name) = key_parts(&r.key);
        let key = (scope.account.as_str(), scope.region.as_str(), name);
        let table = match r.key {
            EntityKey::Function(..) => &mut self.functions,
            EntityKey::Layer(..) => &mut self.layers,
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
            if self.blobs.get(sha.as_str())?.is_none() {
                self.blobs.insert(sha.as_str(), &**zip)?;
            }
        }
        Ok(())
    }

    /// Empties every table.
    fn clear(&mut self) -> Result<(), redb::Error> {
        self.functions.retain(|_, _| false)?;
        self.layers.retain(|_, _| false)?;
        self.blobs.retain(|_, _| false)?;
        Ok(())
    }
}

/// Stamps the format (on a database that has none yet) and makes the tables; with `used`, drops the blobs not in it
/// (code of deleted functions and versions).
fn prepare(db: &Database, used: Option<&HashSet<String>>) -> Result<(), redb::Error> {
    let txn = db.begin_write()?;
    {
        let mut meta = txn.open_table(META)?;
        if meta.get("format")?.is_none() {
            meta.insert("format", FORMAT)?;
        }
        txn.open_table(FUNCTIONS)?;
        txn.open_table(LAYERS)?;
        let mut blobs = txn.open_table(BLOBS)?;
        if let Some(used) = used {
            blobs.retain(|sha, _| used.contains(sha))?;
        }
    }
    txn.commit()?;
    Ok(())
}

/// A table of a read transaction, `None` when it was never made (a new or an old database).
fn optional<T>(table: Result<T, TableError>) -> Result<Option<T>, redb::Error> {
    match table {
        Ok(t) => Ok(Some(t)),
        Err(TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Loads every record into `state` (before its journal is on), reading only: the file is not changed here. Also
/// returns the blobs the records refer to.
fn load(db: &Database, path: &Path, state: &mut State) -> Result<(Loaded, HashSet<String>), PersistError> {
    let corrupt = |what: String| PersistError::Unusable { path: path.to_owned(), what };
    let storage = |e: redb::Error| corrupt(format!("reading it failed ({e})"));
    let txn = db.begin_read().map_err(|e| storage(e.into()))?;
    if let Some(meta) = optional(txn.open_table(META)).map_err(storage)? {
        match meta.get("format").map_err(|e| storage(e.into()))?.map(|v| v.value()) {
            None | Some(FORMAT) => {}
            Some(found) if found > FORMAT => return Err(PersistError::Format { path: path.to_owned(), found }),
            Some(found) => return Err(corrupt(format!("its record format {found} is unknown"))),
        }
    }
    let blobs = optional(txn.open_table(BLOBS)).map_err(storage)?;
    let mut used = HashSet::new();
    // One copy in memory of each zip, however many versions hold it (as on disk).
    let mut zips: std::collections::HashMap<String, Arc<[u8]>> = std::collections::HashMap::new();
    let mut fill = |code: &mut Code, owner: &str| -> Result<(), PersistError> {
        if code.zip.is_none() {
            return Ok(());
        }
        if let Some(zip) = zips.get(&code.sha256) {
            code.zip = Some(zip.clone());
            return Ok(());
        }
        let bytes = blobs
            .as_ref()
            .map(|b| b.get(code.sha256.as_str()))
            .transpose()
            .map_err(|e| storage(e.into()))?
            .flatten()
            .ok_or_else(|| corrupt(format!("{owner}: the zip {} is missing", code.sha256)))?;
        let zip: Arc<[u8]> = Arc::from(bytes.value());
        zips.insert(code.sha256.clone(), zip.clone());
        code.zip = Some(zip);
        used.insert(code.sha256.clone());
        Ok(())
    };
    let mut loaded = Loaded::default();
    if let Some(functions) = optional(txn.open_table(FUNCTIONS)).map_err(storage)? {
        for entry in functions.iter().map_err(|e| storage(e.into()))? {
            let (key, value) = entry.map_err(|e| storage(e.into()))?;
            let (account, region, name) = key.value();
            let owner = format!("function {account}/{region}/{name}");
            let mut f: Function =
                serde_json::from_slice(value.value()).map_err(|e| corrupt(format!("{owner}: {e}")))?;
            fill(&mut f.latest.code, &owner)?;
            for v in f.versions.values_mut() {
                fill(&mut v.config.code, &owner)?;
            }
            state.insert_function(&Scope::new(account, region), f);
            loaded.functions += 1;
        }
    }
    if let Some(layers) = optional(txn.open_table(LAYERS)).map_err(storage)? {
        for entry in layers.iter().map_err(|e| storage(e.into()))? {
            let (key, value) = entry.map_err(|e| storage(e.into()))?;
            let (account, region, name) = key.value();
            let owner = format!("layer {account}/{region}/{name}");
            let mut l: Layer = serde_json::from_slice(value.value()).map_err(|e| corrupt(format!("{owner}: {e}")))?;
            for v in l.versions.values_mut() {
                fill(&mut v.content, &owner)?;
            }
            state.insert_layer(&Scope::new(account, region), l);
            loaded.layers += 1;
        }
    }
    Ok((loaded, used))
}
