//! The evaluation report over HTTP: figures, sentences, the XLSX and the comparison.

use std::collections::HashMap;

use calamine::{Data, Reader, Xlsx};
use plantrack::plan::bounds::bounds;
use plantrack::plan::{Metric, Quarter};
use plantrack::setup::Seeds;
use scraper::{ElementRef, Html, Selector};

use crate::helpers::{LEAD, TestApp, seed_plan_id, texts};

const GRID: &str = "forecast-grid-resolution";

/// The figures of the report's unit tests, approved, on the real seed plan.
fn seed_figures(app: &TestApp) {
    for (q, v) in [("2021Q2", 39.0), ("2021Q4", 40.0), ("2022Q2", 42.0), ("2022Q4", 43.0), ("2023Q2", 45.0)] {
        app.put_value(LEAD, q, v);
    }
    app.put_value(GRID, "2022Q2", 2.4);
    app.put_value(GRID, "2023Q2", 2.2);
    // Reported once a year: the 2022 figure, entered with its fourth quarter.
    app.put_value("senior-engineers", "2022Q4", 2.0);
}

#[tokio::test]
async fn the_midterm_report_shows_each_figure_status_projection_and_sentence() {
    let app = TestApp::spawn().await;
    seed_figures(&app);
    let (status, doc) = app.html(&format!("/plans/{}/evaluation", seed_plan_id(&app))).await;
    assert_eq!(status, 200);
    assert!(texts(&doc, "h1")[0].contains("中期评估报告"));
    assert!(texts(&doc, ".report-header .plan-meta")[0].contains("2023-06-30"), "mid-term is the default date");
    let cell = |css: &str| texts(&doc, &format!("#r-{LEAD} {css}")).join("");
    assert_eq!(cell("td.value"), "45");
    assert_eq!(cell("td.progress"), "73%");
    assert_eq!(cell("td.expected"), "50%");
    assert_eq!(cell(".status"), "正常推进");
    assert_eq!(cell("td.projected"), "52.31");
    assert_eq!(cell("td.reach"), "2024年第三季度");
    let sentence = texts(&doc, &format!("#r-{LEAD} + tr .sentence"))[0].clone();
    assert_eq!(sentence, "较基期提高8分钟,完成目标进度73%,快于时序进度(50%);按当前趋势预计2024年第三季度达标。");
    assert_eq!(texts(&doc, &format!("#r-{LEAD} td.spark svg")).len(), 1, "a sparkline beside the row");

    // Only the grid resolution is behind: it heads 需要关注, with its full chart.
    assert_eq!(texts(&doc, ".attention-item h3 .status"), ["明显滞后"]);
    assert_eq!(texts(&doc, &format!("#a-{GRID} svg")).len(), 1);
    // 33 metrics have no approved figure by mid-2023; context metrics too count as missing.
    assert_eq!(texts(&doc, ".report-missing li").len(), 33);
    assert_eq!(texts(&doc, "#n-approved"), ["8"]);
    // 26 quarterly metrics × 10 quarters and 10 annual ones × 2 year ends, 8 figures reported.
    assert_eq!(texts(&doc, "#n-missing"), ["272"]);
    let overall = texts(&doc, ".summary-table tr.overall td");
    assert_eq!(
        overall,
        ["1", "1", "0", "1", "24", "9", "36"],
        "achieved, on track, at risk, off track, no data, reference, total"
    );
    assert!(texts(&doc, ".summary-chart svg text").iter().any(|t| t == "已达标"));
}

#[tokio::test]
async fn pending_figures_are_counted_but_not_evaluated() {
    let app = TestApp::spawn().await;
    seed_figures(&app);
    app.store
        .with_conn(|c| {
            let m = plantrack::store::plans::metric_by_key(c, "fibre-bandwidth")?;
            let figure = plantrack::plan::entry::Accepted { value: 200.0, done: None, note: String::new() };
            plantrack::store::values::enter(c, m.id, "2023Q1".parse().unwrap(), &figure, "editor", "update")
        })
        .unwrap();
    let (_, doc) = app.html(&format!("/plans/{}/evaluation?as_of=2023-06-30", seed_plan_id(&app))).await;
    assert_eq!(texts(&doc, "#n-pending"), ["1"]);
    assert_eq!(texts(&doc, "#r-fibre-bandwidth td.value"), ["—"]);
}

