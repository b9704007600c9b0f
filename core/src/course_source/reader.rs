//! Reading one course folder: `course.yaml` step by step, then its locale
//! folders and `media/`.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use super::{
    Problem, Report, checks, locale, media, media_folder,
    model::{CourseSource, LessonSource, ModuleSource, QuestionSource},
    raw::{RawCourse, RawLesson, RawQuestion, RawThemes},
    text::{line_of, parse_yaml, read_text},
};
use crate::domain::{CourseStatus, LessonKind, Level, Locale, QuestionKind, Slug, Theme};

/// The problems of `course.yaml`, each placed on the first line that holds
/// its needle (the key or value at fault).
struct YamlErrors<'a> {
    path: &'a Path,
    text: &'a str,
    report: &'a mut Report,
}

impl YamlErrors<'_> {
    fn err(&mut self, needle: &str, message: String) {
        self.report.errors.push(Problem {
            file: self.path.to_owned(),
            line: line_of(self.text, needle),
            message,
        });
    }
}

/// Reads one course folder. Problems go to `report`; `None` when the course is unusable.
pub fn read_course(dir: &Path, report: &mut Report) -> Option<CourseSource> {
    let errors_before = report.errors.len();
    let path = dir.join("course.yaml");
    let text = read_text(&path, report)?;
    let raw: RawCourse = parse_yaml(&path, &text, report)?;
    let mut y = YamlErrors {
        path: &path,
        text: &text,
        report,
    };
    let header = read_header(&raw, &mut y);
    let themes = read_themes(&raw.themes, &mut y);
    let modules = read_modules(&raw, &mut y);
    for (i, s) in raw.sources.iter().enumerate() {
        for problem in super::sources::source_problems(s) {
            let needle = if s.title.trim().is_empty() {
                "sources:"
            } else {
                s.title.as_str()
            };
            y.err(needle, format!("sources[{}]: {problem}", i + 1));
        }
    }

    // Without a slug or a default locale nothing else can be checked; other
    // bad values were reported and take a default so the rest is still checked.
    let (Some(slug), Some(default_locale)) = (header.slug, header.default_locale) else {
        return None;
    };
    let mut course = CourseSource {
        slug,
        default_locale,
        level: header.level.unwrap_or(Level::Beginner),
        duration_minutes: raw.duration_minutes,
        status: header.status.unwrap_or(CourseStatus::Draft),
        themes,
        modules,
        texts: BTreeMap::new(),
        media: BTreeMap::new(),
        cover: raw.cover.clone(),
        sources: raw.sources.clone(),
    };
    read_folders(dir, &mut course, report);
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
    checks::check_completeness(dir, &course, report);
    media_folder::check_cover(dir, &course, report);
    (report.errors.len() == errors_before).then_some(course)
}

/// The values of `course.yaml` every other check needs; `None` where a value
/// is wrong (and reported).
struct Header {
    slug: Option<Slug>,
    default_locale: Option<Locale>,
    level: Option<Level>,
    status: Option<CourseStatus>,
}

fn read_header(raw: &RawCourse, y: &mut YamlErrors) -> Header {
    let slug = Slug::parse(&raw.slug)
        .map_err(|e| y.err("slug:", format!("slug: {e}")))
        .ok();
    if let Some(s) = &slug
        && s.as_str().len() < 3
    {
        y.err("slug:", "slug: use at least 3 characters".into());
    }
    let default_locale = raw
        .default_locale
        .parse::<Locale>()
        .map_err(|e| y.err("default_locale:", format!("default_locale: {e}")))
        .ok();
    let level = raw
        .level
        .parse::<Level>()
        .map_err(|e| y.err("level:", format!("level: {e}")))
        .ok();
    let status = match &raw.status {
        None => Some(CourseStatus::Published),
        Some(s) => s
            .parse::<CourseStatus>()
            .map_err(|e| y.err("status:", format!("status: {e}")))
            .ok(),
    };
    if raw.duration_minutes == 0 || raw.duration_minutes > 100_000 {
        y.err(
            "duration_minutes:",
            "duration_minutes: must be between 1 and 100000".into(),
        );
    }
    Header {
        slug,
        default_locale,
        level,
        status,
    }
}

