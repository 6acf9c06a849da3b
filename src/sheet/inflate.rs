//! What an uploaded XLSX may unpack to, checked before the XLSX reader sees it. An XLSX
//! is a zip: a file of under 1 MB can inflate to gigabytes, and the reader would hold them
//! in memory. Each part is inflated here into nothing, counting, and the file is refused
//! once the total passes the bound, whatever sizes its directory claims.

use std::io::{Cursor, Read};

/// More than any sheet of figures needs (a 5,000-row sheet unpacks to a few MB).
pub const MAX_INFLATED_BYTES: u64 = 16 * 1024 * 1024;
/// Parts in the zip: a workbook has a few dozen.
pub const MAX_PARTS: usize = 2_000;

/// `Err` with a message in Chinese when `bytes`, a zip, unpacks to more than the bounds
/// allow. A file that is not a readable zip passes: the XLSX reader says what is wrong.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    check_within(bytes, MAX_INFLATED_BYTES)
}

fn check_within(bytes: &[u8], max_bytes: u64) -> Result<(), String> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    if zip.len() > MAX_PARTS {
        return Err(format!("Excel 文件内部包含 {} 个部件,超过上限 {MAX_PARTS},拒绝读取", zip.len()));
    }
    let mut total: u64 = 0;
    let mut sink = [0u8; 64 * 1024];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else { return Ok(()) };
        loop {
            let n = match part.read(&mut sink) {
                Ok(0) => break,
                Ok(n) => n as u64,
                // A damaged part: the XLSX reader reports it in its own words.
                Err(_) => return Ok(()),
            };
            total += n;
            if total > max_bytes {
                return Err(format!(
                    "Excel 文件解压后超过 {} MB,拒绝读取(正常的数据表远小于此;请删去无关的工作表或内容后重试)",
                    max_bytes.div_ceil(1024 * 1024)
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    const MB: u64 = 1024 * 1024;

    #[test]
    fn a_small_file_that_inflates_past_the_bound_is_refused() {
        let bomb = zip_of(&[("xl/sharedStrings.xml", vec![b'a'; (MAX_INFLATED_BYTES + 1) as usize])]);
        assert!(bomb.len() < MB as usize, "the test file is small: {} bytes", bomb.len());
        assert!(check(&bomb).unwrap_err().contains("解压后超过 16 MB"));
    }

    #[test]
    fn parts_count_toward_one_total() {
        let half = vec![b'a'; (MB / 2 + 1) as usize];
        assert!(check_within(&zip_of(&[("a", half.clone())]), MB).is_ok());
        assert!(check_within(&zip_of(&[("a", half.clone()), ("b", half)]), MB).is_err());
    }

    #[test]
    fn what_is_not_a_zip_is_left_to_the_reader() {
        assert!(check(b"not a zip").is_ok());
        assert!(check(b"").is_ok());
    }
}
