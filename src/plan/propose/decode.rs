//! The text of an uploaded plan: `.txt` in UTF-8 (with or without BOM) or GBK, or the
//! paragraphs of a `.docx`, in order.

use std::io::{Cursor, Read};

/// More than any plan's text: the 14th plan's document.xml is under 1 MB.
const MAX_XML_BYTES: u64 = 32 * 1024 * 1024;

pub fn decode(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "txt" | "text" => text(bytes),
        "docx" => docx(bytes),
        "doc" => Err("不支持旧版 Word(.doc)文件:请在 Word 中另存为 .docx 或纯文本 .txt 后再上传".into()),
        "pdf" => Err("不支持 PDF 文件:请复制全文另存为 .txt(UTF-8 或 GBK),或上传 .docx".into()),
        _ => Err(format!("无法识别文件“{file_name}”的类型:请上传规划全文的 .txt(UTF-8 或 GBK)或 .docx 文件")),
    }
}

fn text(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return non_empty(s.to_owned());
    }
    let (s, _, bad) = encoding_rs::GBK.decode(bytes);
    if bad {
        return Err("文本文件既不是 UTF-8 也不是 GBK 编码,无法读取:请另存为 UTF-8 后重试".into());
    }
    non_empty(s.into_owned())
}

fn non_empty(s: String) -> Result<String, String> {
    if s.trim().is_empty() { Err("文件中没有文字".into()) } else { Ok(s) }
}

fn docx(bytes: &[u8]) -> Result<String, String> {
    let bad = || "不是有效的 .docx 文件(无法打开其中的 word/document.xml)".to_owned();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| bad())?;
    let part = zip.by_name("word/document.xml").map_err(|_| bad())?;
    // Bounded whatever size the zip's directory claims: a small file may inflate to gigabytes.
    let mut xml = Vec::new();
    part.take(MAX_XML_BYTES + 1).read_to_end(&mut xml).map_err(|_| bad())?;
    if xml.len() as u64 > MAX_XML_BYTES {
        return Err(format!(".docx 文件解压后超过 {} MB,拒绝读取", MAX_XML_BYTES / 1024 / 1024));
    }
    let xml = String::from_utf8(xml).map_err(|_| bad())?;
    non_empty(paragraphs(&xml))
}

/// The text of `<w:p>` paragraphs, one a line: `<w:t>` runs joined, `<w:tab/>` a tab,
/// `<w:br/>` a line break; a table's row is one line, its cells parted by tabs (as a table
/// of indicators reads, see `table.rs`). Enough of WordprocessingML for a plan's text.
fn paragraphs(xml: &str) -> String {
    let mut out = String::new();
    let mut in_cell = 0usize;
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        let Some(gt) = rest[lt..].find('>') else { break };
        let tag = &rest[lt + 1..lt + gt];
        let name = tag.trim_start_matches('/').split([' ', '/', '\t', '\n']).next().unwrap_or("");
        let after = &rest[lt + gt + 1..];
        match name {
            "w:t" if !tag.starts_with('/') && !tag.ends_with('/') => {
                let end = after.find("</w:t>").unwrap_or(after.len());
                out.push_str(&unescape(&after[..end]));
                rest = &after[end..];
                continue;
            }
            "w:tab" => out.push('\t'),
            "w:br" | "w:cr" => out.push('\n'),
            "w:p" if tag.starts_with('/') => out.push(if in_cell > 0 { ' ' } else { '\n' }),
            "w:tc" if tag.starts_with('/') => {
                in_cell = in_cell.saturating_sub(1);
                out.push('\t');
            }
            "w:tc" if !tag.ends_with('/') => in_cell += 1,
            "w:tr" if tag.starts_with('/') => out.push('\n'),
            _ => {}
        }
        rest = after;
    }
    out
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let Some(semi) = rest[at..].find(';').filter(|n| *n <= 10) else {
            out.push('&');
            rest = &rest[at + 1..];
            continue;
        };
        let entity = &rest[at + 1..at + semi];
        let c = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => out.push(c),
            None => out.push_str(&rest[at..at + semi + 1]),
        }
        rest = &rest[at + semi + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn utf8_with_or_without_bom() {
        assert_eq!(decode("plan.txt", "第一章 总则".as_bytes()).unwrap(), "第一章 总则");
        assert_eq!(decode("PLAN.TXT", "\u{feff}第一章".as_bytes()).unwrap(), "第一章");
    }

    #[test]
    fn gbk_text() {
        let (gbk, _, _) = encoding_rs::GBK.encode("到2030年,培养工程师3—5名。");
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(decode("规划.txt", &gbk).unwrap(), "到2030年,培养工程师3—5名。");
    }

    #[test]
    fn docx_paragraphs_in_order() {
        let xml = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>第三章 </w:t></w:r><w:r><w:t xml:space="preserve">人才</w:t></w:r></w:p>
            <w:p><w:r><w:t>培养工程师3&#8212;5名&amp;更多</w:t><w:tab/><w:t>x</w:t></w:r></w:p>
            <w:p/></w:body></w:document>"#;
        let docx = zip_of(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", xml.as_bytes())]);
        assert_eq!(decode("plan.docx", &docx).unwrap(), "第三章 人才\n培养工程师3—5名&更多\tx\n");
    }

    #[test]
    fn a_table_row_is_one_line_of_cells() {
        let cell = |t: &str| format!("<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>");
        let row = format!("<w:tr>{}{}{}</w:tr>", cell("暴雨预警准确率(%)"), cell("85"), cell("92"));
        let xml = format!(
            "<w:document><w:body><w:tbl>{row}</w:tbl><w:p><w:r><w:t>正文</w:t></w:r></w:p></w:body></w:document>"
        );
        let docx = zip_of(&[("word/document.xml", xml.as_bytes())]);
        let text = decode("plan.docx", &docx).unwrap();
        assert_eq!(text, "暴雨预警准确率(%) \t85 \t92 \t\n正文\n");
        assert!(crate::plan::propose::table::row(text.lines().next().unwrap()).is_some());
    }

    #[test]
    fn what_cannot_be_read_is_refused_in_chinese() {
        assert!(decode("plan.pdf", b"%PDF").unwrap_err().contains("不支持 PDF"));
        assert!(decode("plan.doc", b"x").unwrap_err().contains(".docx"));
        assert!(decode("plan", b"x").unwrap_err().contains("无法识别文件"));
        assert!(decode("plan.docx", b"not a zip").unwrap_err().contains("不是有效的 .docx"));
        assert!(decode("plan.docx", &zip_of(&[("a.xml", b"x")])).unwrap_err().contains("不是有效的 .docx"));
        assert!(decode("plan.txt", &[0x81, 0x7f, 0x81, 0x7f]).unwrap_err().contains("既不是 UTF-8 也不是 GBK"));
        assert_eq!(decode("plan.txt", b"  \n").unwrap_err(), "文件中没有文字");
    }

    #[test]
    fn a_docx_that_inflates_past_the_bound_is_refused() {
        let big = vec![b'a'; (MAX_XML_BYTES + 1) as usize];
        let docx = zip_of(&[("word/document.xml", &big)]);
        assert!(docx.len() < 1024 * 1024);
        assert!(decode("plan.docx", &docx).unwrap_err().contains("解压后超过"));
    }
}
