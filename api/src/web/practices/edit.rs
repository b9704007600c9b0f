//! Writing a practice (one language at a time), sending it to review, the
//! reviewers' decisions, and the list of one's submissions.

use agora_core::{
    domain::Locale,
    organisations::PopulationBand,
    practices::{
        BudgetRange, Decision, Indicator, PracticeFile, PracticeInput, PracticeText, Source,
    },
};
use poem::{Body, Request, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{form_error, practice_href};
use crate::{
    http::locale::query_param,
    web::{Ctx, FieldErrors, Flash, FormData},
};

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize, Default)]
struct Fields {
    city: String,
    country: String,
    codes: String,
    started_year: String,
    duration_months: String,
    contact_opt_in: bool,
    sources: String,
    title: String,
    summary: String,
    challenge: String,
    actions: String,
    results: String,
    lessons: String,
    partners: String,
    indicators: String,
}

#[derive(Serialize)]
struct FileItem {
    href: String,
    name: String,
    alt: String,
    sha256: String,
}

#[derive(Serialize)]
struct FormPage {
    /// Empty for a new practice.
    slug: String,
    action: String,
    locale: &'static str,
    locale_name: &'static str,
    locales: Vec<Choice>,
    bands: Vec<Choice>,
    budgets: Vec<Choice>,
    fields: Fields,
    files: Vec<FileItem>,
    errors: FieldErrors,
}

fn fields_of(i: &PracticeInput, locale: Locale) -> Fields {
    let t = i.texts.get(locale.as_str()).cloned().unwrap_or_default();
    Fields {
        city: i.city.clone(),
        country: i.country.clone(),
        codes: i.codes.join(" "),
        started_year: i.started_year.map(|y| y.to_string()).unwrap_or_default(),
        duration_months: i.duration_months.map(|m| m.to_string()).unwrap_or_default(),
        contact_opt_in: i.contact_opt_in,
        sources: i
            .sources
            .iter()
            .map(|s| format!("{} {}", s.url, s.title))
            .collect::<Vec<_>>()
            .join("\n"),
        indicators: t
            .indicators
            .iter()
            .map(|x| format!("{} | {}", x.name, x.figure))
            .collect::<Vec<_>>()
            .join("\n"),
        title: t.title,
        summary: t.summary,
        challenge: t.challenge,
        actions: t.actions,
        results: t.results,
        lessons: t.lessons,
        partners: t.partners,
    }
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    ctx: &Ctx,
    slug: Option<&str>,
    files: &[PracticeFile],
    input: &PracticeInput,
    locale: Locale,
    status: StatusCode,
    errors: FieldErrors,
) -> Response {
    let data = FormPage {
        slug: slug.unwrap_or_default().to_owned(),
        action: match slug {
            Some(s) => format!("{}/edit", practice_href(s)),
            None => "/practices".into(),
        },
        locale: locale.as_str(),
        locale_name: crate::http::locale::locale_name(locale),
        locales: Locale::ALL
            .into_iter()
            .map(|l| Choice {
                value: l.as_str().into(),
                label: crate::http::locale::locale_name(l).into(),
                selected: l == locale,
            })
            .collect(),
        bands: PopulationBand::ALL
            .iter()
            .map(|b| Choice {
                value: b.as_str().into(),
                label: ctx.t(&format!("org-band-{}", b.as_str())),
                selected: input.population_band == b.as_str(),
            })
            .collect(),
        budgets: BudgetRange::ALL
            .iter()
            .map(|b| Choice {
                value: b.as_str().into(),
                label: ctx.t(&format!("practice-budget-{}", b.as_str())),
                selected: input.budget_range.as_deref() == Some(b.as_str()),
            })
            .collect(),
        fields: fields_of(input, locale),
        files: files
            .iter()
            .map(|f| FileItem {
                href: format!(
                    "{}/files/{}",
                    practice_href(slug.unwrap_or_default()),
                    f.public_name()
                ),
                name: f.name.clone(),
                alt: f.alt.clone(),
                sha256: f.sha256.clone(),
            })
            .collect(),
        errors,
    };
    let title = match slug {
        Some(_) => ctx.t("practice-edit-title"),
        None => ctx.t("practice-new-title"),
    };
    ctx.page(status, "practice_form", &title, &data)
}

