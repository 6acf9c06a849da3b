//! The report's charts as PNG images, for documents that cannot hold SVG (the Word report):
//! drawn by the very code that draws the SVG, on a bitmap, with text set in a CJK font the
//! caller found at run time ([`Font`]).
//!
//! plotters' own `ab_glyph` feature is not used: it replaces the font layer of every
//! backend, so the SVG charts' text layout would then fail (or change) wherever no font is
//! registered. Here the bitmap backend draws shapes and [`Bitmap`] sets the text itself,
//! positioned as the SVG backend's `<text>` would be (`font-size` = style size / 1.24,
//! anchors by `text-anchor` and `dy`), at [`SCALE`]× the SVG's pixels so that print is sharp.
//!
//! A chart whose text needs a glyph the font lacks is not drawn at all: an image with
//! boxes in place of 中文 is worse than none.

use std::cell::Cell;

use ab_glyph::{Font as _, FontVec, PxScale, ScaleFont, point};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle};

use super::{MetricChart, On, Res, StatusBars};

/// Image pixels per SVG pixel: a 560 px wide chart is 1120 pixels, about 240 dpi when the
/// document shows it 120 mm wide.
pub const SCALE: u32 = 2;

/// Text every chart may carry, which a font must have to draw charts at all.
const SAMPLE: &str = "按状态统计已达标正常推进存在风险明显滞后暂无数据参考指标基期值报告值目标时序进度趋势预测越低越好数值年季度0123456789.%–";

/// A font for the charts' text, read from a file the caller found.
pub struct Font {
    face: FontVec,
    /// The family name the font gives itself, e.g. `WenQuanYi Micro Hei`.
    pub family: String,
    /// Height of a lower-case x in ems, for the SVG's `0.5ex`.
    x_height: f32,
}

impl Font {
    /// Face `index` of the font file `bytes` (a collection holds several), if it is one
    /// with every glyph of [`SAMPLE`]: Chinese labels, digits and signs.
    pub fn from_bytes(bytes: Vec<u8>, index: u32) -> Option<Font> {
        let (family, x_height) = {
            let face = ttf_parser::Face::parse(&bytes, index).ok()?;
            let em = f32::from(face.units_per_em());
            // The English name if there is one: it is the name a README or a log can show.
            let names: Vec<_> = face.names().into_iter().filter(|n| n.name_id == ttf_parser::name_id::FAMILY).collect();
            let english = names.iter().filter(|n| n.language() == ttf_parser::Language::English_UnitedStates);
            let family = english.chain(&names).find_map(|n| n.to_string()).unwrap_or_default();
            (family, face.x_height().map_or(0.5, |h| f32::from(h) / em))
        };
        let face = FontVec::try_from_vec_and_index(bytes, index).ok()?;
        let covers = SAMPLE.chars().all(|c| face.glyph_id(c).0 != 0);
        covers.then_some(Font { face, family, x_height })
    }

    /// `ab_glyph` scales by ascent minus descent; CSS sizes by the em.
    fn scale(&self, em_px: f32) -> PxScale {
        let per_em = self.face.units_per_em().unwrap_or(1000.0);
        PxScale::from(em_px * self.face.height_unscaled() / per_em)
    }
}

/// A PNG image of a chart: `width` × `height` is the chart's size in SVG pixels, the
/// image holds [`SCALE`]× as many in each direction.
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// [`super::status_bars`] as PNG, or `None` if `font` cannot set its text.
pub fn status_bars(b: &StatusBars, font: &Font) -> Option<Png> {
    let size = b.size();
    draw_png(size, font, |root| super::status_bars::draw_status_bars(root, b, size))
}

/// [`super::metric_chart`] as PNG, or `None` if `font` cannot set its text.
pub fn metric_chart(c: &MetricChart, font: &Font) -> Option<Png> {
    let size = c.size();
    draw_png(size, font, |root| super::metric::draw_metric(root, c, size))
}

fn draw_png(size: (u32, u32), font: &Font, draw: impl FnOnce(&On<Bitmap>) -> Res) -> Option<Png> {
    let (w, h) = (size.0 * SCALE, size.1 * SCALE);
    let mut pixels = vec![0xff_u8; (w * h * 3) as usize];
    let missing = Cell::new(false);
    {
        let inner = BitMapBackend::with_buffer(&mut pixels, (w, h));
        let root = Bitmap { inner, font, missing: &missing }.into_drawing_area();
        // Unlike on a page, a half-drawn chart is no use in a document.
        draw(&root).ok()?;
        root.present().ok()?;
    }
    if missing.get() {
        return None;
    }
    let mut bytes = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    // 96 SVG pixels an inch: the size a document shows the image at unless told otherwise.
    let per_metre = (96.0 * f64::from(SCALE) / 0.0254).round() as u32;
    encoder.set_pixel_dims(Some(::png::PixelDimensions { xppu: per_metre, yppu: per_metre, unit: ::png::Unit::Meter }));
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&pixels).ok()?;
    writer.finish().ok()?;
    Some(Png { bytes, width: size.0, height: size.1 })
}

