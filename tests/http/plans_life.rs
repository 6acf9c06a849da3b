//! A plan's life: a draft seen by administrators only, published, metrics added and
//! retired, a new plan continuing the old one's metrics, seed files downloaded and loaded
//! again, and seed files that would merge into the wrong plan refused.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use plantrack::auth::Role;
use plantrack::plan::seed::{self, PlanDef};
use plantrack::setup::{self, Seeds};
use plantrack::store;

use crate::helpers::{LEAD, TestApp, count, repo_path, seed_plan_id, texts};

const NEW_PLAN: &str = r#"
[plan]
key = "qijiang-meteorology-15"
title = "重庆市綦江区气象发展“十五五”规划"
issuer = "綦江区人民政府办公室"
period_start = 2026-01-01
period_end = 2030-12-31

[[chapters]]
title = "第一章 监测预报"

[[chapters.metrics]]
key = "lead-time-15"
name = "强对流天气预警提前量(十五五)"
unit = "分钟"
kind = "level"
direction = "higher"
target = 55
source = "强对流天气预警提前量达到55分钟"
continues = "severe-convection-warning-lead-time"

[[chapters.metrics]]
key = "radar-15"
name = "新建雷达站"
unit = "个"
kind = "count"
direction = "higher"
baseline = 0
target = 2
source = "新建雷达站2个"
"#;

fn new_plan() -> PlanDef {
    seed::parse("new.toml", NEW_PLAN).unwrap()
}

async fn create_draft(app: &TestApp, def: PlanDef) -> i64 {
    app.store.write(move |tx| store::drafts::create_draft(tx, &def, "admin", "127.0.0.1")).await.unwrap()
}

/// The body of `path` as `user` sees it, with its status.
async fn text(user: &crate::helpers::User, path: &str) -> (u16, String) {
    let res = user.get(path).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_draft_is_seen_by_administrators_only_until_it_is_published() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2025Q4", 45.0);
    let id = create_draft(&app, new_plan()).await;
    let admin = app.sign_in(Role::Admin).await;
    let editor = app.sign_in(Role::Editor).await;
    let title = "重庆市綦江区气象发展“十五五”规划";

    // The administrator first, so each of these is cached before the others ask.
    let paths = [
        format!("/?plan={id}"),
        "/metrics/lead-time-15".to_owned(),
        "/metrics/lead-time-15/chart.svg".to_owned(),
        format!("/plans/{id}/evaluation"),
        format!("/plans/{id}/entry"),
        format!("/plans/{id}/export"),
        format!("/api/plans/{id}/metrics"),
        "/api/metrics/lead-time-15".to_owned(),
    ];
    let (status, dashboard) = text(&admin, &paths[0]).await;
    assert_eq!(status, 200);
    assert!(dashboard.contains("草稿 · 仅管理员可见") && dashboard.contains(&format!("/plans/{id}/publish")));
    for path in &paths[1..] {
        let (status, _) = text(&admin, path).await;
        assert_ne!(status, 404, "admin {path}");
    }
    let (_, plans) = text(&admin, "/plans").await;
    assert!(plans.contains(title) && plans.contains("草稿"));

    let viewer = app.sign_in(Role::Viewer).await;
    for user in [&editor, &viewer] {
        for path in &paths {
            let (status, body) = text(user, path).await;
            assert_eq!(status, 404, "{path} showed a draft: {body:.200}");
            assert!(!body.contains("十五五"), "{path}");
        }
        let (_, plans) = text(user, "/plans").await;
        assert!(!plans.contains(title));
        let (_, home) = text(user, "/").await;
        assert!(home.contains("十四五") && !home.contains(title), "/ never opens a draft");
        let (_, api) = text(user, "/api/plans").await;
        assert!(!api.contains("qijiang-meteorology-15") && api.contains("\"total\":1"), "{api}");
    }
    // Publishing asks first, then is audited.
    let (status, confirm) = text(&admin, &format!("/plans/{id}/publish")).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("确认发布"));
    assert_eq!(editor.post(&format!("/plans/{id}/publish"), &[]).await.status(), 404);
    let res = admin.post(&format!("/plans/{id}/publish"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, "SELECT count(*) FROM audit WHERE action = 'plan_published'"), 1);
    assert_eq!(admin.post(&format!("/plans/{id}/publish"), &[]).await.status(), 409, "published once");

    for path in &paths[..3] {
        let (status, _) = text(&editor, path).await;
        assert_eq!(status, 200, "{path} after publishing");
    }
    let (_, dashboard) = text(&editor, &format!("/?plan={id}")).await;
    assert!(!dashboard.contains("草稿 · 仅管理员可见"));
    // In force today (the plan period holds the test's date until 2030), so `/` opens it.
    let (_, home) = text(&editor, "/").await;
    assert!(home.contains(title));
    let (_, plans) = text(&editor, "/plans").await;
    let doc = scraper::Html::parse_document(&plans);
    let states = texts(&doc, "td.plan-state");
    assert_eq!(states, vec!["执行中", "已结束"], "the plan in force first");
}

