//! The moderators' queue (`/moderation`): the open reports and the posts
//! awaiting approval in the spaces the reader moderates, each with its
//! post, author, reasons counted and notes, and the forms to dismiss,
//! hide or restore, approve or reject, lock, and suspend its author.

use agora_core::discussions::{QueueItem, REPORT_REASONS};
use poem::{Body, Response, handler, http::StatusCode, web::Query};
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};
use uuid::Uuid;

use super::{checked, thread_href, when};
use crate::{
    http::i18n::t_args,
    web::{Ctx, FieldErrors, Flash, FormData, cohorts::reader_zone},
};

/// One option of a `<select>`.
#[derive(Serialize, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The reasons one may report a post for, in the reader's language.
pub fn report_reasons(ctx: &Ctx) -> Vec<Choice> {
    REPORT_REASONS
        .iter()
        .map(|r| Choice {
            value: (*r).to_owned(),
            label: ctx.t(&format!("discussion-reason-{r}")),
        })
        .collect()
}

#[derive(Deserialize)]
pub struct QueueQuery {
    space: Option<String>,
}

#[derive(Serialize)]
struct Note {
    who: String,
    reason: String,
    note: Option<String>,
}

#[derive(Serialize)]
struct Item {
    post: Uuid,
    thread: Uuid,
    space: String,
    thread_title: String,
    thread_href: String,
    thread_locked: bool,
    author: String,
    author_id: Option<Uuid>,
    html: String,
    hidden: bool,
    awaiting_approval: bool,
    summary: String,
    reasons: Vec<String>,
    notes: Vec<Note>,
    since: String,
    errors: FieldErrors,
    reason_draft: String,
    until_draft: String,
}

#[derive(Serialize)]
struct QueuePage {
    items: Vec<Item>,
    space: Option<String>,
    /// Admins may suspend someone everywhere.
    admin: bool,
}

/// A refused suspension: its post's item, what was typed, the messages.
#[derive(Default)]
struct Refused {
    post: Option<Uuid>,
    reason: String,
    until: String,
    errors: FieldErrors,
}

fn item(
    ctx: &Ctx,
    zone: &super::super::cohorts::ReaderZone,
    i: QueueItem,
    refused: &Refused,
) -> Item {
    let mine = refused.post == Some(i.post_id);
    Item {
        post: i.post_id,
        thread: i.thread_id,
        thread_href: format!("{}#post-{}", thread_href(&i.space, i.thread_id), i.post_id),
        space: i.space,
        thread_title: i.thread_title,
        thread_locked: i.thread_locked,
        author: if i.author_name.is_empty() {
            ctx.t("discussion-former-member")
        } else {
            i.author_name
        },
        author_id: i.author_id,
        html: i.body_html,
        hidden: i.hidden,
        awaiting_approval: i.awaiting_approval,
        summary: t_args(
            ctx.locale,
            "discussion-queue-reports",
            &[("count", i.report_count.into())],
        ),
        reasons: i
            .reasons
            .iter()
            .map(|(r, n)| format!("{} ({n})", ctx.t(&format!("discussion-reason-{r}"))))
            .collect(),
        notes: i
            .reports
            .into_iter()
            .map(|n| Note {
                who: n.reporter_name,
                reason: ctx.t(&format!("discussion-reason-{}", n.reason)),
                note: n.note,
            })
            .collect(),
        since: when(zone, i.since),
        errors: if mine {
            FieldErrors(refused.errors.0.clone())
        } else {
            FieldErrors::default()
        },
        reason_draft: if mine {
            refused.reason.clone()
        } else {
            String::new()
        },
        until_draft: if mine {
            refused.until.clone()
        } else {
            String::new()
        },
    }
}

async fn queue_page(
    ctx: &Ctx,
    space: Option<&str>,
    status: StatusCode,
    refused: Refused,
) -> Response {
    let list = match ctx.state.discussions.queue(ctx.user.as_ref(), space).await {
        Ok(l) => l,
        Err(e) => return ctx.fail(e),
    };
    let zone = reader_zone(ctx).await;
    let data = QueuePage {
        items: list
            .into_iter()
            .map(|i| item(ctx, &zone, i, &refused))
            .collect(),
        space: space.map(str::to_owned),
        admin: ctx
            .user
            .as_ref()
            .is_some_and(|u| u.role == agora_core::accounts::Role::Admin),
    };
    ctx.page(
        status,
        "discussion_queue",
        &ctx.t("discussion-queue-title"),
        &data,
    )
}

