//! The `courses/` folder format: reading, checking and writing course sources.
//! `courses/README.md` documents the format; this module is its only reader.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    domain::{CourseStatus, LessonKind, Level, Locale, QuestionKind, Slug, Theme},
    markdown,
    media::{self, MediaFile},
};

/// Largest downloadable file a course source may carry.
pub const MAX_RESOURCE_BYTES: usize = 10 * 1024 * 1024;
/// Shortest text or video lesson `agora courses lint` accepts, in words.
pub const MIN_LESSON_WORDS: usize = 150;

/// One problem in a course source, located as precisely as the source allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Everything wrong with a set of sources; nothing is imported while it is not empty.
#[derive(Debug, thiserror::Error)]
pub struct SourceErrors(pub Vec<Problem>);

impl fmt::Display for SourceErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) in the course sources:", self.0.len())?;
        for p in &self.0 {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// The parsed, checked model.

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

/// What a file's bytes are, whatever its name says: the magic numbers of the
/// binary types we accept, else UTF-8 text without NUL bytes.
fn sniff(data: &[u8]) -> Option<&'static str> {
    let text = || std::str::from_utf8(data).is_ok() && !data.contains(&0);
    if data.starts_with(b"%PDF-") {
        Some("pdf")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some("webp")
    } else if text() {
        let t = String::from_utf8_lossy(data);
        let t = t.trim_start_matches('\u{feff}');
        if t.starts_with("WEBVTT") {
            Some("vtt")
        } else {
            Some("text")
        }
    } else {
        None
    }
}

/// The content type of a downloadable file: sniffed from its bytes, and the
/// name's extension must agree (a program renamed `.pdf` is refused).
pub(crate) fn resource_type(file_name: &str, data: &[u8]) -> Result<&'static str, String> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    let sniffed = sniff(data);
    let (expected, content_type) = match ext.as_deref() {
        Some("pdf") => ("pdf", "application/pdf"),
        Some("png") => ("png", "image/png"),
        Some("jpg" | "jpeg") => ("jpeg", "image/jpeg"),
        Some("webp") => ("webp", "image/webp"),
        Some("vtt") => ("vtt", "text/vtt; charset=utf-8"),
        Some("md") => ("text", "text/markdown; charset=utf-8"),
        Some("csv") => ("text", "text/csv; charset=utf-8"),
        Some("txt") => ("text", "text/plain; charset=utf-8"),
        _ => {
            return Err(
                "resources must be .pdf, .md, .txt, .csv, .png, .jpg, .webp or .vtt files".into(),
            );
        }
    };
    // Captions are text too; plain text may be named .vtt only if it is WebVTT.
    let agrees = sniffed == Some(expected) || (expected == "text" && sniffed == Some("vtt"));
    if agrees {
        return Ok(content_type);
    }
    let ext = ext.unwrap_or_default();
    Err(match (expected, sniffed) {
        ("text", _) => format!("a .{ext} file must be UTF-8 text"),
        ("vtt", Some("text")) => "a .vtt file must start with `WEBVTT`".into(),
        (_, Some("text" | "vtt")) => format!("named .{ext} but is text"),
        (_, Some(other)) => format!("named .{ext} but is a {} file", other.to_uppercase()),
        (_, None) => format!(
            "named .{ext} but its content is not a {}",
            expected.to_uppercase()
        ),
    })
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

// ---------------------------------------------------------------------------
// Raw files, exactly as written.

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    slug: String,
    default_locale: String,
    level: String,
    duration_minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default)]
    themes: RawThemes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cover: Option<String>,
    modules: Vec<RawModule>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawThemes {
    #[serde(default)]
    sdgs: Vec<u8>,
    #[serde(default)]
    sendai: Vec<u8>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    id: String,
    lessons: Vec<RawLesson>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    id: String,
    kind: String,
    #[serde(default)]
    duration_minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    video_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passing_score: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    questions: Option<Vec<RawQuestion>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    options: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    correct: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answer: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    title: String,
    summary: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    objectives: Vec<String>,
    #[serde(default)]
    modules: BTreeMap<String, ModuleText>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    cover_alt: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    intro: String,
    #[serde(default)]
    questions: BTreeMap<String, QuestionText>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
}

