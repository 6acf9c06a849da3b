use crate::helpers::{LEAD, TestApp, seed_plan, texts, two_plan_seeds};

#[tokio::test]
async fn dashboard_lists_every_seeded_metric_by_its_chinese_name() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.html("/").await;
    assert_eq!(status, 200);
    let names = texts(&doc, "table.metrics tbody th a");
    let plan = seed_plan();
    let expected: Vec<String> = plan.chapters.iter().flat_map(|c| c.metrics.iter().map(|m| m.name.clone())).collect();
    assert_eq!(expected.len(), 36, "TARGETS.md has 36 rows");
    assert_eq!(names, expected, "every metric, in the plan's order");
    assert_eq!(texts(&doc, "section.chapter h2"), plan.chapters.iter().map(|c| c.title.clone()).collect::<Vec<_>>());
    assert!(texts(&doc, "h1")[0].contains("重庆市綦江区气象发展“十四五”规划"));
    assert!(texts(&doc, ".plan-meta")[0].contains("綦江府办发〔2021〕49号"));
}

#[tokio::test]
async fn every_metric_row_has_a_bullet_graph_and_a_status_label() {
    let app = TestApp::spawn().await;
    app.put_value("severe-convection-warning-lead-time", "2023Q2", 44.0);
    let (_, doc) = app.html("/?as_of=2023-06-30").await;
    let rows = texts(&doc, "table.metrics tbody tr");
    assert_eq!(rows.len(), 36);
    assert_eq!(texts(&doc, "table.metrics tbody tr td.bullet svg").len(), 36);
    assert_eq!(texts(&doc, "table.metrics tbody tr .status").len(), 36);
    // 44 of 37 → 48 at mid-term: 64 % against 50 % expected.
    let row = texts(&doc, "#m-severe-convection-warning-lead-time td").join(" ");
    assert!(row.contains("44") && row.contains("64%") && row.contains("50%"), "{row}");
    assert_eq!(texts(&doc, "#m-severe-convection-warning-lead-time .status"), ["正常推进"]);
}

#[tokio::test]
async fn status_counts_add_up_to_the_metric_count() {
    let app = TestApp::spawn().await;
    app.put_value("fibre-bandwidth", "2022Q4", 300.0);
    app.put_value("forecast-grid-resolution", "2023Q2", 2.4);
    let (_, doc) = app.html("/?as_of=2023-06-30").await;
    let counts = texts(&doc, ".status-counts li");
    let total: usize = counts.iter().map(|c| c.split_whitespace().last().unwrap().parse::<usize>().unwrap()).sum();
    assert_eq!(total, 36);
    assert!(counts.iter().any(|c| c.starts_with("已达标") && c.ends_with(" 1")), "{counts:?}");
    assert!(counts.iter().any(|c| c.starts_with("明显滞后") && c.ends_with(" 1")), "{counts:?}");
    // Context metrics carry their baseline, so they count as reference, not as missing.
    assert!(counts.iter().any(|c| c.starts_with("参考指标") && c.ends_with(" 9")), "{counts:?}");
}

#[tokio::test]
async fn a_second_plan_loads_from_its_own_file_and_is_reached_through_the_plans_list() {
    let (_dir, seeds) = two_plan_seeds();
    let app = TestApp::spawn_with(seeds, false).await;
    let (_, doc) = app.html("/").await;
    assert_eq!(hrefs(&doc, "a.other-plans"), ["/plans"], "a link to the plans list, not a select of every plan");
    let (status, doc) = app.html("/plans").await;
    assert_eq!(status, 200);
    let links = hrefs(&doc, "table.plans th a");
    assert_eq!(links.len(), 2, "{links:?}");
    let rows = texts(&doc, "table.plans tbody tr");
    let fixture = rows.iter().position(|r| r.contains("2026-01-01 至 2030-12-31")).expect("the plan with its period");
    let (status, doc) = app.html(&links[fixture]).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&doc, "table.metrics tbody th a"), ["测试预警提前量", "测试网格分辨率"]);
}

