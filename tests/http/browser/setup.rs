//! The first start and the demo in a real browser, with the helpers of `browser.rs`.

use fantoccini::Locator;

use plantrack::setup::Seeds;

use super::{browser, css, screenshot, text, wait_path};
use crate::helpers::{TestApp, count};

/// Types `value` into the field, after what it holds.
async fn type_into(c: &fantoccini::Client, selector: &str, value: &str) {
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
    if let Some(axe) = super::axe::axe_source() {
        let found = super::axe::violations(c, &axe).await;
        assert!(found.is_empty(), "axe-core on the setup page:\n{}", found.join("\n"));
    }
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
