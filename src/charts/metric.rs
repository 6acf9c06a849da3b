//! The full progress chart of one metric: reported values over the plan
//! period against the baseline, the target, the expected trajectory and the
//! trend projection, with a title and a legend.

use chrono::{Datelike, NaiveDate};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    C_AXIS, C_BASE, C_EXPECTED, C_GRID, C_MUTED, C_PROJ, C_TARGET, C_TEXT, C_VALUES, Canvas, On, Pt, Res, day,
    finish_svg, fmt_num, font, padded, point, render, sane_range, text_width, time_span, title_text,
};

/// Input for the full progress chart of one metric.
pub struct MetricChart<'a> {
    /// Chinese metric name: the chart title and its accessible name.
    pub title: &'a str,
    /// Unit for the y axis description, e.g. "分钟", "%", "个".
    pub unit: &'a str,
    /// Adds a "越低越好" note; the axis itself stays the usual way up.
    pub lower_is_better: bool,
    /// Plan period; the x axis covers the baseline date (or period start) to period end.
    pub period: (NaiveDate, NaiveDate),
    /// Baseline (date, value), e.g. (2020-12-31, 37.0).
    pub baseline: Option<(NaiveDate, f64)>,
    /// (target date, low, high); low == high for a single value, otherwise drawn as a band.
    pub target: Option<(NaiveDate, f64, f64)>,
    /// Reported values at quarter-end dates, sorted by date.
    pub values: &'a [(NaiveDate, f64)],
    /// Expected time-linear trajectory, baseline → target: two points for a quarterly
    /// metric; for an annual one every year end between too, each drawn as a dot, since
    /// only year ends are judged (see `plan::progress::expected_path`). Empty: none.
    pub expected: &'a [(NaiveDate, f64)],
    /// Trend projection from the last value to the target date, drawn dashed.
    pub projection: Option<((NaiveDate, f64), (NaiveDate, f64))>,
    /// The older plan's figures of the metric this one continues, drawn on the same time
    /// axis with that plan's period shaded, so two plans read as one trend.
    pub earlier: Option<Earlier<'a>>,
    /// Size in pixels (clamped to 240..=4000); also the `viewBox`, so CSS can scale it.
    pub width: u32,
    /// Size in pixels (clamped to 160..=4000).
    pub height: u32,
}

/// An older plan's figures for [`MetricChart::earlier`].
pub struct Earlier<'a> {
    /// The older plan's short name, e.g. "十四五", written in its shaded period.
    pub label: &'a str,
    pub period: (NaiveDate, NaiveDate),
    /// Its reported values at quarter-end dates, sorted by date.
    pub values: &'a [(NaiveDate, f64)],
}

/// The input with bad numbers dropped and dates turned into day numbers.
struct Clean {
    baseline: Option<Pt>,
    target: Option<(f64, f64, f64)>,
    values: Vec<Pt>,
    /// Empty, or at least two points.
    expected: Vec<Pt>,
    projection: Option<[Pt; 2]>,
    /// The older plan's shaded period (day numbers) and figures.
    earlier: Option<((f64, f64), Vec<Pt>)>,
}

impl Clean {
    fn new(c: &MetricChart) -> Self {
        let seg = |s: Option<(_, _)>| s.and_then(|(a, b)| Some([point(a)?, point(b)?]));
        Clean {
            baseline: c.baseline.and_then(point),
            target: (c.target).and_then(|(d, a, b)| sane_range(a, b).map(|(l, h)| (day(d), l, h))),
            values: c.values.iter().copied().filter_map(point).collect(),
            expected: {
                let pts: Vec<Pt> = c.expected.iter().copied().filter_map(point).collect();
                // A trajectory with a bad point is dropped whole rather than drawn bent.
                if pts.len() >= 2 && pts.len() == c.expected.len() { pts } else { Vec::new() }
            },
            projection: seg(c.projection),
            earlier: c.earlier.as_ref().and_then(|e| {
                let (a, b) = (day(e.period.0), day(e.period.1));
                (a < b).then(|| ((a, b), e.values.iter().copied().filter_map(point).collect()))
            }),
        }
    }

