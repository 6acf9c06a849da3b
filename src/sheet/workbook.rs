//! Writing XLSX workbooks: styled worksheets that open, scroll and print well.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError};

use super::format_number;

/// A worksheet to write.
pub struct Sheet<'a> {
    /// Worksheet name (Chinese allowed); characters Excel forbids (`[]:*?/\`) are dropped and the
    /// name is cut to Excel's 31 characters. Duplicates get a `(2)` suffix.
    pub name: &'a str,
    /// Header row, written bold on a light fill, kept in view and repeated on every printed page.
    pub header: Vec<String>,
    /// Data rows; rows may be shorter or longer than the header.
    pub rows: Vec<Vec<Cell>>,
    /// Column widths in characters (count a CJK character as 2); None = computed from content.
    /// A list shorter than the columns leaves the remaining columns computed.
    pub widths: Option<Vec<f64>>,
    /// How the sheet shows on screen and on paper.
    pub layout: Layout,
}

impl<'a> Sheet<'a> {
    /// A sheet with widths computed from its content and the default [`Layout`].
    pub fn new(name: &'a str, header: Vec<String>, rows: Vec<Vec<Cell>>) -> Self {
        Sheet { name, header, rows, widths: None, layout: Layout::default() }
    }
}

/// How a worksheet shows and prints. Whatever the layout, the header row stays in view when
/// scrolling, and the sheet prints on A4 scaled to the width of the page (as many pages down as
/// it takes: no page holds a column or two cut off the others), the header row repeated at the
/// top of every page, [`Layout::title`] and the sheet's name in the page header and
/// 第 N 页,共 M 页 in the footer. The default: portrait, nothing but the header frozen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    /// Printed at the top left of every page (the sheet's name is at the right), e.g. the plan
    /// and what the sheet is; cut to 100 characters. Empty: the sheet's name alone.
    pub title: String,
    /// Print across the page: for sheets wider than a portrait page.
    pub landscape: bool,
    /// How many columns from the left stay in view when scrolling right (the metric's key and
    /// name), besides the header row.
    pub frozen_columns: usize,
    /// Columns (0-based) of long text that wraps within the column's width (computed widths
    /// stop at 30 characters for them), so a narrow column keeps the page readable; the
    /// sheet's cells then sit at the top of their rows.
    pub wrap: Vec<usize>,
    /// Reference columns (0-based), shown for reading and not to be typed in: grey, and locked by
    /// protecting the sheet without a password (审阅 → 撤销工作表保护 lifts it). Every other cell
    /// except the header row stays editable, and rows may still be inserted, deleted and sorted.
    pub reference: Vec<usize>,
}

/// One cell of a worksheet to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Written as a text cell (never interpreted as a formula or number).
    Text(String),
    /// Written as a real number.
    Number(f64),
    /// Nothing written (a grey blank in a reference column).
    Empty,
}

/// The header row's fill, and a reference column's fill and text.
const HEADER_FILL: Color = Color::RGB(0xDDEBF7);
const REFERENCE_FILL: Color = Color::RGB(0xEDEDED);
const REFERENCE_TEXT: Color = Color::RGB(0x595959);
/// How much of a title the page header shows: Excel refuses headers over 255 characters.
const MAX_TITLE_CHARS: usize = 100;
/// Bounds of a computed column width, in characters; a wrapping column is kept narrower.
const MIN_WIDTH: f64 = 8.0;
const MAX_WIDTH: f64 = 60.0;
const MAX_WRAPPED_WIDTH: f64 = 30.0;
/// The height of a line of 11-point text (Excel's default row), in points.
const LINE_HEIGHT: f64 = 15.0;
/// Excel's paper size code for A4.
const A4: u8 = 9;

