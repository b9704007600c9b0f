//! A cohort's page. To its people: the description, the next session and
//! every session in the reader's time zone with their `.ics` files, the
//! members (names and organisations only), and the private calendar feed.
//! To everyone else: the public profile, and where their organisation's
//! application stands.

use agora_core::cohorts::{CohortView, CompletionView, SessionView};
use poem::{
    Body, IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::Path,
};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ReaderZone, checked, reader_zone, title_in};
use crate::{
    http::i18n::t_args,
    web::{Ctx, Flash, FormData, SPLICE},
};

#[derive(Serialize)]
pub struct SessionRow {
    pub id: Uuid,
    pub title: String,
    pub starts: String,
    pub ends: String,
    pub join_url: Option<String>,
    pub cancelled: bool,
    pub past: bool,
    pub notes_html: Option<String>,
    pub recording_url: Option<String>,
}

pub fn session_row(zone: &ReaderZone, s: &SessionView) -> SessionRow {
    SessionRow {
        id: s.id,
        title: s.title.clone(),
        starts: zone.show(s.starts_at),
        ends: zone.show(s.ends_at),
        join_url: s.join_url.clone(),
        cancelled: s.cancelled,
        past: s.ends_at < OffsetDateTime::now_utc(),
        notes_html: s.notes_html.clone(),
        recording_url: s.recording_url.clone(),
    }
}

#[derive(Serialize)]
struct MemberRow {
    name: String,
    organisation: String,
}

#[derive(Serialize)]
struct AnnouncementRow {
    title: String,
    body_html: String,
    author: String,
    posted: String,
}

#[derive(Serialize)]
struct Step {
    label: String,
    done: bool,
}

/// Where a member stands against the completion rule.
#[derive(Serialize)]
struct CompletionRow {
    /// The rule asks something.
    asks: bool,
    complete: bool,
    steps: Vec<Step>,
    certificate_href: Option<String>,
}

fn completion_row(ctx: &Ctx, v: CompletionView) -> CompletionRow {
    let mut steps = Vec::new();
    if v.rule.course_completed {
        steps.push(Step {
            label: ctx.t("cohort-field-completion_course"),
            done: v.course_completed,
        });
    }
    for a in v.assignments {
        steps.push(Step {
            label: a.title,
            done: a.accepted,
        });
    }
    if v.rule.min_sessions_attended > 0 {
        steps.push(Step {
            label: t_args(
                ctx.locale,
                "cohort-completion-sessions",
                &[
                    ("attended", f64::from(v.sessions_attended).into()),
                    ("required", f64::from(v.rule.min_sessions_attended).into()),
                ],
            ),
            done: v.sessions_attended >= v.rule.min_sessions_attended,
        });
    }
    CompletionRow {
        asks: !v.rule.is_empty(),
        complete: v.complete,
        steps,
        certificate_href: v
            .certificate
            .filter(|_| v.certificate_ready)
            .map(|code| format!("/certificates/{code}")),
    }
}

#[derive(Serialize)]
struct Inside {
    runs: bool,
    /// Members only.
    completion: Option<CompletionRow>,
    announcements: Vec<AnnouncementRow>,
    next: Option<SessionRow>,
    next_agenda: bool,
    sessions: Vec<SessionRow>,
    members: Vec<MemberRow>,
    feed_url: Option<String>,
    has_feed: bool,
}

#[derive(Serialize)]
struct Outside {
    signed_in: bool,
    can_apply: bool,
    application: Option<String>,
    application_message: Option<String>,
    can_join: bool,
    /// By invitation, and the reader's organisation was not invited.
    invitation_only: bool,
}

#[derive(Serialize)]
struct CohortPage {
    slug: String,
    title: String,
    course: String,
    description: String,
    starts_on: String,
    ends_on: String,
    admission: String,
    status: String,
    facilitators: Vec<String>,
    zone: &'static str,
    zone_chosen: bool,
    inside: Option<Inside>,
    outside: Option<Outside>,
}

/// The description in the reader's language, else the first.
fn description(ctx: &Ctx, c: &CohortView) -> String {
    c.descriptions_html
        .get(ctx.locale.as_str())
        .or_else(|| c.descriptions_html.values().next())
        .cloned()
        .unwrap_or_default()
}

async fn inside(ctx: &Ctx, c: &CohortView, zone: &ReaderZone) -> agora_core::Result<Inside> {
    let who = ctx.user.as_ref();
    let cohorts = &ctx.state.cohorts;
    let sessions = cohorts.sessions(who, &c.slug).await?;
    let members = cohorts.members(who, &c.slug).await?;
    let announcements = cohorts.announcements(who, &c.slug).await?;
    let has_feed = cohorts.has_feed(who, &c.slug).await?;
    let completion = if c.your_role.as_deref() == Some("member") {
        Some(completion_row(ctx, cohorts.completion(who, &c.slug).await?))
    } else {
        None
    };
    let now = OffsetDateTime::now_utc();
    let next = sessions
        .iter()
        .find(|s| !s.cancelled && s.ends_at > now)
        .map(|s| (session_row(zone, s), !s.agenda_html.trim().is_empty()));
    Ok(Inside {
        runs: c.your_role.as_deref().is_some_and(|r| r != "member"),
        completion,
        announcements: announcements
            .into_iter()
            .map(|a| AnnouncementRow {
                posted: zone.show(a.created_at),
                title: a.title,
                body_html: a.body_html,
                author: a.author_name,
            })
            .collect(),
        next_agenda: next.as_ref().is_some_and(|n| n.1),
        next: next.map(|n| n.0),
        sessions: sessions.iter().map(|s| session_row(zone, s)).collect(),
        members: members
            .into_iter()
            .map(|m| MemberRow {
                name: m.name,
                organisation: m.organisation_name,
            })
            .collect(),
        feed_url: None,
        has_feed,
    })
}