    fn points(&self) -> Vec<Pt> {
        let mut all = self.values.clone();
        all.extend(self.baseline);
        all.extend(self.target.iter().flat_map(|&(d, lo, hi)| [(d, lo), (d, hi)]));
        all.extend(&self.expected);
        all.extend(self.projection.iter().flatten());
        if let Some(((a, _), values)) = &self.earlier {
            all.extend(values);
            // The shaded period starts the axis even before its first figure (at the height
            // of a figure already drawn, so the value axis is unchanged).
            all.extend(all.first().map(|&(_, v)| (*a, v)));
        }
        all
    }
}

#[derive(Clone, Copy)]
enum Swatch {
    Baseline,
    Values,
    TargetLine,
    TargetBand,
    Expected,
    Projection,
    Earlier,
}

/// The baseline marker: a square, so it differs from the round reported
/// values even without colour; white-rimmed to stand out on lines.
fn square<DB: Canvas>(area: &On<DB>, (x, y): (i32, i32)) -> Res {
    area.draw(&Rectangle::new([(x - 5, y - 5), (x + 5, y + 5)], WHITE.filled()))?;
    area.draw(&Rectangle::new([(x - 4, y - 4), (x + 4, y + 4)], C_BASE.filled()))?;
    Ok(())
}

/// A 22 px legend sample, vertically centred on `y`.
fn draw_swatch<DB: Canvas>(area: &On<DB>, kind: Swatch, x: i32, y: i32) -> Res {
    let line = |c: RGBColor, w| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(w));
    match kind {
        Swatch::Baseline => square(area, (x + 11, y))?,
        Swatch::Values => {
            area.draw(&line(C_VALUES, 2))?;
            area.draw(&Circle::new((x + 11, y), 4, C_VALUES.filled()))?;
        }
        Swatch::TargetLine => area.draw(&line(C_TARGET, 2))?,
        Swatch::TargetBand => {
            let corners = [(x, y - 6), (x + 22, y + 6)];
            area.draw(&Rectangle::new(corners, C_TARGET.mix(0.18).filled()))?;
            area.draw(&Rectangle::new(corners, C_TARGET))?;
        }
        Swatch::Expected => area.draw(&line(C_EXPECTED, 2))?,
        Swatch::Earlier => {
            area.draw(&Rectangle::new([(x, y - 7), (x + 22, y + 7)], C_MUTED.mix(0.12).filled()))?;
            area.draw(&line(C_MUTED, 2))?;
            area.draw(&Circle::new((x + 11, y), 3, C_MUTED.filled()))?;
        }
        Swatch::Projection => {
            for dx in [0, 9, 18] {
                let dash = vec![(x + dx, y), (x + dx + 5, y)];
                area.draw(&PathElement::new(dash, C_PROJ.stroke_width(2)))?;
            }
        }
    }
    Ok(())
}

/// Draws the title and the legend rows below it; returns the height used.
/// Laid out by hand because plotters sizes its legend box from byte counts.
fn draw_header<DB: Canvas>(root: &On<DB>, c: &MetricChart, d: &Clean, width: i32) -> Res<i32> {
    let (title, tpx) = title_text(c.title, 17.0, width);
    root.draw(&title)?;

    let mut entries = Vec::new();
    let mut add = |present: bool, kind: Option<Swatch>, name| {
        if present {
            entries.push((kind, name));
        }
    };
    add(d.baseline.is_some(), Some(Swatch::Baseline), "基期值");
    add(!d.values.is_empty(), Some(Swatch::Values), "报告值");
    let band = d.target.is_some_and(|(_, lo, hi)| hi > lo);
    let target = if band { Swatch::TargetBand } else { Swatch::TargetLine };
    add(d.target.is_some(), Some(target), "目标值");
    add(!d.expected.is_empty(), Some(Swatch::Expected), "时序进度");
    add(d.projection.is_some(), Some(Swatch::Projection), "趋势预测");
    let earlier = c.earlier.as_ref().map(|e| format!("{}报告值", e.label)).unwrap_or_default();
    add(d.earlier.is_some(), Some(Swatch::Earlier), earlier.as_str());
    add(c.lower_is_better, None, "↓ 越低越好");

    let lpx = 12.5;
    let style = font(lpx).color(&C_TEXT).pos(Pos::new(HPos::Left, VPos::Center));
    let (mut x, mut y) = (12, 10 + tpx.ceil() as i32 + 16);
    for (kind, text) in entries {
        let tw = text_width(text, lpx).ceil() as i32;
        let w = if kind.is_some() { 28 + tw + 18 } else { tw };
        if x > 12 && x + w > width - 12 {
            (x, y) = (12, y + 22);
        }
        if let Some(kind) = kind {
            draw_swatch(root, kind, x, y)?;
            root.draw(&Text::new(text, (x + 28, y), style.clone()))?;
        } else {
            root.draw(&Text::new(text, (x, y), style.color(&C_MUTED)))?;
        }
        x += w;
    }
    Ok(y + 14)
}

