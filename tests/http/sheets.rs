//! Import and export of figures: CSV (UTF-8, BOM, GBK) and XLSX, dry run, all or nothing.

use plantrack::auth::Role;
use plantrack::sheet::{self, Cell, Sheet};
use scraper::Html;

use crate::helpers::{LEAD, TestApp, User, count, input_value, seed_plan_id, texts, upload_sheet};

/// (metric key, quarter, value, note, status) of every stored figure, in order.
fn figures(app: &TestApp) -> Vec<(String, String, f64, String, String)> {
    app.store
        .with_conn(|c| {
            let mut s = c.prepare(
                "SELECT m.key, v.quarter, v.value, v.note, v.status FROM reported_value v JOIN metric m ON m.id = v.metric_id \
                 ORDER BY m.key, v.quarter",
            )?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

pub(crate) async fn upload(user: &User, app: &TestApp, name: &str, bytes: Vec<u8>) -> (u16, Html) {
    let (status, doc) = upload_sheet(user, app, name, bytes).await;
    (status.as_u16(), doc)
}

/// Submits the apply form of a checked import page.
pub(crate) async fn apply(user: &User, app: &TestApp, doc: &Html) -> reqwest::Response {
    let token = input_value(doc, "input[name=upload]").expect("an apply form");
    user.post(&format!("/plans/{}/import/apply", seed_plan_id(app)), &[("upload", &token)]).await
}

pub(crate) fn outcomes(doc: &Html) -> Vec<String> {
    texts(doc, "table.import-rows tbody td:last-child")
}

#[tokio::test]
async fn a_csv_is_checked_first_then_applied_as_pending_figures() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let csv = format!(
        "\u{feff}指标代码,季度,数值,备注\n{LEAD},2022Q3,45,年报\nfibre-bandwidth,2022Q3,\"1,000\",专线升级至千兆\n\nx-band-radar,2022Q3,,\n"
    );
    let (status, doc) = upload(&editor, &app, "figures.csv", csv.into_bytes()).await;
    assert_eq!(status, 200);
    assert_eq!(outcomes(&doc), ["新增", "新增", "跳过(无数值)"]);
    assert_eq!(texts(&doc, "table.import-rows tbody th"), ["2", "3", "5"], "sheet row numbers, blank line counted");
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0, "a check saves nothing");

    let res = apply(&editor, &app, &doc).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        figures(&app),
        [
            ("fibre-bandwidth".into(), "2022Q3".into(), 1000.0, "专线升级至千兆".into(), "pending".into()),
            (LEAD.into(), "2022Q3".into(), 45.0, "年报".into(), "pending".into()),
        ]
    );
    assert_eq!(count(&app, "SELECT count(*) FROM value_history WHERE action = 'import'"), 2);
    assert_eq!(count(&app, "SELECT count(*) FROM audit WHERE action = 'import_applied'"), 1);
}

#[tokio::test]
async fn a_gbk_csv_with_chinese_names_and_quarters_imports() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let text = "指标名称,季度,数值,备注\r\n强对流天气预警时间提前量,2022年第三季度,４５,来自年报\r\n";
    let (gbk, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    let (status, doc) = upload(&editor, &app, "gbk.csv", gbk.into_owned()).await;
    assert_eq!(status, 200);
    assert_eq!(outcomes(&doc), ["新增"]);
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
    assert_eq!(figures(&app)[0], (LEAD.into(), "2022Q3".into(), 45.0, "来自年报".into(), "pending".into()));
}

