//! The evaluation report over HTTP: figures, sentences, the XLSX and the comparison.

use calamine::{Data, Reader, Xlsx};

use crate::helpers::{LEAD, TestApp, seed_plan_id, texts};

const GRID: &str = "forecast-grid-resolution";

/// The figures of the report's unit tests, approved, on the real seed plan.
fn seed_figures(app: &TestApp) {
    for (q, v) in [("2021Q2", 39.0), ("2021Q4", 40.0), ("2022Q2", 42.0), ("2022Q4", 43.0), ("2023Q2", 45.0)] {
        app.put_value(LEAD, q, v);
    }
    app.put_value(GRID, "2022Q2", 2.4);
    app.put_value(GRID, "2023Q2", 2.2);
    app.put_value("senior-engineers", "2023Q2", 2.0);
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
    // 36 metrics × 10 quarters, 8 of them reported.
    assert_eq!(texts(&doc, "#n-missing"), ["352"]);
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
