//! One line of certificate text made into positioned glyphs: put in visual
//! order (Unicode bidi, for Arabic and Hebrew), split into runs by the first
//! font of the style that draws them, and shaped (rustybuzz: Arabic joining,
//! Devanagari conjuncts, marks on their letters). Each glyph keeps the range
//! of text it stands for, so the PDF gives back exactly the text.

use std::sync::Arc;

use krilla::{
    geom::Point,
    surface::Surface,
    text::{GlyphId, KrillaGlyph},
};
use unicode_bidi::BidiInfo;

use super::fonts::{self, Cjk, Face, Style};

/// A run of glyphs in one font, in visual order.
struct Run {
    face: Arc<Face>,
    text: String,
    glyphs: Vec<KrillaGlyph>,
    /// In ems.
    advance: f32,
}

/// A shaped line, ready to measure and draw at any size.
pub struct Line {
    runs: Vec<Run>,
}

/// Characters of a text that no installed font of its style can draw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Uncovered {
    pub chars: Vec<char>,
    /// The font they are drawn with (as empty boxes): the nearest complete one.
    pub font: String,
}

impl Line {
    /// The width in points at `size`.
    pub fn width(&self, size: f32) -> f32 {
        self.runs.iter().map(|r| r.advance).sum::<f32>() * size
    }

    /// Draws the line with its baseline starting at (`x`, `y`), in points
    /// from the top left of the page.
    pub fn draw(&self, surface: &mut Surface, x: f32, y: f32, size: f32) {
        let mut x = x;
        for run in &self.runs {
            if !run.glyphs.is_empty() {
                surface.draw_glyphs(
                    Point::from_xy(x, y),
                    run.glyphs.as_slice(),
                    run.face.font.clone(),
                    &run.text,
                    size,
                    false,
                );
            }
            x += run.advance * size;
        }
    }
}

/// Marks and joiners stay with the letter before them.
fn joins_previous(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c) || fonts::ignorable(c)
}

/// The text cut into clusters: a letter with the marks that follow it.
fn clusters(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if i > start && !joins_previous(c) {
            out.push(&text[start..i]);
            start = i;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn covers(face: &Face, text: &str) -> bool {
    text.chars().all(|c| face.covers(c))
}

/// Splits one directional run into (face, text) segments in logical order:
/// the whole run in the first face that draws all of it, else cluster by
/// cluster, staying in the current face while it can.
fn segment(faces: &[Arc<Face>], text: &str, missing: &mut Uncovered) -> Vec<(Arc<Face>, String)> {
    if let Some(face) = faces.iter().find(|f| covers(f, text)) {
        return vec![(face.clone(), text.to_owned())];
    }
    // The nearest complete face: the one that draws most of the text.
    let nearest = faces
        .iter()
        .max_by_key(|f| {
            (
                text.chars().filter(|c| f.covers(*c)).count(),
                std::cmp::Reverse(faces.iter().position(|g| Arc::ptr_eq(*f, g))),
            )
        })
        .expect("at least one face")
        .clone();
    let mut out: Vec<(Arc<Face>, String)> = Vec::new();
    for cluster in clusters(text) {
        let current = out.last().map(|(f, _)| f.clone());
        let face = match current.filter(|f| covers(f, cluster)) {
            Some(f) => f,
            None => match faces.iter().find(|f| covers(f, cluster)) {
                Some(f) => f.clone(),
                None => {
                    missing.chars.extend(
                        cluster
                            .chars()
                            .filter(|c| !faces.iter().any(|f| f.covers(*c))),
                    );
                    missing.font = nearest.name.clone();
                    out.last()
                        .map(|(f, _)| f.clone())
                        .unwrap_or_else(|| nearest.clone())
                }
            },
        };
        match out.last_mut() {
            Some((f, t)) if Arc::ptr_eq(f, &face) => t.push_str(cluster),
            _ => out.push((face, cluster.to_owned())),
        }
    }
    out
}

fn shape_run(face: Arc<Face>, text: String, rtl: bool) -> Run {
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(&text);
    buffer.guess_segment_properties();
    buffer.set_direction(if rtl {
        rustybuzz::Direction::RightToLeft
    } else {
        rustybuzz::Direction::LeftToRight
    });
    let shaped = rustybuzz::shape(&face.shaper, &[], buffer);
    let upem = face.units_per_em();
    let infos = shaped.glyph_infos();
    let mut starts: Vec<usize> = infos.iter().map(|g| g.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let glyphs: Vec<KrillaGlyph> = infos
        .iter()
        .zip(shaped.glyph_positions())
        .map(|(info, pos)| {
            let start = info.cluster as usize;
            let end = starts
                .iter()
                .find(|&&s| s > start)
                .copied()
                .unwrap_or(text.len());
            KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / upem,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end,
                None,
            )
        })
        .collect();
    let advance = glyphs.iter().map(|g| g.x_advance).sum();
    Run {
        face,
        text,
        glyphs,
        advance,
    }
}

/// Shapes `text` in `style`. Fails only when no font of the style is
/// installed at all.
pub fn shape(style: Style, text: &str) -> crate::Result<(Line, Uncovered)> {
    let faces = fonts::faces(style, Cjk::of(text));
    if faces.is_empty() {
        return Err(crate::Error::Internal(format!(
            "no certificate fonts found in {}: install {} or set AGORA_FONT_DIR",
            fonts::search_dirs()
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(":"),
            fonts::PACKAGES
        )));
    }
    let mut missing = Uncovered::default();
    let mut runs = Vec::new();
    let bidi = BidiInfo::new(text, None);
    for para in &bidi.paragraphs {
        let (levels, visual) = bidi.visual_runs(para, para.range.clone());
        for range in visual {
            let rtl = levels[range.start].is_rtl();
            let mut segments = segment(&faces, &text[range], &mut missing);
            if rtl {
                segments.reverse();
            }
            runs.extend(segments.into_iter().map(|(f, t)| shape_run(f, t, rtl)));
        }
    }
    Ok((Line { runs }, missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_stay_with_their_letter() {
        assert_eq!(clusters("ẹ̀a"), vec!["ẹ̀", "a"]);
        assert_eq!(clusters("अनी"), vec!["अ", "नी"]);
        assert_eq!(clusters(""), Vec::<&str>::new());
    }
}
