//! SVG charts for plan metrics: the full progress chart of one metric and the
//! compact bullet graph used on the dashboard.
//!
//! Everything here is pure: plain data in, a self-contained `<svg>` string out,
//! ready to be inlined into a page. Text is emitted as real SVG `<text>` with a
//! generic `sans-serif` family so the browser picks a CJK font; no font files
//! are needed at build or run time.

use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Input for the full progress chart of one metric.
pub struct MetricChart<'a> {
    /// Chinese metric name, shown as the chart title and used as its accessible name.
    pub title: &'a str,
    /// Unit shown in the y axis description, e.g. "分钟", "%", "个".
    pub unit: &'a str,
    /// Only annotates the axis; the scale itself is never reversed here.
    pub lower_is_better: bool,
    /// Plan period; the x axis covers the baseline date (or period start) to period end.
    pub period: (NaiveDate, NaiveDate),
    /// Baseline (date, value), e.g. (2020-12-31, 37.0).
    pub baseline: Option<(NaiveDate, f64)>,
    /// (target date, low, high); low == high for a single value, otherwise drawn as a band.
    pub target: Option<(NaiveDate, f64, f64)>,
    /// Reported values at quarter-end dates, sorted by date.
    pub values: &'a [(NaiveDate, f64)],
    /// Expected time-linear trajectory, baseline → target.
    pub expected: Option<((NaiveDate, f64), (NaiveDate, f64))>,
    /// Trend projection from the last value to the target date, drawn dashed.
    pub projection: Option<((NaiveDate, f64), (NaiveDate, f64))>,
    /// Size in pixels; also sets the `viewBox`, so the SVG scales with CSS.
    pub width: u32,
    /// Size in pixels.
    pub height: u32,
}

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
    /// Size in pixels, e.g. 240×28.
    pub width: u32,
    /// Size in pixels.
    pub height: u32,
    /// Accessible text, e.g. "基期 37,目标 48,最新 44,预期 42".
    pub label: String,
}

// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
const C_VALUES: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const C_TARGET: RGBColor = RGBColor(0x00, 0x9E, 0x73);
const C_PROJ: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const C_EXPECTED: RGBColor = RGBColor(0x88, 0x88, 0x88);
const C_BASE: RGBColor = RGBColor(0x33, 0x33, 0x33);
const C_TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const C_MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const C_GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
const C_AXIS: RGBColor = RGBColor(0x99, 0x99, 0x99);

// Bullet palette.
const B_BG: RGBColor = RGBColor(0xE8, 0xEB, 0xEF);
const B_BAND: RGBColor = RGBColor(0xA8, 0xD8, 0xBF);
const B_TARGET: RGBColor = RGBColor(0x1B, 0x7F, 0x4C);
const B_BASE: RGBColor = RGBColor(0x55, 0x55, 0x55);
const B_GOOD: RGBColor = RGBColor(0x1F, 0x4E, 0x79);
const B_BAD: RGBColor = RGBColor(0xB3, 0x54, 0x1E);
const B_EXPECTED: RGBColor = RGBColor(0x11, 0x11, 0x11);

const FAMILY: &str = "sans-serif";

/// Values beyond this are treated like NaN: padding and plotters' tick search
/// would otherwise overflow to infinity.
const MAX_ABS: f64 = 1e12;

/// A font whose rendered size is `px`: the SVG backend writes `size / 1.24`.
fn font(px: f64) -> FontDesc<'static> {
    (FAMILY, px * 1.24).into_font()
}

/// Rendered text width. plotters' own estimate counts UTF-8 bytes, which
/// makes every Chinese character look about twice as wide as it is.
fn text_width(s: &str, px: f64) -> f64 {
    s.chars().map(char_width).sum::<f64>() * px
}

/// Width in ems: CJK is square, Latin digits and letters about 0.6.
fn char_width(c: char) -> f64 {
    if c.is_ascii() { 0.6 } else { 1.0 }
}

fn sane(v: f64) -> Option<f64> {
    (v.is_finite() && v.abs() <= MAX_ABS).then_some(v)
}

