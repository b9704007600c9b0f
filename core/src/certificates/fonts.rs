//! The fonts of the certificate: found once on disk, loaded on first use and
//! kept for the life of the process.
//!
//! Every piece of text has a *style* (the look of Times, Helvetica or Courier
//! it had when the certificate used the PDF standard fonts). A style is a
//! chain of font files: first the Liberation font with the metrics of the
//! standard font (so the page keeps its layout), then Noto fonts for the
//! other scripts (Latin with every mark, Greek, Cyrillic, Arabic, Hebrew,
//! Devanagari, Chinese, Japanese and Korean), then DejaVu as a last resort.
//!
//! The files come from Debian's `fonts-liberation2`, `fonts-noto-core` and
//! `fonts-noto-cjk`. They are looked up by file name under `AGORA_FONT_DIR`
//! (a `:`-separated list of folders) when it is set, else under the usual
//! font folders of a Linux system.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock},
};

use krilla::text::Font;

/// How a piece of text looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    SerifBold,
    SerifItalic,
    Serif,
    Sans,
    SansBold,
    Mono,
}

/// Which face of a collection (`.ttc`) serves which script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cjk {
    Japanese,
    Korean,
    Chinese,
}

impl Cjk {
    /// The face index in Noto's CJK collections (JP, KR, SC, TC, HK).
    fn index(self) -> u32 {
        match self {
            Cjk::Japanese => 0,
            Cjk::Korean => 1,
            Cjk::Chinese => 2,
        }
    }

    /// Kana means Japanese and Hangul Korean; Han alone is set as Chinese.
    pub fn of(text: &str) -> Cjk {
        for c in text.chars() {
            match c as u32 {
                0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => return Cjk::Japanese,
                0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => return Cjk::Korean,
                _ => {}
            }
        }
        Cjk::Chinese
    }
}

/// The files of a style, in the order they are tried. `.ttc` files are
/// collections whose face depends on the text (see [`Cjk`]).
fn chain(style: Style) -> &'static [&'static str] {
    match style {
        Style::SerifBold => &[
            "LiberationSerif-Bold.ttf",
            "NotoSerif-Bold.ttf",
            "NotoNaskhArabic-Bold.ttf",
            "NotoSerifHebrew-Bold.ttf",
            "NotoSerifDevanagari-Bold.ttf",
            "NotoSerifCJK-Bold.ttc",
            "DejaVuSerif-Bold.ttf",
        ],
        Style::SerifItalic => &[
            "LiberationSerif-Italic.ttf",
            "NotoSerif-Italic.ttf",
            "NotoNaskhArabic-Regular.ttf",
            "NotoSerifHebrew-Regular.ttf",
            "NotoSerifDevanagari-Regular.ttf",
            "NotoSerifCJK-Regular.ttc",
            "DejaVuSerif-Italic.ttf",
        ],
        Style::Serif => &[
            "LiberationSerif-Regular.ttf",
            "NotoSerif-Regular.ttf",
            "NotoNaskhArabic-Regular.ttf",
            "NotoSerifHebrew-Regular.ttf",
            "NotoSerifDevanagari-Regular.ttf",
            "NotoSerifCJK-Regular.ttc",
            "DejaVuSerif.ttf",
        ],
        Style::Sans => &[
            "LiberationSans-Regular.ttf",
            "NotoSans-Regular.ttf",
            "NotoSansArabic-Regular.ttf",
            "NotoSansHebrew-Regular.ttf",
            "NotoSansDevanagari-Regular.ttf",
            "NotoSansCJK-Regular.ttc",
            "DejaVuSans.ttf",
        ],
        Style::SansBold => &[
            "LiberationSans-Bold.ttf",
            "NotoSans-Bold.ttf",
            "NotoSansArabic-Bold.ttf",
            "NotoSansHebrew-Bold.ttf",
            "NotoSansDevanagari-Bold.ttf",
            "NotoSansCJK-Bold.ttc",
            "DejaVuSans-Bold.ttf",
        ],
        Style::Mono => &[
            "LiberationMono-Regular.ttf",
            "DejaVuSansMono.ttf",
            "NotoSans-Regular.ttf",
            "NotoSansCJK-Regular.ttc",
        ],
    }
}

