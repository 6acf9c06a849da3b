//! Reading and writing the import/export sheets (CSV and XLSX).
//!
//! Imports arrive from Excel as CSV (UTF-8, or GBK/GB18030 from a Chinese Windows) or XLSX and are
//! turned into [`SheetRow`]s holding the cells as typed; parsing quarters and values is the
//! caller's job. A row whose cells do not line up with the header (an unquoted `1,000` cut in
//! two, text right of the last title) is kept with its [`SheetRow::error`], so the caller lists
//! it with its row number rather than importing what was misread (the rule: `sheet/ragged.rs`).
//! Exports are written as UTF-8-with-BOM CSV or as a styled XLSX workbook (`sheet/workbook.rs`).
//! Everything here is pure: bytes in, bytes out. Error messages are in Chinese, for the staff.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

mod inflate;
#[cfg(test)]
mod props;
mod ragged;
mod wide;
mod workbook;

use ragged::Origin;
pub use wide::address;
pub use workbook::{Cell, Layout, Sheet, write_xlsx};

/// One data row of an import sheet, as text, with its row number in the sheet (1-based,
/// counting the header as row 1, so the first data row is 2) for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// Row number as Excel shows it (blank rows and rows above the header are counted).
    pub row: usize,
    /// The cell of the figure as Excel names it (`F7`), in the wide layout, where a row holds
    /// many figures; empty in the long layout, where the row number says it.
    pub cell: String,
    /// Metric key (ASCII slug like `fibre-bandwidth`) or Chinese name, as typed.
    pub metric: String,
    /// Quarter as typed: `2022Q3` or `2022年第三季度` (not parsed here).
    pub quarter: String,
    /// Value as typed: `92`, `92.5`, `92%`, full-width `９２`, `1,000` (not parsed here). For an
    /// XLSX numeric cell, its number formatted without trailing zeros (92 -> "92", 81.2 -> "81.2",
    /// and a percent-formatted cell 0.92 stays "0.92" — do not guess). Empty string when blank.
    pub value: String,
    /// Free-text note; empty when the column is absent or the cell blank.
    pub note: String,
    /// Why the row cannot be imported as read (its cells do not line up with the header), in
    /// Chinese with a hint; the fields above then hold what was misread, for display only.
    pub error: Option<String>,
}

const NO_DATA: &str = "文件中没有数据行";
/// Said when a sheet is in neither layout: what the wide one needs.
const WIDE_HINT: &str = "也不是宽表(宽表需要“指标代码”或“指标名称”列,以及以季度或年份为表头的列,如 2022Q3、2022年第三季度、2022年,或“2022年”下的“一季度”…“四季度”)";
/// Guards against a sheet that is small compressed but huge once unzipped.
const MAX_XLSX_CELLS: usize = 250_000;
/// How many non-blank rows from the top may hold title lines before the header.
const HEADER_SEARCH_ROWS: usize = 10;
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// Old binary .xls files (and password-protected .xlsx) are OLE compound files.
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// A row before header recognition: its sheet row number and its non-blank cells
/// as (0-based column, trimmed text).
type RawRow = (usize, Vec<(usize, String)>);

/// Reads a CSV import: UTF-8 with or without BOM, or GBK/GB18030 (decoded as GB18030 when the
/// bytes are not valid UTF-8); UTF-16 with a BOM (Excel's "Unicode text") is accepted too.
/// Delimiter: comma, or tab/semicolon when the header line uses it more; an Excel `sep=;` first
/// line is honoured. The first non-blank row is the header.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<SheetRow>, String> {
    let text = decode_text(bytes)?;
    let mut text: &str = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // Excel honours a `sep=;` first line and hides it, so the header after it is still row 1.
    let first_line = text.lines().next().unwrap_or("");
    let mut delimiter = None;
    if let Some(sep) = first_line.trim().strip_prefix("sep=")
        && let [b] = sep.as_bytes()
    {
        delimiter = Some(*b);
        text = text.split_once('\n').map_or("", |(_, rest)| rest);
    }
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(text));
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut raw = Vec::new();
    let mut record = csv::StringRecord::new();
    // The csv crate silently skips empty lines, so row numbers are recomputed from the byte
    // offsets: the line breaks between one record's content and the next one's.
    let (mut row, mut prev_end) = (1, 0);
    loop {
        let from = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(format!("CSV 格式错误(第 {row} 行附近):{e}")),
        }
        let start = from + text[from..].find(|c| c != '\r' && c != '\n').unwrap_or(0);
        row += count_line_breaks(&text[prev_end..start]);
        prev_end = reader.position().byte() as usize;
        prev_end = text[..prev_end].trim_end_matches(['\r', '\n']).len().max(start);
        let cells =
            record.iter().enumerate().map(|(i, s)| (i, unescape_csv_text(clean(s)))).filter(|c| !c.1.is_empty());
        raw.push((row, cells.collect()));
    }
    build_rows(raw, Origin::Csv(delimiter))
}