#[tokio::test]
async fn a_continuing_metric_starts_from_the_old_figure_and_charts_both_plans() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2025Q3", 44.0);
    app.put_value(LEAD, "2025Q4", 46.0);
    let id = create_draft(&app, new_plan()).await;
    let admin = app.sign_in(Role::Admin).await;
    assert_eq!(admin.post(&format!("/plans/{id}/publish"), &[]).await.status(), 303);
    let (status, json) = app.json("/api/metrics/lead-time-15").await;
    assert_eq!(status, 200);
    assert_eq!(json["continues"], LEAD);
    assert_eq!(json["baseline"], 46.0, "the old metric's last approved figure");
    assert_eq!(json["baseline_date"], "2025-12-31");
    // A metric without `continues` keeps its own baseline.
    let (_, radar) = app.json("/api/metrics/radar-15").await;
    assert_eq!(radar["continues"], serde_json::Value::Null);

    let (_, svg) = text(&admin, "/metrics/lead-time-15/chart.svg").await;
    // The shaded period's label, beside the legend's "十四五报告值".
    assert!(svg.contains(">\n十四五\n<"), "the old period is labelled");
    assert!(svg.contains("十四五报告值"), "the old series is in the legend");
    let years: Vec<&str> = svg
        .split(">\n")
        .filter_map(|s| s.split("\n<").next())
        .filter(|s| s.len() == 4 && s.starts_with("20"))
        .collect();
    assert!(
        years.first().is_some_and(|y| *y <= "2022") && years.last().is_some_and(|y| *y >= "2028"),
        "one axis over both periods: {years:?}"
    );
    let (_, page) = text(&admin, "/metrics/lead-time-15").await;
    assert!(page.contains("本指标接续") && page.contains(&format!("/metrics/{LEAD}")));

    // Set and cleared by an administrator, audited; a key of a later plan is refused.
    let res = admin.post("/admin/metrics/lead-time-15/continues", &[("continues", "")]).await;
    assert_eq!(res.status(), 303);
    let (_, json) = app.json("/api/metrics/lead-time-15").await;
    assert_eq!(json["continues"], serde_json::Value::Null);
    let res = admin.post(&format!("/admin/metrics/{LEAD}/continues"), &[("continues", "radar-15")]).await;
    assert_eq!(res.status(), 409);
    // A metric in another unit cannot continue it: its figures are no baseline, nor one chart.
    let res = admin.post("/admin/metrics/lead-time-15/continues", &[("continues", "rainstorm-warning-accuracy")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("单位"));
    let res = admin.post("/admin/metrics/lead-time-15/continues", &[("continues", LEAD)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, "SELECT count(*) FROM audit WHERE subject = 'lead-time-15' AND detail LIKE '接续%'"), 2);
}

#[tokio::test]
async fn a_retired_metric_leaves_what_is_current_and_stays_in_what_was() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    for (q, v) in [("2021Q4", 39.0), ("2022Q4", 41.0), ("2023Q4", 43.0)] {
        app.put_value(LEAD, q, v);
    }
    let admin = app.sign_in(Role::Admin).await;
    let name = "强对流天气预警时间提前量";
    let (_, before) = text(&app_user(&app).await, &format!("/?plan={plan}")).await;
    assert!(before.contains(name));

    let bad =
        admin.post(&format!("/admin/metrics/{LEAD}/retire"), &[("retired_on", "2024-01-01"), ("reason", "")]).await;
    assert_eq!(bad.status(), 400);
    let res = admin
        .post(&format!("/admin/metrics/{LEAD}/retire"), &[("retired_on", "2024-01-01"), ("reason", "口径调整")])
        .await;
    assert_eq!(res.status(), 303);

    let viewer = app_user(&app).await;
    let (_, dashboard) = text(&viewer, &format!("/?plan={plan}")).await;
    assert!(!dashboard.contains(name), "gone from the dashboard");
    let (_, old) = text(&viewer, &format!("/?plan={plan}&as_of=2023-12-31")).await;
    assert!(old.contains(name), "a look back before the retirement shows it");
    let (_, final_report) = text(&viewer, &format!("/plans/{plan}/evaluation?as_of=final")).await;
    assert!(!final_report.contains(name), "not in a new report");
    let (_, earlier_report) = text(&viewer, &format!("/plans/{plan}/evaluation?as_of=2023-12-31")).await;
    assert!(earlier_report.contains(name), "kept in a report as of before");
    let (status, page) = text(&viewer, &format!("/metrics/{LEAD}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("已停用") && page.contains("2024-01-01") && page.contains("口径调整"));
    assert!(page.contains("43"), "its figures stay");
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 3);
    let (_, api) = app.json(&format!("/api/plans/{plan}/metrics")).await;
    assert!(api["metrics"].as_array().unwrap().iter().all(|m| m["key"] != LEAD));

    let res = admin.post(&format!("/admin/metrics/{LEAD}/reactivate"), &[]).await;
    assert_eq!(res.status(), 303);
    let (_, dashboard) = text(&viewer, &format!("/?plan={plan}")).await;
    assert!(dashboard.contains(name), "back once re-activated");
    let audited = count(
        &app,
        "SELECT count(*) FROM audit WHERE action IN ('metric_retired', 'metric_reactivated') AND subject = \
         'severe-convection-warning-lead-time'",
    );
    assert_eq!(audited, 2);
}

