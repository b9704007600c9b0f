//! Placing organisations: a new organisation with its networks and first
//! administrator (`/admin/organisations`, for the global admin and network
//! coordinators), and the networks an organisation belongs to
//! (`/organisations/:slug/networks`). The rules are `create` and
//! `set_networks`' in core: a coordinator places organisations in their own
//! networks only, and an organisation's administrators do not choose them.

use agora_core::{
    accounts::Role,
    organisations::{NetworkView, OrganisationInput},
};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{
    Choice, OrgSummary, band_choices, kind_choices,
    networks::{read_form, refused},
    other_names, summary,
};
use crate::web::{Ctx, Flash, FormData};

/// The new organisation form: empty, or as just refused.
#[derive(Serialize, Default)]
struct OrgForm {
    slug: String,
    name: String,
    name_fr: String,
    name_es: String,
    kind: String,
    country: String,
    population_band: String,
    website: String,
    admin_email: String,
    public: bool,
    auto_approve: bool,
    networks: Vec<String>,
}

impl OrgForm {
    fn sent(f: &FormData) -> Self {
        let get = |k: &str| f.get(k).unwrap_or_default().to_owned();
        OrgForm {
            slug: get("slug"),
            name: get("name"),
            name_fr: get("name_fr"),
            name_es: get("name_es"),
            kind: get("kind"),
            country: get("country"),
            population_band: get("population_band"),
            website: get("website"),
            admin_email: get("admin_email"),
            public: f.get("public") == Some("on"),
            auto_approve: f.get("auto_approve") == Some("on"),
            networks: checked_networks(f),
        }
    }
}

fn checked_networks(f: &FormData) -> Vec<String> {
    f.all()
        .iter()
        .filter(|(k, _)| k == "network")
        .map(|(_, v)| v.clone())
        .collect()
}

#[derive(Serialize)]
struct NewOrganisationPage {
    admin: bool,
    tab: &'static str,
    kinds: Vec<Choice>,
    bands: Vec<Choice>,
    networks: Vec<Choice>,
    organisations: Vec<OrgSummary>,
    form: OrgForm,
    error: Option<String>,
}

async fn new_page(ctx: &Ctx, status: StatusCode, form: OrgForm, error: Option<String>) -> Response {
    let orgs = &ctx.state.organisations;
    let who = ctx.user.as_ref();
    let placeable: Vec<NetworkView> = match orgs.networks_for_new_organisation(who).await {
        Ok(n) => n,
        Err(e) => return ctx.fail(e),
    };
    let all = match orgs.list(who).await {
        Ok(o) => o,
        Err(e) => return ctx.fail(e),
    };
    let page = NewOrganisationPage {
        admin: who.is_some_and(|u| u.role == Role::Admin),
        tab: "organisations",
        kinds: kind_choices(ctx, &form.kind),
        bands: band_choices(ctx, &form.population_band),
        networks: placeable
            .iter()
            .map(|n| Choice {
                value: n.slug.clone(),
                label: n.name_in(ctx.locale).to_owned(),
                selected: form.networks.contains(&n.slug),
            })
            .collect(),
        organisations: all.iter().map(|o| summary(ctx, o)).collect(),
        form,
        error,
    };
    ctx.page(
        status,
        "admin_organisations",
        &ctx.t("admin-organisations-title"),
        &page,
    )
}

/// GET `/admin/organisations`
#[handler]
pub async fn new_organisation(ctx: Ctx) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    new_page(&ctx, StatusCode::OK, OrgForm::default(), None).await
}

/// POST `/admin/organisations`: a new organisation and its first administrator.
#[handler]
pub async fn create(ctx: Ctx, body: Body) -> Response {
    let f = match read_form(&ctx, body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let names = other_names(&f);
    let input = OrganisationInput {
        name: f.get("name").unwrap_or_default(),
        names: &names,
        kind: f.get("kind").unwrap_or_default(),
        country: f.get("country").unwrap_or_default(),
        population_band: f.get("population_band").unwrap_or_default(),
        website: f.get("website").filter(|w| !w.trim().is_empty()),
        public: f.get("public") == Some("on"),
        auto_approve: f.get("auto_approve") == Some("on"),
    };
    match ctx
        .state
        .organisations
        .create(
            ctx.user.as_ref(),
            f.get("slug").unwrap_or_default(),
            input,
            &checked_networks(&f),
            f.get("admin_email").unwrap_or_default(),
        )
        .await
    {
        Ok(o) => ctx.redirect(
            &format!("/organisations/{}", o.slug),
            Some(Flash::Ok("flash-org-created")),
        ),
        Err(e) => match refused(&ctx, e) {
            Ok((status, msg)) => new_page(&ctx, status, OrgForm::sent(&f), Some(msg)).await,
            Err(r) => r,
        },
    }
}

#[derive(Serialize)]
struct ChoiceRow {
    slug: String,
    name: String,
    member: bool,
    may_change: bool,
}

#[derive(Serialize)]
struct NetworksPage {
    admin: bool,
    tab: &'static str,
    slug: String,
    name: String,
    choices: Vec<ChoiceRow>,
    error: Option<String>,
}

async fn networks_page(
    ctx: &Ctx,
    slug: &str,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let (org, choices) = match ctx
        .state
        .organisations
        .network_choices(ctx.user.as_ref(), slug)
        .await
    {
        Ok(x) => x,
        Err(e) => return ctx.fail(e),
    };
    let page = NetworksPage {
        admin: ctx.user.as_ref().is_some_and(|u| u.role == Role::Admin),
        tab: "organisations",
        slug: org.slug.clone(),
        name: org.name_in(ctx.locale).to_owned(),
        choices: choices
            .into_iter()
            .map(|c| ChoiceRow {
                name: c.network.name_in(ctx.locale).to_owned(),
                slug: c.network.slug,
                member: c.member,
                may_change: c.may_change,
            })
            .collect(),
        error,
    };
    ctx.page(status, "org_networks", &ctx.t("org-networks-title"), &page)
}

/// GET `/organisations/:slug/networks`
#[handler]
pub async fn networks(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    networks_page(&ctx, &slug, StatusCode::OK, None).await
}

/// POST `/organisations/:slug/networks`: every network it belongs to.
#[handler]
pub async fn set_networks(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let f = match read_form(&ctx, body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    match ctx
        .state
        .organisations
        .set_networks(ctx.user.as_ref(), &slug, &checked_networks(&f))
        .await
    {
        // Back to the list: a coordinator who took the organisation out of
        // their network may no longer see it.
        Ok(_) => ctx.redirect("/admin/organisations", Some(Flash::Ok("flash-org-saved"))),
        Err(e) => match refused(&ctx, e) {
            Ok((status, msg)) => networks_page(&ctx, &slug, status, Some(msg)).await,
            Err(r) => r,
        },
    }
}