/// SDGs, Sendai priorities and free tags, as theme strings.
fn read_themes(raw: &RawThemes, y: &mut YamlErrors) -> BTreeSet<String> {
    let mut themes = BTreeSet::new();
    for n in &raw.sdgs {
        match format!("sdg:{n}").parse::<Theme>() {
            Ok(t) => drop(themes.insert(t.to_string())),
            Err(_) => y.err(
                "sdgs:",
                format!("themes.sdgs: {n} is not a goal number (1–17)"),
            ),
        }
    }
    for n in &raw.sendai {
        match format!("sendai:{n}").parse::<Theme>() {
            Ok(t) => drop(themes.insert(t.to_string())),
            Err(_) => y.err(
                "sendai:",
                format!("themes.sendai: {n} is not a priority for action (1–4)"),
            ),
        }
    }
    for tag in &raw.tags {
        match Slug::parse(tag) {
            Ok(t) => drop(themes.insert(Theme::Tag(t).to_string())),
            Err(e) => y.err(tag, format!("themes.tags: {e}")),
        }
    }
    themes
}

/// The modules and their lessons; ids are unique across the course.
fn read_modules(raw: &RawCourse, y: &mut YamlErrors) -> Vec<ModuleSource> {
    if raw.modules.is_empty() {
        y.err(
            "modules:",
            "modules: a course needs at least one module".into(),
        );
    }
    let mut modules = Vec::new();
    let mut module_keys = BTreeSet::new();
    let mut lesson_keys = BTreeSet::new();
    for m in &raw.modules {
        let Ok(key) = Slug::parse(&m.id)
            .map_err(|e| y.err(&format!("id: {}", m.id), format!("module id: {e}")))
        else {
            continue;
        };
        if !module_keys.insert(key.clone()) {
            y.err(
                &format!("id: {}", m.id),
                format!("module id `{key}` is used twice"),
            );
        }
        if m.lessons.is_empty() {
            y.err(
                &format!("id: {}", m.id),
                format!("module `{key}` has no lessons"),
            );
        }
        let lessons = m
            .lessons
            .iter()
            .filter_map(|l| read_lesson(l, &mut lesson_keys, y))
            .collect();
        modules.push(ModuleSource { key, lessons });
    }
    modules
}

/// One lesson of `course.yaml`: its kind's settings, and a quiz's questions.
fn read_lesson(
    l: &RawLesson,
    lesson_keys: &mut BTreeSet<Slug>,
    y: &mut YamlErrors,
) -> Option<LessonSource> {
    let at = format!("id: {}", l.id);
    let lkey = Slug::parse(&l.id)
        .map_err(|e| y.err(&at, format!("lesson id: {e}")))
        .ok()?;
    if !lesson_keys.insert(lkey.clone()) {
        y.err(
            &at,
            format!("lesson id `{lkey}` is used twice in the course"),
        );
    }
    let kind = l
        .kind
        .parse::<LessonKind>()
        .map_err(|e| y.err(&at, format!("lesson `{lkey}`: {e}")))
        .ok()?;
    let lesson_err = |what: &str| format!("lesson `{lkey}`: {what}");
    if l.duration_minutes > 10_000 {
        y.err(&at, lesson_err("duration_minutes is over 10000"));
    }
    if kind != LessonKind::Video && l.video_url.is_some() {
        y.err(&at, lesson_err("video_url is only for video lessons"));
    }
    if let Some(u) = &l.video_url
        && !matches!(
            url::Url::parse(u).map(|u| u.scheme().to_owned()).as_deref(),
            Ok("https")
        )
    {
        y.err(&at, lesson_err("video_url must be an https URL"));
    }
    match (kind, &l.file) {
        (LessonKind::Resource, None) => y.err(&at, lesson_err("a resource lesson needs `file`")),
        (LessonKind::Resource, Some(f)) if !valid_file_name(f) => y.err(
            &at,
            lesson_err("file: use a plain file name (letters, digits, -, _ and one extension)"),
        ),
        (LessonKind::Resource, _) => {}
        (_, Some(_)) => y.err(&at, lesson_err("`file` is only for resource lessons")),
        (_, None) => {}
    }
    let mut questions = Vec::new();
    if kind == LessonKind::Quiz {
        match l.passing_score {
            Some(1..=100) => {}
            _ => y.err(
                &at,
                lesson_err("a quiz needs passing_score between 1 and 100"),
            ),
        }
        if l.max_attempts == Some(0) {
            y.err(
                &at,
                lesson_err("max_attempts must be at least 1 (leave it out for no limit)"),
            );
        }
        let raw_questions = l.questions.as_deref().unwrap_or_default();
        if raw_questions.is_empty() {
            y.err(&at, lesson_err("a quiz needs at least one question"));
        }
        let mut qkeys = BTreeSet::new();
        questions = raw_questions
            .iter()
            .filter_map(|q| read_question(q, &lkey, &mut qkeys, y))
            .collect();
    } else if l.questions.is_some() || l.passing_score.is_some() || l.max_attempts.is_some() {
        y.err(
            &at,
            lesson_err("questions, passing_score and max_attempts are only for quizzes"),
        );
    }
    Some(LessonSource {
        key: lkey,
        kind,
        duration_minutes: l.duration_minutes,
        video_url: l.video_url.clone(),
        file: l.file.clone(),
        passing_score: l.passing_score,
        max_attempts: l.max_attempts,
        questions,
    })
}

