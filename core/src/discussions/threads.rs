//! Starting threads, and reading a space's threads sorted and paged.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Access, Discussions, PAGE_SIZE, SpaceView, ThreadView,
    access::COURSE,
    check_body, check_title,
    kept::{KeptThread, ThreadReading},
    mentions, not_found, now,
};
use crate::{
    Error, Result,
    accounts::{Principal, require_signed_in},
    entities::{discussion_post, discussion_thread, lesson},
};

/// How a space's threads are listed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Latest activity first.
    #[default]
    Latest,
    /// Threads nobody has replied to, newest first.
    Unanswered,
    /// Most "helpful" reactions first.
    Helpful,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "latest" => Some(Sort::Latest),
            "unanswered" => Some(Sort::Unanswered),
            "helpful" => Some(Sort::Helpful),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Latest => "latest",
            Sort::Unanswered => "unanswered",
            Sort::Helpful => "helpful",
        }
    }
}

/// A thread in a list.
#[derive(Clone, Debug)]
pub struct ThreadSummary {
    pub id: Uuid,
    pub title: String,
    pub lesson_key: Option<String>,
    pub question: bool,
    pub answered: bool,
    pub locked: bool,
    pub reply_count: i32,
    pub helpful_count: i32,
    pub author_name: String,
    pub last_activity_at: OffsetDateTime,
}

/// One page of a space's threads.
#[derive(Clone, Debug)]
pub struct ThreadList {
    pub space: SpaceView,
    pub sort: Sort,
    pub page: u64,
    pub total: u64,
    pub has_more: bool,
    pub threads: Vec<ThreadSummary>,
}

impl Discussions {
    /// A page (from 1) of a space's threads; only a lesson's with `lesson`.
    pub async fn threads(
        &self,
        who: Option<&Principal>,
        slug: &str,
        sort: Sort,
        page: u64,
        lesson: Option<&str>,
    ) -> Result<ThreadList> {
        let who = require_signed_in(who)?;
        if page == 0 || page > 10_000 {
            return Err(Error::BadParameter {
                field: "page".into(),
                reason: "a page number from 1".into(),
            });
        }
        let space = self.space(slug).await?;
        let access = self.reader(Some(who), &space).await?;
        let mut q = discussion_thread::Entity::find()
            .filter(discussion_thread::Column::SpaceId.eq(space.id));
        if let Some(l) = lesson {
            q = q.filter(discussion_thread::Column::LessonKey.eq(l));
        }
        if !access.moderate {
            // Threads waiting for approval show to their authors only.
            q = q.filter(
                discussion_thread::Column::Id
                    .not_in_subquery(super::approvals::hidden_threads(who.user_id)),
            );
        }
        q = match sort {
            Sort::Latest => q.order_by_desc(discussion_thread::Column::LastActivityAt),
            Sort::Unanswered => q
                .filter(discussion_thread::Column::ReplyCount.eq(0))
                .order_by_desc(discussion_thread::Column::CreatedAt),
            Sort::Helpful => q
                .order_by_desc(discussion_thread::Column::HelpfulCount)
                .order_by_desc(discussion_thread::Column::LastActivityAt),
        };
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_asc(discussion_thread::Column::Id)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
            .all(&self.db)
            .await?;
        let users = self
            .users(rows.iter().filter_map(|t| t.author_id).collect())
            .await?;
        let threads = rows
            .into_iter()
            .map(|t| ThreadSummary {
                author_name: t
                    .author_id
                    .and_then(|a| users.get(&a))
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
                id: t.id,
                title: t.title,
                lesson_key: t.lesson_key,
                question: t.question,
                answered: t.answer_post_id.is_some(),
                locked: t.locked,
                reply_count: t.reply_count,
                helpful_count: t.helpful_count,
                last_activity_at: t.last_activity_at,
            })
            .collect();
        Ok(ThreadList {
            space: self
                .space_view(&space, access, who.user_id, who.locale)
                .await?,
            sort,
            page,
            total,
            has_more: page * PAGE_SIZE < total,
            threads,
        })
    }

