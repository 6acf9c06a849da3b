//! The compact bullet graph on the dashboard: where a metric's latest value
//! stands between its baseline and its target, at a glance and without text.

use plotters::prelude::*;

use super::{Area, C_MUTED, C_PROJ, C_TARGET, C_TEXT, C_VALUES, Res, finish_svg, padded, render, sane, sane_range};

/// Input for the small horizontal bullet graph on the dashboard.
pub struct Bullet {
    /// Value at the start of the plan, a tick mark.
    pub baseline: Option<f64>,
    /// (low, high), a band when low < high.
    pub target: Option<(f64, f64)>,
    /// The value expected now (time-linear), a thin marker.
    pub expected: Option<f64>,
    /// Latest reported value, a bold bar from the baseline (or the axis start) to the value.
    pub latest: Option<f64>,
    /// Reverses the scale so that "better" is always to the right.
    pub lower_is_better: bool,
    /// Size in pixels, e.g. 240×28 (clamped to 40..=2000).
    pub width: u32,
    /// Size in pixels (clamped to 8..=400).
    pub height: u32,
    /// Accessible text, e.g. "基期 37,目标 48,最新 44,预期 42".
    pub label: String,
}

// The bullet reuses the chart's hues so both read alike on one page.
const B_BG: RGBColor = RGBColor(0xE8, 0xEB, 0xEF);
const B_BAND: RGBColor = RGBColor(0xA8, 0xD8, 0xBF);
const B_TARGET: RGBColor = C_TARGET;
const B_BASE: RGBColor = C_MUTED;
const B_GOOD: RGBColor = C_VALUES;
const B_BAD: RGBColor = C_PROJ;
const B_EXPECTED: RGBColor = C_TEXT;

/// Renders the compact dashboard bullet graph as an SVG document.
///
/// The scale runs from worse (left) to better (right), so it is reversed when
/// lower is better. With nothing to show it is just the muted background.
pub fn bullet(b: &Bullet) -> String {
    let size = (b.width.clamp(40, 2000), b.height.clamp(8, 400));
    finish_svg(render(size, |root| draw_bullet(root, b, size)), &b.label, true)
}