/// The Debian packages that hold the fonts, for messages to operators.
pub const PACKAGES: &str = "fonts-liberation2 fonts-noto-core fonts-noto-cjk";

/// One loaded face: the PDF side (krilla) and the shaping side (rustybuzz)
/// over the same bytes.
pub struct Face {
    pub name: String,
    pub font: Font,
    pub shaper: rustybuzz::Face<'static>,
}

impl Face {
    pub fn covers(&self, c: char) -> bool {
        ignorable(c) || self.shaper.glyph_index(c).is_some()
    }

    pub fn units_per_em(&self) -> f32 {
        self.shaper.units_per_em().max(1) as f32
    }
}

/// Characters no font needs a glyph for: joiners, selectors, direction marks.
pub fn ignorable(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0xFE00..=0xFE0F | 0xFEFF)
}

/// The folders searched: `AGORA_FONT_DIR` when set, else the system's.
pub fn search_dirs() -> Vec<PathBuf> {
    if let Some(dirs) = std::env::var_os("AGORA_FONT_DIR").filter(|d| !d.is_empty()) {
        return std::env::split_paths(&dirs).collect();
    }
    let mut dirs = vec![
        PathBuf::from("/usr/share/fonts"),
        PathBuf::from("/usr/local/share/fonts"),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".local/share/fonts"));
    }
    dirs
}

/// Every font file under the folders, by file name (the first found wins).
fn index_files(dirs: &[PathBuf]) -> HashMap<String, PathBuf> {
    let mut found = HashMap::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                stack.push(path);
            } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                found.entry(name.to_owned()).or_insert_with(|| path.clone());
            }
        }
    }
    found
}

/// Faces by file name and face index; `None` when the file is not there.
type Loaded = HashMap<(String, u32), Option<Arc<Face>>>;

struct Library {
    files: HashMap<String, PathBuf>,
    loaded: Mutex<Loaded>,
}

fn library() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let dirs = search_dirs();
        let files = index_files(&dirs);
        Library {
            files,
            loaded: Mutex::new(HashMap::new()),
        }
    })
}

fn load(name: &str, index: u32) -> Option<Arc<Face>> {
    let lib = library();
    let key = (name.to_owned(), index);
    if let Some(face) = lib.loaded.lock().expect("font cache").get(&key) {
        return face.clone();
    }
    let face = lib.files.get(name).and_then(|path| {
        let bytes = std::fs::read(path).ok()?;
        // Loaded once and kept for the life of the process, like the cache.
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let shaper = rustybuzz::Face::from_slice(bytes, index)?;
        let font = Font::new(bytes.into(), index)?;
        Some(Arc::new(Face {
            name: name
                .trim_end_matches(".ttf")
                .trim_end_matches(".ttc")
                .to_owned(),
            font,
            shaper,
        }))
    });
    if face.is_none() {
        tracing::debug!(font = name, "certificate font not found");
    }
    lib.loaded
        .lock()
        .expect("font cache")
        .insert(key, face.clone());
    face
}

/// The faces of a style that are installed, in order; `cjk` picks the face
/// of the CJK collections.
pub fn faces(style: Style, cjk: Cjk) -> Vec<Arc<Face>> {
    chain(style)
        .iter()
        .filter_map(|name| {
            let index = if name.ends_with(".ttc") {
                cjk.index()
            } else {
                0
            };
            load(name, index)
        })
        .collect()
}

/// What is missing, for the start-up check: the files of the chains that
/// no search folder holds.
pub fn missing_files() -> Vec<&'static str> {
    let lib = library();
    let mut out: Vec<&'static str> = [
        Style::SerifBold,
        Style::SerifItalic,
        Style::Serif,
        Style::Sans,
        Style::SansBold,
        Style::Mono,
    ]
    .into_iter()
    .flat_map(chain)
    .copied()
    .filter(|name| !name.starts_with("DejaVu") && !lib.files.contains_key(*name))
    .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kana_and_hangul_pick_the_face() {
        assert_eq!(Cjk::of("山田太郎"), Cjk::Chinese);
        assert_eq!(Cjk::of("やまだ 太郎"), Cjk::Japanese);
        assert_eq!(Cjk::of("김민준"), Cjk::Korean);
    }

    #[test]
    fn joiners_need_no_glyph() {
        assert!(ignorable('\u{200D}'));
        assert!(!ignorable('a'));
    }
}
