//! Spaces: listing, reading a space's threads, creating community spaces,
//! following a space, starting a thread.

use std::collections::BTreeMap;

use agora_core::discussions::{Sort, SpaceInput, ThreadList, ThreadSummary};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ApiTags, NoContent, Space, Switch, Thread};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct DiscussionSpacesApi;

#[derive(Object)]
#[oai(rename = "NewDiscussionSpace")]
struct NewSpace {
    /// Lower-case letters, digits and dashes.
    #[oai(validator(min_length = 1, max_length = 80, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"))]
    slug: String,
    /// `{locale: title}` in en, fr or es.
    titles: BTreeMap<String, String>,
    /// `{locale: description}` in en, fr or es.
    #[oai(default)]
    descriptions: BTreeMap<String, String>,
}

#[derive(Object)]
#[oai(rename = "DiscussionThreadItem")]
#[oai(skip_serializing_if_is_none)]
struct ThreadItem {
    id: Uuid,
    title: String,
    lesson: Option<String>,
    question: bool,
    answered: bool,
    locked: bool,
    reply_count: i32,
    helpful_count: i32,
    author_name: String,
    last_activity_at: OffsetDateTime,
}

impl From<ThreadSummary> for ThreadItem {
    fn from(t: ThreadSummary) -> Self {
        ThreadItem {
            id: t.id,
            title: t.title,
            lesson: t.lesson_key,
            question: t.question,
            answered: t.answered,
            locked: t.locked,
            reply_count: t.reply_count,
            helpful_count: t.helpful_count,
            author_name: t.author_name,
            last_activity_at: t.last_activity_at,
        }
    }
}

/// One page of a space's threads.
#[derive(Object)]
#[oai(rename = "DiscussionThreadPage")]
struct ThreadPage {
    space: Space,
    /// `latest`, `unanswered` or `helpful`.
    sort: String,
    page: u64,
    total: u64,
    has_more: bool,
    threads: Vec<ThreadItem>,
}

impl From<ThreadList> for ThreadPage {
    fn from(l: ThreadList) -> Self {
        ThreadPage {
            space: l.space.into(),
            sort: l.sort.as_str().into(),
            page: l.page,
            total: l.total,
            has_more: l.has_more,
            threads: l.threads.into_iter().map(ThreadItem::from).collect(),
        }
    }
}

#[derive(Object)]
#[oai(rename = "NewDiscussionThread")]
struct NewThread {
    #[oai(validator(max_length = 200))]
    title: String,
    /// Markdown; `@name` mentions people who can read the space.
    #[oai(validator(max_length = 20000))]
    body: String,
    /// A question, whose asker marks the answer.
    #[oai(default)]
    question: bool,
    /// In a course's space, the key of the lesson it is about.
    #[oai(validator(max_length = 80))]
    lesson: Option<String>,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Space(Json<Space>),
}

#[derive(ApiResponse)]
enum Started {
    /// Started; the author follows it.
    #[oai(status = 201)]
    Thread(Json<Thread>),
}

fn sort_of(s: Option<&str>) -> Result<Sort, ApiError> {
    match s {
        None => Ok(Sort::Latest),
        Some(s) => Sort::parse(s).ok_or_else(|| {
            agora_core::Error::BadParameter {
                field: "sort".into(),
                reason: "latest, unanswered or helpful".into(),
            }
            .into()
        }),
    }
}

#[OpenApi(tag = "ApiTags::Discussions")]
impl DiscussionSpacesApi {
    /// The spaces you can read: the community's, your courses' and cohorts'
    #[oai(
        path = "/discussions/spaces",
        method = "get",
        operation_id = "list_discussion_spaces"
    )]
    async fn list(&self, state: Data<&AppState>, auth: Auth) -> Result<Json<Vec<Space>>, ApiError> {
        let p = auth.principal();
        let list = state.discussions.list_spaces(Some(p), p.locale).await?;
        Ok(Json(list.into_iter().map(Space::from).collect()))
    }

    /// Create a community space (admins)
    #[oai(
        path = "/discussions/spaces",
        method = "post",
        operation_id = "create_discussion_space"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NewSpace>,
    ) -> Result<Created, ApiError> {
        let p = auth.principal();
        let input = SpaceInput {
            slug: body.0.slug,
            titles: body.0.titles,
            descriptions: body.0.descriptions,
        };
        let s = state
            .discussions
            .save_community_space(Some(p), None, &input, p.locale)
            .await?;
        Ok(Created::Space(Json(s.into())))
    }

    /// A space's threads, by latest activity, unanswered, or most helpful, 20 a page
    #[oai(
        path = "/discussions/spaces/:space/threads",
        method = "get",
        operation_id = "list_discussion_threads"
    )]
    async fn threads(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
        /// `latest` (the default), `unanswered` or `helpful`.
        #[oai(validator(pattern = "^(latest|unanswered|helpful)$"))]
        sort: Query<Option<String>>,
        /// From 1.
        #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
        page: Query<Option<u64>>,
        /// Only the threads about this lesson (a course's space).
        lesson: Query<Option<String>>,
    ) -> Result<Json<ThreadPage>, ApiError> {
        let sort = sort_of(sort.0.as_deref())?;
        let list = state
            .discussions
            .threads(
                Some(auth.principal()),
                &space,
                sort,
                page.0.unwrap_or(1),
                lesson.0.as_deref(),
            )
            .await?;
        Ok(Json(list.into()))
    }

    /// Start a thread; the people it mentions and the space's followers are notified
    #[oai(
        path = "/discussions/spaces/:space/threads",
        method = "post",
        operation_id = "start_discussion_thread"
    )]
    async fn start(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
        body: Json<NewThread>,
    ) -> Result<Started, ApiError> {
        let t = state
            .discussions
            .start_thread(
                Some(auth.principal()),
                &space,
                &body.title,
                &body.body,
                body.question,
                body.lesson.as_deref(),
                Vec::new(),
            )
            .await?;
        Ok(Started::Thread(Json(t.into())))
    }

    /// Follow a space (every new thread notifies you), or stop
    #[oai(
        path = "/discussions/spaces/:space/following",
        method = "put",
        operation_id = "follow_discussion_space"
    )]
    async fn follow(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
        body: Json<Switch>,
    ) -> Result<NoContent, ApiError> {
        state
            .discussions
            .follow_space(Some(auth.principal()), &space, body.on)
            .await?;
        Ok(NoContent::Done)
    }
}
