//! Moderation through the API: reporting a post (anyone who can see it),
//! and for moderators the queue, dismissing reports, approving or
//! rejecting a new account's post, moving a thread, and a space's
//! moderation log. Hiding and locking are on the post and the thread.

use agora_core::discussions::{LogEntry, QueueItem, ReportNote};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ApiTags, NoContent, Thread, uuid_of};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct DiscussionModerationApi;

#[derive(Object)]
#[oai(rename = "NewDiscussionReport")]
struct NewReport {
    /// `spam`, `harassment`, `off_topic`, `misinformation`,
    /// `personal_data` or `other`.
    #[oai(validator(max_length = 32))]
    reason: String,
    /// What the moderators should know (at most 1,000 characters).
    #[oai(validator(max_length = 1000))]
    note: Option<String>,
}

#[derive(ApiResponse)]
enum Reported {
    /// Reported: the space's moderators see it in their queue.
    #[oai(status = 201)]
    Done,
}

#[derive(Object)]
#[oai(rename = "DiscussionApproval")]
struct Approval {
    /// Approve (shown to everyone, its notifications sent) or reject.
    approved: bool,
}

#[derive(Object)]
#[oai(rename = "DiscussionThreadMove")]
struct Move {
    /// The slug of a space you also moderate.
    #[oai(validator(max_length = 120))]
    space: String,
    /// Confirms a move that shows the thread to more people (out of a
    /// cohort's space, or from a course's space to a community space).
    #[oai(default)]
    widen: bool,
}

#[derive(Object)]
#[oai(rename = "DiscussionReasonCount")]
struct ReasonCount {
    reason: String,
    count: u64,
}

#[derive(Object)]
#[oai(rename = "DiscussionReportNote")]
#[oai(skip_serializing_if_is_none)]
struct Note {
    reporter_name: String,
    reason: String,
    note: Option<String>,
    created_at: OffsetDateTime,
}

impl From<ReportNote> for Note {
    fn from(n: ReportNote) -> Self {
        Note {
            reporter_name: n.reporter_name,
            reason: n.reason,
            note: n.note,
            created_at: n.at,
        }
    }
}

/// A post that needs a moderator: reported, or awaiting approval.
#[derive(Object)]
#[oai(rename = "DiscussionQueueItem")]
#[oai(skip_serializing_if_is_none)]
struct Item {
    post_id: Uuid,
    thread_id: Uuid,
    thread_title: String,
    thread_locked: bool,
    space: String,
    opening: bool,
    author_id: Option<Uuid>,
    author_name: String,
    /// Markdown.
    body: String,
    /// Sanitised HTML.
    body_html: String,
    hidden: bool,
    awaiting_approval: bool,
    /// Each reason with its count of open reports, most first.
    reasons: Vec<ReasonCount>,
    report_count: u64,
    reports: Vec<Note>,
    since: OffsetDateTime,
}

impl From<QueueItem> for Item {
    fn from(i: QueueItem) -> Self {
        Item {
            post_id: i.post_id,
            thread_id: i.thread_id,
            thread_title: i.thread_title,
            thread_locked: i.thread_locked,
            space: i.space,
            opening: i.opening,
            author_id: i.author_id,
            author_name: i.author_name,
            body: i.body,
            body_html: i.body_html,
            hidden: i.hidden,
            awaiting_approval: i.awaiting_approval,
            reasons: i
                .reasons
                .into_iter()
                .map(|(reason, count)| ReasonCount { reason, count })
                .collect(),
            report_count: i.report_count,
            reports: i.reports.into_iter().map(Note::from).collect(),
            since: i.since,
        }
    }
}

/// One moderation action of a space.
#[derive(Object)]
#[oai(rename = "DiscussionModerationEvent")]
struct Event {
    at: OffsetDateTime,
    actor_name: String,
    /// `discussion.hide`, `discussion.move`, `discussion.suspend`, …
    action: String,
    /// What it acted on (thread, post, person, reason).
    detail: serde_json::Value,
}

impl From<LogEntry> for Event {
    fn from(e: LogEntry) -> Self {
        Event {
            at: e.at,
            actor_name: e.actor_name,
            action: e.action,
            detail: e.detail,
        }
    }
}

#[OpenApi(tag = "ApiTags::Discussions")]
impl DiscussionModerationApi {
    /// Report a post you can see to the space's moderators (one open report each)
    #[oai(
        path = "/discussions/posts/:post/reports",
        method = "post",
        operation_id = "report_discussion_post"
    )]
    async fn report(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
        body: Json<NewReport>,
    ) -> Result<Reported, ApiError> {
        let id = uuid_of(&post, "post")?;
        state
            .discussions
            .report_post(
                Some(auth.principal()),
                id,
                &body.reason,
                body.note.as_deref(),
            )
            .await?;
        Ok(Reported::Done)
    }

    /// Dismiss a post's open reports (moderators); an entry of the log
    #[oai(
        path = "/discussions/posts/:post/dismissal",
        method = "post",
        operation_id = "dismiss_discussion_reports"
    )]
    async fn dismiss(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&post, "post")?;
        state
            .discussions
            .dismiss_reports(Some(auth.principal()), id)
            .await?;
        Ok(NoContent::Done)
    }

    /// Approve or reject a post awaiting approval (moderators); its author is notified
    #[oai(
        path = "/discussions/posts/:post/approval",
        method = "put",
        operation_id = "decide_discussion_post"
    )]
    async fn approval(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        post: Path<String>,
        body: Json<Approval>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&post, "post")?;
        state
            .discussions
            .decide_post(Some(auth.principal()), id, body.approved)
            .await?;
        Ok(NoContent::Done)
    }

    /// Move a thread to another space you moderate
    #[oai(
        path = "/discussions/threads/:thread/space",
        method = "put",
        operation_id = "move_discussion_thread"
    )]
    async fn move_thread(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        thread: Path<String>,
        body: Json<Move>,
    ) -> Result<Json<Thread>, ApiError> {
        let id = uuid_of(&thread, "thread")?;
        let t = state
            .discussions
            .move_thread(Some(auth.principal()), id, &body.space, body.widen)
            .await?;
        Ok(Json(t.into()))
    }

    /// The open reports and posts awaiting approval in the spaces you moderate
    #[oai(
        path = "/discussions/moderation/queue",
        method = "get",
        operation_id = "discussion_moderation_queue"
    )]
    async fn queue(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Only this space's.
        #[oai(validator(max_length = 120))]
        space: Query<Option<String>>,
    ) -> Result<Json<Vec<Item>>, ApiError> {
        let list = state
            .discussions
            .queue(Some(auth.principal()), space.0.as_deref())
            .await?;
        Ok(Json(list.into_iter().map(Item::from).collect()))
    }

    /// A space's moderation log, newest first (its moderators)
    #[oai(
        path = "/discussions/spaces/:space/moderation-log",
        method = "get",
        operation_id = "discussion_moderation_log"
    )]
    async fn log(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
    ) -> Result<Json<Vec<Event>>, ApiError> {
        let list = state
            .discussions
            .moderation_log(Some(auth.principal()), &space)
            .await?;
        Ok(Json(list.into_iter().map(Event::from).collect()))
    }
}
