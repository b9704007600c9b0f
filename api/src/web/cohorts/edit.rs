//! Creating a cohort (authors and administrators) and editing it (its
//! authors and administrators): one form for both.

use std::collections::BTreeMap;

use agora_core::{
    accounts::Role,
    cohorts::{CohortInput, CohortView, Completion},
    domain::Locale,
};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::{Choice, checked, form_error};
use crate::web::{Ctx, Flash, FormData};

#[derive(Serialize)]
struct LocaleFields {
    code: &'static str,
    label: String,
    title: String,
    description: String,
    run_in: bool,
}

#[derive(Serialize)]
struct EditPage {
    /// `None` on the new cohort form.
    editing: Option<String>,
    course: String,
    slug: String,
    locales: Vec<LocaleFields>,
    starts_on: String,
    ends_on: String,
    capacity_organisations: String,
    capacity_people: String,
    admissions: Vec<Choice>,
    statuses: Vec<Choice>,
    facilitators: String,
    questions: String,
    completion_course: bool,
    completion_assignments: String,
    completion_sessions: String,
    error: Option<String>,
}

fn choices(ctx: &Ctx, prefix: &str, all: &[&str], selected: &str) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: (*v).into(),
            label: ctx.t(&format!("{prefix}{v}")),
            selected: *v == selected,
        })
        .collect()
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn date(s: &str) -> Date {
    // An unreadable date becomes one the core refuses by name: the end
    // before the start.
    Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap_or(Date::MIN)
}

/// The form as submitted, for the core service.
fn input(f: &FormData) -> CohortInput {
    let mut titles = BTreeMap::new();
    let mut descriptions = BTreeMap::new();
    let mut locales = Vec::new();
    for l in Locale::ALL {
        let code = l.as_str();
        titles.insert(
            code.into(),
            f.get(&format!("title_{code}")).unwrap_or_default().into(),
        );
        descriptions.insert(
            code.into(),
            f.get(&format!("description_{code}"))
                .unwrap_or_default()
                .into(),
        );
        if f.get(&format!("locale_{code}")) == Some("on") {
            locales.push(code.to_owned());
        }
    }
    // Only the locales the cohort runs in carry text.
    titles.retain(|k, _| locales.contains(k));
    descriptions.retain(|k, _| locales.contains(k));
    let number = |k: &str| f.get(k).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    CohortInput {
        course: f.get("course").unwrap_or_default().into(),
        slug: f.get("slug").unwrap_or_default().into(),
        titles,
        descriptions,
        starts_on: date(f.get("starts_on").unwrap_or_default()),
        ends_on: date(f.get("ends_on").unwrap_or_default()),
        capacity_organisations: number("capacity_organisations"),
        capacity_people: number("capacity_people"),
        admission: f.get("admission").unwrap_or_default().into(),
        locales,
        status: f.get("status").unwrap_or_default().into(),
        facilitators: lines(f.get("facilitators").unwrap_or_default()),
        questions: lines(f.get("questions").unwrap_or_default()),
        completion: Some(Completion {
            course_completed: f.get("completion_course") == Some("on"),
            assignments: lines(f.get("completion_assignments").unwrap_or_default()),
            // An unreadable number becomes one the core refuses by name.
            min_sessions_attended: match f.get("completion_sessions").map(str::trim) {
                None | Some("") => 0,
                Some(n) => n.parse().unwrap_or(u32::MAX),
            },
        }),
    }
}

fn from_view(c: &CohortView) -> CohortInput {
    CohortInput {
        course: c.course.clone(),
        slug: c.slug.clone(),
        titles: c.titles.clone(),
        descriptions: c.descriptions.clone(),
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        capacity_organisations: c.capacity_organisations,
        capacity_people: c.capacity_people,
        admission: c.admission.clone(),
        locales: c.locales.clone(),
        status: c.status.clone(),
        facilitators: Vec::new(),
        questions: c.questions.clone(),
        completion: Some(c.completion.clone()),
    }
}