fn locale_param(req: &Request, ctx: &Ctx) -> Locale {
    query_param(req, "locale")
        .and_then(|v| v.parse().ok())
        .unwrap_or(ctx.locale)
}

/// Merges the submitted form (one language's words and the shared fields)
/// into `input`.
fn merge(form: &FormData, input: &mut PracticeInput) -> Locale {
    let locale: Locale = form
        .get("locale")
        .and_then(|v| v.parse().ok())
        .unwrap_or(Locale::En);
    let get = |k: &str| form.get(k).unwrap_or_default().to_owned();
    input.city = get("city");
    input.country = get("country");
    input.population_band = get("population_band");
    input.codes = get("codes")
        .split([' ', ',', '\n', '\r', '\t'])
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    input.budget_range = Some(get("budget_range")).filter(|b| !b.is_empty());
    // A year or duration that is not a number reaches the core's check as
    // an impossible value, so the message lands next to its field.
    let number = |k: &str| match get(k).trim() {
        "" => None,
        v => Some(v.parse::<i32>().unwrap_or(-1)),
    };
    input.started_year = number("started_year");
    input.duration_months = number("duration_months");
    input.contact_opt_in = form.get("contact_opt_in").is_some();
    input.sources = get("sources")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (url, title) = l
                .trim()
                .split_once(char::is_whitespace)
                .unwrap_or((l.trim(), ""));
            Source {
                url: url.to_owned(),
                title: title.trim().to_owned(),
            }
        })
        .collect();
    if input.default_locale.is_empty() {
        input.default_locale = locale.as_str().to_owned();
    }
    let text = PracticeText {
        title: get("title"),
        summary: get("summary"),
        challenge: get("challenge"),
        actions: get("actions"),
        results: get("results"),
        lessons: get("lessons"),
        partners: get("partners"),
        indicators: get("indicators")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (name, figure) = l.split_once('|').unwrap_or((l, ""));
                Indicator {
                    name: name.trim().to_owned(),
                    figure: figure.trim().to_owned(),
                }
            })
            .collect(),
    };
    input.texts.insert(locale.as_str().to_owned(), text);
    locale
}

fn refused(
    ctx: &Ctx,
    slug: Option<&str>,
    files: &[PracticeFile],
    input: &PracticeInput,
    locale: Locale,
    e: agora_core::Error,
) -> Response {
    match form_error(ctx, &e) {
        Some((status, field, msg)) => {
            let mut errors = FieldErrors::default();
            errors.add(field, msg);
            form_page(ctx, slug, files, input, locale, status, errors)
        }
        None => ctx.fail(e),
    }
}

/// The edit page again, with a refused file's message next to `field`
/// (`file` or `alt`).
pub(super) async fn refused_file(
    ctx: &Ctx,
    slug: &str,
    field: &'static str,
    status: StatusCode,
) -> Response {
    match ctx.state.practices.record(ctx.user.as_ref(), slug).await {
        Ok(r) => {
            let mut errors = FieldErrors::default();
            errors.add(field, ctx.t(&format!("practice-error-{field}")));
            form_page(
                ctx,
                Some(slug),
                &r.files,
                &r.input,
                ctx.locale,
                status,
                errors,
            )
        }
        Err(e) => ctx.fail(e),
    }
}

/// GET `/practices/new`
#[handler]
pub async fn new_form(ctx: Ctx, req: &Request) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let locale = locale_param(req, &ctx);
    let input = PracticeInput {
        population_band: "100k-500k".into(),
        ..Default::default()
    };
    form_page(
        &ctx,
        None,
        &[],
        &input,
        locale,
        StatusCode::OK,
        FieldErrors::default(),
    )
}

