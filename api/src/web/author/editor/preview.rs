//! The draft's preview: the course page and a lesson as learners will see
//! them once published.

use agora_core::{authoring, domain::Locale};
use poem::{Response, handler, web::Path};

use super::open;
use crate::web::Ctx;

/// GET `/author/{slug}/preview/{key}?locale=…`: a lesson of the draft in the
/// lesson player, exactly as learners will see it once published.
#[handler]
pub async fn preview_lesson(
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    req: &poem::Request,
) -> Response {
    let (_, source, _) = match open(&ctx, &slug).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let mut preferred = ctx.preferred();
    if let Some(l) =
        crate::http::locale::query_param(req, "locale").and_then(|l| l.parse::<Locale>().ok())
    {
        preferred.insert(0, l);
    }
    let view = match authoring::preview_lesson(&source, &key, &preferred) {
        Ok(v) => v,
        Err(e) => return ctx.fail(e),
    };
    let course_title = source
        .texts
        .get(&view.locale)
        .or_else(|| source.texts.get(&source.default_locale))
        .map(|t| t.title.clone())
        .unwrap_or_else(|| slug.clone());
    crate::web::learning::draft_preview(&ctx, &slug, course_title, view)
}

/// GET `/author/{slug}/preview?locale=…`: the draft's course page as
/// learners will see it once published.
#[handler]
pub async fn preview_course(ctx: Ctx, Path(slug): Path<String>, req: &poem::Request) -> Response {
    let (_, source, _) = match open(&ctx, &slug).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let mut preferred = ctx.preferred();
    if let Some(l) =
        crate::http::locale::query_param(req, "locale").and_then(|l| l.parse::<Locale>().ok())
    {
        preferred.insert(0, l);
    }
    let outline = authoring::preview_outline(&source, &preferred);
    let back = format!("/author/{slug}/course?locale={}", outline.card.locale);
    crate::web::catalogue::draft_course_preview(&ctx, outline, back)
}
