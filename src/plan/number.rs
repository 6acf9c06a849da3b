//! Reading figures as people type them: `92`, `92.5`, `92%`, `９２`, `1,000`, ` 81.2 `.

/// Reads a typed figure. The error says why, in Chinese, for the field it came from.
pub fn parse(input: &str) -> Result<f64, String> {
    // Full-width forms (what a Chinese IME types) map onto ASCII by a fixed offset.
    let normal: String = input
        .chars()
        .map(|c| match c {
            '０'..='９' | '．' | '，' | '％' | '－' | '＋' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '。' => '.',
            _ => c,
        })
        .collect();
    let t = normal.trim();
    if t.is_empty() {
        return Err("请填写数值".into());
    }
    let t = t.strip_suffix('%').map(str::trim_end).unwrap_or(t);
    let plain: String = t.chars().filter(|c| *c != ',').collect();
    if !thousands_ok(t) {
        return Err(format!("“{}”的千位分隔符位置不对", input.trim()));
    }
    let ok_chars = plain.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'));
    if !ok_chars || !plain.chars().any(|c| c.is_ascii_digit()) {
        return Err(format!("“{}”不是数字", input.trim()));
    }
    match plain.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("“{}”不是有效数字", input.trim())),
    }
}

/// Commas, if any, separate groups of three digits in the integer part.
fn thousands_ok(t: &str) -> bool {
    if !t.contains(',') {
        return true;
    }
    let int = t.trim_start_matches(['-', '+']).split('.').next().unwrap_or("");
    let groups: Vec<&str> = int.split(',').collect();
    !groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_what_people_type() {
        for (s, v) in [
            ("92", 92.0),
            ("92.5", 92.5),
            ("92%", 92.0),
            ("92 %", 92.0),
            ("９２", 92.0),
            ("９２．５％", 92.5),
            ("1,000", 1000.0),
            ("1,234,567.5", 1_234_567.5),
            ("  81.2 ", 81.2),
            ("\u{3000}48\u{3000}", 48.0),
            ("-3", -3.0),
            ("0", 0.0),
        ] {
            assert_eq!(parse(s), Ok(v), "{s}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for s in [
            "",
            "  ",
            "abc",
            "九十二",
            "NaN",
            "nan",
            "inf",
            "-inf",
            "1e999",
            "12a",
            "1,00",
            ",100",
            "1.2.3",
            "%",
            "--1",
        ] {
            assert!(parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn messages_are_chinese_and_quote_the_input() {
        assert!(parse("abc").unwrap_err().contains("“abc”不是数字"));
        assert_eq!(parse("").unwrap_err(), "请填写数值");
    }
}
