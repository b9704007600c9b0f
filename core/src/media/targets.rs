//! Where the links of a course's Markdown point (`lesson:`, `resource:` and
//! `media:`), for a published course and for a draft. Every address comes
//! from [`crate::links`].

use std::collections::BTreeMap;

use crate::{
    course_source::media::valid_name,
    domain::Locale,
    links,
    markdown::{LinkTarget, MediaRef},
};

/// Links inside a published course's Markdown, as the web pages serve them.
pub struct CourseLinks<'a> {
    pub slug: &'a str,
}

impl LinkTarget for CourseLinks<'_> {
    fn lesson(&self, key: &str) -> String {
        links::lesson(self.slug, key)
    }
    fn resource(&self, file: &str) -> String {
        links::course_resource(self.slug, file)
    }
}

/// Links of a published course, media included.
pub struct PublishedLinks<'a> {
    pub course: CourseLinks<'a>,
    pub media: &'a BTreeMap<String, MediaRef>,
}

impl LinkTarget for PublishedLinks<'_> {
    fn lesson(&self, key: &str) -> String {
        self.course.lesson(key)
    }
    fn resource(&self, file: &str) -> String {
        self.course.resource(file)
    }
    fn media(&self, file: &str) -> Option<MediaRef> {
        self.media.get(file).cloned()
    }
}

/// Links of a draft, as its authors preview it. Media always come from the
/// draft (served to the course's authors only). With a `locale`, lessons open
/// in the draft preview and files come from the draft in that locale; without
/// one (a lone Markdown snippet), they point where the published course will
/// serve them.
pub struct DraftLinks<'a> {
    pub slug: &'a str,
    pub locale: Option<Locale>,
}

impl LinkTarget for DraftLinks<'_> {
    fn lesson(&self, key: &str) -> String {
        match self.locale {
            Some(locale) => links::draft_lesson_preview(self.slug, key, locale),
            None => links::lesson(self.slug, key),
        }
    }
    fn resource(&self, file: &str) -> String {
        match self.locale {
            Some(locale) => links::draft_file(self.slug, &format!("{locale}/resources/{file}")),
            None => links::course_resource(self.slug, file),
        }
    }
    fn media(&self, file: &str) -> Option<MediaRef> {
        valid_name(file).then(|| MediaRef {
            url: links::draft_media(self.slug, file),
            width: None,
            height: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_links_open_the_preview_only_with_a_locale() {
        let snippet = DraftLinks {
            slug: "sdg",
            locale: None,
        };
        assert_eq!(snippet.lesson("intro"), "/courses/sdg/lessons/intro");
        assert_eq!(snippet.resource("a.pdf"), "/courses/sdg/resources/a.pdf");
        let page = DraftLinks {
            slug: "sdg",
            locale: Some(Locale::Fr),
        };
        assert_eq!(page.lesson("intro"), "/author/sdg/preview/intro?locale=fr");
        assert_eq!(
            page.resource("a.pdf"),
            "/api/v1/authoring/courses/sdg/file?path=fr/resources/a.pdf"
        );
        for links in [&snippet, &page] {
            assert_eq!(
                links.media("map.png").map(|m| m.url).as_deref(),
                Some("/author/sdg/media/map.png")
            );
            assert!(links.media("../x.png").is_none());
        }
    }
}