#[tokio::test]
async fn the_final_report_and_bad_dates() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let (status, doc) = app.html(&format!("/plans/{plan}/evaluation?as_of=final")).await;
    assert_eq!(status, 200);
    assert!(texts(&doc, "h1")[0].contains("终期评估报告"));
    for bad in ["2023-05-01", "2030-12-31", "yesterday"] {
        let (status, doc) = app.html(&format!("/plans/{plan}/evaluation?as_of={bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert!(!texts(&doc, ".error-message")[0].is_empty());
    }
}

#[tokio::test]
async fn the_xlsx_opens_with_the_same_figures_and_sentences() {
    let app = TestApp::spawn().await;
    seed_figures(&app);
    let res = app.get(&format!("/plans/{}/evaluation.xlsx?as_of=2023-06-30", seed_plan_id(&app))).await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 6, "summary and one sheet per chapter: {names:?}");
    assert_eq!(names[0], "汇总");
    let summary = book.worksheet_range("汇总").unwrap();
    let overall: Vec<String> = summary.rows().nth(1).unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(overall, ["全部指标", "1", "1", "0", "1", "24", "9", "36"]);

    let chapter4 = book.worksheet_range(&names[2]).unwrap();
    let header: Vec<String> = chapter4.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[6], "完成进度(%)");
    let lead = chapter4.rows().find(|r| r[0] == Data::String(LEAD.into())).unwrap();
    assert_eq!(lead[3], Data::Float(37.0));
    assert_eq!(lead[5], Data::Float(45.0));
    assert_eq!(lead[6], Data::Float(72.73));
    assert_eq!(lead[8], Data::String("正常推进".into()));
    assert_eq!(lead[9], Data::Float(52.31));
    assert_eq!(lead[10], Data::String("2024年第三季度".into()));
    assert_eq!(
        lead[11],
        Data::String("较基期提高8分钟,完成目标进度73%,快于时序进度(50%);按当前趋势预计2024年第三季度达标。".into())
    );
}

#[tokio::test]
async fn comparing_two_dates_lists_the_metrics_whose_status_changed() {
    let app = TestApp::spawn().await;
    seed_figures(&app);
    let (status, doc) =
        app.html(&format!("/plans/{}/evaluation/compare?from=2022-06-30&to=2023-06-30", seed_plan_id(&app))).await;
    assert_eq!(status, 200);
    // Senior engineers: no figure in mid-2022, achieved in mid-2023.
    assert_eq!(texts(&doc, "#c-senior-engineers .status"), ["暂无数据", "已达标"]);
    assert!(texts(&doc, &format!("#c-{LEAD}")).is_empty(), "on track both times");
}

#[tokio::test]
async fn every_printed_page_carries_the_title_and_date() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let (_, doc) = app.html(&format!("/plans/{plan}/evaluation?as_of=2023-06-30")).await;
    let sel = scraper::Selector::parse("link[media=print]").unwrap();
    let href = doc.select(&sel).next().unwrap().value().attr("href").unwrap().to_owned();
    let res = app.get(&href).await;
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    let css = res.text().await.unwrap();
    assert!(
        css.contains("@top-left") && css.contains("重庆市綦江区气象发展“十四五”规划 · 中期评估 · 截至 2023-06-30"),
        "{css}"
    );
    assert!(css.contains("counter(page)"));
}

/// The demo: figures to 2023Q2, so at the end of the period every figure is stale.
async fn demo() -> TestApp {
    TestApp::spawn_with(Seeds::Embedded, true).await
}

/// The seed plan's metrics by key, as stored.
fn metrics_by_key(app: &TestApp) -> HashMap<String, Metric> {
    let plan = seed_plan_id(app);
    let metrics = app.store.with_conn(|c| plantrack::store::plans::metrics(c, plan)).unwrap();
    metrics.into_iter().map(|m| (m.key.clone(), m)).collect()
}

/// Each metric line of a report: its key and the text of its element matching `css`.
fn cells(doc: &Html, css: &str) -> Vec<(String, String)> {
    let rows = Selector::parse("tr.metric-line").unwrap();
    let cell = Selector::parse(css).unwrap();
    doc.select(&rows)
        .map(|r| {
            let key = r.value().id().unwrap().trim_start_matches("r-").to_owned();
            let text = r.select(&cell).next().map(|c| c.text().collect::<String>().trim().to_owned()).unwrap();
            (key, text)
        })
        .collect()
}

