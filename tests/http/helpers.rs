//! `TestApp`: the real router on a loopback port with a fresh database per test.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Child;

use plantrack::auth::Role;
use plantrack::plan::seed::{self, PlanDef};
use plantrack::setup::{self, Seeds};
use plantrack::store::Store;
use plantrack::web::Config;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use tempfile::TempDir;

pub struct TestApp {
    pub addr: SocketAddr,
    /// Signed in as the viewer: most tests only read.
    pub client: reqwest::Client,
    pub store: Store,
    /// The server's state, to see what its caches did.
    pub state: plantrack::AppState,
    pub dir: TempDir,
}

/// Every test database has one user per role, named after it, with this password.
pub const PASSWORD: &str = "correct-horse-battery";

/// The key of the built-in seed plan.
pub const SEED_PLAN: &str = "qijiang-meteorology-14";

/// The seed plan's severe-convection warning lead time (37 → 48 minutes), the metric most
/// tests record figures for.
pub const LEAD: &str = "severe-convection-warning-lead-time";

impl TestApp {
    /// The server with the built-in seed plan and no figures.
    pub async fn spawn() -> Self {
        Self::spawn_with(Seeds::Embedded, false).await
    }

    pub async fn spawn_with(seeds: Seeds, demo: bool) -> Self {
        Self::spawn_full(seeds, demo, Config::default()).await
    }

    pub async fn spawn_with_config(config: Config) -> Self {
        Self::spawn_full(Seeds::Embedded, false, config).await
    }

    async fn spawn_full(seeds: Seeds, demo: bool, config: Config) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (store, info) = setup::prepare(&dir.path().join("test.db"), &seeds, demo).expect("start-up");
        store
            .with_conn(|c| {
                let hash = plantrack::auth::hash_password(PASSWORD)?;
                for role in Role::ALL {
                    plantrack::store::accounts::create(c, role.as_str(), role, &hash)?;
                }
                Ok(())
            })
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = plantrack::AppState::new(store.clone(), info, config);
        let app = plantrack::app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let mut app = Self { addr, client: anonymous(), store, state, dir };
        app.client = app.sign_in(Role::Viewer).await.client;
        app
    }

    /// The server on a database with no account at all, as at a first start: the setup
    /// page is open, with the code returned here (the binary prints it). `client` is
    /// anonymous.
    pub async fn spawn_first_start() -> (Self, String) {
        let dir = tempfile::tempdir().unwrap();
        let (store, info) = setup::prepare(&dir.path().join("test.db"), &Seeds::Embedded, false).expect("start-up");
        let state = plantrack::AppState::new(store.clone(), info, Config::default());
        let code = state.open_first_start().unwrap().expect("no account yet");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = plantrack::app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (Self { addr, client: anonymous(), store, state, dir }, code)
    }

    /// A fresh client signed in as the user of `role`.
    pub async fn sign_in(&self, role: Role) -> User {
        let user = User { client: anonymous(), csrf: String::new(), base: self.url("") };
        let res = user.login(role.as_str(), PASSWORD).await;
        assert_eq!(res.status(), 303, "sign-in as {role} failed");
        let page = user.client.get(self.url("/account/password")).send().await.unwrap().text().await.unwrap();
        User { csrf: hidden_csrf(&page).expect("signed-in pages carry a CSRF token"), ..user }
    }

    /// A client with no session.
    pub fn anonymous(&self) -> User {
        User { client: anonymous(), csrf: String::new(), base: self.url("") }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn html(&self, path: &str) -> (StatusCode, Html) {
        status_and_page(self.get(path).await).await
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
    /// Records an approved figure straight into the database.
    pub fn put_value(&self, key: &str, quarter: &str, value: f64) {
        self.store
            .with_conn(|c| {
                let m = plantrack::store::plans::metric_by_key(c, key)?;
                let v = plantrack::plan::Reported {
                    quarter: quarter.parse().unwrap(),
                    value,
                    done: None,
                    note: "测试".into(),
                    pending: false,
                };
                plantrack::store::values::put_approved(c, m.id, &v, "test", "create")
            })
            .unwrap();
    }
}

/// The single number `sql` selects, such as a `count(*)`.
pub fn count(app: &TestApp, sql: &str) -> i64 {
    app.store.with_conn(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).unwrap()
}

/// Runs `sql`, one or more statements, straight on the database.
pub fn exec(app: &TestApp, sql: &str) {
    app.store.with_conn(|c| Ok(c.execute_batch(sql)?)).unwrap();
}

/// The id of the plan with `key`.
pub fn plan_id(app: &TestApp, key: &str) -> i64 {
    app.store.with_conn(|c| Ok(c.query_row("SELECT id FROM plan WHERE key = ?1", [key], |r| r.get(0))?)).unwrap()
}

/// The id of the built-in seed plan.
pub fn seed_plan_id(app: &TestApp) -> i64 {
    plan_id(app, SEED_PLAN)
}

/// The id of the account named `name`.
pub fn user_id(app: &TestApp, name: &str) -> i64 {
    app.store.with_conn(|c| Ok(c.query_row("SELECT id FROM account WHERE name = ?1", [name], |r| r.get(0))?)).unwrap()
}

/// A child process (a server, a WebDriver), killed and waited for when dropped.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn anonymous() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_store(true).build().unwrap()
}

