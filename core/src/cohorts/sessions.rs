//! Live sessions: created, rescheduled (raising the iCalendar `SEQUENCE`)
//! and cancelled by those who run the cohort, and the reminder mails 24 h
//! and 1 h before. A reminder job carries the start it was made for: after
//! a reschedule it finds the start changed and does nothing (the
//! reschedule queued its own), and it never mails once the session began.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{Cohorts, list_of, map_of, now};
use crate::{
    Error, Result,
    accounts::Principal,
    addressee::{locale_of, mailbox},
    entities::{cohort, cohort_member, cohort_session, course, lesson, user},
    jobs::{self, Job},
    links,
    mail::{
        delivery::{self, Outgoing},
        templates::{self, SessionReminderEmail},
    },
    markdown,
    media::CourseLinks,
    organisations::parse_website,
    outbound::Outbound,
};

/// Hours before the start at which members are reminded.
pub const REMINDER_HOURS: [i64; 2] = [24, 1];
const MAX_PREPARATION: usize = 20;

#[derive(Clone, Debug)]
pub struct SessionInput {
    pub title: String,
    /// Markdown.
    pub agenda: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub join_url: Option<String>,
    /// Lesson keys of the course to prepare.
    pub preparation: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct SessionView {
    pub id: Uuid,
    pub title: String,
    pub agenda: String,
    pub agenda_html: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub join_url: Option<String>,
    pub preparation: Vec<String>,
    pub sequence: i32,
    pub cancelled: bool,
    pub notes: Option<String>,
    /// The notes as sanitised HTML.
    pub notes_html: Option<String>,
    pub recording_url: Option<String>,
}

/// A reminder of one session, for one start time.
#[derive(Debug, Serialize, Deserialize)]
pub struct SessionReminder {
    pub session_id: Uuid,
    /// The start this reminder was made for, epoch ms.
    pub starts_at_ms: i64,
    pub hours: i64,
}
impl Job for SessionReminder {
    const KIND: &'static str = "mail.cohort_session_reminder";
    fn dedup_key(&self) -> Option<String> {
        Some(format!(
            "cohort_session_reminder:{}:{}:{}",
            self.session_id, self.hours, self.starts_at_ms
        ))
    }
}

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Queues the reminders of a session starting at `starts_at`: each at its
/// time, or at once for the 1 h reminder of a session less than an hour
/// away; none for a session already begun.
async fn queue_reminders(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    starts_at: OffsetDateTime,
) -> Result<()> {
    let at = now();
    for hours in REMINDER_HOURS {
        let due = starts_at - Duration::hours(hours);
        let run_at = if due >= at {
            due
        } else if hours == 1 && starts_at > at {
            at
        } else {
            continue;
        };
        jobs::enqueue_at(
            db,
            &SessionReminder {
                session_id,
                starts_at_ms: ms(starts_at),
                hours,
            },
            ms(run_at),
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn check(
    db: &impl ConnectionTrait,
    c: &cohort::Model,
    input: &SessionInput,
) -> Result<SessionInput> {
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Error::invalid(
            "title",
            "give a title of 1 to 200 characters",
        ));
    }
    if input.agenda.chars().count() > 20_000 {
        return Err(Error::invalid("agenda", "at most 20000 characters"));
    }
    if input.ends_at <= input.starts_at {
        return Err(Error::invalid("ends_at", "a session ends after it starts"));
    }
    if input.ends_at - input.starts_at > Duration::hours(12) {
        return Err(Error::invalid(
            "ends_at",
            "a session lasts at most 12 hours",
        ));
    }
    let join_url = parse_website("join_url", input.join_url.as_deref())?;
    if input.preparation.len() > MAX_PREPARATION {
        return Err(Error::invalid(
            "preparation",
            format!("at most {MAX_PREPARATION} lessons"),
        ));
    }
    let keys: Vec<String> = lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(c.course_id))
        .filter(lesson::Column::Removed.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.key)
        .collect();
    for k in &input.preparation {
        if !keys.contains(k) {
            return Err(Error::invalid(
                "preparation",
                format!("the course has no lesson `{k}`"),
            ));
        }
    }
    Ok(SessionInput {
        title: title.to_owned(),
        agenda: input.agenda.trim().to_owned(),
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        join_url,
        preparation: input.preparation.clone(),
    })
}

impl Cohorts {
    pub(super) async fn session_view(
        &self,
        c: &cohort::Model,
        s: cohort_session::Model,
    ) -> Result<SessionView> {
        let slug = course::Entity::find_by_id(c.course_id)
            .one(&self.db)
            .await?
            .map(|c| c.slug)
            .unwrap_or_default();
        Ok(SessionView {
            id: s.id,
            agenda_html: markdown::render(&s.agenda, &CourseLinks { slug: &slug }),
            title: s.title,
            agenda: s.agenda,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            join_url: s.join_url,
            preparation: list_of(&s.preparation),
            sequence: s.sequence,
            cancelled: s.cancelled,
            notes_html: s
                .notes
                .as_deref()
                .map(|n| markdown::render(n, &CourseLinks { slug: &slug })),
            notes: s.notes,
            recording_url: s.recording_url,
        })
    }