/// GET `/moderation`, optionally `?space=`.
#[handler]
pub async fn show(ctx: Ctx, Query(q): Query<QueueQuery>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    queue_page(&ctx, q.space.as_deref(), StatusCode::OK, Refused::default()).await
}

fn back(form: &FormData) -> String {
    match form.get("space").filter(|s| !s.is_empty()) {
        Some(s) => {
            let s: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
            format!("/moderation?space={s}")
        }
        None => "/moderation".into(),
    }
}

/// POST `/moderation/actions`: `action` (`dismiss`, `hide`, `restore`,
/// `approve`, `reject`, `lock`, `unlock`) on `post` or `thread`.
#[handler]
pub async fn act(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let id = |k: &str| form.get(k).and_then(|v| v.parse::<Uuid>().ok());
    let d = &ctx.state.discussions;
    let who = ctx.user.as_ref();
    let (result, flash) = match (
        form.get("action").unwrap_or_default(),
        id("post"),
        id("thread"),
    ) {
        ("dismiss", Some(p), _) => (
            d.dismiss_reports(who, p).await.map(drop),
            "flash-moderation-dismissed",
        ),
        ("hide", Some(p), _) => (d.hide_post(who, p, true).await, "flash-moderation-hidden"),
        ("restore", Some(p), _) => (
            d.hide_post(who, p, false).await,
            "flash-moderation-restored",
        ),
        ("approve", Some(p), _) => (
            d.decide_post(who, p, true).await,
            "flash-moderation-approved",
        ),
        ("reject", Some(p), _) => (
            d.decide_post(who, p, false).await,
            "flash-moderation-rejected",
        ),
        ("lock", _, Some(t)) => (d.lock_thread(who, t, true).await, "flash-moderation-locked"),
        ("unlock", _, Some(t)) => (
            d.lock_thread(who, t, false).await,
            "flash-moderation-unlocked",
        ),
        _ => return ctx.error(StatusCode::BAD_REQUEST),
    };
    match result {
        Ok(()) => ctx.redirect(&back(&form), Some(Flash::Ok(flash))),
        Err(e) => ctx.fail(e),
    }
}

/// `YYYY-MM-DD`: suspended through that day (until the next midnight, UTC).
fn end_of(day: &str) -> Option<OffsetDateTime> {
    let mut parts = day.trim().splitn(3, '-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next()?.parse().ok()?;
    let d: u8 = parts.next()?.parse().ok()?;
    let date = Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()?;
    Some(date.next_day()?.midnight().assume_utc())
}

/// POST `/moderation/suspensions`: `user`, `space` (or `everywhere`),
/// `until` (a date), `reason`; refused with the message next to the field.
#[handler]
pub async fn suspend(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let (Some(user), Some(post)) = (
        form.get("user").and_then(|v| v.parse::<Uuid>().ok()),
        form.get("post").and_then(|v| v.parse::<Uuid>().ok()),
    ) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let space = form.get("thread_space").unwrap_or_default();
    let everywhere = form.get("everywhere").is_some();
    let reason = form.get("reason").unwrap_or_default();
    let until_text = form.get("until").unwrap_or_default();
    let mut refused = Refused {
        post: Some(post),
        reason: reason.to_owned(),
        until: until_text.to_owned(),
        errors: FieldErrors::default(),
    };
    // A date that does not parse is a past one: the core checks who may
    // suspend before it checks the date.
    let until = end_of(until_text).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let scope = (!everywhere).then_some(space);
    let result = ctx
        .state
        .discussions
        .suspend(ctx.user.as_ref(), scope, user, until, reason)
        .await;
    match result {
        Ok(_) => ctx.redirect(&back(&form), Some(Flash::Ok("flash-moderation-suspended"))),
        Err(agora_core::Error::Invalid { field, .. }) => {
            let field = if field == "reason" { "reason" } else { "until" };
            refused
                .errors
                .add(field, ctx.t(&format!("discussion-suspend-error-{field}")));
            let space = form.get("space").filter(|s| !s.is_empty());
            queue_page(&ctx, space, StatusCode::UNPROCESSABLE_ENTITY, refused).await
        }
        Err(e) => ctx.fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suspension_lasts_through_its_last_day() {
        let t = end_of("2030-02-28").unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day(), t.hour(), t.offset().is_utc()),
            (2030, Month::March, 1, 0, true)
        );
        for bad in ["", "2030-02-30", "2030-13-01", "tomorrow", "2030-1"] {
            assert!(end_of(bad).is_none(), "{bad}");
        }
    }
}