fn edit_page(
    ctx: &Ctx,
    editing: Option<&str>,
    i: &CohortInput,
    facilitators: String,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let rule = i.completion.clone().unwrap_or_default();
    let page = EditPage {
        editing: editing.map(str::to_owned),
        course: i.course.clone(),
        slug: i.slug.clone(),
        locales: Locale::ALL
            .iter()
            .map(|l| LocaleFields {
                code: l.as_str(),
                label: crate::http::locale::locale_name(*l).to_owned(),
                title: i.titles.get(l.as_str()).cloned().unwrap_or_default(),
                description: i.descriptions.get(l.as_str()).cloned().unwrap_or_default(),
                run_in: i.locales.iter().any(|c| c == l.as_str()),
            })
            .collect(),
        starts_on: i.starts_on.to_string(),
        ends_on: i.ends_on.to_string(),
        capacity_organisations: i.capacity_organisations.to_string(),
        capacity_people: i.capacity_people.to_string(),
        admissions: choices(
            ctx,
            "cohort-admission-",
            &["open", "application", "invitation"],
            &i.admission,
        ),
        statuses: choices(
            ctx,
            "cohort-status-",
            &["draft", "open", "closed"],
            &i.status,
        ),
        facilitators,
        questions: i.questions.join("\n"),
        completion_course: rule.course_completed,
        completion_assignments: rule.assignments.join("\n"),
        completion_sessions: rule.min_sessions_attended.to_string(),
        error,
    };
    let title = ctx.t(if editing.is_some() {
        "cohort-edit-title"
    } else {
        "cohort-new-title"
    });
    ctx.page(status, "cohort_edit", &title, &page)
}

/// GET `/cohorts/new`
#[handler]
pub async fn new_form(ctx: Ctx) -> Response {
    match ctx.require_user() {
        Err(r) => return r,
        Ok(u) if !matches!(u.role, Role::Author | Role::Admin) => {
            return ctx.error(StatusCode::FORBIDDEN);
        }
        Ok(_) => {}
    }
    let today = OffsetDateTime::now_utc().date();
    let blank = CohortInput {
        course: String::new(),
        slug: String::new(),
        titles: BTreeMap::new(),
        descriptions: BTreeMap::new(),
        starts_on: today,
        ends_on: today + time::Duration::days(180),
        capacity_organisations: 20,
        capacity_people: 60,
        admission: "application".into(),
        locales: vec![ctx.locale.as_str().to_owned()],
        status: "draft".into(),
        facilitators: Vec::new(),
        questions: Vec::new(),
        completion: None,
    };
    edit_page(&ctx, None, &blank, String::new(), StatusCode::OK, None)
}

/// POST `/cohorts/new`
#[handler]
pub async fn create(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let i = input(&form);
    let facilitators = form.get("facilitators").unwrap_or_default().to_owned();
    match ctx.state.cohorts.create(ctx.user.as_ref(), i.clone()).await {
        Ok(c) => ctx.redirect(
            &format!("/cohorts/{}", c.slug),
            Some(Flash::Ok("flash-cohort-saved")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => edit_page(&ctx, None, &i, facilitators, status, Some(msg)),
            None => ctx.fail(e),
        },
    }
}

/// GET `/cohorts/:slug/edit`
#[handler]
pub async fn edit_form(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let who = ctx.user.as_ref();
    let c = match ctx.state.cohorts.get(who, &slug).await {
        Ok(c) if matches!(c.your_role.as_deref(), Some("admin" | "author")) => c,
        Ok(c) if c.your_role.is_some() => return ctx.error(StatusCode::FORBIDDEN),
        Ok(_) => return ctx.error(StatusCode::NOT_FOUND),
        Err(e) => return ctx.fail(e),
    };
    let emails = match ctx.state.cohorts.facilitator_emails(who, &slug).await {
        Ok(e) => e.join("\n"),
        Err(e) => return ctx.fail(e),
    };
    edit_page(
        &ctx,
        Some(&slug),
        &from_view(&c),
        emails,
        StatusCode::OK,
        None,
    )
}

/// POST `/cohorts/:slug/edit`
#[handler]
pub async fn update(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let mut i = input(&form);
    let facilitators = form.get("facilitators").unwrap_or_default().to_owned();
    match ctx
        .state
        .cohorts
        .update(ctx.user.as_ref(), &slug, i.clone())
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}"),
            Some(Flash::Ok("flash-cohort-saved")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => {
                i.slug = slug.clone();
                edit_page(&ctx, Some(&slug), &i, facilitators, status, Some(msg))
            }
            None => ctx.fail(e),
        },
    }
}
