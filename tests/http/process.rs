//! The running process, as an administrator meets it: backups while it serves, stopping it
//! with SIGTERM, and clients that are slow on purpose.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

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

/// `http://127.0.0.1:1234` → `127.0.0.1:1234`.
fn host_of(url: &str) -> String {
    url.trim_start_matches("http://").trim_end_matches('/').to_owned()
}

fn connect(url: &str) -> TcpStream {
    let stream = TcpStream::connect(host_of(url)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream
}

/// Reads until the server closes the connection: what it sent, and how long that took.
fn read_until_closed(mut stream: &TcpStream, since: Instant) -> (String, Duration) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("connection still open after {:?}: {e}", since.elapsed()),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), since.elapsed())
}

/// Reads one response whose body has a `Content-Length`.
fn read_response(stream: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "closed before a whole response: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let len: usize = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                return text;
            }
        }
    }
}

fn within(what: &str, took: Duration, low: f64, high: f64) {
    eprintln!("{what}: closed after {:.2} s", took.as_secs_f64());
    assert!((low..=high).contains(&took.as_secs_f64()), "{what}: closed after {took:?}, expected {low}–{high} s");
}

#[test]
fn slow_and_idle_clients_are_disconnected_after_their_timeouts() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = serve(
        Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--header-timeout-secs", "2", "--idle-timeout-secs", "3", "--db"])
            .arg(dir.path().join("slow.db")),
    );
    // Half a header, then nothing.
    let stalled = connect(&url);
    (&stalled).write_all(b"GET /static/style.css HTTP/1.1\r\nHost: plantrack\r\nUser-Agent: sl").unwrap();
    let stalled_since = Instant::now();
    // A header one byte at a time, never finished: the timeout is for the whole header.
    let trickle = connect(&url);
    let trickling = {
        let trickle = trickle.try_clone().unwrap();
        std::thread::spawn(move || {
            for b in b"GET /static/style.css HTTP/1.1\r\nHost: plantrack\r\nX-Slow: ".iter().cycle().take(60) {
                if (&trickle).write_all(&[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };
    let trickle_since = Instant::now();
    // Headers sent, then half the body and nothing more: the idle timeout.
    let mid_body = connect(&url);
    (&mid_body)
        .write_all(b"POST /login HTTP/1.1\r\nHost: plantrack\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=chief")
        .unwrap();
    let mid_body_since = Instant::now();
    // A whole request, answered, then the kept-alive connection left idle.
    let mut kept = connect(&url);
    kept.write_all(b"GET /static/style.css HTTP/1.1\r\nHost: plantrack\r\n\r\n").unwrap();
    assert!(read_response(&mut kept).starts_with("HTTP/1.1 200"));
    let kept_since = Instant::now();

    let (said, took) = read_until_closed(&stalled, stalled_since);
    within("half a header", took, 1.5, 4.5);
    assert!(!said.contains("200 OK"), "{said}");
    let (said, took) = read_until_closed(&trickle, trickle_since);
    within("a header sent a byte every 200 ms", took, 1.5, 4.5);
    assert!(!said.contains("200 OK"), "{said}");
    let (said, took) = read_until_closed(&kept, kept_since);
    within("an idle kept-alive connection", took, 1.5, 4.5);
    assert!(said.is_empty(), "{said}");
    let (_, took) = read_until_closed(&mid_body, mid_body_since);
    within("half a body", took, 2.5, 6.0);
    trickling.join().unwrap();

    // The server itself is as good as before.
    let mut fresh = connect(&url);
    fresh.write_all(b"GET /static/style.css HTTP/1.1\r\nHost: plantrack\r\n\r\n").unwrap();
    assert!(read_response(&mut fresh).starts_with("HTTP/1.1 200"));
}

#[test]
fn past_the_connection_cap_a_client_waits_until_a_place_frees() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = serve(
        Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--max-connections", "2", "--header-timeout-secs", "30", "--db"])
            .arg(dir.path().join("cap.db")),
    );
    let first = connect(&url);
    let _second = connect(&url);
    std::thread::sleep(Duration::from_millis(300));
    let mut third = connect(&url);
    third.write_all(b"GET /static/style.css HTTP/1.1\r\nHost: plantrack\r\n\r\n").unwrap();
    third.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let mut buf = [0u8; 64];
    let waited = third.read(&mut buf);
    assert!(
        matches!(&waited, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "answered past the cap: {waited:?}"
    );
    let freed = Instant::now();
    drop(first);
    third.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    assert!(read_response(&mut third).starts_with("HTTP/1.1 200"));
    eprintln!("past the cap: answered {:.2} s after a place freed", freed.elapsed().as_secs_f64());
}

/// Sends SIGTERM, as systemd and docker do, with the `kill` command.
fn sigterm(child: &Child) {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> (ExitStatus, Duration) {
    let since = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status, since.elapsed());
        }
        assert!(since.elapsed() < limit, "still running {limit:?} after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn sigterm_finishes_the_request_under_way_checkpoints_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (db, token) = database_with_token(dir.path());
    let (mut server, url) = serve(Command::new(BIN).args(["serve", "--addr", "127.0.0.1:0", "--db"]).arg(&db));
    put_figure(&url, &token, "2023Q1", 46.5).await;
    assert!(wal_len(&db) > 0, "the write is in the -wal file before the stop");
    // A failed sign-in, recorded with the client's address (ConnectInfo still reaches it).
    let browser = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let page = browser.get(format!("{url}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::helpers::hidden_csrf(&page).unwrap();
    let form = [("name", "chief"), ("password", "wrong-password-here"), ("csrf", csrf.as_str())];
    assert_eq!(browser.post(format!("{url}/login")).form(&form).send().await.unwrap().status(), 401);

    // A request under way when the signal comes: half its headers are in.
    let mut under_way = connect(&url);
    under_way.write_all(b"GET /static/style.css HTTP/1.1\r\nHost: plantrack\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let signalled = Instant::now();
    sigterm(&server.0);
    std::thread::sleep(Duration::from_millis(300));
    under_way.write_all(b"Accept: text/html\r\n\r\n").unwrap();
    let answer = read_response(&mut under_way);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    drop(under_way);

    let (status, _) = wait_for_exit(&mut server.0, Duration::from_secs(20));
    eprintln!("SIGTERM: exited {:.2} s after the signal", signalled.elapsed().as_secs_f64());
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert_eq!(wal_len(&db), 0, "the WAL was checkpointed into the .db file");
    // The .db file alone, copied elsewhere without its -wal, holds the write.
    let alone = dir.path().join("alone");
    std::fs::create_dir(&alone).unwrap();
    std::fs::copy(&db, alone.join("plantrack.db")).unwrap();
    assert_eq!(figure_in(&alone.join("plantrack.db"), "2023Q1"), Some(46.5));
    let conn = rusqlite::Connection::open(alone.join("plantrack.db")).unwrap();
    let addr: String = conn.query_row("SELECT addr FROM login_attempt", [], |r| r.get(0)).unwrap();
    assert_eq!(addr, "127.0.0.1");
    // New connections are refused once the server has gone.
    assert!(TcpStream::connect(host_of(&url)).is_err());
}

#[test]
fn sigterm_right_after_start_is_a_clean_stop() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, _url) =
        serve(Command::new(BIN).args(["serve", "--addr", "127.0.0.1:0", "--db"]).arg(dir.path().join("quick.db")));
    sigterm(&server.0);
    let (status, took) = wait_for_exit(&mut server.0, Duration::from_secs(20));
    eprintln!("SIGTERM at start: exited after {:.2} s", took.as_secs_f64());
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert_eq!(wal_len(&dir.path().join("quick.db")), 0);
}

/// `plantrack serve --help`, its lines joined with single spaces.
fn serve_help() -> String {
    let out = Command::new(BIN).args(["serve", "--help"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_limits_default_to_ten_seconds_for_headers_and_say_so() {
    let help = serve_help();
    for flag in ["--header-timeout-secs <HEADER_TIMEOUT_SECS>", "--idle-timeout-secs", "--max-connections"] {
        assert!(help.contains(flag), "{help}");
    }
    let header = help.split("--header-timeout-secs").nth(1).unwrap().split("--idle-timeout-secs").next().unwrap();
    assert!(header.contains("[env: PLANTRACK_HEADER_TIMEOUT_SECS=]") && header.contains("[default: 10]"), "{header}");
}

#[test]
fn the_systemd_unit_stops_with_sigterm_as_its_own_user_and_sets_only_real_settings() {
    let unit = std::fs::read_to_string(crate::helpers::repo_path("docs/plantrack.service")).unwrap();
    for line in [
        "KillSignal=SIGTERM",
        "Restart=on-failure",
        "User=plantrack",
        "Environment=PLANTRACK_DB=/var/lib/plantrack/plantrack.db",
        "ExecStart=/usr/local/bin/plantrack serve",
    ] {
        assert!(unit.lines().any(|l| l == line), "missing {line}");
    }
    let help = serve_help();
    for var in unit.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| w.starts_with("PLANTRACK_")) {
        assert!(help.contains(&format!("[env: {var}=")), "{var} is no setting of `plantrack serve`");
    }
}

#[test]
fn sigterm_while_pages_are_being_warmed_is_a_clean_stop() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("many.db");
    let made = Command::new(BIN)
        .args(["scale-data", "--plans", "40", "--metrics", "20", "--quarters", "8", "--fill-quarters", "8", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let mut server = crate::helpers::KillOnDrop(
        Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(&db)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    while !lines.next().expect("the server names its address").unwrap().contains("http://") {}
    // Eighty-two pages to warm, a second or more of work for this build: the stop comes
    // while they are being rendered.
    sigterm(&server.0);
    let (status, took) = wait_for_exit(&mut server.0, Duration::from_secs(20));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    eprintln!("SIGTERM while warming: exited after {:.2} s", took.as_secs_f64());
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(rest.iter().all(|l| !l.contains("页面预热完成")), "the stop came before warming ended: {rest:?}");
    assert!(rest.iter().any(|l| l.contains("stopped cleanly")), "{rest:?}");
    assert_eq!(wal_len(&db), 0, "checkpointed: the warming's reads did not hold the WAL");
}
