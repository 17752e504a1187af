//! The in-memory store: one `State` behind one `tokio::sync::RwLock`.
//!
//! Every request takes the lock once. The critical section is a synchronous closure, so no `.await` can happen
//! while the guard is held: the type system rules it out rather than a convention. Read-modify-write operations
//! (RevisionId compare-and-swap included) run entirely inside one `write` call, which is what makes "of N
//! concurrent requests with the same RevisionId exactly one succeeds" hold.
//!
//! Why tokio's lock and not `std::sync::RwLock`: handlers never block a runtime thread waiting for a writer, and
//! with sync closures switching to a std or parking_lot lock is a one-line change if profiling ever says so.

use std::sync::Arc;
use tokio::sync::RwLock;

use crate::domain::state::State;

/// Shared handle to the state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<RwLock<State>>,
}

impl Store {
    pub fn new(state: State) -> Self {
        Store { inner: Arc::new(RwLock::new(state)) }
    }

    /// Runs `f` under the read lock.
    pub async fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        let guard = self.inner.read().await;
        f(&guard)
    }

    /// Runs `f` under the write lock: lookup, validation and mutation happen in one acquisition.
    pub async fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self.inner.write().await;
        f(&mut guard)
    }
}
