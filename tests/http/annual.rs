//! Metrics reported once a year, and imported figures as evidence (file, sheet, cell).

use plantrack::auth::Role;
use rust_xlsxwriter::Workbook;

use crate::helpers::{LEAD, TestApp, count, input_value, save_entry, seed_plan_id, texts};
use crate::sheets::{apply, upload};

/// Annual in the seed: the gazette gives it as a whole year's count.
const ANNUAL: &str = "air-quality-good-days";

#[tokio::test]
async fn an_annual_metric_is_entered_in_the_fourth_quarter_and_never_missing_before_it() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let annual = count(&app, "SELECT count(*) FROM metric WHERE frequency = 'annual'");
    let quarterly = count(&app, "SELECT count(*) FROM metric WHERE frequency = 'quarterly'");
    assert!(annual >= 4 && quarterly > 0, "the seed sets annual metrics ({annual})");
    let frequency =
        count(&app, &format!("SELECT count(*) FROM metric WHERE key = '{ANNUAL}' AND frequency = 'annual'"));
    assert_eq!(frequency, 1);

    // 数据缺失 counts an annual metric only at year ends.
    let missing = |as_of: &'static str| {
        let app = &app;
        async move {
            let (_, doc) = app.html(&format!("/plans/{plan}/evaluation?as_of={as_of}")).await;
            texts(&doc, "#n-missing").join("").parse::<i64>().unwrap()
        }
    };
    assert_eq!(missing("2021-09-30").await, quarterly * 3, "Q1–Q3: annual metrics are not missing");
    assert_eq!(missing("2021-12-31").await, quarterly * 4 + annual);

    let editor = app.sign_in(Role::Editor).await;
    // The entry grid: not in Q3; in Q4, labelled 年度.
    let (_, doc) = editor.html(&format!("/plans/{plan}/entry/2022Q3")).await;
    assert!(input_value(&doc, &format!("input[name='v.{ANNUAL}']")).is_none());
    assert!(input_value(&doc, &format!("input[name='v.{LEAD}']")).is_some());
    let (_, doc) = editor.html(&format!("/plans/{plan}/entry/2022Q4")).await;
    assert!(input_value(&doc, &format!("input[name='v.{ANNUAL}']")).is_some());
    assert!(texts(&doc, "span.annual").iter().all(|t| t == "年度"));
    assert_eq!(texts(&doc, "span.annual").len() as i64, annual);
    assert_eq!(save_entry(&editor, plan, "2022Q4", &[(ANNUAL, "342", "")]).await.status(), 303);
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value WHERE quarter = '2022Q4'"), 1);

    // The API and an import refuse Q1–Q3 with the reason.
    let res = editor
        .client
        .put(app.url(&format!("/api/metrics/{ANNUAL}/values/2022Q3")))
        .header("x-csrf-token", &editor.csrf)
        .json(&serde_json::json!({ "value": "340" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("按年度填报"), "{body}");
    let csv = format!("指标代码,季度,数值\n{ANNUAL},2023Q2,340\n");
    let (status, doc) = upload(&editor, &app, "a.csv", csv.into_bytes()).await;
    assert_eq!(status, 422);
    assert!(doc.html().contains("按年度填报"));
    // A year column of a wide sheet is the fourth quarter: accepted.
    let wide = format!("指标代码,2023年\n{ANNUAL},345\n");
    let (status, doc) = upload(&editor, &app, "b.csv", wide.into_bytes()).await;
    assert_eq!(status, 200, "{}", doc.html());
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value WHERE quarter = '2023Q4' AND value = 345"), 1);

    let (_, doc) = app.html(&format!("/metrics/{ANNUAL}")).await;
    assert_eq!(texts(&doc, ".metric-header .frequency"), ["按年度填报"]);
    let (_, doc) = app.html(&format!("/metrics/{LEAD}")).await;
    assert_eq!(texts(&doc, ".metric-header .frequency"), ["按季度填报"]);
    let (_, body) = app.json(&format!("/api/metrics/{ANNUAL}")).await;
    assert_eq!(body["frequency"], "annual", "{body}");

    // The review page lists it as missing in the fourth quarter (the plan's last is due).
    let reviewer = app.sign_in(Role::Reviewer).await;
    let (_, doc) = reviewer.html(&format!("/plans/{plan}/review")).await;
    assert_eq!(texts(&doc, &format!("#missing-{ANNUAL}")).len(), 1);
}

#[tokio::test]
async fn an_imported_figure_records_its_file_sheet_and_cell_in_the_history() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name("2022年报表").unwrap();
    ws.write_string(0, 0, "指标代码").unwrap().write_string(0, 1, "单位").unwrap();
    ws.write_string(0, 2, "2022Q1").unwrap().write_string(0, 3, "2022Q2").unwrap();
    ws.write_string(1, 0, LEAD).unwrap().write_number(1, 3, 41).unwrap();
    let (status, doc) = upload(&editor, &app, "历史数据.xlsx", book.save_to_buffer().unwrap()).await;
    assert_eq!(status, 200, "{}", doc.html());
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
    // A long CSV row is placed by its row number.
    let csv = format!("指标代码,季度,数值\n{LEAD},2022Q3,42\n");
    let (_, doc) = upload(&editor, &app, "补录.csv", csv.into_bytes()).await;
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);

    let (status, history) = app.json(&format!("/api/metrics/{LEAD}/history")).await;
    assert_eq!(status, 200);
    let sources: Vec<(String, serde_json::Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["quarter"].as_str().unwrap().to_owned(), h["source"].clone()))
        .collect();
    assert_eq!(
        sources,
        [
            ("2022Q3".into(), serde_json::json!({ "file": "补录.csv", "sheet": "", "cell": "第 2 行" })),
            ("2022Q2".into(), serde_json::json!({ "file": "历史数据.xlsx", "sheet": "2022年报表", "cell": "D2" })),
        ]
    );
    assert_eq!(history[0]["actor"], "editor");
    assert!(history[0]["at"].as_str().is_some_and(|t| t.starts_with("20")));
    let (_, doc) = app.html(&format!("/metrics/{LEAD}")).await;
    let shown = texts(&doc, ".history-row .source");
    assert_eq!(shown, ["(来自 补录.csv · 第 2 行)", "(来自 历史数据.xlsx · 2022年报表 · D2)"]);
}

