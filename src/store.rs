//! The state store: one `State` behind one `tokio::sync::RwLock`, optionally durable.
//!
//! Every request takes the lock once. The critical section is a synchronous closure, so no `.await` can happen
//! while the guard is held: the type system rules it out rather than a convention. Read-modify-write operations
//! (RevisionId compare-and-swap included) run entirely inside one `write` call, which is what makes "of N
//! concurrent requests with the same RevisionId exactly one succeeds" hold.
//!
//! With `--state-dir`, `write` also queues what the operation touched for the durable writer before it releases
//! the lock, and returns only once that is on disk (see [`crate::persist`]).
//!
//! Why tokio's lock and not `std::sync::RwLock`: handlers never block a runtime thread waiting for a writer, and
//! with sync closures switching to a std or parking_lot lock is a one-line change if profiling ever says so.

use std::sync::Arc;
use tokio::sync::RwLock;

use crate::domain::state::State;
use crate::error::Error;
use crate::persist::{Durable, Opened};

/// Shared handle to the state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<RwLock<State>>,
    durable: Option<Arc<Durable>>,
}

impl Store {
    /// An in-memory store.
    pub fn new(state: State) -> Self {
        Store { inner: Arc::new(RwLock::new(state)), durable: None }
    }

    /// A store whose writes are durable in the database `opened` (which journals `state`); starts its writer.
    pub fn durable(state: State, opened: Opened) -> std::io::Result<Self> {
        let inner = Arc::new(RwLock::new(state));
        let durable = opened.start(inner.clone())?;
        Ok(Store { inner, durable: Some(Arc::new(durable)) })
    }

    /// Runs `f` under the read lock.
    pub async fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        let guard = self.inner.read().await;
        f(&guard)
    }

    /// Runs `f` under the write lock: lookup, validation and mutation happen in one acquisition. With a state
    /// directory, returns once what `f` changed is durable, or a 500 `ServiceException` if it could not be written,
    /// in which case the writer has already taken the change back (see [`crate::persist`]).
    pub async fn write<T>(&self, f: impl FnOnce(&mut State) -> Result<T, Error>) -> Result<T, Error> {
        let (out, pending) = {
            let mut guard = self.inner.write().await;
            let out = f(&mut guard);
            (out, self.durable.as_ref().and_then(|d| d.submit(&mut guard)))
        };
        if let Some(pending) = pending {
            let written = pending.await.unwrap_or_else(|_| Err("the writer thread is gone".to_owned()));
            if let Err(message) = written {
                return Err(Error::StorageFailure(message));
            }
        }
        out
    }
}
