//! Bounds and soft checks where figures come in (form, API, sheet) and where they are
//! shown (metric page, API): a figure that cannot be true is refused, a surprising one
//! needs a note and carries its flags.

use plantrack::auth::Role;
use scraper::Html;

use crate::helpers::{LEAD, TestApp, User, count, save_entry, seed_plan_id, texts, upload_sheet};

async fn save(user: &User, plan: i64, quarter: &str, key: &str, value: &str, note: &str) -> reqwest::Response {
    save_entry(user, plan, quarter, &[(key, value, note)]).await
}

async fn put(app: &TestApp, user: &User, key: &str, quarter: &str, body: serde_json::Value) -> reqwest::Response {
    user.client
        .put(app.url(&format!("/api/metrics/{key}/values/{quarter}")))
        .header("x-csrf-token", &user.csrf)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn upload(user: &User, app: &TestApp, csv: String) -> (reqwest::StatusCode, Html) {
    upload_sheet(user, app, "figures.csv", csv.into_bytes()).await
}

/// Figures that cannot be true, with a word of the reason each gives.
const IMPOSSIBLE: [(&str, &str, &str); 7] = [
    ("bachelor-degree-share", "101.4", "0 到 100"),
    ("public-service-satisfaction", "-833281", "0 到 100"),
    ("air-quality-good-days", "372", "0 到 366"),
    ("village-warning-stations", "1,000", "0 到 381"),
    ("sensitive-units-inspection", "-1", "不能为负"),
    ("x-band-radar", "1.61", "整数"),
    ("yongtong-climate-centre", "126", "0 到 100"),
];

#[tokio::test]
async fn a_figure_that_cannot_be_true_is_refused_by_the_form_the_api_and_the_import() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    for (key, value, why) in IMPOSSIBLE {
        let res = save(&editor, plan, "2022Q4", key, value, "有说明也不行").await;
        assert_eq!(res.status(), 422, "form {key}={value}");
        let doc = Html::parse_document(&res.text().await.unwrap());
        let msg = texts(&doc, &format!("#e-{key}")).join("");
        assert!(msg.contains(why), "form {key}={value}: {msg}");

        let res = put(&app, &editor, key, "2022Q4", serde_json::json!({ "value": value, "note": "说明" })).await;
        assert_eq!(res.status(), 422, "api {key}={value}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["field"], "value");
        assert!(body["error"].as_str().unwrap().contains(why), "api {key}={value}: {body}");

        let (status, doc) =
            upload(&editor, &app, format!("指标代码,季度,数值,备注\n{key},2022Q4,\"{value}\",说明\n")).await;
        assert_eq!(status, 422, "import {key}={value}");
        let row = texts(&doc, "table.import-rows tbody tr").join(" ");
        assert!(row.contains(why), "import {key}={value}: {row}");
    }
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0);
}

#[tokio::test]
async fn a_surprising_figure_needs_a_note_everywhere_and_carries_its_flags() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    app.put_value("fibre-bandwidth", "2022Q2", 197.2);
    let editor = app.sign_in(Role::Editor).await;

    // The form: refused beside the note field, kept with a note.
    let res = save(&editor, plan, "2022Q3", "fibre-bandwidth", "1000", "").await;
    assert_eq!(res.status(), 422);
    let doc = Html::parse_document(&res.text().await.unwrap());
    let msg = texts(&doc, "#e-fibre-bandwidth").join("");
    assert!(msg.contains("两倍") && msg.contains("备注"), "{msg}");
    let res = save(&editor, plan, "2022Q3", "fibre-bandwidth", "1000", "千兆专线已开通").await;
    assert_eq!(res.status(), 303);

    // The API: the same, and the saved figure's flags by code.
    let res = put(&app, &editor, "fibre-bandwidth", "2022Q4", serde_json::json!({ "value": 5000 })).await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["field"], "note");
    let res =
        put(&app, &editor, "fibre-bandwidth", "2022Q4", serde_json::json!({ "value": 5000, "note": "试验" })).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    let codes: Vec<&str> = body["flags"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"jump") && codes.contains(&"beyond_twice_target"), "{body}");

    // The import: a row without a note is an error on that row.
    let (status, doc) =
        upload(&editor, &app, format!("指标代码,季度,数值,备注\n{LEAD},2022Q3,45,\nfibre-bandwidth,2023Q1,9000,\n"))
            .await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "table.import-rows tbody tr").join(" ").contains("备注"));

    // The metric page and the API show the flags of the figures as they stand.
    let (_, doc) = app.html("/metrics/fibre-bandwidth?pending=1&as_of=2022-12-31").await;
    let flags = texts(&doc, "section.values .flag").join(" ");
    assert!(flags.contains("超过目标两倍"), "{flags}");
    let (_, api) = app.json("/api/metrics/fibre-bandwidth?pending=1&as_of=2022-12-31").await;
    let q3 = api["values"].as_array().unwrap().iter().find(|v| v["quarter"] == "2022Q3").unwrap().clone();
    let codes: Vec<&str> = q3["flags"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"beyond_twice_target"), "{q3}");
    let q2 = api["values"].as_array().unwrap().iter().find(|v| v["quarter"] == "2022Q2").unwrap().clone();
    assert_eq!(q2["flags"], serde_json::json!([]));
}

#[tokio::test]
async fn a_level_falling_back_further_than_ever_before_is_flagged() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    for (q, v) in [("2021Q1", 38.0), ("2021Q2", 40.0), ("2021Q3", 41.0)] {
        app.put_value(LEAD, q, v);
    }
    let editor = app.sign_in(Role::Editor).await;
    assert_eq!(save(&editor, plan, "2021Q4", LEAD, "40", "").await.status(), 303, "a small step back is normal");
    let res = save(&editor, plan, "2021Q4", LEAD, "36", "").await;
    assert_eq!(res.status(), 422);
    let doc = Html::parse_document(&res.text().await.unwrap());
    assert!(texts(&doc, &format!("#e-{LEAD}")).join("").contains("背离目标"));
}
