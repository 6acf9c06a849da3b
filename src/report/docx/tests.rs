//! The .docx read back: unzipped, its XML parts searched for text, tables and page setup.

use std::io::Read;
use std::sync::OnceLock;

use super::*;
use crate::report::tests::midterm;

const NAMES: [&str; 6] =
    ["强对流天气预警提前量", "预报网格分辨率", "高级工程师人数", "气象中心建设", "自动站数量", "公众满意度"];

fn report(as_of: NaiveDate) -> Report {
    let mut r = midterm(as_of);
    r.plan.title = "綦江区气象发展“十四五”规划".into();
    r.plan.document_number = "綦江府办发〔2021〕49号".into();
    for (row, name) in r.chapters.iter_mut().flat_map(|c| c.rows.iter_mut()).zip(NAMES) {
        row.metric.name = name.into();
    }
    r
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// WenQuanYi Micro Hei where it is installed (CI installs it).
fn font() -> Option<&'static Font> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| Font::from_bytes(std::fs::read("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").ok()?, 0))
        .as_ref()
}

/// The parts of a .docx by name.
struct Unzipped(zip::ZipArchive<std::io::Cursor<Vec<u8>>>);

impl Unzipped {
    fn new(bytes: Vec<u8>) -> Self {
        Unzipped(zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive"))
    }

    fn part(&mut self, name: &str) -> String {
        let mut s = String::new();
        self.0.by_name(name).unwrap_or_else(|_| panic!("{name}")).read_to_string(&mut s).unwrap();
        s
    }

    fn names(&self) -> Vec<String> {
        self.0.file_names().map(|n| n.expect("a UTF-8 name").into_owned()).collect()
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// The text of every `<w:t>` in `xml`, joined.
fn text_of(xml: &str) -> String {
    let mut out = String::new();
    for piece in xml.split("<w:t").skip(1) {
        // `<w:t>` or `<w:t xml:space="preserve">`, not `<w:tbl>` or `<w:tc>`.
        if !(piece.starts_with('>') || piece.starts_with(' ')) {
            continue;
        }
        let Some((_, rest)) = piece.split_once('>') else { continue };
        let Some((text, _)) = rest.split_once("</w:t>") else { continue };
        out.push_str(&unescape(text));
    }
    out
}

/// Each paragraph's text, tables' paragraphs included.
fn paragraphs(xml: &str) -> Vec<String> {
    xml.split("</w:p>").map(text_of).filter(|t| !t.is_empty()).collect()
}

/// Each table row's cells' texts.
fn rows(xml: &str) -> Vec<Vec<String>> {
    xml.split("</w:tr>")
        .filter(|r| r.contains("<w:tc>"))
        .map(|r| r.split("</w:tc>").filter(|c| c.contains("<w:tc>")).map(text_of).collect())
        .collect()
}

/// The value of `attr` on the first `<tag …>` in `xml`.
fn attr(xml: &str, tag: &str, attr: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag} "))?;
    let element = &xml[start..start + xml[start..].find('>')?];
    let at = element.find(&format!(" {attr}=\""))? + attr.len() + 3;
    Some(element[at..].split('"').next()?.to_owned())
}

#[test]
fn the_document_holds_title_dates_every_metric_counts_and_the_sections() {
    let r = report(d(2023, 6, 30));
    let mut docx = Unzipped::new(document(&r, None).unwrap());
    let xml = docx.part("word/document.xml");
    let paras = paragraphs(&xml);
    assert_eq!(paras[0], "綦江区气象发展“十四五”规划中期评估报告");
    assert_eq!(paras[1], "（规划文号：綦江府办发〔2021〕49号）");
    assert_eq!(paras[2], "评估日期：2023年6月30日  生成日期：2026年11月28日");
    assert!(paras[3].starts_with("数据：已审核11项，待审核0项，缺失49项"), "{}", paras[3]);
    for heading in [
        "一、总体情况",
        "二、分章评估",
        "（一）第一章",
        "三、需要关注（2项）",
        "四、数据缺失（1项）",
        "五、数据滞后（0项）",
    ] {
        assert!(paras.iter().any(|p| p == heading), "{heading} in {paras:#?}");
    }
    let text = text_of(&xml);
    for name in NAMES {
        assert!(text.contains(name), "{name}");
    }

    let rows = rows(&xml);
    let overall = rows.iter().find(|r| r[0] == "全部指标").expect("the summary's overall line");
    let total: usize = r.counts.iter().map(|(_, n)| n).sum();
    let expected: Vec<String> = r.counts.iter().map(|(_, n)| n.to_string()).chain([total.to_string()]).collect();
    assert_eq!(overall[1..], expected[..]);
    assert_eq!(rows[0][1..7], Status::ALL.map(|s| s.label_zh().to_owned())[..]);

    // The lead time's line, as on the page: 45 of 2023Q2, 73 % against 50 %, on track.
    let lead = rows.iter().find(|r| r[0] == "强对流天气预警提前量（分钟）").unwrap();
    assert_eq!(lead[1..], ["37", "48", "452023年第二季度", "73%", "50%", "正常推进", "52.312024年第三季度"]);
    let sentence = zh(&row_of(&r, "lead").sentence);
    assert_eq!(sentence, "较基期提高8分钟，完成目标进度73%，快于时序进度（50%）；按当前趋势预计2024年第三季度达标。");
    assert!(paras.contains(&format!("1. 强对流天气预警提前量：{sentence}")));

    // 需要关注: the grid resolution, behind, with progress against time; 数据缺失 names the stations.
    assert!(paras.iter().any(|p| p.starts_with("（一）预报网格分辨率（")));
    assert!(paras.iter().any(|p| p.starts_with("完成进度") && p.contains("时序进度")));
    assert!(paras.contains(&"以下指标截至评估日期没有已审核数据，未能评估：自动站数量。".to_owned()));
}

fn row_of<'a>(r: &'a Report, key: &str) -> &'a Row {
    r.rows().find(|row| row.metric.key == key).unwrap()
}

