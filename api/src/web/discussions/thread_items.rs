//! What a thread's page shows of its posts, for the page rendered whole
//! (`thread`) and the page kept per class of readers (`thread_kept`): each
//! post as the reader may act on it, and the forms a refusal fills again.

use agora_core::discussions::{PostView, ThreadView};
use serde::Serialize;
use uuid::Uuid;

use super::{ImageFields, moderation::Choice, when};
use crate::web::{Ctx, FieldErrors, cohorts::ReaderZone};

#[derive(Serialize, Default)]
pub(super) struct PostItem {
    /// Set, the post is only this marker (`thread_kept`, which splices it).
    pub(super) slot: Option<String>,
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
    reply_image: ImageFields,
    /// Its author may edit it: the Markdown to edit, and a refusal.
    can_edit: bool,
    edit_draft: String,
    edit_error: Option<String>,
    edit_image: ImageFields,
    /// Its images, for its author to place or remove.
    images: Vec<ImageItem>,
    /// A new account's post waiting for a moderator, or rejected.
    awaiting_approval: bool,
    rejected: bool,
    /// The reader may report it (not theirs, shown to everyone).
    can_report: bool,
    /// A refused report of this post: the message next to its reason.
    report_error: Option<String>,
    pub(super) replies: Vec<PostItem>,
}

impl PostItem {
    /// A post that is only `marker`, where a kept page splices it.
    pub(super) fn slot(marker: String) -> Self {
        PostItem {
            slot: Some(marker),
            ..Default::default()
        }
    }
}

/// One image of the reader's own post, on its edit form.
#[derive(Serialize)]
struct ImageItem {
    post: Uuid,
    name: String,
    url: String,
    alt: String,
    width: u32,
    height: u32,
    /// What places it in the text.
    snippet: String,
}

#[derive(Serialize)]
pub(super) struct ThreadPage {
    pub(super) action: String,
    pub(super) space: String,
    pub(super) space_title: String,
    pub(super) space_href: String,
    pub(super) title: String,
    pub(super) lesson_href: Option<String>,
    pub(super) question: bool,
    pub(super) answered: bool,
    pub(super) locked: bool,
    pub(super) following: bool,
    pub(super) can_moderate: bool,
    pub(super) can_reply: bool,
    pub(super) opening: Option<PostItem>,
    pub(super) replies: Vec<PostItem>,
    pub(super) error: Option<String>,
    pub(super) draft: String,
    pub(super) image_fields: ImageFields,
    /// Why and until when the reader may not post here.
    pub(super) suspended: Option<String>,
    /// The reasons one may report a post for.
    pub(super) report_reasons: Vec<Choice>,
    /// The spaces a moderator may move the thread to.
    pub(super) move_spaces: Vec<Choice>,
    pub(super) move_error: Option<String>,
    pub(super) moderation_href: String,
}

impl ThreadPage {
    /// The page of `t` in `space` with no post, form message or
    /// moderation choice yet: what the whole page and the kept one share.
    pub(super) fn of(t: &ThreadView, space: &str, report_reasons: Vec<Choice>) -> Self {
        ThreadPage {
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
            opening: None,
            replies: Vec::new(),
            error: None,
            draft: String::new(),
            image_fields: ImageFields::new("reply", "", &FieldErrors::default()),
            suspended: None,
            report_reasons,
            move_spaces: Vec::new(),
            move_error: None,
            moderation_href: format!("/discussions/{space}/moderation"),
        }
    }
}

/// A refused report (its post and message) or move (its message).
#[derive(Default)]
pub struct RefusedModeration {
    pub report: Option<(Uuid, String)>,
    pub moved: Option<String>,
}

/// A refused reply or edit: which post's reply form (`None`: the
/// thread's), or which post's edit form, the message and what was written.
pub struct Refused {
    pub parent: Option<Uuid>,
    pub edit: Option<Uuid>,
    /// `body`, `image` or `alt`: where the message goes.
    pub field: &'static str,
    pub message: String,
    pub draft: String,
    /// The text alternative given with a refused image.
    pub alt: String,
}

impl Refused {
    pub(super) fn errors(this: Option<&Refused>) -> FieldErrors {
        let mut e = FieldErrors::default();
        if let Some(r) = this {
            e.add(r.field, r.message.clone());
        }
        e
    }
    pub(super) fn body_error(this: Option<&Refused>) -> Option<String> {
        this.filter(|r| r.field == "body")
            .map(|r| r.message.clone())
    }
}

pub(super) fn item(
    ctx: &Ctx,
    zone: &ReaderZone,
    t: &ThreadView,
    p: PostView,
    top: bool,
    refused: Option<&Refused>,
    moderation: &RefusedModeration,
) -> PostItem {
    let can_reply = top && !p.opening && t.space.access.post && !t.locked;
    let to_reply = refused.filter(|r| r.edit.is_none() && r.parent == Some(p.id));
    let to_edit = refused.filter(|r| r.edit == Some(p.id));
    let images = if p.mine && !p.deleted {
        p.images
            .iter()
            .map(|i| ImageItem {
                post: p.id,
                name: i.name.clone(),
                url: i.url.clone(),
                alt: i.alt.clone(),
                width: i.width,
                height: i.height,
                snippet: format!("![{}](upload:{})", i.alt.replace(['[', ']'], ""), i.name),
            })
            .collect()
    } else {
        Vec::new()
    };
    PostItem {
        slot: None,
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
        error: Refused::body_error(to_reply),
        draft: to_reply.map(|r| r.draft.clone()).unwrap_or_default(),
        reply_image: ImageFields::new(
            format!("reply-{}", p.id),
            to_reply.map(|r| r.alt.as_str()).unwrap_or_default(),
            &Refused::errors(to_reply),
        ),
        can_edit: p.mine && !p.deleted && !t.locked,
        edit_draft: to_edit
            .map(|r| r.draft.clone())
            .unwrap_or_else(|| p.body.clone()),
        edit_error: Refused::body_error(to_edit),
        edit_image: ImageFields::new(
            format!("edit-{}", p.id),
            to_edit.map(|r| r.alt.as_str()).unwrap_or_default(),
            &Refused::errors(to_edit),
        ),
        images,
        awaiting_approval: p.awaiting_approval,
        rejected: p.rejected,
        can_report: !p.mine && !p.deleted && !p.hidden && !p.awaiting_approval && !p.rejected,
        report_error: moderation
            .report
            .as_ref()
            .filter(|(id, _)| *id == p.id)
            .map(|(_, m)| m.clone()),
        replies: p
            .replies
            .into_iter()
            .map(|r| item(ctx, zone, t, r, false, refused, moderation))
            .collect(),
    }
}