fn date_of(x: f64) -> Option<NaiveDate> {
    let ok = x.is_finite() && x.abs() < f64::from(i32::MAX);
    ok.then(|| NaiveDate::from_num_days_from_ce_opt(x.round() as i32))?
}

/// Decimals needed to tell apart ticks spaced `step` apart.
fn decimals_for(step: f64) -> usize {
    if step.is_nan() || step <= 0.0 {
        return 0;
    }
    (-step.log10().floor()).clamp(0.0, 4.0) as usize
}

/// X tick positions (mid-year or mid-quarter, so each label names the span
/// above it), year boundaries for grid lines, and whether ticks are quarters.
fn x_ticks(xa: f64, xb: f64, plot_w: f64) -> (Vec<f64>, Vec<f64>, bool) {
    let (Some(da), Some(db)) = (date_of(xa), date_of(xb)) else {
        return (vec![], vec![], false);
    };
    let span = (xb - xa).max(1.0);
    let quarterly = span < 800.0;
    let (unit_days, label_px) = if quarterly { (91.3, 60.0) } else { (365.25, 44.0) };
    // Skip labels so that neighbours never overlap.
    let stride = (label_px * span / (plot_w.max(1.0) * unit_days)).ceil().max(1.0) as i32;
    let inside = |d: Option<NaiveDate>| d.map(day).filter(|x| (xa..=xb).contains(x));
    let (mut ticks, mut bounds) = (vec![], vec![]);
    for y in da.year()..=db.year() {
        if quarterly {
            let qs = (0..4).filter(|q| (y * 4 + q).rem_euclid(stride) == 0);
            ticks.extend(qs.filter_map(|q| inside(NaiveDate::from_ymd_opt(y, q as u32 * 3 + 2, 15))));
        } else if y.rem_euclid(stride) == 0 {
            ticks.extend(inside(NaiveDate::from_ymd_opt(y, 7, 2)));
        }
        if quarterly || y.rem_euclid(stride) == 0 {
            bounds.extend(inside(NaiveDate::from_ymd_opt(y, 1, 1)));
        }
    }
    (ticks, bounds, quarterly)
}

fn x_label(x: f64, quarterly: bool) -> String {
    match date_of(x) {
        Some(d) if quarterly => format!("{}Q{}", d.year(), d.month0() / 3 + 1),
        Some(d) => d.year().to_string(),
        None => String::new(),
    }
}

/// The time axis in day numbers with our own ticks. `WithKeyPoints` over
/// `f64` would do, but plotters implements no label formatting for it.
#[derive(Clone)]
struct TimeAxis(std::ops::Range<f64>, Vec<f64>);

impl Ranged for TimeAxis {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        RangedCoordf64::from(self.range()).map(v, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // No light lines: year boundaries are drawn separately.
        let light = hint.weight().allow_light_points();
        if light { vec![] } else { self.1.clone() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.0.clone()
    }
}

/// Renders the full progress chart of one metric as an SVG document.
///
/// Never panics: non-finite numbers are skipped, and missing series are
/// simply left out, with their legend entries.
pub fn metric_chart(c: &MetricChart) -> String {
    let size = c.size();
    let svg = render(size, |root| draw_metric(root, c, size));
    finish_svg(svg, c.title, false)
}

impl MetricChart<'_> {
    /// The size drawn at, within the documented bounds.
    pub fn size(&self) -> (u32, u32) {
        (self.width.clamp(240, 4000), self.height.clamp(160, 4000))
    }
}

