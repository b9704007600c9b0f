//! The course page: what a course teaches, its syllabus and the way in, and
//! the same page for an author previewing a draft.

use agora_core::catalogue;
use poem::{Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{Card, card};
use crate::{
    http::i18n::{format_minutes, format_percent},
    web::Ctx,
};

#[derive(Serialize)]
struct LessonLine {
    href: String,
    title: String,
    kind: String,
    duration: String,
}

#[derive(Serialize)]
struct ModuleView {
    title: String,
    summary: String,
    lessons: Vec<LessonLine>,
}

#[derive(Serialize)]
struct Enrolment {
    percent: String,
    value: u8,
    resume_href: String,
    completed: bool,
}

#[derive(Serialize)]
struct CoursePage {
    card: Card,
    description_html: String,
    objectives: Vec<String>,
    modules: Vec<ModuleView>,
    sources: Vec<agora_core::course_source::Source>,
    signed_in: bool,
    enrolment: Option<Enrolment>,
    sign_in_href: String,
    /// Set when an author previews a draft: no way in, links stay in the preview.
    preview_note: Option<String>,
    preview_back: Option<String>,
}

fn module_views(
    ctx: &Ctx,
    outline: &catalogue::CourseOutline,
    href: impl Fn(&str) -> String,
) -> Vec<ModuleView> {
    outline
        .modules
        .iter()
        .map(|m| ModuleView {
            title: m.title.clone(),
            summary: m.summary.clone(),
            lessons: m
                .lessons
                .iter()
                .map(|l| LessonLine {
                    href: href(&l.key),
                    title: l.title.clone(),
                    kind: ctx.t(&format!("kind-{}", l.kind)),
                    duration: format_minutes(ctx.locale, l.duration_minutes),
                })
                .collect(),
        })
        .collect()
}

/// A draft's course page as learners will see it once published.
pub(in crate::web) fn draft_course_preview(
    ctx: &Ctx,
    outline: catalogue::CourseOutline,
    back: String,
) -> Response {
    let slug = outline.card.slug.clone();
    let locale = outline.card.locale;
    let modules = module_views(ctx, &outline, |k| {
        format!("/author/{slug}/preview/{k}?locale={locale}")
    });
    let page = CoursePage {
        card: card(ctx, &outline.card),
        description_html: outline.description_html,
        objectives: outline.objectives,
        modules,
        sources: outline.card.sources,
        signed_in: true,
        enrolment: None,
        sign_in_href: String::new(),
        preview_note: Some(ctx.t("preview-note")),
        preview_back: Some(back),
    };
    let title = format!("{} · {}", ctx.t("author-preview"), page.card.title);
    ctx.page(StatusCode::OK, "course", &title, &page)
}

/// `/courses/{slug}`: what the course teaches, its syllabus, and the way in.
/// `?via=<partner>` (links from partner embeds) counts a visit for the
/// partner and remembers it, so that an enrolment that follows is theirs.
#[handler]
pub async fn course(ctx: Ctx, Path(slug): Path<String>, req: &poem::Request) -> Response {
    if agora_core::domain::Slug::parse(&slug).is_err() {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let via = crate::http::locale::query_param(req, "via");
    // A partner's link counts a visit: that answer is never a 304.
    let version = ctx.state.learning.published().catalogue_version();
    let (tag, keep) = match via {
        None => (ctx.public_page_tag(version), ctx.keep_as(version)),
        Some(_) => (None, None),
    };
    if let Some(r) = ctx.not_modified(req, tag.as_deref()) {
        return r;
    }
    if let Some(r) = ctx.kept(keep.as_ref()).await {
        return ctx.tagged(r, tag);
    }
    let outline = match ctx
        .state
        .learning
        .published()
        .course_page(&slug, &ctx.preferred())
        .await
    {
        Ok(o) => o,
        Err(e) => return ctx.fail(e),
    };
    let enrolment = match &ctx.user {
        Some(u) => match ctx.state.learning.course_progress(u.user_id, &slug).await {
            Ok(p) if p.status == "active" => Some(Enrolment {
                percent: format_percent(ctx.locale, p.percent.into()),
                value: p.percent,
                completed: p.completed_at.is_some(),
                resume_href: match &p.resume_lesson_key {
                    Some(k) => format!("/courses/{slug}/lessons/{k}"),
                    None => outline
                        .modules
                        .first()
                        .and_then(|m| m.lessons.first())
                        .map(|l| format!("/courses/{slug}/lessons/{}", l.key))
                        .unwrap_or_default(),
                },
            }),
            Ok(_) | Err(agora_core::Error::NotFound { .. }) => None,
            Err(e) => return ctx.fail(e),
        },
        None => None,
    };
    let modules = module_views(&ctx, &outline, |k| format!("/courses/{slug}/lessons/{k}"));
    let next: String =
        url::form_urlencoded::byte_serialize(format!("/courses/{slug}").as_bytes()).collect();
    let page = CoursePage {
        card: card(&ctx, &outline.card),
        description_html: outline.description_html.clone(),
        objectives: outline.objectives.clone(),
        modules,
        sources: outline.card.sources.clone(),
        signed_in: ctx.user.is_some(),
        enrolment,
        sign_in_href: format!("/sign-in?next={next}"),
        preview_note: None,
        preview_back: None,
    };
    let title = page.card.title.clone();
    let mut course_url = ctx.state.config.public_url();
    course_url.set_path(&format!("/courses/{slug}"));
    let mut oembed = ctx.state.config.public_url();
    oembed.set_path("/oembed");
    oembed
        .query_pairs_mut()
        .append_pair("url", course_url.as_str())
        .append_pair("format", "json");
    let mut resp = ctx
        .page_kept(keep, "course", &title, &page, Some(oembed.as_str()))
        .await;
    if let Some(via) = via
        && agora_core::domain::Slug::parse(&via).is_ok()
    {
        match ctx.state.partners.record_visit(&via, &slug).await {
            Ok(true) => {
                let c = ctx.cookie(crate::http::cookies::VIA_COOKIE, &via, 30 * 24 * 3600);
                if let Ok(v) = poem::http::HeaderValue::from_str(&c) {
                    resp.headers_mut().append(poem::http::header::SET_COOKIE, v);
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "a partner visit was not recorded"),
        }
    }
    ctx.tagged(resp, tag)
}
