use crate::helpers::{LEAD, TestApp, two_plan_seeds, user_id};

#[tokio::test]
async fn api_gives_the_seeded_baseline_and_target_of_the_convective_warning_lead_time() {
    let app = TestApp::spawn().await;
    let (status, m) = app.json("/api/metrics/severe-convection-warning-lead-time").await;
    assert_eq!(status, 200);
    assert_eq!(m["name"], "强对流天气预警时间提前量");
    assert_eq!(m["unit"], "分钟");
    assert_eq!(m["baseline"], 37.0);
    assert_eq!(m["target"]["low"], 48.0);
    assert_eq!(m["target"]["high"], 48.0);
    assert_eq!(m["direction"], "higher");
    assert_eq!(m["status"], "no_data");
    assert_eq!(m["values"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn api_computes_progress_status_and_projection() {
    let app = TestApp::spawn().await;
    for (q, v) in [("2021Q4", 39.0), ("2022Q2", 40.0), ("2022Q4", 41.0), ("2023Q2", 42.0)] {
        app.put_value("severe-convection-warning-lead-time", q, v);
    }
    let (_, m) = app.json("/api/metrics/severe-convection-warning-lead-time?as_of=2023-06-30").await;
    // 5 of 11 minutes = 0.4545 against 0.4997 expected: ratio 0.91, at risk.
    let p = m["progress"].as_f64().unwrap();
    assert!((p - 5.0 / 11.0).abs() < 1e-9, "{p}");
    assert_eq!(m["status"], "at_risk");
    assert_eq!(m["status_label"], "存在风险");
    // +2 minutes a year from 42 in mid-2023: 47 at the end of 2025, 48 in 2026Q2.
    assert!((m["projection"]["value_at_target_date"].as_f64().unwrap() - 47.0).abs() < 0.1, "{m}");
    assert_eq!(m["projection"]["reach"], "2026Q2");
    assert_eq!(m["values"][0]["quarter"], "2021Q4");
}

#[tokio::test]
async fn api_lists_plans_and_their_metrics() {
    let app = TestApp::spawn().await;
    let (status, plans) = app.json("/api/plans").await;
    assert_eq!(status, 200);
    assert_eq!(
        (plans["total"].as_i64(), plans["page"].as_i64(), plans["per_page"].as_i64()),
        (Some(1), Some(1), Some(50))
    );
    let plan = &plans["plans"][0];
    assert_eq!(plan["document_number"], "綦江府办发〔2021〕49号");
    assert_eq!(plan["period_start"], "2021-01-01");
    let (status, body) = app.json(&format!("/api/plans/{}/metrics", plan["id"])).await;
    assert_eq!(status, 200);
    let metrics = body["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 36);
    let resolution = metrics.iter().find(|m| m["key"] == "forecast-grid-resolution").unwrap();
    assert_eq!(resolution["direction"], "lower");
    assert_eq!(resolution["baseline"], 2.5);
}

#[tokio::test]
async fn api_errors_are_json_with_a_message() {
    let app = TestApp::spawn().await;
    let (status, body) = app.json("/api/metrics/no-such-metric").await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("no-such-metric"));
    let (status, body) = app.json("/api/plans/abc/metrics").await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("规划编号"));
    let (status, _) = app.json("/api/plans/999/metrics").await;
    assert_eq!(status, 404);
    let (status, _) = app.json("/api/nothing-here").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn api_marks_a_stale_value_and_says_why_a_projection_is_missing() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2022Q4", 41.0);
    app.put_value(LEAD, "2023Q2", 44.0);
    let (_, m) = app.json(&format!("/api/metrics/{LEAD}?as_of=2023-09-30")).await;
    assert_eq!((&m["stale"], &m["latest"]["quarter"]), (&serde_json::json!(false), &serde_json::json!("2023Q2")));
    let (_, m) = app.json(&format!("/api/metrics/{LEAD}?as_of=2023-12-31")).await;
    assert_eq!(m["stale"], true);
    // A trend that met 48 in 2024Q1 is no figure that did: at the end of 2024 the earliest
    // reach is the next quarter.
    let (_, m) = app.json(&format!("/api/metrics/{LEAD}?as_of=2024-12-31")).await;
    assert_eq!(m["projection"]["reach"], "2025Q1");
    assert_eq!(m["reached"], serde_json::Value::Null);
    // One radar, none yet: no line through zeros.
    app.put_value("x-band-radar", "2022Q4", 0.0);
    app.put_value("x-band-radar", "2023Q2", 0.0);
    let (_, m) = app.json("/api/metrics/x-band-radar?as_of=2023-06-30").await;
    assert_eq!(m["projection"], serde_json::Value::Null);
    assert_eq!(m["projection_na"], "one_off");
    assert_eq!(m["projection_na_reason"], "一次性建设类指标,不作趋势预测");
}

#[tokio::test]
async fn a_figures_version_from_get_lets_a_script_put_and_a_stale_one_is_refused() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2022Q3", 44.0);
    let token = plantrack::auth::new_token();
    let editor = user_id(&app, "editor");
    app.store
        .with_conn(|c| {
            plantrack::store::accounts::create_token(c, editor, &plantrack::auth::token_hash(&token), "测试", "test")
        })
        .unwrap();
    let script = reqwest::Client::new();
    let get = |query: &'static str| {
        let req = script.get(app.url(&format!("/api/metrics/{LEAD}{query}"))).bearer_auth(&token);
        async move { req.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let put = |body: serde_json::Value| {
        script.put(app.url(&format!("/api/metrics/{LEAD}/values/2022Q3"))).bearer_auth(&token).json(&body).send()
    };

    let seen = get("").await["values"][0]["version"].as_i64().expect("each figure carries its version");
    let res = put(serde_json::json!({ "value": 45, "version": seen })).await.unwrap();
    assert_eq!(res.status(), 200);
    let saved: serde_json::Value = res.json().await.unwrap();
    assert!(saved["version"].as_i64().unwrap() > seen);

    // The entry awaiting review carries the new version; the old one is now stale.
    let pending = get("?pending=1").await;
    assert_eq!(pending["values"][0]["value"], 45.0);
    assert_eq!(pending["values"][0]["version"], saved["version"]);
    let res = put(serde_json::json!({ "value": 46, "version": seen })).await.unwrap();
    assert_eq!(res.status(), 409);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["current"], "45");
    let res = put(serde_json::json!({ "value": 46, "version": saved["version"] })).await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn api_pages_through_the_plans_with_their_total() {
    let (_dir, seeds) = two_plan_seeds();
    let app = TestApp::spawn_with(seeds, false).await;
    let (_, first) = app.json("/api/plans?per_page=1").await;
    let (_, second) = app.json("/api/plans?per_page=1&page=2").await;
    let (_, past) = app.json("/api/plans?per_page=1&page=3").await;
    assert_eq!(first["total"], 2);
    // Newest period first: the 2026–2030 plan, then the 2021–2025 one.
    assert_eq!(first["plans"][0]["key"], "fixture-plan-15");
    assert_eq!(second["plans"][0]["key"], "qijiang-meteorology-14");
    assert_eq!(past["plans"].as_array().unwrap().len(), 0);
    for bad in ["page=0", "per_page=1000", "page=x"] {
        let (status, body) = app.json(&format!("/api/plans?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"].as_str().is_some());
    }
}
