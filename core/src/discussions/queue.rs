//! The moderators' queue: the open reports and the posts awaiting
//! approval in the spaces the caller moderates (every space for admins,
//! never another's), one item per post with its reasons counted; and a
//! space's moderation log.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Discussions, approvals::PENDING, moderation::refused, rendering::render};
use crate::{
    Result,
    accounts::{Principal, Role, require_signed_in},
    entities::{
        audit_event, cohort_facilitator, course_author, discussion_approval, discussion_audit,
        discussion_moderator, discussion_post, discussion_report, discussion_space,
        discussion_thread,
    },
};

/// The most reports and waiting posts one queue reads.
pub const QUEUE_LIMIT: u64 = 500;
/// The most entries one moderation log shows.
pub const LOG_LIMIT: u64 = 200;

/// One report's words, for the moderators.
#[derive(Clone, Debug)]
pub struct ReportNote {
    pub reporter_name: String,
    pub reason: String,
    pub note: Option<String>,
    pub at: OffsetDateTime,
}

/// One post that needs a moderator.
#[derive(Clone, Debug)]
pub struct QueueItem {
    pub post_id: Uuid,
    pub thread_id: Uuid,
    pub thread_title: String,
    pub thread_locked: bool,
    pub space: String,
    pub opening: bool,
    pub author_id: Option<Uuid>,
    pub author_name: String,
    pub body: String,
    pub body_html: String,
    pub hidden: bool,
    pub awaiting_approval: bool,
    /// Each reason with how many open reports give it, most first.
    pub reasons: Vec<(String, u64)>,
    pub report_count: u64,
    pub reports: Vec<ReportNote>,
    /// The oldest open report, or when the post began to wait.
    pub since: OffsetDateTime,
}

/// One entry of a space's moderation log.
#[derive(Clone, Debug)]
pub struct LogEntry {
    pub at: OffsetDateTime,
    pub actor_name: String,
    /// `discussion.hide`, `discussion.move`, …
    pub action: String,
    pub detail: serde_json::Value,
}

