//! Live sessions, for those who run the cohort: the list with a form for a
//! new one, and each session's page (edit or reschedule, cancel, record
//! attendance, publish notes). Times are typed in a chosen time zone, the
//! reader's by default, and stored in UTC.

use agora_core::{
    cohorts::SessionInput,
    time_zones::{self, Tz},
};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::{
    checked, form_error,
    page::{SessionRow, session_row},
    reader_zone, title_in,
};
use crate::web::zones::{ZoneGroup, zone_groups};
use crate::web::{Ctx, Flash, FormData};

/// The session form's values, as typed.
#[derive(Serialize, Default, Clone)]
pub struct SessionForm {
    title: String,
    agenda: String,
    starts_at: String,
    ends_at: String,
    join_url: String,
    preparation: String,
}

#[derive(Serialize)]
struct AttendanceRow {
    user_id: Uuid,
    name: String,
    organisation: String,
    present: bool,
}

#[derive(Serialize)]
struct SessionsPage {
    slug: String,
    title: String,
    zone: &'static str,
    sessions: Vec<SessionRow>,
    form: SessionForm,
    zones: Vec<ZoneGroup>,
    error: Option<String>,
}

#[derive(Serialize)]
struct SessionPage {
    slug: String,
    cohort: String,
    session: SessionRow,
    zone: &'static str,
    form: SessionForm,
    zones: Vec<ZoneGroup>,
    attendance: Vec<AttendanceRow>,
    attendance_open: bool,
    notes: String,
    recording_url: String,
    error: Option<String>,
}