/// The bitmap backend seen at SVG size: coordinates and strokes are scaled up by
/// [`SCALE`], and text is set with [`Font`].
struct Bitmap<'a> {
    inner: BitMapBackend<'a>,
    font: &'a Font,
    /// Set when some text needed a glyph the font does not have.
    missing: &'a Cell<bool>,
}

/// A style with its stroke scaled up by [`SCALE`].
struct Scaled<'s, S>(&'s S);

impl<S: BackendStyle> BackendStyle for Scaled<'_, S> {
    fn color(&self) -> BackendColor {
        self.0.color()
    }

    fn stroke_width(&self) -> u32 {
        self.0.stroke_width() * SCALE
    }
}

fn up((x, y): BackendCoord) -> BackendCoord {
    let k = SCALE as i32;
    (x * k, y * k)
}

type Drawn = Result<(), DrawingErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>>;

impl DrawingBackend for Bitmap<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        let (w, h) = self.inner.get_size();
        (w / SCALE, h / SCALE)
    }

    fn ensure_prepared(&mut self) -> Drawn {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Drawn {
        self.inner.present()
    }

    fn draw_pixel(&mut self, p: BackendCoord, color: BackendColor) -> Drawn {
        let (x, y) = up(p);
        let k = SCALE as i32;
        self.inner.draw_rect((x, y), (x + k - 1, y + k - 1), &color, true)
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Drawn {
        self.inner.draw_line(up(from), up(to), &Scaled(style))
    }

    fn draw_rect<S: BackendStyle>(&mut self, a: BackendCoord, b: BackendCoord, style: &S, fill: bool) -> Drawn {
        // The far edge is inclusive: it ends where the next pixel would begin.
        let k = SCALE as i32;
        let (b0, b1) = up(b);
        let far = if fill { (b0 + k - 1, b1 + k - 1) } else { (b0, b1) };
        self.inner.draw_rect(up(a), far, &Scaled(style), fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Drawn {
        self.inner.draw_path(path.into_iter().map(up), &Scaled(style))
    }

    fn draw_circle<S: BackendStyle>(&mut self, c: BackendCoord, r: u32, style: &S, fill: bool) -> Drawn {
        self.inner.draw_circle(up(c), r * SCALE, &Scaled(style), fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Drawn {
        self.inner.fill_polygon(vert.into_iter().map(up), &Scaled(style))
    }

    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, style: &T, pos: BackendCoord) -> Drawn {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let em = (style.size() / 1.24) as f32 * SCALE as f32;
        let (glyphs, width) = self.layout(text, em);
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        // Where the SVG backend puts the baseline: dy = 0.76em, 0.5ex or -0.5ex.
        let dy = match anchor.v_pos {
            VPos::Top => 0.76 * em,
            VPos::Center => 0.5 * self.font.x_height * em,
            VPos::Bottom => -0.5 * self.font.x_height * em,
        };
        // No bold face to hand: a second pass a little to the right thickens the strokes.
        let passes: &[f32] = match style.style() {
            FontStyle::Bold => &[0.0, em / 24.0],
            _ => &[0.0],
        };
        let (turn, origin) = (style.transform(), up(pos));
        let mut coverage = Vec::new();
        for &shift in passes {
            for g in &glyphs {
                let mut g = g.clone();
                g.position = point(g.position.x + dx + shift, dy);
                let Some(outline) = self.font.face.outline_glyph(g) else { continue };
                let b = outline.px_bounds();
                outline.draw(|x, y, c| coverage.push((b.min.x as i32 + x as i32, b.min.y as i32 + y as i32, c)));
            }
        }
        for (x, y, c) in coverage {
            // Turned about the anchor as the SVG's `rotate(…, x, y)` turns it.
            let (x, y) = turn.transform(x, y);
            let ink = BackendColor { alpha: color.alpha * f64::from(c.min(1.0)), rgb: color.rgb };
            self.inner.draw_pixel((origin.0 + x, origin.1 + y), ink)?;
        }
        Ok(())
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let em = (style.size() / 1.24) as f32;
        let (_, width) = self.layout(text, em);
        Ok((width.ceil() as u32, em.ceil() as u32))
    }
}

impl Bitmap<'_> {
    /// The glyphs of `text` at `em` px on one line from x = 0, and the line's width.
    /// Notes a character the font lacks.
    fn layout(&self, text: &str, em: f32) -> (Vec<ab_glyph::Glyph>, f32) {
        let scale = self.font.scale(em);
        let font = self.font.face.as_scaled(scale);
        let (mut glyphs, mut x, mut prev) = (Vec::new(), 0.0, None);
        for c in text.chars() {
            let id = font.glyph_id(c);
            if id.0 == 0 && !c.is_whitespace() {
                self.missing.set(true);
            }
            if let Some(p) = prev {
                x += font.kern(p, id);
            }
            glyphs.push(id.with_scale_and_position(scale, point(x, 0.0)));
            x += font.h_advance(id);
            prev = Some(id);
        }
        (glyphs, x)
    }
}

#[cfg(test)]
mod tests;
