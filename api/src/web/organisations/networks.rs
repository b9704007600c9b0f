//! The global admin's network pages: the list and a new network
//! (`/admin/networks`), and one network's names and coordinators
//! (`/admin/networks/:slug`). The core service decides who may; its
//! refusals become error pages, and a refused form comes back with the
//! field named in the reader's words.

use agora_core::organisations::{CoordinatorView, NetworkInput, NetworkView};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::{form_error, other_names};
use crate::web::{Ctx, Flash, FormData};

/// What a network form holds: the saved values, or the ones just refused.
#[derive(Serialize, Default)]
struct NetworkForm {
    slug: String,
    name: String,
    name_fr: String,
    name_es: String,
    website: String,
}

impl NetworkForm {
    fn of(n: &NetworkView) -> Self {
        NetworkForm {
            slug: n.slug.clone(),
            name: n.name.clone(),
            name_fr: n.names.get("fr").cloned().unwrap_or_default(),
            name_es: n.names.get("es").cloned().unwrap_or_default(),
            website: n.website.clone().unwrap_or_default(),
        }
    }

    fn sent(f: &FormData) -> Self {
        let get = |k: &str| f.get(k).unwrap_or_default().to_owned();
        NetworkForm {
            slug: get("slug"),
            name: get("name"),
            name_fr: get("name_fr"),
            name_es: get("name_es"),
            website: get("website"),
        }
    }
}

#[derive(Serialize)]
struct NetworkRow {
    slug: String,
    name: String,
    website: Option<String>,
}

#[derive(Serialize)]
struct NetworksPage {
    admin: bool,
    tab: &'static str,
    networks: Vec<NetworkRow>,
    form: NetworkForm,
    error: Option<String>,
}

#[derive(Serialize)]
struct CoordinatorRow {
    id: Uuid,
    name: String,
    email: String,
}

#[derive(Serialize)]
struct NetworkPage {
    admin: bool,
    tab: &'static str,
    slug: String,
    form: NetworkForm,
    coordinators: Vec<CoordinatorRow>,
    error: Option<String>,
}

/// Reads a form of a signed-in reader and checks its CSRF token.
#[allow(clippy::result_large_err)]
pub(super) async fn read_form(ctx: &Ctx, body: Body) -> Result<FormData, Response> {
    let form = FormData::read(body).await;
    ctx.require_user()?;
    ctx.check_csrf(&form)?;
    Ok(form)
}

/// The error a refused form shows, or the error page for anything else.
#[allow(clippy::result_large_err)]
pub(super) fn refused(ctx: &Ctx, e: agora_core::Error) -> Result<(StatusCode, String), Response> {
    match form_error(ctx, &e) {
        Some(x) => Ok(x),
        None => Err(ctx.fail(e)),
    }
}

async fn networks_page(
    ctx: &Ctx,
    status: StatusCode,
    form: NetworkForm,
    error: Option<String>,
) -> Response {
    if let Err(r) = super::super::admin::require_admin(ctx) {
        return r;
    }
    let all = match ctx.state.organisations.networks().await {
        Ok(n) => n,
        Err(e) => return ctx.fail(e),
    };
    let page = NetworksPage {
        admin: true,
        tab: "networks",
        networks: all
            .iter()
            .map(|n| NetworkRow {
                slug: n.slug.clone(),
                name: n.name_in(ctx.locale).to_owned(),
                website: n.website.clone(),
            })
            .collect(),
        form,
        error,
    };
    ctx.page(
        status,
        "admin_networks",
        &ctx.t("admin-networks-title"),
        &page,
    )
}

/// GET `/admin/networks`
#[handler]
pub async fn list(ctx: Ctx) -> Response {
    networks_page(&ctx, StatusCode::OK, NetworkForm::default(), None).await
}

