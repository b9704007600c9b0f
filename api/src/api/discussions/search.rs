//! Discussion search: the posts of the spaces you can read (or of one of
//! them) matching some words, through the search port.

use agora_core::discussions::{SearchHitView, SearchResultsView};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use super::ApiTags;
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct DiscussionSearchApi;

/// A post found.
#[derive(Object)]
#[oai(rename = "DiscussionSearchHit")]
struct Hit {
    post_id: Uuid,
    thread_id: Uuid,
    thread_title: String,
    /// The thread's title, HTML-escaped, with matching words in `<mark>`.
    title_html: String,
    /// The space's slug.
    space: String,
    space_title: String,
    /// The post's words around the match, HTML-escaped, matches in `<mark>`.
    snippet_html: String,
    /// The thread's opening post (else a reply).
    opening: bool,
    /// The thread's page, at the post.
    href: String,
}

impl From<SearchHitView> for Hit {
    fn from(h: SearchHitView) -> Self {
        Hit {
            href: agora_core::links::discussion_thread(&h.space, h.thread_id, Some(h.post_id)),
            post_id: h.post_id,
            thread_id: h.thread_id,
            thread_title: h.thread_title,
            title_html: h.title_html,
            space: h.space,
            space_title: h.space_title,
            snippet_html: h.snippet_html,
            opening: h.opening,
        }
    }
}

/// A page of posts found, best first.
#[derive(Object)]
#[oai(rename = "DiscussionSearchResults")]
#[oai(skip_serializing_if_is_none)]
struct Results {
    query: String,
    space: Option<String>,
    page: u64,
    /// Matches in all (counted up to 1,000).
    total: u64,
    has_more: bool,
    hits: Vec<Hit>,
}

impl From<SearchResultsView> for Results {
    fn from(r: SearchResultsView) -> Self {
        Results {
            query: r.query,
            space: r.space,
            page: r.page,
            total: r.total,
            has_more: r.has_more,
            hits: r.hits.into_iter().map(Hit::from).collect(),
        }
    }
}

#[OpenApi(tag = "ApiTags::Discussions")]
impl DiscussionSearchApi {
    /// Search the discussions you can read
    ///
    /// Private cohort spaces are searched only by their people; hidden and
    /// deleted posts are never found.
    #[oai(
        path = "/discussions/search",
        method = "get",
        operation_id = "search_discussions"
    )]
    async fn search(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// The words to find.
        #[oai(validator(min_length = 1, max_length = 512))]
        q: Query<String>,
        /// Only this space (its slug).
        #[oai(validator(max_length = 120))]
        space: Query<Option<String>>,
        /// From 1 (20 results a page, at most 50 pages).
        #[oai(validator(minimum(value = "1"), maximum(value = "50")))]
        page: Query<Option<u64>>,
    ) -> Result<Json<Results>, ApiError> {
        let found = state
            .discussions
            .search(
                Some(auth.principal()),
                &state.search,
                &q.0,
                space.0.as_deref(),
                page.0.unwrap_or(1),
            )
            .await?;
        Ok(Json(found.into()))
    }
}