/// Reads the first visible worksheet of an XLSX import (the first worksheet if all are hidden),
/// same layout as [`read_csv`].
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<SheetRow>, String> {
    read_xlsx_sheet(bytes).map(|(_, rows)| rows)
}

/// [`read_xlsx`], with the name of the worksheet read (an imported figure records it).
pub fn read_xlsx_sheet(bytes: &[u8]) -> Result<(String, Vec<SheetRow>), String> {
    if bytes.is_empty() {
        return Err(NO_DATA.into());
    }
    inflate::check(bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| xlsx_open_error(bytes, e))?;
    let sheets: Vec<_> = book.sheets_metadata().iter().filter(|s| s.typ == SheetType::WorkSheet).collect();
    let name = sheets
        .iter()
        .find(|s| s.visible == SheetVisible::Visible)
        .or(sheets.first())
        .map(|s| s.name.clone())
        .ok_or("Excel 文件中没有工作表")?;
    let broken = |e: XlsxError| format!("无法读取工作表“{name}”,文件可能已损坏(详细信息:{e})");
    // Streams cells instead of `worksheet_range`, which allocates the whole bounding box and
    // would blow up on one stray cell far out at XFD1048576.
    let mut cells = book.worksheet_cells_reader(&name).map_err(broken)?;
    let mut grid: BTreeMap<u32, Vec<(usize, String)>> = BTreeMap::new();
    let mut count = 0;
    while let Some(cell) = cells.next_cell().map_err(broken)? {
        let text = data_text(&Data::from(cell.get_value().clone()));
        let text = clean(&text);
        if text.is_empty() {
            continue;
        }
        count += 1;
        if count > MAX_XLSX_CELLS {
            return Err(format!("工作表“{name}”内容过多(超过 {MAX_XLSX_CELLS} 个单元格)"));
        }
        let (r, c) = cell.get_position();
        grid.entry(r).or_default().push((c as usize, text.to_string()));
    }
    drop(cells);
    // A merged cell holds its text in its top-left cell only; the bureau's year row (`2022年`
    // over four quarter columns) means it for every column it covers.
    for region in book.merge_cells_by_sheet_name(&name).map_err(broken)? {
        let (top, left) = region.start;
        let Some(text) = grid.get(&top).and_then(|r| r.iter().find(|c| c.0 == left as usize)).map(|c| c.1.clone())
        else {
            continue;
        };
        for r in top..=region.end.0 {
            let row = grid.entry(r).or_default();
            for c in left..=region.end.1 {
                if !row.iter().any(|x| x.0 == c as usize) {
                    count += 1;
                    if count > MAX_XLSX_CELLS {
                        return Err(format!("工作表“{name}”内容过多(超过 {MAX_XLSX_CELLS} 个单元格)"));
                    }
                    row.push((c as usize, text.clone()));
                }
            }
        }
    }
    let raw = grid.into_iter().map(|(r, mut cells)| {
        cells.sort_by_key(|c| c.0);
        (r as usize + 1, cells)
    });
    Ok((name.clone(), build_rows(raw, Origin::Xlsx)?))
}

/// Writes a CSV: UTF-8 with a BOM (so Excel on a Chinese Windows opens it correctly), CRLF line
/// ends, fields quoted when needed. Text that Excel would run as a formula (`=…`, `+…`, `-…`,
/// `@…`, except plain numbers like `-5`) gets a leading `'`; [`read_csv`] removes it again.
pub fn write_csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let records = std::iter::once(header.iter().map(|s| escape_csv_text(s)).collect::<Vec<_>>())
        .chain(rows.iter().map(|row| row.iter().map(|s| escape_csv_text(s)).collect()));
    for record in records {
        // Only I/O errors or ragged rows (allowed by `flexible`) can fail; a Vec never does.
        writer.write_record(record.iter().map(|s| s.as_bytes())).expect("writing CSV to memory cannot fail");
    }
    writer.into_inner().expect("flushing CSV to memory cannot fail")
}

