//! Every workbook plantrack writes, as an office suite shows and prints it: sheet names,
//! frozen panes, page setup (A4, orientation, fitted to the page width, header row repeated
//! on every page, a title in the page header) and the template's locked reference columns,
//! read back from the XLSX package; and, where LibreOffice is installed, the pages it prints.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{Data, Reader, Xlsx};
use plantrack::auth::Role;
use plantrack::setup::Seeds;

use crate::helpers::{KillOnDrop, LEAD, TestApp, count, seed_plan_id};
use crate::sheets::{apply, outcomes, upload};

/// The page header of the seed plan's mid-term evaluation, as its printed web page has it.
const EVALUATION_TITLE: &str = "重庆市綦江区气象发展“十四五”规划 · 中期评估 · 截至 2023-06-30";

/// A downloaded workbook: its bytes, read as a zip for the page setup and panes that
/// calamine does not expose, and by calamine for the cells.
struct Workbook(Vec<u8>);

impl Workbook {
    async fn download(app: &TestApp, path: &str) -> Self {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        Workbook(res.bytes().await.unwrap().to_vec())
    }

    fn part(&self, name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(&self.0[..])).unwrap();
        let mut xml = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
        xml
    }

    /// The XML of the `n`th worksheet (1-based, in the workbook's order).
    fn sheet_xml(&self, n: usize) -> String {
        self.part(&format!("xl/worksheets/sheet{n}.xml"))
    }

    fn cells(&self) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(self.0.clone())).unwrap()
    }

    /// Checks the page setup every sheet shares and returns its `<pageSetup>`'s orientation.
    fn printed(&self, n: usize) -> String {
        let xml = self.sheet_xml(n);
        let setup = attributes(&xml, "pageSetup");
        assert_eq!(setup.get("paperSize").map(String::as_str), Some("9"), "sheet {n} on A4: {setup:?}");
        // Fitted one page wide (the default, so Excel writes no fitToWidth) and as long as it takes.
        assert!(setup.get("fitToWidth").is_none_or(|w| w == "1"), "sheet {n}: {setup:?}");
        assert_eq!(setup.get("fitToHeight").map(String::as_str), Some("0"), "sheet {n}: {setup:?}");
        assert!(xml.contains(r#"<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>"#), "sheet {n}: {xml}");
        assert!(xml.contains("<oddFooter>&amp;C第 &amp;P 页,共 &amp;N 页</oddFooter>"), "sheet {n}: {xml}");
        let book = self.part("xl/workbook.xml");
        let titles = format!(r#"<definedName name="_xlnm.Print_Titles" localSheetId="{}">"#, n - 1);
        let repeated = book.split(&titles).nth(1).and_then(|rest| rest.split("</definedName>").next());
        assert!(repeated.is_some_and(|r| r.ends_with("!$1:$1")), "sheet {n}: header row repeated: {book}");
        setup["orientation"].clone()
    }

    /// The frozen pane's (columns, rows) of sheet `n`.
    fn frozen(&self, n: usize) -> (String, String) {
        let pane = attributes(&self.sheet_xml(n), "pane");
        assert_eq!(pane.get("state").map(String::as_str), Some("frozen"), "sheet {n}: {pane:?}");
        (pane.get("xSplit").cloned().unwrap_or_else(|| "0".into()), pane["ySplit"].clone())
    }

    /// The page header of sheet `n`, with `&amp;` read as `&`.
    fn page_header(&self, n: usize) -> String {
        let xml = self.sheet_xml(n);
        let header = xml.split("<oddHeader>").nth(1).and_then(|h| h.split("</oddHeader>").next());
        header.unwrap_or_default().replace("&amp;", "&")
    }
}

/// The attributes of the first `<tag …>` element in `xml` (empty when there is none).
fn attributes(xml: &str, tag: &str) -> BTreeMap<String, String> {
    let Some(start) = xml.find(&format!("<{tag} ")) else { return BTreeMap::new() };
    let element = &xml[start + tag.len() + 2..];
    let element = &element[..element.find('>').unwrap()];
    element
        .split('"')
        .collect::<Vec<_>>()
        .chunks(2)
        .filter_map(|pair| Some((pair[0].trim().strip_suffix('=')?.to_owned(), pair.get(1)?.to_string())))
        .collect()
}

#[tokio::test]
async fn the_evaluation_workbook_names_its_sheets_by_chapter_and_prints_each_across_a4() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2023Q2", 45.0);
    let book =
        Workbook::download(&app, &format!("/plans/{}/evaluation.xlsx?as_of=2023-06-30", seed_plan_id(&app))).await;
    let names = book.cells().sheet_names();
    assert_eq!(
        names[..3],
        ["汇总", "第三章 加强气象科技创新和人才队伍建设", "第四章 聚焦智慧气象业务能力建设"],
        "{names:?}"
    );
    assert_eq!(names.len(), 6);
    // The summary (8 columns) prints upright; the chapters' 14 columns across the page.
    assert_eq!(book.printed(1), "portrait");
    assert_eq!(book.frozen(1), ("1".into(), "1".into()));
    for n in 2..=names.len() {
        assert_eq!(book.printed(n), "landscape", "{}", names[n - 1]);
        assert_eq!(book.frozen(n), ("2".into(), "1".into()), "the key and name stay in view: {}", names[n - 1]);
    }
    for n in 1..=names.len() {
        assert_eq!(book.page_header(n), format!("&L{EVALUATION_TITLE}&R&A"), "{}", names[n - 1]);
    }
    // Sentences wrap in their column, and their rows are made tall enough to show them.
    let chapter4 = book.sheet_xml(3);
    assert!(chapter4.contains(r#"<col min="12" max="12" width="56.7109375""#), "{chapter4}");
    assert!(attributes(&chapter4, r#"row r="2""#).contains_key("ht"), "{chapter4}");
}

#[tokio::test]
async fn the_wide_export_gives_unit_baseline_and_target_keeps_the_names_in_view_and_prints_across_a4() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2022Q3", 44.0);
    let book = Workbook::download(&app, &format!("/plans/{}/export?layout=wide&format=xlsx", seed_plan_id(&app))).await;
    let mut cells = book.cells();
    assert_eq!(cells.sheet_names(), ["已审核数值(按季度)"]);
    let range = cells.worksheet_range("已审核数值(按季度)").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[..6], ["指标代码", "指标名称", "单位", "基期值", "目标值", "2021Q1"]);
    assert_eq!(header.len(), 5 + 20);
    let lead = range.rows().find(|r| r[0] == Data::String(LEAD.into())).unwrap();
    assert_eq!(lead[2..5], [Data::String("分钟".into()), Data::Float(37.0), Data::Float(48.0)]);
    assert_eq!(lead[5 + 6], Data::Float(44.0), "2022Q3 is the seventh quarter");
    assert_eq!(book.printed(1), "landscape");
    assert_eq!(book.frozen(1), ("2".into(), "1".into()));
    assert_eq!(book.page_header(1), "&L重庆市綦江区气象发展“十四五”规划 · 各季度已审核数值&R&A");
}

#[tokio::test]
async fn the_long_export_prints_upright_on_a4_with_its_header_on_every_page() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2022Q3", 44.0);
    let book = Workbook::download(&app, &format!("/plans/{}/export?layout=long&format=xlsx", seed_plan_id(&app))).await;
    assert_eq!(book.cells().sheet_names(), ["全部数值"]);
    assert_eq!(book.printed(1), "portrait");
    assert_eq!(book.frozen(1), ("2".into(), "1".into()));
    assert!(book.page_header(1).contains("全部数值(含待审核、已退回)"), "{}", book.page_header(1));
}

#[tokio::test]
async fn the_template_shows_unit_target_and_latest_approved_figure_locked_and_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    app.put_value(LEAD, "2023Q1", 44.0);
    app.put_value(LEAD, "2023Q2", 45.0);
    app.put_value(LEAD, "2024Q1", 47.0);
    let path = format!("/plans/{}/export?layout=template&quarter=2023Q3&format=xlsx", seed_plan_id(&app));
    let book = Workbook::download(&app, &path).await;
    let mut cells = book.cells();
    assert_eq!(cells.sheet_names(), ["2023年第三季度填报"]);
    let range = cells.worksheet_range("2023年第三季度填报").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        [
            "指标代码",
            "指标名称",
            "季度",
            "单位(参考)",
            "目标值(参考)",
            "最近审核季度(参考)",
            "最近审核值(参考)",
            "数值",
            "备注"
        ]
    );
    let (r, lead) = range.rows().enumerate().find(|(_, r)| r[0] == Data::String(LEAD.into())).unwrap();
    let reference = [
        Data::String("2023Q3".into()),
        Data::String("分钟".into()),
        Data::Float(48.0),
        Data::String("2023年第二季度".into()),
        Data::Float(45.0),
    ];
    assert_eq!(lead[2..7], reference, "the latest approved figure up to the quarter, not 2024Q1's");
    assert!(lead.len() <= 7 || lead[7..].iter().all(|c| *c == Data::Empty), "no value, no note: {lead:?}");

    // Reference cells are grey and locked in a protected sheet; the value and note columns are not.
    let xml = book.sheet_xml(1);
    assert_eq!(attributes(&xml, "sheetProtection").get("sheet").map(String::as_str), Some("1"), "{xml}");
    let styles = cells.worksheet_style("2023年第三季度填报").unwrap();
    let r = r as u32;
    let locked = |c: u32| styles.get((r, c)).and_then(|s| s.protection.as_ref()).is_none_or(|p| p.locked);
    let grey = |c: u32| styles.get((r, c)).and_then(|s| s.fill.as_ref()).is_some_and(|f| f.is_visible());
    assert!((3..7).all(|c| locked(c) && grey(c)), "reference columns");
    assert!([0, 1, 2].into_iter().all(|c| !locked(c) && !grey(c)), "the key, name and quarter stay editable");
    assert!(
        xml.contains(r#"<col min="8" max="9" width="8.7109375" style="#),
        "value and note editable below too: {xml}"
    );
    assert_eq!(book.printed(1), "landscape");
    assert_eq!(book.frozen(1), ("2".into(), "1".into()));

    // Uploaded as downloaded, it changes nothing: the reference columns are not read.
    let editor = app.sign_in(Role::Editor).await;
    let (status, doc) = upload(&editor, &app, "template.xlsx", book.0).await;
    assert_eq!(status, 200);
    assert_eq!(outcomes(&doc).len(), 36);
    assert!(outcomes(&doc).iter().all(|o| o == "跳过(无数值)"), "{:?}", outcomes(&doc));
    assert_eq!(apply(&editor, &app, &doc).await.status(), 303);
    assert_eq!(count(&app, "SELECT count(*) FROM reported_value"), 3);
}

/// LibreOffice's command, where it is installed.
fn soffice() -> Option<&'static str> {
    ["/usr/bin/soffice", "/usr/bin/libreoffice", "/usr/local/bin/soffice"].into_iter().find(|p| Path::new(p).exists())
}

