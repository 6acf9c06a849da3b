//! The report summary's bar chart: how many metrics stand in each status.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{C_AXIS, C_TEXT, Canvas, On, Res, finish_svg, fit_text, font, render, text_width, title_text};

/// Input for the horizontal bar chart of metrics per status in the report summary.
pub struct StatusBars<'a> {
    /// Chart title, e.g. "按状态统计".
    pub title: &'a str,
    /// (label such as "已达标", count, colour), one bar each, top to bottom.
    pub bars: &'a [(&'a str, usize, (u8, u8, u8))],
    /// Size in pixels, e.g. 560×220 (clamped to 200..=4000); also the `viewBox`.
    pub width: u32,
    /// Size in pixels (clamped to 60..=4000).
    pub height: u32,
}

/// Renders the status summary as a horizontal bar chart.
///
/// Labels, counts and the title are real `<text>`, so it prints as it shows;
/// the `aria-label` lists every status with its count.
pub fn status_bars(b: &StatusBars) -> String {
    let size = b.size();
    let svg = render(size, |root| draw_status_bars(root, b, size));
    let counts: Vec<String> = b.bars.iter().map(|(name, n, _)| format!("{name} {n}")).collect();
    let label = match (b.title, counts.is_empty()) {
        (title, true) => title.to_string(),
        ("", false) => counts.join("，"),
        (title, false) => format!("{title}：{}", counts.join("，")),
    };
    finish_svg(tight_text(&svg), &label, false)
}

impl StatusBars<'_> {
    /// The size drawn at, within the documented bounds.
    pub fn size(&self) -> (u32, u32) {
        (self.width.clamp(200, 4000), self.height.clamp(60, 4000))
    }
}

pub(super) fn draw_status_bars<DB: Canvas>(root: &On<DB>, b: &StatusBars, (w, h): (u32, u32)) -> Res {
    let (w, h) = (w as i32, h as i32);
    root.fill(&WHITE)?;
    // Untitled, the bars still start below where a title would stand.
    let (title, tpx) = title_text(b.title, 16.0, w);
    if !b.title.is_empty() {
        root.draw(&title)?;
    }
    if b.bars.is_empty() {
        return Ok(());
    }

    let n = b.bars.len() as f64;
    let top = 10.0 + tpx.ceil() + 12.0;
    let row = ((f64::from(h) - 8.0 - top) / n).max(1.0);
    let half = (row * 0.31).clamp(0.5, 13.0);
    let lpx = (row * 0.6).clamp(6.0, 14.0).floor();
    let widest = |texts: Vec<String>| texts.iter().map(|t| text_width(t, lpx)).fold(0.0, f64::max).ceil();
    let label_w = widest(b.bars.iter().map(|bar| bar.0.to_string()).collect()).min(f64::from(w) * 0.4);
    let count_w = widest(b.bars.iter().map(|bar| bar.1.to_string()).collect());
    let x0 = 12 + label_w as i32 + 10;
    let max_len = f64::from(w - 12 - count_w as i32 - 6 - x0).max(1.0);
    let most = b.bars.iter().map(|bar| bar.1).max().unwrap_or(0);
    let mid = |i: f64| top + row * (i + 0.5);

    // The common start of the bars, a little past the first and last.
    let axis = [mid(0.0) - half - 4.0, mid(n - 1.0) + half + 4.0].map(|y| (x0, y.round() as i32));
    root.draw(&PathElement::new(axis, C_AXIS))?;
    let text = |align| font(lpx).color(&C_TEXT).pos(Pos::new(align, VPos::Center));
    for (i, &(name, count, (r, g, bl))) in b.bars.iter().enumerate() {
        let y = mid(i as f64);
        let (name, _) = fit_text(name, lpx, lpx, label_w);
        root.draw(&Text::new(name, (x0 - 8, y.round() as i32), text(HPos::Right)))?;
        let len = if most == 0 { 0.0 } else { count as f64 / most as f64 * max_len };
        // A count of one among thousands still shows as a sliver.
        let len = if count > 0 { len.round().max(2.0) as i32 } else { 0 };
        if len > 0 {
            let corners = [(x0 + 1, (y - half).round() as i32), (x0 + 1 + len, (y + half).round() as i32)];
            root.draw(&Rectangle::new(corners, RGBColor(r, g, bl).filled()))?;
        }
        root.draw(&Text::new(count.to_string(), (x0 + 1 + len + 6, y.round() as i32), text(HPos::Left)))?;
    }
    Ok(())
}