// ---------------------------------------------------------------------------
// Reading.

/// Collects problems and warnings while a course is read.
#[derive(Default)]
pub struct Report {
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

impl Report {
    fn error(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.errors.push(Problem {
            file: file.to_owned(),
            line,
            message: message.into(),
        });
    }
    fn warn(&mut self, file: &Path, message: impl Into<String>) {
        self.warnings.push(Problem {
            file: file.to_owned(),
            line: None,
            message: message.into(),
        });
    }
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn read_text(path: &Path, report: &mut Report) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) => {
            report.error(path, None, format!("cannot read: {e}"));
            None
        }
    }
}

fn parse_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    report: &mut Report,
) -> Option<T> {
    match serde_yaml_ng::from_str::<T>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let line = e.location().map(|l| l.line());
            let msg = e.to_string();
            // serde_yaml appends " at line X column Y"; the line is already in the prefix.
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            report.error(path, line, msg);
            None
        }
    }
}

/// Course folders directly under `dir` (those holding a `course.yaml`), sorted.
/// `dir` may itself be a single course folder.
pub fn course_dirs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if dir.join("course.yaml").is_file() {
        return Ok(vec![dir.to_owned()]);
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("course.yaml").is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// Reads every course under `dir`. Returns the courses and the warnings, or every problem found.
pub fn read_all(dir: &Path) -> Result<(Vec<CourseSource>, Vec<Problem>), SourceErrors> {
    let dirs = course_dirs(dir).map_err(|e| {
        SourceErrors(vec![Problem {
            file: dir.to_owned(),
            line: None,
            message: format!("cannot read the folder: {e}"),
        }])
    })?;
    if dirs.is_empty() {
        return Err(SourceErrors(vec![Problem {
            file: dir.to_owned(),
            line: None,
            message: "no course folder (a folder with a course.yaml) here".into(),
        }]));
    }
    let mut report = Report::default();
    let mut courses = Vec::new();
    let mut slugs = BTreeMap::new();
    for d in dirs {
        if let Some(course) = read_course(&d, &mut report) {
            if let Some(first) = slugs.insert(course.slug.clone(), d.clone()) {
                report.error(
                    &d.join("course.yaml"),
                    None,
                    format!(
                        "slug `{}` is already used by {}",
                        course.slug,
                        first.display()
                    ),
                );
            }
            courses.push(course);
        }
    }
    if report.errors.is_empty() {
        Ok((courses, report.warnings))
    } else {
        Err(SourceErrors(report.errors))
    }
}

/// Reads one course folder. Problems go to `report`; `None` when the course is unusable.
pub fn read_course(dir: &Path, report: &mut Report) -> Option<CourseSource> {
    let errors_before = report.errors.len();
    let path = dir.join("course.yaml");
    let text = read_text(&path, report)?;
    let raw: RawCourse = parse_yaml(&path, &text, report)?;
    let mut err = |needle: &str, msg: String| {
        let line = line_of(&text, needle);
        report.errors.push(Problem {
            file: path.clone(),
            line,
            message: msg,
        });
    };

    let slug = Slug::parse(&raw.slug)
        .map_err(|e| err("slug:", format!("slug: {e}")))
        .ok();
    if let Some(s) = &slug
        && s.as_str().len() < 3
    {
        err("slug:", "slug: use at least 3 characters".into());
    }
    let default_locale = raw
        .default_locale
        .parse::<Locale>()
        .map_err(|e| err("default_locale:", format!("default_locale: {e}")))
        .ok();
    let level = raw
        .level
        .parse::<Level>()
        .map_err(|e| err("level:", format!("level: {e}")))
        .ok();
    let status = match &raw.status {
        None => Some(CourseStatus::Published),
        Some(s) => s
            .parse::<CourseStatus>()
            .map_err(|e| err("status:", format!("status: {e}")))
            .ok(),
    };
    if raw.duration_minutes == 0 || raw.duration_minutes > 100_000 {
        err(
            "duration_minutes:",
            "duration_minutes: must be between 1 and 100000".into(),
        );
    }
    let mut themes = BTreeSet::new();
    for n in &raw.themes.sdgs {
        match format!("sdg:{n}").parse::<Theme>() {
            Ok(t) => drop(themes.insert(t.to_string())),
            Err(_) => err(
                "sdgs:",
                format!("themes.sdgs: {n} is not a goal number (1–17)"),
            ),
        }
    }
    for n in &raw.themes.sendai {
        match format!("sendai:{n}").parse::<Theme>() {
            Ok(t) => drop(themes.insert(t.to_string())),
            Err(_) => err(
                "sendai:",
                format!("themes.sendai: {n} is not a priority for action (1–4)"),
            ),
        }
    }
    for tag in &raw.themes.tags {
        match Slug::parse(tag) {
            Ok(t) => drop(themes.insert(Theme::Tag(t).to_string())),
            Err(e) => err(tag, format!("themes.tags: {e}")),
        }
    }

    if raw.modules.is_empty() {
        err(
            "modules:",
            "modules: a course needs at least one module".into(),
        );
    }
    let mut modules = Vec::new();
    let mut module_keys = BTreeSet::new();
    let mut lesson_keys = BTreeSet::new();
    for m in &raw.modules {
        let Ok(key) = Slug::parse(&m.id)
            .map_err(|e| err(&format!("id: {}", m.id), format!("module id: {e}")))
        else {
            continue;
        };
        if !module_keys.insert(key.clone()) {
            err(
                &format!("id: {}", m.id),
                format!("module id `{key}` is used twice"),
            );
        }
        if m.lessons.is_empty() {
            err(
                &format!("id: {}", m.id),
                format!("module `{key}` has no lessons"),
            );
        }
        let mut lessons = Vec::new();
        for l in &m.lessons {
            let at = format!("id: {}", l.id);
            let Ok(lkey) = Slug::parse(&l.id).map_err(|e| err(&at, format!("lesson id: {e}")))
            else {
                continue;
            };
            if !lesson_keys.insert(lkey.clone()) {
                err(
                    &at,
                    format!("lesson id `{lkey}` is used twice in the course"),
                );
            }
            let Ok(kind) = l
                .kind
                .parse::<LessonKind>()
                .map_err(|e| err(&at, format!("lesson `{lkey}`: {e}")))
            else {
                continue;
            };
            let lesson_err = |what: &str| format!("lesson `{lkey}`: {what}");
            if l.duration_minutes > 10_000 {
                err(&at, lesson_err("duration_minutes is over 10000"));
            }
            if kind != LessonKind::Video && l.video_url.is_some() {
                err(&at, lesson_err("video_url is only for video lessons"));
            }
            if let Some(u) = &l.video_url
                && !matches!(
                    url::Url::parse(u).map(|u| u.scheme().to_owned()).as_deref(),
                    Ok("https")
                )
            {
                err(&at, lesson_err("video_url must be an https URL"));
            }
            match (kind, &l.file) {
                (LessonKind::Resource, None) => {
                    err(&at, lesson_err("a resource lesson needs `file`"))
                }
                (LessonKind::Resource, Some(f)) if !valid_file_name(f) => err(
                    &at,
                    lesson_err(
                        "file: use a plain file name (letters, digits, -, _ and one extension)",
                    ),
                ),
                (LessonKind::Resource, _) => {}
                (_, Some(_)) => err(&at, lesson_err("`file` is only for resource lessons")),
                (_, None) => {}
            }
            let mut questions = Vec::new();
            if kind == LessonKind::Quiz {
                match l.passing_score {
                    Some(1..=100) => {}
                    _ => err(
                        &at,
                        lesson_err("a quiz needs passing_score between 1 and 100"),
                    ),
                }
                if l.max_attempts == Some(0) {
                    err(
                        &at,
                        lesson_err("max_attempts must be at least 1 (leave it out for no limit)"),
                    );
                }
                let raw_questions = l.questions.as_deref().unwrap_or_default();
                if raw_questions.is_empty() {
                    err(&at, lesson_err("a quiz needs at least one question"));
                }
                let mut qkeys = BTreeSet::new();
                for q in raw_questions {
                    let qat = format!("id: {}", q.id);
                    let Ok(qkey) =
                        Slug::parse(&q.id).map_err(|e| err(&qat, format!("question id: {e}")))
                    else {
                        continue;
                    };
                    if !qkeys.insert(qkey.clone()) {
                        err(
                            &qat,
                            lesson_err(&format!("question `{qkey}` is used twice")),
                        );
                    }
                    let Ok(qkind) = q
                        .kind
                        .parse::<QuestionKind>()
                        .map_err(|e| err(&qat, lesson_err(&e)))
                    else {
                        continue;
                    };
                    let qerr = |what: &str| format!("lesson `{lkey}`, question `{qkey}`: {what}");
                    let (options, correct) = match qkind {
                        QuestionKind::TrueFalse => {
                            if q.options.is_some() || q.correct.is_some() {
                                err(
                                    &qat,
                                    qerr(
                                        "true_false questions take `answer: true|false`, not options",
                                    ),
                                );
                            }
                            match q.answer {
                                Some(a) => {
                                    (vec!["true".into(), "false".into()], vec![a.to_string()])
                                }
                                None => {
                                    err(
                                        &qat,
                                        qerr(
                                            "a true_false question needs `answer: true` or `answer: false`",
                                        ),
                                    );
                                    continue;
                                }
                            }
                        }
                        _ => {
                            if q.answer.is_some() {
                                err(
                                    &qat,
                                    qerr(
                                        "`answer` is only for true_false questions; use `correct`",
                                    ),
                                );
                            }
                            let options = q.options.clone().unwrap_or_default();
                            let correct = q.correct.clone().unwrap_or_default();
                            if options.len() < 2 {
                                err(&qat, qerr("needs at least two options"));
                            }
                            let mut seen = BTreeSet::new();
                            for o in &options {
                                if let Err(e) = Slug::parse(o) {
                                    err(&qat, qerr(&format!("option {e}")));
                                }
                                if !seen.insert(o) {
                                    err(&qat, qerr(&format!("option `{o}` is listed twice")));
                                }
                            }
                            for c in &correct {
                                if !options.contains(c) {
                                    err(
                                        &qat,
                                        qerr(&format!(
                                            "correct option `{c}` is not one of the options"
                                        )),
                                    );
                                }
                            }
                            if correct.is_empty() {
                                err(&qat, qerr("has no correct answer"));
                            }
                            if qkind == QuestionKind::Single && correct.len() > 1 {
                                err(
                                    &qat,
                                    qerr("a single-choice question has exactly one correct option"),
                                );
                            }
                            (options, correct)
                        }
                    };
                    questions.push(QuestionSource {
                        key: qkey,
                        kind: qkind,
                        options,
                        correct,
                    });
                }
            } else if l.questions.is_some() || l.passing_score.is_some() || l.max_attempts.is_some()
            {
                err(
                    &at,
                    lesson_err("questions, passing_score and max_attempts are only for quizzes"),
                );
            }
            lessons.push(LessonSource {
                key: lkey,
                kind,
                duration_minutes: l.duration_minutes,
                video_url: l.video_url.clone(),
                file: l.file.clone(),
                passing_score: l.passing_score,
                max_attempts: l.max_attempts,
                questions,
            });
        }
        modules.push(ModuleSource { key, lessons });
    }

    // Without a slug or a default locale nothing else can be checked; other
    // bad values were reported and take a default so the rest is still checked.
    let (Some(slug), Some(default_locale)) = (slug, default_locale) else {
        return None;
    };
    let level = level.unwrap_or(Level::Beginner);
    let status = status.unwrap_or(CourseStatus::Draft);
    let mut course = CourseSource {
        slug,
        default_locale,
        level,
        duration_minutes: raw.duration_minutes,
        status,
        themes,
        modules,
        texts: BTreeMap::new(),
        media: BTreeMap::new(),
        cover: raw.cover.clone(),
    };

    // Locale folders.
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name == "course.yaml" || name.starts_with('.') || name == "README.md" {
            continue;
        }
        if name == media::MEDIA_DIR && entry.is_dir() {
            course.media = media::read_folder(&entry, report);
            continue;
        }
        match (entry.is_dir(), name.parse::<Locale>()) {
            (true, Ok(locale)) => {
                if let Some(text) = read_locale(&entry, &course, report) {
                    course.texts.insert(locale, text);
                }
            }
            _ => report.error(
                &entry,
                None,
                "unexpected entry: a course folder holds course.yaml, locale folders (en, fr, es) and media/",
            ),
        }
    }
    if !course.texts.contains_key(&course.default_locale) && report.errors.len() == errors_before {
        report.error(
            dir,
            None,
            format!(
                "the default locale folder `{}/` is missing",
                course.default_locale
            ),
        );
    }
    check_completeness(dir, &course, report);
    media::check_cover(dir, &course, report);
    (report.errors.len() == errors_before).then_some(course)
}

