//! A post's former bodies and every image it carried, for the space's
//! moderators:
//! `/discussions/:space/threads/:id/posts/:post/history`.

use poem::{Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::{thread_href, when};
use crate::{
    http::i18n::t_args,
    web::{Ctx, cohorts::reader_zone},
};

#[derive(Serialize)]
struct Revision {
    /// Markdown, shown as written.
    body: String,
    replaced: String,
}

/// An image the post carries or carried.
#[derive(Serialize)]
struct Image {
    url: String,
    alt: String,
    added: String,
    removed: bool,
    width: u32,
    height: u32,
}

#[derive(Serialize)]
struct HistoryPage {
    back: String,
    revisions: Vec<Revision>,
    /// Every image the post ever carried, its author's removed ones too.
    images: Vec<Image>,
}

/// GET `…/posts/:post/history`
#[handler]
pub async fn history(
    ctx: Ctx,
    Path((space, id, post)): Path<(String, String, String)>,
) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let (Ok(id), Ok(post)) = (id.parse::<Uuid>(), post.parse::<Uuid>()) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let d = &ctx.state.discussions;
    match d.thread(ctx.user.as_ref(), id).await {
        Ok(t) if t.space.slug == space => {}
        Ok(_) => return ctx.error(StatusCode::NOT_FOUND),
        Err(e) => return ctx.fail(e),
    }
    match d.thread_of_post(ctx.user.as_ref(), post).await {
        Ok(t) if t == id => {}
        Ok(_) => return ctx.error(StatusCode::NOT_FOUND),
        Err(e) => return ctx.fail(e),
    }
    let list = match d.history(ctx.user.as_ref(), post).await {
        Ok(l) => l,
        Err(e) => return ctx.fail(e),
    };
    let images = match d.post_images(ctx.user.as_ref(), post).await {
        Ok(l) => l,
        Err(e) => return ctx.fail(e),
    };
    let zone = reader_zone(&ctx).await;
    let data = HistoryPage {
        images: images
            .into_iter()
            .map(|i| Image {
                added: when(&zone, i.created_at),
                url: i.url,
                alt: i.alt,
                removed: i.removed,
                width: i.width,
                height: i.height,
            })
            .collect(),
        back: format!("{}#post-{post}", thread_href(&space, id)),
        revisions: list
            .into_iter()
            .map(|r| Revision {
                replaced: t_args(
                    ctx.locale,
                    "discussion-history-replaced",
                    &[
                        ("date", when(&zone, r.replaced_at).into()),
                        ("name", r.editor_name.into()),
                    ],
                ),
                body: r.body,
            })
            .collect(),
    };
    ctx.page(
        StatusCode::OK,
        "discussion_history",
        &ctx.t("discussion-history-title"),
        &data,
    )
}
