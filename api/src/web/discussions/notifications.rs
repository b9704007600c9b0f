//! The reader's notifications, newest first, and marking them read.

use poem::{Body, Response, handler, http::StatusCode};
use serde::Serialize;
use uuid::Uuid;

use super::{checked, thread_href, when};
use crate::web::{Ctx, Flash, FormData, cohorts::reader_zone};

#[derive(Serialize)]
struct Item {
    id: Uuid,
    text: String,
    href: String,
    when: String,
    read: bool,
}

#[derive(Serialize)]
struct NotificationsPage {
    items: Vec<Item>,
    unread: bool,
}

/// GET `/notifications`
#[handler]
pub async fn list(ctx: Ctx) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let all = match ctx.state.discussions.notifications(ctx.user.as_ref()).await {
        Ok(l) => l,
        Err(e) => return ctx.fail(e),
    };
    let zone = reader_zone(&ctx).await;
    let items: Vec<Item> = all
        .into_iter()
        .map(|n| {
            let mut href = thread_href(&n.space, n.thread_id);
            if let Some(p) = n.post_id {
                href.push_str(&format!("#post-{p}"));
            }
            Item {
                id: n.id,
                text: crate::http::i18n::t_args(
                    ctx.locale,
                    &format!("notification-{}", n.kind),
                    &[
                        ("name", n.actor_name.clone().into()),
                        ("thread", n.thread_title.clone().into()),
                    ],
                ),
                href,
                when: when(&zone, n.created_at),
                read: n.read,
            }
        })
        .collect();
    let data = NotificationsPage {
        unread: items.iter().any(|i| !i.read),
        items,
    };
    ctx.page(
        StatusCode::OK,
        "notifications",
        &ctx.t("notifications-title"),
        &data,
    )
}

/// POST `/notifications/read`: `id` for one, none for all.
#[handler]
pub async fn read(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let one: Option<Vec<Uuid>> = match form.get("id") {
        None => None,
        Some(id) => match id.parse() {
            Ok(id) => Some(vec![id]),
            Err(_) => return ctx.error(StatusCode::NOT_FOUND),
        },
    };
    match ctx
        .state
        .discussions
        .mark_read(ctx.user.as_ref(), one.as_deref())
        .await
    {
        Ok(_) => ctx.redirect(
            "/notifications",
            Some(Flash::Ok("flash-notifications-read")),
        ),
        Err(e) => ctx.fail(e),
    }
}
