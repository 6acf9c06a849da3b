//! Times on pages read in the bureau's zone (`--timezone`, Asia/Shanghai by default) to
//! the minute; the database and the JSON API keep UTC.

use plantrack::auth::Role;
use plantrack::plan::time::parse_zone;
use plantrack::web::Config;

use crate::helpers::{LEAD, TestApp, exec, texts};

/// A stored time: 15:15 in Shanghai, 07:15 in UTC.
const STORED: &str = "2026-11-29T07:15:07.570Z";

/// One change of the lead time's 2022Q3 figure recorded at [`STORED`]; its history id.
fn recorded_change(app: &TestApp) -> i64 {
    exec(
        app,
        &format!(
            "INSERT INTO value_history (metric_id, quarter, action, new_value, status, actor, at) \
             VALUES ((SELECT id FROM metric WHERE key = '{LEAD}'), '2022Q3', 'create', 45, 'pending', 'editor', '{STORED}')"
        ),
    );
    crate::helpers::count(app, "SELECT max(id) FROM value_history")
}

#[tokio::test]
async fn the_metric_history_shows_the_bureaus_time_and_the_api_keeps_utc() {
    let app = TestApp::spawn().await;
    recorded_change(&app);
    let (_, doc) = app.html(&format!("/metrics/{LEAD}")).await;
    let header = texts(&doc, ".history thead th");
    assert_eq!(header[0], "时间");
    assert!(header.iter().all(|h| !h.contains("UTC")), "{header:?}");
    assert_eq!(texts(&doc, "tr.history-row td:first-child")[0], "2026-11-29 15:15");

    let (_, history) = app.json(&format!("/api/metrics/{LEAD}/history")).await;
    assert_eq!(history[0]["at"], STORED);
}

#[tokio::test]
async fn a_restored_figure_names_the_time_it_came_from_as_the_page_showed_it() {
    let app = TestApp::spawn().await;
    let id = recorded_change(&app);
    let reviewer = app.sign_in(Role::Reviewer).await;
    let res = reviewer.post(&format!("/metrics/{LEAD}/history/{id}/restore"), &[]).await;
    assert_eq!(res.status(), 303);
    let (_, doc) = reviewer.html(&format!("/metrics/{LEAD}")).await;
    let notes = texts(&doc, "tr.history-row td:nth-child(5)");
    assert!(notes.iter().any(|n| n == "恢复为 2026-11-29 15:15 的记录"), "{notes:?}");
}

#[tokio::test]
async fn the_review_page_shows_when_a_figure_was_entered_in_the_bureaus_time() {
    let app = TestApp::spawn().await;
    exec(
        &app,
        &format!(
            "INSERT INTO reported_value (metric_id, quarter, value, status, recorded_by, recorded_at) \
             VALUES ((SELECT id FROM metric WHERE key = '{LEAD}'), '2022Q3', 45, 'pending', 'editor', '2026-11-29T07:15:07Z')"
        ),
    );
    let plan = crate::helpers::seed_plan_id(&app);
    let (_, doc) = app.sign_in(Role::Reviewer).await.html(&format!("/plans/{plan}/review")).await;
    assert_eq!(texts(&doc, &format!("#w-{LEAD}-2022Q3 .when")), ["2026-11-29 15:15"]);
}

#[tokio::test]
async fn audit_tokens_and_users_pages_show_the_bureaus_time() {
    let app = TestApp::spawn().await;
    exec(
        &app,
        "INSERT INTO audit (at, actor, action, subject) VALUES ('2026-11-28T17:00:00Z', 'admin', 'plan_changed', '时间测试');
         INSERT INTO api_token (token_hash, account_id, label, created_at, created_by, revoked_at)
           VALUES ('x', (SELECT id FROM account WHERE name = 'editor'), '时间测试', '2026-03-01T02:05:00Z', 'admin', '2026-06-30T16:00:00Z');
         UPDATE account SET created_at = '2026-11-29T07:15:07Z' WHERE name = 'viewer';",
    );
    let admin = app.sign_in(Role::Admin).await;

    let (_, doc) = admin.html("/admin/audit?action=plan_changed").await;
    assert_eq!(texts(&doc, "table.audit thead th")[0], "时间");
    assert_eq!(texts(&doc, "table.audit tbody td:first-child"), ["2026-11-29 01:00"]);

    let (_, doc) = admin.html("/admin/tokens").await;
    let cells = texts(&doc, "table.admin tbody td");
    assert!(cells.iter().any(|c| c == "2026-03-01 10:05"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "已吊销 2026-07-01 00:00"), "{cells:?}");

    let (_, doc) = admin.html("/admin/users").await;
    assert_eq!(texts(&doc, "#user-viewer td")[2], "2026-11-29 15:15");
}

#[tokio::test]
async fn another_zone_from_the_config_is_honoured() {
    let config = Config { timezone: parse_zone("UTC").unwrap(), ..Config::default() };
    let app = TestApp::spawn_with_config(config).await;
    recorded_change(&app);
    let (_, doc) = app.html(&format!("/metrics/{LEAD}")).await;
    assert_eq!(texts(&doc, "tr.history-row td:first-child")[0], "2026-11-29 07:15");
}

#[tokio::test]
async fn the_audit_logs_date_filter_means_the_bureaus_days() {
    let app = TestApp::spawn().await;
    // 01:00 on the 29th and 00:30 on the 30th in Shanghai; both on the 28th/29th in UTC.
    exec(
        &app,
        "INSERT INTO audit (at, actor, action, subject) VALUES ('2026-11-28T17:00:00.000Z', 'admin', 'plan_changed', '早');
         INSERT INTO audit (at, actor, action, subject) VALUES ('2026-11-29T16:30:00Z', 'admin', 'plan_changed', '晚');",
    );
    let admin = app.sign_in(Role::Admin).await;
    let subjects = |day: &'static str| {
        let admin = &admin;
        async move {
            let (_, doc) = admin.html(&format!("/admin/audit?action=plan_changed&from={day}&to={day}")).await;
            texts(&doc, "table.audit tbody td:nth-child(4)")
        }
    };
    assert!(subjects("2026-11-28").await.is_empty());
    assert_eq!(subjects("2026-11-29").await, ["早"]);
    assert_eq!(subjects("2026-11-30").await, ["晚"]);
    let (_, doc) = admin.html("/admin/audit?action=plan_changed&from=2026-11-29").await;
    assert_eq!(texts(&doc, "table.audit tbody td:nth-child(4)"), ["晚", "早"]);
    assert_eq!(crate::helpers::input_value(&doc, "#from").as_deref(), Some("2026-11-29"));
}
