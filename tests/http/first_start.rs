//! The first start: on a database with no account, the one-time setup page creates the
//! first administrator, behind the setup code printed in the terminal.

use crate::helpers::{PASSWORD, TestApp, User, count, hidden_csrf, input_value, start_binary, status_and_page, texts};

const ADMIN_PASSWORD: &str = "綦江气象局-规划处-2021";

/// Fills in and sends the setup form as a browser would: the page first, for its CSRF
/// cookie and field.
async fn submit(user: &User, code: &str, name: &str, password: &str, confirm: &str) -> reqwest::Response {
    let csrf = setup_csrf(user).await;
    send(user, &csrf, code, name, password, confirm).await
}

/// The setup form's CSRF token (empty when there is no form).
async fn setup_csrf(user: &User) -> String {
    hidden_csrf(&user.get("/setup").await.text().await.unwrap()).unwrap_or_default()
}

async fn send(user: &User, csrf: &str, code: &str, name: &str, password: &str, confirm: &str) -> reqwest::Response {
    let fields = [("code", code), ("name", name), ("password", password), ("confirm", confirm), ("csrf", csrf)];
    user.post_raw("/setup", &fields).await
}

fn audited(app: &TestApp, action: &str) -> i64 {
    count(app, &format!("SELECT count(*) FROM audit WHERE action = '{action}'"))
}

#[tokio::test]
async fn anonymous_visitors_of_an_empty_database_are_sent_to_the_setup_page() {
    let (app, _) = TestApp::spawn_first_start().await;
    let anon = app.anonymous();
    for path in ["/", "/login", "/login?next=%2Fadmin%2Fusers", "/metrics/severe-convection-warning-lead-time"] {
        let res = anon.get(path).await;
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(res.headers()["location"], "/setup", "{path}");
    }
    assert_eq!(anon.get("/api/plans").await.status(), 401, "the API still wants a token");

    let (status, doc) = anon.html("/setup").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&doc, "h1"), ["首次设置:创建管理员"]);
    for field in ["code", "name", "password", "confirm", "csrf"] {
        assert_eq!(texts(&doc, &format!("form[action='/setup'] input[name={field}]")).len(), 1, "{field}");
    }
    assert!(texts(&doc, "header nav a").is_empty(), "nothing to navigate to yet");
}

