//! Review with context: what a reviewer sees beside each figure, "approve all" with a
//! confirmation, coming back to the same place, and what an editor sees of returns.

use plantrack::auth::Role;
use scraper::Selector;

use crate::helpers::{LEAD, TestApp, input_value, save_entry as save, seed_plan_id, texts};

#[tokio::test]
async fn each_figure_is_shown_with_the_last_approved_value_the_target_the_change_and_its_flags() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    app.put_value("fibre-bandwidth", "2022Q2", 197.2);
    app.put_value(LEAD, "2022Q1", 41.0);
    let editor = app.sign_in(Role::Editor).await;
    let reviewer = app.sign_in(Role::Reviewer).await;
    let res = save(&editor, plan, "2022Q3", &[("fibre-bandwidth", "1000", "千兆专线"), (LEAD, "43", "")]).await;
    assert_eq!(res.status(), 303);

    let (_, doc) = reviewer.html(&format!("/plans/{plan}/review")).await;
    let fibre = "#w-fibre-bandwidth-2022Q3";
    assert_eq!(texts(&doc, &format!("{fibre} td.approved")), ["197.22022年第二季度"]);
    assert_eq!(texts(&doc, &format!("{fibre} td.target")), ["300"]);
    let entered = texts(&doc, &format!("{fibre} td.entered")).join("");
    assert!(entered.contains("1000") && entered.contains("+802.8"), "{entered}");
    assert!(texts(&doc, &format!("{fibre} .flag")).iter().any(|f| f.contains("超过目标两倍")));
    // The lead time's last approved figure is two quarters old: its quarter says so.
    let lead = format!("#w-{LEAD}-2022Q3");
    assert_eq!(texts(&doc, &format!("{lead} td.approved")), ["412022年第一季度"]);
    assert!(texts(&doc, &format!("{lead} .flag")).is_empty());

    // A return keeps the person who entered the figure in the 填报人 column.
    let back = reviewer
        .post(
            &format!("/plans/{plan}/review/return"),
            &[
                ("key", "fibre-bandwidth"),
                ("quarter", "2022Q3"),
                ("reason", "请附测速报告"),
                ("back_to", "w-fibre-bandwidth-2022Q3"),
            ],
        )
        .await;
    assert_eq!(back.status(), 303);
    assert_eq!(back.headers()["location"], format!("/plans/{plan}/review#w-fibre-bandwidth-2022Q3"));
    let (_, doc) = reviewer.html(&format!("/plans/{plan}/review")).await;
    let by = texts(&doc, &format!("{fibre} td.by")).join("");
    assert!(by.starts_with("editor"), "{by}");
}

#[tokio::test]
async fn after_approving_the_reviewer_comes_back_to_the_next_row_and_no_header_is_forged() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let reviewer = app.sign_in(Role::Reviewer).await;
    save(&editor, plan, "2022Q3", &[(LEAD, "45", ""), ("fibre-bandwidth", "200", "")]).await;
    let (_, doc) = reviewer.html(&format!("/plans/{plan}/review")).await;
    let first_back_to = input_value(&doc, "table.review tbody tr:first-child input[name=back_to]").unwrap();
    let second_row = doc
        .select(&scraper::Selector::parse("table.review tbody tr:nth-child(2)").unwrap())
        .next()
        .unwrap()
        .value()
        .attr("id")
        .unwrap()
        .to_owned();
    assert_eq!(first_back_to, second_row, "approving a row comes back to the one after it");

    let approve = format!("/plans/{plan}/review/approve");
    let res = reviewer.post(&approve, &[("key", LEAD), ("quarter", "2022Q3"), ("back_to", &second_row)]).await;
    assert_eq!(res.headers()["location"], format!("/plans/{plan}/review#{second_row}"));
    for forged in ["x\r\nSet-Cookie: a=b", "//evil.example", "a b", "<script>"] {
        let res =
            reviewer.post(&approve, &[("key", "fibre-bandwidth"), ("quarter", "2022Q3"), ("back_to", forged)]).await;
        let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
        assert!(
            res.status() == 409 || location.as_deref() == Some(&format!("/plans/{plan}/review")),
            "{forged}: {location:?}"
        );
    }
}

#[tokio::test]
async fn approve_all_asks_first_naming_how_many_and_how_many_are_flagged() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    app.put_value("fibre-bandwidth", "2022Q2", 197.2);
    let editor = app.sign_in(Role::Editor).await;
    let reviewer = app.sign_in(Role::Reviewer).await;
    save(&editor, plan, "2022Q3", &[(LEAD, "45", ""), ("fibre-bandwidth", "1000", "千兆专线")]).await;

    let (status, doc) = reviewer.html(&format!("/plans/{plan}/review/approve-all")).await;
    assert_eq!(status, 200);
    let summary = texts(&doc, "#confirm-summary").join("");
    assert!(summary.contains("2") && summary.contains("1 项带有异常标记"), "{summary}");
    assert_eq!(input_value(&doc, "input[name=count]").as_deref(), Some("2"));
    let (status, _) = editor.html(&format!("/plans/{plan}/review/approve-all")).await;
    assert_eq!(status, 403);

    // A figure that came in after the confirmation page was shown: nothing is approved.
    save(&editor, plan, "2022Q3", &[("warning-terminal-online-rate", "96", "")]).await;
    let res = reviewer.post(&format!("/plans/{plan}/review/approve-all"), &[("count", "2")]).await;
    assert_eq!(res.status(), 409);
    assert_eq!(crate::helpers::count(&app, "SELECT count(*) FROM reported_value WHERE status = 'approved'"), 1);
    let res = reviewer.post(&format!("/plans/{plan}/review/approve-all"), &[("count", "3")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(crate::helpers::count(&app, "SELECT count(*) FROM reported_value WHERE status = 'approved'"), 4);
}

#[tokio::test]
async fn the_previous_quarter_column_shows_the_last_approved_figure_and_says_what_else_stands() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    app.put_value("fibre-bandwidth", "2022Q2", 197.2);
    app.put_value(LEAD, "2022Q1", 41.0);
    let editor = app.sign_in(Role::Editor).await;
    let reviewer = app.sign_in(Role::Reviewer).await;
    save(&editor, plan, "2022Q2", &[(LEAD, "42", "")]).await;
    save(&editor, plan, "2022Q2", &[("fibre-bandwidth", "1000", "千兆专线")]).await;
    reviewer
        .post(
            &format!("/plans/{plan}/review/return"),
            &[("key", "fibre-bandwidth"), ("quarter", "2022Q2"), ("reason", "请附测速报告")],
        )
        .await;

    let (_, doc) = editor.html(&format!("/plans/{plan}/entry/2022Q3")).await;
    let fibre = texts(&doc, "#row-fibre-bandwidth td.previous").join("");
    assert!(fibre.starts_with("197.2") && fibre.contains("上季度数值 1000 已退回"), "{fibre}");
    let lead = texts(&doc, &format!("#row-{LEAD} td.previous")).join("");
    assert!(lead.starts_with("41(2022年第一季度)") && lead.contains("上季度另有待审核数值 42"), "{lead}");
}

