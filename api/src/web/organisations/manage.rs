//! What an organisation's administrators manage: the profile, email
//! domains, members and requests, and invitations. A new link invitation is
//! shown once, on the page that made it.

use agora_core::organisations::{
    InvitationView, MemberStatus, NewInvitation, OrgRole, OrganisationInput, OrganisationView,
};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::{Choice, band_choices, form_error, kind_choices, other_names};
use crate::{
    http::i18n::t_args,
    web::{Ctx, Flash, FormData},
};

#[derive(Serialize)]
struct MemberRow {
    id: Uuid,
    name: String,
    email: String,
    pending: bool,
    admin: bool,
    job_title: String,
    department: String,
}

#[derive(Serialize)]
struct InvitationRow {
    id: Uuid,
    email: Option<String>,
    admin: bool,
    expires: String,
    open: bool,
}

#[derive(Serialize)]
struct ManagePage {
    /// "Manage: {name}", with the locale's punctuation.
    heading: String,
    slug: String,
    name: String,
    name_fr: String,
    name_es: String,
    kinds: Vec<Choice>,
    bands: Vec<Choice>,
    /// Shown, not edited: coordinators and the global admin place an
    /// organisation in networks.
    networks: Vec<String>,
    country: String,
    website: String,
    public: bool,
    auto_approve: bool,
    domains: Vec<String>,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    new_link: Option<String>,
    error: Option<String>,
}

async fn manage_page(
    ctx: &Ctx,
    slug: &str,
    status: StatusCode,
    error: Option<String>,
    new_link: Option<String>,
) -> Response {
    let orgs = &ctx.state.organisations;
    let who = ctx.user.as_ref();
    let (members, invitations) = match (
        orgs.members(who, slug).await,
        orgs.invitations(who, slug).await,
    ) {
        (Ok(m), Ok(i)) => (m, i),
        (Err(e), _) | (_, Err(e)) => return ctx.fail(e),
    };
    let o: OrganisationView = match orgs.get(who, slug).await {
        Ok(o) => o,
        Err(e) => return ctx.fail(e),
    };
    let page = ManagePage {
        heading: t_args(
            ctx.locale,
            "org-manage-heading",
            &[("name", o.name.clone().into())],
        ),
        slug: o.slug.clone(),
        name: o.name.clone(),
        name_fr: o.names.get("fr").cloned().unwrap_or_default(),
        name_es: o.names.get("es").cloned().unwrap_or_default(),
        kinds: kind_choices(ctx, &o.kind),
        bands: band_choices(ctx, &o.population_band),
        networks: o
            .networks
            .iter()
            .map(|n| n.name_in(ctx.locale).to_owned())
            .collect(),
        country: o.country.clone(),
        website: o.website.clone().unwrap_or_default(),
        public: o.public,
        auto_approve: o.auto_approve,
        domains: o.domains.clone(),
        members: members
            .iter()
            .map(|m| MemberRow {
                id: m.user_id,
                name: m.display_name.clone(),
                email: m.email.clone(),
                pending: m.status == MemberStatus::Pending,
                admin: m.role == OrgRole::Admin,
                job_title: m.job_title.clone(),
                department: m.department.clone(),
            })
            .collect(),
        invitations: invitations
            .iter()
            .map(|i: &InvitationView| InvitationRow {
                id: i.id,
                email: i.email.clone(),
                admin: i.role == OrgRole::Admin,
                expires: i.expires_at.date().to_string(),
                open: i.revoked_at.is_none() && i.used_at.is_none(),
            })
            .collect(),
        new_link,
        error,
    };
    ctx.page(status, "org_manage", &ctx.t("org-manage-title"), &page)
}

/// GET `/organisations/:slug/manage`
#[handler]
pub async fn manage(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    manage_page(&ctx, &slug, StatusCode::OK, None, None).await
}

/// Reads the form, checks the reader and CSRF, runs `act` and comes back to
/// the manage page: with a message, or with the refusal in the reader's words.
async fn act<F, Fut>(ctx: Ctx, slug: String, body: Body, act: F) -> Response
where
    F: FnOnce(Ctx, FormData) -> Fut,
    Fut: std::future::Future<Output = (Ctx, agora_core::Result<()>)>,
{
    let form = FormData::read(body).await;
    if let Err(r) = ctx.require_user().map(drop) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let (ctx, result) = act(ctx, form).await;
    match result {
        Ok(()) => ctx.redirect(
            &format!("/organisations/{slug}/manage"),
            Some(Flash::Ok("flash-org-saved")),
        ),
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => manage_page(&ctx, &slug, status, Some(msg), None).await,
            None => ctx.fail(e),
        },
    }
}