#[tokio::test]
async fn a_wrong_code_is_refused_audited_and_creates_nothing() {
    let (app, code) = TestApp::spawn_first_start().await;
    let anon = app.anonymous();
    let wrong = if code.starts_with('0') { code.replacen('0', "1", 1) } else { format!("0{}", &code[1..]) };
    let (status, doc) = status_and_page(submit(&anon, &wrong, "chief", ADMIN_PASSWORD, ADMIN_PASSWORD).await).await;
    assert_eq!(status, 403);
    assert!(texts(&doc, "#code-error")[0].contains("设置码不正确"));
    assert_eq!(input_value(&doc, "#name"), Some("chief".into()), "the name is kept");
    assert_eq!(input_value(&doc, "#code"), None, "a wrong code is not given back");
    assert_eq!(count(&app, "SELECT count(*) FROM account"), 0);
    assert_eq!(audited(&app, "setup_code_wrong"), 1);

    // Without the form's CSRF token nothing is even checked.
    let res = anon.post_raw("/setup", &[("code", &code), ("name", "chief"), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(res.status(), 403);
    assert_eq!(count(&app, "SELECT count(*) FROM account"), 0);
    assert_eq!(anon.get("/setup").await.status(), 200, "the page stays open for the right code");
}

#[tokio::test]
async fn wrong_codes_are_throttled_and_then_even_the_right_one_waits() {
    let (app, code) = TestApp::spawn_first_start().await;
    let anon = app.anonymous();
    for _ in 0..plantrack::auth::ACCOUNT_FREE_FAILURES {
        assert_eq!(submit(&anon, "0000-0000-0000-0000", "chief", ADMIN_PASSWORD, ADMIN_PASSWORD).await.status(), 403);
    }
    let (status, doc) = status_and_page(submit(&anon, &code, "chief", ADMIN_PASSWORD, ADMIN_PASSWORD).await).await;
    assert_eq!(status, 429);
    assert!(texts(&doc, "#code-error")[0].contains("错误次数过多"));
    assert_eq!(count(&app, "SELECT count(*) FROM account"), 0);
    assert_eq!(audited(&app, "setup_code_wrong"), i64::from(plantrack::auth::ACCOUNT_FREE_FAILURES));
    assert_eq!(audited(&app, "setup_throttled"), 1);
}

#[tokio::test]
async fn the_right_code_creates_an_admin_who_signs_in_and_the_page_is_gone_for_good() {
    let (app, code) = TestApp::spawn_first_start().await;
    let anon = app.anonymous();

    // The usual rules for names and passwords, each message beside its field; the right
    // code is kept so that only the wrong field needs typing again.
    for (name, password, confirm, field, says) in [
        ("chief", "short", "short", "password", "至少需要 10 个字符"),
        ("chief", ADMIN_PASSWORD, "another-password", "confirm", "两次输入的密码不一致"),
        ("a b", ADMIN_PASSWORD, ADMIN_PASSWORD, "name", "用户名为"),
    ] {
        let (status, doc) = status_and_page(submit(&anon, &code, name, password, confirm).await).await;
        assert_eq!(status, 422, "{field}");
        assert!(texts(&doc, &format!("#{field}-error"))[0].contains(says), "{field}");
        assert_eq!(input_value(&doc, "#code"), Some(code.clone()));
        assert_eq!(input_value(&doc, "#password"), None, "passwords are never given back");
    }
    assert_eq!(count(&app, "SELECT count(*) FROM account"), 0);

    // Typed as people do: lower case, spaces for dashes.
    let typed = code.to_lowercase().replace('-', " ");
    let res = submit(&anon, &typed, " 局长 ", ADMIN_PASSWORD, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let (_, doc) = anon.html("/login").await;
    assert!(texts(&doc, ".message-ok")[0].contains("管理员已创建"));
    assert_eq!(count(&app, "SELECT count(*) FROM account WHERE name = '局长' AND role = 'admin'"), 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit WHERE action = 'setup_admin_created' AND subject = '局长' AND addr = '127.0.0.1'"
        ),
        1
    );

    let admin = app.anonymous();
    assert_eq!(admin.login("局长", ADMIN_PASSWORD).await.status(), 303);
    assert_eq!(admin.get("/admin/users").await.status(), 200);

    // Gone for good: the page, the code, and the detour to it.
    assert_eq!(anon.get("/setup").await.status(), 404);
    let csrf = hidden_csrf(&anon.get("/login").await.text().await.unwrap()).unwrap();
    let res = send(&anon, &csrf, &code, "second", ADMIN_PASSWORD, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), 404, "the code is used up");
    assert_eq!(admin.get("/setup").await.status(), 404);
    let res = anon.get("/").await;
    assert_eq!(res.headers()["location"], "/login?next=%2F");
    assert_eq!(anon.get("/login").await.status(), 200);
    assert_eq!(count(&app, "SELECT count(*) FROM account"), 1);
}

#[tokio::test]
async fn two_browsers_sending_the_code_at_once_create_one_admin() {
    let (app, code) = TestApp::spawn_first_start().await;
    let (a, b) = (app.anonymous(), app.anonymous());
    let (csrf_a, csrf_b) = (setup_csrf(&a).await, setup_csrf(&b).await);
    let (ra, rb) = tokio::join!(
        send(&a, &csrf_a, &code, "first", ADMIN_PASSWORD, ADMIN_PASSWORD),
        send(&b, &csrf_b, &code, "second", ADMIN_PASSWORD, ADMIN_PASSWORD)
    );
    let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort_unstable();
    assert!(statuses == [303, 404] || statuses == [303, 409], "{statuses:?}");
    assert_eq!(count(&app, "SELECT count(*) FROM account"), 1);
    assert_eq!(audited(&app, "setup_admin_created"), 1);
}

#[tokio::test]
async fn an_account_added_from_the_command_line_meanwhile_closes_the_page() {
    let (app, code) = TestApp::spawn_first_start().await;
    app.store
        .with_conn(|c| {
            let hash = plantrack::auth::hash_password(PASSWORD)?;
            plantrack::store::accounts::create(c, "cli-admin", plantrack::auth::Role::Admin, &hash).map(drop)
        })
        .unwrap();
    let anon = app.anonymous();
    let res = anon.post_raw("/setup", &[("code", &code)]).await;
    assert_eq!(res.status(), 403, "CSRF first");
    let res = anon.get("/setup").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    assert_eq!(anon.get("/setup").await.status(), 404);
    assert_eq!(anon.get("/login").await.status(), 200);
}

/// The setup code `plantrack serve` printed, if any.
fn printed_code(printed: &[String]) -> Option<String> {
    printed.iter().find_map(|l| l.split("setup code:").nth(1)).map(|c| c.trim().to_owned())
}

#[tokio::test]
async fn serve_on_an_empty_database_prints_a_new_code_at_each_start_until_an_admin_exists() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("first.db");
    let first = start_binary(&["serve"], &db);
    let old = printed_code(&first.printed).unwrap_or_else(|| panic!("no code in {:?}", first.printed));
    assert!(first.printed.iter().any(|l| l.contains("plantrack user add --role admin")), "the command line way too");
    drop(first);

    // A restart, a new code: the one printed before no longer opens anything.
    let second = start_binary(&["serve"], &db);
    let code = printed_code(&second.printed).unwrap();
    assert_ne!(code, old);
    let browser = User::at(&second.url);
    let res = browser.get("/").await;
    assert_eq!(res.headers()["location"], "/setup");
    assert_eq!(submit(&browser, &old, "chief", ADMIN_PASSWORD, ADMIN_PASSWORD).await.status(), 403);
    assert_eq!(submit(&browser, &code, "chief", ADMIN_PASSWORD, ADMIN_PASSWORD).await.status(), 303);
    assert_eq!(browser.login("chief", ADMIN_PASSWORD).await.status(), 303);
    drop(second);

    // With an administrator, no code is printed and the page is gone.
    let third = start_binary(&["serve"], &db);
    assert_eq!(printed_code(&third.printed), None, "{:?}", third.printed);
    let browser = User::at(&third.url);
    assert_eq!(browser.get("/setup").await.status(), 404);
    assert_eq!(browser.get("/").await.headers()["location"], "/login?next=%2F");
}