/// Turns the file bytes into text, telling apart the encodings Excel produces.
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    if bytes.starts_with(ZIP_MAGIC) {
        return Err("这是 Excel (.xlsx) 或其他压缩文件,不是 CSV 文件,请按 Excel 文件导入".into());
    }
    if bytes.starts_with(CFB_MAGIC) {
        return Err("这是旧版 Excel (.xls) 文件,不是 CSV 文件,请在 Excel 中另存为 .xlsx 或 CSV 后再导入".into());
    }
    let text = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) => encoding.decode_without_bom_handling_and_without_replacement(&bytes[bom..]),
        None => match std::str::from_utf8(bytes) {
            Ok(s) => Some(Cow::Borrowed(s)),
            Err(_) => encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes),
        },
    };
    let text = text.ok_or("无法识别文件编码,请在 Excel 中另存为“CSV UTF-8(逗号分隔)”后再导入")?;
    // A stray control character (e.g. a DOS end-of-file mark) is tolerated; binary data is not.
    let controls = text.chars().filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')).count();
    if text.contains('\0') || controls > text.len() / 100 + 1 {
        return Err("文件内容不是文本,无法作为 CSV 读取".into());
    }
    Ok(text)
}

/// Picks the delimiter the header line uses most (comma wins ties), ignoring quoted text.
fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(b',', 0), (b'\t', 0), (b';', 0)];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(entry) = counts.iter_mut().find(|(d, _)| *d == b) {
            entry.1 += 1;
        }
    }
    counts.iter().fold(counts[0], |best, &c| if c.1 > best.1 { c } else { best }).0
}

/// Counts line breaks, taking CRLF, lone LF and lone CR as one each, as Excel does.
fn count_line_breaks(s: &str) -> usize {
    s.matches('\n').count() + s.match_indices('\r').filter(|(i, _)| !s[i + 1..].starts_with('\n')).count()
}

/// Trims spaces Excel users leave around values, including full-width spaces and stray BOMs.
fn clean(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c.is_control() || c == '\u{feff}' || c == '\u{200b}')
}

/// Would Excel treat this text as a formula when opening a CSV (CSV injection)?
fn looks_like_formula(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some('=' | '@') => true,
        Some('+' | '-') => {
            let rest = chars.as_str();
            !rest.is_empty() && !rest.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | ' '))
        }
        _ => false,
    }
}

/// A text that a spreadsheet would run as a formula gets a leading `'`; so does a text that
/// already starts with one, so that reading back removes exactly what writing added.
fn escape_csv_text(s: &str) -> Cow<'_, str> {
    if looks_like_formula(s) || s.starts_with('\'') { Cow::Owned(format!("'{s}")) } else { Cow::Borrowed(s) }
}

fn unescape_csv_text(s: &str) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) || rest.starts_with('\'') => rest.to_string(),
        _ => s.to_string(),
    }
}

/// Columns recognised in the header, as 0-based indexes.
struct Columns {
    key: Option<usize>,
    name: Option<usize>,
    quarter: usize,
    value: usize,
    note: Option<usize>,
}

const KEY_TITLES: &[&str] = &["指标代码", "代码", "key", "metric"];
const NAME_TITLES: &[&str] = &["指标", "指标名称", "名称", "name"];
const QUARTER_TITLES: &[&str] = &["季度", "quarter", "报告期"];
const VALUE_TITLES: &[&str] = &["数值", "值", "报告值", "value"];
const NOTE_TITLES: &[&str] = &["备注", "说明", "来源", "note"];

impl Columns {
    fn find(header: &[(usize, String)]) -> Result<Columns, String> {
        let find = |titles: &[&str]| {
            header.iter().find(|(_, h)| titles.iter().any(|t| h.to_lowercase() == *t)).map(|(c, _)| *c)
        };
        let (key, name) = (find(KEY_TITLES), find(NAME_TITLES));
        let (quarter, value) = (find(QUARTER_TITLES), find(VALUE_TITLES));
        let mut missing = Vec::new();
        if key.is_none() && name.is_none() {
            missing.push("“指标代码”或“指标名称”");
        }
        if quarter.is_none() {
            missing.push("“季度”");
        }
        if value.is_none() {
            missing.push("“数值”");
        }
        match (quarter, value) {
            (Some(quarter), Some(value)) if missing.is_empty() => {
                Ok(Columns { key, name, quarter, value, note: find(NOTE_TITLES) })
            }
            _ => {
                let found: Vec<&str> = header.iter().map(|(_, h)| h.as_str()).collect();
                let found = if found.is_empty() { "无".to_string() } else { found.join(", ") };
                Err(format!("缺少{}列(找到的列:{found})", missing.join("、")))
            }
        }
    }
}