fn valid_file_name(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && name.len() <= 120
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && ext.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let end = rest.find("\n---")?;
    let front = &rest[..end + 1];
    let after = &rest[end + 4..];
    let body = after
        .strip_prefix('\n')
        .or_else(|| after.strip_prefix("\r\n"))
        .unwrap_or(after);
    Some((front, body))
}

fn read_locale(dir: &Path, course: &CourseSource, report: &mut Report) -> Option<LocaleText> {
    let meta_path = dir.join("meta.yaml");
    if !meta_path.is_file() {
        report.error(
            &meta_path,
            None,
            "missing: every locale folder needs a meta.yaml",
        );
        return None;
    }
    let meta_text = read_text(&meta_path, report)?;
    let meta: RawMeta = parse_yaml(&meta_path, &meta_text, report)?;
    let mut text = LocaleText {
        title: meta.title.trim().to_owned(),
        summary: meta.summary.trim().to_owned(),
        description: meta.description.trim().to_owned(),
        objectives: meta
            .objectives
            .iter()
            .map(|o| o.trim().to_owned())
            .collect(),
        modules: meta.modules,
        cover_alt: meta.cover_alt.trim().to_owned(),
        ..LocaleText::default()
    };
    if text.title.is_empty() || text.title.chars().count() > 200 {
        report.error(
            &meta_path,
            line_of(&meta_text, "title:"),
            "title: must be 1–200 characters",
        );
    }
    if text.summary.is_empty() || text.summary.chars().count() > 300 {
        report.error(
            &meta_path,
            line_of(&meta_text, "summary:"),
            "summary: must be 1–300 characters",
        );
    }
    for key in text.modules.keys() {
        if !course.modules.iter().any(|m| m.key.as_str() == key) {
            report.error(
                &meta_path,
                line_of(&meta_text, &format!("{key}:")),
                format!("modules: `{key}` is not a module of course.yaml"),
            );
        }
    }

    let mut expected = BTreeSet::from(["meta.yaml".to_owned(), "resources".to_owned()]);
    for lesson in course.lessons() {
        let key = lesson.key.as_str();
        if lesson.kind == LessonKind::Quiz {
            let path = dir.join(format!("{key}.yaml"));
            expected.insert(format!("{key}.yaml"));
            if !path.is_file() {
                continue;
            }
            let Some(raw) = read_text(&path, report) else {
                continue;
            };
            let Some(quiz) = parse_yaml::<RawQuiz>(&path, &raw, report) else {
                continue;
            };
            text.lessons.insert(
                key.to_owned(),
                LessonText {
                    title: quiz.title.trim().to_owned(),
                    body: quiz.intro.trim().to_owned(),
                },
            );
            for (qkey, qtext) in quiz.questions {
                let Some(q) = lesson.questions.iter().find(|q| q.key.as_str() == qkey) else {
                    report.error(
                        &path,
                        line_of(&raw, &format!("{qkey}:")),
                        format!("question `{qkey}` is not in course.yaml"),
                    );
                    continue;
                };
                for okey in qtext.options.keys() {
                    if !q.options.contains(okey) {
                        report.error(
                            &path,
                            line_of(&raw, &format!("{qkey}:")),
                            format!("question `{qkey}`: option `{okey}` is not in course.yaml"),
                        );
                    }
                }
                text.questions.insert((key.to_owned(), qkey), qtext);
            }
        } else {
            let path = dir.join(format!("{key}.md"));
            expected.insert(format!("{key}.md"));
            if !path.is_file() {
                continue;
            }
            let Some(raw) = read_text(&path, report) else {
                continue;
            };
            let Some((front, body)) = split_front_matter(&raw) else {
                report.error(
                    &path,
                    Some(1),
                    "missing front matter: start with `---`, a `title:` line and `---`",
                );
                continue;
            };
            let Some(fm) = parse_yaml::<FrontMatter>(&path, front, report) else {
                continue;
            };
            text.lessons.insert(
                key.to_owned(),
                LessonText {
                    title: fm.title.trim().to_owned(),
                    body: body.trim().to_owned(),
                },
            );
            if let Some(file) = &lesson.file {
                let rpath = dir.join("resources").join(file);
                if rpath.is_file() {
                    match std::fs::read(&rpath)
                        .map_err(|e| e.to_string())
                        .and_then(|d| Resource::new(file, d))
                    {
                        Ok(r) => drop(text.resources.insert(file.clone(), r)),
                        Err(e) => report.error(&rpath, None, e),
                    }
                }
            }
        }
    }
    // Files that belong to nothing are mistakes (a typo in a lesson id, say).
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !expected.contains(&name) && !name.starts_with('.') {
                report.error(
                    &e.path(),
                    None,
                    "this file belongs to no lesson of course.yaml",
                );
            }
        }
    }
    if let Ok(rd) = std::fs::read_dir(dir.join("resources")) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !course
                .lessons()
                .any(|l| l.file.as_deref() == Some(name.as_str()))
                && !name.starts_with('.')
            {
                report.error(
                    &e.path(),
                    None,
                    "this file is the `file` of no resource lesson",
                );
            }
        }
    }
    for (key, lt) in &text.lessons {
        if lt.title.is_empty() || lt.title.chars().count() > 200 {
            report.error(&dir.join(key), None, "title: must be 1–200 characters");
        }
    }
    Some(text)
}

