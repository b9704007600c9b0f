//! The lesson player kept rendered: a lesson's page body is rendered once
//! per content generation, lesson and language, with slots for what is the
//! learner's own (their CSRF token, their progress, the ticks of the
//! outline, whether this lesson is done, a fresh client event id), and the lesson's HTML spliced in
//! without a copy. A request fills the slots and frames the result: no
//! template runs over the lesson, and no JSON context is built for it.
//!
//! Quiz lessons show the learner's attempts: they are rendered per request.

use std::sync::Arc;

use agora_core::learning::LessonView;
use poem::{Response, http::StatusCode};

use super::{
    Ctx,
    player::{LessonPage, OutlineLesson},
};
use crate::http::{
    frame::push_escaped,
    page_cache::{KeptLesson, Part, cut},
};

/// Slots of a kept lesson body; the outline's lessons follow, one each.
const CSRF: usize = 0;
const PROGRESS: usize = 1;
const HTML: usize = 2;
const EVENT: usize = 3;
const DISCUSSION: usize = 4;
const FIRST_ITEM: usize = 5;

fn markers(items: usize) -> Vec<String> {
    let mut m = vec![
        crate::web::NO_TOKEN.to_owned(),
        "\u{1}progress\u{1}".to_owned(),
        crate::web::SPLICE.to_owned(),
        "\u{1}event\u{1}".to_owned(),
        "\u{1}discussion\u{1}".to_owned(),
    ];
    m.extend((0..items).map(|i| format!("\u{1}li{i}\u{1}")));
    m
}

/// Renders what is kept of `page` (built for any learner of the lesson).
fn render(ctx: &Ctx, generation: i64, mut page: LessonPage) -> Option<KeptLesson> {
    let lessons: Vec<&OutlineLesson> = page.outline.iter().flat_map(|m| &m.lessons).collect();
    let mut items = Vec::with_capacity(lessons.len());
    for l in &lessons {
        let variant = |done: bool| {
            let item = OutlineLesson {
                id: l.id,
                key: l.key.clone(),
                href: l.href.clone(),
                title: l.title.clone(),
                done,
                current: l.current,
                slot: None,
            };
            ctx.body_with_token("lesson_outline_item", &item, "")
        };
        items.push((l.id, [variant(false)?.into(), variant(true)?.into()]));
    }
    let markers = markers(items.len());
    let outline = page.outline.iter_mut().flat_map(|m| m.lessons.iter_mut());
    for (n, l) in outline.enumerate() {
        l.slot = Some(markers[FIRST_ITEM + n].clone());
    }
    page.html = crate::web::SPLICE.into();
    page.progress_html = markers[PROGRESS].clone();
    page.event_id = markers[EVENT].clone();
    page.discussion_html = markers[DISCUSSION].clone();
    page.outline_html = super::player::outline_html(ctx, &page.outline)?;
    let mut bodies = Vec::with_capacity(2);
    for completed in [false, true] {
        page.completed = completed;
        let body = ctx.body_with_token("lesson", &page, crate::web::NO_TOKEN)?;
        bodies.push(cut(&body, &markers));
    }
    let done = bodies.pop()?;
    let not_done = bodies.pop()?;
    Some(KeptLesson {
        generation,
        title: page.title,
        bodies: [not_done, done],
        items,
    })
}

/// The learner's page of a lesson without a quiz, from what is kept at
/// `generation` (read before `v` was): rendered and kept when missing.
pub(super) async fn page(
    ctx: &Ctx,
    slug: &str,
    key: &str,
    generation: i64,
    v: LessonView,
) -> Response {
    let pages = &ctx.state.pages;
    let kept = match pages.lesson(slug, key, ctx.locale, generation).await {
        Some(k) => k,
        None => {
            let title = v.outline.card.title.clone();
            let page =
                super::player::lesson_page(ctx, slug, title, v.clone(), None, Default::default());
            match render(ctx, generation, page) {
                Some(k) => pages.keep_lesson(slug, key, ctx.locale, Arc::new(k)).await,
                None => return ctx.error(StatusCode::INTERNAL_SERVER_ERROR),
            }
        }
    };
    let mut token = String::with_capacity(ctx.csrf.len());
    push_escaped(&mut token, &ctx.csrf);
    let progress = super::player::progress_view(ctx, &v.progress);
    let Some(progress) = ctx.body_with_token("progress", &progress, "") else {
        return ctx.error(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let event = uuid::Uuid::new_v4().to_string();
    let discussion = crate::web::discussions::lesson::fragment_of(ctx, slug, &v).await;
    let done = &v.progress.completed_lesson_ids;
    let body = &kept.bodies[usize::from(v.completed)];
    let mut parts: Vec<&str> = Vec::with_capacity(body.len());
    for p in body {
        parts.push(match p {
            Part::Text(t) => t,
            Part::Slot(CSRF) => &token,
            Part::Slot(PROGRESS) => &progress,
            Part::Slot(HTML) => &v.html,
            Part::Slot(EVENT) => &event,
            Part::Slot(DISCUSSION) => &discussion,
            Part::Slot(n) => match kept.items.get(n - FIRST_ITEM) {
                Some((id, variants)) => &variants[usize::from(done.contains(id))],
                None => "",
            },
        });
    }
    let mut resp = ctx.layout(StatusCode::OK, &kept.title, "lesson", &parts, None);
    crate::http::security::allow_video_frames(&mut resp);
    resp
}
