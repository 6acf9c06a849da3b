//! English subtitles: none by default; under every metric name and chapter title when a
//! reader chooses them, with `?lang=en` or the footer's link (remembered in a cookie).

use plantrack::auth::Role;

use crate::helpers::{LEAD, TestApp, seed_plan, seed_plan_id, texts};

#[tokio::test]
async fn pages_are_chinese_only_unless_english_subtitles_are_chosen() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    for path in [
        "/".to_owned(),
        format!("/metrics/{LEAD}"),
        format!("/plans/{plan}/entry/2023Q2"),
        format!("/plans/{plan}/review"),
    ] {
        let (status, doc) = editor.html(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(texts(&doc, ".en").is_empty(), "{path}: no English by default");
        assert_eq!(texts(&doc, "footer .lang-choice"), ["显示英文副标题 English subtitles"], "{path}");
    }
}

#[tokio::test]
async fn english_subtitles_are_complete_when_chosen() {
    let app = TestApp::spawn().await;
    let plan = seed_plan();
    let names: Vec<String> = plan.chapters.iter().flat_map(|c| &c.metrics).filter_map(|m| m.name_en.clone()).collect();
    let titles: Vec<String> = plan.chapters.iter().filter_map(|c| c.title_en.clone()).collect();
    assert_eq!(names.len(), 36, "every metric of the seed has an English name");

    let (_, doc) = app.html("/?lang=en").await;
    assert_eq!(texts(&doc, "table.metrics tbody th .en"), names);
    assert_eq!(texts(&doc, "section.chapter h2 .en"), titles);
    assert_eq!(texts(&doc, "footer .lang-choice"), ["隐藏英文副标题"]);

    let (_, doc) = app.html(&format!("/metrics/{LEAD}?lang=en")).await;
    assert_eq!(texts(&doc, "h1 .en"), ["Severe convective weather warning lead time"]);

    let editor = app.sign_in(Role::Editor).await;
    // A fourth quarter lists every metric, the annual ones too.
    let (_, doc) = editor.html(&format!("/plans/{}/entry/2023Q4?lang=en", seed_plan_id(&app))).await;
    assert_eq!(texts(&doc, "table.entry-grid tbody th .en"), names);
}

#[tokio::test]
async fn the_footer_link_remembers_the_choice_and_goes_back() {
    let app = TestApp::spawn().await;
    let back = app.url(&format!("/metrics/{LEAD}?as_of=2023-06-30&lang=zh"));
    let res = app.client.get(app.url("/lang/en")).header("referer", &back).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/metrics/{LEAD}?as_of=2023-06-30"));
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("plantrack_lang=en;") && cookie.contains("Max-Age=31536000"), "{cookie}");

    let (_, doc) = app.html("/").await;
    assert_eq!(texts(&doc, "table.metrics tbody th .en").len(), 36, "remembered");
    let (_, doc) = app.html("/?lang=zh").await;
    assert!(texts(&doc, ".en").is_empty(), "?lang= wins over the cookie");

    let res = app.client.get(app.url("/lang/zh")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/", "without a referer: the dashboard");
    let (_, doc) = app.html("/").await;
    assert!(texts(&doc, ".en").is_empty(), "Chinese only again");
    assert_eq!(app.get("/lang/fr").await.status(), 404);
}
