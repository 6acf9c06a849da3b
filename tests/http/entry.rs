//! The quarterly entry form, review, locks, history and the values API.

use plantrack::auth::Role;
use scraper::{Html, Selector};

use crate::helpers::{
    LEAD, TestApp, User, count, input_value, plan_id, save_entry, seed_plan_id, texts, two_plan_seeds,
};

/// (value, status, approved_value) stored for a metric and quarter.
fn stored(app: &TestApp, key: &str, quarter: &str) -> Option<(f64, String, Option<f64>)> {
    app.store
        .with_conn(|c| {
            let mut s = c.prepare(
                "SELECT v.value, v.status, v.approved_value FROM reported_value v JOIN metric m ON m.id = v.metric_id \
                 WHERE m.key = ?1 AND v.quarter = ?2",
            )?;
            let mut rows = s.query_map([key, quarter], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.next().transpose()?)
        })
        .unwrap()
}

/// The entry form's hidden version of `key`, as a browser would send it back.
async fn version(user: &User, path: &str, key: &str) -> String {
    let (_, doc) = user.html(path).await;
    input_value(&doc, &format!("input[name='ver.{key}']")).unwrap()
}

async fn save(user: &User, plan: i64, quarter: &str, cells: &[(&str, &str, &str)]) -> reqwest::Response {
    save_entry(user, plan, quarter, cells).await
}

#[tokio::test]
async fn the_grid_lists_every_metric_with_baseline_target_and_last_quarter() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    app.put_value(LEAD, "2022Q2", 41.0);
    let editor = app.sign_in(Role::Editor).await;
    let (status, doc) = editor.html(&format!("/plans/{plan}/entry/2022Q3")).await;
    assert_eq!(status, 200);
    // 36 metrics, less the ten reported once a year (entered with a fourth quarter).
    assert_eq!(texts(&doc, "table.entry-grid tbody tr").len(), 26);
    let row = texts(&doc, &format!("#row-{LEAD} td")).join("|");
    assert!(row.starts_with("分钟|37|48|41|"), "{row}");
    // Enter must not submit: the form's first submit button is disabled.
    let sel = Selector::parse("form.entry button[type=submit]").unwrap();
    assert!(doc.select(&sel).next().unwrap().value().attr("disabled").is_some());
}

#[tokio::test]
async fn every_accepted_format_saves_as_pending_review() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let cells = [
        (LEAD, " 45 ", ""),
        ("rainstorm-warning-accuracy", "86.5%", "年报"),
        ("fibre-bandwidth", "１００", ""),
        ("village-warning-stations", "３００", ""),
        // A quarterly share (the staff shares are reported once a year).
        ("warning-terminal-online-rate", "96.2", ""),
    ];
    let res = save(&editor, plan, "2022Q3", &cells).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/plans/{plan}/entry/2022Q3"));
    let (_, doc) = editor.html(&format!("/plans/{plan}/entry/2022Q3")).await;
    assert_eq!(texts(&doc, ".message-ok"), ["已保存:5 项数值有变动,待审核人审核。"]);
    assert_eq!(stored(&app, LEAD, "2022Q3"), Some((45.0, "pending".into(), None)));
    assert_eq!(stored(&app, "rainstorm-warning-accuracy", "2022Q3").unwrap().0, 86.5);
    assert_eq!(stored(&app, "fibre-bandwidth", "2022Q3").unwrap().0, 100.0);
    assert_eq!(stored(&app, "village-warning-stations", "2022Q3").unwrap().0, 300.0);

    // Dashboards show approved figures unless asked for pending ones, which are marked.
    let (_, doc) = app.html("/?as_of=2022-09-30").await;
    assert_eq!(texts(&doc, &format!("#m-{LEAD} .tag-pending")).len(), 0);
    assert!(!texts(&doc, &format!("#m-{LEAD} td")).join(" ").contains("45"));
    let (_, doc) = app.html("/?as_of=2022-09-30&pending=1").await;
    assert_eq!(texts(&doc, &format!("#m-{LEAD} .tag-pending")), ["待审核"]);
    assert!(texts(&doc, ".pending-banner")[0].contains("待审核"));
}

#[tokio::test]
async fn one_wrong_field_saves_nothing_and_keeps_every_typed_value() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let res =
        save(&editor, plan, "2022Q3", &[(LEAD, "45", ""), ("fibre-bandwidth", "abc", ""), ("x-band-radar", "0.5", "")])
            .await;
    assert_eq!(res.status(), 422);
    let doc = Html::parse_document(&res.text().await.unwrap());
    assert!(texts(&doc, "#form-error")[0].contains("全部未保存"));
    assert!(texts(&doc, "#e-fibre-bandwidth")[0].contains("“abc”不是数字"));
    assert!(texts(&doc, "#e-x-band-radar")[0].contains("整数"));
    let value = |key: &str| input_value(&doc, &format!("#v-{key}")).unwrap();
    assert_eq!(
        (value(LEAD), value("fibre-bandwidth"), value("x-band-radar")),
        ("45".into(), "abc".into(), "0.5".into())
    );
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0, "nothing saved");
}

