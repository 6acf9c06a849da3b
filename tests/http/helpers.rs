//! `TestApp`: the real router on a loopback port with a fresh database per test.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use plantrack::plan::seed::{self, PlanDef};
use plantrack::setup::{self, Seeds};
use plantrack::store::Store;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use tempfile::TempDir;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub store: Store,
    pub dir: TempDir,
}

impl TestApp {
    /// The server with the built-in seed plan and no figures.
    pub async fn spawn() -> Self {
        Self::spawn_with(Seeds::Embedded, false).await
    }

    pub async fn spawn_with(seeds: Seeds, demo: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (store, info) = setup::prepare(&dir.path().join("test.db"), &seeds, demo).expect("start-up");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = plantrack::app(plantrack::AppState::new(store.clone(), info));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { addr, client, store, dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn html(&self, path: &str) -> (StatusCode, Html) {
        let res = self.get(path).await;
        let status = res.status();
        (status, Html::parse_document(&res.text().await.unwrap()))
    }

    pub async fn json(&self, path: &str) -> (StatusCode, serde_json::Value) {
        let res = self.get(path).await;
        let status = res.status();
        assert!(
            res.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"),
            "{path} did not answer JSON"
        );
        (status, res.json().await.unwrap())
    }
}

/// The texts of every element matching `css`, whitespace-trimmed.
pub fn texts(doc: &Html, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel).map(|e| e.text().collect::<String>().trim().to_owned()).collect()
}

pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The seed plan as the repository holds it.
pub fn seed_plan() -> PlanDef {
    let path = repo_path("seeds/qijiang-meteorology-14.toml");
    seed::parse("seeds/qijiang-meteorology-14.toml", &std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A seeds directory holding the real plan and the fixture 2026–2030 plan.
pub fn two_plan_seeds() -> (TempDir, Seeds) {
    let dir = tempfile::tempdir().unwrap();
    for rel in ["seeds/qijiang-meteorology-14.toml", "tests/fixtures/fixture-plan-15.toml"] {
        let from = repo_path(rel);
        std::fs::copy(&from, dir.path().join(from.file_name().unwrap())).unwrap();
    }
    let seeds = Seeds::Dir(dir.path().to_owned());
    (dir, seeds)
}

impl TestApp {
    /// Records a figure straight into the database, as entry will once it exists.
    pub fn put_value(&self, key: &str, quarter: &str, value: f64) {
        self.store
            .with_conn(|c| {
                let m = plantrack::store::plans::metric_by_key(c, key)?;
                let v = plantrack::plan::Reported {
                    quarter: quarter.parse().unwrap(),
                    value,
                    done: None,
                    note: "测试".into(),
                };
                plantrack::store::values::put(c, m.id, &v, "test")
            })
            .unwrap();
    }
}
