//! End to end in a real browser: headless Chromium driven over WebDriver (chromedriver).
//!
//! Where Chromium is not installed these tests say so and pass; in CI (`CI=true`) its
//! absence is a failure, since `.ci/run` installs it. Screenshots and the printed report
//! are written under `target/screenshots/`.
//!
//! The tests share this machine's CPU with the server they drive, so they take turns:
//! [`browser`] hands out one browser at a time.

mod axe;
mod new_plan;
mod paper;
mod phone;
mod setup;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use plantrack::auth::Role;
use plantrack::setup::Seeds;

use crate::helpers::{KillOnDrop, LEAD, PASSWORD, TestApp, count, seed_plan_id};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver and a browser session. Fields drop in order: the driver is stopped first,
/// and the turn is given up last.
struct Browser {
    _driver: KillOnDrop,
    client: Client,
    _profile: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

/// One browser at a time (each test has its own runtime; a tokio mutex works across them).
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts a headless browser, or `None` (with a message) where none is installed.
async fn browser() -> Option<Browser> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must have {CHROMIUM} and {CHROMEDRIVER}: .ci/run installs Debian's chromium and chromium-driver"
        );
        eprintln!("browser tests SKIPPED: install Debian's chromium and chromium-driver to run them");
        return None;
    }
    let turn = TURN.lock().await;
    let port = free_port();
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
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1300,1000",
    ];
    let mut caps = serde_json::Map::new();
    let mut all_args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all_args.push(format!("--user-data-dir={}", profile.path().display()));
    caps.insert("goog:chromeOptions".into(), serde_json::json!({ "binary": CHROMIUM, "args": all_args }));
    let deadline = Instant::now() + Duration::from_secs(20);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    loop {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Some(Browser { _driver: driver, client, _profile: profile, _turn: turn }),
            Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(artifacts().join(format!("{name}.png")), png).unwrap();
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

async fn sign_in(c: &Client, base: &str, name: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    css(c, "#name").await.send_keys(name).await.unwrap();
    css(c, "#password").await.send_keys(PASSWORD).await.unwrap();
    css(c, "form button[type=submit]").await.click().await.unwrap();
    wait_path(c, "/").await;
}

/// Waits for the browser to arrive at `path` after a click.
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

async fn sign_out(c: &Client) {
    css(c, ".who form button").await.click().await.unwrap();
    wait_path(c, "/login").await;
}

async fn set_value(c: &Client, selector: &str, value: &str) {
    let input = css(c, selector).await;
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

/// The demo (approved figures up to 2023Q2) with figures for 2023Q3 waiting for review,
/// one of them returned: pages then show every review state.
async fn demo_with_waiting_figures() -> (TestApp, i64) {
    let app = TestApp::spawn_with(Seeds::Embedded, true).await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let lead = format!("v.{LEAD}");
    let fields = [
        (lead.as_str(), "44"),
        ("v.fibre-bandwidth", "180"),
        ("v.x-band-radar", "1"),
        ("n.x-band-radar", "雷达已建成"),
    ];
    let res = editor.post(&format!("/plans/{plan}/entry/2023Q3"), &fields).await;
    assert_eq!(res.status(), 303, "entered");
    let reviewer = app.sign_in(Role::Reviewer).await;
    let returned = [("key", "x-band-radar"), ("quarter", "2023Q3"), ("reason", "请附验收报告")];
    let res = reviewer.post(&format!("/plans/{plan}/review/return"), &returned).await;
    assert_eq!(res.status(), 303, "returned");
    (app, plan)
}

/// The chart's text labels, which include the latest figure.
async fn chart_texts(c: &Client, base: &str) -> String {
    c.goto(&format!("{base}/metrics/{LEAD}?as_of=2023-06-30")).await.unwrap();
    text(c, ".chart figure").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quarter_is_entered_corrected_approved_and_reported_in_the_browser() {
    let Some(browser) = browser().await else { return };
    let c = &browser.client;
    let app = TestApp::spawn().await;
    for (q, v) in [("2022Q2", 41.0), ("2022Q4", 42.0), ("2023Q1", 43.0)] {
        app.put_value(LEAD, q, v);
    }
    let base = app.url("");
    let plan = seed_plan_id(&app);

    sign_in(c, &base, Role::Editor.as_str()).await;
    assert!(text(c, "h1").await.contains("重庆市綦江区气象发展“十四五”规划"));
    assert_eq!(c.find_all(Locator::Css("table.metrics tbody tr")).await.unwrap().len(), 36);
    screenshot(c, "dashboard").await;
    let before = chart_texts(c, &base).await;
    assert!(!before.contains("45.5"));

    // Enter in a field does not send the form.
    let entry = format!("{base}/plans/{plan}/entry/2023Q2");
    c.goto(&entry).await.unwrap();
    set_value(c, &format!("#v-{LEAD}"), "45.5").await;
    css(c, &format!("#v-{LEAD}")).await.send_keys("\u{E007}").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(c.find(Locator::Css(".message-ok")).await.is_err(), "nothing was saved by Enter");

    // One wrong field: nothing saved, the message beside it, typed values kept.
    set_value(c, "#v-fibre-bandwidth", "abc").await;
    css(c, "form.entry button.primary").await.click().await.unwrap();
    assert!(text(c, "#e-fibre-bandwidth").await.contains("“abc”不是数字"));
    c.execute("document.querySelector('#row-fibre-bandwidth').scrollIntoView()", vec![]).await.unwrap();
    screenshot(c, "entry-refused").await;
    assert_eq!(css(c, &format!("#v-{LEAD}")).await.prop("value").await.unwrap().as_deref(), Some("45.5"));
    let stored = count(&app, "SELECT count(*) FROM reported_value WHERE quarter = '2023Q2'");
    assert_eq!(stored, 0);

    // Fixed and saved.
    set_value(c, "#v-fibre-bandwidth", "200").await;
    css(c, "form.entry button.primary").await.click().await.unwrap();
    assert!(text(c, ".message-ok").await.contains("已保存:2 项"));
    assert!(!chart_texts(c, &base).await.contains("45.5"), "not approved yet: the chart is unchanged");
    sign_out(c).await;

    // The reviewer approves; the chart now shows the new figure.
    sign_in(c, &base, Role::Reviewer.as_str()).await;
    c.goto(&format!("{base}/plans/{plan}/review")).await.unwrap();
    css(c, &format!("#w-{LEAD}-2023Q2 form button")).await.click().await.unwrap();
    assert!(text(c, ".message-ok").await.contains("已批准"));
    let after = chart_texts(c, &base).await;
    assert!(after.contains("45.5"), "the chart shows the approved figure: {after}");
    screenshot(c, "metric").await;

    // The evaluation report, on screen and printed to PDF.
    c.goto(&format!("{base}/plans/{plan}/evaluation?as_of=2023-06-30")).await.unwrap();
    assert!(text(c, "h1").await.contains("中期评估报告"));
    assert_eq!(text(c, &format!("#r-{LEAD} td.value")).await, "45.5");
    screenshot(c, "evaluation").await;
    let pdf = c.print(fantoccini::wd::PrintConfiguration::default()).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert!(pdf.len() > 20_000, "with content: {} bytes", pdf.len());
    std::fs::write(artifacts().join("evaluation.pdf"), pdf).unwrap();
    browser.client.clone().close().await.unwrap();
}