#[tokio::test]
async fn wrong_figures_are_refused_with_a_reason() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    for (key, value, why) in [
        (LEAD, "四十五", "不是数字"),
        (LEAD, "NaN", "不是"),
        (LEAD, "inf", "不是"),
        ("village-warning-stations", "-3", "不能为负"),
        // The district has 381 villages and communities (the seed's `max`).
        ("village-warning-stations", "1,000", "0 到 381"),
        ("village-warning-stations", "12.5", "整数"),
        ("warning-terminal-online-rate", "101", "0 到 100"),
        ("yongtong-climate-centre", "120", "0 到 100"),
    ] {
        let res = save(&editor, plan, "2022Q3", &[(key, value, "")]).await;
        assert_eq!(res.status(), 422, "{key}={value}");
        let doc = Html::parse_document(&res.text().await.unwrap());
        let msg = texts(&doc, &format!("#e-{key}")).join("");
        assert!(msg.contains(why), "{key}={value}: {msg}");
    }
    let res = save(&editor, plan, "2020Q4", &[(LEAD, "40", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("不在规划期"));
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0);
}

#[tokio::test]
async fn a_future_quarter_is_refused() {
    let (_dir, seeds) = two_plan_seeds();
    let app = TestApp::spawn_with(seeds, false).await;
    let plan = plan_id(&app, "fixture-plan-15");
    let editor = app.sign_in(Role::Editor).await;
    let res = save(&editor, plan, "2030Q4", &[("fixture-lead-time", "50", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("尚未开始"));
}

#[tokio::test]
async fn a_falling_cumulative_count_needs_a_note() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    app.put_value("village-warning-stations", "2022Q2", 200.0);
    let editor = app.sign_in(Role::Editor).await;
    let res = save(&editor, plan, "2022Q3", &[("village-warning-stations", "150", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("低于 2022年第二季度 的 200"));
    let res = save(&editor, plan, "2022Q3", &[("village-warning-stations", "150", "2022Q2 含重复站点,已更正")]).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn milestones_take_done_and_percent() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let path = format!("/plans/{plan}/entry/2022Q3");
    let ver = version(&editor, &path, "yongtong-climate-centre").await;
    let res = editor
        .post(
            &path,
            &[
                ("ver.yongtong-climate-centre", &ver),
                ("v.yongtong-climate-centre", ""),
                ("d.yongtong-climate-centre", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(stored(&app, "yongtong-climate-centre", "2022Q3").unwrap().0, 100.0);
}

#[tokio::test]
async fn a_value_changed_meanwhile_is_a_conflict_showing_both_values() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let (first, second) = (app.sign_in(Role::Editor).await, app.sign_in(Role::Editor).await);
    let path = format!("/plans/{plan}/entry/2022Q3");
    let seen = version(&second, &path, LEAD).await;
    assert_eq!(save(&first, plan, "2022Q3", &[(LEAD, "44", "")]).await.status(), 303);
    let res = second.post(&path, &[(&format!("ver.{LEAD}"), &seen), (&format!("v.{LEAD}"), "46")]).await;
    assert_eq!(res.status(), 409);
    let doc = Html::parse_document(&res.text().await.unwrap());
    let msg = texts(&doc, &format!("#e-{LEAD}"))[0].clone();
    assert!(msg.contains("44") && msg.contains("46") && msg.contains("editor"), "{msg}");
    assert_eq!(stored(&app, LEAD, "2022Q3").unwrap().0, 44.0, "nothing silently overwritten");
}

#[tokio::test]
async fn reviewers_approve_or_return_and_editors_see_the_reason() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let reviewer = app.sign_in(Role::Reviewer).await;
    save(&editor, plan, "2022Q3", &[(LEAD, "45", ""), ("fibre-bandwidth", "200", "")]).await;

    let (_, doc) = reviewer.html(&format!("/plans/{plan}/review")).await;
    assert_eq!(texts(&doc, "table.review tbody tr").len(), 2);
    let review = format!("/plans/{plan}/review");
    assert_eq!(editor.post(&format!("{review}/approve"), &[("key", LEAD), ("quarter", "2022Q3")]).await.status(), 403);
    assert_eq!(
        reviewer.post(&format!("{review}/approve"), &[("key", LEAD), ("quarter", "2022Q3")]).await.status(),
        303
    );
    assert_eq!(stored(&app, LEAD, "2022Q3"), Some((45.0, "approved".into(), Some(45.0))));
    let (_, m) = app.json(&format!("/api/metrics/{LEAD}?as_of=2022-09-30")).await;
    assert_eq!(m["latest"]["value"], 45.0);

    let no_reason =
        reviewer.post(&format!("{review}/return"), &[("key", "fibre-bandwidth"), ("quarter", "2022Q3")]).await;
    assert_eq!(no_reason.status(), 422);
    let res = reviewer
        .post(
            &format!("{review}/return"),
            &[("key", "fibre-bandwidth"), ("quarter", "2022Q3"), ("reason", "请附测速报告")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, doc) = editor.html(&format!("/plans/{plan}/entry/2022Q3")).await;
    let row = texts(&doc, "#row-fibre-bandwidth td").join(" ");
    assert!(row.contains("已退回") && row.contains("请附测速报告"), "{row}");
}

#[tokio::test]
async fn a_changed_approved_value_keeps_showing_the_approved_one_until_approved() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    app.put_value(LEAD, "2022Q3", 44.0);
    let editor = app.sign_in(Role::Editor).await;
    assert_eq!(save(&editor, plan, "2022Q3", &[(LEAD, "47", "复核后更正")]).await.status(), 303);
    assert_eq!(stored(&app, LEAD, "2022Q3"), Some((47.0, "pending".into(), Some(44.0))));
    let (_, m) = app.json(&format!("/api/metrics/{LEAD}?as_of=2022-09-30")).await;
    assert_eq!(m["latest"]["value"], 44.0);
    let (_, m) = app.json(&format!("/api/metrics/{LEAD}?as_of=2022-09-30&pending=1")).await;
    assert_eq!(m["latest"]["value"], 47.0);
    assert_eq!(m["latest"]["pending"], true);
}

#[tokio::test]
async fn a_locked_quarter_refuses_changes_until_a_reviewer_unlocks_it() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let reviewer = app.sign_in(Role::Reviewer).await;
    save(&editor, plan, "2022Q3", &[(LEAD, "45", "")]).await;
    let locks = format!("/plans/{plan}/locks");
    let res = reviewer.post(&locks, &[("quarter", "2022Q3"), ("lock", "1")]).await;
    assert_eq!(res.status(), 409, "pending figures must be reviewed first");
    assert_eq!(reviewer.post(&format!("/plans/{plan}/review/approve-all"), &[("count", "1")]).await.status(), 303);
    assert_eq!(editor.post(&locks, &[("quarter", "2022Q3"), ("lock", "1")]).await.status(), 403);
    assert_eq!(reviewer.post(&locks, &[("quarter", "2022Q3"), ("lock", "1")]).await.status(), 303);

    let res = save(&editor, plan, "2022Q3", &[(LEAD, "46", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("已锁定"));
    assert_eq!(stored(&app, LEAD, "2022Q3").unwrap().0, 45.0);

    assert_eq!(reviewer.post(&locks, &[("quarter", "2022Q3"), ("lock", "0")]).await.status(), 303);
    assert_eq!(count(&app, "SELECT count(*) FROM audit WHERE action = 'quarter_unlocked' AND actor = 'reviewer'"), 1);
    assert_eq!(save(&editor, plan, "2022Q3", &[(LEAD, "46", "")]).await.status(), 303);
}

#[tokio::test]
async fn history_keeps_every_change_and_a_reviewer_can_restore() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let reviewer = app.sign_in(Role::Reviewer).await;
    save(&editor, plan, "2022Q3", &[(LEAD, "45", "first")]).await;
    reviewer.post(&format!("/plans/{plan}/review/approve"), &[("key", LEAD), ("quarter", "2022Q3")]).await;
    save(&editor, plan, "2022Q3", &[(LEAD, "52", "typo")]).await;
    reviewer
        .post(&format!("/plans/{plan}/review/return"), &[("key", LEAD), ("quarter", "2022Q3"), ("reason", "偏高")])
        .await;
    save(&editor, plan, "2022Q3", &[(LEAD, "", "")]).await; // emptied: deleted

    let (status, history) = app.json(&format!("/api/metrics/{LEAD}/history")).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = history.as_array().unwrap().iter().map(|c| c["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["delete", "return", "update", "approve", "create"], "newest first");
    assert_eq!(history[2]["old_value"], 45.0);
    assert_eq!(history[2]["new_value"], 52.0);
    assert_eq!(history[0]["actor"], "editor");
    assert!(stored(&app, LEAD, "2022Q3").is_none());

    // Restore the first figure: the restore is itself recorded, and approved.
    let first_id = history[4]["id"].as_i64().unwrap();
    let viewer_try =
        app.client.post(app.url(&format!("/metrics/{LEAD}/history/{first_id}/restore"))).send().await.unwrap();
    assert_eq!(viewer_try.status(), 403);
    let res = reviewer.post(&format!("/metrics/{LEAD}/history/{first_id}/restore"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(stored(&app, LEAD, "2022Q3"), Some((45.0, "approved".into(), Some(45.0))));
    let (_, history) = app.json(&format!("/api/metrics/{LEAD}/history")).await;
    assert_eq!(history.as_array().unwrap().len(), 7);
    assert_eq!(history[1]["action"], "restore");
    let (_, doc) = reviewer.html(&format!("/metrics/{LEAD}")).await;
    assert_eq!(texts(&doc, "tr.history-row").len(), 7);
    assert!(
        app.store.with_conn(|c| Ok(c.execute("DELETE FROM value_history", [])?)).is_err(),
        "history is never deleted"
    );
}

#[tokio::test]
async fn the_missing_list_names_metrics_without_a_figure_for_the_last_closed_quarter() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    // The 14th plan has ended, so the last closed quarter within it is 2025Q4.
    app.put_value(LEAD, "2025Q4", 50.0);
    let reviewer = app.sign_in(Role::Reviewer).await;
    let (_, doc) = reviewer.html(&format!("/plans/{plan}/review")).await;
    assert_eq!(texts(&doc, "ul.missing li").len(), 35);
    assert!(texts(&doc, &format!("#missing-{LEAD}")).is_empty());
    assert!(texts(&doc, "h2").iter().any(|h| h.contains("2025年第四季度")));
}

#[tokio::test]
async fn the_values_api_takes_every_format_and_answers_errors_as_json() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let put = |quarter: &str, body: serde_json::Value| {
        editor
            .client
            .put(app.url(&format!("/api/metrics/{LEAD}/values/{quarter}")))
            .header("x-csrf-token", &editor.csrf)
            .json(&body)
            .send()
    };
    for (q, v, expect) in [
        ("2021Q1", serde_json::json!(38), 38.0),
        ("2021Q2", serde_json::json!("38.5"), 38.5),
        ("2021Q3", serde_json::json!("３９"), 39.0),
        ("2021Q4", serde_json::json!(" 40 "), 40.0),
    ] {
        let res = put(q, serde_json::json!({ "value": v, "note": "api" })).await.unwrap();
        assert_eq!(res.status(), 200, "{q}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["value"], expect);
        assert_eq!(body["status"], "pending");
        assert_eq!(body["outcome"], "created");
    }
    let res = put("2022Q1", serde_json::json!({ "value": "abc" })).await.unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["field"], "value");
    assert!(body["error"].as_str().unwrap().contains("不是数字"));

    let res = put("2021Q1", serde_json::json!({ "value": 39, "version": 0 })).await.unwrap();
    assert_eq!(res.status(), 409);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["current"], "38");

    let res = put("2019Q1", serde_json::json!({ "value": 39 })).await.unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(put("2021Q1", serde_json::json!({ "valu": 1 })).await.unwrap().status(), 400);

    let viewer = app.sign_in(Role::Viewer).await;
    let res = viewer
        .client
        .put(app.url(&format!("/api/metrics/{LEAD}/values/2022Q1")))
        .header("x-csrf-token", &viewer.csrf)
        .json(&serde_json::json!({ "value": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let anon = app.anonymous();
    let res = anon
        .client
        .put(app.url(&format!("/api/metrics/{LEAD}/values/2022Q1")))
        .json(&serde_json::json!({"value": 1}))
        .send()
        .await
        .unwrap();
    assert!(res.status() == 401 || res.status() == 403);
}

#[tokio::test]
async fn a_script_that_sends_no_versions_saves_without_a_conflict_check() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    app.put_value(LEAD, "2022Q3", 44.0);
    let editor = app.sign_in(Role::Editor).await;
    let res = editor.post(&format!("/plans/{plan}/entry/2022Q3"), &[(&format!("v.{LEAD}"), "46")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(stored(&app, LEAD, "2022Q3").unwrap().0, 46.0);
}

#[tokio::test]
async fn the_grid_saves_from_its_top_as_from_its_bottom_and_has_a_skip_link() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let html = editor.get(&format!("/plans/{}/entry/2023Q2", seed_plan_id(&app))).await.text().await.unwrap();
    let doc = Html::parse_document(&html);
    assert_eq!(texts(&doc, "form.entry button.primary[type=submit]").len(), 2, "保存 above and below the grid");
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s}"));
    assert!(
        at("class=\"primary\"") < at("id=\"grid\"") && at("id=\"grid\"") < at("<table"),
        "the top 保存 comes first"
    );
    assert_eq!(texts(&doc, "a.skip-link[href='#grid']"), ["跳到填报表"]);
}
