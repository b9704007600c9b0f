//! Edits applied to the shipped SDG course, read back through the reader.

use std::path::Path;

use super::*;
use crate::{Error, Result, course_source::CourseSource};
use crate::{
    authoring::read_files,
    course_source::{Report, read_course, render_files},
};

fn sdgs() -> CourseSource {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses/localizing-the-sdgs");
    let mut report = Report::default();
    let course = read_course(&dir, &mut report).expect("the shipped course reads");
    assert!(report.errors.is_empty());
    course
}

/// Applies an edit the way `Authoring::edit` does, and reads the result
/// back with the importer's reader.
fn edited(course: &CourseSource, edit: Edit) -> Result<(CourseSource, Vec<String>)> {
    let before = render_files(course);
    let mut changed = course.clone();
    apply(&mut changed, edit)?;
    let after = render_files(&changed);
    let paths: Vec<String> = after
        .iter()
        .filter(|(p, d)| before.get(*p) != Some(*d))
        .map(|(p, _)| p.clone())
        .chain(before.keys().filter(|p| !after.contains_key(*p)).cloned())
        .collect();
    let (read, _) = read_files(&after).unwrap_or_else(|p| panic!("does not read: {p:?}"));
    assert_eq!(
        read, changed,
        "the rendered files read back as the edited course"
    );
    Ok((read, paths))
}

fn field_of(e: Error) -> String {
    match e {
        Error::Invalid { field, .. } => field,
        other => panic!("not a field error: {other:?}"),
    }
}

fn text_lesson(title: &str) -> NewLesson {
    NewLesson {
        key: String::new(),
        kind: LessonKind::Text,
        title: title.into(),
        duration_minutes: 5,
        file: None,
        first_question: None,
    }
}

fn option(text: &str, correct: bool) -> OptionEdit {
    OptionEdit {
        key: None,
        text: text.into(),
        explanation: String::new(),
        correct,
    }
}

#[test]
fn rendering_reads_back_unchanged() {
    let course = sdgs();
    let (read, _) = read_files(&render_files(&course)).expect("reads");
    assert_eq!(read, course);
}

#[test]
fn keys_are_made_from_titles() {
    assert_eq!(
        make_key("k", "", "Élaborer un plan d'action")
            .unwrap()
            .as_str(),
        "elaborer-un-plan-d-action"
    );
    assert_eq!(
        make_key("k", "", "¿Qué es la Agenda 2030?")
            .unwrap()
            .as_str(),
        "que-es-la-agenda-2030"
    );
    assert_eq!(field_of(make_key("key", "", "!!!").unwrap_err()), "key");
    assert_eq!(
        field_of(make_key("key", "Bad Key", "x").unwrap_err()),
        "key"
    );
}

#[test]
fn an_added_lesson_touches_only_the_outline_and_its_own_file() {
    let course = sdgs();
    let (read, paths) = edited(
        &course,
        Edit::AddLesson {
            module: "first-steps".into(),
            lesson: text_lesson("Working with the city council"),
        },
    )
    .unwrap();
    assert_eq!(
        paths,
        ["course.yaml", "en/working-with-the-city-council.md"]
    );
    let m = read
        .modules
        .iter()
        .find(|m| m.key.as_str() == "first-steps")
        .unwrap();
    assert_eq!(
        m.lessons.last().unwrap().key.as_str(),
        "working-with-the-city-council"
    );
    // French learners see the English text until it is translated.
    assert!(
        !read.texts[&Locale::Fr]
            .lessons
            .contains_key("working-with-the-city-council")
    );
    // The same id twice is refused, next to the id field.
    let again = apply(
        &mut read.clone(),
        Edit::AddLesson {
            module: "first-steps".into(),
            lesson: text_lesson("Working with the city council"),
        },
    );
    assert_eq!(field_of(again.unwrap_err()), "lesson_key");
}