#[tokio::test]
async fn bad_query_values_get_a_clear_message() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.html("/?as_of=2023-02-30").await;
    assert_eq!(status, 400);
    assert!(texts(&doc, ".error-message")[0].contains("YYYY-MM-DD"));
    let (status, doc) = app.html("/?plan=abc").await;
    assert_eq!(status, 400);
    assert!(texts(&doc, ".error-message")[0].contains("规划编号"));
    let (status, _) = app.html("/?plan=999").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn unknown_pages_get_a_styled_404() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.html("/no/such/page").await;
    assert_eq!(status, 404);
    assert_eq!(texts(&doc, ".error h1"), ["404"]);
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::spawn().await;
    let res = app.get("/").await;
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn a_cached_dashboard_shows_a_change_at_the_next_request() {
    let app = TestApp::spawn().await;
    let row = |doc: &scraper::Html| texts(doc, &format!("#m-{LEAD} td")).join(" ");
    let (_, first) = app.html("/?as_of=2023-06-30&pending=1").await;
    assert!(!row(&first).contains("45.5"));
    let (_, again) = app.html("/?as_of=2023-06-30&pending=1").await;
    assert_eq!(row(&first), row(&again));
    // A figure saved over HTTP, as staff do.
    let editor = app.sign_in(plantrack::auth::Role::Editor).await;
    let res = editor
        .client
        .put(app.url(&format!("/api/metrics/{LEAD}/values/2023Q2")))
        .header("x-csrf-token", &editor.csrf)
        .json(&serde_json::json!({ "value": "45.5" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, after) = app.html("/?as_of=2023-06-30&pending=1").await;
    assert!(row(&after).contains("45.5"), "{}", row(&after));
}

#[tokio::test]
async fn a_value_older_than_the_quarter_before_the_as_of_date_is_marked_stale() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2023Q2", 44.0);
    app.put_value("fibre-bandwidth", "2023Q3", 200.0);
    // At the end of 2023, 2023Q3's figure is current and 2023Q2's is stale.
    let (_, doc) = app.html("/?as_of=2023-12-31").await;
    assert_eq!(texts(&doc, &format!("#m-{LEAD} .when")), ["2023年第二季度"]);
    assert_eq!(texts(&doc, &format!("#m-{LEAD} .tag-stale")), ["数据滞后"]);
    assert_eq!(texts(&doc, "#m-fibre-bandwidth .when"), ["2023年第三季度"]);
    assert!(texts(&doc, "#m-fibre-bandwidth .tag-stale").is_empty());
    assert_eq!(texts(&doc, ".tag-stale").len(), 1, "a metric with no figure is missing, not stale");
    let (_, doc) = app.html("/?as_of=2023-09-30").await;
    assert!(texts(&doc, ".tag-stale").is_empty());
}

#[tokio::test]
async fn the_bullet_graphs_have_a_legend() {
    let app = TestApp::spawn().await;
    let (_, doc) = app.html("/").await;
    let legend = texts(&doc, ".bullet-legend li").join(" ");
    for part in ["最新值", "目标区间", "基期值", "应达到的值", "越往右越好"] {
        assert!(legend.contains(part), "the legend explains {part}: {legend}");
    }
}

/// The `href` of every element matching `css`.
fn hrefs(doc: &scraper::Html, css: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel).filter_map(|e| e.value().attr("href")).map(str::to_owned).collect()
}

#[tokio::test]
async fn the_plans_list_is_paged() {
    let (_dir, seeds) = two_plan_seeds();
    let app = TestApp::spawn_with(seeds, false).await;
    let (_, doc) = app.html("/plans?per_page=1&page=2").await;
    assert_eq!(texts(&doc, "table.plans th a").len(), 1);
    assert!(texts(&doc, "table.plans td")[0].contains("2021-01-01 至 2025-12-31"));
    assert_eq!(hrefs(&doc, "nav.pager a[rel=prev]"), ["/plans?page=1&per_page=1"]);
    let (status, _) = app.html("/plans?page=0").await;
    assert_eq!(status, 400);
}
