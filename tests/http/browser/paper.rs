//! On paper: the demo's mid-term report and the dashboard printed to A4 by the browser,
//! counted in pages.

use fantoccini::Client;
use fantoccini::wd::PrintConfiguration;
use plantrack::auth::Role;
use plantrack::setup::Seeds;

use super::{artifacts, browser, sign_in, text};
use crate::helpers::{TestApp, seed_plan_id};

/// The pages of a PDF as Chromium writes it: one `/Type /Page` object each (`/Pages` is
/// the tree above them).
fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page").filter(|(i, m)| !text[i + m.len()..].starts_with('s')).count()
}

/// Prints the page in the browser now to A4 (the browser's default margins give way to the
/// page's own `@page` rule), saves the PDF and counts its pages.
async fn print(c: &Client, name: &str) -> usize {
    let pdf = c.print(PrintConfiguration::default()).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    std::fs::write(artifacts().join(format!("{name}.pdf")), &pdf).unwrap();
    let n = pages(&pdf);
    eprintln!("{name}.pdf: {n} A4 pages, {} bytes", pdf.len());
    n
}

#[test]
fn pages_are_counted_without_the_page_tree() {
    let pdf = b"%PDF-1.4 1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R]>> 2 0 obj <</Type /Page /Parent 1 0 R>> \
                3 0 obj <</Type /Page\n/Parent 1 0 R>>";
    assert_eq!(pages(pdf), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_mid_term_report_prints_on_at_most_eight_pages_and_the_dashboard_on_two() {
    let Some(browser) = browser().await else { return };
    let c = &browser.client;
    let app = TestApp::spawn_with(Seeds::Embedded, true).await;
    let base = app.url("");
    let plan = seed_plan_id(&app);
    sign_in(c, &base, Role::Viewer.as_str()).await;

    c.goto(&format!("{base}/plans/{plan}/evaluation")).await.unwrap();
    assert!(text(c, "h1").await.contains("中期评估报告"));
    let report = print(c, "evaluation-demo").await;
    assert!(report <= 8, "the mid-term report takes {report} A4 pages");

    c.goto(&format!("{base}/?plan={plan}")).await.unwrap();
    let dashboard = print(c, "dashboard").await;
    assert!(dashboard <= 2, "the dashboard takes {dashboard} A4 pages");
    browser.client.clone().close().await.unwrap();
}
