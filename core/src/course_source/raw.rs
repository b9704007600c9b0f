//! The files of the folder format exactly as written, before any check.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{ModuleText, QuestionText, Source};

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCourse {
    pub(super) slug: String,
    pub(super) default_locale: String,
    pub(super) level: String,
    pub(super) duration_minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) status: Option<String>,
    #[serde(default)]
    pub(super) themes: RawThemes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) cover: Option<String>,
    /// The official documents the course's facts come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) sources: Vec<Source>,
    pub(super) modules: Vec<RawModule>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawThemes {
    #[serde(default)]
    pub(super) sdgs: Vec<u8>,
    #[serde(default)]
    pub(super) sendai: Vec<u8>,
    #[serde(default)]
    pub(super) tags: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModule {
    pub(super) id: String,
    pub(super) lessons: Vec<RawLesson>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLesson {
    pub(super) id: String,
    pub(super) kind: String,
    #[serde(default)]
    pub(super) duration_minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) video_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) passing_score: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) max_attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) questions: Option<Vec<RawQuestion>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuestion {
    pub(super) id: String,
    pub(super) kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) options: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) correct: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) answer: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeta {
    pub(super) title: String,
    pub(super) summary: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) objectives: Vec<String>,
    #[serde(default)]
    pub(super) modules: BTreeMap<String, ModuleText>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(super) cover_alt: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuiz {
    pub(super) title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(super) intro: String,
    #[serde(default)]
    pub(super) questions: BTreeMap<String, QuestionText>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FrontMatter {
    pub(super) title: String,
}