/// Applies header recognition to raw rows. The header is the first non-blank row, or a row
/// shortly below it that has all the required titles: official sheets often carry a title line
/// (`2022年指标数据表`) above the header. Each row is checked against the header's width.
fn build_rows(raw: impl IntoIterator<Item = RawRow>, origin: Origin) -> Result<Vec<SheetRow>, String> {
    let raw: Vec<RawRow> = raw.into_iter().filter(|(_, cells)| !cells.is_empty()).collect();
    let first = raw.first().ok_or(NO_DATA)?;
    let found =
        raw.iter().take(HEADER_SEARCH_ROWS).enumerate().find_map(|(i, (_, h))| Some((i, Columns::find(h).ok()?)));
    let Some((at, columns)) = found else {
        if let Some((at, columns)) = wide::find(&raw, HEADER_SEARCH_ROWS) {
            let rows = wide::rows(&raw, at, &columns, origin);
            return if rows.is_empty() { Err(NO_DATA.into()) } else { Ok(rows) };
        }
        let long = Columns::find(&first.1).err().unwrap_or_default();
        return Err(format!("{long};{WIDE_HINT}"));
    };
    let width = raw[at].1.iter().map(|c| c.0 + 1).max().unwrap_or(0);
    let mut rows = Vec::new();
    for (row, cells) in &raw[at + 1..] {
        let row = *row;
        let get = |col: Option<usize>| {
            col.and_then(|col| cells.iter().find(|c| c.0 == col)).map(|c| c.1.clone()).unwrap_or_default()
        };
        // A new row typed by hand into an export often has a name but no key.
        let mut metric = get(columns.key);
        if metric.is_empty() {
            metric = get(columns.name);
        }
        let (quarter, value) = (get(Some(columns.quarter)), get(Some(columns.value)));
        let note = get(columns.note);
        // Text left only in ignored columns (units, totals, a footnote right of the table) is
        // not an import row, so a misaligned cell there cannot misread a figure.
        if [&metric, &quarter, &value, &note].iter().all(|s| s.is_empty()) {
            continue;
        }
        let error = ragged::problem(cells, width, columns.value, origin);
        rows.push(SheetRow { row, cell: String::new(), metric, quarter, value, note, error });
    }
    if rows.is_empty() {
        return Err(NO_DATA.into());
    }
    Ok(rows)
}

/// Explains why calamine could not open the bytes, in terms the staff can act on.
fn xlsx_open_error(bytes: &[u8], e: XlsxError) -> String {
    if matches!(e, XlsxError::Password) {
        "Excel 文件设置了打开密码,请在 Excel 中取消密码后再导入".into()
    } else if bytes.starts_with(CFB_MAGIC) {
        "这是旧版 Excel (.xls) 文件,请在 Excel 中另存为 .xlsx 后再导入".into()
    } else if !bytes.starts_with(ZIP_MAGIC) {
        "文件不是 Excel (.xlsx) 格式;如果是 CSV 文件,请按 CSV 导入".into()
    } else {
        format!("无法读取 Excel 文件,文件已损坏或不是 .xlsx 格式(详细信息:{e})")
    }
}

