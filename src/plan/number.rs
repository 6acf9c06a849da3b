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

    mod properties {
        use proptest::prelude::*;

        use super::parse;

        /// Text that looks like what people type: digits, separators, signs, spaces, `%`, the
        /// full-width forms and the odd letter or exponent.
        fn typed() -> impl Strategy<Value = String> {
            "[0-9０-９.,，．。+\\-－＋%％eEinfaINFA \u{3000}\t]{0,24}"
        }

        /// `v` with its integer part grouped by thousands: `-1,234,567.5`.
        fn grouped(v: f64) -> String {
            let s = v.to_string();
            let (sign, rest) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
            let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
            let mut out = String::new();
            for (i, c) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(c);
            }
            format!("{sign}{out}{}", frac.map(|f| format!(".{f}")).unwrap_or_default())
        }

        /// `s` as a Chinese IME types it: full-width digits, point, comma and signs.
        fn full_width(s: &str) -> String {
            s.chars()
                .map(|c| match c {
                    '0'..='9' | '.' | ',' | '-' | '+' | '%' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
                    c => c,
                })
                .collect()
        }

        fn finite() -> impl Strategy<Value = f64> {
            prop_oneof![
                any::<f64>().prop_filter("finite", |v| v.is_finite()),
                -1e7..1e7f64,
                (-100_000i64..100_000).prop_map(|i| i as f64 / 100.0)
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn never_panics_and_accepts_only_finite_values(s in prop_oneof![typed(), any::<String>()]) {
                if let Ok(v) = parse(&s) {
                    prop_assert!(v.is_finite(), "{s:?} gave {v}");
                }
            }

            #[test]
            fn a_formatted_figure_reads_back_as_itself(v in finite()) {
                prop_assert_eq!(parse(&v.to_string()), Ok(v));
                prop_assert_eq!(parse(&grouped(v)), Ok(v), "{}", grouped(v));
                prop_assert_eq!(parse(&full_width(&grouped(v))), Ok(v), "{}", full_width(&grouped(v)));
                prop_assert_eq!(parse(&format!(" {v}% ")), Ok(v));
            }
        }
    }
}
