//! How the Word report looks, after GB/T 9704-2012 (党政机关公文格式): A4 with its
//! margins, its faces and sizes, page numbers in the footer.
//!
//! | part | face | size |
//! |---|---|---|
//! | title | 方正小标宋简体 (黑体 where it is not installed) | 二号, 22 pt |
//! | headings 一、 | 黑体 | 三号, 16 pt |
//! | headings (一) and the lines under the title | 楷体_GB2312 (楷体) | 三号 |
//! | text | 仿宋_GB2312 (仿宋), 28.9 pt lines: 22 lines a page | 三号 |
//! | tables | 仿宋_GB2312, headers in 黑体 | 小五, 9 pt: eight columns fit 156 mm |
//! | table and figure captions | 黑体 | 小四, 12 pt |
//! | page numbers "— 1 —" | 宋体 | 四号, 14 pt |
//!
//! Latin letters and digits are set in Times New Roman. The names in brackets are the
//! faces Windows ships; the `_GB2312` ones are what bureaus install, and the font table
//! gives Word the shipped name as the alternative.

use docx_rs::{
    AlignmentType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin,
    Paragraph, Run, RunFonts, SpecialIndentType, Style, StyleType, XMLDocx,
};

/// A4 in twips (1/1440 inch): 210 × 297 mm.
pub const A4: (u32, u32) = (11906, 16838);
/// GB/T 9704 margins in twips: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
pub const MARGINS: Margins = Margins { top: 2098, bottom: 1984, left: 1587, right: 1474 };
/// The width of the text block: 156 mm.
pub const TEXT_WIDTH: usize = (A4.0 - MARGINS.left - MARGINS.right) as usize;

pub struct Margins {
    pub top: u32,
    pub bottom: u32,
    pub left: u32,
    pub right: u32,
}

pub const TITLE_FACE: &str = "方正小标宋简体";
pub const HEADING_FACE: &str = "黑体";
pub const KAI_FACE: &str = "楷体_GB2312";
pub const BODY_FACE: &str = "仿宋_GB2312";
pub const NUMBER_FACE: &str = "宋体";
pub const LATIN_FACE: &str = "Times New Roman";

/// Sizes in half points, by their Chinese names.
const ERHAO: usize = 44;
const SANHAO: usize = 32;
const SIHAO: usize = 28;
const XIAOSI: usize = 24;
const XIAOWU: usize = 18;

/// Paragraph styles the report uses.
pub const TITLE: &str = "ReportTitle";
pub const HEADING1: &str = "Heading1";
pub const HEADING2: &str = "Heading2";
pub const SUBTITLE: &str = "ReportSubtitle";
pub const BODY: &str = "ReportBody";
pub const CAPTION: &str = "ReportCaption";
pub const FIGURE: &str = "ReportFigure";
pub const CELL: &str = "ReportCell";
pub const CELL_LEFT: &str = "ReportCellLeft";
pub const CELL_HEAD: &str = "ReportCellHead";

fn fonts(east_asia: &str) -> RunFonts {
    // The hint makes quotation marks and the like take the Chinese face, as in “十四五”.
    RunFonts::new().east_asia(east_asia).ascii(LATIN_FACE).hi_ansi(LATIN_FACE).cs(LATIN_FACE).hint("eastAsia")
}

/// `pt` points as a line height in twentieths of a point, exactly.
fn exact(pt: f64) -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Exact).line((pt * 20.0).round() as i32)
}

fn single() -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Auto).line(240)
}

/// Two characters' indent on the first line: in twips for LibreOffice, in characters for
/// Word (docx-rs sets the characters only on an indent already there).
fn indented(style: Style) -> Style {
    style.indent(None, Some(SpecialIndentType::FirstLine(640)), None, None).first_line_chars(200)
}