    /// Starts a thread: its title and opening post. The author follows it;
    /// the people it mentions and the space's followers are notified in
    /// the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn start_thread(
        &self,
        who: Option<&Principal>,
        slug: &str,
        title: &str,
        body: &str,
        question: bool,
        lesson_key: Option<&str>,
        images: Vec<super::NewImage>,
    ) -> Result<ThreadView> {
        let who = require_signed_in(who)?;
        let space = self.space(slug).await?;
        let access = self.reader(Some(who), &space).await?;
        if !access.post {
            return Err(Error::Forbidden {
                reason: "you may not post in this space",
            });
        }
        let title = check_title(title)?;
        let body = check_body(body)?;
        let images = super::images::check_all(images, 0)?;
        let lesson_key = match lesson_key.map(str::trim).filter(|k| !k.is_empty()) {
            None => None,
            Some(k) if space.kind == COURSE => {
                let exists = lesson::Entity::find()
                    .filter(lesson::Column::CourseId.eq(space.course_id.unwrap_or_default()))
                    .filter(lesson::Column::Key.eq(k))
                    .count(&self.db)
                    .await?
                    > 0;
                if !exists {
                    return Err(Error::invalid(
                        "lesson",
                        "no lesson of this course has this key",
                    ));
                }
                Some(k.to_owned())
            }
            Some(_) => {
                return Err(Error::invalid(
                    "lesson",
                    "only a course's space has threads about lessons",
                ));
            }
        };
        let mentioned = mentions::resolve(&self.db, &space, &body).await?;
        super::suspensions::ensure_may_post(&self.db, who.user_id, space.id).await?;
        self.limits.post(who.user_id).await?;
        let wait = super::approvals::must_wait(&self.db, &space, who, access).await?;
        self.store_images(&images).await?;
        let at = now();
        let txn = crate::db::begin_write(&self.db).await?;
        let t = discussion_thread::ActiveModel {
            id: Set(Uuid::new_v4()),
            space_id: Set(space.id),
            lesson_key: Set(lesson_key),
            author_id: Set(Some(who.user_id)),
            title: Set(title),
            question: Set(question),
            answer_post_id: Set(None),
            locked: Set(false),
            reply_count: Set(0),
            helpful_count: Set(0),
            last_activity_at: Set(at),
            created_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let post = discussion_post::ActiveModel {
            id: Set(Uuid::new_v4()),
            thread_id: Set(t.id),
            parent_id: Set(None),
            opening: Set(true),
            author_id: Set(Some(who.user_id)),
            body: Set(body),
            deleted: Set(false),
            hidden: Set(false),
            helpful_count: Set(0),
            created_at: Set(at),
            edited_at: Set(None),
        }
        .insert(&txn)
        .await?;
        for image in images {
            super::images::insert_image(&txn, post.id, image).await?;
        }
        super::notify::follow_in(&txn, who.user_id, t.id, "thread").await?;
        if wait {
            // Its notifications go out when a moderator approves it.
            super::approvals::hold(&txn, &post, space.id).await?;
        } else {
            super::notify::after_post(&txn, &space, &t, &post, &mentioned, true).await?;
        }
        crate::search::enqueue_thread_index(&txn, t.id).await?;
        txn.commit().await?;
        self.changed();
        let kept = self.kept(t.id).await?;
        self.thread_view(who, &kept, access).await
    }

    /// One thread with its posts.
    pub async fn thread(&self, who: Option<&Principal>, id: Uuid) -> Result<ThreadView> {
        let who = require_signed_in(who)?;
        let kept = self.kept(id).await?;
        let access = self.thread_access(who, &kept).await?;
        self.thread_view(who, &kept, access).await
    }

    /// What the reader's page of a thread needs besides what every reader
    /// sees alike (`KeptThread`): their access, suspension, follow and
    /// "helpful" marks.
    pub async fn reading(&self, who: Option<&Principal>, id: Uuid) -> Result<ThreadReading> {
        let who = require_signed_in(who)?;
        let kept = self.kept(id).await?;
        // Access, suspension and follow in one query.
        let ties = super::access::ties(&self.db, &kept.space, who.user_id, Some(id)).await?;
        let access = self.thread_access_with(who, &kept, ties.access(&kept.space, who.role))?;
        let helpful = self.helpful_marks(who.user_id, id).await?;
        Ok(ThreadReading {
            can_mark_answer: kept.thread.question
                && (access.moderate || kept.thread.author_id == Some(who.user_id)),
            kept,
            user_id: who.user_id,
            access,
            suspended: ties.suspended,
            following: ties.following,
            helpful,
        })
    }

    /// The reader's access to a kept thread's space; a thread they may not
    /// read, or one held for approval from them, is not found.
    async fn thread_access(&self, who: &Principal, kept: &KeptThread) -> Result<Access> {
        let a = super::access::access_of(&self.db, &kept.space, who.user_id, who.role).await?;
        self.thread_access_with(who, kept, a)
    }

    fn thread_access_with(&self, who: &Principal, kept: &KeptThread, a: Access) -> Result<Access> {
        // A thread of a space one cannot read names nothing.
        if !a.read || (!a.moderate && kept.thread.author_id != Some(who.user_id) && kept.held()) {
            return Err(not_found("thread"));
        }
        Ok(a)
    }

    /// The thread a post belongs to, for the pages' links.
    pub async fn thread_of_post(&self, who: Option<&Principal>, post: Uuid) -> Result<Uuid> {
        let p = discussion_post::Entity::find_by_id(post)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("post"))?;
        self.readable_thread(who, p.thread_id).await?;
        Ok(p.thread_id)
    }
}