#[tokio::test]
async fn an_editor_sees_how_many_of_their_figures_were_returned_with_links() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    let reviewer = app.sign_in(Role::Reviewer).await;
    save(&editor, plan, "2022Q3", &[(LEAD, "45", ""), ("fibre-bandwidth", "200", "")]).await;
    let (_, doc) = editor.html("/").await;
    assert!(texts(&doc, "#returned-notice").is_empty());
    for key in [LEAD, "fibre-bandwidth"] {
        let res = reviewer
            .post(&format!("/plans/{plan}/review/return"), &[("key", key), ("quarter", "2022Q3"), ("reason", "请核对")])
            .await;
        assert_eq!(res.status(), 303);
    }
    for page in ["/".to_owned(), format!("/plans/{plan}/entry/2022Q4")] {
        let (_, doc) = editor.html(&page).await;
        let notice = texts(&doc, "#returned-notice").join("");
        assert!(notice.contains("2") && notice.contains("2022年第三季度"), "{page}: {notice}");
        let links: Vec<String> = doc
            .select(&scraper::Selector::parse("#returned-notice a").unwrap())
            .filter_map(|a| a.value().attr("href").map(str::to_owned))
            .collect();
        assert_eq!(links, [format!("/plans/{plan}/entry/2022Q3")], "{page}");
    }
    // The reviewer, who entered nothing, sees no such notice.
    let (_, doc) = reviewer.html("/").await;
    assert!(texts(&doc, "#returned-notice").is_empty());
}

#[tokio::test]
async fn a_figure_waiting_for_review_has_its_own_colour_not_the_at_risk_one() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let editor = app.sign_in(Role::Editor).await;
    assert_eq!(save(&editor, plan, "2022Q3", &[(LEAD, "43", "")]).await.status(), 303);
    let (_, doc) = app.html(&format!("/plans/{plan}/review")).await;
    assert_eq!(texts(&doc, &format!("#w-{LEAD}-2022Q3 .status-pending")), ["待审核"]);
    assert!(texts(&doc, "#waiting .status-at_risk").is_empty());
    let css = app.get("/static/style.css").await.text().await.unwrap();
    let colour = |var: &str| css.split(&format!("{var}: ")).nth(1).and_then(|s| s.split(';').next()).map(str::to_owned);
    assert!(colour("--pending").is_some() && colour("--pending") != colour("--at-risk"), "distinct colours");
}

#[tokio::test]
async fn a_flag_shows_in_its_metrics_grouped_row_and_in_the_figure_table() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    app.put_value("fibre-bandwidth", "2022Q2", 197.2);
    let editor = app.sign_in(Role::Editor).await;
    save(&editor, plan, "2022Q3", &[(LEAD, "45", ""), ("fibre-bandwidth", "1000", "千兆专线")]).await;

    let reviewer = app.sign_in(Role::Reviewer).await;
    let (_, doc) = reviewer.html(&format!("/plans/{plan}/review")).await;
    // The grouped row names the flag, its quarter and its reason, and links to the figure.
    let row = "#series #s-fibre-bandwidth";
    assert_eq!(texts(&doc, &format!("{row}.flagged")).len(), 1);
    let grouped = texts(&doc, &format!("{row} .flags .flag-beyond_twice_target"));
    assert_eq!(grouped.len(), 1, "{grouped:?}");
    assert!(grouped[0].starts_with("2022年第三季度 超过目标两倍:"), "{grouped:?}");
    let link = doc
        .select(&Selector::parse(&format!("{row} .flags a.flag-beyond_twice_target")).unwrap())
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned));
    assert_eq!(link.as_deref(), Some("#w-fibre-bandwidth-2022Q3"));
    // The same flag in the figure table, on the figure's own row.
    let table = texts(&doc, "#w-fibre-bandwidth-2022Q3 .flag-beyond_twice_target");
    assert_eq!(table.len(), 1);
    assert!(grouped[0].ends_with(table[0].trim_start_matches("超过目标两倍:")), "{grouped:?} vs {table:?}");
    // An unflagged figure's row carries none.
    assert!(texts(&doc, &format!("#series #s-{LEAD} .flags .flag")).is_empty());
    assert!(texts(&doc, &format!("#series #s-{LEAD}.flagged")).is_empty());
}