    pub(super) async fn find_session(
        &self,
        c: &cohort::Model,
        id: Uuid,
    ) -> Result<cohort_session::Model> {
        cohort_session::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .filter(|s| s.cohort_id == c.id)
            .ok_or(Error::NotFound { what: "session" })
    }

    /// A cohort's sessions, by start: to its people only.
    pub async fn sessions(&self, who: Option<&Principal>, slug: &str) -> Result<Vec<SessionView>> {
        let (c, _) = self.inside(who, slug).await?;
        let rows = sessions_of(&self.db, c.id).await?;
        let mut out = Vec::new();
        for s in rows {
            out.push(self.session_view(&c, s).await?);
        }
        Ok(out)
    }

    pub async fn create_session(
        &self,
        who: Option<&Principal>,
        slug: &str,
        input: SessionInput,
    ) -> Result<SessionView> {
        let (c, _) = self.run_by(who, slug).await?;
        let input = check(&self.db, &c, &input).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        let row = insert_session(&txn, c.id, input).await?;
        txn.commit().await?;
        self.session_view(&c, row).await
    }

    /// Changes a session; every change raises its `SEQUENCE`, and a new
    /// start queues the reminders for it.
    pub async fn update_session(
        &self,
        who: Option<&Principal>,
        slug: &str,
        id: Uuid,
        input: SessionInput,
    ) -> Result<SessionView> {
        let (c, _) = self.run_by(who, slug).await?;
        let s = self.find_session(&c, id).await?;
        if s.cancelled {
            return Err(Error::Conflict {
                field: "cancelled".into(),
                reason: "this session is cancelled".into(),
            });
        }
        let input = check(&self.db, &c, &input).await?;
        let moved = input.starts_at != s.starts_at;
        let txn = crate::db::begin_write(&self.db).await?;
        let sequence = s.sequence + 1;
        let mut am: cohort_session::ActiveModel = s.into();
        am.title = Set(input.title);
        am.agenda = Set(input.agenda);
        am.starts_at = Set(input.starts_at);
        am.ends_at = Set(input.ends_at);
        am.join_url = Set(input.join_url);
        am.preparation = Set(serde_json::json!(input.preparation));
        am.sequence = Set(sequence);
        am.updated_at = Set(now());
        let row = am.update(&txn).await?;
        if moved {
            queue_reminders(&txn, row.id, row.starts_at).await?;
        }
        txn.commit().await?;
        self.session_view(&c, row).await
    }

    /// Cancels a session: it stays in calendars as `STATUS:CANCELLED`.
    pub async fn cancel_session(
        &self,
        who: Option<&Principal>,
        slug: &str,
        id: Uuid,
    ) -> Result<SessionView> {
        let (c, _) = self.run_by(who, slug).await?;
        let s = self.find_session(&c, id).await?;
        if s.cancelled {
            return self.session_view(&c, s).await;
        }
        let sequence = s.sequence + 1;
        let mut am: cohort_session::ActiveModel = s.into();
        am.cancelled = Set(true);
        am.sequence = Set(sequence);
        am.updated_at = Set(now());
        let row = am.update(&self.db).await?;
        self.session_view(&c, row).await
    }

