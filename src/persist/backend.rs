//! The storage backend redb writes through: redb's own [`FileBackend`], wrapped for two things.
//!
//! **A file is left as it was until it has been found good.** Opening a database writes to it even when nothing
//! changes (redb marks the file open and consistent), a crash recovery or integrity check commits, and our own
//! load stamps the format. If the file then turns out to be unusable (damaged, of a newer format, holding records
//! this build cannot read) the server must refuse to start and leave the file exactly as it found it. So while a
//! database is being opened and checked, the backend is *deferring*: writes, length changes and syncs are kept in
//! memory (reads see them) and nothing reaches the file. [`Guard::persist`] replays them onto the file in the
//! order redb issued them, each sync where redb asked for it, so a crash during the replay is a crash during redb's
//! own recovery, which redb handles. A refused file never sees the deferred writes: they are dropped with the
//! database.
//!
//! **Faults can be injected** (cargo feature `failpoints`, tests only): the fail points `persist::write`,
//! `persist::set_len` and `persist::sync` make that operation of the file fail with the errno their action names
//! (`return(enospc)`, `return(eio)`, `return(erofs)`, `return(eacces)`); a failing write or length change does
//! nothing, a failing sync syncs first and then reports the error (the outcome of the commit is unknown, which is
//! the hard case). See `persist::fault` for the names and how tests drive them.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io;
use std::ops::Bound;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use redb::backends::FileBackend;
use redb::{BackendError, StorageBackend};

use super::fault;

/// redb's file backend with deferral and fault injection; see the module documentation.
pub struct GuardedFile {
    inner: FileBackend,
    shared: Arc<Shared>,
}

/// What the backend and its [`Guard`] share.
struct Shared {
    /// Fast check for the common case: nothing is being deferred.
    deferring: AtomicBool,
    overlay: Mutex<Option<Overlay>>,
}

/// The handle that ends deferral: kept by whoever opened the database.
pub struct Guard {
    shared: Arc<Shared>,
    /// The file itself, for the replay (the backend redb owns writes through the same descriptor).
    file: Arc<FileWriter>,
}

/// Writes to the file with fault injection; shared by the backend and the replay.
struct FileWriter {
    file: File,
}

impl fmt::Debug for GuardedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardedFile").field("deferring", &self.shared.deferring.load(Ordering::Relaxed)).finish()
    }
}

impl GuardedFile {
    /// A backend on `file`. With `defer`, nothing reaches the file until [`Guard::persist`] is called.
    pub fn new(file: File, defer: bool) -> io::Result<(GuardedFile, Guard)> {
        let writer = Arc::new(FileWriter { file: file.try_clone()? });
        let len = file.metadata()?.len();
        let inner = FileBackend::new(file).map_err(io::Error::other)?;
        let overlay = defer.then(|| Overlay::new(len));
        let shared = Arc::new(Shared { deferring: AtomicBool::new(defer), overlay: Mutex::new(overlay) });
        Ok((GuardedFile { inner, shared: shared.clone() }, Guard { shared, file: writer }))
    }

    /// The deferred state, if deferring.
    fn overlay(&self) -> Option<std::sync::MutexGuard<'_, Option<Overlay>>> {
        if !self.shared.deferring.load(Ordering::Acquire) {
            return None;
        }
        let guard = self.shared.overlay.lock().unwrap_or_else(|e| e.into_inner());
        guard.is_some().then_some(guard)
    }
}

impl Guard {
    /// Replays what was deferred onto the file and stops deferring. `Err` leaves the file partly replayed, which
    /// redb recovers from on the next open as from a crash during its own recovery.
    pub fn persist(&self) -> io::Result<()> {
        let mut guard = self.shared.overlay.lock().unwrap_or_else(|e| e.into_inner());
        let Some(overlay) = guard.take() else { return Ok(()) };
        self.shared.deferring.store(false, Ordering::Release);
        for op in overlay.log {
            match op {
                Op::Write(offset, data) => self.file.write(offset, &data)?,
                Op::SetLen(len) => self.file.set_len(len)?,
                Op::Sync => self.file.sync()?,
            }
        }
        Ok(())
    }

    /// How many writes are being held back (for the log).
    pub fn deferred_writes(&self) -> usize {
        let guard = self.shared.overlay.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map_or(0, |o| o.log.iter().filter(|op| matches!(op, Op::Write(..))).count())
    }
}