/// A4, the margins, the faces and styles, and page numbers: odd pages on the right, even
/// pages on the left, one character in from the edge of the text.
pub fn setup(doc: Docx) -> Docx {
    let margins = PageMargin::new()
        .top(MARGINS.top as i32)
        .bottom(MARGINS.bottom as i32)
        .left(MARGINS.left as i32)
        .right(MARGINS.right as i32)
        .header(851)
        // 21.6 mm from the edge: the line of 14 pt numbers then starts 7 mm below the text.
        .footer(1225)
        .gutter(0);
    // The text's line height: GB/T 9704's 22 lines in the 225 mm text block.
    let line = exact(28.9);
    let para = |id: &str, name: &str, face: &str, size: usize| {
        Style::new(id, StyleType::Paragraph).name(name).fonts(fonts(face)).size(size)
    };
    doc.page_size(A4.0, A4.1)
        .page_margin(margins)
        .default_fonts(fonts(BODY_FACE))
        .default_size(SANHAO)
        .add_style(
            para(TITLE, "Report Title", TITLE_FACE, ERHAO)
                .align(AlignmentType::Center)
                .line_spacing(exact(36.0).before(0).after(560)),
        )
        .add_style(
            para(SUBTITLE, "Report Subtitle", KAI_FACE, SANHAO).align(AlignmentType::Center).line_spacing(line.clone()),
        )
        .add_style(indented(
            para(HEADING1, "heading 1", HEADING_FACE, SANHAO).outline_lvl(0).line_spacing(line.clone()),
        ))
        .add_style(indented(para(HEADING2, "heading 2", KAI_FACE, SANHAO).outline_lvl(1).line_spacing(line.clone())))
        .add_style(indented(para(BODY, "Report Body", BODY_FACE, SANHAO).align(AlignmentType::Both).line_spacing(line)))
        .add_style(
            para(CAPTION, "Report Caption", HEADING_FACE, XIAOSI)
                .align(AlignmentType::Center)
                .line_spacing(single().before(120).after(60)),
        )
        .add_style(para(FIGURE, "Report Figure", BODY_FACE, XIAOSI).align(AlignmentType::Center).line_spacing(single()))
        .add_style(para(CELL, "Report Cell", BODY_FACE, XIAOWU).align(AlignmentType::Center).line_spacing(single()))
        .add_style(
            para(CELL_LEFT, "Report Cell Left", BODY_FACE, XIAOWU).align(AlignmentType::Left).line_spacing(single()),
        )
        .add_style(
            para(CELL_HEAD, "Report Cell Head", HEADING_FACE, XIAOWU)
                .align(AlignmentType::Center)
                .line_spacing(single()),
        )
        .footer(Footer::new().add_paragraph(page_number(true)))
        .even_footer(Footer::new().add_paragraph(page_number(false)))
}

/// "— 7 —" in 四号 宋体, one character (14 pt) in from the side it stands on: the right
/// on odd pages, the left on even ones.
fn page_number(odd: bool) -> Paragraph {
    let run = || Run::new().fonts(fonts(NUMBER_FACE)).size(SIHAO);
    let one_char = Some(280);
    let (side, left, right) =
        if odd { (AlignmentType::Right, None, one_char) } else { (AlignmentType::Left, one_char, None) };
    Paragraph::new()
        .align(side)
        .indent(left, None, right, None)
        .add_run(run().add_text("— "))
        .add_run(
            run()
                .add_field_char(FieldCharType::Begin, false)
                .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
                .add_field_char(FieldCharType::Separate, false)
                .add_text("1")
                .add_field_char(FieldCharType::End, false),
        )
        .add_run(run().add_text(" —"))
}

/// docx-rs writes a fixed font table (Times New Roman, Symbol, Arial). Ours names the
/// Chinese faces too, with the GB2312 character set and the name Windows ships each under,
/// so that Word substitutes a 仿宋 for a missing 仿宋_GB2312 rather than anything at all.
pub fn font_table(xml: &mut XMLDocx) {
    let font = |name: &str, alt: &str, family: &str, pitch: &str| {
        let alt = if alt.is_empty() { String::new() } else { format!("<w:altName w:val=\"{alt}\"/>") };
        let charset = if alt.is_empty() { "00" } else { "86" };
        format!(
            "<w:font w:name=\"{name}\">{alt}<w:charset w:val=\"{charset}\"/><w:family w:val=\"{family}\"/>\
             <w:pitch w:val=\"{pitch}\"/></w:font>"
        )
    };
    let fonts = [
        font(LATIN_FACE, "", "roman", "variable"),
        font(BODY_FACE, "仿宋", "modern", "fixed"),
        font(KAI_FACE, "楷体", "modern", "fixed"),
        font(HEADING_FACE, "SimHei", "modern", "fixed"),
        font(TITLE_FACE, HEADING_FACE, "script", "variable"),
        font(NUMBER_FACE, "SimSun", "auto", "variable"),
    ];
    xml.font_table = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">{}</w:fonts>",
        fonts.concat()
    )
    .into_bytes();
}