pub(super) fn draw_metric<DB: Canvas>(root: &On<DB>, c: &MetricChart, (w, h): (u32, u32)) -> Res {
    let (w, h) = (w as i32, h as i32);
    let d = Clean::new(c);
    root.fill(&WHITE)?;
    let header = draw_header(root, c, &d, w)?.min(h / 2);
    let (_, body) = root.split_vertically(header);

    let pts = d.points();
    let (x0, x1) = time_span(c.period, &pts, 60.0);
    let (xa, xb) = (x0 - (x1 - x0) * 0.03, x1 + (x1 - x0) * 0.03);
    let (ya, yb) = padded(&pts.iter().map(|p| p.1).collect::<Vec<_>>(), 0.12);

    let plot_h = f64::from(h - header - 36);
    let y_labels = (plot_h / 50.0).clamp(3.0, 8.0) as usize;
    // plotters steps ticks by 1, 2 or 5 × 10^k, at least span / count apart,
    // so this many decimals shows every tick exactly.
    let dec = decimals_for((yb - ya) / y_labels as f64);
    let fy = |v: &f64| fmt_num(*v, dec);
    let widest = fy(&ya).len().max(fy(&yb).len()) as f64;
    // The rotated description, a gap, plotters' tick-to-label distance, the labels.
    let ylab = 20 + 6 + 12 + (widest * 0.6 * 12.0) as i32;
    let (ticks, bounds, quarterly) = x_ticks(xa, xb, f64::from(w - ylab - 26));
    let fx = |x: &f64| x_label(*x, quarterly);

    let mut chart = ChartBuilder::on(&body)
        .margin_left(8)
        .margin_right(18)
        .margin_top(6)
        .margin_bottom(4)
        .x_label_area_size(26)
        .y_label_area_size(ylab)
        .build_cartesian_2d(TimeAxis(xa..xb, ticks), ya..yb)?;
    let desc = if c.unit.is_empty() { "数值".into() } else { format!("数值({})", c.unit) };
    let desc_px = (0.9 * plot_h / text_width(&desc, 1.0)).clamp(9.0, 12.5);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(C_GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(C_AXIS)
        .y_labels(y_labels)
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .label_style(font(12.0).color(&C_MUTED))
        .axis_desc_style(font(desc_px).color(&C_TEXT))
        .y_desc(desc)
        .draw()?;
    if let Some(((a, b), _)) = &d.earlier {
        let (a, b) = (a.max(xa), b.min(xb));
        if a < b {
            chart.draw_series([Rectangle::new([(a, ya), (b, yb)], C_MUTED.mix(0.12).filled())])?;
        }
    }
    let vline = |x: f64| PathElement::new(vec![(x, ya), (x, yb)], C_GRID);
    chart.draw_series(bounds.into_iter().map(vline))?;

    // Labels and markers go on the root in pixels: composed plotters elements
    // cannot be named in a helper's signature.
    let plot = chart.plotting_area().clone();
    let px = |p: Pt| plot.map_coordinate(&p);
    let (top, bottom) = (plot.get_pixel_range().1.start, plot.get_pixel_range().1.end);
    // A label `gap` px above or below a point, flipped if it would leave the plot.
    let note = |c: &RGBColor, h, (x, y): (i32, i32), above: bool, gap: i32, text: String| {
        let above = if above { y - gap - 16 >= top } else { y + gap + 16 > bottom };
        let (v, y) = if above { (VPos::Bottom, y - gap) } else { (VPos::Top, y + gap) };
        let style = font(12.0).color(c).pos(Pos::new(h, v));
        root.draw(&Text::new(text, (x, y), style))
    };
    if pts.is_empty() {
        let style = font(14.0).color(&C_MUTED).pos(Pos::new(HPos::Center, VPos::Center));
        let centre = px(((xa + xb) / 2.0, (ya + yb) / 2.0));
        root.draw(&Text::new("暂无数据", centre, style))?;
    }
    // Labels go on the side where "better" lies: the data rarely goes there.
    let up = !c.lower_is_better;
    if let Some((t, lo, hi)) = d.target {
        let hline = |v: f64, s: ShapeStyle| PathElement::new(vec![(xa, v), (xb, v)], s);
        let text = if hi > lo {
            let band = Rectangle::new([(xa, lo), (xb, hi)], C_TARGET.mix(0.15).filled());
            chart.draw_series([band])?;
            chart.draw_series([lo, hi].map(|v| hline(v, C_TARGET.mix(0.8).into())))?;
            let tick = PathElement::new(vec![(t, lo), (t, hi)], C_TARGET.stroke_width(4));
            chart.draw_series([tick])?;
            format!("目标 {}–{}", fmt_num(lo, 2), fmt_num(hi, 2))
        } else {
            chart.draw_series([hline(lo, C_TARGET.stroke_width(2))])?;
            chart.draw_series([TriangleMarker::new((t, lo), 7, C_TARGET.filled())])?;
            format!("目标 {}", fmt_num(lo, 2))
        };
        let (x, y) = px((xa, if up { hi } else { lo }));
        note(&C_TARGET, HPos::Left, (x + 6, y), up, 4, text)?;
    }
    if !d.expected.is_empty() {
        let path = &d.expected;
        chart.draw_series([PathElement::new(path.clone(), C_EXPECTED.stroke_width(2))])?;
        // The year ends of an annual metric's path: where its figures will be judged.
        let inner = &path[1..path.len() - 1];
        chart.draw_series(inner.iter().map(|&p| Circle::new(p, 4, WHITE.filled())))?;
        chart.draw_series(inner.iter().map(|&p| Circle::new(p, 4, C_EXPECTED.stroke_width(2))))?;
    }
    if let Some(seg) = d.projection {
        chart.draw_series(DashedLineSeries::new(seg, 7, 5, C_PROJ.stroke_width(2)))?;
    }
    if let (Some(((a, b), old)), Some(e)) = (&d.earlier, &c.earlier) {
        chart.draw_series(LineSeries::new(old.clone(), C_MUTED.stroke_width(2)))?;
        chart.draw_series(old.iter().map(|&p| Circle::new(p, 3, C_MUTED.filled())))?;
        let (x, _) = px(((a.max(xa) + b.min(xb)) / 2.0, yb));
        let style = font(12.0).color(&C_MUTED).pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(e.label.to_owned(), (x, top + 4), style))?;
    }
    let values = &d.values;
    chart.draw_series(LineSeries::new(values.clone(), C_VALUES.stroke_width(2)))?;
    chart.draw_series(values.iter().map(|&p| Circle::new(p, 5, WHITE.filled())))?;
    chart.draw_series(values.iter().map(|&p| Circle::new(p, 4, C_VALUES.filled())))?;
    if let Some(&(x, v)) = values.last() {
        note(&C_VALUES, HPos::Center, px((x, v)), true, 8, fmt_num(v, 2))?;
    }
    if let Some((x, v)) = d.baseline {
        let (x, y) = px((x, v));
        square(root, (x, y))?;
        note(&C_BASE, HPos::Left, (x - 4, y), !up, 9, fmt_num(v, 2))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_valid, attr, d, elements, hex, num, points, texts, values};
    use super::*;

    const TITLE: &str = "强对流天气预警时间提前量";

    /// A quarterly metric's trajectory: baseline to target.
    const LINE: [(NaiveDate, f64); 2] = [(date(2020, 12, 31), 37.0), (date(2025, 12, 31), 48.0)];

    const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        match NaiveDate::from_ymd_opt(y, m, d) {
            Some(d) => d,
            None => panic!("a date"),
        }
    }

    fn sample(values: &[(NaiveDate, f64)]) -> MetricChart<'_> {
        MetricChart {
            title: TITLE,
            unit: "分钟",
            lower_is_better: false,
            period: (d(2021, 1, 1), d(2025, 12, 31)),
            baseline: Some((d(2020, 12, 31), 37.0)),
            target: Some((d(2025, 12, 31), 48.0, 48.0)),
            values,
            expected: &LINE,
            projection: Some(((d(2023, 9, 30), 44.0), (d(2025, 12, 31), 49.5))),
            earlier: None,
            width: 720,
            height: 380,
        }
    }

    #[test]
    fn an_earlier_plan_is_shaded_labelled_and_drawn_on_the_same_axis() {
        let old = [(d(2019, 12, 31), 30.0), (d(2020, 12, 31), 37.0)];
        let v = values();
        let mut c = sample(&v);
        c.earlier = Some(Earlier { label: "十三五", period: (d(2016, 1, 1), d(2020, 12, 31)), values: &old });
        let svg = metric_chart(&c);
        assert_valid(&svg);
        let all = texts(&svg);
        assert!(all.iter().any(|t| t == "十三五"), "{all:?}");
        assert!(all.iter().any(|t| t == "十三五报告值"), "{all:?}");
        assert!(all.iter().any(|t| t == "2017"), "the axis reaches back into the older plan: {all:?}");
        assert!(!texts(&metric_chart(&sample(&v))).iter().any(|t| t.contains("十三五")));
    }

    #[test]
    fn title_is_real_text_and_accessible_name() {
        let v = values();
        let svg = metric_chart(&sample(&v));
        assert_valid(&svg);
        assert!(texts(&svg).iter().any(|t| t == TITLE));
        assert!(svg.contains(&format!("aria-label=\"{TITLE}\"")));
        let all = texts(&svg);
        for name in ["基期值", "报告值", "目标值", "时序进度", "趋势预测", "数值(分钟)"] {
            assert!(all.iter().any(|t| t == name), "missing {name} in {all:?}");
        }
        for year in ["2021", "2022", "2025"] {
            assert!(all.iter().any(|t| t == year), "missing x label {year}");
        }
        assert!(!all.iter().any(|t| t.contains("越低越好")));
    }

    #[test]
    fn legend_lists_only_present_series_and_notes_direction() {
        let mut c = sample(&[]);
        c.expected = &[];
        c.projection = None;
        c.lower_is_better = true;
        let all = texts(&metric_chart(&c));
        assert!(all.iter().any(|t| t == "基期值"));
        assert!(all.iter().any(|t| t.contains("越低越好")));
        for absent in ["报告值", "时序进度", "趋势预测"] {
            assert!(!all.iter().any(|t| t == absent), "{absent} should be absent");
        }
    }

    #[test]
    fn range_target_is_a_filled_band_single_target_is_not() {
        let v = values();
        let band_rects = |svg: &str| {
            elements(svg, "rect", &hex(C_TARGET))
                .into_iter()
                .filter(|l| attr(l, "opacity") == Some("0.15"))
                .filter(|l| num(l, "width") > 200 && num(l, "height") > 5)
                .count()
        };
        let mut c = sample(&v);
        c.target = Some((d(2025, 12, 31), 50.0, 45.0)); // reversed on purpose
        let svg = metric_chart(&c);
        assert_valid(&svg);
        assert_eq!(band_rects(&svg), 1);
        assert!(texts(&svg).iter().any(|t| t == "目标 45–50"));
        assert_eq!(band_rects(&metric_chart(&sample(&v))), 0);
    }

    #[test]
    fn an_annual_trajectory_runs_through_its_year_ends_each_marked() {
        let v = values();
        let expected = hex(C_EXPECTED);
        let path_points = |svg: &str| elements(svg, "polyline", &expected).iter().map(|l| points::<f64>(l).len()).max();
        let dots = |svg: &str| elements(svg, "circle", &expected).len();
        let quarterly = metric_chart(&sample(&v));
        assert_eq!((path_points(&quarterly), dots(&quarterly)), (Some(2), 0), "a straight line, no dots");

        let years: Vec<(NaiveDate, f64)> =
            (2020..=2025).map(|y| (d(y, 12, 31), 37.0 + 2.2 * f64::from(y - 2020))).collect();
        let annual = metric_chart(&MetricChart { expected: &years, ..sample(&v) });
        assert_valid(&annual);
        assert_eq!(path_points(&annual), Some(6), "baseline and five year ends");
        // 2021–2024 marked; the baseline and the target have their own marks.
        assert_eq!(dots(&annual), 4);
        let xs: Vec<f64> = elements(&annual, "circle", &expected).iter().map(|l| num(l, "cx") as f64).collect();
        assert!(xs.windows(2).all(|w| w[1] - w[0] > 50.0), "a year apart: {xs:?}");
    }

    #[test]
    fn projection_is_dashed() {
        let v = values();
        let proj = hex(C_PROJ);
        let with = metric_chart(&sample(&v));
        let dashes = elements(&with, "polyline", &proj);
        // The legend sample is 3 dashes; the projection across two years many more.
        assert!(dashes.len() > 10, "{} dashes", dashes.len());
        for l in &dashes {
            let pts: Vec<(f64, f64)> = points(l);
            let (a, b) = (pts[0], pts[pts.len() - 1]);
            assert!((b.0 - a.0).hypot(b.1 - a.1) <= 9.0, "dash too long: {l}");
        }
        let mut c = sample(&v);
        c.projection = None;
        assert!(elements(&metric_chart(&c), "polyline", &proj).is_empty());
    }

    #[test]
    fn degenerate_inputs_give_valid_svg() {
        let v = values();
        let one = [(d(2022, 6, 30), 40.0)];
        let flat = [(d(2021, 12, 31), 12.0), (d(2022, 12, 31), 12.0)];
        let tiny = [(d(2021, 12, 31), 0.0), (d(2022, 12, 31), 1e-300)];
        let bad = [(d(2021, 12, 31), f64::NAN), (d(2022, 12, 31), f64::INFINITY), (d(2023, 12, 31), -1e300)];
        let s = || sample(&v);
        let bad_path = [(d(2020, 12, 31), f64::NAN), (d(2025, 12, 31), 1.0)];
        let one_point = [(d(2020, 12, 31), 1.0)];
        let (t, period_end) = (d(2025, 12, 31), d(2025, 12, 31));
        let cases = [
            MetricChart { values: &[], ..s() },
            MetricChart { values: &[], baseline: None, target: None, expected: &[], projection: None, ..s() },
            MetricChart { baseline: None, ..s() },
            MetricChart { target: None, ..s() },
            MetricChart { values: &one, ..s() },
            MetricChart { values: &flat, baseline: None, target: None, ..s() },
            MetricChart {
                values: &bad,
                baseline: Some((d(2020, 12, 31), f64::NAN)),
                target: Some((t, f64::NEG_INFINITY, f64::NAN)),
                expected: &bad_path,
                ..s()
            },
            MetricChart { period: (period_end, d(2021, 1, 1)), ..s() },
            MetricChart { period: (t, t), ..s() },
            MetricChart { values: &tiny, baseline: None, target: None, expected: &[], projection: None, ..s() },
            MetricChart { expected: &one_point, ..s() },
            MetricChart { width: 0, height: 0, ..s() },
            MetricChart { width: u32::MAX, height: 1, ..s() },
            MetricChart { lower_is_better: true, ..s() },
            MetricChart { title: "", unit: "", ..s() },
            MetricChart { target: Some((t, 1e11, -1e11)), ..s() },
            MetricChart { baseline: Some((NaiveDate::MIN, 1.0)), ..s() },
            MetricChart { projection: Some(((NaiveDate::MIN, 1.0), (NaiveDate::MAX, 2.0))), ..s() },
        ];
        for c in &cases {
            assert_valid(&metric_chart(c));
        }
        let empty = metric_chart(&cases[1]);
        assert!(texts(&empty).iter().any(|t| t == "暂无数据"));
        // A lone value still gets its point and label.
        assert!(texts(&metric_chart(&cases[4])).iter().any(|t| t == "40"));
    }

    #[test]
    fn inserted_text_is_escaped() {
        let mut c = sample(&[]);
        c.title = "A&B <\"x\">";
        let svg = metric_chart(&c);
        assert_valid(&svg);
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"A&amp;B &lt;&quot;x&quot;&gt;\" "));
    }
}
