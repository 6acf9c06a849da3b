//! SVG charts for plan metrics, one file each: the full progress chart of one
//! metric ([`metric_chart`]), the dashboard's bullet graph ([`bullet`]), the
//! report row's sparkline ([`sparkline`]) and the report summary's bars per
//! status ([`status_bars`]). This file holds what they share: the palette,
//! number ranges and labels, text widths and the SVG wrapping.
//!
//! Everything here is pure: plain data in, a self-contained `<svg>` string out,
//! ready to be inlined into a page. Text is real SVG `<text>` in the generic
//! `sans-serif` family so the browser picks a CJK font: no font files are
//! needed at build or run time. The two charts the Word report carries are
//! also drawn as PNG by [`png`], with a font the caller found.

use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

mod bullet;
mod metric;
pub mod png;
mod sparkline;
mod status_bars;

pub use bullet::{Bullet, bullet};
pub use metric::{Earlier, MetricChart, metric_chart};
pub use sparkline::{Sparkline, sparkline};
pub use status_bars::{StatusBars, status_bars};

// Okabe–Ito hues: distinguishable with the common colour-vision deficiencies.
const C_VALUES: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const C_TARGET: RGBColor = RGBColor(0x00, 0x9E, 0x73);
const C_PROJ: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const C_EXPECTED: RGBColor = RGBColor(0x88, 0x88, 0x88);
const C_BASE: RGBColor = RGBColor(0x33, 0x33, 0x33);
const C_TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const C_MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const C_GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
const C_AXIS: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// Values beyond this are treated like NaN: padding and plotters' tick search
/// would otherwise overflow to infinity.
const MAX_ABS: f64 = 1e12;

type Area<'a> = On<SVGBackend<'a>>;
/// A drawing surface on any backend: the charts [`png`] draws are generic over it.
type On<DB> = DrawingArea<DB, Shift>;
/// A backend whose drawing errors can travel in [`Res`].
trait Canvas: DrawingBackend<ErrorType: 'static> {}
impl<B: DrawingBackend<ErrorType: 'static>> Canvas for B {}
type Res<T = ()> = Result<T, Box<dyn std::error::Error>>;
type Pt = (f64, f64);

/// A font whose rendered size is `px`: the SVG backend writes `size / 1.24`.
fn font(px: f64) -> FontDesc<'static> {
    ("sans-serif", px * 1.24).into_font()
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

/// An ordered (low, high), or the one usable end twice.
fn sane_range(a: f64, b: f64) -> Option<(f64, f64)> {
    let (a, b) = (sane(a).or(sane(b))?, sane(b).or(sane(a))?);
    Some((a.min(b), a.max(b)))
}

fn day(d: NaiveDate) -> f64 {
    f64::from(d.num_days_from_ce())
}

/// A dated value as a plot point, or `None` for a bad number.
fn point((d, v): (NaiveDate, f64)) -> Option<Pt> {
    sane(v).map(|v| (day(d), v))
}