/// POST `/practices`: a new draft of the reader's organisation.
#[handler]
pub async fn create(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = super::checked(&ctx, &form) {
        return r;
    }
    let mut input = PracticeInput::default();
    let locale = merge(&form, &mut input);
    match ctx.state.practices.create(ctx.user.as_ref(), &input).await {
        Ok(r) => ctx.redirect(
            &practice_href(&r.slug),
            Some(Flash::Ok("flash-practice-saved")),
        ),
        Err(e) => refused(&ctx, None, &[], &input, locale, e),
    }
}

/// GET `/practices/:slug/edit?locale=fr`
#[handler]
pub async fn edit_form(ctx: Ctx, req: &Request, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    match ctx.state.practices.record(ctx.user.as_ref(), &slug).await {
        Ok(r) if r.can_edit => {
            let locale = locale_param(req, &ctx);
            form_page(
                &ctx,
                Some(&slug),
                &r.files,
                &r.input,
                locale,
                StatusCode::OK,
                FieldErrors::default(),
            )
        }
        Ok(_) => ctx.error(StatusCode::FORBIDDEN),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/practices/:slug/edit`: one language's words and the shared fields.
#[handler]
pub async fn save(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = super::checked(&ctx, &form) {
        return r;
    }
    let (mut input, files) = match ctx.state.practices.record(ctx.user.as_ref(), &slug).await {
        Ok(r) => (r.input, r.files),
        Err(e) => return ctx.fail(e),
    };
    let locale = merge(&form, &mut input);
    match ctx
        .state
        .practices
        .update(ctx.user.as_ref(), &slug, &input)
        .await
    {
        Ok(_) => ctx.redirect(
            &practice_href(&slug),
            Some(Flash::Ok("flash-practice-saved")),
        ),
        Err(e) => refused(&ctx, Some(&slug), &files, &input, locale, e),
    }
}

/// POST `/practices/:slug/submission`: send to review.
#[handler]
pub async fn submit(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = super::checked(&ctx, &form) {
        return r;
    }
    match ctx.state.practices.submit(ctx.user.as_ref(), &slug).await {
        Ok(_) => ctx.redirect(
            &practice_href(&slug),
            Some(Flash::Ok("flash-practice-submitted")),
        ),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/practices/:slug/review`: `decision` and `note`.
#[handler]
pub async fn review(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = super::checked(&ctx, &form) {
        return r;
    }
    let Some(decision) = form.get("decision").and_then(Decision::parse) else {
        return ctx.error(StatusCode::BAD_REQUEST);
    };
    let note = form.get("note").unwrap_or_default().to_owned();
    match ctx
        .state
        .practices
        .review(ctx.user.as_ref(), &slug, decision, Some(&note))
        .await
    {
        Ok(_) => ctx.redirect(
            &practice_href(&slug),
            Some(Flash::Ok("flash-practice-reviewed")),
        ),
        Err(e) => super::library::refused(&ctx, &slug, e, String::new()).await,
    }
}

#[derive(Serialize)]
struct SubmissionItem {
    href: String,
    title: String,
    city: String,
    organisation: String,
    status: String,
}

#[derive(Serialize)]
struct SubmissionsPage {
    items: Vec<SubmissionItem>,
}

/// GET `/practice-submissions`: the reader's organisation's practices and,
/// for reviewers, every one waiting.
#[handler]
pub async fn submissions(ctx: Ctx) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    match ctx.state.practices.submissions(ctx.user.as_ref()).await {
        Ok(list) => {
            let data = SubmissionsPage {
                items: list
                    .into_iter()
                    .map(|s| SubmissionItem {
                        href: practice_href(&s.slug),
                        title: s.title,
                        city: s.city,
                        organisation: s.organisation_name,
                        status: ctx.t(&format!("practice-status-{}", s.status)),
                    })
                    .collect(),
            };
            ctx.page(
                StatusCode::OK,
                "practice_submissions",
                &ctx.t("practice-submissions-title"),
                &data,
            )
        }
        Err(e) => ctx.fail(e),
    }
}
