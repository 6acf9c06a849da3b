//! The running process, as an administrator meets it: backups while it serves, stopping it
//! with SIGTERM, and clients that are slow on purpose.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::{BIN, run_with_stdin, serve};
use crate::helpers::{LEAD, PASSWORD};

/// A database with an admin and an API token for them, made by the command line.
fn database_with_token(dir: &Path) -> (PathBuf, String) {
    let db = dir.join("plantrack.db");
    let out = run_with_stdin(&["user", "add", "--role", "admin", "chief"], &db, &format!("{PASSWORD}\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run_with_stdin(&["user", "token", "chief"], &db, "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (db, String::from_utf8(out.stdout).unwrap().trim().to_owned())
}

/// Enters `value` for the lead time in `quarter` through the API.
async fn put_figure(url: &str, token: &str, quarter: &str, value: f64) {
    let res = reqwest::Client::new()
        .put(format!("{url}/api/metrics/{LEAD}/values/{quarter}"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "value": value, "note": "进程测试" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

/// The figure entered for the lead time in `quarter`, read from the file at `db` alone.
fn figure_in(db: &Path, quarter: &str) -> Option<f64> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row(
        "SELECT v.value FROM reported_value v JOIN metric m ON m.id = v.metric_id WHERE m.key = ?1 AND v.quarter = ?2",
        [LEAD, quarter],
        |r| r.get(0),
    )
    .ok()
}

fn wal_len(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(0, |m| m.len())
}

fn backup(db: &Path, file: &Path, force: bool) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("backup").arg(file).arg("--db").arg(db);
    if force {
        cmd.arg("--force");
    }
    cmd.output().unwrap()
}

#[tokio::test]
async fn a_backup_taken_while_serving_holds_the_latest_writes_and_passes_integrity_check() {
    let dir = tempfile::tempdir().unwrap();
    let (db, token) = database_with_token(dir.path());
    let (_server, url) = serve(Command::new(BIN).args(["serve", "--addr", "127.0.0.1:0", "--db"]).arg(&db));
    put_figure(&url, &token, "2022Q3", 44.5).await;
    assert!(wal_len(&db) > 0, "the write is still in the -wal file, where a plain copy would miss it");

    let copy = dir.path().join("backup").join("copy.db");
    std::fs::create_dir(copy.parent().unwrap()).unwrap();
    let out = backup(&db, &copy, false);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("完整性检查通过") && said.contains("1 个季度数值"), "{said}");
    assert_eq!(figure_in(&copy, "2022Q3"), Some(44.5));
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "delete", "the copy is one self-contained file");
    drop(conn);

    // An existing file is kept unless --force; the server still serves and writes.
    put_figure(&url, &token, "2022Q4", 45.0).await;
    let out = backup(&db, &copy, false);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("已存在:请换一个文件名,或加 --force 覆盖"));
    assert_eq!(figure_in(&copy, "2022Q4"), None, "untouched");
    assert!(backup(&db, &copy, true).status.success());
    assert_eq!(figure_in(&copy, "2022Q4"), Some(45.0));
    let leftovers: Vec<_> =
        std::fs::read_dir(copy.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["copy.db"], "no partial file or journal is left beside the backup");

    let out = backup(&dir.path().join("missing.db"), &dir.path().join("x.db"), false);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("不存在"));
    assert!(!dir.path().join("missing.db").exists(), "a backup never creates the database");
}