/// POST `/admin/networks`: a new network.
#[handler]
pub async fn create(ctx: Ctx, body: Body) -> Response {
    let f = match read_form(&ctx, body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let names = other_names(&f);
    let input = NetworkInput {
        slug: f.get("slug").unwrap_or_default(),
        name: f.get("name").unwrap_or_default(),
        names: &names,
        website: f.get("website").filter(|w| !w.trim().is_empty()),
    };
    match ctx
        .state
        .organisations
        .create_network(ctx.user.as_ref(), input)
        .await
    {
        Ok(n) => ctx.redirect(
            &format!("/admin/networks/{}", n.slug),
            Some(Flash::Ok("flash-org-saved")),
        ),
        Err(e) => match refused(&ctx, e) {
            Ok((status, msg)) => {
                networks_page(&ctx, status, NetworkForm::sent(&f), Some(msg)).await
            }
            Err(r) => r,
        },
    }
}

async fn network_page(
    ctx: &Ctx,
    slug: &str,
    status: StatusCode,
    sent: Option<NetworkForm>,
    error: Option<String>,
) -> Response {
    let orgs = &ctx.state.organisations;
    let coordinators: Vec<CoordinatorView> = match orgs.coordinators(ctx.user.as_ref(), slug).await
    {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let form = match sent {
        Some(f) => f,
        None => match orgs.network(slug).await {
            Ok(n) => NetworkForm::of(&n),
            Err(e) => return ctx.fail(e),
        },
    };
    let page = NetworkPage {
        admin: true,
        tab: "networks",
        slug: slug.to_owned(),
        form,
        coordinators: coordinators
            .into_iter()
            .map(|c| CoordinatorRow {
                id: c.user_id,
                name: c.display_name,
                email: c.email,
            })
            .collect(),
        error,
    };
    ctx.page(
        status,
        "admin_network",
        &ctx.t("admin-network-title"),
        &page,
    )
}

/// GET `/admin/networks/:slug`
#[handler]
pub async fn show(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    network_page(&ctx, &slug, StatusCode::OK, None, None).await
}

/// Back to the network's page after `result`: with a message, or with the
/// refusal in the reader's words.
async fn back(
    ctx: &Ctx,
    slug: &str,
    result: agora_core::Result<()>,
    sent: Option<NetworkForm>,
) -> Response {
    match result {
        Ok(()) => ctx.redirect(
            &format!("/admin/networks/{slug}"),
            Some(Flash::Ok("flash-org-saved")),
        ),
        Err(e) => match refused(ctx, e) {
            Ok((status, msg)) => network_page(ctx, slug, status, sent, Some(msg)).await,
            Err(r) => r,
        },
    }
}

/// POST `/admin/networks/:slug`: its names and website.
#[handler]
pub async fn update(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let f = match read_form(&ctx, body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let names = other_names(&f);
    let input = NetworkInput {
        slug: &slug,
        name: f.get("name").unwrap_or_default(),
        names: &names,
        website: f.get("website").filter(|w| !w.trim().is_empty()),
    };
    let r = ctx
        .state
        .organisations
        .update_network(ctx.user.as_ref(), &slug, input)
        .await
        .map(drop);
    let mut sent = NetworkForm::sent(&f);
    sent.slug = slug.clone();
    back(&ctx, &slug, r, Some(sent)).await
}

/// POST `/admin/networks/:slug/coordinators`: names the account with
/// `email` a coordinator.
#[handler]
pub async fn add_coordinator(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let f = match read_form(&ctx, body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let r = ctx
        .state
        .organisations
        .add_coordinator(ctx.user.as_ref(), &slug, f.get("email").unwrap_or_default())
        .await
        .map(drop);
    match r {
        // The one way this form fails: the address is nobody's account.
        Err(agora_core::Error::Invalid { field, .. }) if field == "email" => {
            let msg = ctx.t("org-error-coordinator");
            network_page(
                &ctx,
                &slug,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(msg),
            )
            .await
        }
        r => back(&ctx, &slug, r, None).await,
    }
}

/// POST `/admin/networks/:slug/coordinators/:user/removal`
#[handler]
pub async fn remove_coordinator(
    ctx: Ctx,
    Path((slug, user)): Path<(String, Uuid)>,
    body: Body,
) -> Response {
    if let Err(r) = read_form(&ctx, body).await {
        return r;
    }
    let r = ctx
        .state
        .organisations
        .remove_coordinator(ctx.user.as_ref(), &slug, user)
        .await;
    back(&ctx, &slug, r, None).await
}