#[tokio::test]
async fn an_administrator_sets_a_frequency_audited_and_the_seed_keeps_it() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let (_, doc) = admin.html("/admin/metrics/fibre-bandwidth").await;
    assert_eq!(texts(&doc, "#frequency option[selected]"), ["按季度"]);
    let source = texts(&doc, "#source")[0].clone();
    let fields = [
        ("name", "气象观测数据光纤专线带宽"),
        ("unit", "Mbps"),
        ("baseline", "60"),
        ("baseline_date", "2020-12-31"),
        ("target_low", "300"),
        ("target_date", "2025-12-31"),
        ("source", source.as_str()),
        ("notes", "按年度统计"),
        ("frequency", "annual"),
    ];
    assert_eq!(admin.post("/admin/metrics/fibre-bandwidth", &fields).await.status(), 303);
    let detail: String = app
        .store
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT detail FROM audit WHERE action = 'metric_changed' AND subject = 'fibre-bandwidth'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert!(detail.contains("填报频率:按季度 → 按年度"), "{detail}");
    let bad = [("frequency", "monthly"), ("name", "x"), ("unit", "Mbps"), ("source", "x")];
    assert_eq!(admin.post("/admin/metrics/fibre-bandwidth", &bad).await.status(), 422);

    // Loading the seed again (as every start does) keeps what the administrator chose, and
    // sets the seed's own frequency where nobody chose one.
    app.store
        .with_conn(|c| {
            c.execute("UPDATE metric SET frequency = 'quarterly' WHERE key = 'air-quality-good-days'", [])?;
            // A database from before these metrics were annual in the seed.
            c.execute(
                "UPDATE metric SET frequency = 'quarterly' WHERE key IN ('senior-engineers', 'engineers', 'new-regional-stations')",
                [],
            )?;
            plantrack::store::seed::load(c, &crate::helpers::seed_plan())?;
            Ok(())
        })
        .unwrap();
    let frequency =
        |key: &str| count(&app, &format!("SELECT count(*) FROM metric WHERE key = '{key}' AND frequency = 'annual'"));
    assert_eq!(frequency("fibre-bandwidth"), 1);
    assert_eq!(frequency("air-quality-good-days"), 1);
    // Titles are assessed, and stations counted, once a year.
    for key in ["senior-engineers", "engineers", "new-regional-stations", "six-element-station-upgrades"] {
        assert_eq!(frequency(key), 1, "{key}");
    }
    let audited = count(
        &app,
        "SELECT count(*) FROM audit WHERE actor = '种子文件' AND action = 'metric_changed' AND detail LIKE '填报频率改为按年度%'",
    );
    assert_eq!(audited, 4, "air quality, both engineers' metrics and the new stations");
}

#[tokio::test]
async fn an_annual_metrics_chart_expects_progress_at_each_year_end() {
    let app = TestApp::spawn().await;
    app.put_value("engineers", "2022Q4", 2.0);
    app.put_value(LEAD, "2022Q4", 42.0);
    // The expected trajectory's grey: its year-end dots are circles of that stroke.
    let dots = |svg: &str| svg.lines().filter(|l| l.starts_with("<circle") && l.contains("stroke=\"#888888\"")).count();
    let chart = |key: &'static str| {
        let app = &app;
        async move {
            let res = app.get(&format!("/metrics/{key}/chart.svg?as_of=2023-09-30")).await;
            assert_eq!(res.status(), 200);
            res.text().await.unwrap()
        }
    };
    // Baseline 2020-12-31 to target 2025-12-31: the year ends 2021–2024 between.
    assert_eq!(dots(&chart("engineers").await), 4);
    assert_eq!(dots(&chart(LEAD).await), 0, "a quarterly metric's line is straight");

    // The dashboard's bullet reads the expected value at the last year end: 2 of 5 years
    // of the way to 3 engineers, not 2¾.
    let (_, doc) = app.html("/?as_of=2023-09-30").await;
    let label = doc
        .select(&scraper::Selector::parse("#m-engineers svg").unwrap())
        .next()
        .and_then(|s| s.value().attr("aria-label").map(str::to_owned))
        .unwrap_or_default();
    assert!(label.contains("预期 1.2"), "{label}");
}
