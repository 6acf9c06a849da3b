//! Plans published in traditional characters (繁體, as some bureaus still print them) are
//! read by the same rules: the text is read in simplified characters, one for one, and what
//! is quoted back (原文, chapter headings, the title) is the text as published.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

/// OpenCC's traditional-to-simplified tables, built into the binary.
static T2S: LazyLock<Option<OpenCC>> = LazyLock::new(|| OpenCC::from_config(BuiltinConfig::T2s).ok());

/// `text` in simplified characters where each converted character takes the same bytes as
/// the one it replaces, so that every byte offset into the result is one into `text` too;
/// borrowed when there is nothing to convert.
pub fn simplified(text: &str) -> Cow<'_, str> {
    let Some(cc) = T2S.as_ref() else { return Cow::Borrowed(text) };
    let whole = cc.convert(text);
    if whole == text {
        return Cow::Borrowed(text);
    }
    if same_shape(text, &whole) {
        return Cow::Owned(whole);
    }
    // A phrase converted into a different number of characters: one character at a time.
    let mut seen: HashMap<char, char> = HashMap::new();
    let out = text
        .chars()
        .map(|c| {
            *seen.entry(c).or_insert_with(|| {
                let s = cc.convert(c.encode_utf8(&mut [0; 4]));
                let mut it = s.chars();
                match (it.next(), it.next()) {
                    (Some(d), None) if d.len_utf8() == c.len_utf8() => d,
                    _ => c,
                }
            })
        })
        .collect();
    Cow::Owned(out)
}

fn same_shape(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.chars().count() == b.chars().count()
        && a.chars().zip(b.chars()).all(|(x, y)| x.len_utf8() == y.len_utf8())
}

/// The published text of `part`, a piece of `read` (the simplified reading of `published`).
pub fn as_published(published: &str, read: &str, part: &str) -> String {
    match read.find(part) {
        Some(at) if published.is_char_boundary(at) && published.is_char_boundary(at + part.len()) => {
            published[at..at + part.len()].to_owned()
        }
        _ => part.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_characters_are_read_one_for_one_and_simplified_text_is_left_alone() {
        let t = "預警信息發佈時間縮短至5分鐘以內,新建區域自動氣象站30個。";
        let s = simplified(t);
        assert_eq!(s.len(), t.len());
        assert!(s.contains("分钟以内") && s.contains("30个") && s.contains("预警"), "{s}");
        assert!(matches!(simplified("暴雨预警准确率达到92%"), Cow::Borrowed(_)));
        assert_eq!(as_published(t, &s, &s[..12]), &t[..12]);
    }
}
