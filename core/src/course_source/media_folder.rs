//! The reader's side of course media: reading a course's `media/` folder,
//! and checking the uses of its files and the cover.

use std::{collections::BTreeMap, path::Path};

use super::{
    CourseSource, Problem, Report,
    media::{MAX_ALT_CHARS, MAX_COURSE_BYTES, MAX_COVER_BYTES, MediaFile, check, valid_name},
};
use crate::markdown;

/// Reads a course's `media/` folder; problems go to `report`.
pub(crate) fn read_folder(dir: &Path, report: &mut Report) -> BTreeMap<String, MediaFile> {
    let mut out = BTreeMap::new();
    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
        Err(e) => {
            report
                .errors
                .push(problem(dir, format!("cannot read: {e}")));
            return out;
        }
    };
    entries.sort();
    let mut total = 0usize;
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            report
                .errors
                .push(problem(&path, "media/ holds files only, no folders".into()));
            continue;
        }
        if !valid_name(&name) {
            report.errors.push(problem(
                &path,
                "use a lowercase file name (letters, digits, -, _ and one extension)".into(),
            ));
            continue;
        }
        match std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|d| check(&name, d))
        {
            Ok(m) => {
                total += m.data.len();
                out.insert(name, m);
            }
            Err(e) => report.errors.push(problem(&path, e)),
        }
    }
    if total > MAX_COURSE_BYTES {
        report.errors.push(problem(
            dir,
            format!(
                "the media of a course are {total} bytes together, over the limit of {} MiB",
                MAX_COURSE_BYTES / (1024 * 1024)
            ),
        ));
    }
    out
}

fn problem(file: &Path, message: String) -> Problem {
    Problem {
        file: file.to_owned(),
        line: None,
        message,
    }
}

/// `media:` images and links of one text must name a file of `media/`, and
/// every image needs alt text.
pub(crate) fn check_uses(path: &Path, body: &str, course: &CourseSource, report: &mut Report) {
    for u in markdown::media_uses(body) {
        let Some(file) = course.media.get(&u.target) else {
            report.errors.push(problem(
                path,
                format!("broken link `media:{}`: no such file in media/", u.target),
            ));
            continue;
        };
        if let Some(alt) = u.alt {
            if !file.is_image() {
                report.errors.push(problem(
                    path,
                    format!(
                        "`media:{}` is not an image: link to it with [text](media:{})",
                        u.target, u.target
                    ),
                ));
            } else if alt.trim().is_empty() {
                report.errors.push(problem(
                    path,
                    format!(
                        "the image `media:{}` needs alt text: ![what it shows](media:{})",
                        u.target, u.target
                    ),
                ));
            }
        }
    }
}

