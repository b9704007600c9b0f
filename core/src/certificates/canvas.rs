//! Drawing the certificate page: rectangles and shaped text placed in
//! millimetres from the bottom left, as the page was designed, noting the
//! characters no installed font can draw.

use krilla::{
    color::rgb,
    geom::{PathBuilder, Rect},
    paint::{Fill, Stroke},
    surface::Surface,
};

use super::{
    fonts::Style,
    shaping::{self, Line, Uncovered},
};
use crate::Result;

/// Text of the certificate that the installed fonts cannot fully draw: which
/// field, and which characters (never the text itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undrawable {
    pub field: &'static str,
    pub chars: Vec<char>,
    pub font: String,
}

impl Undrawable {
    /// `U+1F600 U+E000`, for logs.
    pub fn code_points(&self) -> String {
        self.chars
            .iter()
            .map(|c| format!("U+{:04X}", *c as u32))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

pub(super) const WIDTH: f32 = 297.0;
pub(super) const HEIGHT: f32 = 210.0;
/// Points per millimetre.
pub(super) const MM: f32 = 72.0 / 25.4;

pub(super) fn rgb(r: u8, g: u8, b: u8) -> rgb::Color {
    rgb::Color::new(r, g, b)
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Mode {
    Fill,
    Stroke,
}

/// Drawing in millimetres from the bottom left, as the page was designed.
pub(super) struct Page<'a, 'b> {
    pub(super) s: &'a mut Surface<'b>,
    pub(super) fill: rgb::Color,
    pub(super) stroke: (rgb::Color, f32),
    pub(super) undrawable: Vec<Undrawable>,
}

impl Page<'_, '_> {
    pub(super) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, mode: Mode) {
        let Some(r) = Rect::from_xywh(x * MM, (HEIGHT - y - h) * MM, w * MM, h * MM) else {
            return;
        };
        let mut pb = PathBuilder::new();
        pb.push_rect(r);
        let Some(path) = pb.finish() else { return };
        match mode {
            Mode::Fill => {
                self.s.set_stroke(None);
                self.s.set_fill(Some(Fill {
                    paint: self.fill.into(),
                    ..Fill::default()
                }));
            }
            Mode::Stroke => {
                self.s.set_fill(None);
                self.s.set_stroke(Some(Stroke {
                    paint: self.stroke.0.into(),
                    width: self.stroke.1,
                    ..Stroke::default()
                }));
            }
        }
        self.s.draw_path(&path);
    }

    pub(super) fn fill(&mut self, color: rgb::Color) {
        self.fill = color;
    }

    pub(super) fn stroke(&mut self, color: rgb::Color, width_pt: f32) {
        self.stroke = (color, width_pt);
    }

    /// Shapes `text`, noting what cannot be drawn under `field`.
    pub(super) fn line(&mut self, field: &'static str, style: Style, text: &str) -> Result<Line> {
        let (line, Uncovered { chars, font }) = shaping::shape(style, text)?;
        if !chars.is_empty() {
            let mut chars = chars;
            chars.sort_unstable();
            chars.dedup();
            self.undrawable.push(Undrawable { field, chars, font });
        }
        Ok(line)
    }

    pub(super) fn text_at(&mut self, line: &Line, size: f32, x_mm: f32, y_mm: f32) {
        self.s.set_stroke(None);
        self.s.set_fill(Some(Fill {
            paint: self.fill.into(),
            ..Fill::default()
        }));
        line.draw(self.s, x_mm * MM, (HEIGHT - y_mm) * MM, size);
    }

    /// Centres `text` on `cx`, shrinking it until it fits in `max_w` mm.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn centred(
        &mut self,
        field: &'static str,
        style: Style,
        size: f32,
        cx: f32,
        y: f32,
        max_w: f32,
        text: &str,
    ) -> Result<()> {
        let line = self.line(field, style, text)?;
        let mut size = size;
        while size > 8.0 && line.width(size) / MM > max_w {
            size -= 0.5;
        }
        let w = line.width(size) / MM;
        self.text_at(&line, size, cx - w / 2.0, y);
        Ok(())
    }

    /// Sets `text` flush right against `right` mm.
    pub(super) fn right(
        &mut self,
        style: Style,
        size: f32,
        right: f32,
        y: f32,
        text: &str,
    ) -> Result<()> {
        let line = self.line("verification", style, text)?;
        let w = line.width(size) / MM;
        self.text_at(&line, size, right - w, y);
        Ok(())
    }
}

/// Splits a long title into at most two balanced lines.
pub(super) fn two_lines(style: Style, size: f32, max_w_mm: f32, text: &str) -> Result<Vec<String>> {
    let width = |t: &str| -> Result<f32> { Ok(shaping::shape(style, t)?.0.width(size) / MM) };
    if width(text)? <= max_w_mm {
        return Ok(vec![text.to_owned()]);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut best = (1, f32::INFINITY);
    for i in 1..words.len() {
        let a = width(&words[..i].join(" "))?;
        let b = width(&words[i..].join(" "))?;
        if (a - b).abs() < best.1 {
            best = (i, (a - b).abs());
        }
    }
    if words.len() < 2 {
        return Ok(vec![text.to_owned()]);
    }
    Ok(vec![words[..best.0].join(" "), words[best.0..].join(" ")])
}