#[test]
fn a_quiz_needs_its_first_question_and_a_correct_answer() {
    let course = sdgs();
    let mut quiz = text_lesson("Final check");
    quiz.kind = LessonKind::Quiz;
    assert_eq!(
        field_of(
            apply(
                &mut course.clone(),
                Edit::AddLesson {
                    module: "first-steps".into(),
                    lesson: quiz.clone()
                }
            )
            .unwrap_err()
        ),
        "question"
    );
    quiz.first_question = Some(QuestionEdit {
        key: None,
        kind: QuestionKind::Single,
        prompt: "Which report does a city write?".into(),
        options: vec![option("A VLR", false), option("A VNR", false)],
    });
    assert_eq!(
        field_of(
            apply(
                &mut course.clone(),
                Edit::AddLesson {
                    module: "first-steps".into(),
                    lesson: quiz.clone()
                }
            )
            .unwrap_err()
        ),
        "question"
    );
    quiz.first_question.as_mut().unwrap().options[0].correct = true;
    let (read, _) = edited(
        &course,
        Edit::AddLesson {
            module: "first-steps".into(),
            lesson: quiz,
        },
    )
    .unwrap();
    let l = read
        .lessons()
        .find(|l| l.key.as_str() == "final-check")
        .unwrap();
    assert_eq!(l.questions[0].key.as_str(), "q1");
    assert_eq!(l.questions[0].options, ["a", "b"]);
    assert_eq!(l.questions[0].correct, ["a"]);
}

#[test]
fn lessons_move_across_module_boundaries_and_modules_are_never_empty() {
    let course = sdgs();
    let first_of_second = course.modules[1].lessons[0].key.to_string();
    let (read, paths) = edited(
        &course,
        Edit::MoveLesson {
            lesson: first_of_second.clone(),
            up: true,
        },
    )
    .unwrap();
    assert_eq!(paths, ["course.yaml"]);
    assert_eq!(
        read.modules[0].lessons.last().unwrap().key.as_str(),
        first_of_second
    );
    let first = course.modules[0].lessons[0].key.to_string();
    assert_eq!(
        field_of(
            apply(
                &mut course.clone(),
                Edit::MoveLesson {
                    lesson: first,
                    up: true
                }
            )
            .unwrap_err()
        ),
        "lesson"
    );
    // A full reorder must name everything exactly once.
    let mut order: Vec<(String, Vec<String>)> = course
        .modules
        .iter()
        .map(|m| {
            (
                m.key.to_string(),
                m.lessons.iter().map(|l| l.key.to_string()).collect(),
            )
        })
        .collect();
    order.reverse();
    let (read, _) = edited(&course, Edit::Outline(order.clone())).unwrap();
    assert_eq!(read.modules[0].key, course.modules.last().unwrap().key);
    order[0].1.pop();
    assert_eq!(
        field_of(apply(&mut course.clone(), Edit::Outline(order)).unwrap_err()),
        "lessons"
    );
}

#[test]
fn removing_a_lesson_removes_its_words_in_every_locale() {
    let course = sdgs();
    // Other lessons link to this one: refused, naming them.
    let err = apply(
        &mut course.clone(),
        Edit::RemoveLesson {
            lesson: "data-holder".into(),
        },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("en/goals-targets-indicators"),
        "{err}"
    );
    assert_eq!(field_of(err), "lesson");
    let (read, paths) = edited(
        &course,
        Edit::RemoveLesson {
            lesson: "talk-why-goals-are-local".into(),
        },
    )
    .unwrap();
    assert_eq!(
        paths,
        [
            "course.yaml",
            "en/talk-why-goals-are-local.md",
            "es/talk-why-goals-are-local.md",
            "fr/talk-why-goals-are-local.md"
        ]
    );
    assert!(
        read.lessons()
            .all(|l| l.key.as_str() != "talk-why-goals-are-local")
    );
    // A module's lessons count too: other modules link into this one.
    let err = apply(
        &mut course.clone(),
        Edit::RemoveModule {
            module: "first-steps".into(),
        },
    )
    .unwrap_err();
    assert_eq!(field_of(err), "module");
    let (read, _) = edited(
        &course,
        Edit::RemoveModule {
            module: "why-goals-are-local".into(),
        },
    )
    .unwrap();
    assert!(
        read.texts
            .values()
            .all(|t| !t.lessons.contains_key("local-quiz"))
    );
    assert!(
        read.texts
            .values()
            .all(|t| !t.modules.contains_key("why-goals-are-local"))
    );
}

