use plantrack::setup::{self, Seeds};

use crate::helpers::{TestApp, count, exec, repo_path, texts};

#[tokio::test]
async fn a_fresh_start_creates_migrates_and_seeds_the_database_file() {
    let app = TestApp::spawn().await;
    assert!(app.dir.path().join("test.db").exists());
    assert_eq!(count(&app, "SELECT count(*) FROM plan"), 1);
    assert_eq!(count(&app, "SELECT count(*) FROM metric"), 36);
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0, "the default database never gets demo data");
    let (_, doc) = app.html("/").await;
    assert!(texts(&doc, ".demo-banner").is_empty());
}

#[tokio::test]
async fn loading_again_duplicates_nothing_and_keeps_what_a_user_changed() {
    let app = TestApp::spawn().await;
    let db = app.dir.path().join("test.db");
    exec(&app, "UPDATE metric SET unit = 'Gbps' WHERE key = 'fibre-bandwidth'");
    let (store, _) = setup::prepare(&db, &Seeds::Embedded, false).unwrap();
    let (plans, metrics, chapters, unit): (i64, i64, i64, String) = store
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT (SELECT count(*) FROM plan), (SELECT count(*) FROM metric), (SELECT count(*) FROM chapter), \
                 (SELECT unit FROM metric WHERE key = 'fibre-bandwidth')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?)
        })
        .unwrap();
    assert_eq!((plans, metrics, chapters), (1, 36, 5));
    assert_eq!(unit, "Gbps");
}

#[test]
fn a_malformed_seed_file_is_refused_naming_file_metric_and_field_and_nothing_is_written() {
    let seeds = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(repo_path("seeds/qijiang-meteorology-14.toml")).unwrap();
    let bad = good.replacen("target = [2, 3]", "target = [3, 2]", 1);
    assert_ne!(good, bad, "the seed has the 2–3 engineers range");
    std::fs::write(seeds.path().join("plan.toml"), bad).unwrap();
    let db = seeds.path().join("x.db");
    let err = setup::prepare(&db, &Seeds::Dir(seeds.path().to_owned()), false).err().expect("refused").to_string();
    assert!(err.contains("plan.toml") && err.contains("senior-engineers") && err.contains("target"), "{err}");
    assert!(!db.exists(), "nothing is created for a bad seed");
}

#[test]
fn a_database_newer_than_the_binary_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let err = setup::prepare(&db, &Seeds::Embedded, false).err().expect("refused").to_string();
    assert!(err.contains("999") && err.contains("升级"), "{err}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
    assert_eq!(tables, 0);
}

#[tokio::test]
async fn the_demo_database_has_figures_to_2023q2_and_says_so_on_every_page() {
    let app = TestApp::spawn_with(Seeds::Embedded, true).await;
    let (first, last): (String, String) = app
        .store
        .with_conn(|c| {
            Ok(c.query_row("SELECT min(quarter), max(quarter) FROM reported_value", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
        })
        .unwrap();
    assert_eq!((first.as_str(), last.as_str()), ("2021Q1", "2023Q2"));
    let with_figures = count(&app, "SELECT count(DISTINCT metric_id) FROM reported_value");
    assert!(with_figures > 25, "most metrics have demo figures: {with_figures}");

    for path in ["/", "/metrics/severe-convection-warning-lead-time", "/no-such-page"] {
        let (_, doc) = app.html(path).await;
        assert_eq!(texts(&doc, ".demo-banner strong"), ["示例数据"], "{path}");
    }
    // Viewed at the end of its figures, the demo shows more than one status.
    let (_, doc) = app.html("/").await;
    let statuses: std::collections::HashSet<String> = texts(&doc, "table.metrics .status").into_iter().collect();
    assert!(statuses.len() >= 4, "{statuses:?}");
}

#[tokio::test]
async fn demo_figures_are_never_written_into_a_database_with_real_figures() {
    let app = TestApp::spawn().await;
    app.put_value("fibre-bandwidth", "2022Q4", 100.0);
    let err =
        setup::prepare(&app.dir.path().join("test.db"), &Seeds::Embedded, true).err().expect("refused").to_string();
    assert!(err.contains("示例数据"), "{err}");
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 1);
}
