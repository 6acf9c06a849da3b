//! Every page through axe-core, the engine behind Lighthouse's accessibility audit (GB/T
//! 37668 follows WCAG 2.0 AA). axe-core is not kept in the repository: `.ci/run` installs
//! it with npm, and `PLANTRACK_AXE` names its `axe.min.js` where it lives elsewhere.

use std::path::PathBuf;

use fantoccini::Client;
use plantrack::auth::Role;

use super::{browser, css, set_value, sign_in, sign_out, text};
use crate::helpers::{LEAD, PASSWORD};

/// Where `.ci/run` installs axe-core.
const AXE_DEFAULT: &str = "/tmp/plantrack-axe/node_modules/axe-core/axe.min.js";

/// axe-core's source, or `None` (with a message) where it is not installed; in CI its
/// absence is a failure.
pub(super) fn axe_source() -> Option<String> {
    let path = std::env::var_os("PLANTRACK_AXE").map(PathBuf::from).unwrap_or_else(|| AXE_DEFAULT.into());
    match std::fs::read_to_string(&path) {
        Ok(src) => Some(src),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI must have axe-core at {} ({e}): .ci/run installs it with npm",
                path.display()
            );
            eprintln!(
                "axe-core checks SKIPPED: no {} ({e}); `npm install --prefix /tmp/plantrack-axe axe-core@4.14.1`",
                path.display()
            );
            None
        }
    }
}

/// The page's axe-core violations, one line each: rule, impact, how many elements, the
/// first few of them.
pub(super) async fn violations(c: &Client, axe: &str) -> Vec<String> {
    // Injected through WebDriver, which the page's CSP does not govern.
    c.execute(&format!("{axe}\n;return typeof window.axe;"), vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document).then(
               r => done(r.violations.map(v => `${v.id} (${v.impact}) ×${v.nodes.length}: ` +
                 v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | '))),
               e => done(['axe-core failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// Goes to `path` and adds its violations, under its name, to `all`.
async fn audit(c: &Client, axe: &str, base: &str, path: &str, all: &mut Vec<String>) {
    c.goto(&format!("{base}{path}")).await.unwrap();
    audit_here(c, axe, path, all).await;
}

async fn audit_here(c: &Client, axe: &str, name: &str, all: &mut Vec<String>) {
    let found = violations(c, axe).await;
    eprintln!("axe {name}: {} violation(s)", found.len());
    all.extend(found.into_iter().map(|v| format!("{name}: {v}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_has_no_axe_core_violations() {
    let Some(axe) = axe_source() else { return };
    let Some(browser) = browser().await else { return };
    let c = &browser.client;
    let (app, plan) = super::demo_with_waiting_figures().await;
    let base = app.url("");
    let mut all = Vec::new();

    audit(c, &axe, &base, "/login", &mut all).await;
    // A refused sign-in: the form with its message.
    css(c, "#name").await.send_keys("admin").await.unwrap();
    css(c, "#password").await.send_keys(&format!("{PASSWORD}-wrong")).await.unwrap();
    css(c, "form button[type=submit]").await.click().await.unwrap();
    css(c, ".message-error").await;
    audit_here(c, &axe, "/login (refused)", &mut all).await;

    // The administrator sees every link and button.
    sign_in(c, &base, Role::Admin.as_str()).await;
    for path in [
        "/".to_owned(),
        "/?pending=1".to_owned(),
        "/?lang=en".to_owned(),
        format!("/metrics/{LEAD}"),
        format!("/metrics/{LEAD}?pending=1&lang=en"),
        format!("/plans/{plan}/entry/2023Q3"),
        format!("/plans/{plan}/review"),
        format!("/plans/{plan}/review/approve-all"),
        format!("/plans/{plan}/evaluation"),
        format!("/plans/{plan}/evaluation?as_of=final&lang=en"),
        format!("/plans/{plan}/evaluation/compare"),
        format!("/plans/{plan}/sheets"),
        "/account/password".to_owned(),
        "/admin/users".to_owned(),
        "/admin/metrics".to_owned(),
        format!("/admin/metrics/{LEAD}"),
        format!("/admin/plans/{plan}"),
        format!("/admin/plans/{plan}/metrics/new"),
        "/plans".to_owned(),
        "/admin/tokens".to_owned(),
        "/admin/audit".to_owned(),
        "/no-such-page".to_owned(),
    ] {
        audit(c, &axe, &base, &path, &mut all).await;
    }

    // The entry grid refusing a wrong figure.
    c.goto(&format!("{base}/plans/{plan}/entry/2023Q3")).await.unwrap();
    set_value(c, "#v-fibre-bandwidth", "abc").await;
    css(c, "form.entry button.primary").await.click().await.unwrap();
    assert!(text(c, "#e-fibre-bandwidth").await.contains("不是数字"));
    audit_here(c, &axe, "entry (refused)", &mut all).await;

    // An import checked, with a wrong row.
    c.goto(&format!("{base}/plans/{plan}/sheets")).await.unwrap();
    let csv = app.dir.path().join("import.csv");
    std::fs::write(&csv, format!("指标代码,季度,数值,备注\n{LEAD},2023Q4,46,\nfibre-bandwidth,2023Q4,很多,\n"))
        .unwrap();
    css(c, "#file").await.send_keys(&csv.display().to_string()).await.unwrap();
    css(c, "form.filters button[type=submit]").await.click().await.unwrap();
    css(c, ".import-check").await;
    audit_here(c, &axe, "import check", &mut all).await;

    // A viewer's pages hold fewer controls, but the same structure.
    sign_out(c).await;
    sign_in(c, &base, Role::Viewer.as_str()).await;
    audit(c, &axe, &base, &format!("/plans/{plan}/review"), &mut all).await;

    assert!(all.is_empty(), "{} axe-core violation(s):\n{}", all.len(), all.join("\n"));
    browser.client.clone().close().await.unwrap();
}
