//! The `plantrack` binary itself: flags, environment variables and their errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::KillOnDrop;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_plantrack");

/// Starts `plantrack serve` and waits for the address it logs; the server is stopped
/// when the first half of the pair is dropped.
pub(crate) fn serve(cmd: &mut Command) -> (KillOnDrop, String) {
    let mut server = KillOnDrop(cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap());
    let stdout = BufReader::new(server.0.stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(30);
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(at) = line.find("http://") {
            return (server, line[at..].trim().to_owned());
        }
        assert!(Instant::now() < deadline, "server did not start");
    }
    let mut err = String::new();
    std::io::Read::read_to_string(&mut server.0.stderr.take().unwrap(), &mut err).unwrap();
    panic!("server exited: {err}");
}

#[tokio::test]
async fn serve_takes_address_and_database_from_flags() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("flags.db");
    let (_server, url) =
        serve(Command::new(BIN).args(["serve", "--public-read", "--addr", "127.0.0.1:0", "--db"]).arg(&db));
    let body = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(body.contains("强对流天气预警时间提前量"));
    assert!(db.exists());
}

#[tokio::test]
async fn serve_takes_address_and_database_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.db");
    let (_server, url) = serve(
        Command::new(BIN)
            .arg("serve")
            .env("PLANTRACK_ADDR", "127.0.0.1:0")
            .env("PLANTRACK_DB", &db)
            .env("PLANTRACK_PUBLIC_READ", "true"),
    );
    let status = reqwest::get(format!("{url}/api/plans")).await.unwrap().status();
    assert_eq!(status, 200);
    assert!(db.exists());
}

#[test]
fn a_bad_flag_is_refused_with_a_message_and_nonzero_exit() {
    let out = Command::new(BIN).args(["serve", "--addr", "not-an-address"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("命令行参数有误") && err.contains("--addr"), "{err}");
}

#[test]
fn an_unknown_time_zone_is_refused_in_chinese_with_exit_code_2_from_flag_or_environment() {
    let from_flag = Command::new(BIN).args(["serve", "--timezone", "Asia/Beijing"]).output().unwrap();
    let from_env = Command::new(BIN).arg("demo").env("PLANTRACK_TIMEZONE", "UTC+8").output().unwrap();
    for (out, name) in [(from_flag, "Asia/Beijing"), (from_env, "UTC+8")] {
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("命令行参数有误") && err.contains(&format!("未知时区“{name}”")), "{err}");
    }
}

#[test]
fn an_address_in_use_is_refused_with_a_message_and_nonzero_exit() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN).args(["serve", "--addr", &addr, "--db"]).arg(dir.path().join("t.db")).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("无法监听地址 {addr}")) && err.contains("--addr"), "{err}");
}

#[test]
fn check_seeds_reports_the_plan_and_refuses_a_broken_directory() {
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let out = Command::new(BIN).args(["check-seeds", seeds]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("qijiang-meteorology-14: 5 章, 36 个指标"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), "[plan]\nkey = \"x\"\n").unwrap();
    let out = Command::new(BIN).arg("check-seeds").arg(dir.path()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
}

/// Runs `plantrack` with `stdin` as its standard input.
pub(crate) fn run_with_stdin(args: &[&str], db: &std::path::Path, stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn a_server_with_no_user_sends_visitors_to_the_setup_page_and_lets_nobody_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    let (_server, url) = serve(Command::new(BIN).args(["serve", "--addr", "127.0.0.1:0", "--db"]).arg(&db));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/setup");
    assert_eq!(client.get(format!("{url}/api/plans")).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn the_first_admin_is_added_from_the_command_line_and_can_sign_in_and_script() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("users.db");
    let out = run_with_stdin(&["user", "add", "--role", "admin", "chief"], &db, "a-long-secret-pass\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("已添加用户 chief(管理员)"));

    let short = run_with_stdin(&["user", "add", "--role", "viewer", "shorty"], &db, "short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("密码至少需要 10 个字符"));

    let token = run_with_stdin(&["user", "token", "chief"], &db, "");
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    assert_eq!(token.len(), 64);

    let list = run_with_stdin(&["user", "list"], &db, "");
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(list.contains("chief") && !list.contains("shorty"), "{list}");

    let (_server, url) = serve(Command::new(BIN).args(["serve", "--addr", "127.0.0.1:0", "--db"]).arg(&db));
    let client = reqwest::Client::new();
    let res = client.get(format!("{url}/api/plans")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let wrong = client.get(format!("{url}/api/plans")).bearer_auth("0".repeat(64)).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
}

#[test]
fn a_page_cache_size_out_of_range_is_refused_with_exit_code_2() {
    for bad in ["0", "-5", "lots", "99999"] {
        let out = Command::new(BIN).args(["serve".to_owned(), format!("--cache-mb={bad}")]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "--cache-mb {bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("命令行参数有误") && err.contains("--cache-mb"), "{err}");
    }
}

#[test]
fn the_server_warms_its_pages_after_a_start_and_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("warm.db");
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--cache-mb", "8", "--addr", "127.0.0.1:0", "--db"]).arg(&db);
    let mut server = KillOnDrop(cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap());
    let stdout = BufReader::new(server.0.stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        if line.contains("页面预热完成") {
            assert!(line.contains("1 plans, 2 pages"), "the seed plan's dashboard and report: {line}");
            return;
        }
        assert!(Instant::now() < deadline, "no warming reported: {seen:?}");
        seen.push(line);
    }
    panic!("server exited before warming: {seen:?}");
}

#[test]
fn with_no_warm_the_server_renders_nothing_ahead_of_visitors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cold.db");
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--no-warm", "--addr", "127.0.0.1:0", "--db"]).arg(&db);
    let mut server = KillOnDrop(cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    while !lines.next().expect("the server names its address").unwrap().contains("http://") {}
    // Warming the one seed plan takes milliseconds when it is on (see the test above).
    std::thread::sleep(Duration::from_millis(1500));
    let kill = Command::new("kill").args(["-TERM", &server.0.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("stopped cleanly")), "{rest:?}");
    assert!(rest.iter().all(|l| !l.contains("页面预热")), "nothing was warmed: {rest:?}");
}