fn draw_bullet(root: &Area, b: &Bullet, (w, h): (u32, u32)) -> Res {
    root.fill(&B_BG)?;
    let base = b.baseline.and_then(sane);
    let latest = b.latest.and_then(sane);
    let expected = b.expected.and_then(sane);
    let target = b.target.and_then(|(lo, hi)| sane_range(lo, hi));
    let mut vals: Vec<f64> = base.into_iter().chain(latest).chain(expected).collect();
    vals.extend(target.iter().flat_map(|&(lo, hi)| [lo, hi]));
    if vals.is_empty() {
        return Ok(());
    }
    let (lo, hi) = padded(&vals, 0.08);
    let (wf, hf, h) = (f64::from(w), f64::from(h), h as i32);
    let x = |v: f64| {
        let t = (v - lo) / (hi - lo);
        let t = if b.lower_is_better { 1.0 - t } else { t };
        (3.0 + t * (wf - 6.0)).round() as i32
    };
    let y = |f: f64| (hf * f).round() as i32;
    let bar = |x0: i32, x1: i32, y0: i32, y1: i32, c: RGBColor| {
        root.draw(&Rectangle::new([(x0.min(x1), y0), (x0.max(x1), y1)], c.filled()))
    };

    if let Some((tl, th)) = target {
        let (a, c) = (x(tl).min(x(th)), x(tl).max(x(th)));
        if c - a >= 3 {
            bar(a, c, 0, h, B_BAND)?;
        } else {
            bar(a - 1, a + 2, 0, h, B_TARGET)?;
        }
    }
    if let Some(v) = latest {
        // From the baseline when known, so the bar's length is the progress made.
        let from = base.map_or(3, x);
        let to = x(v);
        let to = if (to - from).abs() < 2 { from + 2 } else { to };
        let worse = base.is_some_and(|bv| if b.lower_is_better { v > bv } else { v < bv });
        bar(from, to, y(0.3), y(0.7), if worse { B_BAD } else { B_GOOD })?;
    }
    if let Some(bx) = base.map(x) {
        // In two halves, so it stays visible where the latest bar starts.
        bar(bx - 1, bx + 1, 0, y(0.28), B_BASE)?;
        bar(bx - 1, bx + 1, y(0.72), h, B_BASE)?;
    }
    if let Some(ex) = expected.map(x) {
        bar(ex - 1, ex + 1, y(0.12), y(0.88), B_EXPECTED)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_valid, elements, hex, num};
    use super::*;

    fn bullet_input(baseline: Option<f64>, latest: Option<f64>, lower: bool) -> Bullet {
        Bullet {
            baseline,
            target: Some(if lower { (82.0, 86.5) } else { (48.0, 48.0) }),
            expected: Some(if lower { 93.0 } else { 42.0 }),
            latest,
            lower_is_better: lower,
            width: 240,
            height: 28,
            label: "基期 37,目标 48,最新 44,预期 42".into(),
        }
    }

    /// (left x, right x) of the only rect filled with `c`.
    fn span(svg: &str, c: RGBColor) -> (i32, i32) {
        let rects = elements(svg, "rect", &hex(c));
        assert_eq!(rects.len(), 1, "{svg}");
        let x = num(rects[0], "x");
        (x, x + num(rects[0], "width"))
    }

    /// x of the baseline tick (drawn as two short rects).
    fn base_x(svg: &str) -> i32 {
        let ticks = elements(svg, "rect", &hex(B_BASE));
        assert_eq!(ticks.len(), 2);
        num(ticks[0], "x") + 1
    }

    #[test]
    fn bullet_improvement_points_right_in_both_directions() {
        for (baseline, latest, lower) in [(37.0, 44.0, false), (100.0, 89.0, true)] {
            let svg = bullet(&bullet_input(Some(baseline), Some(latest), lower));
            assert_valid(&svg);
            let bx = base_x(&svg);
            let (l, r) = span(&svg, B_GOOD);
            assert!((l - bx).abs() <= 1, "bar starts at baseline: {l} vs {bx}");
            assert!(r > bx + 20, "improvement goes right: {r} vs {bx}");
            assert!(elements(&svg, "rect", &hex(B_BAD)).is_empty());
            // Target lies further right still.
            let target = elements(&svg, "rect", &hex(if lower { B_BAND } else { B_TARGET }));
            assert!(num(target[0], "x") > r);
        }
        for (baseline, latest, lower) in [(37.0, 35.0, false), (100.0, 104.0, true)] {
            let svg = bullet(&bullet_input(Some(baseline), Some(latest), lower));
            let (l, r) = span(&svg, B_BAD);
            assert!(l < base_x(&svg) - 5 && (r - base_x(&svg)).abs() <= 1);
        }
    }

    #[test]
    fn bullet_handles_missing_pieces() {
        // No baseline: the bar starts at the worse end of the scale.
        let svg = bullet(&bullet_input(None, Some(44.0), false));
        assert!(span(&svg, B_GOOD).0 <= 3);
        let svg = bullet(&bullet_input(None, Some(89.0), true));
        assert!(span(&svg, B_GOOD).0 <= 3);
        // No latest: baseline, target and expected only.
        let svg = bullet(&bullet_input(Some(37.0), None, false));
        assert_valid(&svg);
        assert!(elements(&svg, "rect", &hex(B_GOOD)).is_empty());
        assert_eq!(elements(&svg, "rect", &hex(B_BASE)).len(), 2);
        assert_eq!(elements(&svg, "rect", &hex(B_EXPECTED)).len(), 1);
        // Nothing at all, or only garbage: background and title only.
        for b in [
            Bullet { target: None, expected: None, ..bullet_input(None, None, false) },
            Bullet {
                baseline: Some(f64::NAN),
                target: Some((f64::INFINITY, f64::NAN)),
                expected: Some(f64::NEG_INFINITY),
                latest: Some(f64::NAN),
                width: 0,
                height: 0,
                ..bullet_input(None, None, true)
            },
        ] {
            let svg = bullet(&b);
            assert_valid(&svg);
            assert!(svg.contains("<title>"));
            assert_eq!(svg.matches("<rect").count(), 1, "{svg}");
        }
        // All values equal: still a valid, non-degenerate scale.
        let b = Bullet { target: Some((5.0, 5.0)), expected: Some(5.0), ..bullet_input(Some(5.0), Some(5.0), false) };
        let svg = bullet(&b);
        assert_valid(&svg);
        let (l, r) = span(&svg, B_GOOD);
        assert!(r > l);
    }

    #[test]
    fn bullet_label_is_escaped() {
        let b = Bullet { label: "<&\">".into(), ..bullet_input(None, None, false) };
        assert!(bullet(&b).contains("<title>&lt;&amp;&quot;&gt;</title>"));
    }
}