/// Writes an XLSX workbook: header row bold on a light fill and frozen, numbers as real numbers
/// (whole numbers in General format, others as `0.##`: up to 2 decimals, no trailing zeros), text
/// as text cells, column widths sized for CJK text; each sheet laid out by its [`Layout`].
pub fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    // Excel reserves "History" for its change-tracking sheet.
    let mut used = vec!["history".to_string()];
    let mut book = Workbook::new();
    for (index, sheet) in sheets.iter().enumerate() {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(sheet.name, index, &mut used)).map_err(fail)?;
        write_cells(ws, sheet)?;
        set_up_pages(ws, &sheet.layout, sheet.header.len())?;
    }
    book.save_to_buffer().map_err(fail)
}

fn fail(e: XlsxError) -> String {
    format!("生成 Excel 文件失败:{e}")
}

/// The header, the rows and the column widths.
fn write_cells(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), String> {
    let header_format = Format::new()
        .set_bold()
        .set_background_color(HEADER_FILL)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let columns = sheet.header.len().max(sheet.rows.iter().map(Vec::len).max().unwrap_or(0));
    let formats: Vec<ColumnFormats> = (0..columns).map(|c| ColumnFormats::of(&sheet.layout, c)).collect();
    let mut widths = vec![0.0_f64; columns];
    let mut widen = |col: usize, text: &str| widths[col] = widths[col].max(text_width(text));
    for (c, title) in sheet.header.iter().enumerate() {
        ws.write_string_with_format(0, col_num(c)?, title, &header_format).map_err(fail)?;
        widen(c, title);
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| "数据行数超过 Excel 上限".to_string())?;
        for (c, cell) in row.iter().enumerate() {
            let (col, formats) = (col_num(c)?, &formats[c]);
            match cell {
                Cell::Text(s) => {
                    match &formats.plain {
                        Some(f) => ws.write_string_with_format(r, col, s, f),
                        None => ws.write_string(r, col, s),
                    }
                    .map_err(fail)?;
                    widen(c, s);
                }
                // "0.##" would show 92 or 0.001 as "92." or "0.", so those keep General.
                Cell::Number(n) if ((n * 100.0).round() / 100.0).fract() == 0.0 || !n.is_finite() => {
                    match &formats.plain {
                        Some(f) => ws.write_number_with_format(r, col, *n, f),
                        None => ws.write_number(r, col, *n),
                    }
                    .map_err(fail)?;
                    widen(c, &format_number(*n));
                }
                Cell::Number(n) => {
                    ws.write_number_with_format(r, col, *n, &formats.fraction).map_err(fail)?;
                    widen(c, &format!("{n:.2}"));
                }
                Cell::Empty => {
                    if let Some(f) = &formats.blank {
                        ws.write_blank(r, col, f).map_err(fail)?;
                    }
                }
            }
        }
    }
    let given = sheet.widths.as_deref().unwrap_or_default();
    let mut set_widths = Vec::new();
    for c in 0..columns.max(given.len()) {
        // Padding leaves room for the bold header and the filter/sort glyphs Excel may add.
        let widest = if sheet.layout.wrap.contains(&c) { MAX_WRAPPED_WIDTH } else { MAX_WIDTH };
        let computed = (widths.get(c).copied().unwrap_or(0.0) + 2.0).clamp(MIN_WIDTH, widest);
        let width = given.get(c).copied().unwrap_or(computed);
        ws.set_column_width(col_num(c)?, width).map_err(fail)?;
        set_widths.push(width);
        // In a protected sheet, the cells of editable columns that hold nothing yet (rows added
        // below the data) stay editable too.
        if let Some(f) = formats.get(c).and_then(|f| f.column.as_ref()) {
            ws.set_column_format(col_num(c)?, f).map_err(fail)?;
        }
    }
    set_row_heights(ws, sheet, &set_widths)
}