fn quiz_edit(course: &CourseSource, locale: Locale) -> (Vec<QuestionEdit>, Edit) {
    let l = course
        .lessons()
        .find(|l| l.key.as_str() == "agenda-quiz")
        .unwrap();
    let text = &course.texts[&locale];
    let questions: Vec<QuestionEdit> = l
        .questions
        .iter()
        .map(|q| {
            let qt = &text.questions[&("agenda-quiz".to_owned(), q.key.to_string())];
            QuestionEdit {
                key: Some(q.key.to_string()),
                kind: q.kind,
                prompt: qt.prompt.clone(),
                options: q
                    .options
                    .iter()
                    .map(|o| OptionEdit {
                        key: Some(o.clone()),
                        text: qt.options[o].text.clone(),
                        explanation: qt.options[o].explanation.clone(),
                        correct: q.correct.contains(o),
                    })
                    .collect(),
            }
        })
        .collect();
    let edit = Edit::Quiz {
        lesson: "agenda-quiz".into(),
        locale,
        title: text.lessons["agenda-quiz"].title.clone(),
        intro: text.lessons["agenda-quiz"].body.clone(),
        duration_minutes: l.duration_minutes,
        passing_score: l.passing_score.unwrap(),
        max_attempts: l.max_attempts,
        questions: questions.clone(),
    };
    (questions, edit)
}

fn with_questions(edit: Edit, questions: Vec<QuestionEdit>) -> Edit {
    match edit {
        Edit::Quiz {
            lesson,
            locale,
            title,
            intro,
            duration_minutes,
            passing_score,
            max_attempts,
            ..
        } => Edit::Quiz {
            lesson,
            locale,
            title,
            intro,
            duration_minutes,
            passing_score,
            max_attempts,
            questions,
        },
        other => other,
    }
}

#[test]
fn the_quiz_editor_keeps_ids_and_translations_follow() {
    let course = sdgs();
    // Saving the quiz as it is changes nothing.
    let (_, edit) = quiz_edit(&course, Locale::En);
    let (_, paths) = edited(&course, edit).unwrap();
    assert!(paths.is_empty(), "{paths:?}");

    // Drop option d of q1, add an option and a question.
    let (mut questions, edit) = quiz_edit(&course, Locale::En);
    questions[0]
        .options
        .retain(|o| o.key.as_deref() != Some("d"));
    questions[0]
        .options
        .push(option("At the Habitat III conference", false));
    questions.push(QuestionEdit {
        key: None,
        kind: QuestionKind::TrueFalse,
        prompt: "Cities report on the goals in Voluntary Local Reviews.".into(),
        options: vec![option("True", true), option("False", false)],
    });
    let (read, paths) = edited(&course, with_questions(edit, questions)).unwrap();
    assert_eq!(
        paths,
        [
            "course.yaml",
            "en/agenda-quiz.yaml",
            "es/agenda-quiz.yaml",
            "fr/agenda-quiz.yaml"
        ]
    );
    let l = read
        .lessons()
        .find(|l| l.key.as_str() == "agenda-quiz")
        .unwrap();
    assert_eq!(
        l.questions[0].options,
        ["a", "b", "c", "e"],
        "existing ids stay, the new option takes a free one"
    );
    assert_eq!(l.questions.last().unwrap().key.as_str(), "q6");
    assert_eq!(l.questions.last().unwrap().correct, ["true"]);
    // French keeps its words for what still exists, and loses option d.
    let fr = &read.texts[&Locale::Fr].questions[&("agenda-quiz".to_owned(), "q1".to_owned())];
    assert!(fr.options.contains_key("a") && !fr.options.contains_key("d"));

    // In French, only words change.
    let (mut questions, edit) = quiz_edit(&course, Locale::Fr);
    questions[1].prompt = "Les ODD ne concernent que les pays en développement.".into();
    let (read, paths) = edited(&course, with_questions(edit.clone(), questions.clone())).unwrap();
    assert_eq!(paths, ["fr/agenda-quiz.yaml"]);
    assert_eq!(
        read.texts[&Locale::Fr].questions[&("agenda-quiz".to_owned(), "q2".to_owned())].prompt,
        "Les ODD ne concernent que les pays en développement."
    );
    for o in &mut questions[0].options {
        o.correct = o.key.as_deref() == Some("a");
    }
    assert_eq!(
        field_of(apply(&mut course.clone(), with_questions(edit, questions)).unwrap_err()),
        "questions"
    );
}

