//! A thread's page (`/discussions/:space/threads/:id`, a stable address):
//! the opening post, the replies with theirs, and the forms on them.

use agora_core::discussions::{PostView, ThreadView};
use poem::{Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::when;
use crate::web::{
    Ctx,
    cohorts::{ReaderZone, reader_zone},
};

#[derive(Serialize)]
struct PostItem {
    id: Uuid,
    author: String,
    when: String,
    /// Sanitised HTML.
    html: String,
    deleted: bool,
    hidden: bool,
    edited: bool,
    helpful: String,
    helpful_by_me: bool,
    can_react: bool,
    is_answer: bool,
    can_mark: bool,
    can_delete: bool,
    can_moderate: bool,
    can_reply: bool,
    /// The message next to this post's reply form.
    error: Option<String>,
    draft: String,
    /// Its author may edit it: the Markdown to edit, and a refusal.
    can_edit: bool,
    edit_draft: String,
    edit_error: Option<String>,
    replies: Vec<PostItem>,
}

#[derive(Serialize)]
struct ThreadPage {
    action: String,
    space: String,
    space_title: String,
    space_href: String,
    title: String,
    lesson_href: Option<String>,
    question: bool,
    answered: bool,
    locked: bool,
    following: bool,
    can_moderate: bool,
    can_reply: bool,
    opening: Option<PostItem>,
    replies: Vec<PostItem>,
    error: Option<String>,
    draft: String,
}

/// A refused reply or edit: which post's reply form (`None`: the
/// thread's), or which post's edit form, the message and what was written.
pub struct Refused {
    pub parent: Option<Uuid>,
    pub edit: Option<Uuid>,
    pub message: String,
    pub draft: String,
}

fn item(
    ctx: &Ctx,
    zone: &ReaderZone,
    t: &ThreadView,
    p: PostView,
    top: bool,
    refused: Option<&Refused>,
) -> PostItem {
    let can_reply = top && !p.opening && t.space.access.post && !t.locked;
    let (error, draft) = match refused {
        Some(r) if r.edit.is_none() && r.parent == Some(p.id) => {
            (Some(r.message.clone()), r.draft.clone())
        }
        _ => (None, String::new()),
    };
    let (edit_error, edit_draft) = match refused {
        Some(r) if r.edit == Some(p.id) => (Some(r.message.clone()), r.draft.clone()),
        _ => (None, p.body.clone()),
    };
    PostItem {
        id: p.id,
        author: if p.author_name.is_empty() {
            ctx.t("discussion-former-member")
        } else {
            p.author_name.clone()
        },
        when: when(zone, p.created_at),
        html: p.body_html,
        deleted: p.deleted,
        hidden: p.hidden,
        edited: p.edited,
        helpful: crate::http::i18n::t_args(
            ctx.locale,
            "discussion-helpful-count",
            &[("count", p.helpful_count.into())],
        ),
        helpful_by_me: p.helpful_by_me,
        can_react: !p.mine && !p.deleted && !p.hidden && t.space.access.post,
        is_answer: p.is_answer,
        can_mark: t.can_mark_answer && !p.opening && !p.deleted && !p.hidden,
        can_delete: p.mine && !p.deleted,
        can_moderate: t.space.access.moderate && !p.deleted,
        can_reply,
        error,
        draft,
        can_edit: p.mine && !p.deleted && !t.locked,
        edit_draft,
        edit_error,
        replies: p
            .replies
            .into_iter()
            .map(|r| item(ctx, zone, t, r, false, refused))
            .collect(),
    }
}

/// The thread's page; `refused` puts a refused reply back in its form.
pub async fn thread_page(
    ctx: &Ctx,
    space: &str,
    id: Uuid,
    status: StatusCode,
    refused: Option<Refused>,
) -> Response {
    let t = match ctx.state.discussions.thread(ctx.user.as_ref(), id).await {
        Ok(t) if t.space.slug == space => t,
        Ok(_) => return ctx.error(StatusCode::NOT_FOUND),
        Err(e) => return ctx.fail(e),
    };
    let zone = reader_zone(ctx).await;
    let mut posts = t.posts.clone();
    let opening = (!posts.is_empty() && posts[0].opening).then(|| posts.remove(0));
    let main_error = refused
        .as_ref()
        .filter(|r| r.parent.is_none() && r.edit.is_none());
    let data = ThreadPage {
        action: super::thread_href(space, t.id),
        space: space.to_owned(),
        space_title: t.space.title.clone(),
        space_href: format!("/discussions/{space}"),
        title: t.title.clone(),
        lesson_href: match (&t.lesson_key, &t.space.course) {
            (Some(k), Some(c)) => Some(format!("/courses/{c}/lessons/{k}")),
            _ => None,
        },
        question: t.question,
        answered: t.answer_post_id.is_some(),
        locked: t.locked,
        following: t.following,
        can_moderate: t.space.access.moderate,
        can_reply: t.space.access.post && !t.locked,
        opening: opening.map(|p| item(ctx, &zone, &t, p, true, refused.as_ref())),
        replies: posts
            .into_iter()
            .map(|p| item(ctx, &zone, &t, p, true, refused.as_ref()))
            .collect(),
        error: main_error.map(|r| r.message.clone()),
        draft: main_error.map(|r| r.draft.clone()).unwrap_or_default(),
    };
    ctx.page(status, "discussion_thread", &t.title, &data)
}

/// GET `/discussions/:space/threads/:id`
#[handler]
pub async fn show(ctx: Ctx, Path((space, id)): Path<(String, String)>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    thread_page(&ctx, &space, id, StatusCode::OK, None).await
}
