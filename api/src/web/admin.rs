//! `/admin/partners`: administrators create partners and their API keys
//! (each shown once), revoke keys, and see what each partner's embeds brought.

use agora_core::accounts::Role;
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::{Ctx, Flash, FormData};

#[derive(Serialize)]
struct KeyRow {
    id: String,
    name: String,
    prefix: String,
    scopes: String,
    expires: String,
    revoked: bool,
}

#[derive(Serialize)]
struct PartnerRow {
    slug: String,
    name: String,
    origins: String,
    visits: u64,
    enrolments: u64,
    collections: String,
    keys: Vec<KeyRow>,
}

#[derive(Serialize)]
struct NewKeyView {
    partner: String,
    key: String,
}

#[derive(Serialize)]
struct AdminPage {
    admin: bool,
    tab: &'static str,
    partners: Vec<PartnerRow>,
    new_key: Option<NewKeyView>,
    error: Option<String>,
}

/// Administrators only: anyone else is sent to sign in, or refused.
#[allow(clippy::result_large_err)]
pub(crate) fn require_admin(ctx: &Ctx) -> Result<(), Response> {
    let user = ctx.require_user()?;
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(ctx.error(StatusCode::FORBIDDEN))
    }
}

async fn render(
    ctx: &Ctx,
    status: StatusCode,
    new_key: Option<NewKeyView>,
    error: Option<String>,
) -> Response {
    let all = match ctx.state.partners.list().await {
        Ok(p) => p,
        Err(e) => return ctx.fail(e),
    };
    let mut rows = Vec::with_capacity(all.len());
    for p in all {
        let (stats, keys, collections) = match (
            ctx.state.partners.stats(&p.slug).await,
            ctx.state.partners.list_keys(&p.slug).await,
            ctx.state.partners.collections(&p.slug).await,
        ) {
            (Ok(s), Ok(k), Ok(c)) => (s, k, c),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return ctx.fail(e),
        };
        rows.push(PartnerRow {
            origins: p.allowed_origins.join(" "),
            visits: stats.visits,
            enrolments: stats.enrolments,
            collections: collections
                .iter()
                .map(|c| c.slug.clone())
                .collect::<Vec<_>>()
                .join(", "),
            keys: keys
                .iter()
                .map(|k| KeyRow {
                    id: k.id.to_string(),
                    name: k.name.clone(),
                    prefix: k.prefix.clone(),
                    scopes: k
                        .scopes
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    expires: k
                        .expires_at
                        .map(|t| t.date().to_string())
                        .unwrap_or_default(),
                    revoked: k.revoked_at.is_some(),
                })
                .collect(),
            slug: p.slug,
            name: p.name,
        });
    }
    ctx.page(
        status,
        "admin_partners",
        &ctx.t("partners-title"),
        &AdminPage {
            admin: true,
            tab: "partners",
            partners: rows,
            new_key,
            error,
        },
    )
}

/// GET `/admin/partners`
#[handler]
pub async fn partners(ctx: Ctx) -> Response {
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    render(&ctx, StatusCode::OK, None, None).await
}