/// Text of a cell as the user sees it, without guessing at number formats.
fn data_text(data: &Data) -> String {
    match data {
        Data::Float(f) => format_number(*f),
        Data::Bool(b) => String::from(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => format_number(dt.as_f64()),
        other => other.to_string(),
    }
}

/// Formats a number like Excel's General format: at most 15 significant digits, no trailing zeros.
fn format_number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    // Drops binary noise such as 0.30000000000000004 that Excel would not show either.
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::workbook::text_width;
    use super::*;
    use rust_xlsxwriter::{Format, Workbook};

    fn row(row: usize, metric: &str, quarter: &str, value: &str, note: &str) -> SheetRow {
        SheetRow {
            row,
            cell: String::new(),
            metric: metric.into(),
            quarter: quarter.into(),
            value: value.into(),
            note: note.into(),
            error: None,
        }
    }

    /// Header on row 1, a blank line (row 3) and a whitespace-only line (row 5) between data rows.
    const CHINESE_CSV: &str = "指标名称,季度,数值,备注\r\n强对流天气预警时间提前量,2022年第三季度,４５,来自年报\r\n\r\n\
         \u{3000}光纤宽带 ,2022Q4, 92% ,\r\n , , ,\r\n人均GDP,2023年第一季度,\"1,000\",\"说明,含逗号\"\r\n";

    fn chinese_rows() -> Vec<SheetRow> {
        vec![
            row(2, "强对流天气预警时间提前量", "2022年第三季度", "４５", "来自年报"),
            row(4, "光纤宽带", "2022Q4", "92%", ""),
            row(6, "人均GDP", "2023年第一季度", "1,000", "说明,含逗号"),
        ]
    }

    #[test]
    fn csv_utf8_with_and_without_bom_and_gbk_agree() {
        let plain = CHINESE_CSV.as_bytes().to_vec();
        let bom = [b"\xEF\xBB\xBF".as_slice(), &plain].concat();
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(CHINESE_CSV);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&gbk).is_err(), "the GBK bytes must not pass as UTF-8");
        // encoding_rs only encodes to UTF-8 when asked for UTF-16, so Excel's "Unicode text" is built by hand.
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain(CHINESE_CSV.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        for bytes in [plain, bom, gbk.into_owned(), utf16] {
            assert_eq!(read_csv(&bytes), Ok(chinese_rows()));
        }
    }

    #[test]
    fn csv_row_numbers_count_blank_lines_with_any_line_end() {
        let lf = "key,quarter,value\n\na,2022Q1,1\n\"b\nmulti\",2022Q2,2\n\n\nc,2022Q3,3";
        let expected =
            vec![row(3, "a", "2022Q1", "1", ""), row(4, "b\nmulti", "2022Q2", "2", ""), row(7, "c", "2022Q3", "3", "")];
        assert_eq!(read_csv(lf.as_bytes()), Ok(expected.clone()));
        let mut expected_crlf = expected.clone();
        expected_crlf[1].metric = "b\r\nmulti".into();
        assert_eq!(read_csv(lf.replace('\n', "\r\n").as_bytes()), Ok(expected_crlf));
        let cr = lf.replace('\n', "\r");
        let mut expected_cr = expected;
        expected_cr[1].metric = "b\rmulti".into();
        assert_eq!(read_csv(cr.as_bytes()), Ok(expected_cr));
        // Blank lines above the header shift every row, as they do in Excel.
        let shifted = read_csv(format!("\r\n\r\n{lf}").as_bytes()).unwrap();
        assert_eq!(shifted.iter().map(|r| r.row).collect::<Vec<_>>(), [5, 6, 9]);
    }

    #[test]
    fn header_variants() {
        let english = "Metric,Quarter,Value,Note,Unit\nfibre-bandwidth,2022Q3,92.5,ok,%\n";
        assert_eq!(read_csv(english.as_bytes()), Ok(vec![row(2, "fibre-bandwidth", "2022Q3", "92.5", "ok")]));

        // Key preferred over name; a hand-added row with only a name falls back to it.
        let both = "指标名称,指标代码,报告期,报告值,单位,状态\n光纤宽带,fibre-bandwidth,2022Q3,92,%,已审核\n新指标,,2022Q3,1,,\n";
        assert_eq!(
            read_csv(both.as_bytes()),
            Ok(vec![row(2, "fibre-bandwidth", "2022Q3", "92", ""), row(3, "新指标", "2022Q3", "1", "")])
        );

        let tab = "\u{feff} KEY \tquarter\t值\t说明\nfibre-bandwidth\t2022Q3\t1,000\ta, b\n";
        assert_eq!(read_csv(tab.as_bytes()), Ok(vec![row(2, "fibre-bandwidth", "2022Q3", "1,000", "a, b")]));

        let semicolon = "代码;季度;数值\nx;2022Q1;3,5\n";
        assert_eq!(read_csv(semicolon.as_bytes()), Ok(vec![row(2, "x", "2022Q1", "3,5", "")]));
        let sep_line = "sep=;\r\n名称;季度;数值;来源\r\nx;2022Q1;3,5;统计局\r\n";
        assert_eq!(read_csv(sep_line.as_bytes()), Ok(vec![row(2, "x", "2022Q1", "3,5", "统计局")]));

        let titled = "2022年指标数据表,,\n,,\n指标,季度,数值\nx,2022Q1,1\n";
        assert_eq!(read_csv(titled.as_bytes()), Ok(vec![row(4, "x", "2022Q1", "1", "")]));
    }

    #[test]
    fn missing_columns_and_empty_files() {
        assert_eq!(
            read_csv("指标代码,数值\nx,1\n".as_bytes()),
            Err(format!("缺少“季度”列(找到的列:指标代码, 数值);{WIDE_HINT}"))
        );
        assert_eq!(
            read_csv("单位,说明\n%,x\n".as_bytes()),
            Err(format!("缺少“指标代码”或“指标名称”、“季度”、“数值”列(找到的列:单位, 说明);{WIDE_HINT}"))
        );
        for empty in ["", "\u{feff}", "\r\n\r\n", "指标代码,季度,数值\r\n", "指标代码,季度,数值\r\n,,\r\n\r\n"]
        {
            assert_eq!(read_csv(empty.as_bytes()), Err(NO_DATA.into()), "{empty:?}");
        }
    }

    #[test]
    fn wrong_files_give_chinese_errors() {
        let xlsx = write_xlsx(&[sheet("s", vec![])]).unwrap();
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for bytes in [&xlsx[..], png, &garbage, &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]] {
            let err = read_csv(bytes).unwrap_err();
            assert!(err.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{err}");
        }
        assert!(read_csv(&xlsx).unwrap_err().contains("xlsx"));

        let csv = CHINESE_CSV.as_bytes();
        let mut zip = xlsx.clone();
        zip.truncate(xlsx.len() / 2);
        for bytes in [csv, png, &garbage, &zip, b"PK\x03\x04not really a zip"] {
            let err = read_xlsx(bytes).unwrap_err();
            assert!(err.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{err}");
        }
        assert!(read_xlsx(csv).unwrap_err().contains("CSV"));

        // A well-formed zip that is not a workbook (e.g. a zipped folder of reports).
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file("报告.txt", zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut writer, "不是表格".as_bytes()).unwrap();
        let other_zip = writer.finish().unwrap().into_inner();
        assert!(read_xlsx(&other_zip).unwrap_err().contains("不是 .xlsx"), "{:?}", read_xlsx(&other_zip));
        assert_eq!(read_xlsx(b""), Err(NO_DATA.into()));
    }

    fn sheet(name: &str, rows: Vec<Vec<Cell>>) -> Sheet<'_> {
        let header = ["指标代码", "指标名称", "季度", "数值", "备注"].map(String::from).to_vec();
        Sheet::new(name, header, rows)
    }

    /// calamine does not expose panes or column widths, so tests read the package XML.
    fn zip_entry(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut xml).unwrap();
        xml
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn xlsx_round_trip_with_styles() {
        let rows = vec![
            vec![text("fibre-bandwidth"), text("光纤宽带"), text("2022Q3"), Cell::Number(92.0), text("来自年报")],
            vec![text("gdp"), text("人均GDP"), text("2022年第三季度"), Cell::Number(81.2), Cell::Empty],
            vec![text("x"), Cell::Empty, text("2022Q4"), Cell::Empty, text("待补")],
            vec![Cell::Empty; 5],
            vec![text("ratio"), Cell::Empty, text("2023Q1"), Cell::Number(0.1 + 0.2), text("=1+1")],
            vec![text("neg"), Cell::Empty, text("2023Q1"), Cell::Number(-1234567.0), text("９２")],
        ];
        let bytes = write_xlsx(&[sheet("第一页", rows)]).unwrap();
        assert_eq!(
            read_xlsx(&bytes),
            Ok(vec![
                row(2, "fibre-bandwidth", "2022Q3", "92", "来自年报"),
                row(3, "gdp", "2022年第三季度", "81.2", ""),
                row(4, "x", "2022Q4", "", "待补"),
                row(6, "ratio", "2023Q1", "0.3", "=1+1"),
                row(7, "neg", "2023Q1", "-1234567", "９２"),
            ])
        );

        let mut book = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        assert_eq!(book.sheet_names(), ["第一页"]);
        let styles = book.worksheet_style("第一页").unwrap();
        let header = styles.get((0, 0)).unwrap();
        assert!(header.font.as_ref().is_some_and(|f| f.is_bold()));
        assert!(header.fill.as_ref().is_some_and(|f| f.is_visible()));
        assert!(!styles.get((1, 0)).and_then(|s| s.font.as_ref()).is_some_and(|f| f.is_bold()));

        let xml = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
        assert!(xml.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#), "{xml}");
        // Whole numbers stay General; fractions get the 2-decimal format.
        assert!(zip_entry(&bytes, "xl/styles.xml").contains(r#"formatCode="0.##""#));
        assert!(xml.contains(r#"<c r="D2"><v>92</v></c>"#), "{xml}");
        // "2022年第三季度" is 4 digits + 5 CJK characters = 14, plus 2 of padding.
        assert!(xml.contains(r#"<col min="3" max="3" width="16.7109375" customWidth="1"/>"#), "{xml}");
    }

    #[test]
    fn xlsx_reads_first_sheet_and_cleans_names() {
        let mut first =
            sheet("名单:[2022]/第*季?", vec![vec![text("a"), Cell::Empty, text("2022Q1"), Cell::Number(1.5)]]);
        first.widths = Some(vec![30.0]);
        let second = sheet("名单2022第季", vec![vec![text("b"), Cell::Empty, text("2022Q2"), Cell::Number(2.0)]]);
        let long = "这是一个非常非常非常非常非常非常非常非常非常非常非常长的工作表名称";
        let bytes = write_xlsx(&[first, second, sheet(long, vec![]), sheet(long, vec![]), sheet("", vec![])]).unwrap();
        let book = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let names = book.sheet_names();
        assert_eq!(names[..2], ["名单2022第季", "名单2022第季(2)"]);
        assert_eq!(names[2].chars().count(), 31);
        assert!(names[3].ends_with("(2)") && names[3].encode_utf16().count() == 31);
        assert_eq!(names[4], "Sheet5");
        assert_eq!(read_xlsx(&bytes), Ok(vec![row(2, "a", "2022Q1", "1.5", "")]));
        let xml = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
        assert!(xml.contains(r#"<col min="1" max="1" width="30.7109375" customWidth="1"/>"#), "{xml}");

        // A hidden first sheet (often a lookup list) is passed over for the first one staff see.
        let mut book = Workbook::new();
        book.add_worksheet().set_name("选项").unwrap().set_hidden(true).write_string(0, 0, "下拉选项").unwrap();
        // rust_xlsxwriter keeps the first sheet visible unless another one is active.
        let ws = book.add_worksheet().set_name("填报").unwrap().set_active(true);
        for (c, title) in ["指标", "季度", "数值"].into_iter().enumerate() {
            ws.write_string(2, c as u16, title).unwrap();
        }
        ws.write_string(3, 0, "x").unwrap().write_string(3, 1, "2022Q1").unwrap().write_number(3, 2, 7).unwrap();
        // Formats are not guessed at: a percent cell keeps its stored fraction; a date reads as ISO.
        ws.write_string(4, 0, "y").unwrap();
        ws.write_number_with_format(4, 1, 45000, &Format::new().set_num_format("yyyy年m月d日")).unwrap();
        ws.write_number_with_format(4, 2, 0.92, &Format::new().set_num_format("0%")).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(read_xlsx(&bytes), Ok(vec![row(4, "x", "2022Q1", "7", ""), row(5, "y", "2023-03-15", "0.92", "")]));
    }

    #[test]
    fn csv_round_trip_with_quotes_newlines_and_formulas() {
        let header = ["指标代码", "指标名称", "季度", "数值", "备注"];
        let rows: Vec<Vec<String>> = [
            ["fibre-bandwidth", "光纤宽带", "2022年第三季度", "92", "他说:\"好\", 然后\r\n换行"],
            ["gdp", "人均GDP", "2022Q4", "-5", "=HYPERLINK(\"http://x\")"],
            ["neg", "", "2022Q4", "-1,000.5", "@SUM(A1)"],
        ]
        .iter()
        .map(|r| r.map(String::from).to_vec())
        .collect();
        let bytes = write_csv(&header, &rows);
        assert!(bytes.starts_with(b"\xEF\xBB\xBF\xE6\x8C\x87"));
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.contains("\"他说:\"\"好\"\", 然后\r\n换行\"\r\n"), "{text}");
        assert!(text.contains(",-5,\"'=HYPERLINK(") && text.contains(",\"-1,000.5\",'@SUM"), "{text}");
        assert_eq!(text.matches("\r\n").count(), 5);
        assert_eq!(
            read_csv(&bytes),
            Ok(vec![
                row(2, "fibre-bandwidth", "2022年第三季度", "92", "他说:\"好\", 然后\r\n换行"),
                row(3, "gdp", "2022Q4", "-5", "=HYPERLINK(\"http://x\")"),
                row(4, "neg", "2022Q4", "-1,000.5", "@SUM(A1)"),
            ])
        );
    }

    fn errors(rows: &[SheetRow]) -> Vec<(usize, &str)> {
        rows.iter().filter_map(|r| Some((r.row, r.error.as_deref()?))).collect()
    }

    #[test]
    fn an_unquoted_thousands_separator_is_an_error_on_its_row_in_any_encoding() {
        // Row 3: `1,000` with a note, row 4: `12,345,678` without one, row 5 fine after them.
        let text = "指标代码,季度,数值,备注\r\na,2022Q1,45,年报\r\nb,2022Q1,1,000,年报\r\nc,2022Q1,12,345,678\r\nd,2022Q1,7,\r\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        for bytes in [text.as_bytes(), &gbk, &bom] {
            let rows = read_csv(bytes).unwrap();
            assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 3, 4, 5], "no row is dropped");
            let errors = errors(&rows);
            assert_eq!(errors.iter().map(|e| e.0).collect::<Vec<_>>(), [3, 4]);
            assert!(
                errors[0].1.starts_with("本行的单元格比表头多 1 个") && errors[0].1.contains("“1,000”"),
                "{errors:?}"
            );
            assert!(errors[1].1.contains("“12,345,678”被逗号拆成了 3 格"), "{errors:?}");
            assert!(errors.iter().all(|e| e.1.ends_with(ragged::THOUSANDS_HINT)));
        }
    }

    #[test]
    fn quoted_commas_tabs_and_trailing_empty_cells_are_not_errors() {
        let quoted = "指标代码,季度,数值,备注\na,2022Q1,\"1,000\",\"说明,含逗号\"\nb,2022Q1,\"12,345,678\",\n";
        let trailing = "指标代码,季度,数值\na,2022Q1,45,\nb,2022Q1,46, ,,\n";
        let tabs = "指标代码\t季度\t数值\t备注\na\t2022Q1\t1,000\t000\nb\t2022Q1\t2\t\t\n";
        for text in [quoted, trailing, tabs] {
            let rows = read_csv(text.as_bytes()).unwrap();
            assert_eq!(errors(&rows), [], "{text:?}");
        }
        assert_eq!(read_csv(tabs.as_bytes()).unwrap()[0], row(2, "a", "2022Q1", "1,000", "000"));
        // A tab file's text right of the header is an error all the same.
        let wide = read_csv("指标代码\t季度\t数值\na\t2022Q1\t1\t多余\n".as_bytes()).unwrap();
        assert!(errors(&wide)[0].1.starts_with("本行的单元格比表头多 1 个(多出 “多余”)"), "{wide:?}");
    }

    #[test]
    fn an_xlsx_cell_right_of_the_header_is_an_error_but_numbers_side_by_side_are_not() {
        let header = ["指标代码", "季度", "数值"].map(String::from).to_vec();
        let rows = vec![
            vec![text("a"), text("2022Q1"), Cell::Number(1.0), text("000")],
            vec![text("b"), text("2022Q1"), Cell::Number(2.0)],
            vec![text("c"), text("2022Q1"), Cell::Number(3.0), Cell::Empty, Cell::Number(345.0)],
        ];
        let bytes = write_xlsx(&[Sheet::new("s", header, rows)]).unwrap();
        let rows = read_xlsx(&bytes).unwrap();
        let errors = errors(&rows);
        assert_eq!(errors.iter().map(|e| e.0).collect::<Vec<_>>(), [2, 4]);
        assert!(errors[0].1.starts_with("本行的单元格比表头多 1 个(多出 “000”)"), "{errors:?}");
        assert!(errors[1].1.starts_with("本行的单元格比表头多 2 个(多出 “345”)"), "{errors:?}");
        // Within the header an XLSX number beside the value is a number, not a split.
        let header = ["指标代码", "季度", "数值", "上年同期"].map(String::from).to_vec();
        let rows = vec![vec![text("a"), text("2022Q1"), Cell::Number(45.0), Cell::Number(120.0)]];
        let bytes = write_xlsx(&[Sheet::new("s", header, rows)]).unwrap();
        assert_eq!(read_xlsx(&bytes), Ok(vec![row(2, "a", "2022Q1", "45", "")]));
    }

    #[test]
    fn a_wide_xlsx_with_a_merged_year_row_reads_one_figure_per_cell() {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.merge_range(0, 0, 1, 0, "指标名称", &Format::new()).unwrap();
        ws.merge_range(0, 1, 1, 1, "单位", &Format::new()).unwrap();
        ws.merge_range(0, 2, 0, 5, "2022年", &Format::new()).unwrap();
        ws.merge_range(0, 6, 0, 9, "2023年", &Format::new()).unwrap();
        for (i, q) in ["一季度", "二季度", "三季度", "四季度"].iter().cycle().take(8).enumerate() {
            ws.write_string(1, 2 + i as u16, *q).unwrap();
        }
        ws.write_string(2, 0, "雷达").unwrap().write_string(2, 1, "%").unwrap();
        ws.write_number(2, 3, 92.5).unwrap().write_number(2, 9, 95).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let rows = read_xlsx(&bytes).unwrap();
        let got: Vec<(&str, &str, &str)> =
            rows.iter().map(|r| (r.cell.as_str(), r.quarter.as_str(), r.value.as_str())).collect();
        assert_eq!(got, [("D3", "2022Q2", "92.5"), ("J3", "2023Q4", "95")]);
        assert!(rows.iter().all(|r| r.metric == "雷达" && r.row == 3 && r.error.is_none()));
    }

    #[test]
    fn numbers_are_formatted_like_excel_general() {
        assert_eq!(format_number(92.0), "92");
        assert_eq!(format_number(81.2), "81.2");
        assert_eq!(format_number(0.92), "0.92");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1e20), "100000000000000000000");
        assert_eq!(text_width("光纤ab"), 6.0);
    }
}
