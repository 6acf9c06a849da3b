//! Units on pages follow numbers and nothing else: no `未启动%`, no `完成 65%%`, no
//! `规划未给出个`, on any page that shows figures.

use plantrack::auth::Role;
use scraper::{Html, Selector};

use crate::helpers::{LEAD, TestApp, exec, seed_plan, seed_plan_id, texts};

/// A milestone (unit %, baseline 0) and a count with no baseline in the plan (unit 个).
const MILESTONE: &str = "yongtong-climate-centre";
const DONE_MILESTONE: &str = "township-warning-signals";
const NO_BASELINE: &str = "flash-flood-areas-warning";
const FIRST_REPORT: &str = "village-warning-stations";

/// Figures that make every kind of text: a milestone part done and one done, a count
/// whose baseline is its first report, a pending milestone figure for review.
fn figures(app: &TestApp) {
    app.put_value(LEAD, "2022Q4", 42.0);
    app.put_value(MILESTONE, "2022Q4", 65.0);
    app.put_value(FIRST_REPORT, "2022Q4", 200.0);
    app.put_value(FIRST_REPORT, "2023Q2", 260.0);
    exec(
        app,
        &format!(
            "INSERT INTO reported_value (metric_id, quarter, value, done, status, approved_value, approved_done, recorded_by) \
             VALUES ((SELECT id FROM metric WHERE key = '{DONE_MILESTONE}'), '2022Q4', 100, 1, 'approved', 100, 1, 'test');
             INSERT INTO reported_value (metric_id, quarter, value, done, status, recorded_by) \
             VALUES ((SELECT id FROM metric WHERE key = '{MILESTONE}'), '2023Q1', 80, 0, 'pending', 'editor');"
        ),
    );
}

/// Every cell of `doc` that reads a unit after a word or a unit twice, with the reason.
fn glued_units(doc: &Html, units: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    for text in texts(doc, "td, th, dd") {
        if text.contains("%%") {
            bad.push(format!("unit twice: {text}"));
        }
        for word in ["未启动", "规划未给出", "完成", "—", "(首次报告值)"] {
            if units.iter().any(|u| text.contains(&format!("{word}{u}"))) {
                bad.push(format!("unit after {word}: {text}"));
            }
        }
    }
    // Where a unit is set apart, the text just before it must end in a number.
    for unit in doc.select(&Selector::parse("td .unit, dd .unit").unwrap()) {
        let before = unit.prev_sibling().and_then(|n| n.value().as_text().map(|t| t.to_string())).unwrap_or_default();
        if !before.trim_end().ends_with(|c: char| c.is_ascii_digit()) {
            bad.push(format!("unit “{}” after “{before}”", unit.text().collect::<String>()));
        }
    }
    bad
}

#[tokio::test]
async fn no_page_shows_a_unit_after_a_word_or_twice() {
    let app = TestApp::spawn().await;
    figures(&app);
    let mut units: Vec<String> =
        seed_plan().chapters.iter().flat_map(|c| c.metrics.iter().map(|m| m.unit.clone())).collect();
    units.sort();
    units.dedup();
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let reviewer = app.sign_in(Role::Reviewer).await;
    let mut pages = vec![
        ("/".to_owned(), app.html("/?as_of=2023-06-30").await.1),
        ("/?pending=1".to_owned(), app.html("/?as_of=2023-06-30&pending=1").await.1),
        ("evaluation".to_owned(), app.html(&format!("/plans/{plan}/evaluation?as_of=2023-06-30")).await.1),
        ("entry".to_owned(), editor.html(&format!("/plans/{plan}/entry/2023Q1")).await.1),
        ("review".to_owned(), reviewer.html(&format!("/plans/{plan}/review")).await.1),
    ];
    for key in [LEAD, MILESTONE, DONE_MILESTONE, NO_BASELINE, FIRST_REPORT] {
        pages.push((key.to_owned(), app.html(&format!("/metrics/{key}?as_of=2023-06-30&pending=1")).await.1));
    }
    for (page, doc) in &pages {
        assert!(!texts(doc, "td, dd").is_empty(), "{page} shows no figures");
        assert_eq!(glued_units(doc, &units), Vec::<String>::new(), "on {page}");
    }
}

#[tokio::test]
async fn the_dashboard_puts_units_after_numbers_and_words_alone() {
    let app = TestApp::spawn().await;
    figures(&app);
    let (_, doc) = app.html("/?as_of=2023-06-30").await;
    // Baseline, target and latest value: the first three cells of a metric's row.
    let cells = |key: &str| texts(&doc, &format!("#m-{key} td"))[..3].to_vec();
    assert_eq!(cells(LEAD)[..2], ["37分钟", "48分钟"]);
    assert!(cells(LEAD)[2].starts_with("42分钟"), "{:?}", cells(LEAD));
    assert_eq!(cells(MILESTONE)[..2], ["未启动", "完成"]);
    assert!(cells(MILESTONE)[2].starts_with("完成 65%") && !cells(MILESTONE)[2].contains("%%"));
    assert!(cells(DONE_MILESTONE)[2].starts_with("已完成"), "{:?}", cells(DONE_MILESTONE));
    assert_eq!(cells(NO_BASELINE), ["规划未给出", "160个", "—"]);
    assert_eq!(cells(FIRST_REPORT)[..2], ["200个(首次报告值)", "381个"]);
}

#[tokio::test]
async fn the_metric_page_puts_units_in_its_facts_and_figures_after_numbers_only() {
    let app = TestApp::spawn().await;
    figures(&app);
    let (_, doc) = app.html(&format!("/metrics/{MILESTONE}?as_of=2023-06-30")).await;
    // Each fact may end with its date (基期 2020-12-31).
    let facts = texts(&doc, ".facts dd");
    assert!(facts[0].starts_with("未启动2020") && facts[1].starts_with("完成2025"), "{facts:?}");
    assert!(facts[2].starts_with("完成 65%") && !facts[2].contains("%%"), "{facts:?}");
    assert_eq!(texts(&doc, ".values thead th")[1], "报告值");
    assert_eq!(texts(&doc, ".values tbody td:nth-child(2)"), ["完成 65%"]);

    let (_, doc) = app.html(&format!("/metrics/{LEAD}?as_of=2023-06-30")).await;
    assert_eq!(texts(&doc, ".values tbody td:nth-child(2)"), ["42分钟"]);
    let expected = &texts(&doc, ".values tbody td:nth-child(3)")[0];
    assert!(expected.ends_with("分钟") && expected.starts_with(|c: char| c.is_ascii_digit()), "{expected}");
}
