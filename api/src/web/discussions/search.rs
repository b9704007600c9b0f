//! GET `/discussions/search?q=…[&space=…][&page=…]`: discussion search,
//! from the search box of the discussions' pages.

use poem::{Response, handler, http::StatusCode, web::Query};
use serde::{Deserialize, Serialize};

use crate::{http::i18n::t_args, web::Ctx};

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    space: Option<String>,
    page: Option<String>,
}

#[derive(Serialize)]
struct Hit {
    href: String,
    title_html: String,
    space_title: String,
    snippet_html: String,
}

#[derive(Serialize)]
struct SearchPage {
    q: String,
    space: Option<String>,
    searched: bool,
    summary: String,
    hits: Vec<Hit>,
    previous_href: Option<String>,
    next_href: Option<String>,
}

fn href(q: &str, space: Option<&str>, page: u64) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("q", q);
    if let Some(space) = space {
        s.append_pair("space", space);
    }
    s.append_pair("page", &page.to_string());
    format!("/discussions/search?{}", s.finish())
}

/// GET `/discussions/search`
#[handler]
pub async fn search(ctx: Ctx, Query(q): Query<SearchQuery>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let text = q.q.unwrap_or_default();
    let space = q.space.filter(|s| !s.is_empty());
    let page = match q.page.as_deref().map(str::parse::<u64>) {
        None => 1,
        Some(Ok(p)) if (1..=50).contains(&p) => p,
        Some(_) => return ctx.error(StatusCode::BAD_REQUEST),
    };
    let title = ctx.t("discussion-search-title");
    let mut data = SearchPage {
        q: text.clone(),
        space: space.clone(),
        searched: false,
        summary: String::new(),
        hits: Vec::new(),
        previous_href: None,
        next_href: None,
    };
    if text.trim().is_empty() {
        return ctx.page(StatusCode::OK, "discussion_search", &title, &data);
    }
    let found = match ctx
        .state
        .discussions
        .search(
            ctx.user.as_ref(),
            &ctx.state.search,
            &text,
            space.as_deref(),
            page,
        )
        .await
    {
        Ok(f) => f,
        // Words that are no words (only punctuation) find nothing.
        Err(agora_core::Error::BadParameter { field, .. }) if field == "q" => {
            data.searched = true;
            data.summary = t_args(
                ctx.locale,
                "discussion-search-count",
                &[("count", 0.into())],
            );
            return ctx.page(StatusCode::OK, "discussion_search", &title, &data);
        }
        Err(e) => return ctx.fail(e),
    };
    data.searched = true;
    data.summary = t_args(
        ctx.locale,
        "discussion-search-count",
        &[("count", found.total.into())],
    );
    data.previous_href = (page > 1).then(|| href(&text, space.as_deref(), page - 1));
    data.next_href = found
        .has_more
        .then(|| href(&text, space.as_deref(), page + 1));
    data.hits = found
        .hits
        .into_iter()
        .map(|h| Hit {
            href: agora_core::links::discussion_thread(&h.space, h.thread_id, Some(h.post_id)),
            title_html: h.title_html,
            space_title: h.space_title,
            snippet_html: h.snippet_html,
        })
        .collect();
    ctx.page(StatusCode::OK, "discussion_search", &title, &data)
}
