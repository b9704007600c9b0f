//! The `courses/` folder format: reading, checking and writing course sources.
//! `courses/README.md` documents the format; this module is its only reader.
//! It knows no database, storage or site address.

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
};

mod checks;
mod glossary;
mod locale;
pub mod media;
mod media_folder;
mod model;
mod parity;
mod raw;
mod reader;
pub(crate) mod sniff;
mod sources;
mod text;
mod writer;

pub use checks::{lint, practice_links, word_counts};
pub use glossary::Glossary;
pub use model::{
    CourseSource, LessonSource, LessonText, LocaleText, ModuleSource, ModuleText, OptionText,
    QuestionSource, QuestionText, Resource, Source,
};
pub use reader::read_course;
pub use sniff::{RESOURCE_TYPES, WORK_TYPES};
pub use sources::source_problems;
pub use writer::{render_files, write_course};

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