/// Makes the rows whose wrapped text takes several lines tall enough to show it: office
/// suites do not measure them when they open a file (LibreOffice draws the lines over each
/// other), so the height is estimated here from the text's width.
fn set_row_heights(ws: &mut Worksheet, sheet: &Sheet, widths: &[f64]) -> Result<(), String> {
    let lines = |text: &str, col: usize| -> usize {
        // A line holds a little less than the column: words and numbers are not cut.
        let room = (widths.get(col).copied().unwrap_or(MIN_WIDTH) - 2.0).max(1.0);
        text.lines().map(|line| (text_width(line) / room).ceil().max(1.0) as usize).sum::<usize>().max(1)
    };
    // The header wraps wherever a title is wider than its column.
    let header = sheet.header.iter().enumerate().map(|(c, title)| lines(title, c)).max().unwrap_or(1);
    let mut heights = vec![(0, header)];
    for (r, row) in sheet.rows.iter().enumerate() {
        let wrapped = row.iter().enumerate().filter(|(c, _)| sheet.layout.wrap.contains(c));
        let tallest = wrapped
            .filter_map(|(c, cell)| match cell {
                Cell::Text(s) => Some(lines(s, c)),
                _ => None,
            })
            .max()
            .unwrap_or(1);
        heights.push((r + 1, tallest));
    }
    for (r, n) in heights.into_iter().filter(|(_, n)| *n > 1) {
        let r = u32::try_from(r).map_err(|_| "数据行数超过 Excel 上限".to_string())?;
        ws.set_row_height(r, n as f64 * LINE_HEIGHT).map_err(fail)?;
    }
    Ok(())
}

/// The formats of one column's data cells.
struct ColumnFormats {
    /// For text and whole numbers; `None`: Excel's default.
    plain: Option<Format>,
    /// For numbers with a fraction: up to two decimals, no trailing zeros.
    fraction: Format,
    /// Written into an empty data cell that should show (a reference column's grey).
    blank: Option<Format>,
    /// For the whole column: the cells of an editable column in a protected sheet.
    column: Option<Format>,
}

impl ColumnFormats {
    fn of(layout: &Layout, col: usize) -> Self {
        let mut format = Format::new();
        if !layout.wrap.is_empty() {
            // Rows of wrapped text are several lines tall: every cell reads from the top.
            format = format.set_align(FormatAlign::Top);
        }
        if layout.wrap.contains(&col) {
            format = format.set_text_wrap();
        }
        let reference = layout.reference.contains(&col);
        let protected = !layout.reference.is_empty();
        if reference {
            format = format.set_background_color(REFERENCE_FILL).set_font_color(REFERENCE_TEXT);
        } else if protected {
            format = format.set_unlocked();
        }
        let styled = !layout.wrap.is_empty() || protected;
        ColumnFormats {
            plain: styled.then(|| format.clone()),
            blank: reference.then(|| format.clone()),
            column: (protected && !reference).then(|| Format::new().set_unlocked()),
            fraction: format.set_num_format("0.##"),
        }
    }
}

