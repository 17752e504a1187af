//! What the fault tests share: the tally they print (`--nocapture`), the ledger of acknowledged and refused writes
//! they check the served and the on-disk state against, and a tmpfs mount for the real full-disk test.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The figures one fault test prints and asserts: nothing acknowledged lost, nothing refused served or on disk.
#[derive(Debug, Default)]
pub struct Tally {
    pub name: &'static str,
    pub faults_injected: u64,
    pub writes_attempted: u64,
    pub acknowledged: u64,
    pub refused_5xx: u64,
    pub lost: u64,
    pub phantom: u64,
    pub recoveries: Vec<Duration>,
}

impl Tally {
    pub fn new(name: &'static str) -> Self {
        Tally { name, ..Tally::default() }
    }

    /// Prints the figures on one line and fails on any loss or phantom.
    pub fn report(&self) {
        let recovery = match self.recoveries.iter().max() {
            Some(max) => format!("{} ms (worst of {})", max.as_millis(), self.recoveries.len()),
            None => "none needed".to_owned(),
        };
        println!(
            "fault tally [{}]: faults injected {}, writes attempted {}, acknowledged {}, refused with 5xx {}, lost {}, \
             phantom {}, recovery time {recovery}",
            self.name,
            self.faults_injected,
            self.writes_attempted,
            self.acknowledged,
            self.refused_5xx,
            self.lost,
            self.phantom
        );
        assert_eq!(self.lost, 0, "[{}] acknowledged writes were lost", self.name);
        assert_eq!(self.phantom, 0, "[{}] refused writes are served or on disk", self.name);
        assert_eq!(
            self.acknowledged + self.refused_5xx,
            self.writes_attempted,
            "[{}] every write was answered",
            self.name
        );
    }
}

/// Acknowledged and refused names of one kind of write (function names, statement ids), checked against what a
/// server serves.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    pub acknowledged: BTreeSet<String>,
    pub refused: BTreeSet<String>,
}

impl Ledger {
    /// Counts, into `tally`, acknowledged names missing from `served` (lost) and refused names present (phantom).
    pub fn check(&self, served: &BTreeSet<String>, tally: &mut Tally, context: &str) {
        let lost: Vec<&String> = self.acknowledged.iter().filter(|n| !served.contains(*n)).collect();
        let phantom: Vec<&String> = self.refused.iter().filter(|n| served.contains(*n)).collect();
        if !lost.is_empty() || !phantom.is_empty() {
            println!("[{}] {context}: lost {lost:?}, phantom {phantom:?}", tally.name);
        }
        tally.lost += lost.len() as u64;
        tally.phantom += phantom.len() as u64;
    }
}

/// A small tmpfs mounted on a fresh directory (root only), unmounted when dropped.
pub struct Tmpfs {
    pub path: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (mount's syntax: `4m`); `Err` says why it could not.
    pub fn mount(size: &str) -> Result<Tmpfs, String> {
        let path = std::env::temp_dir().join(format!("lambdalite-tmpfs-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).map_err(|e| format!("mkdir: {e}"))?;
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0755"), "tmpfs"])
            .arg(&path)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            let _ = std::fs::remove_dir(&path);
            return Err(format!("mount failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok(Tmpfs { path })
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.path).status();
        let _ = std::fs::remove_dir(&self.path);
    }
}

/// Where a test cannot get what it needs from the machine: under `CI=true` that fails the test, elsewhere it says so
/// loudly and the test passes.
pub fn unavailable(what: &str, why: &str) {
    let banner = "!".repeat(100);
    eprintln!("{banner}\n!!! NOT RUN: {what}: {why}\n{banner}");
    println!("NOT RUN: {what}: {why}");
    assert!(std::env::var("CI").map_or(true, |v| v != "true"), "under CI=true this test must run: {what}: {why}");
}

/// `len` bytes no compressor shrinks, from `seed` (xorshift), as printable text so it can go into `zip_bytes`.
pub fn incompressible(seed: u64, len: usize) -> String {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect()
}

/// The size of every file under `dir`, for a note in the test output.
pub fn usage(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map_or(0, |entries| entries.filter_map(Result::ok).filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
}
