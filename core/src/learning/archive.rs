//! A course as one file (issue 23): a zip of static HTML pages (the course
//! page, every lesson with its transcript and quiz questions, without the
//! answers), the lessons' images and the resource files, readable from a
//! USB stick with no server. Links between them are relative, so the pages
//! open from `file://`.

use std::{collections::BTreeMap, io::Write};

use uuid::Uuid;

use super::{Learning, offline::images_of};
use crate::{
    Error, Result,
    domain::{LessonKind, Locale},
    entities::lesson_resource,
    storage::Storage,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The archive is built in memory: a course larger than this is refused.
pub const MAX_ARCHIVE_BYTES: u64 = 512 * 1024 * 1024;

/// The words of the pages, in the learner's language (the caller's i18n).
#[derive(Clone, Debug, Default)]
pub struct ArchiveLabels {
    pub lang: String,
    pub contents: String,
    pub previous: String,
    pub next: String,
    pub back_to_course: String,
    pub transcript: String,
    pub watch: String,
    pub download: String,
    pub quiz_note: String,
    pub note: String,
}

/// A course archive: its file name and bytes.
pub struct CourseArchive {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#1b2b2d}\
a{color:#14545b}img{max-width:100%;height:auto}nav{margin:1rem 0}.muted{color:#556}\
.question{border:1px solid #ccd;padding:.5rem 1rem;margin:1rem 0}";

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `html` without the attributes that start with one of `starts` (each
/// `" name=\""`), values included.
fn without_attributes(html: &str, starts: &[&str]) -> String {
    let mut out = html.to_owned();
    for start in starts {
        while let Some(i) = out.find(start) {
            let value = i + start.len();
            let end = out[value..].find('"').map_or(out.len(), |e| value + e + 1);
            out.replace_range(i..end, "");
        }
    }
    out
}

/// Makes the site's links in `html` relative to a page `up` folders below
/// the archive's top: lessons, resources, images and the course page.
fn relative(
    html: &str,
    slug: &str,
    up: &str,
    lesson_resources: &BTreeMap<String, String>,
) -> String {
    // The archive holds each image once, at full size: no smaller copies.
    let html = &without_attributes(html, &[" srcset=\"", " sizes=\""]);
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(i) = rest.find("=\"/") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        let end = rest.find('"').unwrap_or(rest.len());
        let (url, fragment) = match rest[..end].split_once('#') {
            Some((u, f)) => (u, format!("#{f}")),
            None => (&rest[..end], String::new()),
        };
        let course = format!("/courses/{slug}");
        let mapped = if let Some(media) = url.strip_prefix("/media/") {
            Some(format!("{up}media/{media}"))
        } else if url == course {
            Some(format!("{up}index.html"))
        } else if let Some(name) = url.strip_prefix(&format!("{course}/resources/")) {
            Some(format!("{up}resources/{name}"))
        } else if let Some(l) = url.strip_prefix(&format!("{course}/lessons/")) {
            match l.split_once('/') {
                Some((key, "resource")) => lesson_resources
                    .get(key)
                    .map(|name| format!("{up}resources/{name}")),
                Some(_) => None,
                None => Some(format!("{up}lessons/{l}.html")),
            }
        } else {
            None
        };
        match mapped {
            Some(m) => {
                out.push_str(&esc(&m));
                out.push_str(&fragment);
            }
            None => out.push_str(&rest[..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn page(labels: &ArchiveLabels, title: &str, up: &str, body: &str) -> Vec<u8> {
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" href=\"{up}style.css\"></head><body><main>{body}</main></body></html>\n",
        lang = esc(&labels.lang),
        title = esc(title),
    )
    .into_bytes()
}

impl Learning {
    /// The course as a zip of static pages, for an enrolled learner, in
    /// their language; images come from `storage`.
    pub async fn course_archive(
        &self,
        storage: &Storage,
        user_id: Uuid,
        slug: &str,
        preferred: &[Locale],
        labels: &ArchiveLabels,
    ) -> Result<CourseArchive> {
        let course = self.published().course(slug).await?;
        // Not enrolled (or left): forbidden.
        self.active_summary(user_id, course.model.id).await?;
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut lessons = Vec::new();
        for o in course.order.iter() {
            let entry = course.lesson(&o.key)?;
            lessons.push(self.published().lesson(&course, entry, preferred).await?);
        }
        let locale = lessons
            .first()
            .map(|l| l.locale)
            .unwrap_or(course.default_locale);
        let outline = self.published().outline(slug, locale).await?;

        // Resource files, in the learner's locale where there is one.
        let mut lesson_resources = BTreeMap::new();
        for l in lessons.iter().filter(|l| l.kind == LessonKind::Resource) {
            let all = lesson_resource::Entity::find()
                .filter(lesson_resource::Column::LessonId.eq(l.id))
                .all(&self.db)
                .await?;
            let file = all
                .iter()
                .find(|f| f.locale == l.locale.as_str())
                .or_else(|| all.first());
            if let Some(f) = file {
                lesson_resources.insert(l.key.clone(), f.file_name.clone());
                files.insert(format!("resources/{}", f.file_name), f.data.clone());
            }
        }
        // Files linked as `resource:name` from any lesson of the course.
        for l in &lessons {
            for name in linked_resources(&l.html, slug) {
                if files.contains_key(&format!("resources/{name}")) {
                    continue;
                }
                if let Ok(f) = self.resource_file(user_id, slug, &name, preferred).await {
                    files.insert(format!("resources/{name}"), f.data);
                }
            }
        }

        // Images, by their content hash.
        for l in &lessons {
            for url in images_of(&l.html) {
                let name = url.trim_start_matches("/media/");
                let path = format!("media/{name}");
                if files.contains_key(&path) {
                    continue;
                }
                let Some((hash, ext)) = name.split_once('.') else {
                    continue;
                };
                if let Some(bytes) = crate::media::fetch(storage, hash, ext).await? {
                    files.insert(path, bytes);
                }
            }
        }

        // The course page.
        let title = &outline.card.title;
        let mut body = format!(
            "<h1>{}</h1><p>{}</p><p class=\"muted\">{}</p>{}<h2>{}</h2>",
            esc(title),
            esc(&outline.card.summary),
            esc(&labels.note),
            relative(&outline.description_html, slug, "", &lesson_resources),
            esc(&labels.contents),
        );
        for m in &outline.modules {
            body.push_str(&format!("<h3>{}</h3><ol>", esc(&m.title)));
            for l in &m.lessons {
                body.push_str(&format!(
                    "<li><a href=\"lessons/{}.html\">{}</a></li>",
                    esc(&l.key),
                    esc(&l.title)
                ));
            }
            body.push_str("</ol>");
        }
        files.insert("index.html".into(), page(labels, title, "", &body));
        files.insert("style.css".into(), STYLE.as_bytes().to_vec());

        // Every lesson.
        for (i, l) in lessons.iter().enumerate() {
            let mut body = format!(
                "<nav><a href=\"../index.html\">{}</a></nav><h1 lang=\"{}\">{}</h1>",
                esc(title),
                l.locale.as_str(),
                esc(&l.title)
            );
            if l.kind == LessonKind::Video {
                if let Some(v) = &l.video_url {
                    body.push_str(&format!(
                        "<p><a href=\"{}\">{}</a></p>",
                        esc(v),
                        esc(&labels.watch)
                    ));
                }
                body.push_str(&format!("<h2>{}</h2>", esc(&labels.transcript)));
            }
            body.push_str(&relative(&l.html, slug, "../", &lesson_resources));
            if let Some(name) = lesson_resources.get(&l.key) {
                body.push_str(&format!(
                    "<p><a href=\"../resources/{}\" download>{} ({})</a></p>",
                    esc(name),
                    esc(&labels.download),
                    esc(name)
                ));
            }
            if let Some(q) = &l.quiz {
                body.push_str(&format!(
                    "<p class=\"muted\">{}</p>",
                    esc(&labels.quiz_note)
                ));
                for (n, question) in q.questions.iter().enumerate() {
                    body.push_str(&format!(
                        "<div class=\"question\"><p><strong>{}.</strong> {}</p><ul>",
                        n + 1,
                        esc(&question.prompt)
                    ));
                    for o in &question.options {
                        body.push_str(&format!("<li>{}</li>", esc(&o.text)));
                    }
                    body.push_str("</ul></div>");
                }
            }
            body.push_str("<nav>");
            if let Some(p) = i.checked_sub(1).and_then(|p| lessons.get(p)) {
                body.push_str(&format!(
                    "<a rel=\"prev\" href=\"{}.html\">← {}</a> ",
                    esc(&p.key),
                    esc(&labels.previous)
                ));
            }
            match lessons.get(i + 1) {
                Some(n) => body.push_str(&format!(
                    "<a rel=\"next\" href=\"{}.html\">{} →</a>",
                    esc(&n.key),
                    esc(&labels.next)
                )),
                None => body.push_str(&format!(
                    "<a href=\"../index.html\">{}</a>",
                    esc(&labels.back_to_course)
                )),
            }
            body.push_str("</nav>");
            files.insert(
                format!("lessons/{}.html", l.key),
                page(labels, &l.title, "../", &body),
            );
        }

        let total: u64 = files.values().map(|f| f.len() as u64).sum();
        if total > MAX_ARCHIVE_BYTES {
            return Err(Error::Conflict {
                field: "course".into(),
                reason: "the course is too large to download as one file".into(),
            });
        }
        let slug_owned = slug.to_owned();
        let bytes = tokio::task::spawn_blocking(move || zip_pages(&slug_owned, &files))
            .await
            .map_err(|e| Error::Internal(format!("zip: {e}")))??;
        Ok(CourseArchive {
            file_name: format!("{slug}.zip"),
            bytes,
        })
    }
}

/// The names of `resource:` links (`/courses/{slug}/resources/{name}`).
fn linked_resources(html: &str, slug: &str) -> Vec<String> {
    let prefix = format!("href=\"/courses/{slug}/resources/");
    html.split(prefix.as_str())
        .skip(1)
        .filter_map(|p| p.split(['"', '#']).next())
        .filter(|n| !n.is_empty() && !n.contains(['/', '\\']) && !n.contains(".."))
        .map(str::to_owned)
        .collect()
}

fn zip_pages(slug: &str, files: &BTreeMap<String, Vec<u8>>) -> Result<Vec<u8>> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let fail = |e: &dyn std::fmt::Display| Error::Internal(format!("zip: {e}"));
    for (path, data) in files {
        out.start_file(format!("{slug}/{path}"), options)
            .map_err(|e| fail(&e))?;
        out.write_all(data).map_err(|e| fail(&e))?;
    }
    Ok(out.finish().map_err(|e| fail(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_links_become_relative_to_the_page() {
        let mut res = BTreeMap::new();
        res.insert("sheet".to_owned(), "sheet.md".to_owned());
        let html = r#"<a href="/courses/c/lessons/two#top">2</a> <img src="/media/ab.png" alt="" srcset="/media/ab-w480.png 480w, /media/ab-w900.png 900w" sizes="(max-width: 46rem) 100vw, 46rem"> <a href="/courses/c/lessons/sheet/resource">r</a> <a href="/courses/c/resources/x.pdf">x</a> <a href="/courses/c">c</a> <a href="/courses/other">o</a> <a href="https://x.org/">e</a>"#;
        assert_eq!(
            relative(html, "c", "../", &res),
            r#"<a href="../lessons/two.html#top">2</a> <img src="../media/ab.png" alt=""> <a href="../resources/sheet.md">r</a> <a href="../resources/x.pdf">x</a> <a href="../index.html">c</a> <a href="/courses/other">o</a> <a href="https://x.org/">e</a>"#
        );
        assert_eq!(
            linked_resources(r#"<a href="/courses/c/resources/x.pdf">"#, "c"),
            ["x.pdf"]
        );
    }
}