fn text_of(e: ElementRef) -> String {
    e.text().collect::<String>().trim().to_owned()
}

#[tokio::test]
async fn the_final_report_reaches_no_target_before_its_date_that_the_figures_did_not_meet() {
    let app = demo().await;
    let (status, doc) = app.html(&format!("/plans/{}/evaluation?as_of=final", seed_plan_id(&app))).await;
    assert_eq!(status, 200);
    let end: Quarter = "2025Q4".parse().unwrap();
    let statuses: HashMap<String, String> = cells(&doc, ".status").into_iter().collect();
    let mut reaches = 0;
    for (key, reach) in cells(&doc, "td.reach") {
        let Ok(q) = reach.parse::<Quarter>() else { continue };
        reaches += 1;
        if statuses[&key] != "已达标" {
            assert!(q > end, "{key}: {} but 预计达标 {reach}", statuses[&key]);
        }
    }
    assert!(reaches >= 10, "most metrics still have a reach: {reaches}");
    // 培养高级工程师, 1 of 2–3 in 2023: no trend through a few whole steps, and no reach.
    assert_eq!(statuses["senior-engineers"], "明显滞后");
    assert_eq!(texts(&doc, "#r-senior-engineers td.reach"), ["不作趋势预测"]);
    let sentence = texts(&doc, "#r-senior-engineers + tr .sentence")[0].clone();
    assert!(sentence.ends_with("一次性建设类指标,不作趋势预测。"), "{sentence}");
    // The period is over: a trend drawn through 2023's figures forecasts no period end.
    assert!(cells(&doc, "td.projected").iter().all(|(_, v)| v == "—"), "{:?}", cells(&doc, "td.projected"));
}

#[tokio::test]
async fn every_projection_of_the_demo_lies_within_its_metrics_bounds() {
    let app = demo().await;
    let metrics = metrics_by_key(&app);
    let plan = seed_plan_id(&app);
    for as_of in ["2023-06-30", "2024-12-31", "2025-12-31"] {
        let (_, body) = app.json(&format!("/api/plans/{plan}/metrics?as_of={as_of}")).await;
        let as_of_q = Quarter::containing(as_of.parse().unwrap());
        for m in body["metrics"].as_array().unwrap() {
            let key = m["key"].as_str().unwrap();
            let b = bounds(&metrics[key]);
            if let Some(v) = m["projection"]["value_at_target_date"].as_f64() {
                assert_eq!(b.refusal(v), None, "{key} at {as_of}: {v}");
            }
            if m["status"] != "achieved"
                && let Some(reach) = m["projection"]["reach"].as_str()
            {
                assert!(reach.parse::<Quarter>().unwrap() > as_of_q, "{key} at {as_of}: {reach}");
            }
        }
        // And as the report prints them.
        let (_, doc) = app.html(&format!("/plans/{plan}/evaluation?as_of={as_of}")).await;
        for (key, v) in cells(&doc, "td.projected") {
            if let Ok(v) = v.parse::<f64>() {
                assert_eq!(bounds(&metrics[&key]).refusal(v), None, "{key} at {as_of}: {v}");
            }
        }
    }
    // The figures behind the examples of the issue: 102.5 %, 403 days, 1.61 套.
    let (_, doc) = app.html(&format!("/plans/{plan}/evaluation?as_of=2023-06-30")).await;
    assert_eq!(texts(&doc, "#r-intermediate-title-share td.projected"), ["100"]);
    assert_eq!(texts(&doc, "#r-air-quality-good-days td.projected"), ["366"]);
    assert_eq!(texts(&doc, "#r-portable-weather-station td.projected"), ["—"]);
}

