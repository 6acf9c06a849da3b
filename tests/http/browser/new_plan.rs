//! A new plan in the browser: an administrator pastes the published text on 新建规划,
//! checks the proposal, saves it as a draft and publishes it.
//!
//! With `PLANTRACK_SCREENSHOTS=1` the proposal page is also saved as
//! `docs/proposal-page.png` for the README; otherwise the repository is left alone.

use fantoccini::{Client, Locator};
use plantrack::auth::Role;

use super::{browser, css, screenshot, set_value, sign_in, text, wait_path};
use crate::helpers::{TestApp, count, repo_path};

/// Paragraphs of a published plan (衡阳市, see `OTHER-PLANS.md`), with a title and a chapter.
const PLAN_TEXT: &str = "衡阳市人民政府关于加快推进气象现代化的意见\n\
衡政发〔2015〕8号\n\
第一章 总体要求\n\
(二)主要目标。力争在2020年前全市基本实现气象现代化,使气象整体实力达到全省先进水平。\
气象监测更加可靠,灾害性天气监测率达到95%以上;预报预测更加准确,天气预报准确率达到80%以上;\
预警信息更加广泛,公众覆盖率达到95%以上;气象服务更加优质,公众满意率达到90%以上。\n";

/// The metric the test makes sure of: the first proposed row renamed, or the row added by
/// hand when the text rules found none.
const METRIC: &str = "灾害性天气监测率";

/// From 新建规划 to the draft's dashboard; returns the draft plan's id.
async fn draft_from_text(c: &Client, app: &TestApp) -> i64 {
    let base = app.url("");
    css(c, "header.site nav a[href='/admin/plans/new']").await.click().await.unwrap();
    wait_path(c, "/admin/plans/new").await;
    // Pasted, as an administrator would: typing a whole plan key by key takes too long.
    c.execute("document.querySelector('#text').value = arguments[0]", vec![PLAN_TEXT.into()]).await.unwrap();
    css(c, "#propose-text").await.click().await.unwrap();
    // The proposal answers at the same path: wait for its own field, not the old page's h1.
    css(c, "#plan_key").await;
    assert_eq!(text(c, "h1").await, "核对新规划");
    set_value(c, "#title", "衡阳市气象现代化意见").await;
    set_value(c, "#plan_key", "hengyang-2015").await;

    let rows = c.find_all(Locator::Css("fieldset.proposed")).await.unwrap().len();
    let proposed = c.find_all(Locator::Css("blockquote.source")).await.unwrap().len();
    if proposed == 0 {
        // Nothing proposed: the page offers one empty row to fill in by hand.
        assert_eq!(rows, 1);
        set_value(c, "#m0-source", "气象监测更加可靠,灾害性天气监测率达到95%以上").await;
        set_value(c, "#m0-unit", "%").await;
        set_value(c, "#m0-target", "95").await;
    }
    set_value(c, "#m0-name", METRIC).await;
    set_value(c, "#m0-key", "hengyang-monitoring").await;

    // Without JavaScript's help the page fits a phone: nothing scrolls sideways.
    c.set_window_size(390, 844).await.unwrap();
    let widths = c.execute("return [document.documentElement.scrollWidth, window.innerWidth]", vec![]).await.unwrap();
    let (scroll, inner) = (widths[0].as_f64().unwrap(), widths[1].as_f64().unwrap());
    assert!(scroll <= inner, "the proposal page scrolls sideways on a phone: {scroll} > {inner}");
    screenshot(c, "phone-proposal").await;
    c.set_window_size(1300, 1000).await.unwrap();

    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    screenshot(c, "proposal").await;
    if std::env::var("PLANTRACK_SCREENSHOTS").as_deref() == Ok("1") {
        let png = c.screenshot().await.unwrap();
        std::fs::write(repo_path("docs/proposal-page.png"), png).unwrap();
    }

    css(c, "#save-draft").await.click().await.unwrap();
    wait_path(c, "/").await;
    assert!(text(c, ".message-ok").await.contains("草稿"));
    let id = count(app, "SELECT id FROM plan WHERE key = 'hengyang-2015'");
    assert_eq!(c.current_url().await.unwrap().as_str(), format!("{base}/?plan={id}"));
    assert!(text(c, "main").await.contains(METRIC), "the draft's dashboard shows the metric");
    let kept = count(app, &format!("SELECT count(*) FROM metric WHERE plan_id = {id} AND key = 'hengyang-monitoring'"));
    assert_eq!(kept, 1);
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_drafts_a_new_plan_from_its_text_and_publishes_it_in_the_browser() {
    let Some(browser) = browser().await else { return };
    let c = &browser.client;
    let app = TestApp::spawn().await;
    sign_in(c, &app.url(""), Role::Admin.as_str()).await;
    let draft = draft_from_text(c, &app).await;

    // A viewer cannot see the draft until it is published.
    let viewer = app.sign_in(Role::Viewer).await;
    assert_eq!(viewer.get(&format!("/?plan={draft}")).await.status(), 404);
    css(c, ".draft-banner a.button").await.click().await.unwrap();
    wait_path(c, &format!("/plans/{draft}/publish")).await;
    assert!(text(c, "#confirm-summary").await.contains("草稿"));
    css(c, "form[action$='/publish'] button[type=submit]").await.click().await.unwrap();
    wait_path(c, "/").await;
    // The published dashboard: the flash of the save, and no draft banner.
    css(c, ".message-ok").await;
    assert!(c.find_all(Locator::Css(".draft-banner")).await.unwrap().is_empty(), "published: no draft banner");
    let res = viewer.get(&format!("/?plan={draft}")).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(METRIC), "the viewer's dashboard shows the published plan");
    let published = count(&app, &format!("SELECT count(*) FROM plan WHERE id = {draft} AND status = 'published'"));
    assert_eq!(published, 1);
    browser.client.clone().close().await.unwrap();
}
