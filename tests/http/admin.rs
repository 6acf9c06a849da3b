//! The admin pages: users, metric definitions and the audit log.

use plantrack::auth::Role;

use crate::helpers::{PASSWORD, TestApp, seed_plan_id, texts, user_id};

fn audit_rows(app: &TestApp, action: &str) -> Vec<(String, String, String)> {
    app.store
        .with_conn(|c| {
            let mut s = c.prepare("SELECT actor, subject, detail FROM audit WHERE action = ?1 ORDER BY id")?;
            let rows = s.query_map([action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

#[tokio::test]
async fn admin_adds_a_user_who_can_then_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let res =
        admin.post("/admin/users", &[("name", "张三"), ("role", "editor"), ("password", "a-long-secret-pass")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/admin/users");
    let (_, doc) = admin.html("/admin/users").await;
    assert_eq!(texts(&doc, ".message-ok"), ["用户已添加。"]);
    // Said once: the message is not there on the next visit.
    let (_, again) = admin.html("/admin/users").await;
    assert!(texts(&again, ".message-ok").is_empty());
    assert!(texts(&doc, "table.users tbody th").iter().any(|t| t == "张三"));
    assert_eq!(app.anonymous().login("张三", "a-long-secret-pass").await.status(), 303);
    assert_eq!(audit_rows(&app, "user_created"), [("admin".into(), "张三".into(), "角色:填报员".into())]);
}

#[tokio::test]
async fn a_bad_new_user_form_comes_back_with_messages_and_adds_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let res = admin.post("/admin/users", &[("name", "editor"), ("role", "viewer"), ("password", "short")]).await;
    assert_eq!(res.status(), 422);
    let doc = scraper::Html::parse_document(&res.text().await.unwrap());
    assert!(texts(&doc, "#password-error")[0].contains("10"));
    let res =
        admin.post("/admin/users", &[("name", "editor"), ("role", "viewer"), ("password", "a-long-secret-pass")]).await;
    assert_eq!(res.status(), 422);
    let doc = scraper::Html::parse_document(&res.text().await.unwrap());
    assert!(texts(&doc, "#name-error")[0].contains("已存在"));
    assert!(audit_rows(&app, "user_created").is_empty());
}

#[tokio::test]
async fn admin_changes_roles_disables_and_resets_passwords_all_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let viewer = app.sign_in(Role::Viewer).await;
    let id = user_id(&app, "viewer");

    assert_eq!(admin.post(&format!("/admin/users/{id}/role"), &[("role", "reviewer")]).await.status(), 303);
    assert_eq!(audit_rows(&app, "role_changed")[0].2, "查看者 → 审核人");

    assert_eq!(admin.post(&format!("/admin/users/{id}/disable"), &[]).await.status(), 303);
    assert_eq!(viewer.get("/").await.status(), 303, "a disabled user is out");
    assert_eq!(app.anonymous().login("viewer", PASSWORD).await.status(), 401);
    assert_eq!(admin.post(&format!("/admin/users/{id}/enable"), &[]).await.status(), 303);

    assert_eq!(
        admin.post(&format!("/admin/users/{id}/password"), &[("password", "reset-by-admin-1")]).await.status(),
        303
    );
    assert_eq!(app.anonymous().login("viewer", "reset-by-admin-1").await.status(), 303);
    for action in ["user_disabled", "user_enabled", "password_reset"] {
        assert_eq!(audit_rows(&app, action).len(), 1, "{action}");
    }
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_or_disable_themselves() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let id = user_id(&app, "admin");
    let res = admin.post(&format!("/admin/users/{id}/role"), &[("role", "viewer")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("最后一位管理员"));
    assert_eq!(admin.post(&format!("/admin/users/{id}/disable"), &[]).await.status(), 422);
    assert_eq!(admin.get("/admin/users").await.status(), 200);
}

#[tokio::test]
async fn editing_a_definition_is_kept_in_the_audit_history_with_old_and_new() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let (_, doc) = admin.html("/admin/metrics/fibre-bandwidth").await;
    let value = |css: &str| {
        let sel = scraper::Selector::parse(css).unwrap();
        doc.select(&sel).next().unwrap().value().attr("value").unwrap_or("").to_owned()
    };
    assert_eq!(value("#baseline"), "60");
    assert_eq!(value("#target_low"), "300");
    let source = texts(&doc, "#source")[0].clone();
    let res = admin
        .post(
            "/admin/metrics/fibre-bandwidth",
            &[
                ("name", "气象观测数据光纤专线带宽"),
                ("unit", "Mbps"),
                ("baseline", "６０"),
                ("baseline_date", "2020-12-31"),
                ("target_low", "1,000"),
                ("target_date", "2025-12-31"),
                ("source", &source),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, m) = app.json("/api/metrics/fibre-bandwidth").await;
    assert_eq!(m["target"]["low"], 1000.0);
    let rows = audit_rows(&app, "metric_changed");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "admin");
    assert!(rows[0].2.contains("目标值:300 → 1000"), "{}", rows[0].2);
    assert!(!rows[0].2.contains("基期值"), "unchanged fields are not listed: {}", rows[0].2);
    let (_, doc) = admin.html("/admin/audit?action=metric_changed").await;
    assert_eq!(texts(&doc, "table.audit tbody tr").len(), 1);
}

#[tokio::test]
async fn a_wrong_definition_is_refused_field_by_field_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let res = admin
        .post(
            "/admin/metrics/senior-engineers",
            &[
                ("name", ""),
                ("unit", "名"),
                ("baseline", "abc"),
                ("target_low", "3"),
                ("target_high", "2"),
                ("source", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let doc = scraper::Html::parse_document(&res.text().await.unwrap());
    assert!(texts(&doc, "#name-error")[0].contains("名称"));
    assert!(texts(&doc, "#baseline-error")[0].contains("不是数字"));
    let sel = scraper::Selector::parse("#baseline").unwrap();
    assert_eq!(doc.select(&sel).next().unwrap().value().attr("value"), Some("abc"), "typed values are kept");
    let (_, m) = app.json("/api/metrics/senior-engineers").await;
    assert_eq!((m["target"]["low"].as_f64(), m["target"]["high"].as_f64()), (Some(2.0), Some(3.0)));
    assert!(audit_rows(&app, "metric_changed").is_empty());
}

#[tokio::test]
async fn a_script_in_a_note_is_shown_as_text_not_run() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let evil = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let res = admin
        .post(
            "/admin/metrics/x-band-radar",
            &[
                ("name", "X波段双偏振天气雷达"),
                ("unit", "部"),
                ("baseline", "0"),
                ("target_low", "1"),
                ("source", "原文"),
                ("notes", evil),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    for page in ["/metrics/x-band-radar", "/admin/audit", "/admin/metrics/x-band-radar"] {
        let body = admin.get(page).await.text().await.unwrap();
        let doc = scraper::Html::parse_document(&body);
        assert!(texts(&doc, "script").is_empty(), "{page}: no script element");
        assert!(texts(&doc, "img").is_empty(), "{page}: no img element");
        assert!(!body.contains("<script>alert"), "{page}: escaped");
    }
    let (_, doc) = admin.html("/metrics/x-band-radar").await;
    assert_eq!(texts(&doc, ".metric-notes")[0], format!("说明:{evil}"));
}

#[tokio::test]
async fn the_audit_page_lists_sign_ins_and_failures_and_filters_them() {
    let app = TestApp::spawn().await;
    assert_eq!(app.anonymous().login("editor", "wrong-password-here").await.status(), 401);
    let admin = app.sign_in(Role::Admin).await;
    let (_, doc) = admin.html("/admin/audit").await;
    let actions = texts(&doc, "table.audit tbody td:nth-child(3)");
    assert!(actions.contains(&"登录".to_owned()) && actions.contains(&"登录失败".to_owned()), "{actions:?}");
    let (_, doc) = admin.html("/admin/audit?action=login_failed").await;
    assert_eq!(texts(&doc, "table.audit tbody tr").len(), 1);
    let (_, doc) = admin.html("/admin/audit?actor=editor").await;
    assert!(texts(&doc, "table.audit tbody td:nth-child(2)").iter().all(|a| a == "editor"));
    let (_, doc) = admin.html("/admin/audit?from=2000-01-01&to=2000-01-02").await;
    assert!(texts(&doc, "table.audit tbody tr").is_empty());
    let (status, _) = admin.html("/admin/audit?from=yesterday").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn admin_edits_a_plans_header_and_the_edit_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let plan = seed_plan_id(&app);
    let path = format!("/admin/plans/{plan}");
    let bad = admin.post(&path, &[("title", ""), ("midterm_on", "2030-06-30")]).await;
    assert_eq!(bad.status(), 422);
    let doc = scraper::Html::parse_document(&bad.text().await.unwrap());
    assert!(texts(&doc, "#midterm_on-error")[0].contains("规划期"));
    assert!(!texts(&doc, "#title-error").is_empty());
    let fields = [
        ("title", "重庆市綦江区气象发展“十四五”规划"),
        ("issuer", "重庆市綦江区人民政府办公室"),
        ("document_number", "綦江府办发〔2021〕49号"),
        ("issued_on", "2021-12-06"),
        ("midterm_on", "2023-09-30"),
    ];
    assert_eq!(admin.post(&path, &fields).await.status(), 303);
    let (_, plans) = app.json("/api/plans").await;
    assert_eq!(plans["plans"][0]["midterm_on"], "2023-09-30");
    assert_eq!(
        audit_rows(&app, "plan_changed"),
        [("admin".into(), "qijiang-meteorology-14".into(), "中期评估日期:2023-06-30 → 2023-09-30".into())]
    );
    let editor = app.sign_in(Role::Editor).await;
    assert_eq!(editor.post(&path, &fields).await.status(), 403);
}

#[tokio::test]
async fn metric_definitions_are_listed_a_page_of_plans_at_a_time() {
    let (_dir, seeds) = crate::helpers::two_plan_seeds();
    let app = TestApp::spawn_with(seeds, false).await;
    let admin = app.sign_in(Role::Admin).await;
    let (status, doc) = admin.html("/admin/metrics").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&doc, "main section h2").len(), 2, "both plans on the first page");
    assert!(texts(&doc, "nav.pager").is_empty(), "one page needs no pager");
    let (status, doc) = admin.html("/admin/metrics?page=2").await;
    assert_eq!(status, 200);
    assert!(texts(&doc, "main section h2").is_empty());
    assert_eq!(admin.html("/admin/metrics?page=0").await.0, 400);
}
