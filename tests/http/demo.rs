//! `plantrack demo`: a world of its own. It lives on its own date (the quarter after its
//! figures is the one due), anonymous visitors may look but not touch, and ready accounts
//! for each role are printed at start.

use plantrack::auth::Role;
use plantrack::setup::Seeds;

use crate::helpers::{LEAD, TestApp, User, count, hidden_csrf, input_value, seed_plan_id, start_binary, texts};

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
    // The ten annual metrics are not due in a third quarter.
    assert!(headings.iter().any(|h| h.contains("填报缺失:2023年第三季度(26 项)")), "{headings:?}");
    assert!(!headings.iter().any(|h| h.contains("2025")), "{headings:?}");
}

#[tokio::test]
async fn anyone_may_read_the_demo_without_signing_in_but_not_write() {
    let app = demo().await;
    let plan = seed_plan_id(&app);
    let anon = app.anonymous();
    for path in [
        "/".to_owned(),
        format!("/metrics/{LEAD}"),
        format!("/metrics/{LEAD}/chart.svg"),
        format!("/plans/{plan}/evaluation"),
        "/api/plans".to_owned(),
    ] {
        let res = anon.get(&path).await;
        assert_eq!(res.status(), 200, "{path}");
        if !path.contains('.') && !path.starts_with("/api") {
            let page = res.text().await.unwrap();
            let doc = scraper::Html::parse_document(&page);
            assert_eq!(texts(&doc, ".demo-banner strong"), ["示例数据"], "{path}");
            assert_eq!(texts(&doc, ".who a"), ["登录"], "{path}: nobody is signed in");
        }
    }

    // Writing needs an account: pages that write answer 401, forms go to sign-in, the
    // API refuses, and the admin pages stay closed.
    assert_eq!(anon.get(&format!("/plans/{plan}/entry/2023Q3")).await.status(), 401);
    let csrf = hidden_csrf(&anon.get("/login").await.text().await.unwrap()).unwrap();
    let field = format!("v.{LEAD}");
    let res = anon.post_raw(&format!("/plans/{plan}/entry/2023Q3"), &[(field.as_str(), "45"), ("csrf", &csrf)]).await;
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"));
    let res = anon.post_raw(&format!("/plans/{plan}/entry/2023Q3"), &[(field.as_str(), "45")]).await;
    assert_eq!(res.status(), 403, "no CSRF token");
    let res = anon
        .client
        .put(app.url(&format!("/api/metrics/{LEAD}/values/2023Q3")))
        .json(&serde_json::json!({ "value": 45 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a write with neither token nor session is refused before anything");
    let res = anon.get("/admin/users").await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value WHERE quarter = '2023Q3'"), 0);
}

#[tokio::test]
async fn demo_accounts_exist_only_in_a_demo_database() {
    // A real database is refused in the transaction that would create them…
    let app = TestApp::spawn().await;
    let err = plantrack::setup::demo_accounts(&app.store).expect_err("refused").to_string();
    assert!(err.contains("示例数据库"), "{err}");
    assert_eq!(count(&app, "SELECT count(*) FROM account WHERE name LIKE 'demo-%'"), 0);
    // …and one with real users, even without a figure yet, never becomes a demo.
    let db = app.dir.path().join("test.db");
    let err = plantrack::setup::prepare(&db, &Seeds::Embedded, true).err().expect("refused").to_string();
    assert!(err.contains("用户账户"), "{err}");
    assert_eq!(count(&app, "SELECT count(*) FROM setting WHERE key = 'demo'"), 0);
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0);
}

/// The demo accounts `plantrack demo` printed: (name, password) by role.
fn printed_accounts(printed: &[String]) -> Vec<(Role, String, String)> {
    Role::ALL
        .into_iter()
        .map(|role| {
            let name = format!("demo-{role}");
            let line = printed
                .iter()
                .find(|l| l.contains(role.label_zh()) && l.contains(&format!("用户名 {name} ")))
                .unwrap_or_else(|| panic!("no {name} in {printed:?}"));
            let password = line.rsplit("密码 ").next().unwrap().trim().to_owned();
            (role, name, password)
        })
        .collect()
}

#[tokio::test]
async fn plantrack_demo_prints_an_account_per_role_that_signs_in_and_does_its_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let started = start_binary(&["demo"], &db);
    assert!(started.printed.iter().any(|l| l.contains("未登录即可浏览")), "{:?}", started.printed);
    let accounts = printed_accounts(&started.printed);
    let passwords: std::collections::HashSet<&String> = accounts.iter().map(|(_, _, p)| p).collect();
    assert_eq!(passwords.len(), 4, "one password each");

    let anon = User::at(&started.url);
    assert_eq!(anon.get("/").await.status(), 200, "read without signing in");
    for (role, name, password) in &accounts {
        let user = User::at(&started.url);
        assert_eq!(user.login(name, password).await.status(), 303, "{name} signs in");
        let (status, doc) = user.html("/").await;
        assert_eq!(status, 200);
        assert_eq!(texts(&doc, ".who .role"), [role.label_zh()], "{name}");
        let may = [
            ("/plans/1/entry/2023Q3", role.may_enter()),
            ("/plans/1/review", true),
            ("/admin/users", role.may_administer()),
        ];
        for (path, allowed) in may {
            assert_eq!(user.get(path).await.status() == 200, allowed, "{name} {path}");
        }
    }
    drop(started);

    // A new start, new passwords: the printed ones of the last start no longer sign in.
    let again = start_binary(&["demo"], &db);
    let fresh = printed_accounts(&again.printed);
    let (_, name, old) = &accounts[1];
    assert_ne!(&fresh[1].2, old);
    assert_eq!(User::at(&again.url).login(name, old).await.status(), 401);
    assert_eq!(User::at(&again.url).login(name, &fresh[1].2).await.status(), 303);
}