/// One question of a quiz: true/false takes `answer`, the others options
/// and the correct ones among them.
fn read_question(
    q: &RawQuestion,
    lkey: &Slug,
    qkeys: &mut BTreeSet<Slug>,
    y: &mut YamlErrors,
) -> Option<QuestionSource> {
    let lesson_err = |what: &str| format!("lesson `{lkey}`: {what}");
    let qat = format!("id: {}", q.id);
    let qkey = Slug::parse(&q.id)
        .map_err(|e| y.err(&qat, format!("question id: {e}")))
        .ok()?;
    if !qkeys.insert(qkey.clone()) {
        y.err(
            &qat,
            lesson_err(&format!("question `{qkey}` is used twice")),
        );
    }
    let qkind = q
        .kind
        .parse::<QuestionKind>()
        .map_err(|e| y.err(&qat, lesson_err(&e)))
        .ok()?;
    let qerr = |what: &str| format!("lesson `{lkey}`, question `{qkey}`: {what}");
    let (options, correct) = match qkind {
        QuestionKind::TrueFalse => {
            if q.options.is_some() || q.correct.is_some() {
                y.err(
                    &qat,
                    qerr("true_false questions take `answer: true|false`, not options"),
                );
            }
            match q.answer {
                Some(a) => (vec!["true".into(), "false".into()], vec![a.to_string()]),
                None => {
                    y.err(
                        &qat,
                        qerr("a true_false question needs `answer: true` or `answer: false`"),
                    );
                    return None;
                }
            }
        }
        _ => {
            if q.answer.is_some() {
                y.err(
                    &qat,
                    qerr("`answer` is only for true_false questions; use `correct`"),
                );
            }
            let options = q.options.clone().unwrap_or_default();
            let correct = q.correct.clone().unwrap_or_default();
            if options.len() < 2 {
                y.err(&qat, qerr("needs at least two options"));
            }
            let mut seen = BTreeSet::new();
            for o in &options {
                if let Err(e) = Slug::parse(o) {
                    y.err(&qat, qerr(&format!("option {e}")));
                }
                if !seen.insert(o) {
                    y.err(&qat, qerr(&format!("option `{o}` is listed twice")));
                }
            }
            for c in &correct {
                if !options.contains(c) {
                    y.err(
                        &qat,
                        qerr(&format!("correct option `{c}` is not one of the options")),
                    );
                }
            }
            if correct.is_empty() {
                y.err(&qat, qerr("has no correct answer"));
            }
            if qkind == QuestionKind::Single && correct.len() > 1 {
                y.err(
                    &qat,
                    qerr("a single-choice question has exactly one correct option"),
                );
            }
            (options, correct)
        }
    };
    Some(QuestionSource {
        key: qkey,
        kind: qkind,
        options,
        correct,
    })
}

/// The locale folders and `media/` next to `course.yaml`.
fn read_folders(dir: &Path, course: &mut CourseSource, report: &mut Report) {
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
        // `cohort-template.yaml` is read by cohorts, not by the course import.
        if name == "course.yaml"
            || name == "cohort-template.yaml"
            || name.starts_with('.')
            || name == "README.md"
        {
            continue;
        }
        if name == media::MEDIA_DIR && entry.is_dir() {
            course.media = media_folder::read_folder(&entry, report);
            continue;
        }
        match (entry.is_dir(), name.parse::<Locale>()) {
            (true, Ok(locale)) => {
                if let Some(text) = locale::read_locale(&entry, course, report) {
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
