//! The parsed, checked model of a course source, and what a file's bytes are.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{MAX_RESOURCE_BYTES, media::MediaFile, sniff::resource_type};
use crate::domain::{CourseStatus, LessonKind, Level, Locale, QuestionKind, Slug};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CourseSource {
    pub slug: Slug,
    pub default_locale: Locale,
    pub level: Level,
    pub duration_minutes: u32,
    pub status: CourseStatus,
    pub themes: BTreeSet<String>,
    pub modules: Vec<ModuleSource>,
    pub texts: BTreeMap<Locale, LocaleText>,
    /// The course-level `media/` folder (images, PDFs, captions).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub media: BTreeMap<String, MediaFile>,
    /// A file of `media/` shown on the catalogue card and the course page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    /// The official documents the course's facts come from (`sources` in
    /// `course.yaml`), in the order written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// One document a course cites: what it is, who published it, when, and where to read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    pub publisher: String,
    pub year: u16,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleSource {
    pub key: Slug,
    pub lessons: Vec<LessonSource>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LessonSource {
    pub key: Slug,
    pub kind: LessonKind,
    pub duration_minutes: u32,
    pub video_url: Option<String>,
    pub file: Option<String>,
    pub passing_score: Option<u32>,
    pub max_attempts: Option<u32>,
    pub questions: Vec<QuestionSource>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuestionSource {
    pub key: Slug,
    pub kind: QuestionKind,
    pub options: Vec<String>,
    pub correct: Vec<String>,
}

/// All the words of a course in one locale.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LocaleText {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub objectives: Vec<String>,
    pub modules: BTreeMap<String, ModuleText>,
    /// Title and body of each lesson; for a quiz, its title and intro.
    pub lessons: BTreeMap<String, LessonText>,
    /// Keyed by (quiz lesson key, question key).
    #[serde(serialize_with = "as_pairs")]
    pub questions: BTreeMap<(String, String), QuestionText>,
    pub resources: BTreeMap<String, Resource>,
    /// The cover image's text alternative.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cover_alt: String,
}

fn as_pairs<S: serde::Serializer, K: Serialize, V: Serialize>(
    map: &BTreeMap<K, V>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(map.iter())
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleText {
    pub title: String,
    #[serde(default)]
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LessonText {
    pub title: String,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionText {
    pub prompt: String,
    pub options: BTreeMap<String, OptionText>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionText {
    pub text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub explanation: String,
}

#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub content_type: String,
    pub sha256: String,
    #[serde(skip)]
    pub data: Vec<u8>,
}

impl fmt::Debug for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Resource({}, {} bytes)",
            self.content_type,
            self.data.len()
        )
    }
}

impl Resource {
    pub fn new(file_name: &str, data: Vec<u8>) -> Result<Resource, String> {
        if data.len() > MAX_RESOURCE_BYTES {
            return Err(format!(
                "{} bytes is over the limit of {MAX_RESOURCE_BYTES} bytes",
                data.len()
            ));
        }
        let content_type = resource_type(file_name, &data)?;
        let sha256 = hex::encode(Sha256::digest(&data));
        Ok(Resource {
            content_type: content_type.to_owned(),
            sha256,
            data,
        })
    }
}

impl CourseSource {
    /// A digest of everything in the source: equal digests mean an import would change nothing.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).expect("course sources serialise");
        hex::encode(Sha256::digest(json))
    }

    pub fn lessons(&self) -> impl Iterator<Item = &LessonSource> {
        self.modules.iter().flat_map(|m| m.lessons.iter())
    }

    pub fn locales(&self) -> Vec<Locale> {
        self.texts.keys().copied().collect()
    }
}
