//! Cached pages kept compressed, and gzip responses put together around them without
//! compressing again.
//!
//! A 50-metric dashboard is 71 KB of HTML and 5 KB deflated, its report 326 KB and 22 KB:
//! a thousand plans' pages fit in memory only compressed. A body is kept as raw deflate
//! ending on a byte boundary (a sync flush, no final block), with the CRC-32 and length of
//! its text. A response is one gzip member: the layout before the body as stored (plain)
//! blocks, the body's blocks as kept, the layout after it as a final stored block, and the
//! CRC-32 of the whole, combined from the parts'. A client that does not take gzip gets the
//! body inflated.

use std::cell::RefCell;
use std::convert::Infallible;
use std::fmt;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};

thread_local! {
    // One compressor and one decompressor a thread, reset for each use: their state (about
    // 300 KB to compress) allocated and freed per page left the allocator's heaps growing
    // (RSS rose by that much per chart rendered, though the live heap stayed small).
    static COMPRESS: RefCell<Compress> = RefCell::new(Compress::new(Compression::default(), false));
    static DECOMPRESS: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

/// Text kept as raw deflate that a gzip member can carry as it is.
pub struct Deflated {
    data: Vec<u8>,
    crc: u32,
    len: usize,
}

impl Deflated {
    pub fn new(text: &str) -> Self {
        // Deflate output is rarely more than a third of HTML; the vector grows if needed.
        let mut data = Vec::with_capacity(text.len() / 3 + 64);
        COMPRESS.with_borrow_mut(|c| {
            c.reset();
            let mut input = text.as_bytes();
            loop {
                let before = c.total_in();
                // A sync flush ends the data on a byte boundary, with no final block.
                c.compress_vec(input, &mut data, FlushCompress::Sync).expect("deflate into a vector cannot fail");
                input = &input[(c.total_in() - before) as usize..];
                if input.is_empty() && data.len() < data.capacity() {
                    break;
                }
                data.reserve(data.capacity().max(64));
            }
        });
        data.shrink_to_fit();
        Self { data, crc: crc32(text.as_bytes()), len: text.len() }
    }

    /// The text back.
    pub fn inflate(&self) -> String {
        let mut out = Vec::with_capacity(self.len);
        self.inflate_into(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends the text's bytes to `out`, unchecked: a response need not prove again that
    /// the text this module compressed is UTF-8 (the check was a fifth of serving a page
    /// to a client without gzip).
    pub fn inflate_into(&self, out: &mut Vec<u8>) {
        DECOMPRESS.with_borrow_mut(|d| {
            d.reset(false);
            // Exactly `len` bytes come out of data this module compressed; the stream has
            // no final block, so it ends when the input does.
            let _ = d.decompress_vec(&self.data, out, FlushDecompress::Sync);
        });
    }

    /// Bytes kept.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    /// Length of the text.
    pub fn text_len(&self) -> usize {
        self.len
    }
}

impl fmt::Display for Deflated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inflate())
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(bytes);
    h.finalize()
}

/// One gzip member holding `before`, then `body`, then `after`.
pub fn gzip_around(before: &str, body: &Deflated, after: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(before.len() + body.data.len() + after.len() + 64);
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=unknown
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    stored(&mut out, before.as_bytes(), false);
    out.extend_from_slice(&body.data);
    stored(&mut out, after.as_bytes(), true);
    let mut crc = crc32fast::Hasher::new();
    crc.update(before.as_bytes());
    crc.combine(&crc32fast::Hasher::new_with_initial_len(body.crc, body.len as u64));
    crc.update(after.as_bytes());
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(&((before.len() + body.len + after.len()) as u32).to_le_bytes());
    out
}

/// `bytes` as stored deflate blocks, starting on a byte boundary; `last` ends the stream.
fn stored(out: &mut Vec<u8>, bytes: &[u8], last: bool) {
    let mut chunks = bytes.chunks(0xffff).peekable();
    if chunks.peek().is_none() && !last {
        return;
    }
    loop {
        let chunk = chunks.next().unwrap_or(&[]);
        let final_block = last && chunks.peek().is_none();
        let n = chunk.len() as u16;
        // BFINAL and BTYPE = 00 (stored), then padding to the byte boundary.
        out.push(u8::from(final_block));
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(!n).to_le_bytes());
        out.extend_from_slice(chunk);
        if chunks.peek().is_none() {
            break;
        }
    }
}

/// The request's `Accept-Encoding` takes gzip (every browser's does).
pub struct AcceptsGzip(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for AcceptsGzip {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let takes = parts.headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| {
            v.split(',').any(|item| {
                let mut it = item.split(';');
                let coding = it.next().unwrap_or("").trim();
                let refused = it.any(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
                });
                (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
            })
        });
        Ok(Self(takes))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn gunzip(bytes: &[u8]) -> String {
        let mut out = String::new();
        flate2::read::GzDecoder::new(bytes).read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn a_body_inflates_to_its_text() {
        let text = "<p>规划指标</p>".repeat(5000);
        let d = Deflated::new(&text);
        assert!(d.bytes() < text.len() / 10, "{} of {}", d.bytes(), text.len());
        assert_eq!(d.inflate(), text);
        assert_eq!(d.to_string(), text);
        assert_eq!(Deflated::new("").inflate(), "");
    }

    #[test]
    fn a_gzip_member_around_a_kept_body_is_the_whole_text() {
        let body = "<table>".to_owned() + &"<tr><td>44</td><td>分钟</td></tr>".repeat(3000) + "</table>";
        let d = Deflated::new(&body);
        // A layout longer than one stored block, an empty one, and a short one.
        let long = "页".repeat(30_000);
        for (before, after) in [("<html><body>", "</body></html>"), ("", ""), (long.as_str(), "x")] {
            let gz = gzip_around(before, &d, after);
            assert_eq!(gunzip(&gz), format!("{before}{body}{after}"));
        }
    }

    #[tokio::test]
    async fn accept_encoding_is_read_as_browsers_send_it() {
        async fn takes(value: Option<&str>) -> bool {
            let mut req = axum::http::Request::builder();
            if let Some(v) = value {
                req = req.header(header::ACCEPT_ENCODING, v);
            }
            let (mut parts, ()) = req.body(()).unwrap().into_parts();
            AcceptsGzip::from_request_parts(&mut parts, &()).await.unwrap().0
        }
        assert!(takes(Some("gzip, deflate, br, zstd")).await);
        assert!(takes(Some("br;q=1.0, GZIP;q=0.5")).await);
        assert!(takes(Some("*")).await);
        assert!(!takes(Some("gzip;q=0, br")).await);
        assert!(!takes(Some("identity")).await);
        assert!(!takes(None).await);
    }
}