/// POST `/admin/partners`: a new partner.
#[handler]
pub async fn create_partner(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let origins: Vec<String> = form
        .get("origins")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    match ctx
        .state
        .partners
        .create(agora_core::partners::NewPartner {
            slug: form.get("slug").unwrap_or_default(),
            name: form.get("name").unwrap_or_default(),
            allowed_origins: &origins,
        })
        .await
    {
        Ok(_) => ctx.redirect("/admin/partners", Some(Flash::Ok("flash-partner-created"))),
        Err(agora_core::Error::Invalid { field, reason })
        | Err(agora_core::Error::Conflict { field, reason }) => {
            render(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(format!("{field}: {reason}")),
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}

/// POST `/admin/partners/{partner}/keys`: a new key, shown on this page once.
#[handler]
pub async fn create_key(ctx: Ctx, Path(partner): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let scopes: Vec<String> = form
        .all()
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    let expires_at = match form.get("expires").filter(|v| !v.is_empty()) {
        None => None,
        Some(d) => {
            match time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")) {
                Ok(d) => Some(d.midnight().assume_utc()),
                Err(_) => {
                    return render(
                        &ctx,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        None,
                        Some("expires: use a date such as 2027-06-30".into()),
                    )
                    .await;
                }
            }
        }
    };
    match ctx
        .state
        .partners
        .create_key(
            &partner,
            form.get("name").unwrap_or_default(),
            &scopes,
            expires_at,
        )
        .await
    {
        Ok(k) => {
            render(
                &ctx,
                StatusCode::CREATED,
                Some(NewKeyView {
                    partner,
                    key: k.key,
                }),
                None,
            )
            .await
        }
        Err(agora_core::Error::Invalid { field, reason }) => {
            render(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(format!("{field}: {reason}")),
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}

/// POST `/admin/partners/{partner}/keys/{id}/revocation`
#[handler]
pub async fn revoke_key(
    ctx: Ctx,
    Path((partner, id)): Path<(String, String)>,
    body: Body,
) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = require_admin(&ctx) {
        return r;
    }
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    match ctx.state.partners.revoke_key(&partner, id).await {
        Ok(()) => ctx.redirect("/admin/partners", Some(Flash::Ok("flash-key-revoked"))),
        Err(e) => ctx.fail(e),
    }
}

#[derive(Serialize)]
struct CourseLine {
    slug: String,
    visits: u64,
    enrolments: u64,
}

#[derive(Serialize)]
struct StatsPage {
    partner: String,
    name: String,
    shown: bool,
    visits: u64,
    enrolments: u64,
    organisations: u64,
    courses: Vec<CourseLine>,
    refused: bool,
}

async fn stats_page(ctx: &Ctx, slug: &str, show: bool, status: StatusCode) -> Response {
    let p = match ctx.state.partners.get(slug).await {
        Ok(p) => p,
        Err(e) => return ctx.fail(e),
    };
    let mut page = StatsPage {
        partner: p.slug.clone(),
        name: p.name.clone(),
        shown: false,
        visits: 0,
        enrolments: 0,
        organisations: 0,
        courses: vec![],
        refused: status == StatusCode::UNAUTHORIZED,
    };
    if show {
        let s = match ctx.state.partners.stats(slug).await {
            Ok(s) => s,
            Err(e) => return ctx.fail(e),
        };
        page.shown = true;
        page.visits = s.visits;
        page.enrolments = s.enrolments;
        page.organisations = s.organisations;
        page.courses = s
            .courses
            .into_iter()
            .map(|c| CourseLine {
                slug: c.slug,
                visits: c.visits,
                enrolments: c.enrolments,
            })
            .collect();
    }
    let title = ctx.t("partners-stats-title");
    ctx.page(status, "partner_stats", &title, &page)
}

/// GET `/partners/{partner}/stats`: administrators see the figures; a
/// partner enters a key with the `stats:read` scope (never in the address).
#[handler]
pub async fn partner_stats(ctx: Ctx, Path(partner): Path<String>) -> Response {
    let admin = ctx.user.as_ref().is_some_and(|u| u.role == Role::Admin);
    stats_page(&ctx, &partner, admin, StatusCode::OK).await
}

/// POST `/partners/{partner}/stats`: the figures, for the partner's key.
#[handler]
pub async fn partner_stats_with_key(ctx: Ctx, Path(partner): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let key = form.get("key").unwrap_or_default().trim();
    let allowed = match crate::http::caller::partner(&ctx.state, key).await {
        Ok(h) => h.partner_slug == partner && h.has(agora_core::partners::Scope::StatsRead),
        Err(agora_core::Error::Unauthorized { .. }) => false,
        Err(e) => return ctx.fail(e),
    };
    if allowed {
        stats_page(&ctx, &partner, true, StatusCode::OK).await
    } else {
        stats_page(&ctx, &partner, false, StatusCode::UNAUTHORIZED).await
    }
}