impl FileWriter {
    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        if let Some(e) = fault::io("persist::write") {
            return Err(e);
        }
        self.file.write_all_at(data, offset)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        if let Some(e) = fault::io("persist::set_len") {
            return Err(e);
        }
        self.file.set_len(len)
    }

    fn sync(&self) -> io::Result<()> {
        self.file.sync_data()?;
        match fault::io("persist::sync") {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl StorageBackend for GuardedFile {
    fn len(&self) -> Result<u64, io::Error> {
        match self.overlay() {
            Some(o) => Ok(o.as_ref().expect("deferring").len),
            None => self.inner.len(),
        }
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), io::Error> {
        match self.overlay() {
            Some(o) => o.as_ref().expect("deferring").read(&self.inner, offset, out),
            None => self.inner.read(offset, out),
        }
    }

    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        match self.overlay() {
            Some(mut o) => {
                o.as_mut().expect("deferring").set_len(len);
                Ok(())
            }
            None => {
                if let Some(e) = fault::io("persist::set_len") {
                    return Err(e);
                }
                self.inner.set_len(len)
            }
        }
    }

    fn sync_data(&self) -> Result<(), io::Error> {
        match self.overlay() {
            Some(mut o) => {
                o.as_mut().expect("deferring").log.push(Op::Sync);
                Ok(())
            }
            None => {
                self.inner.sync_data()?;
                match fault::io("persist::sync") {
                    Some(e) => Err(e),
                    None => Ok(()),
                }
            }
        }
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        match self.overlay() {
            Some(mut o) => o.as_mut().expect("deferring").write(&self.inner, offset, data),
            None => {
                if let Some(e) = fault::io("persist::write") {
                    return Err(e);
                }
                self.inner.write(offset, data)
            }
        }
    }

    // Locks only ever touch the lock table, never the bytes, so they go straight to the file even while deferring:
    // a second server on the same directory is refused as before.
    fn close(&self) -> Result<(), io::Error> {
        self.inner.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }

    fn try_lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}

/// One deferred operation, in the order redb issued it.
enum Op {
    Write(u64, Vec<u8>),
    SetLen(u64),
    Sync,
}

const BLOCK: u64 = 4096;

/// The file as redb sees it while deferring: the real file's bytes below `file_valid`, zeros above, with the
/// deferred writes on top (by 4 KiB block); and the operations to replay.
struct Overlay {
    len: u64,
    /// Bytes of the real file at or past this offset no longer exist for redb (the storage was shortened there).
    file_valid: u64,
    blocks: HashMap<u64, Box<[u8]>>,
    log: Vec<Op>,
}

impl Overlay {
    fn new(len: u64) -> Self {
        Overlay { len, file_valid: len, blocks: HashMap::new(), log: Vec::new() }
    }

    /// Reads `out.len()` bytes at `offset` of block `block`'s underlying content (file bytes or zeros).
    fn read_base(&self, file: &FileBackend, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let end = offset + out.len() as u64;
        let from_file = end.min(self.file_valid).saturating_sub(offset) as usize;
        if from_file > 0 {
            file.read(offset, &mut out[..from_file])?;
        }
        out[from_file..].fill(0);
        Ok(())
    }

    fn read(&self, file: &FileBackend, offset: u64, out: &mut [u8]) -> io::Result<()> {
        if offset + out.len() as u64 > self.len {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "read past the end of the storage"));
        }
        let mut done = 0usize;
        while done < out.len() {
            let at = offset + done as u64;
            let block = at / BLOCK;
            let within = (at % BLOCK) as usize;
            let n = (BLOCK as usize - within).min(out.len() - done);
            match self.blocks.get(&block) {
                Some(b) => out[done..done + n].copy_from_slice(&b[within..within + n]),
                None => self.read_base(file, at, &mut out[done..done + n])?,
            }
            done += n;
        }
        Ok(())
    }

    fn write(&mut self, file: &FileBackend, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut done = 0usize;
        while done < data.len() {
            let at = offset + done as u64;
            let block = at / BLOCK;
            let within = (at % BLOCK) as usize;
            let n = (BLOCK as usize - within).min(data.len() - done);
            if !self.blocks.contains_key(&block) {
                let mut content = vec![0u8; BLOCK as usize].into_boxed_slice();
                self.read_base(file, block * BLOCK, &mut content)?;
                self.blocks.insert(block, content);
            }
            let b = self.blocks.get_mut(&block).expect("just inserted");
            b[within..within + n].copy_from_slice(&data[done..done + n]);
            done += n;
        }
        self.len = self.len.max(offset + data.len() as u64);
        self.log.push(Op::Write(offset, data.to_vec()));
        Ok(())
    }

    fn set_len(&mut self, len: u64) {
        if len < self.len {
            self.file_valid = self.file_valid.min(len);
            self.blocks.retain(|block, _| block * BLOCK < len);
            if let Some(b) = self.blocks.get_mut(&(len / BLOCK)) {
                b[(len % BLOCK) as usize..].fill(0);
            }
        }
        self.len = len;
        self.log.push(Op::SetLen(len));
    }
}
