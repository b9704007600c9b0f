//! The lesson player's page: content, video and transcript, quiz with
//! feedback and progress, for learners and for an author's draft preview.

use std::{collections::BTreeMap, sync::Arc};

use agora_core::{
    domain::{LessonKind, QuestionKind},
    learning::{LessonView, ProgressSummary, QuizResult},
};
use poem::{Response, http::StatusCode};
use serde::Serialize;

use super::{Ctx, lesson_href};
use crate::http::i18n::{format_percent, t_args};

#[derive(Serialize)]
pub(super) struct ProgressView {
    pub(super) value: u8,
    pub(super) percent: String,
    pub(super) label: String,
}

pub(super) fn progress_view(ctx: &Ctx, p: &ProgressSummary) -> ProgressView {
    ProgressView {
        value: p.percent,
        percent: format_percent(ctx.locale, p.percent.into()),
        label: t_args(
            ctx.locale,
            "progress-lessons",
            &[
                ("done", f64::from(p.completed_lessons).into()),
                ("total", f64::from(p.total_lessons).into()),
            ],
        ),
    }
}

#[derive(Serialize)]
pub(super) struct OptionView {
    pub(super) key: String,
    pub(super) text: String,
    pub(super) checked: bool,
    /// Feedback after an attempt.
    pub(super) correct: bool,
    pub(super) explanation: String,
}

#[derive(Serialize)]
pub(super) struct QuestionView {
    pub(super) key: String,
    pub(super) number: usize,
    pub(super) prompt: String,
    pub(super) multiple: bool,
    pub(super) options: Vec<OptionView>,
    pub(super) error: Option<String>,
    /// After an attempt: whether this answer was right.
    pub(super) answered: bool,
    pub(super) correct: bool,
}

#[derive(Serialize)]
pub(super) struct QuizView {
    pub(super) passing: String,
    pub(super) attempts: String,
    pub(super) can_attempt: bool,
    pub(super) passed: bool,
    pub(super) best: Option<String>,
    pub(super) questions: Vec<QuestionView>,
    pub(super) result: Option<String>,
    pub(super) result_passed: bool,
    pub(super) form_error: Option<String>,
}

fn shared_str<S: serde::Serializer>(s: &Arc<str>, to: S) -> Result<S::Ok, S::Error> {
    to.serialize_str(s)
}

#[derive(Serialize)]
pub(super) struct LessonPage {
    pub(super) slug: String,
    pub(super) course_title: String,
    pub(super) title: String,
    pub(super) content_lang: &'static str,
    pub(super) kind: String,
    pub(super) is_video: bool,
    pub(super) video_url: Option<String>,
    /// A file the browser plays itself; other addresses (a video site) are links.
    pub(super) video_file: bool,
    pub(super) video_placeholder: bool,
    /// The player of a YouTube or Vimeo `video_url`; the link stays as a fallback.
    pub(super) video_embed: Option<String>,
    /// Data saver: the transcript first, the player only on demand.
    pub(super) data_saver: bool,
    /// The lesson body: shared by every reader, never copied per request
    /// (the learner's page splices it in: see `Ctx::page_spliced`).
    #[serde(serialize_with = "shared_str")]
    pub(super) html: Arc<str>,
    pub(super) resource_href: Option<String>,
    pub(super) resource_name: Option<String>,
    pub(super) quiz: Option<QuizView>,
    pub(super) previous_href: Option<String>,
    pub(super) next_href: Option<String>,
    pub(super) completed: bool,
    pub(super) completable: bool,
    pub(super) complete_action: String,
    pub(super) quiz_action: String,
    /// A fresh client event id for the forms: a form sent twice (a retry)
    /// is one event (see `agora_core::learning`'s `events`).
    pub(super) event_id: String,
    /// The learner's progress, rendered (the `progress` template).
    pub(super) progress_html: String,
    /// The course's modules and lessons beside the lesson.
    #[serde(skip)]
    pub(super) outline: Vec<OutlineModule>,
    /// `outline` rendered (the `lesson_outline` template).
    pub(super) outline_html: String,
    /// The discussion under the lesson, rendered per request (see
    /// `web::discussions::lesson`); empty in a preview.
    pub(super) discussion_html: String,
}