impl Discussions {
    /// The ids of the spaces the caller moderates; `None` for all (admins).
    async fn moderated(&self, who: &Principal) -> Result<Option<Vec<Uuid>>> {
        if who.role == Role::Admin {
            return Ok(None);
        }
        let mut ids: Vec<Uuid> = discussion_moderator::Entity::find()
            .filter(discussion_moderator::Column::UserId.eq(who.user_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| m.space_id)
            .collect();
        let courses: Vec<Uuid> = course_author::Entity::find()
            .filter(course_author::Column::UserId.eq(who.user_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| a.course_id)
            .collect();
        let cohorts: Vec<Uuid> = cohort_facilitator::Entity::find()
            .filter(cohort_facilitator::Column::UserId.eq(who.user_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| f.cohort_id)
            .collect();
        ids.extend(
            discussion_space::Entity::find()
                .filter(
                    Condition::any()
                        .add(discussion_space::Column::CourseId.is_in(courses))
                        .add(discussion_space::Column::CohortId.is_in(cohorts)),
                )
                .all(&self.db)
                .await?
                .into_iter()
                .map(|s| s.id),
        );
        Ok(Some(ids))
    }

    /// The spaces the caller moderates, as `(slug, title)`, by slug.
    pub async fn spaces_moderated(
        &self,
        who: Option<&Principal>,
        locale: crate::domain::Locale,
    ) -> Result<Vec<(String, String)>> {
        let who = require_signed_in(who)?;
        let mut q = discussion_space::Entity::find().order_by_asc(discussion_space::Column::Slug);
        if let Some(ids) = self.moderated(who).await? {
            q = q.filter(discussion_space::Column::Id.is_in(ids));
        }
        let mut out = Vec::new();
        for s in q.limit(QUEUE_LIMIT).all(&self.db).await? {
            let (title, _, _) = super::spaces::space_title(&self.db, &s, locale).await?;
            out.push((s.slug, title));
        }
        Ok(out)
    }

    /// The queue, of every space the caller moderates or of one (`space`).
    pub async fn queue(
        &self,
        who: Option<&Principal>,
        space: Option<&str>,
    ) -> Result<Vec<QueueItem>> {
        let who = require_signed_in(who)?;
        // One space: who cannot read it learns nothing of it.
        let spaces = match space {
            Some(slug) => {
                let s = self.space(slug).await?;
                if !self.reader(Some(who), &s).await?.moderate {
                    return Err(refused());
                }
                Some(vec![s.id])
            }
            None => self.moderated(who).await?,
        };
        if spaces.as_ref().is_some_and(Vec::is_empty) {
            return Err(refused());
        }
        let mut reports =
            discussion_report::Entity::find().filter(discussion_report::Column::Status.eq("open"));
        let mut waiting = discussion_approval::Entity::find()
            .filter(discussion_approval::Column::Status.eq(PENDING));
        if let Some(ids) = &spaces {
            reports = reports.filter(discussion_report::Column::SpaceId.is_in(ids.clone()));
            waiting = waiting.filter(discussion_approval::Column::SpaceId.is_in(ids.clone()));
        }
        let reports = reports
            .order_by_asc(discussion_report::Column::CreatedAt)
            .limit(QUEUE_LIMIT)
            .all(&self.db)
            .await?;
        let waiting = waiting
            .order_by_asc(discussion_approval::Column::CreatedAt)
            .limit(QUEUE_LIMIT)
            .all(&self.db)
            .await?;
        let mut post_ids: BTreeSet<Uuid> = reports.iter().map(|r| r.post_id).collect();
        post_ids.extend(waiting.iter().map(|w| w.post_id));
        let posts: BTreeMap<Uuid, discussion_post::Model> = discussion_post::Entity::find()
            .filter(discussion_post::Column::Id.is_in(post_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let threads: BTreeMap<Uuid, discussion_thread::Model> = discussion_thread::Entity::find()
            .filter(
                discussion_thread::Column::Id
                    .is_in(posts.values().map(|p| p.thread_id).collect::<BTreeSet<_>>()),
            )
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let slugs: BTreeMap<Uuid, String> = discussion_space::Entity::find()
            .filter(
                discussion_space::Column::Id.is_in(
                    threads
                        .values()
                        .map(|t| t.space_id)
                        .collect::<BTreeSet<_>>(),
                ),
            )
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.slug))
            .collect();
        let mut people: BTreeSet<Uuid> = posts.values().filter_map(|p| p.author_id).collect();
        people.extend(reports.iter().map(|r| r.reporter_id));
        let users = self.users(people).await?;
        let name = |id: Option<Uuid>| {
            id.and_then(|u| users.get(&u))
                .map(|u| u.display_name.clone())
                .unwrap_or_default()
        };
        // Moderators see a post's images with its words.
        let images = self.images_by_post(posts.keys().copied().collect()).await?;
        let mut items: Vec<QueueItem> = Vec::new();
        let mut item_of = |post: Uuid, since: OffsetDateTime| -> Option<usize> {
            if let Some(i) = items.iter().position(|i| i.post_id == post) {
                return Some(i);
            }
            let p = posts.get(&post)?;
            let t = threads.get(&p.thread_id)?;
            items.push(QueueItem {
                post_id: p.id,
                thread_id: t.id,
                thread_title: t.title.clone(),
                thread_locked: t.locked,
                space: slugs.get(&t.space_id).cloned().unwrap_or_default(),
                opening: p.opening,
                author_id: p.author_id,
                author_name: name(p.author_id),
                body: p.body.clone(),
                // Moderators never follow a reported link.
                body_html: render(
                    &p.body,
                    None,
                    true,
                    images.get(&p.id).map(Vec::as_slice).unwrap_or_default(),
                ),
                hidden: p.hidden,
                awaiting_approval: false,
                reasons: Vec::new(),
                report_count: 0,
                reports: Vec::new(),
                since,
            });
            Some(items.len() - 1)
        };
        let mut at: Vec<(usize, Option<ReportNote>)> = Vec::new();
        for w in &waiting {
            if let Some(i) = item_of(w.post_id, w.created_at) {
                at.push((i, None));
            }
        }
        for r in &reports {
            if let Some(i) = item_of(r.post_id, r.created_at) {
                at.push((
                    i,
                    Some(ReportNote {
                        reporter_name: name(Some(r.reporter_id)),
                        reason: r.reason.clone(),
                        note: r.note.clone(),
                        at: r.created_at,
                    }),
                ));
            }
        }
        for (i, note) in at {
            let item = &mut items[i];
            match note {
                None => item.awaiting_approval = true,
                Some(n) => {
                    item.report_count += 1;
                    match item.reasons.iter_mut().find(|(r, _)| *r == n.reason) {
                        Some((_, c)) => *c += 1,
                        None => item.reasons.push((n.reason.clone(), 1)),
                    }
                    item.since = item.since.min(n.at);
                    item.reports.push(n);
                }
            }
        }
        for i in &mut items {
            i.reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        items.sort_by_key(|i| i.since);
        Ok(items)
    }

    /// A space's moderation log, newest first (its moderators).
    pub async fn moderation_log(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<LogEntry>> {
        let who = require_signed_in(who)?;
        let s = self.space(slug).await?;
        if !self.reader(Some(who), &s).await?.moderate {
            return Err(refused());
        }
        let ids: Vec<Uuid> = discussion_audit::Entity::find()
            .filter(discussion_audit::Column::SpaceId.eq(s.id))
            .order_by_desc(discussion_audit::Column::At)
            .limit(LOG_LIMIT)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| a.event_id)
            .collect();
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::Id.is_in(ids))
            .order_by_desc(audit_event::Column::At)
            .order_by_desc(audit_event::Column::Id)
            .all(&self.db)
            .await?;
        let users = self
            .users(events.iter().filter_map(|e| e.actor_id).collect())
            .await?;
        Ok(events
            .into_iter()
            .map(|e| LogEntry {
                at: e.at,
                actor_name: e
                    .actor_id
                    .and_then(|a| users.get(&a))
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
                action: e.action,
                detail: e.detail,
            })
            .collect())
    }
}
