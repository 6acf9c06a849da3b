//! The `plantrack` binary itself: flags, environment variables and their errors.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_plantrack");

/// A running `plantrack serve`, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `plantrack serve` and waits for the address it logs.
fn serve(cmd: &mut Command) -> (Server, String) {
    let mut server = Server(cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap());
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
        serve(Command::new(BIN).args(["serve", "--addr", "127.0.0.1:0", "--db"]).arg(&db).env("NO_COLOR", "1"));
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
            .env("NO_COLOR", "1"),
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
