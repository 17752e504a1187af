//! The database file of `--state-dir` when something outside lambdalite gets at it, against the real binary:
//! - at start, a file that cannot be used (truncated, damaged, another format, a newer record format, no
//!   permission) stops the server with one line on stderr and exit status 1, and the file is left byte for byte as
//!   it was; a database without a format marker (an old one) opens; the recovery after a `kill -9` is logged;
//! - while running, the file removed (or its whole directory) is written anew from memory with a warning, and
//!   another file put in its place is not touched: writes are refused until a restart, which serves that file.

mod common;
#[path = "common/faults.rs"]
mod faults;

use std::path::Path;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use common::{create_function, TempDir};
use faults::{start, start_with, Server};

const FILE: &str = "lambdalite.redb";

/// A state directory holding a few functions, a layer and a policy, with the server stopped.
async fn populated() -> (TempDir, String) {
    let dir = TempDir::new("lambdalite-files");
    let server = start(&dir.0, &[]).expect("starts");
    let c = server.client();
    for i in 0..20 {
        create_function(&c, &format!("fn-{i}")).await;
    }
    c.add_permission()
        .function_name("fn-0")
        .statement_id("s")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .send()
        .await
        .unwrap();
    let exported = server.export();
    server.kill();
    (dir, exported)
}

/// Starts on `dir` expecting a refusal (see [`check_refusal`]) that leaves the file exactly as it was.
fn refused(dir: &Path, says: &str) -> String {
    let file = dir.join(FILE);
    let before = std::fs::read(&file).ok();
    let (status, stderr) =
        start(dir, &[("RUST_LOG", "warn")]).err().unwrap_or_else(|| panic!("started on a file that {says}"));
    assert_eq!(std::fs::read(&file).ok(), before, "the file is left byte for byte as it was");
    check_refusal(&file, status, &stderr, says)
}

/// Exit status 1 and one line naming the file and saying `says`, no panic.
fn check_refusal(file: &Path, status: std::process::ExitStatus, stderr: &str, says: &str) -> String {
    assert_eq!(status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].starts_with("lambdalite: --state-dir "), "{stderr}");
    assert!(lines[0].contains(file.to_str().unwrap()), "names the file: {stderr}");
    assert!(lines[0].contains(says), "says {says:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    println!("refused as it should be: {}", lines[0]);
    lines[0].to_owned()
}

#[tokio::test]
async fn a_truncated_file_is_refused_and_left_alone() {
    let (dir, exported) = populated().await;
    let file = dir.0.join(FILE);
    let good = std::fs::read(&file).unwrap();
    let mut refusals = 0;
    for keep in [good.len() / 2, good.len() - 4096, 4096, 100, 1] {
        std::fs::write(&file, &good[..keep]).unwrap();
        match start(&dir.0, &[("RUST_LOG", "warn")]) {
            Ok(server) => {
                // Only free space was cut (redb checks every page it reaches): then everything must be there.
                assert_eq!(server.export(), exported, "a cut at {keep} changed what is served");
                println!("a cut at {keep} of {} removed only free space: served intact", good.len());
                server.kill();
            }
            Err((status, stderr)) => {
                assert_eq!(std::fs::read(&file).unwrap(), &good[..keep], "the truncated file is left as it was");
                check_refusal(&file, status, &stderr, "the file was left as it is");
                refusals += 1;
            }
        }
        std::fs::write(&file, &good).unwrap();
    }
    assert!(refusals >= 4, "a file cut in half, or to its first page, is refused");
}

#[tokio::test]
async fn a_damaged_file_is_refused_and_left_alone() {
    let (dir, exported) = populated().await;
    let file = dir.0.join(FILE);
    let good = std::fs::read(&file).unwrap();
    // Damage in the header, in the middle (records and zips) and at the end of the file.
    for at in [40, good.len() / 3, good.len() / 2, good.len() - 5000] {
        let mut bad = good.clone();
        for b in &mut bad[at..at + 64] {
            *b ^= 0x5a;
        }
        std::fs::write(&file, &bad).unwrap();
        match start(&dir.0, &[("RUST_LOG", "warn")]) {
            Ok(server) => {
                // Damage in free space changes nothing that is read: then the server must serve the state intact.
                assert_eq!(server.export(), exported, "damage at {at} changed what is served");
                println!("damage at {at} of {} is in space nothing reads: served intact", good.len());
                server.kill();
            }
            Err((status, stderr)) => {
                assert_eq!(std::fs::read(&file).unwrap(), bad, "the damaged file is left as it was");
                check_refusal(&file, status, &stderr, "the file was left as it is");
            }
        }
        std::fs::write(&file, &good).unwrap();
    }
    // The good file still opens: nothing above wrote to it.
    let server = start(&dir.0, &[]).expect("the undamaged file opens");
    assert_eq!(server.export(), exported);
}

#[tokio::test]
async fn a_file_of_another_format_is_refused_and_left_alone() {
    let dir = TempDir::new("lambdalite-files");
    let file = dir.0.join(FILE);
    let sqlite = [b"SQLite format 3\0".as_slice(), &[0u8; 4080]].concat();
    let zip = common::zip_bytes("not a database");
    for content in [b"this is not a database\n".as_slice(), &sqlite, &zip, &[0xffu8; 8192]] {
        std::fs::write(&file, content).unwrap();
        refused(&dir.0, "the file was left as it is");
    }
}