/// Pages in a PDF: its page objects (`/Type /Page`, not the `/Pages` tree above them).
fn pdf_pages(pdf: &[u8]) -> usize {
    let mut pages = 0;
    let mut rest = pdf;
    while let Some(at) = rest.windows(5).position(|w| w == b"/Type") {
        rest = &rest[at + 5..];
        let name = rest.trim_ascii_start();
        if name.starts_with(b"/Page") && !name.get(5).is_some_and(|b| b.is_ascii_alphanumeric()) {
            pages += 1;
        }
    }
    pages
}

/// Converts `files` (name, XLSX bytes) to PDF with LibreOffice and counts each one's pages.
fn print_with_libreoffice(soffice: &str, files: &[(&str, &[u8])]) -> Vec<usize> {
    let dir = tempfile::tempdir().unwrap();
    // A profile of its own, so a LibreOffice already running elsewhere does not take the job.
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let mut command = Command::new(soffice);
    command.args([&profile, "--headless", "--convert-to", "pdf", "--outdir"]).arg(dir.path());
    for (name, bytes) in files {
        let path = dir.path().join(format!("{name}.xlsx"));
        std::fs::write(&path, bytes).unwrap();
        command.arg(path);
    }
    let mut child = KillOnDrop(command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    let started = Instant::now();
    while child.0.try_wait().unwrap().is_none() {
        assert!(started.elapsed() < Duration::from_secs(180), "LibreOffice did not finish converting");
        std::thread::sleep(Duration::from_millis(200));
    }
    files.iter().map(|(name, _)| pdf_pages(&std::fs::read(dir.path().join(format!("{name}.pdf"))).unwrap())).collect()
}

#[tokio::test]
async fn the_demo_workbooks_print_in_a_few_pages_in_libreoffice() {
    let Some(soffice) = soffice() else {
        eprintln!("LibreOffice page count SKIPPED: soffice not installed (Debian: libreoffice-calc-nogui)");
        return;
    };
    let app = TestApp::spawn_with(Seeds::Embedded, true).await;
    let plan = seed_plan_id(&app);
    let evaluation = Workbook::download(&app, &format!("/plans/{plan}/evaluation.xlsx?as_of=2023-06-30")).await;
    let wide = Workbook::download(&app, &format!("/plans/{plan}/export?layout=wide&format=xlsx")).await;
    let template =
        Workbook::download(&app, &format!("/plans/{plan}/export?layout=template&quarter=2023Q3&format=xlsx")).await;
    let files = [("evaluation", evaluation.0), ("wide", wide.0), ("template", template.0)];
    let pages = tokio::task::spawn_blocking(move || {
        let files: Vec<(&str, &[u8])> = files.iter().map(|(name, bytes)| (*name, &bytes[..])).collect();
        print_with_libreoffice(soffice, &files)
    })
    .await
    .unwrap();
    eprintln!("LibreOffice pages: evaluation {}, wide {}, template {}", pages[0], pages[1], pages[2]);
    // A page per sheet: the summary and five chapters, none spilling over, each whole across.
    assert!(pages[0] <= 6, "evaluation workbook: {} pages", pages[0]);
    assert!(pages[1] <= 2, "wide sheet: {} pages", pages[1]);
    assert!(pages[2] <= 2, "template: {} pages", pages[2]);
}

#[test]
fn pages_are_counted_from_page_objects_not_the_page_tree() {
    let pdf = b"<</Type/Pages/Count 2/Kids[3 0 R 4 0 R]>> <</Type/Page/Parent 2 0 R>> <</Type /Page\n/Parent 2 0 R>>";
    assert_eq!(pdf_pages(pdf), 2);
}