#[test]
fn the_quiz_editor_names_the_field_at_fault() {
    let course = sdgs();
    let (questions, edit) = quiz_edit(&course, Locale::En);
    type Change = Box<dyn Fn(&mut Vec<QuestionEdit>)>;
    let cases: Vec<(Change, &str)> = vec![
        (Box::new(|q| q.clear()), "questions"),
        (
            Box::new(|q| q[2].prompt = "  ".into()),
            "questions[2].prompt",
        ),
        (
            Box::new(|q| q[0].options.iter_mut().for_each(|o| o.correct = false)),
            "questions[0].correct",
        ),
        (
            Box::new(|q| q[0].options.iter_mut().for_each(|o| o.correct = true)),
            "questions[0].correct",
        ),
        (
            Box::new(|q| q[0].options.truncate(1)),
            "questions[0].options",
        ),
        (
            Box::new(|q| q[1].options.push(option("Maybe", false))),
            "questions[1].options",
        ),
    ];
    for (change, field) in cases {
        let mut q = questions.clone();
        change(&mut q);
        let err = apply(&mut course.clone(), with_questions(edit.clone(), q)).unwrap_err();
        assert_eq!(field_of(err), field);
    }
    let mut bad_score = edit.clone();
    if let Edit::Quiz { passing_score, .. } = &mut bad_score {
        *passing_score = 0;
    }
    assert_eq!(
        field_of(apply(&mut course.clone(), bad_score).unwrap_err()),
        "passing_score"
    );
}

#[test]
fn course_details_and_a_new_translation() {
    let course = sdgs();
    let (read, paths) = edited(
        &course,
        Edit::Details {
            level: Level::Intermediate,
            duration_minutes: 200,
            themes: vec!["sdg:11".into(), "sendai:1".into(), "tag:urban".into()],
        },
    )
    .unwrap();
    assert_eq!(paths, ["course.yaml"]);
    assert_eq!(read.level, Level::Intermediate);
    assert!(read.themes.contains("sendai:1"));
    let bad = Edit::Details {
        level: Level::Beginner,
        duration_minutes: 10,
        themes: vec!["sdg:18".into()],
    };
    assert_eq!(
        field_of(apply(&mut course.clone(), bad).unwrap_err()),
        "themes"
    );
    let empty_title = Edit::CourseText {
        locale: Locale::Fr,
        title: " ".into(),
        summary: "s".into(),
        description: "d".into(),
        objectives: vec!["o".into()],
    };
    assert_eq!(
        field_of(apply(&mut course.clone(), empty_title).unwrap_err()),
        "title"
    );
    let no_objectives = Edit::CourseText {
        locale: Locale::Fr,
        title: "t".into(),
        summary: "s".into(),
        description: "d".into(),
        objectives: vec!["  ".into()],
    };
    assert_eq!(
        field_of(apply(&mut course.clone(), no_objectives).unwrap_err()),
        "objectives"
    );
}
