//! Malformed requests get a clean 4xx with a Chinese message, never a panic or a stack.

use plantrack::auth::Role;

use crate::helpers::{TestApp, hidden_csrf, texts};

#[tokio::test]
async fn malformed_forms_and_paths_get_a_styled_4xx() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let res = admin.post("/admin/users/abc/role", &[("role", "viewer")]).await;
    assert_eq!(res.status(), 400);
    let doc = scraper::Html::parse_document(&res.text().await.unwrap());
    assert_eq!(texts(&doc, ".error-message"), ["请求格式有误"]);

    let res = admin.post("/admin/users", &[("nonsense", "1")]).await;
    assert_eq!(res.status(), 422, "missing fields are a validation error, not a crash");

    let anon = app.anonymous();
    let page = anon.get("/login").await.text().await.unwrap();
    let csrf = hidden_csrf(&page).unwrap();
    let res = anon.post_raw("/login", &[("csrf", &csrf), ("name", "viewer")]).await;
    assert_eq!(res.status(), 422);
    let doc = scraper::Html::parse_document(&res.text().await.unwrap());
    assert_eq!(texts(&doc, ".error-message"), ["提交的内容不完整或格式错误"]);
}

#[tokio::test]
async fn wrong_methods_and_huge_bodies_are_refused_cleanly() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let res = admin.client.delete(app.url("/")).header("x-csrf-token", &admin.csrf).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(res.text().await.unwrap().contains("不支持此请求方法"));

    let res = admin.client.post(app.url("/api/plans")).header("x-csrf-token", &admin.csrf).send().await.unwrap();
    assert_eq!(res.status(), 405);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "不支持此请求方法");

    let huge = "x".repeat(9 * 1024 * 1024);
    let res = admin
        .client
        .post(app.url("/admin/users"))
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("name={huge}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}