#[derive(Serialize)]
pub(super) struct OutlineModule {
    pub(super) title: String,
    pub(super) lessons: Vec<OutlineLesson>,
}

#[derive(Serialize)]
pub(super) struct OutlineLesson {
    #[serde(skip)]
    pub(super) id: uuid::Uuid,
    /// Set when a kept page is rendered: this lesson's place (see `kept`).
    pub(super) slot: Option<String>,
    pub(super) key: String,
    pub(super) href: String,
    pub(super) title: String,
    pub(super) done: bool,
    pub(super) current: bool,
}

/// The outline rendered, for the page's `outline_html`.
pub(super) fn outline_html(ctx: &Ctx, outline: &[OutlineModule]) -> Option<String> {
    #[derive(Serialize)]
    struct Outline<'a> {
        outline: &'a [OutlineModule],
    }
    ctx.body_with_token("lesson_outline", &Outline { outline }, "")
}

/// The outline beside the lesson: every lesson of the course in order, a
/// tick on each one completed, the current one marked.
fn outline_view(v: &LessonView, href: impl Fn(&str) -> String) -> Vec<OutlineModule> {
    let done = &v.progress.completed_lesson_ids;
    v.outline
        .modules
        .iter()
        .map(|m| OutlineModule {
            title: m.title.clone(),
            lessons: m
                .lessons
                .iter()
                .map(|l| OutlineLesson {
                    id: l.id,
                    slot: None,
                    href: href(&l.key),
                    title: l.title.clone(),
                    done: done.contains(&l.id),
                    current: l.key == v.key,
                    key: l.key.clone(),
                })
                .collect(),
        })
        .collect()
}

