//! Daily and weekly digests, built by the worker from each person's
//! notifications, and sent exactly once per person and period.
//!
//! A day is `AGORA_DIGEST_DAY_SECONDS` long (a real day unless a test or a
//! demo shortens it); daily periods start at midnight UTC and weekly ones
//! on Mondays. When a period closes (and a grace for the transactions
//! under way has passed), the worker's clock enqueues one scan for it
//! (its dedup key is the period, so any number of workers scan once); the
//! scan enqueues one digest job per person who may have one (dedup key:
//! person, cadence and period); the job sends with a delivery key of the
//! same three (so a rerun after a crash never sends again) and records the
//! digest, whose end is where the person's next one starts.
//! A digest lists what happened since the person's previous one (a first
//! one: since their mail choices last changed), at most eight periods
//! back, in spaces they can still read.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    access::access_of,
    prefs::{Choices, MailMode, direct},
    spaces::space_title,
};
use crate::{
    Result,
    accounts::Role,
    addressee::{locale_of, mailbox},
    entities::{
        discussion_digest, discussion_mail_setting, discussion_post, discussion_space,
        discussion_space_mail, discussion_thread, notification, user,
    },
    jobs::{self, Job},
    links,
    mail::{
        delivery::{self, Outgoing},
        templates::{self, DigestSpace, DigestThread, DiscussionDigest},
    },
    notifications::unsubscribe_token,
    outbound::Outbound,
};

/// How far back a digest reaches after an outage, in periods.
const CATCH_UP: i64 = 8;

/// How often a digest comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cadence {
    Daily,
    Weekly,
}

impl Cadence {
    pub const ALL: [Cadence; 2] = [Cadence::Daily, Cadence::Weekly];

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Daily => "daily",
            Cadence::Weekly => "weekly",
        }
    }

    pub fn parse(s: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.as_str() == s)
    }

    fn mode(self) -> MailMode {
        match self {
            Cadence::Daily => MailMode::Daily,
            Cadence::Weekly => MailMode::Weekly,
        }
    }

    fn len_ms(self, day_ms: i64) -> i64 {
        match self {
            Cadence::Daily => day_ms,
            Cadence::Weekly => 7 * day_ms,
        }
    }

    /// Weeks start on Mondays: the epoch was a Thursday.
    fn offset_ms(self, day_ms: i64) -> i64 {
        match self {
            Cadence::Daily => 0,
            Cadence::Weekly => 3 * day_ms,
        }
    }

    /// The period under way at `t_ms`.
    pub fn period_at(self, day_ms: i64, t_ms: i64) -> i64 {
        (t_ms + self.offset_ms(day_ms)).div_euclid(self.len_ms(day_ms))
    }

    /// A period's start and end, in milliseconds since the epoch.
    pub fn bounds(self, day_ms: i64, period: i64) -> (i64, i64) {
        let len = self.len_ms(day_ms);
        let start = period * len - self.offset_ms(day_ms);
        (start, start + len)
    }
}

/// Looks for people due a digest of a period that has closed.
#[derive(Debug, Serialize, Deserialize)]
pub struct DigestScan {
    pub cadence: String,
    pub period: i64,
}
impl Job for DigestScan {
    const KIND: &'static str = "digests.scan";
    const MAX_ATTEMPTS: i32 = 3;
    fn dedup_key(&self) -> Option<String> {
        Some(format!("digests.scan:{}:{}", self.cadence, self.period))
    }
}

/// One person's digest of one period.
#[derive(Debug, Serialize, Deserialize)]
pub struct DigestMail {
    pub user_id: Uuid,
    pub cadence: String,
    pub period: i64,
}
impl Job for DigestMail {
    const KIND: &'static str = "mail.digest";
    fn dedup_key(&self) -> Option<String> {
        Some(format!(
            "mail.digest:{}:{}:{}",
            self.cadence, self.user_id, self.period
        ))
    }
}

fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// How long after a period's end its scan waits: a post whose transaction
/// began before the end (its notifications are stamped then) but commits
/// after it still makes that period's digest. Two minutes, or a quarter of
/// a shortened day.
pub fn grace_ms(day_ms: i64) -> i64 {
    (day_ms / 4).min(120_000)
}

/// Enqueues the scans of the periods that closed last (the clock calls
/// this at every period's start, plus the grace; the dedup keys make
/// repeats harmless).
pub async fn enqueue_scans(db: &DatabaseConnection, day_ms: i64) -> Result<()> {
    let now = jobs::now_ms() - grace_ms(day_ms);
    for c in Cadence::ALL {
        let scan = DigestScan {
            cadence: c.as_str().to_owned(),
            period: c.period_at(day_ms, now) - 1,
        };
        jobs::enqueue(db, &scan).await?;
    }
    Ok(())
}