fn day(d: NaiveDate) -> f64 {
    f64::from(d.num_days_from_ce())
}

fn date_of(x: f64) -> Option<NaiveDate> {
    if !x.is_finite() || x.abs() > f64::from(i32::MAX) {
        return None;
    }
    NaiveDate::from_num_days_from_ce_opt(x.round() as i32)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Makes the root element an image with an accessible name and, when given,
/// a `<title>` child (browsers show it as a tooltip).
fn finish_svg(svg: String, label: &str, title: bool) -> String {
    let label = escape(label);
    let Some(open_end) = svg.find('>') else {
        return svg;
    };
    let mut out = String::with_capacity(svg.len() + 2 * label.len() + 64);
    out.push_str("<svg role=\"img\" aria-label=\"");
    out.push_str(&label);
    out.push('"');
    out.push_str(svg[..=open_end].trim_start_matches("<svg"));
    if title {
        out.push_str("\n<title>");
        out.push_str(&label);
        out.push_str("</title>");
    }
    out.push_str(&svg[open_end + 1..]);
    out
}

/// Number formatting for labels: at most `dec` decimals, no trailing zeros.
fn fmt_num(v: f64, dec: usize) -> String {
    let s = format!("{v:.dec$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// Decimals needed to tell apart ticks spaced `step` apart.
fn decimals_for(step: f64) -> usize {
    if !(step > 0.0) {
        return 0;
    }
    (-step.log10().floor()).clamp(0.0, 4.0) as usize
}

/// Padded y range containing every value; never of zero height.
fn y_range(vals: &[f64]) -> (f64, f64) {
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo > hi {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let pad = if span <= hi.abs().max(lo.abs()) * 1e-9 {
        (hi.abs() * 0.1).max(1.0)
    } else {
        span * 0.12
    };
    // A count or percentage axis dipping below zero only looks wrong.
    let bottom = if lo >= 0.0 {
        (lo - pad).max(0.0)
    } else {
        lo - pad
    };
    (bottom, hi + pad)
}

type Pt = (f64, f64);

/// The input with bad numbers dropped and dates turned into day numbers.
struct Clean {
    baseline: Option<Pt>,
    target: Option<(f64, f64, f64)>,
    values: Vec<Pt>,
    expected: Option<[Pt; 2]>,
    projection: Option<[Pt; 2]>,
}

impl Clean {
    fn new(c: &MetricChart) -> Self {
        let pt = |(d, v): (NaiveDate, f64)| sane(v).map(|v| (day(d), v));
        let seg = |s: Option<((NaiveDate, f64), (NaiveDate, f64))>| {
            s.and_then(|(a, b)| Some([pt(a)?, pt(b)?]))
        };
        let target = c.target.and_then(|(d, a, b)| {
            let (lo, hi) = match (sane(a), sane(b)) {
                (Some(a), Some(b)) => (a.min(b), a.max(b)),
                (Some(v), None) | (None, Some(v)) => (v, v),
                (None, None) => return None,
            };
            Some((day(d), lo, hi))
        });
        Clean {
            baseline: c.baseline.and_then(pt),
            target,
            values: c.values.iter().copied().filter_map(pt).collect(),
            expected: seg(c.expected),
            projection: seg(c.projection),
        }
    }

    fn points(&self) -> Vec<Pt> {
        let mut all: Vec<Pt> = self.values.clone();
        all.extend(self.baseline);
        if let Some((d, lo, hi)) = self.target {
            all.extend([(d, lo), (d, hi)]);
        }
        all.extend(self.expected.iter().flatten());
        all.extend(self.projection.iter().flatten());
        all
    }
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Res = Result<(), Box<dyn std::error::Error>>;

#[derive(Clone, Copy)]
enum Swatch {
    Baseline,
    Values,
    TargetLine,
    TargetBand,
    Expected,
    Projection,
}

/// A 22 px legend sample, vertically centred on `y`.
fn draw_swatch(area: &Area, kind: Swatch, x: i32, y: i32) -> Res {
    let line = |c: RGBColor, w: u32| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(w));
    match kind {
        Swatch::Baseline => area.draw(&Rectangle::new(
            [(x + 6, y - 5), (x + 16, y + 5)],
            C_BASE.filled(),
        ))?,
        Swatch::Values => {
            area.draw(&line(C_VALUES, 2))?;
            area.draw(&Circle::new((x + 11, y), 4, C_VALUES.filled()))?;
        }
        Swatch::TargetLine => area.draw(&line(C_TARGET, 2))?,
        Swatch::TargetBand => {
            let band = Rectangle::new([(x, y - 6), (x + 22, y + 6)], C_TARGET.mix(0.18).filled());
            area.draw(&band)?;
            area.draw(&Rectangle::new([(x, y - 6), (x + 22, y + 6)], C_TARGET))?;
        }
        Swatch::Expected => area.draw(&line(C_EXPECTED, 2))?,
        Swatch::Projection => {
            for dx in [0, 9, 18] {
                let seg = vec![(x + dx, y), (x + dx + 5, y)];
                area.draw(&PathElement::new(seg, C_PROJ.stroke_width(2)))?;
            }
        }
    }
    Ok(())
}

/// Lays the legend out in rows under the title and returns the header height.
/// Done by hand because plotters sizes its legend box from byte counts.
fn draw_header(
    root: &Area,
    c: &MetricChart,
    d: &Clean,
    width: i32,
) -> Result<i32, Box<dyn std::error::Error>> {
    let avail = f64::from(width - 24);
    let tpx = (17.0 * avail / text_width(c.title, 17.0)).clamp(11.0, 17.0);
    // Too long even when shrunk: cut it; the aria-label keeps the full name.
    let mut title = c.title.to_string();
    if text_width(c.title, tpx) > avail {
        let mut used = tpx;
        title = c
            .title
            .chars()
            .take_while(|&ch| {
                used += char_width(ch) * tpx;
                used <= avail
            })
            .collect::<String>()
            + "…";
    }
    let title_style = font(tpx)
        .style(FontStyle::Bold)
        .color(&C_TEXT)
        .pos(Pos::new(HPos::Left, VPos::Top));
    root.draw(&Text::new(title, (12, 10), title_style))?;

    let mut entries = Vec::new();
    if d.baseline.is_some() {
        entries.push((Some(Swatch::Baseline), "基期值"));
    }
    if !d.values.is_empty() {
        entries.push((Some(Swatch::Values), "报告值"));
    }
    if let Some((_, lo, hi)) = d.target {
        let kind = if hi > lo {
            Swatch::TargetBand
        } else {
            Swatch::TargetLine
        };
        entries.push((Some(kind), "目标值"));
    }
    if d.expected.is_some() {
        entries.push((Some(Swatch::Expected), "时序进度"));
    }
    if d.projection.is_some() {
        entries.push((Some(Swatch::Projection), "趋势预测"));
    }
    if c.lower_is_better {
        entries.push((None, "↓ 越低越好"));
    }

    let lpx = 12.5;
    let style = font(lpx)
        .color(&C_TEXT)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let row0 = 10 + tpx.ceil() as i32 + 16;
    let (mut x, mut y) = (12, row0);
    for (kind, text) in entries {
        let tw = text_width(text, lpx).ceil() as i32;
        let w = if kind.is_some() { 28 + tw + 18 } else { tw };
        if x > 12 && x + w > width - 12 {
            x = 12;
            y += 22;
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

/// X tick positions (mid-year or mid-quarter, so each label names the span
/// above it), year boundaries for grid lines, and whether ticks are quarters.
fn x_ticks(xa: f64, xb: f64, plot_w: f64) -> (Vec<f64>, Vec<f64>, bool) {
    let (Some(da), Some(db)) = (date_of(xa), date_of(xb)) else {
        return (vec![], vec![], false);
    };
    let span = (xb - xa).max(1.0);
    let quarterly = span < 800.0;
    let (unit_days, label_px) = if quarterly {
        (91.3, 60.0)
    } else {
        (365.25, 44.0)
    };
    let stride = (label_px / (plot_w.max(1.0) * unit_days / span))
        .ceil()
        .max(1.0) as i32;
    let inside = |d: Option<NaiveDate>| d.map(day).filter(|x| (xa..=xb).contains(x));
    let mut ticks = Vec::new();
    let mut bounds = Vec::new();
    for y in da.year()..=db.year() {
        if quarterly {
            for q in 0..4 {
                if (y * 4 + q).rem_euclid(stride) == 0 {
                    ticks.extend(inside(NaiveDate::from_ymd_opt(y, q as u32 * 3 + 2, 15)));
                }
            }
        } else if y.rem_euclid(stride) == 0 {
            ticks.extend(inside(NaiveDate::from_ymd_opt(y, 7, 2)));
        }
        if y.rem_euclid(if quarterly { 1 } else { stride }) == 0 {
            bounds.extend(inside(NaiveDate::from_ymd_opt(y, 1, 1)));
        }
    }
    (ticks, bounds, quarterly)
}

/// The time axis in day numbers with our own ticks. `WithKeyPoints` over
/// `f64` would do, but plotters gives it no label formatter impl.
struct TimeAxis {
    start: f64,
    end: f64,
    ticks: Vec<f64>,
}

impl Ranged for TimeAxis {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, v: &f64, (p0, p1): (i32, i32)) -> i32 {
        let t = (v - self.start) / (self.end - self.start);
        let t = if t.is_finite() {
            t.clamp(-1.0, 2.0)
        } else {
            0.5
        };
        p0 + (f64::from(p1 - p0) * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            vec![]
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.start..self.end
    }
}

fn x_label(x: f64, quarterly: bool) -> String {
    match date_of(x) {
        Some(d) if quarterly => format!("{}Q{}", d.year(), d.month0() / 3 + 1),
        Some(d) => d.year().to_string(),
        None => String::new(),
    }
}

/// Renders the full progress chart of one metric as an SVG document.
///
/// Never panics: non-finite numbers are skipped, and missing series are
/// simply left out (with their legend entries).
pub fn metric_chart(c: &MetricChart) -> String {
    let size = (c.width.clamp(240, 4000), c.height.clamp(160, 4000));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        // A drawing error still leaves well-formed SVG (the backend closes its
        // tags on drop), and a partial chart is the best there is to show.
        let _ = draw_metric(&root, c, size);
        let _ = root.present();
    }
    finish_svg(svg, c.title, false)
}

fn draw_metric(root: &Area, c: &MetricChart, (w, h): (u32, u32)) -> Res {
    let d = Clean::new(c);
    root.fill(&WHITE)?;
    let header = draw_header(root, c, &d, w as i32)?;
    let (_, body) = root.split_vertically(header.min(h as i32 / 2));

    let pts = d.points();
    let (p0, p1) = (day(c.period.0), day(c.period.1));
    let xs = pts.iter().map(|p| p.0);
    let x0 = xs.clone().fold(p0.min(p1), f64::min);
    let x1 = xs.fold(p0.max(p1), f64::max).max(x0 + 60.0);
    let xpad = (x1 - x0) * 0.03;
    let (xa, xb) = (x0 - xpad, x1 + xpad);
    let (ya, yb) = y_range(&pts.iter().map(|p| p.1).collect::<Vec<_>>());

    let plot_h = f64::from(h as i32 - header - 36);
    let y_labels = (plot_h / 40.0).clamp(3.0, 10.0) as usize;
    // plotters steps ticks by 1, 2 or 5 × 10^k, at least span / count apart,
    // so this many decimals shows every tick exactly.
    let dec = decimals_for((yb - ya) / y_labels as f64);
    let fy = |v: &f64| fmt_num(*v, dec);
    let label_chars = fy(&ya).len().max(fy(&yb).len());
    let ylab = 20 + 6 + (text_width(&"0".repeat(label_chars), 12.0) as i32) + 12;
    let plot_w = f64::from(w as i32 - ylab - 26);
    let (ticks, bounds, quarterly) = x_ticks(xa, xb, plot_w);
    let fx = |x: &f64| x_label(*x, quarterly);

    let mut chart = ChartBuilder::on(&body)
        .margin_left(8)
        .margin_right(18)
        .margin_top(6)
        .margin_bottom(4)
        .x_label_area_size(26)
        .y_label_area_size(ylab)
        .build_cartesian_2d(
            TimeAxis {
                start: xa,
                end: xb,
                ticks,
            },
            ya..yb,
        )?;

    let desc = if c.unit.is_empty() {
        "数值".to_string()
    } else {
        format!("数值({})", c.unit)
    };
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
    chart.draw_series(
        bounds
            .iter()
            .map(|&x| PathElement::new(vec![(x, ya), (x, yb)], C_GRID)),
    )?;

    let note = font(12.0).color(&C_MUTED);
    if pts.is_empty() {
        let (px, py) = chart.backend_coord(&((xa + xb) / 2.0, (ya + yb) / 2.0));
        let style = font(14.0)
            .color(&C_MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new("暂无数据", (px, py), style))?;
    }
    if let Some((t, lo, hi)) = d.target {
        if hi > lo {
            let band = Rectangle::new([(xa, lo), (xb, hi)], C_TARGET.mix(0.15).filled());
            chart.draw_series([band])?;
            chart.draw_series(
                [lo, hi].map(|v| PathElement::new(vec![(xa, v), (xb, v)], C_TARGET.mix(0.8))),
            )?;
            chart.draw_series([PathElement::new(
                vec![(t, lo), (t, hi)],
                C_TARGET.stroke_width(4),
            )])?;
        } else {
            chart.draw_series([PathElement::new(
                vec![(xa, lo), (xb, lo)],
                C_TARGET.stroke_width(2),
            )])?;
            chart.draw_series([TriangleMarker::new((t, lo), 7, C_TARGET.filled())])?;
        }
        // Put the label on the far side of the target, where the data rarely is.
        let text = if hi > lo {
            format!("目标 {}–{}", fmt_num(lo, 2), fmt_num(hi, 2))
        } else {
            format!("目标 {}", fmt_num(lo, 2))
        };
        let (v, vpos, dy) = if c.lower_is_better {
            (lo, VPos::Top, 4)
        } else {
            (hi, VPos::Bottom, -4)
        };
        let (px, py) = chart.backend_coord(&(xa, v));
        let style = note.color(&C_TARGET).pos(Pos::new(HPos::Left, vpos));
        root.draw(&Text::new(text, (px + 6, py + dy), style))?;
    }
    if let Some(seg) = d.expected {
        chart.draw_series([PathElement::new(seg.to_vec(), C_EXPECTED.stroke_width(2))])?;
    }
    if let Some(seg) = d.projection {
        chart.draw_series(DashedLineSeries::new(
            seg,
            7,
            5,
            C_PROJ.stroke_width(2).into(),
        ))?;
    }
    if !d.values.is_empty() {
        chart.draw_series(LineSeries::new(d.values.clone(), C_VALUES.stroke_width(2)))?;
        chart.draw_series(d.values.iter().map(|&p| Circle::new(p, 5, WHITE.filled())))?;
        chart.draw_series(
            d.values
                .iter()
                .map(|&p| Circle::new(p, 4, C_VALUES.filled())),
        )?;
    }
    if let Some(&(x, v)) = d.values.last() {
        let (px, py) = chart.backend_coord(&(x, v));
        let style = note
            .color(&C_VALUES)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        root.draw(&Text::new(fmt_num(v, 2), (px, py - 8), style))?;
    }
    if let Some((x, v)) = d.baseline {
        // A square keeps the baseline apart from the round reported values
        // even without colour.
        let (px, py) = chart.backend_coord(&(x, v));
        root.draw(&Rectangle::new(
            [(px - 5, py - 5), (px + 5, py + 5)],
            WHITE.filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(px - 4, py - 4), (px + 4, py + 4)],
            C_BASE.filled(),
        ))?;
        let (vpos, dy) = if c.lower_is_better {
            (VPos::Bottom, -9)
        } else {
            (VPos::Top, 9)
        };
        let style = note.color(&C_BASE).pos(Pos::new(HPos::Left, vpos));
        root.draw(&Text::new(fmt_num(v, 2), (px - 4, py + dy), style))?;
    }
    Ok(())
}

/// Renders the compact dashboard bullet graph as an SVG document.
///
/// The scale runs from worse (left) to better (right), so it is reversed when
/// lower is better. With nothing to show it is just the muted background.
pub fn bullet(b: &Bullet) -> String {
    let size = (b.width.clamp(40, 2000), b.height.clamp(8, 400));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        // See metric_chart: a partial drawing is still valid SVG.
        let _ = draw_bullet(&root, b, size);
        let _ = root.present();
    }
    finish_svg(svg, &b.label, true)
}

fn draw_bullet(root: &Area, b: &Bullet, (w, h): (u32, u32)) -> Res {
    root.fill(&B_BG)?;
    let base = b.baseline.and_then(sane);
    let latest = b.latest.and_then(sane);
    let expected = b.expected.and_then(sane);
    let target = b.target.and_then(|(a, c)| match (sane(a), sane(c)) {
        (Some(a), Some(c)) => Some((a.min(c), a.max(c))),
        (Some(v), None) | (None, Some(v)) => Some((v, v)),
        (None, None) => None,
    });
    let mut vals: Vec<f64> = base.into_iter().chain(latest).chain(expected).collect();
    vals.extend(target.iter().flat_map(|&(lo, hi)| [lo, hi]));
    if vals.is_empty() {
        return Ok(());
    }
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = if hi - lo <= hi.abs().max(lo.abs()) * 1e-9 {
        (hi.abs() * 0.1).max(1.0)
    } else {
        (hi - lo) * 0.08
    };
    let (lo, hi) = (lo - pad, hi + pad);
    let (wf, hf) = (f64::from(w), f64::from(h));
    let x = |v: f64| {
        let t = (v - lo) / (hi - lo);
        let t = if b.lower_is_better { 1.0 - t } else { t };
        (3.0 + t * (wf - 6.0)).round() as i32
    };
    let y = |f: f64| (hf * f).round() as i32;
    let h = h as i32;
    let bar = |x0: i32, x1: i32, y0: i32, y1: i32, c: RGBColor| {
        Rectangle::new([(x0.min(x1), y0), (x0.max(x1), y1)], c.filled())
    };

    if let Some((tl, th)) = target {
        let (a, c) = (x(tl).min(x(th)), x(tl).max(x(th)));
        if c - a >= 3 {
            root.draw(&bar(a, c, 0, h, B_BAND))?;
        } else {
            root.draw(&bar(a - 1, a + 2, 0, h, B_TARGET))?;
        }
    }
    if let Some(v) = latest {
        // From the baseline when known, so the bar's length is the progress made.
        let from = base.map_or(3, x);
        let to = x(v);
        let worse = base.is_some_and(|bv| if b.lower_is_better { v > bv } else { v < bv });
        let color = if worse { B_BAD } else { B_GOOD };
        let to = if (to - from).abs() < 2 { from + 2 } else { to };
        root.draw(&bar(from, to, y(0.3), y(0.7), color))?;
    }
    if let Some(v) = base {
        // Split in two so it stays visible where the latest bar starts.
        let bx = x(v);
        root.draw(&bar(bx - 1, bx + 1, 0, y(0.28), B_BASE))?;
        root.draw(&bar(bx - 1, bx + 1, y(0.72), h, B_BASE))?;
    }
    if let Some(v) = expected {
        let ex = x(v);
        root.draw(&bar(ex - 1, ex + 1, y(0.12), y(0.88), B_EXPECTED))?;
    }
    Ok(())
}
