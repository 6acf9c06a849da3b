//! What each role may and may not do.

use plantrack::auth::Role;

use crate::helpers::{TestApp, seed_plan_id, user_id};

const READ_PAGES: &[&str] =
    &["/", "/metrics/fibre-bandwidth", "/metrics/fibre-bandwidth/chart.svg", "/api/plans", "/account/password"];
const ADMIN_PAGES: &[&str] =
    &["/admin/users", "/admin/tokens", "/admin/metrics", "/admin/metrics/fibre-bandwidth", "/admin/audit"];

#[tokio::test]
async fn every_role_reads_dashboards_only_admins_reach_admin_pages() {
    let app = TestApp::spawn().await;
    for role in Role::ALL {
        let user = app.sign_in(role).await;
        for path in READ_PAGES {
            assert_eq!(user.get(path).await.status(), 200, "{role} GET {path}");
        }
        let admin_status = if role == Role::Admin { 200 } else { 403 };
        for path in ADMIN_PAGES {
            assert_eq!(user.get(path).await.status(), admin_status, "{role} GET {path}");
        }
    }
}

#[tokio::test]
async fn only_admins_change_users_definitions_and_tokens() {
    let app = TestApp::spawn().await;
    let viewer_id = user_id(&app, "viewer");
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/admin/users".into(), vec![("name", "x1"), ("role", "viewer"), ("password", "a-long-secret-pass")]),
        (format!("/admin/users/{viewer_id}/role"), vec![("role", "editor")]),
        (format!("/admin/users/{viewer_id}/disable"), vec![]),
        (format!("/admin/users/{viewer_id}/password"), vec![("password", "a-new-long-password")]),
        ("/admin/tokens".into(), vec![("user", "viewer"), ("label", "t")]),
        (
            "/admin/metrics/fibre-bandwidth".into(),
            vec![("name", "改名"), ("unit", "Mbps"), ("baseline", "60"), ("target_low", "300"), ("source", "原文")],
        ),
    ];
    for role in [Role::Editor, Role::Reviewer, Role::Viewer] {
        let user = app.sign_in(role).await;
        for (path, form) in &posts {
            assert_eq!(user.post(path, form).await.status(), 403, "{role} POST {path}");
        }
    }
    let unchanged: (String, i64, i64) = app
        .store
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT (SELECT role FROM account WHERE name = 'viewer'), (SELECT count(*) FROM api_token), \
                 (SELECT count(*) FROM metric WHERE name = '改名')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .unwrap();
    assert_eq!(unchanged, ("viewer".to_owned(), 0, 0));

    let admin = app.sign_in(Role::Admin).await;
    for (path, form) in &posts {
        let status = admin.post(path, form).await.status();
        assert!(status == 303 || status == 200, "admin POST {path}: {status}");
    }
}

#[tokio::test]
async fn editors_enter_reviewers_review_and_viewers_only_read() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let entry = format!("/plans/{plan}/entry/2022Q3");
    let review = format!("/plans/{plan}/review");
    for (role, may_enter, may_review) in [
        (Role::Admin, true, true),
        (Role::Editor, true, false),
        (Role::Reviewer, false, true),
        (Role::Viewer, false, false),
    ] {
        let user = app.sign_in(role).await;
        assert_eq!(user.get(&entry).await.status(), if may_enter { 200 } else { 403 }, "{role} GET entry");
        assert_eq!(user.get(&review).await.status(), 200, "{role} reads the review page");
        let save = user.post(&entry, &[("ver.fibre-bandwidth", "0"), ("v.fibre-bandwidth", "")]).await;
        assert_eq!(save.status(), if may_enter { 303 } else { 403 }, "{role} POST entry");
        let lock = user.post(&format!("/plans/{plan}/locks"), &[("quarter", "2021Q1"), ("lock", "1")]).await;
        assert_eq!(lock.status(), if may_review { 303 } else { 403 }, "{role} locks");
        if may_review {
            user.post(&format!("/plans/{plan}/locks"), &[("quarter", "2021Q1"), ("lock", "0")]).await;
        }
    }
}

/// The hrefs of a page's links.
fn hrefs(doc: &scraper::Html) -> Vec<String> {
    let sel = scraper::Selector::parse("a[href]").unwrap();
    doc.select(&sel).filter_map(|a| a.value().attr("href")).map(str::to_owned).collect()
}

#[tokio::test]
async fn pages_link_only_to_pages_the_role_may_open() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let entry = format!("/plans/{plan}/entry");
    // The dashboard's body is cached for every user: the links around it are not.
    for role in Role::ALL {
        let user = app.sign_in(role).await;
        for path in ["/".to_owned(), format!("/plans/{plan}/review"), format!("/plans/{plan}/sheets")] {
            let (status, doc) = user.html(&path).await;
            assert_eq!(status, 200, "{role} GET {path}");
            let links = hrefs(&doc);
            let enters = links.iter().any(|h| h.starts_with(&entry));
            assert_eq!(enters, role.may_enter(), "{role} on {path}: a link to 季度填报");
            let import = crate::helpers::texts(&doc, ".plan-nav a").iter().any(|t| t.contains("导入"));
            assert!(!import || role.may_enter(), "{role} on {path}: a link to 导入");
        }
    }
}
