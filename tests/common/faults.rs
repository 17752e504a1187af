//! What the fault tests share: the tally they print (`--nocapture`), the ledger of acknowledged and refused writes
//! they check the served and the on-disk state against, and a tmpfs mount for the real full-disk test.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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

/// The binary with stderr kept in a file, so tests can read the log.
pub struct Server {
    child: Child,
    pub url: String,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Starts the server on `dir` with `env`; `Err((status, stderr))` when it exits before its ready line.
pub fn start(dir: &Path, env: &[(&str, &str)]) -> Result<Server, (std::process::ExitStatus, String)> {
    start_with(Command::new(env!("CARGO_BIN_EXE_lambdalite")), &["--state-dir", dir.to_str().unwrap()], env)
}

/// The binary as a prepared `command` (e.g. one that drops privileges before exec) with `args`.
pub fn start_with(
    mut command: Command,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<Server, (std::process::ExitStatus, String)> {
    let log = std::env::temp_dir().join(format!("lambdalite-faults-{}.log", uuid::Uuid::new_v4().simple()));
    let mut child = command
        .args(["--host", "127.0.0.1", "--port", "0"])
        .args(args)
        .env("RUST_LOG", "info,lambdalite::request=off")
        .env_remove("LAMBDALITE_INIT")
        .env_remove("FAILPOINTS")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("spawn lambdalite");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    match line.trim().strip_prefix("lambdalite listening on ") {
        Some(url) => Ok(Server { url: url.to_owned(), child, log }),
        None => {
            let status = child.wait().unwrap();
            let stderr = std::fs::read_to_string(&log).unwrap_or_default();
            let _ = std::fs::remove_file(&log);
            Err((status, stderr))
        }
    }
}

impl Server {
    pub fn client(&self) -> aws_sdk_lambda::Client {
        crate::common::client_for(&self.url, "AKIDEXAMPLE", "us-east-1")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Whether the log says `needle` within 5 s (log lines are written in batches, a few milliseconds late).
    pub fn log_says(&self, needle: &str) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's resident memory (VmRSS), in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("/proc status");
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// One raw HTTP request to the server: (status, body).
    pub fn http(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let authority = self.url.strip_prefix("http://").unwrap();
        let mut s = std::net::TcpStream::connect(authority).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let status = raw.split(' ').nth(1).unwrap().parse().unwrap();
        (status, raw.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default())
    }

    /// Sets fail point `name` to `actions` (`off` clears it).
    pub fn failpoint(&self, name: &str, actions: &str) {
        let (status, body) = self.http("PUT", &format!("/_lambdalite/test/failpoints/{name}"), actions);
        assert_eq!(status, 204, "failpoint {name}={actions}: {body}");
    }

    /// How many injected faults fired so far.
    pub fn injected(&self) -> u64 {
        let (status, body) = self.http("GET", "/_lambdalite/test/failpoints", "");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["injected"].as_u64().unwrap()
    }

    pub fn export(&self) -> String {
        let (status, body) = self.http("GET", "/_lambdalite/state", "");
        assert_eq!(status, 200);
        body
    }
}
