//! The glossary of official names (`courses/glossary.yaml`): each English
//! name with its official form in the other locales. `agora courses lint`
//! flags an English name left in a French or Spanish text.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Problem, model::CourseSource};
use crate::domain::{LessonKind, Locale};

/// One official name in every locale.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub en: String,
    pub fr: String,
    pub es: String,
    /// Longer names that contain the English one and stay in English
    /// everywhere (a tool's or a document's own name).
    #[serde(default)]
    pub keep: Vec<String>,
}

impl Term {
    pub fn name(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => &self.en,
            Locale::Fr => &self.fr,
            Locale::Es => &self.es,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Glossary {
    pub terms: Vec<Term>,
}

impl Glossary {
    pub const FILE: &'static str = "glossary.yaml";

    /// The glossary of a catalogue folder (or of the folder above a single
    /// course); `None` when there is none.
    pub fn find(dir: &Path) -> Result<Option<Glossary>, Problem> {
        let candidates = [dir.join(Self::FILE), dir.join("..").join(Self::FILE)];
        let Some(path) = candidates.into_iter().find(|p| p.is_file()) else {
            return Ok(None);
        };
        let problem = |line, message| Problem {
            file: path.clone(),
            line,
            message,
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| problem(None, format!("cannot read: {e}")))?;
        let glossary: Glossary = serde_yaml_ng::from_str(&text).map_err(|e| {
            let line = e.location().map(|l| l.line());
            problem(line, e.to_string())
        })?;
        for t in &glossary.terms {
            if Locale::ALL.iter().any(|l| t.name(*l).trim().is_empty()) {
                return Err(problem(
                    super::text::line_of(&text, &t.en),
                    format!("term `{}`: give its name in every locale", t.en),
                ));
            }
        }
        Ok(Some(glossary))
    }

    /// English names left in the other locales' texts of a course.
    pub fn check(&self, course: &CourseSource, dir: &Path) -> Vec<Problem> {
        let mut problems = Vec::new();
        for locale in course.texts.keys() {
            if *locale == Locale::En {
                continue;
            }
            for (file, words) in texts_of(course, *locale, dir) {
                for t in &self.terms {
                    let official = t.name(*locale);
                    if official == t.en {
                        continue;
                    }
                    let mut rest = words.clone();
                    for kept in &t.keep {
                        rest = rest.replace(kept.as_str(), "");
                    }
                    if let Some(line) = rest.lines().position(|l| l.contains(t.en.as_str())) {
                        problems.push(Problem {
                            file: file.clone(),
                            line: file_line(&file, line),
                            message: format!(
                                "`{}` is left in English: the official {locale} name is `{official}` (courses/{})",
                                t.en,
                                Self::FILE
                            ),
                        });
                    }
                }
            }
        }
        problems
    }
}

/// Lines of a Markdown lesson file are counted after its three-line front matter.
fn file_line(file: &Path, body_line: usize) -> Option<usize> {
    file.extension()
        .is_some_and(|e| e == "md")
        .then_some(body_line + 4)
}

/// Every text of one locale, with the file it comes from.
fn texts_of(course: &CourseSource, locale: Locale, dir: &Path) -> Vec<(PathBuf, String)> {
    let Some(t) = course.texts.get(&locale) else {
        return Vec::new();
    };
    let ldir = dir.join(locale.as_str());
    let mut meta = vec![t.title.clone(), t.summary.clone(), t.description.clone()];
    meta.extend(t.objectives.iter().cloned());
    meta.extend(
        t.modules
            .values()
            .map(|m| format!("{}\n{}", m.title, m.summary)),
    );
    let mut out = vec![(ldir.join("meta.yaml"), meta.join("\n"))];
    for l in course.lessons() {
        let key = l.key.as_str();
        let Some(lt) = t.lessons.get(key) else {
            continue;
        };
        if l.kind == LessonKind::Quiz {
            let mut words = vec![lt.title.clone(), lt.body.clone()];
            for ((quiz, _), q) in &t.questions {
                if quiz == key {
                    words.push(q.prompt.clone());
                    for o in q.options.values() {
                        words.push(o.text.clone());
                        words.push(o.explanation.clone());
                    }
                }
            }
            out.push((ldir.join(format!("{key}.yaml")), words.join("\n")));
        } else {
            out.push((ldir.join(format!("{key}.md")), lt.body.clone()));
        }
        if let Some(f) = &l.file
            && let Some(r) = t.resources.get(f)
            && r.content_type.starts_with("text/")
        {
            out.push((
                ldir.join("resources").join(f),
                String::from_utf8_lossy(&r.data).into_owned(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_glossary_reads_and_names_every_term_in_every_locale() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses");
        let g = Glossary::find(&dir)
            .unwrap()
            .expect("courses/glossary.yaml");
        let mcr = g
            .terms
            .iter()
            .find(|t| t.en == "Making Cities Resilient 2030")
            .expect("MCR2030 is in the glossary");
        assert_eq!(mcr.fr, "Pour des villes résilientes 2030");
        assert_eq!(mcr.es, "Desarrollando Ciudades Resilientes 2030");
    }

    #[test]
    fn an_english_name_left_in_french_is_flagged_and_kept_names_are_not() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses");
        let g = Glossary::find(&dir).unwrap().unwrap();
        let course_dir = dir.join("localizing-sendai-framework");
        let mut report = super::super::Report::default();
        let mut course = super::super::read_course(&course_dir, &mut report).unwrap();
        assert!(
            g.check(&course, &course_dir).is_empty(),
            "the shipped course is clean"
        );

        let fr = course.texts.get_mut(&Locale::Fr).unwrap();
        let lesson = fr.lessons.get_mut("governing-risk-locally").unwrap();
        lesson.body = lesson.body.replace(
            "Pour des villes résilientes 2030",
            "Making Cities Resilient 2030",
        );
        assert!(
            lesson.body.contains("Sendai Framework Monitor"),
            "a kept name stays"
        );
        let problems = g.check(&course, &course_dir);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let p = &problems[0];
        assert!(p.file.ends_with("fr/governing-risk-locally.md"), "{p}");
        assert!(p.line.is_some(), "{p}");
        assert!(
            p.message
                .contains("`Making Cities Resilient 2030` is left in English: the official fr name is `Pour des villes résilientes 2030`"),
            "{p}"
        );
    }
}
