//! What an upload may be: bounded in size and in what it unpacks to, with a clear answer
//! (JSON under `/api`) when it is not.

use std::io::{Cursor, Write};

use plantrack::auth::Role;
use scraper::Html;

use crate::helpers::{LEAD, TestApp, count, seed_plan_id, texts};

#[tokio::test]
async fn an_api_body_over_the_limit_is_refused_as_json() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let note = "字".repeat(3 * 1024 * 1024);
    let res = editor
        .client
        .put(app.url(&format!("/api/metrics/{LEAD}/values/2022Q3")))
        .header("x-csrf-token", &editor.csrf)
        .json(&serde_json::json!({ "value": 45, "note": note }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("过大"), "{body}");
}

#[tokio::test]
async fn a_small_xlsx_that_unpacks_to_hundreds_of_megabytes_is_refused_with_a_message() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("xl/sharedStrings.xml", zip::write::SimpleFileOptions::default()).unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..200 {
        w.write_all(&chunk).unwrap();
    }
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let part = reqwest::multipart::Part::bytes(bomb).file_name("bomb.xlsx");
    let url = app.url(&format!("/plans/{}/import?csrf={}", seed_plan_id(&app), editor.csrf));
    let res =
        editor.client.post(url).multipart(reqwest::multipart::Form::new().part("file", part)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let doc = Html::parse_document(&res.text().await.unwrap());
    assert!(texts(&doc, "#sheet-error").join("").contains("解压后超过"));
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0);
}
