//! What the page cache keeps and drops: a write to one plan re-renders that plan's pages
//! (they show the new figure at once) and leaves every other plan's pages cached.

use plantrack::auth::Role;
use plantrack::web::Config;
use plantrack::web::warm::{self, Warmed};

use crate::helpers::{LEAD, TestApp, exec, plan_id, seed_plan_id, texts, two_plan_seeds};

/// The cached pages of plan `id` whose metric `key` is one of its metrics: the dashboard
/// and the metric page (pending view, to show an entry before review), the chart, the report.
fn cached_pages(id: i64, key: &str) -> Vec<String> {
    vec![
        format!("/?plan={id}&pending=1&as_of=2023-06-30"),
        format!("/metrics/{key}?pending=1&as_of=2023-06-30"),
        format!("/metrics/{key}/chart.svg?pending=1&as_of=2023-06-30"),
        format!("/plans/{id}/evaluation"),
    ]
}

async fn get_all(app: &TestApp, paths: &[String]) {
    for p in paths {
        assert_eq!(app.get(p).await.status(), 200, "{p}");
    }
}

#[tokio::test]
async fn a_write_to_one_plan_leaves_the_other_plans_pages_cached_and_shows_at_once_in_its_own() {
    let (_dir, seeds) = two_plan_seeds();
    let app = TestApp::spawn_with(seeds, false).await;
    let (a, b) = (seed_plan_id(&app), plan_id(&app, "fixture-plan-15"));
    let (pages_a, pages_b) = (cached_pages(a, LEAD), cached_pages(b, "fixture-lead-time"));
    get_all(&app, &pages_a).await;
    get_all(&app, &pages_b).await;
    let rendered = app.state.rendered();
    get_all(&app, &pages_a).await;
    get_all(&app, &pages_b).await;
    assert_eq!(app.state.rendered(), rendered, "a second visit is served from the cache");

    // An editor signs in (session writes) and saves a figure of plan A.
    let editor = app.sign_in(Role::Editor).await;
    let field = format!("v.{LEAD}");
    let res = editor.post(&format!("/plans/{a}/entry/2023Q2"), &[(&field, "46.5")]).await;
    assert_eq!(res.status(), 303);

    get_all(&app, &pages_b).await;
    assert_eq!(app.state.rendered(), rendered, "plan B's pages stay cached");

    let (_, doc) = app.html(&pages_a[0]).await;
    let row = texts(&doc, &format!("#m-{LEAD} td")).join(" ");
    assert!(row.contains("46.5") && row.contains("待审核"), "the dashboard shows the new figure at once: {row}");
    let (_, doc) = app.html(&pages_a[1]).await;
    assert!(texts(&doc, "section.values td").iter().any(|t| t.contains("46.5")), "so does the metric page");
    get_all(&app, &pages_a[2..]).await;
    assert_eq!(app.state.rendered(), rendered + pages_a.len() as u64, "each of plan A's pages rendered once again");
}

#[tokio::test]
async fn many_requests_for_one_stale_page_render_it_once() {
    let app = TestApp::spawn().await;
    let url = app.url(&format!("/plans/{}/evaluation?as_of=final", seed_plan_id(&app)));
    let rendered = app.state.rendered();
    let mut gets = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (client, url) = (app.client.clone(), url.clone());
        gets.spawn(async move { client.get(url).send().await.unwrap().status() });
    }
    while let Some(status) = gets.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(app.state.rendered(), rendered + 1);
}

#[tokio::test]
async fn the_plans_list_stays_cached_until_a_plan_header_changes() {
    let (_dir, seeds) = two_plan_seeds();
    let app = TestApp::spawn_with(seeds, false).await;
    let a = seed_plan_id(&app);
    let paths = ["/plans".to_owned(), "/api/plans".to_owned(), "/".to_owned()];
    get_all(&app, &paths).await;
    let rendered = app.state.rendered();
    // A figure saved as the server saves it (through the store's writer).
    app.store
        .write(|tx| {
            let m = plantrack::store::plans::metric_by_key(tx, LEAD)?;
            let figure = plantrack::plan::entry::Accepted { value: 44.0, done: None, note: String::new() };
            plantrack::store::values::enter(tx, m.id, "2023Q2".parse().unwrap(), &figure, "editor", "create")
        })
        .await
        .unwrap();
    get_all(&app, &paths[1..2]).await;
    assert_eq!(app.state.rendered(), rendered, "a figure leaves the API's plans list as it was");
    // `/plans` counts each plan's statuses, so the plan's figure makes it again, once.
    get_all(&app, &paths[..1]).await;
    let once = app.state.rendered() - rendered;
    assert_eq!(once, 1);
    get_all(&app, &paths[..1]).await;
    assert_eq!(app.state.rendered() - rendered, once, "then kept");

    let admin = app.sign_in(Role::Admin).await;
    let fields = [
        ("title", "改过名的规划"),
        ("issuer", "重庆市綦江区人民政府办公室"),
        ("document_number", "綦江府办发〔2021〕49号"),
        ("issued_on", "2021-12-06"),
        ("midterm_on", "2023-06-30"),
    ];
    assert_eq!(admin.post(&format!("/admin/plans/{a}"), &fields).await.status(), 303);
    let (_, doc) = app.html("/plans").await;
    assert!(texts(&doc, "table.plans a").contains(&"改过名的规划".to_owned()));
    let (_, json) = app.json("/api/plans").await;
    assert!(json["plans"].as_array().unwrap().iter().any(|p| p["title"] == "改过名的规划"));
}

