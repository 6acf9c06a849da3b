//! `plantrack demo`: a world of its own. It lives on its own date (the quarter after its
//! figures is the one due), anonymous visitors may look but not touch, and ready accounts
//! for each role are printed at start.

use plantrack::auth::Role;
use plantrack::setup::Seeds;

use crate::helpers::{LEAD, TestApp, input_value, seed_plan_id, texts};

async fn demo() -> TestApp {
    TestApp::spawn_with(Seeds::Embedded, true).await
}

#[tokio::test]
async fn the_demos_entry_opens_the_quarter_after_its_figures_and_refuses_later_ones() {
    let app = demo().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let res = editor.get(&format!("/plans/{plan}/entry")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/plans/{plan}/entry/2023Q3"));

    // The import page's blank template offers the same quarter.
    let (_, doc) = editor.html(&format!("/plans/{plan}/sheets")).await;
    assert_eq!(input_value(&doc, "#quarter option[selected]"), Some("2023Q3".into()));

    // The demo's 2023Q3 may be entered; its 2023Q4 has not begun, whatever the calendar says.
    let path = |q: &str| format!("/plans/{plan}/entry/{q}");
    let field = format!("v.{LEAD}");
    assert_eq!(editor.post(&path("2023Q3"), &[(field.as_str(), "45")]).await.status(), 303);
    let (status, doc) =
        crate::helpers::status_and_page(editor.post(&path("2023Q4"), &[(field.as_str(), "46")]).await).await;
    assert_eq!(status, 422);
    assert!(doc.root_element().text().collect::<String>().contains("2023年第四季度 尚未开始"));
}

#[tokio::test]
async fn the_demos_missing_list_speaks_of_the_quarter_after_its_figures() {
    let app = demo().await;
    let plan = seed_plan_id(&app);
    let reviewer = app.sign_in(Role::Reviewer).await;
    let (_, doc) = reviewer.html(&format!("/plans/{plan}/review")).await;
    let headings = texts(&doc, "h2");
    assert!(headings.iter().any(|h| h.contains("填报缺失:2023年第三季度(36 项)")), "{headings:?}");
    assert!(!headings.iter().any(|h| h.contains("2025")), "{headings:?}");
}
