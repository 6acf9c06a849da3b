//! Sign-in, sessions, CSRF and throttling.

use plantrack::auth::Role;
use plantrack::web::Config;

use crate::helpers::{PASSWORD, TestApp, count, exec, hidden_csrf, texts};

#[tokio::test]
async fn anonymous_visitors_see_only_the_sign_in_page() {
    let app = TestApp::spawn().await;
    let anon = app.anonymous();
    for path in ["/", "/metrics/fibre-bandwidth", "/metrics/fibre-bandwidth/chart.svg", "/admin/users"] {
        let res = anon.get(path).await;
        assert_eq!(res.status(), 303, "{path}");
        assert!(res.headers()["location"].to_str().unwrap().starts_with("/login?next="), "{path}");
    }
    let res = anon.get("/api/metrics/fibre-bandwidth").await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("需要登录"));
    assert_eq!(anon.get("/login").await.status(), 200);
    assert_eq!(anon.get("/static/style.css").await.status(), 200);
}

#[tokio::test]
async fn public_read_opens_reading_but_not_writing_or_admin() {
    let app = TestApp::spawn_with_config(Config { public_read: true, ..Config::default() }).await;
    let anon = app.anonymous();
    for path in ["/", "/metrics/fibre-bandwidth", "/metrics/fibre-bandwidth/chart.svg", "/api/plans"] {
        assert_eq!(anon.get(path).await.status(), 200, "{path}");
    }
    assert_eq!(anon.get("/admin/users").await.status(), 303);
    let put = anon.client.put(app.url("/api/metrics/fibre-bandwidth/values/2022Q3")).body("{}").send().await.unwrap();
    assert!(put.status() == 401 || put.status() == 403, "{}", put.status());
}

#[tokio::test]
async fn signing_in_sets_a_hardened_session_cookie_and_signing_out_ends_it() {
    let app = TestApp::spawn().await;
    let user = app.anonymous();
    let res = user.login("editor", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("plantrack_session="));
    let cookie = cookie.expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    assert_eq!(
        count(&app, "SELECT count(*) FROM session s JOIN account a ON a.id = s.account_id WHERE a.name = 'editor'"),
        1
    );
    // The token is stored hashed: the cookie value is nowhere in the database.
    let value = cookie.split(';').next().unwrap().trim_start_matches("plantrack_session=").to_owned();
    assert_eq!(count(&app, &format!("SELECT count(*) FROM session WHERE token_hash = '{value}'")), 0);

    let (status, doc) = user.html("/").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&doc, ".who .role"), ["填报员"]);
    let page = user.get("/").await.text().await.unwrap();
    let csrf = hidden_csrf(&page).unwrap();
    let out = user.post_raw("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(user.get("/").await.status(), 303, "signed out");
    assert_eq!(
        count(&app, "SELECT count(*) FROM session s JOIN account a ON a.id = s.account_id WHERE a.name = 'editor'"),
        0
    );
}

#[tokio::test]
async fn secure_cookies_when_the_operator_says_tls() {
    let app = TestApp::spawn_with_config(Config { secure_cookies: true, ..Config::default() }).await;
    let res = app.anonymous().login("viewer", PASSWORD).await;
    let cookies: Vec<String> =
        res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("plantrack_session=") && c.contains("Secure")), "{cookies:?}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_recorded() {
    let app = TestApp::spawn().await;
    let user = app.anonymous();
    let res = user.login("editor", "wrong-password-here").await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("用户名或密码错误"));
    assert_eq!(count(&app, "SELECT count(*) FROM audit WHERE action = 'login_failed' AND subject = 'editor'"), 1);
    assert_eq!(count(&app, "SELECT count(*) FROM login_attempt WHERE name = 'editor' AND success = 0"), 1);
    assert_eq!(user.get("/").await.status(), 303);
}

