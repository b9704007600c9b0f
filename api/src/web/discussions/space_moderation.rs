//! A space's moderation page (`/discussions/:space/moderation`, its
//! moderators): the moderation log, the suspensions in force with the
//! form to lift one, and for admins the moderators they name by email.

use agora_core::{accounts::Role, discussions::LogEntry};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::{checked, when};
use crate::{
    http::i18n::t_args,
    web::{Ctx, FieldErrors, Flash, FormData, cohorts::reader_zone},
};

#[derive(Serialize)]
struct Event {
    when: String,
    actor: String,
    action: String,
    thread_href: Option<String>,
    detail: String,
}

#[derive(Serialize)]
struct Suspension {
    id: Uuid,
    who: String,
    until: String,
    reason: String,
    everywhere: bool,
}

#[derive(Serialize)]
struct Moderator {
    name: String,
    email: String,
}

#[derive(Serialize)]
struct ModerationPage {
    slug: String,
    title: String,
    space_href: String,
    queue_href: String,
    events: Vec<Event>,
    suspensions: Vec<Suspension>,
    admin: bool,
    /// Community spaces have an admins' settings form.
    settings_href: Option<String>,
    can_name: bool,
    /// A community space: its named moderators also review the practice
    /// library (`agora_core::practices::can_review_practices`).
    reviews_practices: bool,
    moderators: Vec<Moderator>,
    email_draft: String,
    errors: FieldErrors,
}

fn event(ctx: &Ctx, zone: &super::super::cohorts::ReaderZone, slug: &str, e: LogEntry) -> Event {
    let d = &e.detail;
    let text = |k: &str| {
        d.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let detail = match e.action.as_str() {
        "discussion.move" => t_args(
            ctx.locale,
            "moderation-log-moved",
            &[("from", text("from").into()), ("to", text("to").into())],
        ),
        "discussion.suspend" => text("reason"),
        _ => text("title"),
    };
    Event {
        when: when(zone, e.at),
        actor: e.actor_name,
        action: ctx.t(&format!(
            "moderation-action-{}",
            e.action.trim_start_matches("discussion.").replace('_', "-")
        )),
        thread_href: d
            .get("thread")
            .and_then(|t| t.as_str())
            .filter(|_| e.action != "discussion.move" || text("to") == slug)
            .map(|t| format!("/discussions/{slug}/threads/{t}")),
        detail,
    }
}

async fn moderation_page(
    ctx: &Ctx,
    slug: &str,
    status: StatusCode,
    email_draft: String,
    errors: FieldErrors,
) -> Response {
    let d = &ctx.state.discussions;
    let who = ctx.user.as_ref();
    let space = match d.get_space(who, slug, ctx.locale).await {
        Ok(s) if s.access.moderate => s,
        Ok(_) => return ctx.error(StatusCode::FORBIDDEN),
        Err(e) => return ctx.fail(e),
    };
    let (log, suspensions) = match (
        d.moderation_log(who, slug).await,
        d.suspensions(who, slug).await,
    ) {
        (Ok(l), Ok(s)) => (l, s),
        (Err(e), _) | (_, Err(e)) => return ctx.fail(e),
    };
    let admin = who.is_some_and(|p| p.role == Role::Admin);
    let can_name = admin && space.kind != "cohort";
    let moderators = if can_name {
        match d.moderators(who, slug).await {
            Ok(m) => m,
            Err(e) => return ctx.fail(e),
        }
    } else {
        Vec::new()
    };
    let zone = reader_zone(ctx).await;
    let data = ModerationPage {
        slug: slug.to_owned(),
        title: t_args(
            ctx.locale,
            "moderation-space-title",
            &[("space", space.title.clone().into())],
        ),
        space_href: format!("/discussions/{slug}"),
        queue_href: format!("/moderation?space={slug}"),
        events: log
            .into_iter()
            .map(|e| event(ctx, &zone, slug, e))
            .collect(),
        suspensions: suspensions
            .into_iter()
            .map(|s| Suspension {
                id: s.id,
                who: s.user_name,
                until: when(&zone, s.until),
                reason: s.reason,
                everywhere: s.space.is_none(),
            })
            .collect(),
        admin,
        settings_href: (admin && space.kind == "community")
            .then(|| format!("/admin/discussions/spaces/{slug}")),
        can_name,
        reviews_practices: can_name && space.kind == "community",
        moderators: moderators
            .into_iter()
            .map(|m| Moderator {
                name: m.name,
                email: m.email,
            })
            .collect(),
        email_draft,
        errors,
    };
    let title = data.title.clone();
    ctx.page(status, "discussion_space_moderation", &title, &data)
}

/// GET `/discussions/:space/moderation`
#[handler]
pub async fn show(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    moderation_page(
        &ctx,
        &slug,
        StatusCode::OK,
        String::new(),
        FieldErrors::default(),
    )
    .await
}

/// POST `/discussions/:space/moderation/lift`: `suspension`.
#[handler]
pub async fn lift(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let Some(id) = form.get("suspension").and_then(|s| s.parse::<Uuid>().ok()) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    match ctx
        .state
        .discussions
        .lift_suspension(ctx.user.as_ref(), id)
        .await
    {
        Ok(()) => ctx.redirect(
            &format!("/discussions/{slug}/moderation"),
            Some(Flash::Ok("flash-moderation-lifted")),
        ),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/discussions/:space/moderators`: `email`, `on` (`1` names, `0`
/// removes); admins.
#[handler]
pub async fn name_moderator(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let email = form.get("email").unwrap_or_default();
    let on = form.get("on") != Some("0");
    match ctx
        .state
        .discussions
        .set_moderator(ctx.user.as_ref(), &slug, email, on)
        .await
    {
        Ok(()) => ctx.redirect(
            &format!("/discussions/{slug}/moderation"),
            Some(Flash::Ok(if on {
                "flash-moderation-named"
            } else {
                "flash-moderation-unnamed"
            })),
        ),
        Err(agora_core::Error::Invalid { .. }) => {
            let mut errors = FieldErrors::default();
            errors.add("email", ctx.t("moderation-error-email"));
            moderation_page(
                &ctx,
                &slug,
                StatusCode::UNPROCESSABLE_ENTITY,
                email.to_owned(),
                errors,
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}