/// The cover must be an image of `media/`, with alt text in the default
/// locale (a translation without one falls back to it).
pub(crate) fn check_cover(dir: &Path, course: &CourseSource, report: &mut Report) {
    let Some(cover) = &course.cover else {
        for (locale, t) in &course.texts {
            if !t.cover_alt.is_empty() {
                report.errors.push(problem(
                    &dir.join(locale.as_str()).join("meta.yaml"),
                    "cover_alt: there is no `cover:` in course.yaml".into(),
                ));
            }
        }
        return;
    };
    let yaml = dir.join("course.yaml");
    match course.media.get(cover) {
        None => report.errors.push(problem(
            &yaml,
            format!("cover: `{cover}` is not a file of media/"),
        )),
        Some(m) if !m.is_image() => report.errors.push(problem(
            &yaml,
            format!("cover: `{cover}` is not an image (.png, .jpg or .webp)"),
        )),
        Some(m) if m.data.len() > MAX_COVER_BYTES => report.errors.push(problem(
            &yaml,
            format!(
                "cover: `{cover}` is {} bytes; every catalogue card shows the cover, so keep it under 1 MiB (1200 pixels wide is plenty)",
                m.data.len()
            ),
        )),
        Some(_) => {}
    }
    for (locale, t) in &course.texts {
        let meta = dir.join(locale.as_str()).join("meta.yaml");
        if t.cover_alt.chars().count() > MAX_ALT_CHARS {
            report.errors.push(problem(
                &meta,
                format!("cover_alt: at most {MAX_ALT_CHARS} characters"),
            ));
        }
        if t.cover_alt.is_empty() {
            if *locale == course.default_locale {
                report.errors.push(problem(
                    &meta,
                    "missing: cover_alt (the cover image's text alternative, for people who cannot see it)".into(),
                ));
            } else {
                report
                    .warnings
                    .push(problem(&meta, "translation missing: cover_alt".into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::media::{MAX_COVER_BYTES, tests::png};
    use crate::domain::Locale;

    fn course(
        extra: &[(&str, Vec<u8>)],
        body: &str,
        cover: Option<(&str, &str)>,
    ) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        let cover_line = cover
            .map(|(f, _)| format!("cover: {f}\n"))
            .unwrap_or_default();
        files.insert(
            "course.yaml".to_owned(),
            format!("slug: flood-maps\ndefault_locale: en\nlevel: beginner\nduration_minutes: 10\n{cover_line}modules:\n  - id: intro\n    lessons:\n      - id: welcome\n        kind: text\n        duration_minutes: 10\n").into_bytes(),
        );
        let alt_line = cover
            .map(|(_, a)| format!("cover_alt: {a:?}\n"))
            .unwrap_or_default();
        files.insert(
            "en/meta.yaml".to_owned(),
            format!("title: Flood maps\nsummary: Maps.\ndescription: Maps.\nobjectives: [Read a map]\n{alt_line}modules:\n  intro:\n    title: Intro\n").into_bytes(),
        );
        files.insert(
            "en/welcome.md".to_owned(),
            format!("---\ntitle: Welcome\n---\n{body}\n").into_bytes(),
        );
        for (path, data) in extra {
            files.insert((*path).to_owned(), data.clone());
        }
        files
    }

    fn messages(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
        match crate::authoring::read_files(files) {
            Ok(_) => Vec::new(),
            Err(ps) => ps.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn the_reader_checks_media_and_their_uses() {
        let map = ("media/flood-map.png", png(64, 32));
        let ok = course(
            std::slice::from_ref(&map),
            "![The river in 2024](media:flood-map.png)",
            Some(("flood-map.png", "A flooded street")),
        );
        let (source, _) = crate::authoring::read_files(&ok).expect("reads");
        assert_eq!(source.cover.as_deref(), Some("flood-map.png"));
        assert_eq!(source.media["flood-map.png"].width, Some(64));
        assert_eq!(source.texts[&Locale::En].cover_alt, "A flooded street");

        let missing = messages(&course(&[], "![A map](media:nope.png)", None));
        assert!(
            missing
                .iter()
                .any(|m| m.contains("en/welcome.md") && m.contains("media:nope.png")),
            "{missing:?}"
        );
        let no_alt = messages(&course(
            std::slice::from_ref(&map),
            "![](media:flood-map.png)",
            None,
        ));
        assert!(
            no_alt.iter().any(|m| m.contains("needs alt text")),
            "{no_alt:?}"
        );
        let disguised = messages(&course(
            &[(
                "media/photo.png",
                b"<html><script>alert(1)</script></html>".to_vec(),
            )],
            "Hi",
            None,
        ));
        assert!(
            disguised
                .iter()
                .any(|m| m.contains("media/photo.png") && m.contains("is text")),
            "{disguised:?}"
        );
        let cover_without_alt = messages(&course(
            std::slice::from_ref(&map),
            "Hi",
            Some(("flood-map.png", "")),
        ));
        assert!(
            cover_without_alt.iter().any(|m| m.contains("cover_alt")),
            "{cover_without_alt:?}"
        );
        let cover_not_image = messages(&course(
            &[("media/doc.pdf", b"%PDF-1.7\n".to_vec())],
            "Hi",
            Some(("doc.pdf", "A document")),
        ));
        assert!(
            cover_not_image.iter().any(|m| m.contains("not an image")),
            "{cover_not_image:?}"
        );
        let mut heavy = png(1200, 800);
        heavy.resize(MAX_COVER_BYTES + 1, 0);
        let heavy_cover = messages(&course(
            &[("media/heavy.png", heavy)],
            "Hi",
            Some(("heavy.png", "A heavy picture")),
        ));
        assert!(
            heavy_cover.iter().any(|m| m.contains("under 1 MiB")),
            "{heavy_cover:?}"
        );
        let cover_missing = messages(&course(&[], "Hi", Some(("gone.png", "Gone"))));
        assert!(
            cover_missing
                .iter()
                .any(|m| m.contains("not a file of media/")),
            "{cover_missing:?}"
        );
    }
}