async fn app_user(app: &TestApp) -> crate::helpers::User {
    app.sign_in(Role::Viewer).await
}

#[tokio::test]
async fn an_administrator_adds_a_metric_checked_as_a_seed_would_be() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let admin = app.sign_in(Role::Admin).await;
    let (status, form) = text(&admin, &format!("/admin/plans/{plan}/metrics/new")).await;
    assert_eq!(status, 200);
    let chapter = count(&app, &format!("SELECT min(id) FROM chapter WHERE plan_id = {plan}")).to_string();
    let fields = |key: &'static str, target: &'static str, unit: &'static str| {
        vec![
            ("chapter", chapter.clone()),
            ("key", key.to_owned()),
            ("name", "人工影响天气作业点".to_owned()),
            ("unit", unit.to_owned()),
            ("kind", "count".to_owned()),
            ("direction", "higher".to_owned()),
            ("baseline", "3".to_owned()),
            ("target_low", target.to_owned()),
            ("target_high", String::new()),
            ("source", "新增作业点5个".to_owned()),
        ]
    };
    assert!(form.contains("新增指标"));
    let post = |f: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.post(&format!("/admin/plans/{plan}/metrics/new"), &refs).await
        }
    };
    let metrics = || count(&app, "SELECT count(*) FROM metric");
    let before = metrics();
    for bad in [fields("weather-mod", "", "个"), fields("weather-mod", "5", ""), fields(LEAD, "5", "个")] {
        let res = post(bad).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("未保存"));
        assert_eq!(metrics(), before, "nothing written");
    }
    assert_eq!(post(fields("weather-mod", "5", "个")).await.status(), 303);
    assert_eq!(metrics(), before + 1);
    let (_, dashboard) = text(&app_user(&app).await, &format!("/?plan={plan}")).await;
    assert!(dashboard.contains("人工影响天气作业点"));
    assert_eq!(count(&app, "SELECT count(*) FROM audit WHERE action = 'metric_added'"), 1);
}

/// Every field of every metric of plan `key`, and the plan's own, as a text to compare.
fn described(store: &plantrack::store::Store, key: &str) -> (String, Vec<String>) {
    store
        .with_conn(|c| {
            let id: i64 = c.query_row("SELECT id FROM plan WHERE key = ?1", [key], |r| r.get(0))?;
            let p = store::plans::get(c, id)?;
            let plan = format!(
                "{} {} {} {:?} {} {} {:?}",
                p.title, p.issuer, p.document_number, p.issued_on, p.period_start, p.period_end, p.midterm_on
            );
            let metrics = store::plans::metrics(c, id)?
                .into_iter()
                .map(|m| {
                    format!(
                        "{} {} {:?} {} {:?} {:?} {:?} {:?} {:?} {:?} {} {} {:?} {:?} {:?} {:?}",
                        m.key,
                        m.name,
                        m.name_en,
                        m.unit,
                        m.kind,
                        m.direction,
                        m.baseline,
                        m.baseline_date,
                        m.target,
                        m.target_date,
                        m.source,
                        m.notes,
                        m.min,
                        m.max,
                        m.continues,
                        m.retired
                    )
                })
                .collect();
            Ok((plan, metrics))
        })
        .unwrap()
}