/// A response's status and its body parsed as HTML.
pub async fn status_and_page(res: reqwest::Response) -> (StatusCode, Html) {
    let status = res.status();
    (status, Html::parse_document(&res.text().await.unwrap()))
}

/// The `value` of the first input matching `css`.
pub fn input_value(doc: &Html, css: &str) -> Option<String> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr("value")).map(str::to_owned)
}

/// The value of the first hidden `csrf` input of a page.
pub fn hidden_csrf(html: &str) -> Option<String> {
    input_value(&Html::parse_document(html), "input[name=csrf]")
}

/// A browser-like client: its own cookies, and the CSRF token of its session.
pub struct User {
    pub client: reqwest::Client,
    pub csrf: String,
    base: String,
}

impl User {
    /// A client with no session, for a server at `base` (a `plantrack` process).
    pub fn at(base: &str) -> Self {
        User { client: anonymous(), csrf: String::new(), base: base.to_owned() }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    pub async fn html(&self, path: &str) -> (StatusCode, Html) {
        status_and_page(self.get(path).await).await
    }

    /// Posts a form with this session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &self.csrf));
        self.client.post(format!("{}{path}", self.base)).form(&form).send().await.unwrap()
    }

    /// Posts a form exactly as given: no CSRF token added.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap()
    }

    /// Fetches the sign-in form (for its CSRF cookie and field) and submits it.
    pub async fn login(&self, name: &str, password: &str) -> reqwest::Response {
        let page = self.get("/login").await.text().await.unwrap();
        let csrf = hidden_csrf(&page).unwrap();
        self.post_raw("/login", &[("name", name), ("password", password), ("csrf", &csrf), ("next", "/")]).await
    }
}

/// Saves a quarter's entry form as a browser would: `cells` are (metric key, value, note),
/// each sent with the version the form showed.
pub async fn save_entry(user: &User, plan: i64, quarter: &str, cells: &[(&str, &str, &str)]) -> reqwest::Response {
    let path = format!("/plans/{plan}/entry/{quarter}");
    let (_, doc) = user.html(&path).await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for (key, value, note) in cells {
        let version = input_value(&doc, &format!("input[name='ver.{key}']")).expect("the metric is in the grid");
        fields.push((format!("ver.{key}"), version));
        fields.push((format!("v.{key}"), value.to_string()));
        fields.push((format!("n.{key}"), note.to_string()));
    }
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    user.post(&path, &refs).await
}

/// Uploads a sheet for checking to the seed plan's import, as the page's form does.
pub async fn upload_sheet(user: &User, app: &TestApp, name: &str, bytes: Vec<u8>) -> (StatusCode, Html) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    let url = app.url(&format!("/plans/{}/import?csrf={}", seed_plan_id(app), user.csrf));
    status_and_page(user.client.post(url).multipart(form).send().await.unwrap()).await
}

/// The real `plantrack` binary, started and up: its address and what it printed before it.
pub struct Started {
    /// Stops the server when the whole is dropped.
    pub _server: KillOnDrop,
    pub url: String,
    /// Every line of standard output up to the one naming the address.
    pub printed: Vec<String>,
}

/// Starts the `plantrack` binary with `args` and waits for the line naming its address;
/// the rest of its output is read and dropped meanwhile, so the server never writes into
/// a closed pipe.
pub fn start_binary(args: &[&str], db: &Path) -> Started {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_plantrack"))
        .args(args)
        .args(["--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let server = KillOnDrop(child);
    let mut printed = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while let Some(line) = lines.next() {
        let line = line.unwrap();
        if let Some(at) = line.find("http://") {
            let url = line[at..].trim().to_owned();
            std::thread::spawn(move || lines.for_each(drop));
            return Started { _server: server, url, printed };
        }
        assert!(std::time::Instant::now() < deadline, "server did not start: {printed:?}");
        printed.push(line);
    }
    panic!("server exited before naming its address: {printed:?}");
}
