//! A thread: reading it, replying, following it, marking its answer and
//! locking it.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{ApiTags, NoContent, Switch, Thread, uuid_of};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct DiscussionThreadsApi;

#[derive(Object)]
#[oai(rename = "NewDiscussionReply")]
struct NewReply {
    /// Markdown; `@name` mentions people who can read the space.
    #[oai(validator(max_length = 20000))]
    body: String,
    /// The post it answers; a reply to a reply joins its parent's replies.
    parent_id: Option<Uuid>,
}

#[derive(Object)]
#[oai(rename = "DiscussionAnswer")]
struct Answer {
    /// The reply that answers the question; none to unmark.
    post_id: Option<Uuid>,
}

#[derive(Object)]
#[oai(rename = "DiscussionLock")]
struct Lock {
    locked: bool,
}

#[derive(ApiResponse)]
enum Replied {
    /// Posted; the thread as it is now.
    #[oai(status = 201)]
    Thread(Json<Thread>),
}

#[OpenApi(tag = "ApiTags::Discussions")]
impl DiscussionThreadsApi {
    /// A thread with its posts
    #[oai(
        path = "/discussions/threads/:thread",
        method = "get",
        operation_id = "get_discussion_thread"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        thread: Path<String>,
    ) -> Result<Json<Thread>, ApiError> {
        let id = uuid_of(&thread, "thread")?;
        let t = state.discussions.thread(Some(auth.principal()), id).await?;
        Ok(Json(t.into()))
    }

    /// Reply in a thread; its followers and the people mentioned are notified
    #[oai(
        path = "/discussions/threads/:thread/posts",
        method = "post",
        operation_id = "reply_in_discussion_thread"
    )]
    async fn reply(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        thread: Path<String>,
        body: Json<NewReply>,
    ) -> Result<Replied, ApiError> {
        let id = uuid_of(&thread, "thread")?;
        let t = state
            .discussions
            .reply(
                Some(auth.principal()),
                id,
                body.parent_id,
                &body.body,
                Vec::new(),
            )
            .await?;
        Ok(Replied::Thread(Json(t.into())))
    }

    /// Follow a thread (every reply notifies you), or stop
    #[oai(
        path = "/discussions/threads/:thread/following",
        method = "put",
        operation_id = "follow_discussion_thread"
    )]
    async fn follow(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        thread: Path<String>,
        body: Json<Switch>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&thread, "thread")?;
        state
            .discussions
            .follow_thread(Some(auth.principal()), id, body.on)
            .await?;
        Ok(NoContent::Done)
    }

    /// Mark a question's answer (its asker or a moderator)
    #[oai(
        path = "/discussions/threads/:thread/answer",
        method = "put",
        operation_id = "mark_discussion_answer"
    )]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        thread: Path<String>,
        body: Json<Answer>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&thread, "thread")?;
        state
            .discussions
            .mark_answer(Some(auth.principal()), id, body.post_id)
            .await?;
        Ok(NoContent::Done)
    }

    /// Lock or unlock a thread (moderators); an entry of the audit log
    #[oai(
        path = "/discussions/threads/:thread/lock",
        method = "put",
        operation_id = "lock_discussion_thread"
    )]
    async fn lock(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        thread: Path<String>,
        body: Json<Lock>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&thread, "thread")?;
        state
            .discussions
            .lock_thread(Some(auth.principal()), id, body.locked)
            .await?;
        Ok(NoContent::Done)
    }
}
