//! Announcements: those who run a cohort post a title and a Markdown body;
//! members read them on the cohort page, and each member gets one mail,
//! in their language, unless they opted out of non-essential mail (the
//! same one-click opt-out as the course reminders). The mail job is
//! queued in the posting transaction, and each member's delivery is keyed
//! by announcement and member, so a retried or restarted job sends none
//! twice.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Cohorts, map_of, now, require_signed_in};
use crate::{
    Error, Result,
    accounts::Principal,
    addressee::{locale_of, mailbox},
    entities::{cohort, cohort_announcement, cohort_member, course, user},
    jobs::{self, Job},
    links,
    mail::{
        delivery::{self, Outgoing},
        templates::{self, CohortAnnouncement},
    },
    markdown,
    media::CourseLinks,
    notifications::unsubscribe_token,
    outbound::Outbound,
};

const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 20_000;

#[derive(Clone, Debug)]
pub struct AnnouncementView {
    pub id: Uuid,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// Sanitised HTML.
    pub body_html: String,
    pub author_name: String,
    pub created_at: OffsetDateTime,
}

/// The mail of one announcement to every member.
#[derive(Debug, Serialize, Deserialize)]
pub struct AnnouncementMail {
    pub announcement_id: Uuid,
}
impl Job for AnnouncementMail {
    const KIND: &'static str = "mail.cohort_announcement";
    fn dedup_key(&self) -> Option<String> {
        Some(format!("cohort_announcement:{}", self.announcement_id))
    }
}

async fn course_slug(db: &impl sea_orm::ConnectionTrait, c: &cohort::Model) -> Result<String> {
    Ok(course::Entity::find_by_id(c.course_id)
        .one(db)
        .await?
        .map(|c| c.slug)
        .unwrap_or_default())
}

async fn author_name(db: &impl sea_orm::ConnectionTrait, id: Option<Uuid>) -> Result<String> {
    Ok(match id {
        Some(id) => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

impl Cohorts {
    async fn announcement_view(
        &self,
        slug: &str,
        a: cohort_announcement::Model,
    ) -> Result<AnnouncementView> {
        Ok(AnnouncementView {
            id: a.id,
            body_html: markdown::render(&a.body, &CourseLinks { slug }),
            author_name: author_name(&self.db, a.author_id).await?,
            title: a.title,
            body: a.body,
            created_at: a.created_at,
        })
    }

    /// Posts an announcement and queues its mail: those who run the cohort.
    pub async fn post_announcement(
        &self,
        who: Option<&Principal>,
        slug: &str,
        title: &str,
        body: &str,
    ) -> Result<AnnouncementView> {
        let (c, _) = self.run_by(who, slug).await?;
        let author = require_signed_in(who)?.user_id;
        let title = title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE {
            return Err(Error::invalid(
                "title",
                format!("give a title of 1 to {MAX_TITLE} characters"),
            ));
        }
        let body = body.trim();
        if body.is_empty() || body.chars().count() > MAX_BODY {
            return Err(Error::invalid(
                "body",
                format!("give a message of 1 to {MAX_BODY} characters"),
            ));
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let row = cohort_announcement::ActiveModel {
            id: Set(Uuid::new_v4()),
            cohort_id: Set(c.id),
            author_id: Set(Some(author)),
            title: Set(title.to_owned()),
            body: Set(body.to_owned()),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        jobs::enqueue(
            &txn,
            &AnnouncementMail {
                announcement_id: row.id,
            },
        )
        .await?;
        txn.commit().await?;
        let course = course_slug(&self.db, &c).await?;
        self.announcement_view(&course, row).await
    }

    /// The announcements, newest first: to the cohort's people only.
    pub async fn announcements(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<AnnouncementView>> {
        let (c, _) = self.inside(who, slug).await?;
        let course = course_slug(&self.db, &c).await?;
        let rows = cohort_announcement::Entity::find()
            .filter(cohort_announcement::Column::CohortId.eq(c.id))
            .order_by_desc(cohort_announcement::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for a in rows {
            out.push(self.announcement_view(&course, a).await?);
        }
        Ok(out)
    }
}

/// Mails one announcement to each member (the job's handler). A member
/// already mailed (the delivery key) or opted out is skipped.
pub async fn send_announcement(o: &Outbound, job: AnnouncementMail) -> Result<()> {
    let Some(a) = cohort_announcement::Entity::find_by_id(job.announcement_id)
        .one(&o.db)
        .await?
    else {
        return Ok(());
    };
    let Some(c) = cohort::Entity::find_by_id(a.cohort_id).one(&o.db).await? else {
        return Ok(());
    };
    let titles = map_of(&c.titles);
    let course = course_slug(&o.db, &c).await?;
    let body_html = markdown::render(&a.body, &CourseLinks { slug: &course });
    let author = author_name(&o.db, a.author_id).await?;
    let members = cohort_member::Entity::find()
        .filter(cohort_member::Column::CohortId.eq(c.id))
        .all(&o.db)
        .await?;
    for m in members {
        let Some(u) = user::Entity::find_by_id(m.user_id).one(&o.db).await? else {
            continue;
        };
        if u.reminders_opt_out {
            continue;
        }
        let locale = locale_of(&u);
        let token = unsubscribe_token(&o.db, &u).await?;
        let unsubscribe = o.link(&links::unsubscribe(&token));
        let rendered = templates::render(
            locale,
            &CohortAnnouncement {
                name: u.display_name.clone(),
                cohort: titles
                    .get(locale.as_str())
                    .or_else(|| titles.values().next())
                    .cloned()
                    .unwrap_or_else(|| c.slug.clone()),
                author: author.clone(),
                title: a.title.clone(),
                body: a.body.clone(),
                body_html: body_html.clone(),
                link: o.link(&links::cohort(&c.slug)),
                unsubscribe_link: unsubscribe.clone(),
            },
        )?;
        delivery::deliver(
            &o.db,
            &o.mailer,
            Outgoing {
                key: format!("cohort_announcement:{}:{}", a.id, u.id),
                user_id: Some(u.id),
                to: mailbox(&u)?,
                rendered,
                unsubscribe: Some(unsubscribe),
            },
        )
        .await?;
    }
    Ok(())
}