pub(super) fn lesson_page(
    ctx: &Ctx,
    slug: &str,
    course_title: String,
    v: LessonView,
    attempt: Option<(&QuizResult, &BTreeMap<String, Vec<String>>)>,
    form_errors: BTreeMap<String, String>,
) -> LessonPage {
    let l = ctx.locale;
    let quiz = v.quiz.as_ref().map(|q| {
        let result = attempt.map(|(r, _)| r);
        let chosen = attempt.map(|(_, a)| a);
        let can_attempt = !q.passed && q.max_attempts.is_none_or(|m| q.attempts_used < m);
        QuizView {
            passing: t_args(
                l,
                "quiz-passing",
                &[("score", format_percent(l, q.passing_score).into())],
            ),
            attempts: match q.max_attempts {
                Some(m) => t_args(
                    l,
                    "quiz-attempts-of",
                    &[
                        ("used", f64::from(q.attempts_used).into()),
                        ("max", f64::from(m).into()),
                    ],
                ),
                None => t_args(
                    l,
                    "quiz-attempts",
                    &[("used", f64::from(q.attempts_used).into())],
                ),
            },
            can_attempt,
            passed: q.passed,
            best: q.best_score.map(|b| format_percent(l, b)),
            result: result.map(|r| {
                t_args(
                    l,
                    if r.passed {
                        "quiz-passed"
                    } else {
                        "quiz-failed"
                    },
                    &[
                        ("score", format_percent(l, r.score).into()),
                        ("passing", format_percent(l, r.passing_score).into()),
                    ],
                )
            }),
            result_passed: result.is_some_and(|r| r.passed),
            form_error: form_errors.get("form").cloned(),
            questions: q
                .questions
                .iter()
                .enumerate()
                .map(|(i, question)| {
                    let feedback =
                        result.and_then(|r| r.questions.iter().find(|f| f.key == question.key));
                    let picked = chosen.and_then(|c| c.get(&question.key));
                    QuestionView {
                        key: question.key.clone(),
                        number: i + 1,
                        prompt: question.prompt.clone(),
                        multiple: question.kind == QuestionKind::Multiple,
                        error: form_errors.get(&question.key).cloned(),
                        answered: feedback.is_some(),
                        correct: feedback.is_some_and(|f| f.correct),
                        options: question
                            .options
                            .iter()
                            .map(|o| {
                                let fb = feedback
                                    .and_then(|f| f.options.iter().find(|x| x.key == o.key));
                                let checked = picked.is_some_and(|p| p.contains(&o.key));
                                // Known only once revealed (see `Learning::submit_quiz`),
                                // or for a chosen option of a question answered right.
                                let correct = feedback.is_some_and(|f| {
                                    f.correct_options.contains(&o.key) || (checked && f.correct)
                                });
                                OptionView {
                                    key: o.key.clone(),
                                    text: o.text.clone(),
                                    checked,
                                    correct,
                                    // Explain what was chosen and what was right.
                                    explanation: fb
                                        .filter(|_| checked || correct)
                                        .map(|f| f.explanation.clone())
                                        .unwrap_or_default(),
                                }
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    });
    let outline = outline_view(&v, |k| lesson_href(slug, k));
    let progress = progress_view(ctx, &v.progress);
    LessonPage {
        discussion_html: String::new(),
        outline_html: outline_html(ctx, &outline).unwrap_or_default(),
        progress_html: ctx
            .body_with_token("progress", &progress, "")
            .unwrap_or_default(),
        outline,
        course_title,
        title: v.title,
        content_lang: v.locale.as_str(),
        kind: ctx.t(&format!("kind-{}", v.kind)),
        is_video: v.kind == LessonKind::Video,
        video_file: v.video_url.as_deref().is_some_and(|u| {
            let path = u.split(['?', '#']).next().unwrap_or_default();
            [".mp4", ".webm", ".ogv"].iter().any(|e| path.ends_with(e))
        }),
        video_embed: v
            .video_url
            .as_deref()
            .and_then(agora_core::embed::embed_for_video_url),
        video_url: v.video_url,
        data_saver: false,
        video_placeholder: v.video_placeholder,
        html: v.html,
        resource_href: v
            .resource
            .as_ref()
            .map(|_| format!("/courses/{slug}/lessons/{}/resource", v.key)),
        resource_name: v.resource.map(|r| r.file_name),
        previous_href: v.previous_key.map(|k| lesson_href(slug, &k)),
        next_href: v.next_key.map(|k| lesson_href(slug, &k)),
        completed: v.completed,
        completable: v.kind != LessonKind::Quiz,
        complete_action: format!("/courses/{slug}/lessons/{}/completion", v.key),
        quiz_action: format!("/courses/{slug}/lessons/{}/attempts", v.key),
        event_id: uuid::Uuid::new_v4().to_string(),
        quiz,
        slug: slug.to_owned(),
    }
}

#[derive(Serialize)]
pub(super) struct DraftPreview {
    #[serde(flatten)]
    pub(super) page: LessonPage,
    pub(super) preview_note: String,
    pub(super) preview_back: String,
}

/// A lesson of a draft in the lesson player, as a learner would see it:
/// links stay in the preview, and nothing can be completed or submitted.
pub(crate) fn draft_preview(
    ctx: &Ctx,
    slug: &str,
    course_title: String,
    v: agora_core::learning::LessonView,
) -> Response {
    let key = v.key.clone();
    let locale = v.locale;
    let href = |k: &str| format!("/author/{slug}/preview/{k}?locale={locale}");
    let previous = v.previous_key.as_deref().map(href);
    let next = v.next_key.as_deref().map(href);
    let mut page = lesson_page(ctx, slug, course_title, v, None, BTreeMap::new());
    page.previous_href = previous;
    page.next_href = next;
    for l in page.outline.iter_mut().flat_map(|m| m.lessons.iter_mut()) {
        l.href = href(&l.key);
    }
    page.outline_html = outline_html(ctx, &page.outline).unwrap_or_default();
    page.completable = false;
    page.complete_action = String::new();
    page.quiz_action = String::new();
    if let Some(q) = page.quiz.as_mut() {
        q.can_attempt = false;
    }
    let title = format!("{} · {}", ctx.t("author-preview"), page.title);
    let mut resp = ctx.page(
        StatusCode::OK,
        "lesson",
        &title,
        &DraftPreview {
            page,
            preview_note: ctx.t("preview-note"),
            preview_back: format!("/author/{slug}/lessons/{key}?locale={locale}"),
        },
    );
    crate::http::security::allow_video_frames(&mut resp);
    resp
}