#[tokio::test]
async fn every_wrong_row_is_listed_with_its_number_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let csv = format!(
        "指标代码,季度,数值\n{LEAD},2022Q3,45\nno-such-metric,2022Q3,1\n{LEAD},2022Q9,1\nfibre-bandwidth,2022Q3,abc\n{LEAD},2022Q3,46\n"
    );
    let (status, doc) = upload(&editor, &app, "bad.csv", csv.into_bytes()).await;
    assert_eq!(status, 422);
    let errors = texts(&doc, "tr.has-error");
    assert_eq!(errors.len(), 4, "{errors:?}");
    let row = |n: usize| texts(&doc, &format!("#import-row-{n} .error")).join("");
    assert!(row(3).contains("no-such-metric"));
    assert!(row(4).contains("季度格式"));
    assert!(row(5).contains("不是数字"));
    assert!(row(6).contains("与第 2 行重复"));
    assert!(texts(&doc, "input[name=rows]").is_empty(), "no apply button");
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0);
}

#[tokio::test]
async fn applying_rows_that_no_longer_pass_saves_none_of_them() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let csv = format!("指标代码,季度,数值,备注\n{LEAD},2022Q3,45,\nfibre-bandwidth,2022Q3,200,\n");
    let (status, doc) = upload(&editor, &app, "figures.csv", csv.into_bytes()).await;
    assert_eq!(status, 200);
    // Between the check and the confirmation, a reviewer locks the quarter.
    crate::helpers::exec(
        &app,
        "INSERT INTO quarter_lock (plan_id, quarter, locked_by) SELECT id, '2022Q3', 'r' FROM plan",
    );
    let res = apply(&editor, &app, &doc).await;
    assert_eq!(res.status(), 409);
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0);
}

#[tokio::test]
async fn a_checked_import_is_applied_only_by_the_session_that_checked_it_and_only_once() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let other = app.sign_in(Role::Editor).await;
    let csv = format!("指标代码,季度,数值,备注\n{LEAD},2022Q3,45,\n");
    let (_, doc) = upload(&editor, &app, "figures.csv", csv.into_bytes()).await;
    let token = input_value(&doc, "input[name=upload]").unwrap();
    let path = format!("/plans/{}/import/apply", seed_plan_id(&app));
    for (who, token) in [(&other, token.as_str()), (&editor, "forged"), (&editor, "")] {
        let res = who.post(&path, &[("upload", token)]).await;
        assert_eq!(res.status(), 410, "{token}");
        assert!(res.text().await.unwrap().contains("重新上传"));
    }
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0);
    assert_eq!(editor.post(&path, &[("upload", &token)]).await.status(), 303);
    assert_eq!(editor.post(&path, &[("upload", &token)]).await.status(), 410, "applied once");
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 1);
}

#[tokio::test]
async fn a_sheet_of_several_megabytes_is_checked_and_applied_by_reference() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    // 5,000 rows for 2022Q3 (the same figure again and again is a duplicate-row error)…
    let mut csv = String::from("指标代码,季度,数值,备注\n");
    for i in 0..5_000 {
        csv.push_str(&format!("{LEAD},2022Q3,45,{}\n", "说明".repeat(150 + i % 3)));
    }
    assert!(csv.len() > 3 * 1024 * 1024, "{} bytes", csv.len());
    let (status, doc) = upload(&editor, &app, "big.csv", csv.into_bytes()).await;
    assert_eq!(status, 422, "read, not refused as too large or unreadable");
    assert!(texts(&doc, "table.import-rows tbody tr").len() >= 5_000);
    // A sheet that passes is applied by a token of 64 characters, however large it was.
    let mut csv = String::from("指标代码,季度,数值,备注\n");
    for q in ["2021Q1", "2021Q2", "2021Q3", "2021Q4"] {
        csv.push_str(&format!("{LEAD},{q},40,{}\n", "说明".repeat(240)));
    }
    let (status, doc) = upload(&editor, &app, "ok.csv", csv.into_bytes()).await;
    assert_eq!(status, 200);
    assert_eq!(input_value(&doc, "input[name=upload]").unwrap().len(), 64);
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
}