/// GETs `path` as a browser does (taking gzip) and as a client that does not.
async fn both_ways(client: &reqwest::Client, url: &str) -> (reqwest::header::HeaderMap, String, String) {
    let gz = client.get(url).header("accept-encoding", "gzip, deflate, br").send().await.unwrap();
    assert_eq!(gz.status(), 200, "{url}");
    let headers = gz.headers().clone();
    let bytes = gz.bytes().await.unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text).unwrap();
    let plain = client.get(url).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none(), "{url}");
    (headers, text, plain.text().await.unwrap())
}

#[tokio::test]
async fn cached_pages_go_to_browsers_gzipped_and_to_other_clients_as_text() {
    let config = plantrack::web::Config { public_read: true, ..Default::default() };
    let app = TestApp::spawn_with_config(config).await;
    let plan = seed_plan_id(&app);
    let anonymous = reqwest::Client::new();
    for (client, path) in [
        (&app.client, "/".to_owned()),
        (&app.client, format!("/plans/{plan}/evaluation")),
        (&app.client, "/plans".to_owned()),
        (&app.client, format!("/metrics/{LEAD}/chart.svg")),
        (&anonymous, format!("/metrics/{LEAD}")),
        (&anonymous, "/".to_owned()),
    ] {
        let (headers, gunzipped, text) = both_ways(client, &app.url(&path)).await;
        assert_eq!(headers["content-encoding"], "gzip", "{path}");
        assert_eq!(headers["vary"], "accept-encoding", "{path}");
        assert_eq!(gunzipped, text, "{path}: the same page either way");
        let end = text.trim_end();
        assert!(end.ends_with("</html>") || end.ends_with("</svg>"), "{path}: the whole page");
    }
}

#[tokio::test]
async fn a_visitors_whole_metric_page_shows_a_saved_figure_at_once() {
    let config = plantrack::web::Config { public_read: true, ..Default::default() };
    let app = TestApp::spawn_with_config(config).await;
    let a = seed_plan_id(&app);
    let visitor = reqwest::Client::new();
    let url = app.url(&format!("/metrics/{LEAD}?pending=1&as_of=2023-06-30"));
    let page = |html: String| scraper::Html::parse_document(&html);
    let before = page(visitor.get(&url).send().await.unwrap().text().await.unwrap());
    assert!(!texts(&before, "section.values td").iter().any(|t| t.contains("46.5")));
    let rendered = app.state.rendered();
    visitor.get(&url).send().await.unwrap();
    assert_eq!(app.state.rendered(), rendered, "kept whole for visitors");

    let editor = app.sign_in(Role::Editor).await;
    let field = format!("v.{LEAD}");
    assert_eq!(editor.post(&format!("/plans/{a}/entry/2023Q2"), &[(&field, "46.5")]).await.status(), 303);
    let after = page(visitor.get(&url).send().await.unwrap().text().await.unwrap());
    assert!(texts(&after, "section.values td").iter().any(|t| t.contains("46.5")), "the new figure at once");
}

#[tokio::test]
async fn warming_keeps_each_published_plans_dashboard_and_report_before_anyone_asks() {
    let (_dir, seeds) = two_plan_seeds();
    let app = TestApp::spawn_with(seeds, false).await;
    let (a, b) = (seed_plan_id(&app), plan_id(&app, "fixture-plan-15"));
    exec(&app, &format!("UPDATE plan SET status = 'draft' WHERE id = {b}"));
    let rendered = app.state.rendered();
    let warmed = warm::warm(&app.state).await.unwrap();
    assert_eq!(warmed, Warmed { plans: 1, pages: 2, budget_reached: false }, "a draft is not warmed");
    assert_eq!(app.state.rendered(), rendered + 2);
    get_all(&app, &[format!("/?plan={a}"), format!("/plans/{a}/evaluation")]).await;
    assert_eq!(app.state.rendered(), rendered + 2, "the first visitor finds both pages kept");
    let again = warm::warm(&app.state).await.unwrap();
    assert_eq!((again.pages, app.state.rendered()), (2, rendered + 2), "warming again renders nothing kept");
}

#[tokio::test]
async fn warming_stops_at_the_page_budget_and_says_so() {
    let app = TestApp::spawn_with_config(Config { page_budget: Some(1), ..Config::default() }).await;
    let rendered = app.state.rendered();
    let warmed = warm::warm(&app.state).await.unwrap();
    assert_eq!(warmed, Warmed { plans: 1, pages: 0, budget_reached: true });
    assert_eq!(app.state.rendered(), rendered);
    // Visitors are served all the same, each page rendered for them.
    get_all(&app, &["/".to_owned()]).await;
}

#[tokio::test]
async fn a_new_day_drops_the_pages_it_can_never_serve_and_warms_todays() {
    let app = TestApp::spawn().await;
    // Asked first: a query through the store's own connection counts as a write.
    let id = seed_plan_id(&app);
    let first = warm::warm(&app.state).await.unwrap();
    assert_eq!(first.pages, 2);
    let rendered = app.state.rendered();
    // The clock does not move in a test: what is checked is that the day's warming starts
    // from an empty cache (so nothing of yesterday's holds the budget) and fills it again.
    let today = warm::new_day(&app.state).await.unwrap();
    assert_eq!(today, Warmed { plans: 1, pages: 2, budget_reached: false });
    assert_eq!(app.state.rendered(), rendered + 2, "both pages rendered afresh");
    get_all(&app, &[format!("/?plan={id}"), format!("/plans/{id}/evaluation")]).await;
    assert_eq!(app.state.rendered(), rendered + 2, "and kept for the day's first visitor");
}
