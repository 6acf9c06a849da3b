//! `/plans/{id}/evaluation.docx`: the evaluation as a Word document, downloaded from the
//! demo database and read back.

use std::io::Read;

use plantrack::report::docx::zh;
use plantrack::setup::Seeds;

use crate::helpers::{TestApp, seed_plan_id, texts};

/// The document's parts: `word/document.xml`'s text, and the names of all parts.
struct Docx {
    text: String,
    parts: Vec<String>,
}

fn read_docx(bytes: Vec<u8>) -> Docx {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a .docx is a zip archive");
    let parts = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    // The text runs, each paragraph on a line of its own.
    let text = xml
        .split("</w:p>")
        .map(|p| {
            p.split("<w:t")
                .skip(1)
                .filter(|t| t.starts_with('>') || t.starts_with(' '))
                .filter_map(|t| t.split_once('>')?.1.split_once("</w:t>").map(|(s, _)| s))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n");
    Docx { text: text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"), parts }
}

#[tokio::test]
async fn the_word_report_downloads_from_the_demo_with_the_pages_figures() {
    let app = TestApp::spawn_with(Seeds::Embedded, true).await;
    let plan = seed_plan_id(&app);
    let (_, page) = app.html(&format!("/plans/{plan}/evaluation?as_of=2023-06-30")).await;
    let link = format!("/plans/{plan}/evaluation.docx?as_of=2023-06-30");
    assert!(
        page.select(&scraper::Selector::parse(&format!("a[href=\"{link}\"]")).unwrap()).next().is_some(),
        "the report links its Word download"
    );

    let res = app.get(&link).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment;") && disposition.ends_with("-2023-06-30.docx"), "{disposition}");
    let docx = read_docx(res.bytes().await.unwrap().to_vec());
    let text = &docx.text;

    assert!(text.starts_with("重庆市綦江区气象发展“十四五”规划中期评估报告\n"), "{}", &text[..200]);
    assert!(text.contains("綦江府办发〔2021〕49号") && text.contains("评估日期：2023年6月30日"));
    let number = |id: &str| texts(&page, &format!("#{id}"))[0].clone();
    let figures = format!(
        "数据：已审核{}项，待审核{}项，缺失{}项",
        number("n-approved"),
        number("n-pending"),
        number("n-missing")
    );
    assert!(text.contains(&figures), "{figures}");
    // The summary's overall line, each count in a cell (a paragraph) of its own.
    let overall = texts(&page, ".summary-table tr.overall td");
    assert!(text.contains(&format!("全部指标\n{}\n", overall.join("\n"))), "{overall:?}");

    let metrics = app.store.with_conn(|c| plantrack::store::plans::metrics(c, plan)).unwrap();
    assert_eq!(metrics.len(), 36);
    for m in &metrics {
        // As a document writes it: 标准化炮站智能化改造（古南、三角）.
        assert!(text.contains(&zh(&m.name)), "{} missing from the document", m.name);
    }
    let attention = texts(&page, ".attention-item").len();
    let missing = texts(&page, ".report-missing li").len();
    assert!(text.contains(&format!("三、需要关注（{attention}项）")), "{attention}");
    assert!(text.contains(&format!("四、数据缺失（{missing}项）")), "{missing}");

    // Charts as images when this machine has a CJK font; never otherwise.
    let images = docx.parts.iter().filter(|p| p.starts_with("word/media/") && p.ends_with(".png")).count();
    match plantrack::fonts::cjk() {
        Some(_) => assert_eq!(images, 1 + attention, "the summary chart and one per metric needing attention"),
        None => assert_eq!(images, 0),
    }
}

#[tokio::test]
async fn the_word_report_takes_the_reports_dates_and_refuses_bad_ones() {
    let app = TestApp::spawn().await;
    let plan = seed_plan_id(&app);
    let res = app.get(&format!("/plans/{plan}/evaluation.docx?as_of=final")).await;
    assert_eq!(res.status(), 200);
    let docx = read_docx(res.bytes().await.unwrap().to_vec());
    assert!(docx.text.contains("规划终期评估报告") && docx.text.contains("评估日期：2025年12月31日"));
    for bad in ["2023-05-01", "2030-12-31", "yesterday"] {
        let res = app.get(&format!("/plans/{plan}/evaluation.docx?as_of={bad}")).await;
        assert_eq!(res.status(), 400, "{bad}");
    }
    let res = app.anonymous().get(&format!("/plans/{plan}/evaluation.docx")).await;
    assert_ne!(res.status(), 200, "signed-out visitors get no report");
}