#[tokio::test]
async fn sign_in_is_throttled_after_repeated_failures() {
    let app = TestApp::spawn().await;
    let user = app.anonymous();
    for _ in 0..5 {
        assert_eq!(user.login("reviewer", "wrong-password-here").await.status(), 401);
    }
    // The sixth try is refused before the password is even checked, the right one too.
    let res = user.login("reviewer", PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("登录失败次数过多"));
    assert_eq!(count(&app, "SELECT count(*) FROM audit WHERE action = 'login_throttled'"), 1);
    // Other accounts are not locked out by someone guessing this one.
    assert_eq!(app.anonymous().login("viewer", PASSWORD).await.status(), 303);
    // Once the delay has passed, the right password works again.
    exec(&app, "UPDATE login_attempt SET at = at - 31 WHERE name = 'reviewer'");
    assert_eq!(user.login("reviewer", PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let fields = [("name", "newcomer"), ("role", "viewer"), ("password", "a-long-secret-pass")];
    let missing = admin.post_raw("/admin/users", &fields).await;
    assert_eq!(missing.status(), 403);
    assert!(missing.text().await.unwrap().contains("CSRF"));
    let mut wrong = fields.to_vec();
    wrong.push(("csrf", "0000"));
    assert_eq!(admin.post_raw("/admin/users", &wrong).await.status(), 403);
    // Another session's token is no good either.
    let other = app.sign_in(Role::Admin).await;
    let mut stolen = fields.to_vec();
    stolen.push(("csrf", &other.csrf));
    assert_eq!(admin.post_raw("/admin/users", &stolen).await.status(), 403);
    assert_eq!(count(&app, "SELECT count(*) FROM account WHERE name = 'newcomer'"), 0);
    // With its own token it goes through.
    assert_eq!(admin.post("/admin/users", &fields).await.status(), 303);
    assert_eq!(count(&app, "SELECT count(*) FROM account WHERE name = 'newcomer'"), 1);
}

#[tokio::test]
async fn the_sign_in_form_itself_needs_its_csrf_token() {
    let app = TestApp::spawn().await;
    let user = app.anonymous();
    let res = user.post_raw("/login", &[("name", "viewer"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn sessions_expire_when_idle_and_after_their_absolute_limit() {
    let app = TestApp::spawn().await;
    let idle = app.sign_in(Role::Editor).await;
    exec(&app, "UPDATE session SET last_seen = last_seen - 2 * 3600 - 1");
    assert_eq!(idle.get("/").await.status(), 303);

    let old = app.sign_in(Role::Editor).await;
    exec(&app, "UPDATE session SET created_at = created_at - 12 * 3600 - 1");
    assert_eq!(old.get("/").await.status(), 303);
    assert_eq!(
        count(&app, "SELECT count(*) FROM session s JOIN account a ON a.id = s.account_id WHERE a.name = 'editor'"),
        0
    );
}

#[tokio::test]
async fn a_disabled_user_is_out_at_the_next_request() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    assert_eq!(editor.get("/").await.status(), 200);
    exec(&app, "UPDATE account SET disabled = 1 WHERE name = 'editor'");
    assert_eq!(editor.get("/").await.status(), 303);
    assert_eq!(app.anonymous().login("editor", PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn changing_a_password_ends_the_users_other_sessions() {
    let app = TestApp::spawn().await;
    let here = app.sign_in(Role::Reviewer).await;
    let elsewhere = app.sign_in(Role::Reviewer).await;
    let res = here
        .post(
            "/account/password",
            &[("current", PASSWORD), ("new", "another-long-pass"), ("confirm", "another-long-pass")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(here.get("/").await.status(), 200, "this session stays");
    assert_eq!(elsewhere.get("/").await.status(), 303, "the other one is out");
    assert_eq!(app.anonymous().login("reviewer", "another-long-pass").await.status(), 303);

    let bad = here.post("/account/password", &[("current", "nope-nope-nope"), ("new", "x"), ("confirm", "y")]).await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn api_tokens_act_with_their_users_role_and_stop_when_revoked() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let page = admin.post("/admin/tokens", &[("user", "viewer"), ("label", "脚本")]).await.text().await.unwrap();
    let doc = scraper::Html::parse_document(&page);
    let token = texts(&doc, "#new-token")[0].clone();
    assert_eq!(token.len(), 64);
    assert_eq!(
        count(&app, &format!("SELECT count(*) FROM api_token WHERE token_hash = '{token}'")),
        0,
        "stored hashed"
    );

    let bearer = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = bearer.get(app.url("/api/plans")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = bearer.get(app.url("/admin/users")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 403, "a viewer's token cannot reach admin pages");

    let id: i64 = app.store.with_conn(|c| Ok(c.query_row("SELECT max(id) FROM api_token", [], |r| r.get(0))?)).unwrap();
    assert_eq!(admin.post(&format!("/admin/tokens/{id}/revoke"), &[]).await.status(), 303);
    let res = bearer.get(app.url("/api/plans")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn hostile_next_values_redirect_to_a_safe_path_and_keep_the_session() {
    let app = TestApp::spawn().await;
    let long = format!("/{}", "a".repeat(10_000));
    let hostile = [
        "/\t/evil.example",
        "\t//evil.example",
        "/\r\nSet-Cookie: plantrack_session=x",
        "/\n/evil.example",
        "/\0",
        "/\u{7f}",
        "/\u{b}",
        "/\\evil.example",
        "\\\\evil.example",
        "//evil.example",
        "https://evil.example/",
        "/\u{3000}/evil.example",
        "/\u{a0}/evil.example",
        "/\u{2028}/evil.example",
        "/\u{feff}/evil.example",
        long.as_str(),
    ];
    for next in hostile {
        let user = app.anonymous();
        let page = user.get(&format!("/login?next={}", urlencoded(next))).await.text().await.unwrap();
        let doc = scraper::Html::parse_document(&page);
        assert_eq!(crate::helpers::input_value(&doc, "input[name=next]").as_deref(), Some("/"), "{next:?}");
        let csrf = hidden_csrf(&page).unwrap();
        let res = user
            .post_raw("/login", &[("name", "viewer"), ("password", PASSWORD), ("csrf", &csrf), ("next", next)])
            .await;
        assert_eq!(res.status(), 303, "{next:?}");
        assert_eq!(res.headers()["location"], "/", "{next:?}");
        let cookies: Vec<_> =
            res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        assert!(cookies.iter().any(|c| c.starts_with("plantrack_session=")), "{next:?}: {cookies:?}");
        assert_eq!(user.get("/").await.status(), 200, "{next:?}: signed in");
    }
    // Percent-encoded tricks stay paths on this server, and our own links come back.
    for next in ["/%09/evil.example", "/%5Cevil.example", "/metrics/fibre-bandwidth?view=pending"] {
        let user = app.anonymous();
        let page = user.get("/login").await.text().await.unwrap();
        let csrf = hidden_csrf(&page).unwrap();
        let res = user
            .post_raw("/login", &[("name", "viewer"), ("password", PASSWORD), ("csrf", &csrf), ("next", next)])
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], next);
        let to = url::Url::parse(&app.url("/login")).unwrap().join(next).unwrap();
        assert_eq!(to.origin(), url::Url::parse(&app.url("/")).unwrap().origin(), "{next:?}");
    }
}

fn urlencoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn an_address_is_throttled_after_its_failures_whatever_a_known_account_does_between() {
    let app = TestApp::spawn().await;
    let guesser = app.anonymous();
    // Guesses spread over many names, so that no one account is throttled, with a sign-in
    // of a known account after every few: that no longer resets the address's count.
    for i in 0..20 {
        if i % 5 == 0 {
            assert_eq!(app.anonymous().login("viewer", PASSWORD).await.status(), 303, "known account before {i}");
        }
        assert_eq!(guesser.login(&format!("guess-{i}"), "wrong-password-here").await.status(), 401, "guess {i}");
    }
    let res = app.anonymous().login("editor", PASSWORD).await;
    assert_eq!(res.status(), 429, "the address is throttled, the right password of another account too");
    assert!(res.text().await.unwrap().contains("登录失败次数过多"));
    assert_eq!(count(&app, "SELECT count(*) FROM audit WHERE action = 'login_throttled'"), 1);
}

#[tokio::test]
async fn typos_a_user_then_corrects_do_not_count_against_the_address() {
    let app = TestApp::spawn().await;
    // An office behind one address: every user mistypes four times, then signs in.
    for role in Role::ALL {
        let user = app.anonymous();
        for _ in 0..4 {
            assert_eq!(user.login(role.as_str(), "wrong-password-here").await.status(), 401);
        }
        assert_eq!(user.login(role.as_str(), PASSWORD).await.status(), 303, "{role}");
    }
    // Those sixteen are forgiven; twenty other failures still throttle the address.
    let guesser = app.anonymous();
    for i in 0..20 {
        assert_eq!(guesser.login(&format!("guess-{i}"), "wrong-password-here").await.status(), 401, "guess {i}");
    }
    assert_eq!(app.anonymous().login("viewer", PASSWORD).await.status(), 429);
}