#[tokio::test]
async fn a_downloaded_seed_passes_check_seeds_and_loads_to_the_same_plan() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2025Q4", 47.0);
    let id = create_draft(&app, new_plan()).await;
    let admin = app.sign_in(Role::Admin).await;
    let res =
        admin.post("/admin/metrics/radar-15/retire", &[("retired_on", "2027-06-30"), ("reason", "并入新指标")]).await;
    assert_eq!(res.status(), 303);

    let viewer = app_user(&app).await;
    assert_eq!(viewer.get(&format!("/plans/{id}/seed.toml")).await.status(), 404, "a draft's seed is hidden");
    let res = admin.get(&format!("/plans/{id}/seed.toml")).await;
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("qijiang-meteorology-15.toml"), "{disposition}");
    let toml = res.text().await.unwrap();
    assert!(
        toml.contains("continues = \"severe-convection-warning-lead-time\"")
            && toml.contains("retired_on = 2027-06-30")
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("qijiang-meteorology-15.toml"), &toml).unwrap();
    std::fs::copy(repo_path("seeds/qijiang-meteorology-14.toml"), dir.path().join("qijiang-meteorology-14.toml"))
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_plantrack"))
        .arg("check-seeds")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("qijiang-meteorology-15: 1 章, 2 个指标"));

    let fresh = dir.path().join("fresh.db");
    let (store, _) = setup::prepare(&fresh, &Seeds::Dir(dir.path().to_owned()), false).unwrap();
    assert_eq!(described(&store, "qijiang-meteorology-15"), described(&app.store, "qijiang-meteorology-15"));
    assert_eq!(described(&store, "qijiang-meteorology-14"), described(&app.store, "qijiang-meteorology-14"));
    // A published plan's seed too, and loading the same files again changes nothing.
    drop(store);
    let (store, _) = setup::prepare(&fresh, &Seeds::Dir(dir.path().to_owned()), false).unwrap();
    let metrics = store.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM metric", [], |r| r.get::<_, i64>(0))?));
    assert_eq!(metrics.unwrap(), 38);
    let res = admin.get(&format!("/plans/{}/seed.toml", seed_plan_id(&app))).await;
    let again = seed::parse("14.toml", &res.text().await.unwrap()).unwrap();
    assert_eq!(again.chapters.iter().map(|c| c.metrics.len()).sum::<usize>(), 36);
}

/// Writes the 14th plan's seed and `other` (made from it) to a directory and loads both
/// into a new database: the refusal's message.
fn refused(other: impl Fn(String) -> String) -> (String, i64) {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read_to_string(repo_path("seeds/qijiang-meteorology-14.toml")).unwrap();
    std::fs::write(dir.path().join("a-14.toml"), &real).unwrap();
    std::fs::write(dir.path().join("copy.toml"), other(real)).unwrap();
    let db = dir.path().join("x.db");
    let err = setup::prepare(&db, &Seeds::Dir(dir.path().to_owned()), false).err().expect("refused").to_string();
    let store = plantrack::store::Store::open(&db).unwrap();
    let plans = store.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM plan", [], |r| r.get(0))?)).unwrap();
    (err, plans)
}

fn as_15(text: String) -> String {
    text.replace("period_start = 2021-01-01", "period_start = 2026-01-01")
        .replace("period_end = 2025-12-31", "period_end = 2030-12-31")
        .replace("midterm_on = 2023-06-30", "midterm_on = 2028-06-30")
        .replace("“十四五”", "“十五五”")
}

#[tokio::test]
async fn seed_files_that_would_merge_into_another_plan_are_refused_and_nothing_is_written() {
    // A copy for the next plan with a new plan key but the old metric keys.
    let (err, plans) = refused(|t| as_15(t).replace("key = \"qijiang-meteorology-14\"", "key = \"qj-15\""));
    assert!(err.contains("copy.toml") && err.contains("qijiang-meteorology-14") && err.contains("指标代码"), "{err}");
    assert_eq!(plans, 0, "{err}");

    // A copy whose metric keys were changed but whose plan key was not.
    let (err, plans) = refused(|t| {
        let t = as_15(t);
        let mut out = String::new();
        for line in t.lines() {
            match line.strip_prefix("key = \"") {
                Some(k) if !k.starts_with("qijiang") => out.push_str(&format!("key = \"new-{k}\n")),
                _ => out.push_str(&format!("{line}\n")),
            }
        }
        out
    });
    assert!(err.contains("copy.toml") && err.contains("plan.key") && err.contains("qijiang-meteorology-14"), "{err}");
    assert!(err.contains("请把 plan.key 改为"), "{err}");
    assert_eq!(plans, 0);

    // The same file twice is the same plan: loaded once, idempotent.
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read_to_string(repo_path("seeds/qijiang-meteorology-14.toml")).unwrap();
    std::fs::write(dir.path().join("a.toml"), &real).unwrap();
    std::fs::write(dir.path().join("b.toml"), &real).unwrap();
    let (store, _) = setup::prepare(&dir.path().join("y.db"), &Seeds::Dir(dir.path().to_owned()), false).unwrap();
    let n: i64 = store.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM metric", [], |r| r.get(0))?)).unwrap();
    assert_eq!(n, 36);
}