#[tokio::test]
async fn stale_values_are_marked_with_their_quarter_in_the_report_and_the_api() {
    let app = demo().await;
    let plan = seed_plan_id(&app);
    let (_, doc) = app.html(&format!("/plans/{plan}/evaluation?as_of=final")).await;
    let rows = Selector::parse("tr.metric-line").unwrap();
    let sel = |css: &str| Selector::parse(css).unwrap();
    let (mut stale, mut annual) = (0, 0);
    for row in doc.select(&rows) {
        let value = text_of(row.select(&sel("td.value")).next().unwrap());
        if value == "—" {
            continue;
        }
        stale += 1;
        let quarter = text_of(row.select(&sel("td.quarter")).next().unwrap());
        // An annual metric's last demo figure is the year before's.
        if quarter == "2022年第四季度数据滞后" {
            annual += 1;
        } else {
            assert_eq!(quarter, "2023年第二季度数据滞后", "{value}");
        }
        assert_eq!(row.select(&sel("td.quarter .tag-stale")).count(), 1);
    }
    assert_eq!(stale, 33);
    assert!((1..=10).contains(&annual), "{annual}");
    assert_eq!(texts(&doc, "#n-stale"), ["33"]);
    assert_eq!(texts(&doc, ".report-stale li").len(), 33);
    assert_eq!(
        texts(&doc, "#stale-severe-convection-warning-lead-time"),
        ["强对流天气预警时间提前量:43.7分钟(2023年第二季度)"]
    );
    let sentence = texts(&doc, &format!("#r-{LEAD} + tr .sentence"))[0].clone();
    assert!(sentence.starts_with("数据滞后(最新已审核数据为2023年第二季度):较基期提高6.7分钟"), "{sentence}");

    let (_, body) = app.json(&format!("/api/plans/{plan}/metrics?as_of=2025-12-31")).await;
    let metrics = body["metrics"].as_array().unwrap();
    assert!(metrics.iter().all(|m| m["stale"] == m["latest"].is_object()), "stale exactly where there is a figure");
    let lead = metrics.iter().find(|m| m["key"] == LEAD).unwrap();
    assert_eq!((&lead["stale"], &lead["latest"]["quarter"]), (&serde_json::json!(true), &serde_json::json!("2023Q2")));
    // At the end of the demo's figures, nothing is stale.
    let (_, doc) = app.html(&format!("/plans/{plan}/evaluation?as_of=2023-06-30")).await;
    assert!(texts(&doc, ".tag-stale").is_empty());
    assert_eq!(texts(&doc, &format!("#r-{LEAD} td.quarter")), ["2023年第二季度"]);
    let (_, m) = app.json(&format!("/api/metrics/{LEAD}?as_of=2023-06-30")).await;
    assert_eq!(m["stale"], false);
}

#[tokio::test]
async fn the_compare_page_tells_a_new_figure_from_a_date_that_only_moved() {
    let app = demo().await;
    // One figure reported late in the period; every other metric stops at 2023Q2.
    app.put_value(LEAD, "2025Q3", 48.5);
    let (status, doc) = app.html(&format!("/plans/{}/evaluation/compare", seed_plan_id(&app))).await;
    assert_eq!(status, 200);
    let new_figure = texts(&doc, ".compare-new-figure tr.cause-new_figure th a");
    assert_eq!(new_figure, ["强对流天气预警时间提前量"]);
    let lead = |css: &str| texts(&doc, &format!("#c-{LEAD} {css}"));
    assert_eq!(lead(".status"), ["正常推进", "已达标"]);
    assert_eq!(lead("td.figure .when"), ["2023年第二季度", "2025年第三季度"]);
    assert!(lead(".tag-stale").is_empty());
    assert_eq!(lead("td.cause"), ["新报数据"]);

    let date_only = texts(&doc, ".compare-date-only tr.cause-date_only");
    assert!(date_only.len() >= 10, "{date_only:?}");
    let engineers = |css: &str| texts(&doc, &format!(".compare-date-only #c-senior-engineers {css}"));
    assert_eq!(engineers(".status"), ["正常推进", "明显滞后"]);
    // Reported once a year: the demo's last figure is 2022's.
    assert_eq!(engineers("td.figure .when"), ["2022年第四季度", "2022年第四季度"]);
    assert_eq!(engineers(".tag-stale"), ["数据滞后"], "stale only at the later date");
    assert_eq!(engineers("td.cause"), ["未报新数据,仅评估日期推移"]);
    // Counted apart in the summary.
    assert_eq!(texts(&doc, "#n-new-figure"), ["1"]);
    assert_eq!(texts(&doc, "#n-date-only"), [date_only.len().to_string()]);
    let changed: usize = texts(&doc, "#n-changed")[0].parse().unwrap();
    assert_eq!(changed, 1 + date_only.len());
}