/// POST `/organisations/:slug/profile`
#[handler]
pub async fn profile(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let s = slug.clone();
    act(ctx, slug, body, |ctx, f| async move {
        let names = other_names(&f);
        let input = OrganisationInput {
            name: f.get("name").unwrap_or_default(),
            names: &names,
            kind: f.get("kind").unwrap_or_default(),
            country: f.get("country").unwrap_or_default(),
            population_band: f.get("population_band").unwrap_or_default(),
            website: f.get("website"),
            public: f.get("public") == Some("on"),
            auto_approve: f.get("auto_approve") == Some("on"),
        };
        let r = ctx
            .state
            .organisations
            .update(ctx.user.as_ref(), &s, input)
            .await
            .map(drop);
        (ctx, r)
    })
    .await
}

/// POST `/organisations/:slug/domains`
#[handler]
pub async fn add_domain(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let s = slug.clone();
    act(ctx, slug, body, |ctx, f| async move {
        let r = ctx
            .state
            .organisations
            .add_domain(ctx.user.as_ref(), &s, f.get("domain").unwrap_or_default())
            .await
            .map(drop);
        (ctx, r)
    })
    .await
}

/// POST `/organisations/:slug/domains/removal`
#[handler]
pub async fn remove_domain(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let s = slug.clone();
    act(ctx, slug, body, |ctx, f| async move {
        let r = ctx
            .state
            .organisations
            .remove_domain(ctx.user.as_ref(), &s, f.get("domain").unwrap_or_default())
            .await
            .map(drop);
        (ctx, r)
    })
    .await
}

/// POST `/organisations/:slug/members/:user`: `action` is approve, remove, admin or member.
#[handler]
pub async fn member(ctx: Ctx, Path((slug, user)): Path<(String, Uuid)>, body: Body) -> Response {
    let s = slug.clone();
    act(ctx, slug, body, |ctx, f| async move {
        let orgs = &ctx.state.organisations;
        let who = ctx.user.as_ref();
        let r = match f.get("action").unwrap_or_default() {
            "approve" => orgs.approve(who, &s, user).await,
            "remove" => orgs.remove_member(who, &s, user).await,
            role @ ("admin" | "member") => orgs.set_role(who, &s, user, role).await,
            _ => Err(agora_core::Error::invalid("role", "unknown action")),
        };
        (ctx, r)
    })
    .await
}

/// POST `/organisations/:slug/invitations`: by email, or a link shown once.
#[handler]
pub async fn invite(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = ctx.require_user().map(drop) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let new = NewInvitation {
        email: form.get("email"),
        role: form.get("role").unwrap_or("member"),
        days: form.get("days").and_then(|d| d.trim().parse().ok()),
        locale: ctx.locale,
    };
    match ctx
        .state
        .organisations
        .create_invitation(ctx.user.as_ref(), &slug, new)
        .await
    {
        Ok(i) => match i.token {
            Some(token) => {
                let link = ctx
                    .state
                    .config
                    .public_url()
                    .join(&agora_core::links::organisation_invitation(&token))
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                manage_page(&ctx, &slug, StatusCode::CREATED, None, Some(link)).await
            }
            None => ctx.redirect(
                &format!("/organisations/{slug}/manage"),
                Some(Flash::Ok("flash-org-invited")),
            ),
        },
        Err(e) => match form_error(&ctx, &e) {
            Some((status, msg)) => manage_page(&ctx, &slug, status, Some(msg), None).await,
            None => ctx.fail(e),
        },
    }
}

/// POST `/organisations/:slug/invitations/:id/revocation`
#[handler]
pub async fn revoke(ctx: Ctx, Path((slug, id)): Path<(String, Uuid)>, body: Body) -> Response {
    let s = slug.clone();
    act(ctx, slug, body, |ctx, _| async move {
        let r = ctx
            .state
            .organisations
            .revoke_invitation(ctx.user.as_ref(), &s, id)
            .await;
        (ctx, r)
    })
    .await
}