/// Drops the newlines plotters puts around every text's content, so that a
/// count reads `>13<` in the markup as it does on screen.
fn tight_text(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(i) = rest.find("<text ") {
        let Some(open) = rest[i..].find('>').map(|j| i + j + 1) else { break };
        let Some(close) = rest[open..].find("</text>").map(|j| open + j) else { break };
        out.push_str(&rest[..open]);
        out.push_str(rest[open..close].trim_matches('\n'));
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_valid, attr, elements, hex, num, texts};
    use super::*;

    const GREEN: (u8, u8, u8) = (0x00, 0x9E, 0x73);
    const BLUE: (u8, u8, u8) = (0x00, 0x72, 0xB2);
    const ORANGE: (u8, u8, u8) = (0xD5, 0x5E, 0x00);
    const GREY: (u8, u8, u8) = (0x99, 0x99, 0x88);

    fn rgb_hex((r, g, b): (u8, u8, u8)) -> String {
        hex(RGBColor(r, g, b))
    }

    fn status(bars: &[(&str, usize, (u8, u8, u8))]) -> String {
        status_bars(&StatusBars { title: "按状态统计", bars, width: 560, height: 220 })
    }

    #[test]
    fn status_bars_show_labels_counts_and_proportional_bars() {
        let bars = [("已达标", 13, GREEN), ("进展顺利", 26, BLUE), ("滞后", 0, ORANGE), ("未报送", 1, GREY)];
        let svg = status(&bars);
        assert_valid(&svg);
        assert!(svg.contains("viewBox=\"0 0 560 220\""));
        let all = texts(&svg);
        assert_eq!(all[0], "按状态统计");
        for (name, count, _) in bars {
            assert!(svg.contains(&format!(">{name}<")), "label {name} missing");
            assert!(svg.contains(&format!(">{count}<")), "count {count} missing");
        }
        assert!(svg.contains("aria-label=\"按状态统计：已达标 13，进展顺利 26，滞后 0，未报送 1\""));
        let width = |c| {
            let rects = elements(&svg, "rect", &rgb_hex(c));
            assert_eq!(rects.len(), 1, "one bar of {c:?}");
            num(rects[0], "width")
        };
        let (w13, w26, w1) = (width(GREEN), width(BLUE), width(GREY));
        assert!((w26 - 2 * w13).abs() <= 1, "26 → {w26} px, 13 → {w13} px");
        assert!(w26 > 300, "the longest bar uses the width: {w26}");
        assert!((w1 - w26 / 26).abs() <= 1);
        // Zero: a label and "0", no bar.
        assert!(elements(&svg, "rect", &rgb_hex(ORANGE)).is_empty());
        // Bars start together right of the widest label and stay inside.
        let rects: Vec<_> =
            svg.lines().filter(|l| l.starts_with("<rect ") && attr(l, "fill") != Some("#FFFFFF")).collect();
        let x0 = num(rects[0], "x");
        assert!(x0 as f64 >= 12.0 + text_width("进展顺利", 14.0));
        for r in rects {
            assert_eq!(num(r, "x"), x0);
            assert!(num(r, "x") + num(r, "width") < 560 - 12 - 12, "room for the count: {r}");
        }
    }

    #[test]
    fn status_bars_in_display_order_top_to_bottom() {
        let svg = status(&[("甲", 1, GREEN), ("乙", 2, BLUE), ("丙", 3, ORANGE)]);
        let y = |c| num(elements(&svg, "rect", &rgb_hex(c))[0], "y");
        assert!(y(GREEN) < y(BLUE) && y(BLUE) < y(ORANGE));
        let pos = |s: &str| svg.find(&format!(">{s}<")).unwrap();
        assert!(pos("甲") < pos("乙") && pos("乙") < pos("丙"));
    }

    #[test]
    fn status_bars_degenerate_inputs() {
        let zeros = [("已达标", 0, GREEN), ("滞后", 0, ORANGE)];
        let svg = status(&zeros);
        assert_valid(&svg);
        assert_eq!(svg.matches(">0<").count(), 2);
        assert!(texts(&svg).contains(&"已达标".to_string()));
        assert_eq!(svg.matches("<rect").count(), 1, "background only: {svg}");

        let svg = status(&[]);
        assert_valid(&svg);
        assert!(svg.contains("aria-label=\"按状态统计\""));
        assert_eq!(texts(&svg), ["按状态统计"]);
        let svg = status_bars(&StatusBars { title: "", bars: &zeros, width: 560, height: 220 });
        assert!(svg.contains("aria-label=\"已达标 0，滞后 0\""));
        assert_eq!(texts(&svg), ["已达标", "0", "滞后", "0"]);

        let long = "特别长的状态名称用于测试截断效果特别长的状态名称用于测试截断效果";
        let many: Vec<_> = (0..40).map(|i| (if i == 3 { long } else { "状态" }, i * 1000, BLUE)).collect();
        let huge = [("多", usize::MAX, GREEN), ("少", 1, ORANGE)];
        let title = "A&B <\"x\">";
        for (bars, width, height) in [(&many[..], 560, 220), (&huge[..], 0, 0), (&zeros[..], u32::MAX, u32::MAX)] {
            let svg = status_bars(&StatusBars { title, bars, width, height });
            assert_valid(&svg);
            assert!(svg.starts_with("<svg role=\"img\" aria-label=\"A&amp;B &lt;&quot;x&quot;&gt;："));
        }
        // A long label is cut, the full one stays in the aria-label.
        let svg = status_bars(&StatusBars { title, bars: &many[..5], width: 560, height: 220 });
        assert!(texts(&svg).iter().any(|t| t.ends_with('…') && t.starts_with("特别长")));
        assert!(svg.contains(&format!("{long} 3000")));
        // One among many still shows.
        let svg = status(&huge);
        assert!(num(elements(&svg, "rect", &rgb_hex(ORANGE))[0], "width") >= 2);
    }

    #[test]
    fn tight_text_trims_only_text_content() {
        let svg = "<svg>\n<text x=\"1\">\n13\n</text>\n<text a=\"b\">\n已达标\n</text>\n</svg>\n";
        assert_eq!(tight_text(svg), "<svg>\n<text x=\"1\">13</text>\n<text a=\"b\">已达标</text>\n</svg>\n");
        assert_eq!(tight_text("<text x=\"1\">\nbroken"), "<text x=\"1\">\nbroken");
    }
}
