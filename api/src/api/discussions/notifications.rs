//! Your notifications: a reply in a thread you follow, a mention, your
//! answer marked, a new thread in a space you follow.

use agora_core::discussions::NotificationView;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::ApiTags;
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct NotificationsApi;

#[derive(Object)]
#[oai(rename = "Notification")]
#[oai(skip_serializing_if_is_none)]
struct Notification {
    id: Uuid,
    /// `reply`, `mention`, `answer` or `thread`.
    kind: String,
    /// The space's slug.
    space: String,
    thread_id: Uuid,
    thread_title: String,
    post_id: Option<Uuid>,
    /// Who did it.
    actor_name: String,
    /// The thread's page, at the post.
    href: String,
    read: bool,
    created_at: OffsetDateTime,
}

impl From<NotificationView> for Notification {
    fn from(n: NotificationView) -> Self {
        let mut href = format!("/discussions/{}/threads/{}", n.space, n.thread_id);
        if let Some(p) = n.post_id {
            href.push_str(&format!("#post-{p}"));
        }
        Notification {
            id: n.id,
            kind: n.kind,
            space: n.space,
            thread_id: n.thread_id,
            thread_title: n.thread_title,
            post_id: n.post_id,
            actor_name: n.actor_name,
            href,
            read: n.read,
            created_at: n.created_at,
        }
    }
}

#[derive(Object)]
#[oai(rename = "UnreadNotifications")]
struct Unread {
    unread: u64,
}

#[derive(Object)]
#[oai(rename = "MarkNotificationsRead")]
struct MarkRead {
    /// The notifications to mark read.
    #[oai(default, validator(max_items = 200))]
    ids: Vec<Uuid>,
    /// Mark all of yours read instead.
    #[oai(default)]
    all: bool,
}

#[derive(Object)]
#[oai(rename = "NotificationsMarked")]
struct Marked {
    marked: u64,
}

#[OpenApi(tag = "ApiTags::Notifications")]
impl NotificationsApi {
    /// Your newest notifications (50)
    #[oai(
        path = "/me/notifications",
        method = "get",
        operation_id = "list_notifications"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<Notification>>, ApiError> {
        let list = state
            .discussions
            .notifications(Some(auth.principal()))
            .await?;
        Ok(Json(list.into_iter().map(Notification::from).collect()))
    }

    /// How many of your notifications are unread
    #[oai(
        path = "/me/notifications/unread",
        method = "get",
        operation_id = "count_unread_notifications"
    )]
    async fn unread(&self, state: Data<&AppState>, auth: Auth) -> Result<Json<Unread>, ApiError> {
        let unread = state
            .discussions
            .unread_count(auth.principal().user_id)
            .await?;
        Ok(Json(Unread { unread }))
    }

    /// Mark notifications read
    #[oai(
        path = "/me/notifications/read",
        method = "post",
        operation_id = "mark_notifications_read"
    )]
    async fn mark(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<MarkRead>,
    ) -> Result<Json<Marked>, ApiError> {
        let marked = state
            .discussions
            .mark_read(
                Some(auth.principal()),
                (!body.all).then_some(body.ids.as_slice()),
            )
            .await?;
        Ok(Json(Marked { marked }))
    }
}
