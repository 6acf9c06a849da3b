//! The wide layout over HTTP: a bureau's own sheets (merged year row, GBK CSV), plantrack's
//! own wide export read back, and names that only nearly match.

use plantrack::auth::Role;
use rust_xlsxwriter::{Format, Workbook};
use scraper::Html;

use crate::helpers::{LEAD, TestApp, User, count, input_value, seed_plan_id, texts};
use crate::sheets::{apply, outcomes, upload};

/// (metric key, quarter, value) of every stored figure, in order.
fn figures(app: &TestApp) -> Vec<(String, String, f64)> {
    app.store
        .with_conn(|c| {
            let mut s = c.prepare(
                "SELECT m.key, v.quarter, v.value FROM reported_value v JOIN metric m ON m.id = v.metric_id \
                 ORDER BY m.key, v.quarter",
            )?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

fn fig(key: &str, quarter: &str, value: f64) -> (String, String, f64) {
    (key.to_owned(), quarter.to_owned(), value)
}

fn cells(doc: &Html) -> Vec<String> {
    texts(doc, "table.import-rows tbody th")
}

/// The bureau's sheet: names in a column merged over two header rows, each year merged over
/// its four quarters, unit and note columns beside them.
fn bureau_xlsx(bad: bool) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let f = Format::new();
    ws.merge_range(0, 0, 1, 0, "指标名称", &f).unwrap();
    ws.merge_range(0, 1, 1, 1, "单位", &f).unwrap();
    ws.merge_range(0, 2, 0, 5, "2022年", &f).unwrap();
    ws.merge_range(0, 6, 0, 9, "2023年", &f).unwrap();
    ws.merge_range(0, 10, 1, 10, "备注", &f).unwrap();
    for (i, q) in ["一季度", "二季度", "三季度", "四季度"].iter().cycle().take(8).enumerate() {
        ws.write_string(1, 2 + i as u16, *q).unwrap();
    }
    ws.write_string(2, 0, "强对流天气预警时间提前量").unwrap().write_string(2, 1, "分钟").unwrap();
    ws.write_number(2, 2, 40).unwrap().write_number(2, 5, 42).unwrap().write_number(2, 7, 45).unwrap();
    ws.write_string(2, 10, "年报").unwrap();
    ws.write_string(3, 0, "气象观测数据光纤专线带宽").unwrap().write_string(3, 1, "Mbps").unwrap();
    ws.write_number(3, 3, 100).unwrap();
    if bad {
        ws.write_string(3, 4, "约一百").unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_wide_xlsx_with_a_merged_year_row_imports_each_cell_as_its_quarter() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;

    let (status, doc) = upload(&editor, &app, "bureau.xlsx", bureau_xlsx(true)).await;
    assert_eq!(status, 422, "one bad cell fails the whole check");
    assert_eq!(cells(&doc), ["C3", "F3", "H3", "D4", "E4"], "each figure named by its cell");
    let bad = doc.html();
    assert!(bad.contains("约一百"), "the bad cell's text is shown");
    assert!(input_value(&doc, "input[name=upload]").is_none(), "no apply form with an error");

    let (status, doc) = upload(&editor, &app, "bureau.xlsx", bureau_xlsx(false)).await;
    assert_eq!(status, 200, "{}", doc.html());
    assert_eq!(cells(&doc), ["C3", "F3", "H3", "D4"]);
    assert_eq!(outcomes(&doc), ["新增", "新增", "新增", "新增"]);
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0, "a check saves nothing");
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
    assert_eq!(
        figures(&app),
        [
            fig("fibre-bandwidth", "2022Q2", 100.0),
            fig(LEAD, "2022Q1", 40.0),
            fig(LEAD, "2022Q4", 42.0),
            fig(LEAD, "2023Q2", 45.0),
        ]
    );
}

#[tokio::test]
async fn a_wide_gbk_csv_with_year_and_chinese_quarter_columns_imports() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let text = format!(
        "表一 主要指标完成情况,,,,,\r\n指标代码,单位,基期,2021年,2022年第三季度,2023Q1,目标\r\n{LEAD},分钟,37,39,41,,48\r\nfibre-bandwidth,Mbps,60,,,120,300\r\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    assert!(std::str::from_utf8(&gbk).is_err());
    let (status, doc) = upload(&editor, &app, "宽表.csv", gbk.into_owned()).await;
    assert_eq!(status, 200, "{}", doc.html());
    assert_eq!(cells(&doc), ["D3", "E3", "F4"]);
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
    assert_eq!(
        figures(&app),
        [fig("fibre-bandwidth", "2023Q1", 120.0), fig(LEAD, "2021Q4", 39.0), fig(LEAD, "2022Q3", 41.0)]
    );
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value WHERE status = 'pending'"), 3);
}

#[tokio::test]
async fn a_sheet_in_neither_layout_says_what_each_needs() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let (status, doc) = upload(&editor, &app, "x.csv", "名称,单位\n雷达,个\n".as_bytes().to_vec()).await;
    assert_eq!(status, 422);
    let error = texts(&doc, "#sheet-error").join("");
    assert!(error.contains("缺少") && error.contains("也不是宽表") && error.contains("2022年第三季度"), "{error}");
}

async fn download(user: &User, app: &TestApp, format: &str) -> Vec<u8> {
    let res = user.get(&format!("/plans/{}/export?layout=wide&format={format}", seed_plan_id(app))).await;
    assert_eq!(res.status(), 200);
    res.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn the_wide_export_imports_back_into_a_fresh_database_unchanged() {
    let source = TestApp::spawn().await;
    let expected = [
        fig("engineers", "2021Q4", 3.0),
        fig("engineers", "2022Q4", 5.0),
        fig("fibre-bandwidth", "2022Q2", 100.0),
        fig("fibre-bandwidth", "2023Q1", 120.5),
        fig(LEAD, "2021Q1", 38.0),
        fig(LEAD, "2024Q3", 46.25),
    ];
    for (key, quarter, value) in &expected {
        source.put_value(key, quarter, *value);
    }
    let viewer = source.sign_in(Role::Viewer).await;
    for format in ["xlsx", "csv"] {
        let bytes = download(&viewer, &source, format).await;
        let fresh = TestApp::spawn().await;
        let editor = fresh.sign_in(Role::Editor).await;
        let (status, doc) = upload(&editor, &fresh, &format!("export.{format}"), bytes).await;
        assert_eq!(status, 200, "{format}: {}", doc.html());
        assert_eq!(apply(&editor, &fresh, &doc).await.status(), 303, "{format}");
        assert_eq!(figures(&fresh), expected, "{format}");
        // The same file again changes nothing.
        let bytes = download(&viewer, &source, format).await;
        let (_, doc) = upload(&editor, &fresh, &format!("export.{format}"), bytes).await;
        assert!(outcomes(&doc).iter().all(|o| o == "不变"), "{format}: {:?}", outcomes(&doc));
    }
}

#[tokio::test]
async fn a_name_that_only_nearly_matches_is_applied_only_when_confirmed() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let unknown = "指标名称,2022年\n人工增雨作业次数,12\n强对流天气预警提前量,41\n";
    let (status, doc) = upload(&editor, &app, "a.csv", unknown.as_bytes().to_vec()).await;
    assert_eq!(status, 422, "a name like none is an error, never guessed");
    assert!(doc.html().contains("本规划没有指标“人工增雨作业次数”"));

    // Full-width brackets and no space for 地厅级科研项目 (新增): the same once normalised, and
    // still proposed rather than taken.
    let sheet = "指标名称,2022年,2023年\n强对流天气预警提前量,41,43\n气象观测数据光纤专线带宽（Mbps）,,\nX波段双偏振天气雷达,1,\n地厅级科研项目（新增）,2,\n";
    let (status, doc) = upload(&editor, &app, "b.csv", sheet.as_bytes().to_vec()).await;
    assert_eq!(status, 200, "{}", doc.html());
    let proposed = texts(&doc, ".name-matches li");
    assert_eq!(proposed.len(), 2, "{proposed:?}");
    assert!(proposed[1].contains("地厅级科研项目 (新增)") && proposed[1].contains("100%"), "{proposed:?}");
    assert!(proposed[0].contains("强对流天气预警提前量") && proposed[0].contains("强对流天气预警时间提前量"));
    assert!(proposed[0].contains(LEAD) && proposed[0].contains('%'));
    assert_eq!(texts(&doc, ".proposed").len(), 3, "every cell shows its proposed metric");
    let token = input_value(&doc, "input[name=upload]").unwrap();
    let path = format!("/plans/{}/import/apply", seed_plan_id(&app));

    // Not ticked: only the exact row goes in.
    assert_eq!(editor.post(&path, &[("upload", &token)]).await.status(), 303);
    assert_eq!(figures(&app), [fig("x-band-radar", "2022Q4", 1.0)]);

    let (_, doc) = upload(&editor, &app, "b.csv", sheet.as_bytes().to_vec()).await;
    let token = input_value(&doc, "input[name=upload]").unwrap();
    // A name the check did not propose is not taken from the form.
    let fields = [("upload", token.as_str()), ("accept", "强对流天气预警提前量"), ("accept", "别的指标")];
    assert_eq!(editor.post(&path, &fields).await.status(), 303);
    assert_eq!(
        figures(&app),
        [fig(LEAD, "2022Q4", 41.0), fig(LEAD, "2023Q4", 43.0), fig("x-band-radar", "2022Q4", 1.0)]
    );
}

#[tokio::test]
async fn a_reviewer_approves_one_metrics_imported_series_as_shown() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let sheet = format!("指标代码,2021Q4,2022Q4,2023Q4\n{LEAD},39,41,43\nfibre-bandwidth,,100,\n");
    let (_, doc) = upload(&editor, &app, "a.csv", sheet.into_bytes()).await;
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);

    let reviewer = app.sign_in(Role::Reviewer).await;
    let plan = seed_plan_id(&app);
    let (_, doc) = reviewer.html(&format!("/plans/{plan}/review")).await;
    assert_eq!(texts(&doc, "#series tbody tr").len(), 2, "a row per metric");
    let row = format!("#s-{LEAD}");
    assert!(texts(&doc, &format!("{row} .count")).join("").starts_with("3 项"));
    for css in [".approved-series svg", ".new-series svg"] {
        assert_eq!(doc.select(&scraper::Selector::parse(&format!("{row} {css}")).unwrap()).count(), 1, "{css}");
    }
    let shown = input_value(&doc, &format!("{row} input[name=figures]")).unwrap();
    assert_eq!(shown, "2021Q4:1,2022Q4:1,2023Q4:1");

    // A figure changed after the page was shown: nothing is approved.
    let again = format!("指标代码,2023Q4\n{LEAD},44\n");
    let (_, doc) = upload(&editor, &app, "b.csv", again.into_bytes()).await;
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
    let path = format!("/plans/{plan}/review/approve-series");
    let res = reviewer.post(&path, &[("key", LEAD), ("figures", &shown)]).await;
    assert_eq!(res.status(), 409);
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value WHERE status = 'approved'"), 0);

    let (_, doc) = reviewer.html(&format!("/plans/{plan}/review")).await;
    let shown = input_value(&doc, &format!("{row} input[name=figures]")).unwrap();
    assert_eq!(reviewer.post(&path, &[("key", LEAD), ("figures", &shown)]).await.status(), 303);
    let approved = count(
        &app,
        &format!(
            "SELECT count(*) FROM reported_value v JOIN metric m ON m.id = v.metric_id WHERE m.key = '{LEAD}' AND v.status = 'approved'"
        ),
    );
    assert_eq!(approved, 3);
    assert_eq!(
        count(&app, "SELECT count(*) FROM reported_value WHERE status = 'pending'"),
        1,
        "the other metric waits"
    );
    // An editor cannot approve.
    let res = editor.post(&path, &[("key", "fibre-bandwidth"), ("figures", "2022Q4:1")]).await;
    assert_eq!(res.status(), 403);
}
