//! GET `/discussions`: the spaces the reader can read.

use poem::{Response, handler, http::StatusCode};
use serde::Serialize;

use crate::web::Ctx;

#[derive(Serialize)]
struct SpaceItem {
    slug: String,
    title: String,
    kind: String,
    description: String,
}

#[derive(Serialize)]
struct SpacesPage {
    community: Vec<SpaceItem>,
    mine: Vec<SpaceItem>,
    /// Admins create community spaces.
    admin: bool,
    /// The reader moderates a space: a link to the queue.
    moderates: bool,
}

/// GET `/discussions`
#[handler]
pub async fn list(ctx: Ctx) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let all = match ctx
        .state
        .discussions
        .list_spaces(ctx.user.as_ref(), ctx.locale)
        .await
    {
        Ok(l) => l,
        Err(e) => return ctx.fail(e),
    };
    let moderates = all.iter().any(|s| s.access.moderate);
    let admin = ctx
        .user
        .as_ref()
        .is_some_and(|u| u.role == agora_core::accounts::Role::Admin);
    let item = |s: agora_core::discussions::SpaceView| SpaceItem {
        kind: ctx.t(&format!("discussion-kind-{}", s.kind)),
        slug: s.slug,
        title: s.title,
        description: s.description,
    };
    let (community, mine): (Vec<_>, Vec<_>) = all.into_iter().partition(|s| s.kind == "community");
    let community = community.into_iter().map(item).collect();
    let mine = mine.into_iter().map(item).collect();
    ctx.page(
        StatusCode::OK,
        "discussion_spaces",
        &ctx.t("discussions-title"),
        &SpacesPage {
            community,
            mine,
            admin,
            moderates,
        },
    )
}
