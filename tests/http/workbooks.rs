//! Every workbook plantrack writes, as an office suite shows and prints it: sheet names,
//! frozen panes, page setup (A4, orientation, fitted to the page width, header row repeated
//! on every page, a title in the page header) and the template's locked reference columns,
//! read back from the XLSX package; and, where LibreOffice is installed, the pages it prints.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Reader, Xlsx};

use crate::helpers::{LEAD, TestApp, seed_plan_id};

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
