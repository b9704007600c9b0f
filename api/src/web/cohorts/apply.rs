//! Applying to a cohort for the reader's organisation, answering its questions.

use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{checked, form_error, title_in};
use crate::web::{Ctx, Flash, FormData};

#[derive(Serialize)]
struct Question {
    index: usize,
    prompt: String,
    answer: String,
}

#[derive(Serialize)]
struct OrgOption {
    slug: String,
    name: String,
}

#[derive(Serialize)]
struct ApplyPage {
    slug: String,
    title: String,
    organisations: Vec<OrgOption>,
    questions: Vec<Question>,
    error: Option<String>,
}

async fn apply_page(
    ctx: &Ctx,
    slug: &str,
    status: StatusCode,
    answers: &[String],
    error: Option<String>,
) -> Response {
    let who = ctx.user.as_ref();
    let c = match ctx.state.cohorts.get(who, slug).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    // Staff apply for their own, active organisation: the only choice.
    let organisations = match ctx.state.organisations.my_organisation(who).await {
        Ok(mine) => mine
            .membership
            .filter(|(m, _)| m.is_active())
            .map(|(_, o)| OrgOption {
                slug: o.slug.clone(),
                name: o.name_in(ctx.locale).to_owned(),
            })
            .into_iter()
            .collect(),
        Err(e) => return ctx.fail(e),
    };
    let page = ApplyPage {
        slug: c.slug.clone(),
        title: title_in(ctx, &c.titles, &c.slug),
        organisations,
        questions: c
            .questions
            .iter()
            .enumerate()
            .map(|(index, prompt)| Question {
                index,
                prompt: prompt.clone(),
                answer: answers.get(index).cloned().unwrap_or_default(),
            })
            .collect(),
        error,
    };
    ctx.page(status, "cohort_apply", &ctx.t("cohort-apply-title"), &page)
}

/// GET `/cohorts/:slug/apply`
#[handler]
pub async fn apply_form(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    apply_page(&ctx, &slug, StatusCode::OK, &[], None).await
}

/// POST `/cohorts/:slug/apply`
#[handler]
pub async fn apply(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let mut answers = Vec::new();
    while let Some(a) = form.get(&format!("answer_{}", answers.len())) {
        answers.push(a.to_owned());
    }
    let org = form.get("organisation").unwrap_or_default();
    match ctx
        .state
        .cohorts
        .apply(ctx.user.as_ref(), &slug, org, answers.clone())
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}"),
            Some(Flash::Ok("flash-cohort-applied")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => apply_page(&ctx, &slug, status, &answers, Some(msg)).await,
            None => ctx.fail(e),
        },
    }
}