#[tokio::test]
async fn files_that_are_not_sheets_get_a_clear_message() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let (status, doc) = upload(&editor, &app, "x.csv", b"name,value\nfoo,1\n".to_vec()).await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "#sheet-error")[0].contains("缺少"));
    let (status, doc) = upload(&editor, &app, "x.xlsx", b"PK\x03\x04 not really a zip".to_vec()).await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "#sheet-error")[0].contains("无法读取"));
}

#[tokio::test]
async fn an_xlsx_imports_like_a_csv() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let header = ["指标代码", "季度", "数值", "备注"].map(String::from).to_vec();
    let rows = vec![vec![Cell::Text(LEAD.into()), Cell::Text("2022Q3".into()), Cell::Number(45.5), Cell::Empty]];
    let bytes = sheet::write_xlsx(&[Sheet::new("数据", header, rows)]).unwrap();
    let (status, doc) = upload(&editor, &app, "figures.xlsx", bytes).await;
    assert_eq!(status, 200);
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
    assert_eq!(figures(&app)[0].2, 45.5);
}

#[tokio::test]
async fn an_export_imports_back_to_identical_values() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2022Q3", 44.0);
    app.put_value("rainstorm-warning-accuracy", "2022Q4", 86.5);
    app.put_value("village-warning-stations", "2023Q1", 300.0);
    let editor = app.sign_in(Role::Editor).await;
    let before = figures(&app);
    for format in ["csv", "xlsx"] {
        let res = editor.get(&format!("/plans/{}/export?layout=long&format={format}", seed_plan_id(&app))).await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains(&format!(".{format}")));
        let bytes = res.bytes().await.unwrap().to_vec();
        let read = if format == "csv" { sheet::read_csv(&bytes) } else { sheet::read_xlsx(&bytes) }.unwrap();
        assert_eq!(read.len(), 3);
        let (status, doc) = upload(&editor, &app, &format!("export.{format}"), bytes).await;
        assert_eq!(status, 200);
        assert_eq!(outcomes(&doc), ["不变", "不变", "不变"], "{format}");
        assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
        assert_eq!(figures(&app), before, "{format}: identical after the round trip");
    }
}

#[tokio::test]
async fn the_empty_template_for_a_quarter_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    for format in ["csv", "xlsx"] {
        let res = editor
            .get(&format!("/plans/{}/export?layout=template&quarter=2023Q2&format={format}", seed_plan_id(&app)))
            .await;
        let bytes = res.bytes().await.unwrap().to_vec();
        let read = if format == "csv" { sheet::read_csv(&bytes) } else { sheet::read_xlsx(&bytes) }.unwrap();
        assert_eq!(read.len(), 36);
        assert!(read.iter().all(|r| r.quarter == "2023Q2" && r.value.is_empty()));
        let (status, doc) = upload(&editor, &app, &format!("template.{format}"), bytes).await;
        assert_eq!(status, 200);
        assert!(outcomes(&doc).iter().all(|o| o == "跳过(无数值)"));
        assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
    }
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0);
}

#[tokio::test]
async fn the_wide_export_is_metrics_by_quarters_of_approved_figures() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2022Q3", 44.0);
    let bytes =
        app.get(&format!("/plans/{}/export?layout=wide&format=csv", seed_plan_id(&app))).await.bytes().await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.contains("指标代码") && header.contains("2021Q1") && header.contains("2025Q4"));
    assert!(header.contains(",单位,基期值,目标值,2021Q1,"), "{header}");
    assert_eq!(header.split(',').count(), 5 + 20);
    let lead = text.lines().find(|l| l.starts_with(LEAD)).unwrap();
    let cells: Vec<&str> = lead.split(',').collect();
    assert_eq!(cells[2..5], ["分钟", "37", "48"]);
    assert_eq!(cells[5 + 6], "44", "2022Q3 is the seventh quarter");
}

