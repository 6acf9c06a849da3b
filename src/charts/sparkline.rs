//! The sparkline in a report row: a metric's reported values as a small
//! neutral line, with its baseline and target, and no text inside.

use chrono::NaiveDate;
use plotters::prelude::*;

use super::{Area, C_MUTED, C_TARGET, Pt, Res, finish_svg, padded, point, render, sane_range, time_span};

/// A small line of a metric's reported values for a report row: no axes and
/// no text inside, only the line, the baseline dot and the target.
pub struct Sparkline<'a> {
    /// Reported values at quarter ends, sorted by date.
    pub values: &'a [(NaiveDate, f64)],
    /// The x range: the plan period, widened to the baseline date and any
    /// value outside it.
    pub period: (NaiveDate, NaiveDate),
    /// Drawn as a small grey dot at the start.
    pub baseline: Option<(NaiveDate, f64)>,
    /// (low, high): a thin horizontal line when equal, else a light band.
    pub target: Option<(f64, f64)>,
    /// Changes nothing drawn: the line is neutral, so it does not have to know
    /// which way is better. State the direction in `label` if it matters.
    pub lower_is_better: bool,
    /// Displayed size in pixels, e.g. 120×32 (clamped to 16..=2000).
    pub width: u32,
    /// Displayed size in pixels (clamped to 8..=400).
    pub height: u32,
    /// Accessible text, put in `<title>` and `aria-label`.
    pub label: String,
}

/// The sparkline's line: a neutral dark blue that says neither good nor bad.
const S_LINE: RGBColor = RGBColor(0x1F, 0x4E, 0x79);
/// Sparklines are drawn on a grid this many times finer than their displayed
/// size: plotters works in whole pixels, too coarse for a 32 px high line.
const S_SCALE: u32 = 4;

/// Renders a sparkline as an SVG document with `<title>`, scalable by its `viewBox`.
///
/// With no usable value it holds only the title. Non-finite numbers are skipped.
pub fn sparkline(s: &Sparkline) -> String {
    let (w, h) = (s.width.clamp(16, 2000), s.height.clamp(8, 400));
    let fine = (w * S_SCALE, h * S_SCALE);
    let svg = render(fine, |root| draw_sparkline(root, s, fine));
    // Keep the fine grid as the viewBox but display at the asked size.
    let head = format!("<svg width=\"{}\" height=\"{}\" ", fine.0, fine.1);
    let svg = svg.replacen(&head, &format!("<svg width=\"{w}\" height=\"{h}\" "), 1);
    finish_svg(svg, &s.label, true)
}