/// Missing texts in the default locale are errors; in other locales, warnings
/// (learners see the default locale's text). Broken links are errors everywhere.
fn check_completeness(dir: &Path, course: &CourseSource, report: &mut Report) {
    for (locale, text) in &course.texts {
        let ldir = dir.join(locale.as_str());
        let is_default = *locale == course.default_locale;
        let missing = |report: &mut Report, path: PathBuf, what: String| {
            if is_default {
                report.error(&path, None, format!("missing: {what}"));
            } else {
                report.warn(&path, format!("translation missing: {what}"));
            }
        };
        if text.description.is_empty() {
            missing(report, ldir.join("meta.yaml"), "description".into());
        }
        if text.objectives.is_empty() {
            missing(report, ldir.join("meta.yaml"), "objectives".into());
        }
        for m in &course.modules {
            if text
                .modules
                .get(m.key.as_str())
                .is_none_or(|t| t.title.trim().is_empty())
            {
                missing(
                    report,
                    ldir.join("meta.yaml"),
                    format!("title of module `{}`", m.key),
                );
            }
        }
        for l in course.lessons() {
            let key = l.key.as_str();
            let file = match l.kind {
                LessonKind::Quiz => format!("{key}.yaml"),
                _ => format!("{key}.md"),
            };
            if !text.lessons.contains_key(key) {
                missing(report, ldir.join(&file), format!("lesson `{key}`"));
                continue;
            }
            if let Some(f) = &l.file
                && !text.resources.contains_key(f)
            {
                missing(
                    report,
                    ldir.join("resources").join(f),
                    format!("resource file of `{key}`"),
                );
            }
            for q in &l.questions {
                match text.questions.get(&(key.to_owned(), q.key.to_string())) {
                    None => missing(report, ldir.join(&file), format!("question `{}`", q.key)),
                    Some(qt) => {
                        for o in &q.options {
                            match qt.options.get(o) {
                                None => missing(
                                    report,
                                    ldir.join(&file),
                                    format!("question `{}`, option `{o}`", q.key),
                                ),
                                Some(ot) if ot.explanation.trim().is_empty() => report.warn(
                                    &ldir.join(&file),
                                    format!(
                                        "question `{}`, option `{o}` has no explanation",
                                        q.key
                                    ),
                                ),
                                Some(_) => {}
                            }
                        }
                    }
                }
            }
        }
        // Links must point inside the course.
        let mut bodies: Vec<(PathBuf, &str)> =
            vec![(ldir.join("meta.yaml"), text.description.as_str())];
        for l in course.lessons() {
            if let Some(lt) = text.lessons.get(l.key.as_str()) {
                let ext = if l.kind == LessonKind::Quiz {
                    "yaml"
                } else {
                    "md"
                };
                bodies.push((ldir.join(format!("{}.{ext}", l.key)), lt.body.as_str()));
            }
        }
        for (path, body) in bodies {
            media::check_uses(&path, body, course, report);
            for (kind, target) in markdown::internal_links(body) {
                let ok = match kind {
                    "lesson" => course.lessons().any(|l| l.key.as_str() == target),
                    _ => course
                        .lessons()
                        .any(|l| l.file.as_deref() == Some(target.as_str())),
                };
                if !ok {
                    report.error(
                        &path,
                        None,
                        format!("broken link `{kind}:{target}`: no such {kind} in the course"),
                    );
                }
            }
        }
    }
}