#[tokio::test]
async fn viewers_export_but_cannot_import() {
    let app = TestApp::spawn().await;
    let viewer = app.sign_in(Role::Viewer).await;
    let (status, _) = upload(&viewer, &app, "x.csv", b"a".to_vec()).await;
    assert_eq!(status, 403);
    assert_eq!(viewer.get(&format!("/plans/{}/export?layout=long&format=csv", seed_plan_id(&app))).await.status(), 200);
    assert_eq!(viewer.get(&format!("/plans/{}/export?layout=long&format=pdf", seed_plan_id(&app))).await.status(), 400);
}

/// The hint for a number cut in two by an unquoted thousands separator.
const THOUSANDS_HINT: &str = "数值中的千位分隔符请去掉或加引号";

/// The error text of sheet row `n` on a check page.
fn row_error(doc: &Html, n: usize) -> String {
    texts(doc, &format!("#import-row-{n}.has-error .error")).join("")
}

#[tokio::test]
async fn an_unquoted_thousands_separator_is_an_error_on_its_row_in_utf8_and_gbk() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    // Row 3 has a note that the split pushes right of the header; row 5 has none, so its
    // `000` lands in the note column; row 6 is cut into three cells.
    let text = format!(
        "指标名称,季度,数值,备注\r\n强对流天气预警时间提前量,2022年第三季度,45,年报\r\n\
         气象观测数据光纤专线带宽,2022年第三季度,1,000,专线升级\r\n\r\n\
         气象观测数据光纤专线带宽,2022年第四季度,1,000\r\n{LEAD},2022Q4,12,345,678\r\n"
    );
    let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
    assert!(!bad && std::str::from_utf8(&gbk).is_err());
    for (name, bytes) in [("utf8.csv", text.clone().into_bytes()), ("gbk.csv", gbk.into_owned())] {
        let (status, doc) = upload(&editor, &app, name, bytes).await;
        assert_eq!(status, 422, "{name}");
        assert_eq!(texts(&doc, "tr.has-error th"), ["3", "5", "6"], "{name}: sheet row numbers");
        let (third, fifth, sixth) = (row_error(&doc, 3), row_error(&doc, 5), row_error(&doc, 6));
        assert!(third.contains("本行的单元格比表头多 1 个") && third.contains("“1,000”"), "{name}: {third}");
        assert!(fifth.contains("“1,000”") && !fifth.contains("比表头多"), "{name}: {fifth}");
        assert!(sixth.contains("“12,345,678”"), "{name}: {sixth}");
        for e in [third, fifth, sixth] {
            assert!(e.contains(THOUSANDS_HINT), "{name}: {e}");
        }
        assert_eq!(outcomes(&doc)[0], "新增", "{name}: the good row is still checked");
        assert!(texts(&doc, "input[name=rows]").is_empty(), "{name}: no apply button");
    }
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0, "nothing saved");
}

#[tokio::test]
async fn a_row_with_an_extra_cell_that_is_not_a_number_is_an_error() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let csv = format!("指标代码,季度,数值\n{LEAD},2022Q3,45,来自年报\n{LEAD},2022Q4,46\n");
    let (status, doc) = upload(&editor, &app, "extra.csv", csv.into_bytes()).await;
    assert_eq!(status, 422);
    assert_eq!(texts(&doc, "tr.has-error th"), ["2"]);
    let e = row_error(&doc, 2);
    assert!(e.contains("本行的单元格比表头多 1 个") && e.contains("来自年报"), "{e}");
    assert!(!e.contains(THOUSANDS_HINT), "{e}");
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0);
}