fn draw_sparkline(root: &Area, s: &Sparkline, (w, h): (u32, u32)) -> Res {
    let mut values: Vec<Pt> = s.values.iter().copied().filter_map(point).collect();
    if values.is_empty() {
        return Ok(());
    }
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let base = s.baseline.and_then(point);
    let target = s.target.and_then(|(lo, hi)| sane_range(lo, hi));

    let (xa, xb) = time_span(s.period, values.iter().chain(&base), 1.0);
    let mut ys: Vec<f64> = values.iter().chain(&base).map(|p| p.1).collect();
    ys.extend(target.iter().flat_map(|&(lo, hi)| [lo, hi]));
    let (ya, yb) = padded(&ys, 0.08);

    let k = S_SCALE as i32;
    let (wf, hf) = (f64::from(w), f64::from(h));
    // Room for the last point's dot (3.5 px) at every edge.
    let m = (4.0 * f64::from(k)).min(hf / 4.0);
    let px = |(x, v): Pt| {
        let x = m + (x - xa) / (xb - xa) * (wf - 2.0 * m);
        let y = hf - m - (v - ya) / (yb - ya) * (hf - 2.0 * m);
        (x.round() as i32, y.round() as i32)
    };

    if let Some((lo, hi)) = target {
        let (_, top) = px((xa, hi));
        let (_, bottom) = px((xa, lo));
        if bottom - top >= k {
            root.draw(&Rectangle::new([(0, top), (w as i32, bottom)], C_TARGET.mix(0.18).filled()))?;
        } else {
            let line = vec![(0, top), (w as i32, top)];
            root.draw(&PathElement::new(line, C_TARGET.mix(0.8).stroke_width(S_SCALE)))?;
        }
    }
    if let Some(b) = base {
        root.draw(&Circle::new(px(b), 2 * k as u32, C_MUTED.filled()))?;
    }
    let line: Vec<_> = values.iter().map(|&p| px(p)).collect();
    if line.len() > 1 {
        root.draw(&PathElement::new(line.clone(), S_LINE.stroke_width(3 * S_SCALE / 2)))?;
    }
    if let Some(&last) = line.last() {
        root.draw(&Circle::new(last, 7 * S_SCALE / 2, WHITE.filled()))?;
        root.draw(&Circle::new(last, 5 * S_SCALE / 2, S_LINE.filled()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_valid, d, elements, hex, num, points, texts, values};
    use super::*;

    fn spark(values: &[(NaiveDate, f64)]) -> Sparkline<'_> {
        Sparkline {
            values,
            period: (d(2021, 1, 1), d(2025, 12, 31)),
            baseline: Some((d(2020, 12, 31), 37.0)),
            target: Some((48.0, 48.0)),
            lower_is_better: false,
            width: 120,
            height: 32,
            label: "强对流天气预警时间提前量:基期 37,最新 44,目标 48".into(),
        }
    }

    /// The sparkline's line, its last-point dot and its baseline dot.
    fn spark_parts(svg: &str) -> [Vec<(i32, i32)>; 3] {
        let line: Vec<_> = elements(svg, "polyline", &hex(S_LINE)).into_iter().flat_map(points).collect();
        let dots = |c| elements(svg, "circle", &hex(c)).iter().map(|l| (num(l, "cx"), num(l, "cy"))).collect();
        [line, dots(S_LINE), dots(C_MUTED)]
    }

    #[test]
    fn sparkline_has_one_point_per_value_and_marks_the_last() {
        let v = values();
        let svg = sparkline(&spark(&v));
        assert_valid(&svg);
        assert!(svg.contains("<title>强对流天气预警时间提前量:基期 37,最新 44,目标 48</title>"));
        assert!(svg.contains(" width=\"120\" height=\"32\" viewBox=\"0 0 480 128\""));
        assert!(texts(&svg).is_empty(), "no text inside");
        assert_eq!(elements(&svg, "polyline", &hex(S_LINE)).len(), 1);
        let [line, last, base] = spark_parts(&svg);
        assert_eq!(line.len(), v.len());
        assert_eq!(last, [line[3]]);
        // Rising values go up the picture, later dates to the right.
        assert!(line.windows(2).all(|p| p[1].0 > p[0].0 && p[1].1 < p[0].1), "{line:?}");
        // The baseline is left of and below the first value; the target above the last.
        assert_eq!(base.len(), 1);
        assert!(base[0].0 < line[0].0 && base[0].1 > line[0].1);
        let target = elements(&svg, "polyline", &hex(C_TARGET));
        assert_eq!(target.len(), 1);
        assert!(points::<i32>(target[0])[0].1 < line[3].1);
        // Room for the dots at every edge.
        for (x, y) in line.iter().chain(&base) {
            assert!((14..=480 - 14).contains(x) && (14..=128 - 14).contains(y), "({x}, {y})");
        }
        // The period's end lies at the right: four of five years leave the line short.
        assert!(line[3].0 < 480 / 2 + 40);
    }

    #[test]
    fn sparkline_target_range_is_a_band() {
        let v = values();
        let svg = sparkline(&Sparkline { target: Some((50.0, 46.0)), ..spark(&v) });
        let band = elements(&svg, "rect", &hex(C_TARGET));
        assert_eq!(band.len(), 1);
        assert_eq!(num(band[0], "width"), 480);
        assert!(num(band[0], "height") > 4);
        assert!(elements(&svg, "polyline", &hex(C_TARGET)).is_empty());
        let svg = sparkline(&Sparkline { target: None, baseline: None, ..spark(&v) });
        assert!(!svg.contains(&hex(C_TARGET)) && !svg.contains(&hex(C_MUTED)));
        // The direction changes nothing drawn.
        assert_eq!(sparkline(&Sparkline { lower_is_better: true, ..spark(&v) }), sparkline(&spark(&v)));
    }

    #[test]
    fn sparkline_degenerate_inputs() {
        let v = values();
        let empty = sparkline(&spark(&[]));
        assert_valid(&empty);
        let body: Vec<_> = empty.lines().skip(1).collect();
        assert_eq!(body, ["<title>强对流天气预警时间提前量:基期 37,最新 44,目标 48</title>", "</svg>"]);

        let flat = [(d(2021, 12, 31), 12.0), (d(2022, 12, 31), 12.0), (d(2023, 12, 31), 12.0)];
        let svg = sparkline(&Sparkline { baseline: None, target: None, ..spark(&flat) });
        let [line, _, _] = spark_parts(&svg);
        assert_eq!(line.len(), 3);
        assert!(line.iter().all(|p| p.1 == line[0].1 && (14..=114).contains(&p.1)), "{line:?}");

        let one = [(d(2022, 6, 30), 40.0)];
        let [line, last, _] = spark_parts(&sparkline(&spark(&one)));
        assert!(line.is_empty() && last.len() == 1);

        let bad = [
            (d(2021, 12, 31), f64::NAN),
            (d(2022, 12, 31), 5.0),
            (d(2023, 6, 30), f64::INFINITY),
            (d(2023, 12, 31), 6.0),
        ];
        let [line, _, _] = spark_parts(&sparkline(&spark(&bad)));
        assert_eq!(line.len(), 2);

        let unsorted = [v[2], v[0], v[3], v[1]];
        assert_eq!(spark_parts(&sparkline(&spark(&unsorted)))[0], spark_parts(&sparkline(&spark(&v)))[0]);

        let nan = [(d(2021, 12, 31), f64::NAN)];
        let t = d(2025, 12, 31);
        let cases = [
            spark(&nan),
            Sparkline {
                baseline: Some((NaiveDate::MIN, f64::NAN)),
                target: Some((f64::NAN, f64::INFINITY)),
                ..spark(&v)
            },
            Sparkline { period: (t, d(2021, 1, 1)), ..spark(&v) },
            Sparkline { period: (t, t), baseline: None, ..spark(&one) },
            Sparkline { baseline: Some((NaiveDate::MIN, 1.0)), ..spark(&v) },
            Sparkline { target: Some((1e12, -1e12)), ..spark(&v) },
            Sparkline { width: 0, height: 0, ..spark(&v) },
            Sparkline { width: u32::MAX, height: u32::MAX, ..spark(&v) },
            Sparkline { label: "<&\">".into(), ..spark(&v) },
        ];
        for s in &cases {
            let svg = sparkline(s);
            assert_valid(&svg);
            assert!(svg.contains("<title>"));
        }
        assert!(sparkline(&cases[0]).lines().all(|l| !l.starts_with("<circle")));
        assert!(sparkline(&cases[8]).contains("aria-label=\"&lt;&amp;&quot;&gt;\""));
    }
}
