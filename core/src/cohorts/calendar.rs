//! iCalendar: one `.ics` per session, and a private feed per member of a
//! cohort. Each session's `UID` is `session-<id>@<host>`, stable across
//! fetches; `DTSTART`/`DTEND` are UTC; `SEQUENCE` is the session's; a
//! cancelled session carries `STATUS:CANCELLED`. Feed tokens are shown
//! once and stored hashed; making a new one revokes the old.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Cohorts, map_of, now, sessions::sessions_of, standing_for};
use crate::{
    Error, Result,
    accounts::{Principal, Role, new_token, require_signed_in, token_hash},
    entities::{cohort, cohort_calendar_feed, cohort_session},
    links,
};

const TOKEN_PREFIX: &str = "agc_";

#[derive(Clone, Debug)]
pub struct FeedCreated {
    /// The secret, shown this once.
    pub token: String,
    /// The feed's path: `/api/v1/calendar-feeds/<token>`.
    pub path: String,
}

fn chrono_utc(t: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), 0).unwrap_or_default()
}

fn event(s: &cohort_session::Model, host: &str) -> Event {
    let mut e = Event::new();
    e.uid(&format!("session-{}@{host}", s.id))
        .summary(&s.title)
        .starts(s.starts_at)
        .ends(s.ends_at)
        .sequence(s.sequence.max(0) as u32)
        .timestamp(chrono_utc(s.updated_at))
        .last_modified(chrono_utc(s.updated_at))
        .status(if s.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    let mut description = s.agenda.clone();
    if let Some(url) = &s.join_url {
        e.url(url).location(url);
        description = format!("{url}\n\n{description}");
    }
    if !description.trim().is_empty() {
        e.description(description.trim());
    }
    e.done()
}

fn calendar(c: &cohort::Model, sessions: &[cohort_session::Model], host: &str) -> String {
    let titles = map_of(&c.titles);
    let mut cal = Calendar::new();
    cal.name(
        titles
            .values()
            .next()
            .map(String::as_str)
            .unwrap_or(&c.slug),
    );
    for s in sessions {
        cal.push(event(s, host));
    }
    cal.done().to_string()
}

impl Cohorts {
    /// One session as an `.ics` file: to the cohort's people only.
    pub async fn session_ics(
        &self,
        who: Option<&Principal>,
        slug: &str,
        id: Uuid,
    ) -> Result<String> {
        let (c, s) = self.session_inside(who, slug, id).await?;
        Ok(calendar(&c, &[s], &self.host()))
    }

    /// Makes the caller's private feed of a cohort, revoking any earlier one.
    pub async fn create_feed(&self, who: Option<&Principal>, slug: &str) -> Result<FeedCreated> {
        let (c, _) = self.inside(who, slug).await?;
        let who = require_signed_in(who)?;
        let token = new_token(TOKEN_PREFIX);
        let at = now();
        let txn = crate::db::begin_write(&self.db).await?;
        revoke_all(&txn, c.id, who.user_id, at).await?;
        cohort_calendar_feed::ActiveModel {
            id: Set(Uuid::new_v4()),
            cohort_id: Set(c.id),
            user_id: Set(who.user_id),
            token_hash: Set(token_hash(&token)),
            created_at: Set(at),
            revoked_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(FeedCreated {
            path: links::calendar_feed(&token),
            token,
        })
    }

    /// Whether the caller has a live private feed of a cohort (the page
    /// offers to stop only a feed that exists).
    pub async fn has_feed(&self, who: Option<&Principal>, slug: &str) -> Result<bool> {
        let (c, _) = self.inside(who, slug).await?;
        let who = require_signed_in(who)?;
        let live = cohort_calendar_feed::Entity::find()
            .filter(cohort_calendar_feed::Column::CohortId.eq(c.id))
            .filter(cohort_calendar_feed::Column::UserId.eq(who.user_id))
            .filter(cohort_calendar_feed::Column::RevokedAt.is_null())
            .count(&self.db)
            .await?;
        Ok(live > 0)
    }

    /// Revokes the caller's feed of a cohort; "not found" when none is live.
    pub async fn revoke_feed(&self, who: Option<&Principal>, slug: &str) -> Result<()> {
        let (c, _) = self.inside(who, slug).await?;
        let who = require_signed_in(who)?;
        if revoke_all(&self.db, c.id, who.user_id, now()).await? == 0 {
            return Err(Error::NotFound {
                what: "calendar feed",
            });
        }
        Ok(())
    }

    /// The feed a token opens: every session of its cohort, while the token
    /// is live and its holder still inside the cohort; else "not found".
    pub async fn feed(&self, token: &str) -> Result<String> {
        let gone = || Error::NotFound {
            what: "calendar feed",
        };
        let f = cohort_calendar_feed::Entity::find()
            .filter(cohort_calendar_feed::Column::TokenHash.eq(token_hash(token)))
            .one(&self.db)
            .await?
            .filter(|f| f.revoked_at.is_none())
            .ok_or_else(gone)?;
        let c = cohort::Entity::find_by_id(f.cohort_id)
            .one(&self.db)
            .await?
            .ok_or_else(gone)?;
        let holder = crate::entities::user::Entity::find_by_id(f.user_id)
            .one(&self.db)
            .await?
            .ok_or_else(gone)?;
        let role = holder.role.parse().unwrap_or(Role::Learner);
        if !standing_for(&self.db, holder.id, role, &c).await?.inside() {
            return Err(gone());
        }
        let sessions = sessions_of(&self.db, c.id).await?;
        Ok(calendar(&c, &sessions, &self.host()))
    }
}

async fn revoke_all(
    db: &impl sea_orm::ConnectionTrait,
    cohort_id: Uuid,
    user_id: Uuid,
    at: OffsetDateTime,
) -> Result<u64> {
    let res = cohort_calendar_feed::Entity::update_many()
        .col_expr(
            cohort_calendar_feed::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Some(at)),
        )
        .filter(cohort_calendar_feed::Column::CohortId.eq(cohort_id))
        .filter(cohort_calendar_feed::Column::UserId.eq(user_id))
        .filter(cohort_calendar_feed::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
