//! The list of organisations and an organisation's own page: public ones
//! for everyone, private ones for their members and administrators. The
//! staff list is never on them.

use agora_core::organisations::Standing;
use poem::{Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{OrgSummary, summary};
use crate::web::Ctx;

#[derive(Serialize)]
struct ListPage {
    organisations: Vec<OrgSummary>,
}

/// GET `/organisations`
#[handler]
pub async fn list(ctx: Ctx) -> Response {
    match ctx.state.organisations.list(ctx.user.as_ref()).await {
        Ok(all) => {
            let page = ListPage {
                organisations: all.iter().map(|o| summary(&ctx, o)).collect(),
            };
            ctx.page(StatusCode::OK, "org_list", &ctx.t("org-list-title"), &page)
        }
        Err(e) => ctx.fail(e),
    }
}

#[derive(Serialize)]
struct OrgPage {
    organisation: OrgSummary,
    manages: bool,
    /// Signed in, in no organisation: may ask to join.
    may_join: bool,
    member: bool,
    /// The global admin or a coordinator of one of its networks: may
    /// change the networks it belongs to.
    places: bool,
}

/// GET `/organisations/:slug`
#[handler]
pub async fn show(ctx: Ctx, Path(slug): Path<String>) -> Response {
    let org = match ctx.state.organisations.get(ctx.user.as_ref(), &slug).await {
        Ok(o) => o,
        Err(e) => return ctx.fail(e),
    };
    let may_join = match &ctx.user {
        Some(u) => match ctx.state.organisations.membership_of(u.user_id).await {
            Ok(m) => m.is_none(),
            Err(e) => return ctx.fail(e),
        },
        None => false,
    };
    let places = matches!(org.standing, Standing::GlobalAdmin | Standing::Coordinator);
    let page = OrgPage {
        organisation: summary(&ctx, &org),
        manages: org.standing.manages(),
        may_join,
        member: matches!(
            org.standing,
            Standing::Member | Standing::OrgAdmin | Standing::Pending
        ),
        places,
    };
    let title = org.name_in(ctx.locale).to_owned();
    ctx.page(StatusCode::OK, "org_page", &title, &page)
}
