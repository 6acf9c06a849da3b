//! File downloads: the one place a file name reaches a header.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `bytes` as a download named `filename`. The name is built by the server from validated
/// parts, yet it is encoded here anyway: an ASCII fallback for old clients and the exact
/// name in UTF-8 (RFC 6266 / RFC 8187), so a Chinese name arrives intact and no character
/// can break the header.
pub fn attachment(bytes: Vec<u8>, filename: &str, mime: &'static str) -> Response {
    let disposition = HeaderValue::from_str(&content_disposition(filename))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    ([(header::CONTENT_TYPE, HeaderValue::from_static(mime)), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

fn content_disposition(filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chinese_name_is_encoded_and_nothing_can_break_the_header() {
        let d = content_disposition("綦江-评估 2025.xlsx");
        assert_eq!(
            d,
            "attachment; filename=\"__-___2025.xlsx\"; \
             filename*=UTF-8''%E7%B6%A6%E6%B1%9F-%E8%AF%84%E4%BC%B0%202025.xlsx"
        );
        for hostile in ["a\r\nSet-Cookie: x=y", "a\"; filename=evil.exe", "\0", "../../etc/passwd"] {
            let d = content_disposition(hostile);
            assert!(HeaderValue::from_str(&d).is_ok(), "{hostile}");
            assert!(!d.contains('\r') && !d.contains('\n') && d.matches('"').count() == 2, "{d}");
        }
    }
}