async fn outside(ctx: &Ctx, c: &CohortView) -> Outside {
    let mine = ctx
        .state
        .cohorts
        .my_application(ctx.user.as_ref(), &c.slug)
        .await
        .ok();
    Outside {
        signed_in: ctx.user.is_some(),
        can_apply: mine.is_none() && c.status == "open" && c.admission != "invitation",
        invitation_only: mine.is_none() && c.admission == "invitation",
        can_join: mine.as_ref().is_some_and(|a| a.state == "accepted"),
        application: mine
            .as_ref()
            .map(|a| ctx.t(&format!("cohort-application-{}", a.state))),
        application_message: mine.and_then(|a| a.message),
    }
}

async fn cohort_page(ctx: &Ctx, slug: &str, status: StatusCode, feed: Option<String>) -> Response {
    let c = match ctx.state.cohorts.get(ctx.user.as_ref(), slug).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let zone = reader_zone(ctx).await;
    let (inside, outside) = if c.your_role.is_some() {
        match inside(ctx, &c, &zone).await {
            Ok(mut i) => {
                i.has_feed |= feed.is_some();
                i.feed_url = feed;
                (Some(i), None)
            }
            Err(e) => return ctx.fail(e),
        }
    } else {
        (None, Some(outside(ctx, &c).await))
    };
    let title = title_in(ctx, &c.titles, &c.slug);
    let page = CohortPage {
        slug: c.slug.clone(),
        title: title.clone(),
        course: c.course.clone(),
        description: SPLICE.into(),
        starts_on: c.starts_on.to_string(),
        ends_on: c.ends_on.to_string(),
        admission: ctx.t(&format!("cohort-admission-{}", c.admission)),
        status: ctx.t(&format!("cohort-status-{}", c.status)),
        facilitators: c.facilitators.iter().map(|f| f.name.clone()).collect(),
        zone: zone.name(),
        zone_chosen: zone.chosen,
        inside,
        outside,
    };
    // The description is sanitised HTML: spliced in, not escaped.
    ctx.page_spliced(status, "cohort_page", &title, &page, &description(ctx, &c))
}

/// GET `/cohorts/:slug`
#[handler]
pub async fn show(ctx: Ctx, Path(slug): Path<String>) -> Response {
    cohort_page(&ctx, &slug, StatusCode::OK, None).await
}

/// POST `/cohorts/:slug/join`: staff of an accepted organisation join.
#[handler]
pub async fn join(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    match ctx.state.cohorts.join(ctx.user.as_ref(), &slug).await {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}"),
            Some(Flash::Ok("flash-cohort-joined")),
        ),
        Err(agora_core::Error::Conflict { .. }) => ctx.redirect(
            &format!("/cohorts/{slug}"),
            Some(Flash::Error("flash-cohort-full")),
        ),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/cohorts/:slug/announcements`: `title` and `body` (Markdown).
#[handler]
pub async fn announce(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let back = format!("/cohorts/{slug}");
    match ctx
        .state
        .cohorts
        .post_announcement(
            ctx.user.as_ref(),
            &slug,
            form.get("title").unwrap_or_default(),
            form.get("body").unwrap_or_default(),
        )
        .await
    {
        Ok(_) => ctx.redirect(&back, Some(Flash::Ok("flash-cohort-announced"))),
        Err(agora_core::Error::Invalid { .. }) => ctx.redirect(
            &back,
            Some(Flash::Error("flash-cohort-announcement-invalid")),
        ),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/cohorts/:slug/calendar-feed`: a new private feed, its address
/// shown this once; any earlier one stops working.
#[handler]
pub async fn create_feed(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    match ctx
        .state
        .cohorts
        .create_feed(ctx.user.as_ref(), &slug)
        .await
    {
        Ok(f) => {
            let base = ctx.state.config.public_url();
            let url = format!("{}{}", base.as_str().trim_end_matches('/'), f.path);
            cohort_page(&ctx, &slug, StatusCode::CREATED, Some(url)).await
        }
        Err(e) => ctx.fail(e),
    }
}

/// POST `/cohorts/:slug/calendar-feed/revocation`
#[handler]
pub async fn revoke_feed(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    match ctx
        .state
        .cohorts
        .revoke_feed(ctx.user.as_ref(), &slug)
        .await
    {
        Ok(())
        | Err(agora_core::Error::NotFound {
            what: "calendar feed",
        }) => ctx.redirect(
            &format!("/cohorts/{slug}"),
            Some(Flash::Ok("flash-cohort-feed-revoked")),
        ),
        Err(e) => ctx.fail(e),
    }
}

/// GET `/cohorts/:slug/sessions/:id/ics`: one session for a calendar program.
#[handler]
pub async fn session_ics(ctx: Ctx, Path((slug, id)): Path<(String, String)>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    match ctx
        .state
        .cohorts
        .session_ics(ctx.user.as_ref(), &slug, id)
        .await
    {
        Ok(body) => body
            .with_content_type("text/calendar; charset=utf-8")
            .with_header(
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"session.ics\"",
            )
            .with_header(header::CACHE_CONTROL, "private, no-store")
            .into_response(),
        Err(e) => ctx.fail(e),
    }
}