    /// One session, for `.ics` and the API: to the cohort's people only.
    pub(super) async fn session_inside(
        &self,
        who: Option<&Principal>,
        slug: &str,
        id: Uuid,
    ) -> Result<(cohort::Model, cohort_session::Model)> {
        let (c, _) = self.inside(who, slug).await?;
        let s = self.find_session(&c, id).await?;
        Ok((c, s))
    }
}

pub(super) async fn sessions_of(
    db: &impl ConnectionTrait,
    cohort_id: Uuid,
) -> Result<Vec<cohort_session::Model>> {
    Ok(cohort_session::Entity::find()
        .filter(cohort_session::Column::CohortId.eq(cohort_id))
        .order_by_asc(cohort_session::Column::StartsAt)
        .all(db)
        .await?)
}

/// "Thursday 10 December 2026, 15:00 (Europe/Paris)", in the member's zone.
fn when(t: OffsetDateTime, zone: Option<&str>) -> String {
    let utc = chrono::DateTime::from_timestamp(t.unix_timestamp(), 0).unwrap_or_default();
    match zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        Some(tz) => utc
            .with_timezone(&tz)
            .format(&format!("%Y-%m-%d %H:%M ({})", tz.name()))
            .to_string(),
        None => utc.format("%Y-%m-%d %H:%M (UTC)").to_string(),
    }
}

/// Sends one session's reminder to each member (the job's handler):
/// nothing for a cancelled or moved session, nothing once it has begun.
pub async fn send_reminder(o: &Outbound, job: SessionReminder) -> Result<()> {
    let Some(s) = cohort_session::Entity::find_by_id(job.session_id)
        .one(&o.db)
        .await?
    else {
        return Ok(());
    };
    if s.cancelled || ms(s.starts_at) != job.starts_at_ms {
        return Ok(());
    }
    let Some(c) = cohort::Entity::find_by_id(s.cohort_id).one(&o.db).await? else {
        return Ok(());
    };
    let titles = map_of(&c.titles);
    let members = cohort_member::Entity::find()
        .filter(cohort_member::Column::CohortId.eq(c.id))
        .all(&o.db)
        .await?;
    for m in members {
        if now() >= s.starts_at {
            return Ok(());
        }
        let Some(u) = user::Entity::find_by_id(m.user_id).one(&o.db).await? else {
            continue;
        };
        let locale = locale_of(&u);
        let cohort_title = titles
            .get(locale.as_str())
            .or_else(|| titles.values().next())
            .cloned()
            .unwrap_or_else(|| c.slug.clone());
        let rendered = templates::render(
            locale,
            &SessionReminderEmail {
                name: u.display_name.clone(),
                cohort: cohort_title,
                session: s.title.clone(),
                when: when(s.starts_at, u.time_zone.as_deref()),
                hours: job.hours,
                join_url: s.join_url.clone().unwrap_or_default(),
                link: o.link(&links::cohort(&c.slug)),
            },
        )?;
        delivery::deliver(
            &o.db,
            &o.mailer,
            Outgoing {
                key: format!(
                    "cohort_reminder:{}:{}:{}:{}",
                    s.id, u.id, job.hours, job.starts_at_ms
                ),
                user_id: Some(u.id),
                to: mailbox(&u)?,
                rendered,
                unsubscribe: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// Writes a checked session and queues its reminders, inside the caller's
/// transaction.
pub(super) async fn insert_session(
    db: &impl ConnectionTrait,
    cohort_id: Uuid,
    input: SessionInput,
) -> Result<cohort_session::Model> {
    let at = now();
    let row = cohort_session::ActiveModel {
        id: Set(Uuid::new_v4()),
        cohort_id: Set(cohort_id),
        title: Set(input.title),
        agenda: Set(input.agenda),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        join_url: Set(input.join_url),
        preparation: Set(serde_json::json!(input.preparation)),
        sequence: Set(0),
        cancelled: Set(false),
        notes: Set(None),
        recording_url: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?;
    queue_reminders(db, row.id, row.starts_at).await?;
    Ok(row)
}
