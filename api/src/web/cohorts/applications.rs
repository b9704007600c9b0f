//! The applications to a cohort, for those who run it; facilitators
//! accept, wait-list or decline each with a message (mailed once), and
//! invite organisations (accepted at once, their administrator mailed).

use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::{checked, form_error, title_in};
use crate::web::{Ctx, Flash, FormData};

#[derive(Serialize)]
struct Answer {
    question: String,
    answer: String,
}

#[derive(Serialize)]
struct Row {
    id: Uuid,
    organisation: String,
    applicant: String,
    answers: Vec<Answer>,
    state: String,
    state_label: String,
    message: String,
    applied_on: String,
}

#[derive(Serialize)]
struct ApplicationsPage {
    slug: String,
    title: String,
    applications: Vec<Row>,
    error: Option<String>,
}

async fn applications_page(
    ctx: &Ctx,
    slug: &str,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let who = ctx.user.as_ref();
    let (c, all) = match (
        ctx.state.cohorts.get(who, slug).await,
        ctx.state.cohorts.applications(who, slug).await,
    ) {
        (Ok(c), Ok(l)) => (c, l),
        (_, Err(e)) | (Err(e), _) => return ctx.fail(e),
    };
    let page = ApplicationsPage {
        slug: c.slug.clone(),
        title: title_in(ctx, &c.titles, &c.slug),
        applications: all
            .into_iter()
            .map(|a| Row {
                id: a.id,
                organisation: a.organisation_name,
                applicant: a.applicant_name,
                answers: a
                    .answers
                    .into_iter()
                    .map(|(question, answer)| Answer { question, answer })
                    .collect(),
                state_label: ctx.t(&format!("cohort-application-{}", a.state)),
                state: a.state,
                message: a.message.unwrap_or_default(),
                applied_on: a.created_at.date().to_string(),
            })
            .collect(),
        error,
    };
    ctx.page(
        status,
        "cohort_applications",
        &ctx.t("cohort-applications-title"),
        &page,
    )
}

/// GET `/cohorts/:slug/applications`
#[handler]
pub async fn list(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    applications_page(&ctx, &slug, StatusCode::OK, None).await
}

/// POST `/cohorts/:slug/applications/:id/decision`: `decision` and `message`.
#[handler]
pub async fn decide(ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    match ctx
        .state
        .cohorts
        .decide(
            ctx.user.as_ref(),
            &slug,
            id,
            form.get("decision").unwrap_or_default(),
            form.get("message"),
        )
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}/applications"),
            Some(Flash::Ok("flash-cohort-decided")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => applications_page(&ctx, &slug, status, Some(msg)).await,
            None => ctx.fail(e),
        },
    }
}

/// POST `/cohorts/:slug/invitations`: `organisation` (its slug) and `message`.
#[handler]
pub async fn invite(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    match ctx
        .state
        .cohorts
        .invite(
            ctx.user.as_ref(),
            &slug,
            form.get("organisation").unwrap_or_default(),
            form.get("message"),
        )
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}/applications"),
            Some(Flash::Ok("flash-cohort-invited")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => applications_page(&ctx, &slug, status, Some(msg)).await,
            None => ctx.fail(e),
        },
    }
}