#[tokio::test]
async fn a_trailing_empty_cell_quoted_commas_and_tabs_are_fine() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let csv =
        format!("指标代码,季度,数值,备注\n{LEAD},2022Q3,45,\nfibre-bandwidth,2022Q3,\"1,000\",\"专线升级,千兆\",,\n");
    let tsv = format!("指标代码\t季度\t数值\n{LEAD}\t2022Q4\t46\t\n");
    for (name, text) in [("trailing.csv", csv), ("tabs.csv", tsv)] {
        let (status, doc) = upload(&editor, &app, name, text.into_bytes()).await;
        assert_eq!(status, 200, "{name}: {:?}", texts(&doc, ".error"));
        assert!(outcomes(&doc).iter().all(|o| o == "新增"), "{name}");
        assert_eq!(apply(&editor, &app, &doc).await.status(), 303, "{name}");
    }
    let stored = figures(&app);
    assert_eq!(
        stored[0],
        ("fibre-bandwidth".into(), "2022Q3".into(), 1000.0, "专线升级,千兆".into(), "pending".into())
    );
    assert_eq!(stored.len(), 3);
}

#[tokio::test]
async fn an_xlsx_row_with_a_cell_right_of_the_header_is_an_error() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let header = ["指标代码", "季度", "数值"].map(String::from).to_vec();
    let text = |s: &str| Cell::Text(s.into());
    let rows = vec![
        vec![text(LEAD), text("2022Q3"), Cell::Number(45.0)],
        vec![text(LEAD), text("2022Q4"), Cell::Number(1.0), text("000")],
    ];
    let bytes = sheet::write_xlsx(&[Sheet::new("数据", header, rows)]).unwrap();
    let (status, doc) = upload(&editor, &app, "extra.xlsx", bytes).await;
    assert_eq!(status, 422);
    assert_eq!(texts(&doc, "tr.has-error th"), ["3"]);
    assert!(row_error(&doc, 3).contains("本行的单元格比表头多 1 个"), "{}", row_error(&doc, 3));
    assert!(texts(&doc, "input[name=rows]").is_empty());
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 0);
}

#[tokio::test]
async fn the_check_shows_the_stored_figure_and_the_new_one_for_each_row() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2022Q3", 44.0);
    app.put_value("rainstorm-warning-accuracy", "2022Q4", 86.5);
    let editor = app.sign_in(Role::Editor).await;
    let csv = format!(
        "指标代码,季度,数值,备注\n{LEAD},2022Q3,45,年报更正\nrainstorm-warning-accuracy,2022Q4,86.5,测试\n\
         fibre-bandwidth,2022Q3,\"1,000\",专线升级\n{LEAD},2022Q4,abc,\n"
    );
    let (status, doc) = upload(&editor, &app, "changes.csv", csv.clone().into_bytes()).await;
    assert_eq!(status, 422, "row 5 is refused");
    let cell = |n: usize, css: &str| texts(&doc, &format!("#import-row-{n} td.change {css}")).join("|");
    // Changed: the approved 44 becomes 45, which goes back to review.
    assert_eq!((cell(2, ".old"), cell(2, ".state"), cell(2, ".new")), ("44".into(), "已审核".into(), "45".into()));
    assert_eq!(outcomes(&doc)[0], "修改");
    // Unchanged: the stored figure, no arrow.
    assert_eq!((cell(3, ".old"), cell(3, ".new")), ("86.5".into(), String::new()));
    assert_eq!(outcomes(&doc)[1], "不变");
    // Created: nothing before, the value as it will be saved.
    assert_eq!((cell(4, ".old"), cell(4, ".new")), ("(无)".into(), "1000".into()));
    // Refused: the reason, and nothing promised.
    assert!(row_error(&doc, 5).contains("不是数字"), "{}", row_error(&doc, 5));
    assert_eq!(cell(5, ".new"), "");
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value WHERE status = 'pending'"), 0);

    // Without the refused row the check passes and shows the same changes.
    let good = csv.lines().take(4).collect::<Vec<_>>().join("\n");
    let (status, doc) = upload(&editor, &app, "changes.csv", good.into_bytes()).await;
    assert_eq!(status, 200);
    assert_eq!(outcomes(&doc), ["修改", "不变", "新增"]);
    let changes = texts(&doc, "td.change");
    assert_eq!(changes[0].split_whitespace().collect::<String>(), "44(已审核)→45", "{changes:?}");
}