impl Discussions {
    /// The newest threads about one lesson (at most `limit`, and whether
    /// there are more), for the lesson page: lean, and empty when the
    /// course's space was never used or the reader cannot read it.
    pub async fn lesson_threads(
        &self,
        who: Option<&Principal>,
        course: &str,
        key: &str,
        limit: u64,
    ) -> Result<(Vec<ThreadSummary>, bool)> {
        let who = require_signed_in(who)?;
        let Some(space) = crate::entities::discussion_space::Entity::find()
            .filter(crate::entities::discussion_space::Column::Slug.eq(format!("course-{course}")))
            .one(&self.db)
            .await?
        else {
            return Ok((Vec::new(), false));
        };
        if !super::access::access_of(&self.db, &space, who.user_id, who.role)
            .await?
            .read
        {
            return Ok((Vec::new(), false));
        }
        let rows = discussion_thread::Entity::find()
            .filter(discussion_thread::Column::SpaceId.eq(space.id))
            .filter(discussion_thread::Column::LessonKey.eq(key))
            .order_by_desc(discussion_thread::Column::LastActivityAt)
            .limit(limit + 1)
            .all(&self.db)
            .await?;
        Ok(summaries(rows, limit))
    }

    /// The threads about the lesson that `read` is (newest activity first,
    /// `limit` of them, and whether there are more), for the learner it
    /// was read for: `Learning::lesson` answers only an enrolled learner,
    /// and an enrolled learner reads the course's space, so no access
    /// check is needed. One query (the lesson player's, on every page)
    /// where [`Discussions::lesson_threads`] runs the space's, the access
    /// check's and the threads'.
    pub async fn lesson_threads_of(
        &self,
        read: &crate::learning::LessonView,
        course: &str,
        limit: u64,
    ) -> Result<(Vec<ThreadSummary>, bool)> {
        self.lesson_list(course, read.progress.course_id, &read.key, limit)
            .await
    }

    /// What [`Discussions::lesson_threads_of`] keeps: one query, the
    /// course's space as a subquery.
    pub(super) async fn read_lesson_threads(
        &self,
        course: &str,
        course_id: Uuid,
        key: &str,
        limit: u64,
    ) -> Result<(Vec<ThreadSummary>, bool)> {
        use crate::entities::discussion_space as space;
        use sea_orm::sea_query::Query;
        let of_course = Query::select()
            .column(space::Column::Id)
            .from(space::Entity)
            .and_where(space::Column::Slug.eq(format!("course-{course}")))
            .and_where(space::Column::Kind.eq(COURSE))
            .and_where(space::Column::CourseId.eq(course_id))
            .to_owned();
        let rows = discussion_thread::Entity::find()
            .filter(discussion_thread::Column::SpaceId.in_subquery(of_course))
            .filter(discussion_thread::Column::LessonKey.eq(key))
            .order_by_desc(discussion_thread::Column::LastActivityAt)
            .limit(limit + 1)
            .all(&self.db)
            .await?;
        Ok(summaries(rows, limit))
    }
}

/// The first `limit` of `rows` as summaries, and whether there were more.
fn summaries(mut rows: Vec<discussion_thread::Model>, limit: u64) -> (Vec<ThreadSummary>, bool) {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    (
        rows.into_iter()
            .map(|t| ThreadSummary {
                author_name: String::new(),
                id: t.id,
                title: t.title,
                lesson_key: t.lesson_key,
                question: t.question,
                answered: t.answer_post_id.is_some(),
                locked: t.locked,
                reply_count: t.reply_count,
                helpful_count: t.helpful_count,
                last_activity_at: t.last_activity_at,
            })
            .collect(),
        more,
    )
}