#[test]
fn a_stale_value_is_marked_in_its_cell_and_listed() {
    let r = report(d(2024, 6, 30));
    let mut docx = Unzipped::new(document(&r, None).unwrap());
    let xml = docx.part("word/document.xml");
    let rows = rows(&xml);
    let lead = rows.iter().find(|r| r[0] == "强对流天气预警提前量（分钟）").unwrap();
    assert_eq!(lead[3], "452023年第二季度数据滞后");
    let paras = paragraphs(&xml);
    assert!(paras.contains(&"五、数据滞后（5项）".to_owned()));
    assert!(paras.contains(&"强对流天气预警提前量：45分钟（2023年第二季度）。".to_owned()), "{paras:#?}");
    assert!(paras[3].contains("其中5项指标数据滞后（最新数据早于2024年第一季度）"), "{}", paras[3]);
}

#[test]
fn chinese_text_takes_full_width_punctuation_but_numbers_keep_theirs() {
    assert_eq!(zh("较基期提高1,000个(含新增):完成;"), "较基期提高1,000个（含新增）：完成；");
    assert_eq!(zh("时间10:30,地点:"), "时间10:30，地点：");
    assert_eq!(zh(",:"), "，：");
}

#[test]
fn a4_with_gb_t_9704_margins_official_faces_and_page_numbers() {
    let mut docx = Unzipped::new(document(&report(d(2023, 6, 30)), None).unwrap());
    let xml = docx.part("word/document.xml");
    assert_eq!(attr(&xml, "w:pgSz", "w:w").as_deref(), Some("11906"));
    assert_eq!(attr(&xml, "w:pgSz", "w:h").as_deref(), Some("16838"));
    // 37, 35, 28 and 26 mm in twips (1 mm = 56.69 twips).
    for (side, twips) in [("w:top", "2098"), ("w:bottom", "1984"), ("w:left", "1587"), ("w:right", "1474")] {
        assert_eq!(attr(&xml, "w:pgMar", side).as_deref(), Some(twips), "{side}");
    }

    let styles = docx.part("word/styles.xml");
    for face in ["仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"] {
        assert!(styles.contains(&format!("w:eastAsia=\"{face}\"")), "{face} in styles");
    }
    // Body text in 三号 (16 pt, 32 half points), the title in 二号 (22 pt).
    let docdefaults = &styles[styles.find("<w:docDefaults>").unwrap()..styles.find("</w:docDefaults>").unwrap()];
    assert!(docdefaults.contains("w:eastAsia=\"仿宋_GB2312\"") && docdefaults.contains("<w:sz w:val=\"32\""));
    let title = &styles[styles.find("w:styleId=\"ReportTitle\"").unwrap()..];
    let title = &title[..title.find("</w:style>").unwrap()];
    assert!(title.contains("方正小标宋简体") && title.contains("<w:sz w:val=\"44\""), "{title}");

    let fonts = docx.part("word/fontTable.xml");
    for (face, alt) in [("仿宋_GB2312", "仿宋"), ("方正小标宋简体", "黑体"), ("楷体_GB2312", "楷体")] {
        assert!(fonts.contains(&format!("<w:font w:name=\"{face}\"><w:altName w:val=\"{alt}\"/>")), "{face}");
    }

    let names = docx.names();
    let footers: Vec<&String> = names.iter().filter(|n| n.starts_with("word/footer")).collect();
    assert_eq!(footers.len(), 2, "odd and even pages: {names:?}");
    for f in footers {
        let footer = docx.part(f);
        assert!(footer.contains(">PAGE<") && text_of(&footer) == "— 1 —", "{footer}");
    }
    assert!(docx.part("word/settings.xml").contains("w:evenAndOddHeaders"));
}

#[test]
fn charts_are_png_images_when_there_is_a_font_and_absent_without() {
    let r = report(d(2023, 6, 30));
    let mut plain = Unzipped::new(document(&r, None).unwrap());
    assert!(!plain.names().iter().any(|n| n.ends_with(".png")));
    let xml = plain.part("word/document.xml");
    assert!(!xml.contains("<w:drawing>") && !paragraphs(&xml).iter().any(|p| p.starts_with("图")));

    let Some(font) = font() else { return };
    let mut docx = Unzipped::new(document(&r, Some(font)).unwrap());
    let media: Vec<String> = docx.names().into_iter().filter(|n| n.ends_with(".png")).collect();
    // The summary's bars and one chart for each metric that needs attention.
    assert_eq!(media.len(), 1 + r.attention().len(), "{media:?}");
    for m in &media {
        let mut bytes = Vec::new();
        docx.0.by_name(m).unwrap().read_to_end(&mut bytes).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{m}");
    }
    let paras = paragraphs(&docx.part("word/document.xml"));
    assert!(paras.contains(&"图1 各状态指标数".to_owned()));
    assert!(paras.contains(&"图2 预报网格分辨率".to_owned()), "{paras:#?}");
}