/// The x range in day numbers: the period (either way round) widened to every
/// point's date, and at least `min_days` wide so the scale never divides by zero.
fn time_span<'p>(period: (NaiveDate, NaiveDate), pts: impl IntoIterator<Item = &'p Pt>, min_days: f64) -> (f64, f64) {
    let (p0, p1) = (day(period.0), day(period.1));
    let (lo, hi) = pts.into_iter().fold((p0.min(p1), p0.max(p1)), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    (lo, hi.max(lo + min_days))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Makes the root element an image with an accessible name and, if asked,
/// a `<title>` child (which browsers also show as a tooltip).
fn finish_svg(svg: String, label: &str, title: bool) -> String {
    let label = escape(label);
    let Some(end) = svg.find('>') else { return svg };
    let (open, rest) = svg.split_at(end + 1);
    let title = if title { format!("\n<title>{label}</title>") } else { String::new() };
    let attrs = open.trim_start_matches("<svg");
    format!("<svg role=\"img\" aria-label=\"{label}\"{attrs}{title}{rest}")
}

/// At most `dec` decimals, without trailing zeros.
fn fmt_num(v: f64, dec: usize) -> String {
    let s = format!("{v:.dec$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
    if s == "-0" { "0".into() } else { s.into() }
}

/// A range holding every value with `frac` of the span as padding; never of
/// zero height.
fn padded(vals: &[f64], frac: f64) -> (f64, f64) {
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo > hi {
        return (0.0, 1.0);
    }
    let flat = hi - lo <= hi.abs().max(lo.abs()) * 1e-9;
    let pad = if flat { (hi.abs() * 0.1).max(1.0) } else { (hi - lo) * frac };
    // A count or a percentage dipping below zero only looks wrong.
    ((lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::MIN }), hi + pad)
}

/// `text` at the largest size from `max_px` down to `min_px` that fits in
/// `avail` px; cut with "…" if it still does not fit (the aria-label keeps the
/// full text).
fn fit_text(text: &str, max_px: f64, min_px: f64, avail: f64) -> (String, f64) {
    let px = (max_px * avail / text_width(text, max_px)).clamp(min_px, max_px);
    let px = if px.is_nan() { max_px } else { px };
    if text_width(text, px) <= avail {
        return (text.to_string(), px);
    }
    // Room for the ellipsis first.
    let mut used = px;
    let fits = |&ch: &char| {
        used += char_width(ch) * px;
        used <= avail
    };
    (text.chars().take_while(fits).chain(['…']).collect(), px)
}

/// The bold title at the top left, shrunk or cut to fit the chart's `width`,
/// and its size in px: one place, so that every chart's title looks alike.
fn title_text(text: &str, max_px: f64, width: i32) -> (Text<'static, (i32, i32), String>, f64) {
    let (text, px) = fit_text(text, max_px, 11.0, f64::from(width - 24));
    let style = font(px).style(FontStyle::Bold).color(&C_TEXT).pos(Pos::new(HPos::Left, VPos::Top));
    (Text::new(text, (12, 10), style), px)
}

/// A fresh SVG document of `size` px with whatever `draw` managed to put in it.
fn render(size: (u32, u32), draw: impl FnOnce(&Area) -> Res) -> String {
    let mut svg = String::new();
    let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
    // A drawing error still leaves well-formed SVG (the backend closes its
    // tags when dropped), and a partial drawing is the best there is to show.
    let _ = draw(&root);
    drop(root);
    svg
}

/// Fixtures and SVG readers for every chart's tests, and the shared helpers' own tests.
#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    pub(super) fn values() -> Vec<(NaiveDate, f64)> {
        vec![(d(2021, 3, 31), 37.5), (d(2021, 12, 31), 39.0), (d(2022, 12, 31), 41.8), (d(2023, 9, 30), 44.0)]
    }

    /// Value of attribute `name` in one emitted element (plotters writes one per line).
    pub(super) fn attr<'s>(line: &'s str, name: &str) -> Option<&'s str> {
        let start = line.find(&format!(" {name}=\""))? + name.len() + 3;
        line[start..].split('"').next()
    }

    pub(super) fn num(line: &str, name: &str) -> i32 {
        attr(line, name).unwrap().parse().unwrap()
    }

    /// The (x, y) pairs of a polyline's `points`.
    pub(super) fn points<T: std::str::FromStr<Err: std::fmt::Debug>>(line: &str) -> Vec<(T, T)> {
        let pair = |p: &str| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        };
        attr(line, "points").unwrap().split_whitespace().map(pair).collect()
    }

    pub(super) fn elements<'s>(svg: &'s str, tag: &str, fill_or_stroke: &str) -> Vec<&'s str> {
        svg.lines()
            .filter(|l| l.starts_with(&format!("<{tag} ")))
            .filter(|l| attr(l, "fill") == Some(fill_or_stroke) || attr(l, "stroke") == Some(fill_or_stroke))
            .collect()
    }

    /// Contents of every `<text>` element.
    pub(super) fn texts(svg: &str) -> Vec<String> {
        svg.split("<text ")
            .skip(1)
            .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim().to_string()))
            .collect()
    }

    pub(super) fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    pub(super) fn assert_valid(svg: &str) {
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\""), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("viewBox=\"0 0 "));
        assert_eq!(svg.matches("<svg").count(), 1);
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn ranges_pad_and_never_collapse() {
        let (lo, hi) = padded(&[37.0, 48.0, 49.5], 0.12);
        assert!(lo < 37.0 && hi > 49.5);
        let (lo, hi) = padded(&[12.0, 12.0], 0.12);
        assert!(lo < 12.0 && hi > 12.0);
        assert_eq!(padded(&[], 0.12), (0.0, 1.0));
        // Non-negative data keeps a non-negative axis.
        assert_eq!(padded(&[0.0, 0.5], 0.12).0, 0.0);
        assert!(padded(&[-3.0, -3.0], 0.12).1 > -3.0);
        assert_eq!(fmt_num(40.0, 1), "40");
        assert_eq!(fmt_num(0.30000000000000004, 2), "0.3");
        assert_eq!(fmt_num(-0.0001, 2), "0");
    }
}