#[tokio::test]
async fn a_retitled_plan_still_loads_from_its_own_seed() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let plan = seed_plan_id(&app);
    let res = admin.post(&format!("/admin/plans/{plan}"), &[("title", "改过的标题")]).await;
    assert_eq!(res.status(), 303);
    let def = seed::parse("q.toml", &std::fs::read_to_string(repo_path("seeds/qijiang-meteorology-14.toml")).unwrap())
        .unwrap();
    app.store.with_conn(|c| store::seed::load_all(c, &[def])).unwrap();
}

/// Every cell of every sheet of a workbook, as text.
fn cells(bytes: Vec<u8>) -> Vec<String> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for name in wb.sheet_names().to_owned() {
        let range = wb.worksheet_range(&name).unwrap();
        out.extend(range.rows().map(|row| format!("{name}: {row:?}")));
    }
    out
}

#[tokio::test]
async fn starting_the_next_plan_leaves_the_old_final_evaluation_as_it_was() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    for (q, v) in [("2023Q4", 42.0), ("2025Q4", 47.0)] {
        app.put_value(LEAD, q, v);
    }
    app.put_value("senior-engineers", "2025Q4", 3.0);
    let report = || async {
        let (_, doc) = app.html(&format!("/plans/{plan}/evaluation?as_of=final")).await;
        let rows = texts(&doc, "main table tr");
        let bytes = app.get(&format!("/plans/{plan}/evaluation.xlsx?as_of=final")).await.bytes().await.unwrap();
        (rows, cells(bytes.to_vec()))
    };
    let before = report().await;
    assert!(before.0.len() > 30 && before.1.len() > 30);

    let id = create_draft(&app, new_plan()).await;
    let admin = app.sign_in(Role::Admin).await;
    assert_eq!(admin.post(&format!("/plans/{id}/publish"), &[]).await.status(), 303);
    app.put_value("lead-time-15", "2026Q1", 48.0);
    assert_eq!(report().await, before);
}

#[tokio::test]
async fn the_plans_list_counts_statuses_as_the_dashboard_does() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    for (q, v) in [("2021Q4", 30.0), ("2025Q4", 48.0)] {
        app.put_value(LEAD, q, v);
    }
    let (_, dashboard) = app.html(&format!("/?plan={plan}")).await;
    let counts: Vec<String> = texts(&dashboard, ".status-counts li")
        .into_iter()
        .filter(|t| !t.ends_with(" 0"))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let (_, list) = app.html("/plans").await;
    let row = texts(&list, "table.plans tbody tr td:nth-child(4) span[class^=count-]")
        .into_iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>();
    assert_eq!(row, counts);
    assert!(texts(&list, "table.plans .metric-total")[0].starts_with("36"));
    // A save changes that plan's counts at once.
    app.put_value(LEAD, "2025Q4", 30.0);
    let (_, again) = app.html("/plans").await;
    assert_ne!(
        texts(&again, "table.plans tbody tr td:nth-child(4)"),
        texts(&list, "table.plans tbody tr td:nth-child(4)")
    );
}

#[tokio::test]
async fn an_anonymous_reader_of_a_public_server_never_sees_a_draft() {
    let config = plantrack::web::Config { public_read: true, ..Default::default() };
    let app = TestApp::spawn_with_config(config).await;
    let id = create_draft(&app, new_plan()).await;
    let anonymous = app.anonymous();
    for path in [
        format!("/?plan={id}"),
        format!("/plans/{id}/evaluation"),
        format!("/plans/{id}/seed.toml"),
        "/metrics/lead-time-15".to_owned(),
        "/metrics/lead-time-15/chart.svg".to_owned(),
        "/api/metrics/lead-time-15".to_owned(),
        format!("/api/plans/{id}/metrics"),
    ] {
        assert_eq!(anonymous.get(&path).await.status(), 404, "{path}");
    }
    let (status, plans) = text(&anonymous, "/plans").await;
    assert_eq!(status, 200);
    assert!(plans.contains("十四五") && !plans.contains("十五五"));
}