/// Freezing, printing and protection.
fn set_up_pages(ws: &mut Worksheet, layout: &Layout, columns: usize) -> Result<(), String> {
    ws.set_freeze_panes(1, col_num(layout.frozen_columns.min(columns))?).map_err(fail)?;
    ws.set_paper_size(A4);
    if layout.landscape {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    // Excel's 窄 (narrow) margins: more of the table on the page, at a larger scale.
    ws.set_margins(0.25, 0.25, 0.75, 0.75, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_repeat_rows(0, 0).map_err(fail)?;
    ws.set_header(page_header(&layout.title));
    ws.set_footer("&C第 &P 页,共 &N 页");
    if !layout.reference.is_empty() {
        ws.protect_with_options(&ProtectionOptions {
            format_columns: true,
            format_rows: true,
            insert_rows: true,
            delete_rows: true,
            sort: true,
            use_autofilter: true,
            ..ProtectionOptions::default()
        });
    }
    Ok(())
}

/// The page header: the title at the left, the sheet's name (`&A`) at the right.
fn page_header(title: &str) -> String {
    // `&` starts a code in a page header; a literal one is doubled.
    let title = title.chars().take(MAX_TITLE_CHARS).collect::<String>().replace('&', "&&");
    if title.trim().is_empty() { "&C&A".to_owned() } else { format!("&L{title}&R&A") }
}

/// Display width in Excel character units: East Asian wide characters take two.
pub(super) fn text_width(s: &str) -> f64 {
    let line_width = |line: &str| -> usize {
        line.chars()
            .map(|c| match c as u32 {
                0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F => 2,
                0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD => 2,
                _ => 1,
            })
            .sum()
    };
    s.lines().map(line_width).max().unwrap_or(0) as f64
}

fn col_num(c: usize) -> Result<u16, String> {
    u16::try_from(c).ok().filter(|c| *c < 16_384).ok_or_else(|| "列数超过 Excel 上限".to_string())
}

/// Makes a name Excel accepts: no `[]:*?/\`, no quote at either end, at most 31 UTF-16 units,
/// not blank and unique (case-insensitively) within the workbook.
fn sheet_name(name: &str, index: usize, used: &mut Vec<String>) -> String {
    let cleaned: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).collect();
    let cleaned = cleaned.trim().trim_matches('\'');
    let base = if cleaned.is_empty() { format!("Sheet{}", index + 1) } else { cleaned.to_string() };
    let mut candidate = truncate_utf16(&base, 31).to_string();
    let mut n = 1;
    while used.contains(&candidate.to_lowercase()) {
        n += 1;
        let suffix = format!("({n})");
        candidate = format!("{}{suffix}", truncate_utf16(&base, 31 - suffix.len()));
    }
    used.push(candidate.to_lowercase());
    candidate
}

/// Cuts to at most `room` UTF-16 units (Excel's unit for name lengths), on a char boundary,
/// without leaving a quote or space at the end.
fn truncate_utf16(s: &str, room: usize) -> &str {
    let mut units = 0;
    let end = s
        .char_indices()
        .find(|(_, c)| {
            units += c.len_utf16();
            units > room
        })
        .map_or(s.len(), |(i, _)| i);
    s[..end].trim_end_matches(|c: char| c == '\'' || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::{Cursor, Read};

    use calamine::{Reader, Xlsx};

    use super::*;

    /// One part of the XLSX package: calamine reads neither page setup nor panes.
    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
        xml
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

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn header(titles: &[&str]) -> Vec<String> {
        titles.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_sheet_prints_on_a4_at_the_page_width_with_its_header_repeated_and_pages_numbered() {
        let rows = vec![vec![text("a"), Cell::Number(1.0)]];
        let bytes = write_xlsx(&[Sheet::new("数据", header(&["指标代码", "数值"]), rows)]).unwrap();
        let xml = part(&bytes, "xl/worksheets/sheet1.xml");
        let setup = attributes(&xml, "pageSetup");
        assert_eq!((setup["paperSize"].as_str(), setup["fitToHeight"].as_str()), ("9", "0"), "{setup:?}");
        // One page wide is the default, so no fitToWidth is written.
        assert!(setup.get("fitToWidth").is_none_or(|w| w == "1"), "{setup:?}");
        assert_eq!(setup["orientation"], "portrait");
        assert!(xml.contains(r#"<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>"#), "{xml}");
        assert!(xml.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#), "{xml}");
        assert!(
            xml.contains("<oddHeader>&amp;C&amp;A</oddHeader><oddFooter>&amp;C第 &amp;P 页,共 &amp;N 页</oddFooter>"),
            "{xml}"
        );
        let book = part(&bytes, "xl/workbook.xml");
        assert!(
            book.contains(r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">数据!$1:$1</definedName>"#),
            "{book}"
        );
    }

    #[test]
    fn a_layout_turns_the_page_keeps_the_name_columns_in_view_and_titles_every_page() {
        let layout = Layout {
            title: format!("规划 A&B · {}", "长".repeat(200)),
            landscape: true,
            frozen_columns: 2,
            ..Layout::default()
        };
        let wide = Sheet {
            layout, ..Sheet::new("第三章 人才", header(&["指标代码", "指标名称", "2021Q1"]), vec![])
        };
        let bytes = write_xlsx(&[Sheet::new("汇总", header(&["范围"]), vec![]), wide]).unwrap();
        let xml = part(&bytes, "xl/worksheets/sheet2.xml");
        assert_eq!(attributes(&xml, "pageSetup")["orientation"], "landscape");
        let pane = attributes(&xml, "pane");
        assert_eq!(
            [&pane["xSplit"], &pane["ySplit"], &pane["topLeftCell"], &pane["state"]],
            ["2", "1", "C2", "frozen"],
            "{pane:?}"
        );
        // A literal `&` is doubled; the title is cut to 100 characters, the sheet's name at the right.
        let title = format!("规划 A&amp;&amp;B · {}", "长".repeat(100 - "规划 A&B · ".chars().count()));
        assert!(xml.contains(&format!("<oddHeader>&amp;L{title}&amp;R&amp;A</oddHeader>")), "{xml}");
        let book = part(&bytes, "xl/workbook.xml");
        assert!(book.contains(r#"localSheetId="1">'第三章 人才'!$1:$1</definedName>"#), "{book}");
    }

    #[test]
    fn reference_columns_are_grey_and_locked_and_every_other_cell_stays_editable() {
        let rows = vec![
            vec![text("a"), Cell::Number(197.2), Cell::Empty, text("备注")],
            vec![text("b"), Cell::Empty, Cell::Number(3.0)],
        ];
        let layout = Layout { reference: vec![1], ..Layout::default() };
        let sheet = Sheet {
            layout,
            ..Sheet::new("填报", header(&["指标代码", "最近审核值(参考)", "数值", "备注"]), rows)
        };
        let bytes = write_xlsx(&[sheet]).unwrap();
        let xml = part(&bytes, "xl/worksheets/sheet1.xml");
        let protection = attributes(&xml, "sheetProtection");
        assert_eq!(protection["sheet"], "1", "{xml}");
        assert!(!protection.contains_key("password"), "anyone can lift it: {protection:?}");
        for allowed in ["insertRows", "deleteRows", "sort", "formatColumns"] {
            assert_eq!(protection[allowed], "0", "{allowed} is not locked: {protection:?}");
        }
        let mut book = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let styles = book.worksheet_style("填报").unwrap();
        let locked = |r: u32, c: u32| styles.get((r, c)).and_then(|s| s.protection.as_ref()).is_none_or(|p| p.locked);
        let grey = |r: u32, c: u32| styles.get((r, c)).and_then(|s| s.fill.as_ref()).is_some_and(|f| f.is_visible());
        assert!(locked(0, 2), "the header is locked: the importer needs its titles");
        assert!(locked(1, 1) && grey(1, 1) && locked(2, 1) && grey(2, 1), "reference cells, the empty one too");
        assert!(!locked(1, 0) && !locked(1, 3) && !locked(2, 2) && !grey(2, 2), "the other cells are editable");
        // Cells below the data, typed later, are editable in every column but the reference.
        let cols = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(cols.contains(r#"<col min="1" max="1" width="10.7109375" style="#), "{cols}");
        assert!(!cols.contains(r#"<col min="2" max="2" width="18.7109375" style="#), "{cols}");
    }

    #[test]
    fn wrapped_text_makes_its_row_tall_enough_and_other_rows_keep_their_height() {
        let sentence = "较基期提高8分钟,完成目标进度73%,快于时序进度(50%);按当前趋势预计2024年第三季度达标。";
        let rows = vec![vec![text("a"), text(sentence)], vec![text("b"), text("短句。")]];
        let layout = Layout { wrap: vec![1], ..Layout::default() };
        let sheet = Sheet {
            widths: Some(vec![10.0, 32.0]),
            layout,
            ..Sheet::new("s", header(&["指标代码", "评估意见"]), rows)
        };
        let xml = part(&write_xlsx(&[sheet]).unwrap(), "xl/worksheets/sheet1.xml");
        // 88 characters wide in lines of 30: three lines of 15 points.
        assert_eq!(attributes(&xml, r#"row r="2""#).get("ht").map(String::as_str), Some("45"), "{xml}");
        assert!(!attributes(&xml, r#"row r="3""#).contains_key("ht"), "{xml}");
        assert!(!attributes(&xml, r#"row r="1""#).contains_key("ht"), "{xml}");
    }
}
