use std::sync::OnceLock;

use chrono::NaiveDate;

use super::*;

/// A CJK font of this machine, if it has one (CI installs WenQuanYi Micro Hei).
fn font() -> Option<&'static Font> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| {
        let bytes = std::fs::read("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").ok()?;
        Font::from_bytes(bytes, 0)
    })
    .as_ref()
}

/// The (width, height) a PNG's header gives.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn a_font_without_chinese_draws_no_charts() {
    let Ok(latin) = std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") else { return };
    assert!(Font::from_bytes(latin, 0).is_none(), "DejaVu Sans has no 中文");
    assert!(Font::from_bytes(b"not a font".to_vec(), 0).is_none());
}

#[test]
fn status_bars_come_out_as_a_png_twice_the_svg_size() {
    let Some(font) = font() else { return };
    assert!(font.family.contains("WenQuanYi"), "{}", font.family);
    let bars = [("已达标", 3, (0x1b, 0x7f, 0x3b)), ("明显滞后", 1, (0xc5, 0x30, 0x30))];
    let png = status_bars(&StatusBars { title: "按状态统计", bars: &bars, width: 560, height: 220 }, font).unwrap();
    assert_eq!((png.width, png.height), (560, 220));
    assert_eq!(png_size(&png.bytes), (560 * SCALE, 220 * SCALE));
}

#[test]
fn a_label_the_font_cannot_set_gives_no_chart_rather_than_boxes() {
    let Some(font) = font() else { return };
    // Linear B: in no CJK font.
    let bars = [("\u{10000}", 3, (0x1b, 0x7f, 0x3b))];
    assert!(status_bars(&StatusBars { title: "按状态统计", bars: &bars, width: 560, height: 220 }, font).is_none());
}

#[test]
fn the_metric_chart_draws_with_its_rotated_axis_description() {
    let Some(font) = font() else { return };
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    let values = [(d(2021, 6, 30), 39.0), (d(2022, 6, 30), 42.0), (d(2023, 6, 30), 45.0)];
    let chart = MetricChart {
        title: "强对流天气预警提前量",
        unit: "分钟",
        lower_is_better: false,
        period: (d(2021, 1, 1), d(2025, 12, 31)),
        baseline: Some((d(2020, 12, 31), 37.0)),
        target: Some((d(2025, 12, 31), 48.0, 48.0)),
        values: &values,
        expected: &[(d(2020, 12, 31), 37.0), (d(2025, 12, 31), 48.0)],
        projection: Some(((d(2023, 6, 30), 45.0), (d(2025, 12, 31), 50.0))),
        earlier: None,
        width: 640,
        height: 340,
    };
    let png = metric_chart(&chart, font).unwrap();
    assert_eq!(png_size(&png.bytes), (1280, 680));
    // Something was drawn: the PNG of a blank white image compresses to almost nothing.
    assert!(png.bytes.len() > 10_000, "{} bytes", png.bytes.len());
}
