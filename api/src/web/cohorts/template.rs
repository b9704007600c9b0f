//! Starting a cohort from its course's cohort template (authors and
//! administrators): the course, an address name, the first day, the
//! languages, the facilitators and the meeting link; the template gives
//! the rest (sessions, assignments with rubrics, the completion rule).

use agora_core::{accounts::Role, cohorts::FromTemplateInput, domain::Locale};
use poem::{Body, Response, handler, http::StatusCode};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::{Choice, checked, form_error};
use crate::web::{Ctx, Flash, FormData};

/// The course that ships a cohort template.
const DEFAULT_COURSE: &str = "voluntary-local-review";

#[derive(Serialize)]
struct LocaleChoice {
    code: &'static str,
    label: String,
    run_in: bool,
}

#[derive(Serialize)]
struct TemplatePage {
    course: String,
    slug: String,
    starts_on: String,
    locales: Vec<LocaleChoice>,
    statuses: Vec<Choice>,
    facilitators: String,
    join_url: String,
    error: Option<String>,
}

fn template_page(
    ctx: &Ctx,
    i: &FromTemplateInput,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let page = TemplatePage {
        course: i.course.clone(),
        slug: i.slug.clone(),
        starts_on: i.starts_on.to_string(),
        locales: Locale::ALL
            .iter()
            .map(|l| LocaleChoice {
                code: l.as_str(),
                label: crate::http::locale::locale_name(*l).to_owned(),
                run_in: i.locales.iter().any(|c| c == l.as_str()),
            })
            .collect(),
        statuses: ["draft", "open", "closed"]
            .iter()
            .map(|v| Choice {
                value: (*v).into(),
                label: ctx.t(&format!("cohort-status-{v}")),
                selected: *v == i.status,
            })
            .collect(),
        facilitators: i.facilitators.join("\n"),
        join_url: i.join_url.clone().unwrap_or_default(),
        error,
    };
    let title = ctx.t("cohort-template-title");
    ctx.page(status, "cohort_from_template", &title, &page)
}

/// The form as submitted. The reader's language comes first when chosen,
/// as the first locale is the language of the template's texts.
fn input(ctx: &Ctx, f: &FormData) -> FromTemplateInput {
    let mut locales: Vec<String> = Locale::ALL
        .iter()
        .map(|l| l.as_str())
        .filter(|c| f.get(&format!("locale_{c}")) == Some("on"))
        .map(str::to_owned)
        .collect();
    if let Some(i) = locales.iter().position(|l| l == ctx.locale.as_str()) {
        let mine = locales.remove(i);
        locales.insert(0, mine);
    }
    let starts_on = Date::parse(
        f.get("starts_on").unwrap_or_default().trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    // An unreadable day becomes one the core refuses by name.
    .unwrap_or(Date::MIN);
    FromTemplateInput {
        course: f.get("course").unwrap_or_default().trim().into(),
        slug: f.get("slug").unwrap_or_default().trim().into(),
        starts_on,
        locales,
        facilitators: f
            .get("facilitators")
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        status: f.get("status").unwrap_or("draft").into(),
        join_url: f
            .get("join_url")
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned),
    }
}

/// Authors and administrators only: the page to answer anyone else.
#[allow(clippy::result_large_err)]
fn may_create(ctx: &Ctx) -> Result<(), Response> {
    match ctx.require_user() {
        Err(r) => Err(r),
        Ok(u) if !matches!(u.role, Role::Author | Role::Admin) => {
            Err(ctx.error(StatusCode::FORBIDDEN))
        }
        Ok(_) => Ok(()),
    }
}

/// GET `/cohorts/new-from-template`
#[handler]
pub async fn form_page(ctx: Ctx) -> Response {
    if let Err(r) = may_create(&ctx) {
        return r;
    }
    let blank = FromTemplateInput {
        course: DEFAULT_COURSE.into(),
        slug: String::new(),
        starts_on: OffsetDateTime::now_utc().date() + time::Duration::days(30),
        locales: vec![ctx.locale.as_str().to_owned()],
        facilitators: Vec::new(),
        status: "draft".into(),
        join_url: None,
    };
    template_page(&ctx, &blank, StatusCode::OK, None)
}

/// POST `/cohorts/new-from-template`
#[handler]
pub async fn create(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    if let Err(r) = may_create(&ctx) {
        return r;
    }
    let i = input(&ctx, &form);
    match ctx
        .state
        .cohorts
        .create_from_template(ctx.user.as_ref(), i.clone())
        .await
    {
        Ok(c) => ctx.redirect(
            &format!("/cohorts/{}", c.slug),
            Some(Flash::Ok("flash-cohort-saved")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => template_page(&ctx, &i, status, Some(msg)),
            None => ctx.fail(e),
        },
    }
}
