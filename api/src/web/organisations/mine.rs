//! The learner's organisation: what it sees, job title and department,
//! hiding progress, leaving; the organisations their domain offers, asking
//! to join, and accepting an invitation. Joining always shows, in plain
//! words, what the organisation will see.

use agora_core::organisations::Membership;
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{OrgSummary, form_error, summary};
use crate::web::{Ctx, Flash, FormData};

#[derive(Serialize)]
struct MyMembership {
    organisation: OrgSummary,
    pending: bool,
    admin: bool,
    job_title: String,
    department: String,
    hide_progress: bool,
}

#[derive(Serialize)]
struct MinePage {
    membership: Option<MyMembership>,
    offers: Vec<OrgSummary>,
    global_admin: bool,
    error: Option<String>,
}

async fn mine_page(ctx: &Ctx, status: StatusCode, error: Option<String>) -> Response {
    let my = match ctx
        .state
        .organisations
        .my_organisation(ctx.user.as_ref())
        .await
    {
        Ok(m) => m,
        Err(e) => return ctx.fail(e),
    };
    let membership = my
        .membership
        .as_ref()
        .map(|(m, o): &(Membership, _)| MyMembership {
            organisation: summary(ctx, o),
            pending: !m.is_active(),
            admin: m.is_admin(),
            job_title: m.job_title.clone(),
            department: m.department.clone(),
            hide_progress: m.hide_progress,
        });
    let page = MinePage {
        membership,
        offers: my.offers.iter().map(|o| summary(ctx, o)).collect(),
        global_admin: ctx
            .user
            .as_ref()
            .is_some_and(|u| u.role == agora_core::accounts::Role::Admin),
        error,
    };
    ctx.page(status, "org_mine", &ctx.t("org-mine-title"), &page)
}

/// GET `/organisation`
#[handler]
pub async fn mine(ctx: Ctx) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    mine_page(&ctx, StatusCode::OK, None).await
}

/// POST `/organisation/details`: job title, department, hiding progress.
#[handler]
pub async fn details(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = ctx.require_user().map(drop) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let result = ctx
        .state
        .organisations
        .update_me(
            ctx.user.as_ref(),
            form.get("job_title").unwrap_or_default(),
            form.get("department").unwrap_or_default(),
            form.get("hide_progress") == Some("on"),
        )
        .await;
    match result {
        Ok(_) => ctx.redirect("/organisation", Some(Flash::Ok("flash-org-saved"))),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => mine_page(&ctx, status, Some(msg)).await,
            None => ctx.fail(e),
        },
    }
}

/// POST `/organisation/leave`: the membership goes; the learner's records stay.
#[handler]
pub async fn leave(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = ctx.require_user().map(drop) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    match ctx.state.organisations.leave(ctx.user.as_ref()).await {
        Ok(()) => ctx.redirect("/organisation", Some(Flash::Ok("flash-org-left"))),
        Err(e @ agora_core::Error::Conflict { .. }) => {
            let _ = e;
            mine_page(
                &ctx,
                StatusCode::CONFLICT,
                Some(ctx.t("org-error-last-admin")),
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}

/// POST `/organisations/:slug/join`, with the consent box ticked.
#[handler]
pub async fn join(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = ctx.require_user().map(drop) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let consent = form.get("consent") == Some("on");
    match ctx
        .state
        .organisations
        .join(ctx.user.as_ref(), &slug, consent)
        .await
    {
        Ok(m) if m.is_active() => {
            ctx.redirect("/organisation", Some(Flash::Ok("flash-org-joined")))
        }
        Ok(_) => ctx.redirect("/organisation", Some(Flash::Ok("flash-org-requested"))),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => mine_page(&ctx, status, Some(msg)).await,
            None => ctx.fail(e),
        },
    }
}

#[derive(Serialize)]
struct InvitationPage {
    organisation: OrgSummary,
    admin: bool,
    token: String,
    signed_in: bool,
    sign_in: String,
    error: Option<String>,
}

async fn invitation_page(
    ctx: &Ctx,
    token: &str,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    match ctx.state.organisations.invitation(token).await {
        Ok((org, role)) => {
            let next: String = url::form_urlencoded::byte_serialize(ctx.here.as_bytes()).collect();
            let page = InvitationPage {
                organisation: summary(ctx, &org),
                admin: role == agora_core::organisations::OrgRole::Admin,
                token: token.to_owned(),
                signed_in: ctx.user.is_some(),
                sign_in: format!("/sign-in?next={next}"),
                error,
            };
            ctx.page(
                status,
                "org_invitation",
                &ctx.t("org-invitation-title"),
                &page,
            )
        }
        Err(e) => ctx.fail(e),
    }
}

#[derive(serde::Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// GET `/organisation/invitation?token=…`: what joining means, and a form to accept.
#[handler]
pub async fn invitation(ctx: Ctx, poem::web::Query(q): poem::web::Query<TokenQuery>) -> Response {
    invitation_page(
        &ctx,
        q.token.as_deref().unwrap_or_default(),
        StatusCode::OK,
        None,
    )
    .await
}

/// POST `/organisation/invitation`
#[handler]
pub async fn accept(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = ctx.require_user().map(drop) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let token = form.get("token").unwrap_or_default().to_owned();
    let consent = form.get("consent") == Some("on");
    match ctx
        .state
        .organisations
        .accept_invitation(ctx.user.as_ref(), &token, consent)
        .await
    {
        Ok(_) => ctx.redirect("/organisation", Some(Flash::Ok("flash-org-joined"))),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => invitation_page(&ctx, &token, status, Some(msg)).await,
            None => ctx.fail(e),
        },
    }
}
