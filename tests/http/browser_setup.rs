//! The first start and the demo in a real browser: headless Chromium over WebDriver, as in
//! `browser.rs`. Its helpers are private to it, so the few needed here are small copies
//! (kept apart so that the two files can change independently); like it, these tests say
//! so and pass where Chromium is not installed, and fail for its absence in CI.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use plantrack::setup::Seeds;

use crate::helpers::{KillOnDrop, TestApp, count};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver and a browser session. Fields drop in order: the driver is stopped first.
struct Browser {
    _driver: KillOnDrop,
    client: Client,
    _profile: tempfile::TempDir,
}

/// Starts a headless browser, or `None` (with a message) where none is installed.
async fn browser() -> Option<Browser> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI must have {CHROMIUM} and {CHROMEDRIVER}");
        eprintln!("browser tests SKIPPED: install Debian's chromium and chromium-driver to run them");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let driver = KillOnDrop(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = tempfile::tempdir().unwrap();
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--window-size=1300,1000".to_owned(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), serde_json::json!({ "binary": CHROMIUM, "args": args }));
    let deadline = Instant::now() + Duration::from_secs(20);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    loop {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Some(Browser { _driver: driver, client, _profile: profile }),
            Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// The element, waiting for it to appear (a click may still be loading the next page).
async fn css(c: &Client, selector: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
}

async fn text(c: &Client, selector: &str) -> String {
    css(c, selector).await.text().await.unwrap()
}

/// Waits for the browser to arrive at `path`.
async fn wait_path(c: &Client, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = c.current_url().await.unwrap();
        if now.path() == path {
            return;
        }
        assert!(Instant::now() < deadline, "still at {now}, expected {path}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn screenshot(c: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), c.screenshot().await.unwrap()).unwrap();
}

async fn type_into(c: &Client, selector: &str, value: &str) {
    css(c, selector).await.send_keys(value).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_administrator_is_created_on_the_setup_page_in_the_browser() {
    let Some(browser) = browser().await else { return };
    let c = &browser.client;
    let (app, code) = TestApp::spawn_first_start().await;
    let base = app.url("");
    let password = "綦江气象局-规划处-2021";

    // The address the terminal names leads to the setup page, not to a sign-in form.
    c.goto(&base).await.unwrap();
    wait_path(c, "/setup").await;
    assert_eq!(text(c, "h1").await, "首次设置:创建管理员");
    type_into(c, "#code", &code.to_lowercase()).await;
    type_into(c, "#name", "局长").await;
    type_into(c, "#password", password).await;
    type_into(c, "#confirm", "not the same password").await;
    screenshot(c, "setup").await;
    css(c, "form button[type=submit]").await.click().await.unwrap();
    assert!(text(c, "#confirm-error").await.contains("两次输入的密码不一致"));

    // Only the passwords need typing again: the code and the name were kept.
    type_into(c, "#password", password).await;
    type_into(c, "#confirm", password).await;
    css(c, "form button[type=submit]").await.click().await.unwrap();
    wait_path(c, "/login").await;
    assert!(text(c, ".message-ok").await.contains("管理员已创建"));
    assert_eq!(count(&app, "SELECT count(*) FROM account WHERE role = 'admin'"), 1);

    type_into(c, "#name", "局长").await;
    type_into(c, "#password", password).await;
    css(c, "form button[type=submit]").await.click().await.unwrap();
    wait_path(c, "/").await;
    assert_eq!(text(c, ".who .role").await, "管理员");
    assert!(c.find(Locator::Css("nav a[href='/admin/users']")).await.is_ok(), "the admin's pages are open");

    c.goto(&format!("{base}/setup")).await.unwrap();
    assert_eq!(text(c, "h1").await, "404", "gone for good");
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_read_in_the_browser_without_signing_in() {
    let Some(browser) = browser().await else { return };
    let c = &browser.client;
    let app = TestApp::spawn_with(Seeds::Embedded, true).await;
    c.goto(&app.url("/")).await.unwrap();
    wait_path(c, "/").await;
    assert_eq!(text(c, ".demo-banner strong").await, "示例数据");
    assert_eq!(c.find_all(Locator::Css("table.metrics tbody tr")).await.unwrap().len(), 36);
    assert_eq!(text(c, ".who a").await, "登录", "nobody is signed in");
    css(c, "table.metrics tbody tr a").await.click().await.unwrap();
    css(c, ".chart figure").await;
    assert!(c.current_url().await.unwrap().path().starts_with("/metrics/"));
    browser.client.clone().close().await.unwrap();
}
