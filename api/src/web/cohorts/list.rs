//! The cohorts list: the reader's own cohorts, and those open for application.

use agora_core::{accounts::Role, cohorts::CohortView};
use poem::{Response, handler, http::StatusCode};
use serde::Serialize;

use super::title_in;
use crate::web::Ctx;

#[derive(Serialize)]
pub struct CohortCard {
    slug: String,
    title: String,
    course: String,
    starts_on: String,
    ends_on: String,
    admission: String,
    status: String,
    role: Option<String>,
}

pub fn card(ctx: &Ctx, c: &CohortView) -> CohortCard {
    CohortCard {
        slug: c.slug.clone(),
        title: title_in(ctx, &c.titles, &c.slug),
        course: c.course.clone(),
        starts_on: c.starts_on.to_string(),
        ends_on: c.ends_on.to_string(),
        admission: ctx.t(&format!("cohort-admission-{}", c.admission)),
        status: ctx.t(&format!("cohort-status-{}", c.status)),
        role: c
            .your_role
            .as_deref()
            .map(|r| ctx.t(&format!("cohort-role-{r}"))),
    }
}

#[derive(Serialize)]
struct ListPage {
    mine: Vec<CohortCard>,
    open: Vec<CohortCard>,
    can_create: bool,
}

/// GET `/cohorts`
#[handler]
pub async fn list(ctx: Ctx) -> Response {
    let all = match ctx.state.cohorts.list(ctx.user.as_ref()).await {
        Ok(l) => l,
        Err(e) => return ctx.fail(e),
    };
    let (mine, others): (Vec<_>, Vec<_>) = all.iter().partition(|c| c.your_role.is_some());
    let page = ListPage {
        mine: mine.into_iter().map(|c| card(&ctx, c)).collect(),
        open: others
            .into_iter()
            .filter(|c| c.status == "open" && c.admission != "invitation")
            .map(|c| card(&ctx, c))
            .collect(),
        can_create: ctx
            .user
            .as_ref()
            .is_some_and(|u| matches!(u.role, Role::Author | Role::Admin)),
    };
    ctx.page(
        StatusCode::OK,
        "cohort_list",
        &ctx.t("cohorts-title"),
        &page,
    )
}