fn input_of(form: &SessionForm, zone: Tz) -> agora_core::Result<SessionInput> {
    Ok(SessionInput {
        title: form.title.clone(),
        agenda: form.agenda.clone(),
        starts_at: time_zones::read_local("starts_at", &form.starts_at, zone)?,
        ends_at: time_zones::read_local("ends_at", &form.ends_at, zone)?,
        join_url: Some(form.join_url.clone()),
        preparation: form
            .preparation
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// Reads the session form; times in the zone the form names.
fn read(f: &FormData) -> (SessionForm, agora_core::Result<SessionInput>) {
    let form = SessionForm {
        title: f.get("title").unwrap_or_default().into(),
        agenda: f.get("agenda").unwrap_or_default().into(),
        starts_at: f.get("starts_at").unwrap_or_default().into(),
        ends_at: f.get("ends_at").unwrap_or_default().into(),
        join_url: f.get("join_url").unwrap_or_default().into(),
        preparation: f.get("preparation").unwrap_or_default().into(),
    };
    let input = input_of(&form, time_zones::zone(f.get("time_zone")));
    (form, input)
}

/// A form refused before the service: the reader's standing answers
/// first, so the unreadable form tells outsiders nothing.
async fn runs_then<T>(ctx: &Ctx, slug: &str, e: agora_core::Error) -> agora_core::Result<T> {
    ctx.state
        .cohorts
        .check_runs(ctx.user.as_ref(), slug)
        .await?;
    Err(e)
}

async fn sessions_page(
    ctx: &Ctx,
    slug: &str,
    status: StatusCode,
    form: SessionForm,
    error: Option<String>,
) -> Response {
    let who = ctx.user.as_ref();
    let (c, all) = match (
        ctx.state.cohorts.get(who, slug).await,
        ctx.state.cohorts.sessions(who, slug).await,
    ) {
        (Ok(c), Ok(l)) => (c, l),
        (_, Err(e)) | (Err(e), _) => return ctx.fail(e),
    };
    if c.your_role.as_deref() == Some("member") {
        return ctx.error(StatusCode::FORBIDDEN);
    }
    let zone = reader_zone(ctx).await;
    let page = SessionsPage {
        slug: c.slug.clone(),
        title: title_in(ctx, &c.titles, &c.slug),
        zone: zone.name(),
        sessions: all.iter().map(|s| session_row(&zone, s)).collect(),
        form,
        zones: zone_groups(ctx, zone.name()),
        error,
    };
    ctx.page(
        status,
        "cohort_sessions",
        &ctx.t("cohort-sessions-title"),
        &page,
    )
}

/// GET `/cohorts/:slug/sessions`
#[handler]
pub async fn list(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    sessions_page(&ctx, &slug, StatusCode::OK, SessionForm::default(), None).await
}

/// POST `/cohorts/:slug/sessions`
#[handler]
pub async fn create(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let (typed, input) = read(&form);
    let result = match input {
        Ok(i) => {
            ctx.state
                .cohorts
                .create_session(ctx.user.as_ref(), &slug, i)
                .await
        }
        Err(e) => runs_then(&ctx, &slug, e).await,
    };
    match result {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}/sessions"),
            Some(Flash::Ok("flash-cohort-session-saved")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => sessions_page(&ctx, &slug, status, typed, Some(msg)).await,
            None => ctx.fail(e),
        },
    }
}

/// One session's page; `typed` keeps a refused edit form's values.
pub(super) async fn session_page(
    ctx: &Ctx,
    slug: &str,
    id: Uuid,
    status: StatusCode,
    typed: Option<SessionForm>,
    error: Option<String>,
) -> Response {
    let who = ctx.user.as_ref();
    let cohorts = &ctx.state.cohorts;
    let (c, all, attendance) = match (
        cohorts.get(who, slug).await,
        cohorts.sessions(who, slug).await,
        cohorts.attendance(who, slug, id).await,
    ) {
        (Ok(c), Ok(l), Ok(a)) => (c, l, a),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return ctx.fail(e),
    };
    let Some(s) = all.into_iter().find(|s| s.id == id) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let zone = reader_zone(ctx).await;
    let tz: Tz = zone.tz;
    let form = typed.unwrap_or_else(|| SessionForm {
        title: s.title.clone(),
        agenda: s.agenda.clone(),
        starts_at: time_zones::input_value(s.starts_at, tz),
        ends_at: time_zones::input_value(s.ends_at, tz),
        join_url: s.join_url.clone().unwrap_or_default(),
        preparation: s.preparation.join(", "),
    });
    let page = SessionPage {
        slug: c.slug.clone(),
        cohort: title_in(ctx, &c.titles, &c.slug),
        session: session_row(&zone, &s),
        zone: zone.name(),
        form,
        zones: zone_groups(ctx, zone.name()),
        attendance_open: !s.cancelled && s.starts_at <= time::OffsetDateTime::now_utc(),
        attendance: attendance
            .into_iter()
            .map(|a| AttendanceRow {
                user_id: a.user_id,
                name: a.name,
                organisation: a.organisation_name,
                present: a.present.unwrap_or(false),
            })
            .collect(),
        notes: s.notes.clone().unwrap_or_default(),
        recording_url: s.recording_url.clone().unwrap_or_default(),
        error,
    };
    ctx.page(status, "cohort_session", &s.title, &page)
}

fn session_id(id: &str) -> Option<Uuid> {
    id.parse().ok()
}

/// GET `/cohorts/:slug/sessions/:id`
#[handler]
pub async fn show(ctx: Ctx, Path((slug, id)): Path<(String, String)>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    match session_id(&id) {
        Some(id) => session_page(&ctx, &slug, id, StatusCode::OK, None, None).await,
        None => ctx.error(StatusCode::NOT_FOUND),
    }
}

/// POST `/cohorts/:slug/sessions/:id`: edit or reschedule.
#[handler]
pub async fn update(ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let Some(id) = session_id(&id) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let (typed, input) = read(&form);
    let result = match input {
        Ok(i) => {
            ctx.state
                .cohorts
                .update_session(ctx.user.as_ref(), &slug, id, i)
                .await
        }
        Err(e) => runs_then(&ctx, &slug, e).await,
    };
    match result {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}/sessions/{id}"),
            Some(Flash::Ok("flash-cohort-session-saved")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => {
                session_page(&ctx, &slug, id, status, Some(typed), Some(msg)).await
            }
            None => ctx.fail(e),
        },
    }
}
