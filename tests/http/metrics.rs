use scraper::Selector;

use crate::helpers::{LEAD, TestApp, texts};

#[tokio::test]
async fn metric_page_shows_source_sentence_and_a_chart_titled_in_chinese() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2021Q4", 39.0);
    app.put_value(LEAD, "2022Q4", 42.0);
    let (status, doc) = app.html(&format!("/metrics/{LEAD}?as_of=2023-06-30")).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&doc, "h1")[0].split_whitespace().next(), Some("强对流天气预警时间提前量"));
    assert!(texts(&doc, ".source blockquote")[0].contains("强对流预警时间提前量达到 48 分钟"));
    let svg_text = texts(&doc, ".chart svg text");
    assert!(svg_text.iter().any(|t| t == "强对流天气预警时间提前量"), "{svg_text:?}");
    assert_eq!(texts(&doc, ".values tbody th"), ["2021年第四季度", "2022年第四季度"]);
    let svg = doc.select(&Selector::parse(".chart svg").unwrap()).next().unwrap();
    assert_eq!(svg.value().attr("role"), Some("img"));
}

#[tokio::test]
async fn chart_svg_stands_alone_and_is_cached_by_etag() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2022Q4", 42.0);
    let res = app.get(&format!("/metrics/{LEAD}/chart.svg")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml; charset=utf-8");
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let body = res.text().await.unwrap();
    assert!(body.starts_with("<svg") && body.contains("强对流天气预警时间提前量"));

    let again = app
        .client
        .get(app.url(&format!("/metrics/{LEAD}/chart.svg")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.text().await.unwrap().is_empty());

    // A new figure changes the chart, so the old tag no longer matches.
    app.put_value(LEAD, "2023Q2", 45.0);
    let changed = app
        .client
        .get(app.url(&format!("/metrics/{LEAD}/chart.svg")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn metric_without_baseline_explains_why_progress_is_not_available() {
    let app = TestApp::spawn().await;
    app.put_value("village-warning-stations", "2022Q4", 200.0);
    let (_, doc) = app.html("/metrics/village-warning-stations?as_of=2023-06-30").await;
    assert!(texts(&doc, ".facts").join(" ").contains("首次报告值"));
    assert!(texts(&doc, ".metric-header .note")[0].contains("规划未给出基期值"));
}

#[tokio::test]
async fn unknown_metric_is_a_404_page() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.html("/metrics/no-such-metric").await;
    assert_eq!(status, 404);
    assert!(texts(&doc, ".error-message")[0].contains("no-such-metric"));
    assert_eq!(app.get("/metrics/no-such-metric/chart.svg").await.status(), 404);
}

#[tokio::test]
async fn the_metric_page_marks_a_figure_older_than_the_quarter_before_as_stale() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2022Q1", 41.0);
    let (_, doc) = app.html(&format!("/metrics/{LEAD}?as_of=2022-06-30")).await;
    assert!(texts(&doc, ".tag-stale").is_empty(), "the quarter before is not stale");
    let (_, doc) = app.html(&format!("/metrics/{LEAD}?as_of=2022-12-31")).await;
    assert_eq!(texts(&doc, ".tag-stale"), ["数据滞后"]);
}
