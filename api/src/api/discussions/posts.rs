//! One post: editing (history kept for moderators), deleting one's own,
//! "helpful", hiding and restoring (moderators).

use agora_core::discussions::RevisionView;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use time::OffsetDateTime;

use super::{ApiTags, NoContent, uuid_of};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct DiscussionPostsApi;

#[derive(Object)]
#[oai(rename = "DiscussionPostEdit")]
struct PostEdit {
    /// Markdown.
    #[oai(validator(max_length = 20000))]
    body: String,
}

#[derive(Object)]
#[oai(rename = "DiscussionHelpful")]
struct Helpful {
    /// Whether you now find it helpful.
    helpful: bool,
    helpful_count: i32,
}

#[derive(Object)]
#[oai(rename = "DiscussionPostVisibility")]
struct Visibility {
    hidden: bool,
}

#[derive(Object)]
#[oai(rename = "DiscussionPostRevision")]
struct Revision {
    /// The body before the edit (Markdown).
    body: String,
    editor_name: String,
    replaced_at: OffsetDateTime,
}

impl From<RevisionView> for Revision {
    fn from(r: RevisionView) -> Self {
        Revision {
            body: r.body,
            editor_name: r.editor_name,
            replaced_at: r.replaced_at,
        }
    }
}

#[OpenApi(tag = "ApiTags::Discussions")]
impl DiscussionPostsApi {
    /// Edit your post; the former body is kept for moderators
    #[oai(
        path = "/discussions/posts/:post",
        method = "put",
        operation_id = "edit_discussion_post"
    )]
    async fn edit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
        body: Json<PostEdit>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&post, "post")?;
        state
            .discussions
            .edit_post(Some(auth.principal()), id, &body.body)
            .await?;
        Ok(NoContent::Done)
    }

    /// Delete your post; one with replies stays in place as "deleted"
    #[oai(
        path = "/discussions/posts/:post",
        method = "delete",
        operation_id = "delete_discussion_post"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&post, "post")?;
        state
            .discussions
            .delete_post(Some(auth.principal()), id)
            .await?;
        Ok(NoContent::Done)
    }

    /// Find a post helpful, or no longer (one per person, not your own)
    #[oai(
        path = "/discussions/posts/:post/helpful",
        method = "post",
        operation_id = "toggle_discussion_helpful"
    )]
    async fn helpful(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
    ) -> Result<Json<Helpful>, ApiError> {
        let id = uuid_of(&post, "post")?;
        let (helpful, helpful_count) = state
            .discussions
            .toggle_helpful(Some(auth.principal()), id)
            .await?;
        Ok(Json(Helpful {
            helpful,
            helpful_count,
        }))
    }

    /// A post's former bodies, newest first (moderators)
    #[oai(
        path = "/discussions/posts/:post/history",
        method = "get",
        operation_id = "discussion_post_history"
    )]
    async fn history(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
    ) -> Result<Json<Vec<Revision>>, ApiError> {
        let id = uuid_of(&post, "post")?;
        let list = state
            .discussions
            .history(Some(auth.principal()), id)
            .await?;
        Ok(Json(list.into_iter().map(Revision::from).collect()))
    }

    /// Hide or restore a post (moderators); an entry of the audit log
    #[oai(
        path = "/discussions/posts/:post/visibility",
        method = "put",
        operation_id = "hide_discussion_post"
    )]
    async fn visibility(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
        body: Json<Visibility>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&post, "post")?;
        state
            .discussions
            .hide_post(Some(auth.principal()), id, body.hidden)
            .await?;
        Ok(NoContent::Done)
    }
}