/// Enqueues a digest job for everyone who had notifications before the
/// period's end and reads some space in this cadence. Returns how many.
pub async fn scan_digests(db: &DatabaseConnection, day_ms: i64, job: DigestScan) -> Result<u64> {
    let Some(cadence) = Cadence::parse(&job.cadence) else {
        return Ok(0);
    };
    let (_, until) = cadence.bounds(day_ms, job.period);
    let from = until - CATCH_UP * cadence.len_ms(day_ms);
    let users: Vec<Uuid> = notification::Entity::find()
        .select_only()
        .column(notification::Column::UserId)
        .distinct()
        .filter(notification::Column::CreatedAt.gte(at(from)))
        .filter(notification::Column::CreatedAt.lt(at(until)))
        .into_tuple()
        .all(db)
        .await?;
    let mut enqueued = 0;
    for chunk in users.chunks(500) {
        let choices = Choices::load(db, chunk.to_vec(), None).await?;
        let txn = crate::db::begin_write(db).await?;
        for u in chunk {
            if !choices.uses(*u, cadence.mode()) {
                continue;
            }
            let mail = DigestMail {
                user_id: *u,
                cadence: cadence.as_str().to_owned(),
                period: job.period,
            };
            if jobs::enqueue(&txn, &mail).await? {
                enqueued += 1;
            }
        }
        txn.commit().await?;
    }
    Ok(enqueued)
}