/// The stricter checks of `agora courses lint`, for a shipped catalogue:
/// every locale complete, every option explained, no short lessons.
pub fn lint(course: &CourseSource, dir: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |file: PathBuf, message: String| {
        problems.push(Problem {
            file,
            line: None,
            message,
        })
    };
    for locale in Locale::ALL {
        let Some(text) = course.texts.get(&locale) else {
            push(
                dir.join(locale.as_str()),
                "translation missing: the whole locale".into(),
            );
            continue;
        };
        for l in course.lessons() {
            if let Some(lt) = text.lessons.get(l.key.as_str())
                && matches!(l.kind, LessonKind::Text | LessonKind::Video)
            {
                let words = markdown::word_count(&lt.body);
                if words < MIN_LESSON_WORDS {
                    push(
                        dir.join(locale.as_str()).join(format!("{}.md", l.key)),
                        format!("only {words} words: a lesson needs at least {MIN_LESSON_WORDS}"),
                    );
                }
            }
        }
    }
    problems
}

/// Words per locale: descriptions, lessons, quizzes and text resources.
pub fn word_counts(course: &CourseSource) -> BTreeMap<Locale, usize> {
    course
        .texts
        .iter()
        .map(|(locale, t)| {
            let mut n = markdown::word_count(&t.description) + markdown::word_count(&t.summary);
            n += t
                .lessons
                .values()
                .map(|l| markdown::word_count(&l.body))
                .sum::<usize>();
            for q in t.questions.values() {
                n += markdown::word_count(&q.prompt);
                n += q
                    .options
                    .values()
                    .map(|o| markdown::word_count(&o.text) + markdown::word_count(&o.explanation))
                    .sum::<usize>();
            }
            n += t
                .resources
                .values()
                .filter(|r| r.content_type.starts_with("text/"))
                .map(|r| markdown::word_count(&String::from_utf8_lossy(&r.data)))
                .sum::<usize>();
            (*locale, n)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Writing: the inverse of reading, for `agora export`.

pub fn write_course(course: &CourseSource, dir: &Path) -> std::io::Result<()> {
    for (path, data) in render_files(course) {
        let target = dir.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, data)?;
    }
    Ok(())
}

/// The files of a course in the folder format, keyed by their path relative
/// to the course folder (`course.yaml`, `fr/meta.yaml`, …).
pub fn render_files(course: &CourseSource) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut themes = RawThemes::default();
    for t in &course.themes {
        match t.parse::<Theme>() {
            Ok(Theme::Sdg(n)) => themes.sdgs.push(n),
            Ok(Theme::Sendai(n)) => themes.sendai.push(n),
            Ok(Theme::Tag(s)) => themes.tags.push(s.to_string()),
            Err(_) => {}
        }
    }
    let raw = RawCourse {
        slug: course.slug.to_string(),
        default_locale: course.default_locale.to_string(),
        level: course.level.to_string(),
        duration_minutes: course.duration_minutes,
        status: Some(course.status.to_string()),
        themes,
        cover: course.cover.clone(),
        modules: course
            .modules
            .iter()
            .map(|m| RawModule {
                id: m.key.to_string(),
                lessons: m
                    .lessons
                    .iter()
                    .map(|l| RawLesson {
                        id: l.key.to_string(),
                        kind: l.kind.to_string(),
                        duration_minutes: l.duration_minutes,
                        video_url: l.video_url.clone(),
                        file: l.file.clone(),
                        passing_score: l.passing_score,
                        max_attempts: l.max_attempts,
                        questions: (l.kind == LessonKind::Quiz).then(|| {
                            l.questions
                                .iter()
                                .map(|q| match q.kind {
                                    QuestionKind::TrueFalse => RawQuestion {
                                        id: q.key.to_string(),
                                        kind: q.kind.to_string(),
                                        options: None,
                                        correct: None,
                                        answer: Some(
                                            q.correct.first().is_some_and(|c| c == "true"),
                                        ),
                                    },
                                    _ => RawQuestion {
                                        id: q.key.to_string(),
                                        kind: q.kind.to_string(),
                                        options: Some(q.options.clone()),
                                        correct: Some(q.correct.clone()),
                                        answer: None,
                                    },
                                })
                                .collect()
                        }),
                    })
                    .collect(),
            })
            .collect(),
    };
    files.insert("course.yaml".to_owned(), yaml(&raw).into_bytes());
    for (locale, text) in &course.texts {
        let ldir = locale.as_str();
        let meta = RawMeta {
            title: text.title.clone(),
            summary: text.summary.clone(),
            description: text.description.clone(),
            objectives: text.objectives.clone(),
            modules: text.modules.clone(),
            cover_alt: text.cover_alt.clone(),
        };
        files.insert(format!("{ldir}/meta.yaml"), yaml(&meta).into_bytes());
        for l in course.lessons() {
            let Some(lt) = text.lessons.get(l.key.as_str()) else {
                continue;
            };
            if l.kind == LessonKind::Quiz {
                let quiz = RawQuiz {
                    title: lt.title.clone(),
                    intro: lt.body.clone(),
                    questions: text
                        .questions
                        .iter()
                        .filter(|((lk, _), _)| lk == l.key.as_str())
                        .map(|((_, qk), qt)| (qk.clone(), qt.clone()))
                        .collect(),
                };
                files.insert(format!("{ldir}/{}.yaml", l.key), yaml(&quiz).into_bytes());
            } else {
                let front = yaml(&FrontMatter {
                    title: lt.title.clone(),
                });
                files.insert(
                    format!("{ldir}/{}.md", l.key),
                    format!("---\n{front}---\n{}\n", lt.body).into_bytes(),
                );
            }
        }
        for (name, r) in &text.resources {
            files.insert(format!("{ldir}/resources/{name}"), r.data.clone());
        }
    }
    for (name, m) in &course.media {
        files.insert(format!("{}/{name}", media::MEDIA_DIR), m.data.clone());
    }
    files
}

fn yaml<T: Serialize>(value: &T) -> String {
    serde_yaml_ng::to_string(value).expect("plain data serialises to YAML")
}