#[tokio::test]
async fn a_newer_record_format_is_refused_and_an_old_database_without_a_marker_opens() {
    let (dir, exported) = populated().await;
    let file = dir.0.join(FILE);
    let meta: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("meta");
    let set_format = |format: Option<u64>| {
        let db = redb::Database::create(&file).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(meta).unwrap();
            match format {
                Some(f) => drop(t.insert("format", f).unwrap()),
                None => drop(t.remove("format").unwrap()),
            }
        }
        txn.commit().unwrap();
    };
    set_format(Some(lambdalite::persist::FORMAT + 1));
    let line = refused(&dir.0, "written by a newer lambdalite");
    assert!(line.contains(&format!("format {}", lambdalite::persist::FORMAT + 1)), "{line}");

    // A database from before the marker (none at all): opens as format 1, serves everything, and is stamped.
    set_format(None);
    let server = start(&dir.0, &[]).expect("an old database opens");
    assert_eq!(server.export(), exported);
    server.kill();
    let db = redb::Database::open(&file).unwrap();
    let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
    let stamped = txn.open_table(meta).unwrap().get("format").unwrap().map(|v| v.value());
    assert_eq!(stamped, Some(lambdalite::persist::FORMAT));
}

/// A command for the binary that runs as `nobody` when the test runs as root (root ignores permissions).
fn unprivileged() -> (std::process::Command, bool) {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_lambdalite"));
    // SAFETY: getuid(2) has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    if root {
        command.uid(65534).gid(65534);
    }
    (command, root)
}

#[tokio::test]
async fn a_directory_or_file_without_permission_is_refused_and_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _) = populated().await;
    let file = dir.0.join(FILE);
    let before = std::fs::read(&file).unwrap();
    let (_, root) = unprivileged();
    // The parents must let `nobody` reach the directory: the temp dir's are world-searchable.
    if root {
        std::os::unix::fs::chown(&dir.0, Some(0), Some(0)).unwrap();
    }
    for (dir_mode, file_mode) in [(0o000, 0o644), (0o755, 0o000), (0o755, 0o444)] {
        std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(dir_mode)).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(file_mode)).unwrap();
        let (command, _) = unprivileged();
        let (status, stderr) =
            start_with(command, &["--state-dir", dir.path()], &[("RUST_LOG", "warn")]).err().expect("refused");
        assert_eq!(status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("Permission denied") && stderr.contains(file.to_str().unwrap()), "{stderr}");
        println!("refused as it should be (dir {dir_mode:o}, file {file_mode:o}): {}", stderr.trim());
    }
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), before, "the file is left byte for byte as it was");
}

#[tokio::test]
async fn the_recovery_after_a_kill_is_logged() {
    let (dir, exported) = populated().await;
    let server = start(&dir.0, &[]).expect("starts after the kill");
    assert!(server.log_says("was not closed cleanly"), "{}", server.log());
    assert_eq!(server.export(), exported);
}

async fn grant(c: &aws_sdk_lambda::Client, sid: &str) -> Result<(), String> {
    c.add_permission()
        .function_name("fn-0")
        .statement_id(sid)
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            let e = e.into_service_error();
            assert_eq!(e.code(), Some("ServiceException"), "{e:?}");
            e.message().unwrap_or_default().to_owned()
        })
}

#[tokio::test]
async fn a_file_removed_while_running_is_written_anew_from_memory() {
    let (dir, _) = populated().await;
    for remove_dir in [false, true] {
        let server = start(&dir.0, &[]).expect("starts");
        let c = server.client();
        grant(&c, "before").await.unwrap();
        if remove_dir {
            std::fs::remove_dir_all(&dir.0).unwrap();
        } else {
            std::fs::remove_file(dir.0.join(FILE)).unwrap();
        }
        // The next write notices, writes everything to a new file and is acknowledged.
        grant(&c, &format!("after-{remove_dir}")).await.expect("a write after the removal");
        assert!(server.log_says("the database file was removed while lambdalite was running"), "{}", server.log());
        let served = server.export();
        server.kill();
        let server = start(&dir.0, &[]).expect("restarts on the new file");
        assert_eq!(server.export(), served, "the new file holds everything served");
        c_remove(&server, "before").await;
        c_remove(&server, &format!("after-{remove_dir}")).await;
        server.kill();
    }
}

async fn c_remove(server: &Server, sid: &str) {
    server.client().remove_permission().function_name("fn-0").statement_id(sid).send().await.unwrap();
}

#[tokio::test]
async fn a_file_replaced_while_running_is_not_touched_and_writes_are_refused() {
    let (dir, exported) = populated().await;
    let (other, _) = populated().await;
    let server = start(&other.0, &[]).unwrap();
    create_function(&server.client(), "only-in-the-replacement").await;
    let other_exported = server.export();
    server.kill();
    let server = start(&dir.0, &[]).expect("starts");
    let c = server.client();
    grant(&c, "mine").await.unwrap();
    let served = server.export();
    // Someone puts another database in its place (rename, as a restore from a backup would).
    let replacement = dir.0.join("incoming");
    std::fs::copy(other.0.join(FILE), &replacement).unwrap();
    let replaced = std::fs::read(&replacement).unwrap();
    std::fs::rename(&replacement, dir.0.join(FILE)).unwrap();
    for i in 0..3 {
        let message = grant(&c, &format!("refused-{i}")).await.expect_err("refused");
        assert!(message.contains("was replaced by another file"), "{message}");
    }
    assert!(server.export() == served, "refused writes are not served");
    assert!(server.log_says("it is not touched: restart lambdalite to serve it"), "{}", server.log());
    server.kill();
    assert_eq!(std::fs::read(dir.0.join(FILE)).unwrap(), replaced, "the replacement was not written to");
    let server = start(&dir.0, &[]).expect("restarts");
    assert!(server.export() == other_exported, "a restart serves the replacement");
    assert!(other_exported != exported);
}