/// Sends one person's digest of one period, once: nothing when nothing
/// they can still read happened in a space they hear of in this cadence.
pub async fn send_digest(o: &Outbound, day_ms: i64, job: DigestMail) -> Result<()> {
    let db = &o.db;
    let Some(cadence) = Cadence::parse(&job.cadence) else {
        return Ok(());
    };
    let key = (job.user_id, cadence.as_str().to_owned(), job.period);
    if discussion_digest::Entity::find_by_id(key)
        .one(db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let Some(u) = user::Entity::find_by_id(job.user_id).one(db).await? else {
        return Ok(());
    };
    if u.email_verified_at.is_none() {
        return Ok(());
    }
    let (_, until) = cadence.bounds(day_ms, job.period);
    let cap = at(until - CATCH_UP * cadence.len_ms(day_ms));
    let previous = discussion_digest::Entity::find()
        .filter(discussion_digest::Column::UserId.eq(u.id))
        .filter(discussion_digest::Column::Cadence.eq(cadence.as_str()))
        .filter(discussion_digest::Column::Period.lt(job.period))
        .order_by_desc(discussion_digest::Column::WindowEnd)
        .one(db)
        .await?;
    let start = match previous {
        Some(d) => d.window_end.max(cap),
        None => first_start(db, u.id).await?.max(cap),
    };
    let until = at(until);
    let (spaces, count) = if start < until {
        gather(db, &u, cadence, start, until).await?
    } else {
        (Vec::new(), 0)
    };
    if count > 0 {
        let token = unsubscribe_token(db, &u).await?;
        let unsubscribe = o.link(&links::discussion_unsubscribe(&token, None));
        let spaces = spaces
            .into_iter()
            .map(|mut s| {
                for t in &mut s.threads {
                    t.link = o.link(&t.link);
                }
                s
            })
            .collect();
        let rendered = templates::render(
            locale_of(&u),
            &DiscussionDigest {
                name: u.display_name.clone(),
                daily: cadence == Cadence::Daily,
                count,
                spaces,
                settings_link: o.link(&links::discussion_mail_settings()),
                unsubscribe_link: unsubscribe.clone(),
            },
        )?;
        delivery::deliver(
            db,
            &o.mailer,
            Outgoing {
                key: format!("digest:{}:{}:{}", cadence.as_str(), u.id, job.period),
                user_id: Some(u.id),
                to: mailbox(&u)?,
                rendered,
                unsubscribe: Some(unsubscribe),
            },
        )
        .await?;
    }
    discussion_digest::Entity::insert(discussion_digest::ActiveModel {
        user_id: Set(u.id),
        cadence: Set(cadence.as_str().to_owned()),
        period: Set(job.period),
        window_start: Set(start.min(until)),
        window_end: Set(until),
        items: Set(count as i32),
        sent_at: Set(OffsetDateTime::now_utc()),
    })
    .on_conflict(
        OnConflict::columns([
            discussion_digest::Column::UserId,
            discussion_digest::Column::Cadence,
            discussion_digest::Column::Period,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Where a person's first digest of a cadence starts: when their mail
/// choices last changed (what came before was under other choices), or
/// the catch-up limit for someone who never chose. Not the period's own
/// start: a post stamped just before a period closed, whose transaction
/// committed after that period's scan, would then be in no digest at all.
async fn first_start(db: &DatabaseConnection, user_id: Uuid) -> Result<OffsetDateTime> {
    let setting = discussion_mail_setting::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|s| s.updated_at);
    let space = discussion_space_mail::Entity::find()
        .filter(discussion_space_mail::Column::UserId.eq(user_id))
        .order_by_desc(discussion_space_mail::Column::UpdatedAt)
        .one(db)
        .await?
        .map(|s| s.updated_at);
    Ok(setting
        .into_iter()
        .chain(space)
        .max()
        .unwrap_or(OffsetDateTime::UNIX_EPOCH))
}

/// What a digest lists: per space (by title), the threads with news (links
/// relative), and how many threads that is.
async fn gather(
    db: &DatabaseConnection,
    u: &user::Model,
    cadence: Cadence,
    start: OffsetDateTime,
    until: OffsetDateTime,
) -> Result<(Vec<DigestSpace>, usize)> {
    let rows = notification::Entity::find()
        .filter(notification::Column::UserId.eq(u.id))
        .filter(notification::Column::CreatedAt.gte(start))
        .filter(notification::Column::CreatedAt.lt(until))
        .order_by_asc(notification::Column::CreatedAt)
        .all(db)
        .await?;
    let space_ids: Vec<Uuid> = rows.iter().map(|n| n.space_id).collect();
    let thread_ids: Vec<Uuid> = rows.iter().map(|n| n.thread_id).collect();
    let post_ids: Vec<Uuid> = rows.iter().filter_map(|n| n.post_id).collect();
    let spaces: BTreeMap<Uuid, discussion_space::Model> = discussion_space::Entity::find()
        .filter(discussion_space::Column::Id.is_in(space_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let threads: BTreeMap<Uuid, discussion_thread::Model> = discussion_thread::Entity::find()
        .filter(discussion_thread::Column::Id.is_in(thread_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let gone: Vec<Uuid> = discussion_post::Entity::find()
        .filter(discussion_post::Column::Id.is_in(post_ids))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| p.hidden || p.deleted)
        .map(|p| p.id)
        .collect();
    let choices = Choices::load(db, vec![u.id], Some(space_ids)).await?;
    let role = u.role.parse::<Role>().unwrap_or(Role::Learner);
    let locale = locale_of(u);
    // Space id → (title, threads in order of their first news).
    let mut out: BTreeMap<Uuid, (String, Vec<(Uuid, DigestThread)>)> = BTreeMap::new();
    let mut readable: BTreeMap<Uuid, bool> = BTreeMap::new();
    for n in rows {
        let (Some(s), Some(t)) = (spaces.get(&n.space_id), threads.get(&n.thread_id)) else {
            continue;
        };
        if n.post_id.is_some_and(|p| gone.contains(&p)) {
            continue;
        }
        if choices.effective(u.id, s.id, direct(&n.kind, u.id, t.author_id)) != cadence.mode() {
            continue;
        }
        let can = match readable.get(&s.id) {
            Some(r) => *r,
            None => {
                let r = access_of(db, s, u.id, role).await?.read;
                readable.insert(s.id, r);
                r
            }
        };
        if !can {
            continue;
        }
        if let std::collections::btree_map::Entry::Vacant(e) = out.entry(s.id) {
            let (title, _, _) = space_title(db, s, locale).await?;
            e.insert((title, Vec::new()));
        }
        let list = &mut out.get_mut(&s.id).expect("just inserted").1;
        let i = match list.iter().position(|(id, _)| *id == t.id) {
            Some(i) => i,
            None => {
                list.push((
                    t.id,
                    DigestThread {
                        title: t.title.clone(),
                        link: links::discussion_thread(&s.slug, t.id, None),
                        new: false,
                        replies: 0,
                        mentioned: false,
                        answered: false,
                    },
                ));
                list.len() - 1
            }
        };
        let entry = &mut list[i].1;
        match n.kind.as_str() {
            "thread" => entry.new = true,
            "reply" => entry.replies += 1,
            "mention" => entry.mentioned = true,
            "answer" => entry.answered = true,
            _ => {}
        }
    }
    let mut spaces: Vec<DigestSpace> = out
        .into_values()
        .map(|(title, threads)| DigestSpace {
            title,
            threads: threads.into_iter().map(|(_, t)| t).collect(),
        })
        .collect();
    spaces.sort_by(|a, b| a.title.cmp(&b.title));
    let count = spaces.iter().map(|s| s.threads.len()).sum();
    Ok((spaces, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn periods_are_utc_days_and_weeks_from_monday() {
        // 2026-12-07 is a Monday.
        let monday = 1_796_601_600_000;
        let p = Cadence::Weekly.period_at(DAY, monday);
        assert_eq!(Cadence::Weekly.bounds(DAY, p).0, monday);
        assert_eq!(Cadence::Weekly.period_at(DAY, monday - 1), p - 1);
        let d = Cadence::Daily.period_at(DAY, monday + 5);
        assert_eq!(Cadence::Daily.bounds(DAY, d), (monday, monday + DAY));
        for t in [0, 1, DAY - 1, DAY, 123_456_789_000] {
            for c in Cadence::ALL {
                let (s, e) = c.bounds(DAY, c.period_at(DAY, t));
                assert!(s <= t && t < e, "{c:?} {t}");
            }
        }
    }

    #[test]
    fn jobs_are_keyed_by_person_cadence_and_period() {
        let u = Uuid::nil();
        let a = DigestMail {
            user_id: u,
            cadence: "daily".into(),
            period: 7,
        };
        assert_eq!(a.dedup_key().unwrap(), format!("mail.digest:daily:{u}:7"));
        assert_ne!(
            DigestScan {
                cadence: "daily".into(),
                period: 7
            }
            .dedup_key(),
            DigestScan {
                cadence: "weekly".into(),
                period: 7
            }
            .dedup_key()
        );
    }
}
