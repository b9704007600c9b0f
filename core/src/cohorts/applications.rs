//! Applying for an organisation, the facilitators' decisions, and the mail
//! each decision sends: enqueued in the decision's transaction, keyed by
//! the application and the decision, so it goes out exactly once, in the
//! applicant's language.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, Statement,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Admission, CohortStatus, Cohorts, Decision, manage::questions_of, map_of, now,
    require_signed_in,
};
use crate::{
    Error, Result,
    accounts::Principal,
    addressee::{locale_of, mailbox},
    entities::{cohort, cohort_application, cohort_member, organisation, user},
    jobs::{self, Job},
    links,
    mail::{
        delivery::{self, Outgoing},
        templates::{self, CohortDecision},
    },
    organisations::{self, name_in},
    outbound::Outbound,
};

const MAX_ANSWER: usize = 5_000;
pub(super) const MAX_MESSAGE: usize = 5_000;

#[derive(Clone, Debug)]
pub struct ApplicationView {
    pub id: Uuid,
    pub organisation_slug: String,
    pub organisation_name: String,
    pub applicant_name: String,
    /// `(question, answer)` pairs.
    pub answers: Vec<(String, String)>,
    pub state: String,
    pub message: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

/// The mail telling the applicant of a decision.
#[derive(Debug, Serialize, Deserialize)]
pub struct DecisionMail {
    pub application_id: Uuid,
    pub decision: Decision,
}
impl Job for DecisionMail {
    const KIND: &'static str = "mail.cohort_decision";
    fn dedup_key(&self) -> Option<String> {
        Some(format!(
            "cohort_decision:{}:{}",
            self.application_id,
            self.decision.as_str()
        ))
    }
}

#[derive(Serialize, Deserialize)]
struct Answer {
    question: String,
    answer: String,
}

/// Takes a row lock on the cohort for the rest of the transaction (on
/// PostgreSQL; SQLite has one writer), so capacity checks do not race.
pub(super) async fn lock_cohort(db: &impl ConnectionTrait, cohort_id: Uuid) -> Result<()> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => "SELECT id FROM cohorts WHERE id = $1 FOR UPDATE",
        _ => "SELECT id FROM cohorts WHERE id = ?",
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [cohort_id.into()],
    ))
    .await?;
    Ok(())
}

pub(super) async fn accepted_count(db: &impl ConnectionTrait, cohort_id: Uuid) -> Result<u64> {
    Ok(cohort_application::Entity::find()
        .filter(cohort_application::Column::CohortId.eq(cohort_id))
        .filter(cohort_application::Column::State.eq(Decision::Accepted.as_str()))
        .count(db)
        .await?)
}

impl Cohorts {
    pub(super) async fn application_view(
        &self,
        a: cohort_application::Model,
    ) -> Result<ApplicationView> {
        let org = organisation::Entity::find_by_id(a.organisation_id)
            .one(&self.db)
            .await?;
        let applicant = user::Entity::find_by_id(a.applicant_id)
            .one(&self.db)
            .await?;
        let answers: Vec<Answer> = serde_json::from_value(a.answers).unwrap_or_default();
        Ok(ApplicationView {
            id: a.id,
            organisation_slug: org.as_ref().map(|o| o.slug.clone()).unwrap_or_default(),
            organisation_name: org.map(|o| o.name).unwrap_or_default(),
            applicant_name: applicant.map(|u| u.display_name).unwrap_or_default(),
            answers: answers
                .into_iter()
                .map(|a| (a.question, a.answer))
                .collect(),
            state: a.state,
            message: a.message,
            decided_at: a.decided_at,
            created_at: a.created_at,
        })
    }

    /// Applies for the caller's organisation, answering the cohort's
    /// questions in order. The caller must be an active member of that
    /// organisation. An open cohort accepts at once while it has room.
    pub async fn apply(
        &self,
        who: Option<&Principal>,
        slug: &str,
        organisation_slug: &str,
        answers: Vec<String>,
    ) -> Result<ApplicationView> {
        let who = require_signed_in(who)?;
        let (c, _) = self.visible(Some(who), slug).await?;
        if c.status != CohortStatus::Open.as_str() {
            return Err(Error::Conflict {
                field: "status".into(),
                reason: "this cohort does not take applications now".into(),
            });
        }
        let admission = Admission::parse(&c.admission).unwrap_or(Admission::Application);
        if admission == Admission::Invitation {
            return Err(Error::Forbidden {
                reason: "this cohort admits organisations by invitation only",
            });
        }
        let org = organisation::Entity::find()
            .filter(organisation::Column::Slug.eq(organisation_slug.trim()))
            .one(&self.db)
            .await?;
        let membership = organisations::Organisations::new(self.db.clone())
            .membership_of(who.user_id)
            .await?;
        let org = match (org, membership) {
            (Some(o), Some(m)) if m.organisation_id == o.id && m.is_active() => o,
            _ => {
                return Err(Error::invalid(
                    "organisation",
                    "apply for the organisation you are an active member of",
                ));
            }
        };
        let questions = questions_of(&self.db, c.id).await?;
        if answers.len() != questions.len() {
            return Err(Error::invalid(
                "answers",
                format!("answer each of the {} questions, in order", questions.len()),
            ));
        }
        let mut pairs = Vec::new();
        for (i, (q, a)) in questions.into_iter().zip(answers).enumerate() {
            let a = a.trim().to_owned();
            if a.is_empty() || a.chars().count() > MAX_ANSWER {
                return Err(Error::invalid(
                    format!("answers[{i}]"),
                    format!("answer with 1 to {MAX_ANSWER} characters"),
                ));
            }
            pairs.push(Answer {
                question: q,
                answer: a,
            });
        }
        let txn = crate::db::begin_write(&self.db).await?;
        lock_cohort(&txn, c.id).await?;
        let exists = cohort_application::Entity::find()
            .filter(cohort_application::Column::CohortId.eq(c.id))
            .filter(cohort_application::Column::OrganisationId.eq(org.id))
            .one(&txn)
            .await?;
        if exists.is_some() {
            return Err(Error::Conflict {
                field: "organisation".into(),
                reason: "this organisation has already applied".into(),
            });
        }
        let at = now();
        let decision = match admission {
            Admission::Open
                if accepted_count(&txn, c.id).await? < c.capacity_organisations as u64 =>
            {
                Some(Decision::Accepted)
            }
            Admission::Open => Some(Decision::Waitlisted),
            _ => None,
        };
        let row = cohort_application::ActiveModel {
            id: Set(Uuid::new_v4()),
            cohort_id: Set(c.id),
            organisation_id: Set(org.id),
            applicant_id: Set(who.user_id),
            answers: Set(serde_json::to_value(&pairs).unwrap_or_default()),
            state: Set(decision.unwrap_or(Decision::Pending).as_str().into()),
            message: Set(None),
            decided_by: Set(None),
            decided_at: Set(decision.map(|_| at)),
            created_at: Set(at),
        }
        .insert(&txn)
        .await?;
        if let Some(decision) = decision {
            jobs::enqueue(
                &txn,
                &DecisionMail {
                    application_id: row.id,
                    decision,
                },
            )
            .await?;
        }
        txn.commit().await?;
        self.application_view(row).await
    }

    /// The application of the caller's organisation, if it applied.
    pub async fn my_application(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<ApplicationView> {
        let who = require_signed_in(who)?;
        let (c, _) = self.visible(Some(who), slug).await?;
        let gone = || Error::NotFound {
            what: "application",
        };
        let m = organisations::Organisations::new(self.db.clone())
            .membership_of(who.user_id)
            .await?
            .filter(|m| m.is_active())
            .ok_or_else(gone)?;
        let a = cohort_application::Entity::find()
            .filter(cohort_application::Column::CohortId.eq(c.id))
            .filter(cohort_application::Column::OrganisationId.eq(m.organisation_id))
            .one(&self.db)
            .await?
            .ok_or_else(gone)?;
        self.application_view(a).await
    }

    /// Every application, oldest first: those who run the cohort.
    pub async fn applications(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<ApplicationView>> {
        let (c, _) = self.run_by(who, slug).await?;
        let rows = cohort_application::Entity::find()
            .filter(cohort_application::Column::CohortId.eq(c.id))
            .order_by_asc(cohort_application::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for a in rows {
            out.push(self.application_view(a).await?);
        }
        Ok(out)
    }

    /// Accepts, wait-lists or declines an application, with a message:
    /// facilitators (and administrators). A changed decision mails the
    /// applicant once; repeating a decision only edits its message.
    pub async fn decide(
        &self,
        who: Option<&Principal>,
        slug: &str,
        application_id: Uuid,
        decision: &str,
        message: Option<&str>,
    ) -> Result<ApplicationView> {
        let (c, s) = self.inside(who, slug).await?;
        if !s.decides() {
            return Err(Error::Forbidden {
                reason: "only the cohort's facilitators decide applications",
            });
        }
        let who = require_signed_in(who)?;
        let decision = match Decision::parse(decision.trim()) {
            Some(d) if d != Decision::Pending => d,
            _ => {
                return Err(Error::invalid(
                    "decision",
                    "give accepted, waitlisted or declined",
                ));
            }
        };
        let message = message.map(str::trim).filter(|m| !m.is_empty());
        if message.is_some_and(|m| m.chars().count() > MAX_MESSAGE) {
            return Err(Error::invalid(
                "message",
                format!("at most {MAX_MESSAGE} characters"),
            ));
        }
        let txn = crate::db::begin_write(&self.db).await?;
        lock_cohort(&txn, c.id).await?;
        let a = cohort_application::Entity::find_by_id(application_id)
            .one(&txn)
            .await?
            .filter(|a| a.cohort_id == c.id)
            .ok_or(Error::NotFound {
                what: "application",
            })?;
        let before = Decision::parse(&a.state).unwrap_or(Decision::Pending);
        if decision == Decision::Accepted
            && before != Decision::Accepted
            && accepted_count(&txn, c.id).await? >= c.capacity_organisations as u64
        {
            return Err(Error::Conflict {
                field: "capacity_organisations".into(),
                reason: "the cohort is full: wait-list this organisation or raise the capacity"
                    .into(),
            });
        }
        if before == Decision::Accepted && decision != Decision::Accepted {
            let joined = cohort_member::Entity::find()
                .filter(cohort_member::Column::CohortId.eq(c.id))
                .filter(cohort_member::Column::OrganisationId.eq(a.organisation_id))
                .count(&txn)
                .await?;
            if joined > 0 {
                return Err(Error::Conflict {
                    field: "decision".into(),
                    reason: "this organisation's staff have joined already".into(),
                });
            }
        }
        let mut am: cohort_application::ActiveModel = a.into();
        am.state = Set(decision.as_str().into());
        am.message = Set(message.map(str::to_owned));
        am.decided_by = Set(Some(who.user_id));
        am.decided_at = Set(Some(now()));
        let row = am.update(&txn).await?;
        if decision != before {
            jobs::enqueue(
                &txn,
                &DecisionMail {
                    application_id: row.id,
                    decision,
                },
            )
            .await?;
        }
        txn.commit().await?;
        self.application_view(row).await
    }
}

/// Sends a decision's mail, in the applicant's language (the job's handler).
pub async fn send_decision(o: &Outbound, job: DecisionMail) -> Result<()> {
    let Some(a) = cohort_application::Entity::find_by_id(job.application_id)
        .one(&o.db)
        .await?
    else {
        return Ok(());
    };
    let (Some(c), Some(applicant), Some(org)) = (
        cohort::Entity::find_by_id(a.cohort_id).one(&o.db).await?,
        user::Entity::find_by_id(a.applicant_id).one(&o.db).await?,
        organisation::Entity::find_by_id(a.organisation_id)
            .one(&o.db)
            .await?,
    ) else {
        return Ok(());
    };
    let locale = locale_of(&applicant);
    let titles = map_of(&c.titles);
    let cohort_title = titles
        .get(locale.as_str())
        .or_else(|| titles.values().next())
        .cloned()
        .unwrap_or_else(|| c.slug.clone());
    let rendered = templates::render(
        locale,
        &CohortDecision {
            name: applicant.display_name.clone(),
            cohort: cohort_title,
            organisation: name_in(&org.name, &org.names, locale),
            accepted: job.decision == Decision::Accepted,
            waitlisted: job.decision == Decision::Waitlisted,
            declined: job.decision == Decision::Declined,
            message: a.message.clone().unwrap_or_default(),
            link: o.link(&links::cohort(&c.slug)),
        },
    )?;
    delivery::deliver(
        &o.db,
        &o.mailer,
        Outgoing {
            key: format!("cohort_decision:{}:{}", a.id, job.decision.as_str()),
            user_id: Some(applicant.id),
            to: mailbox(&applicant)?,
            rendered,
            unsubscribe: None,
        },
    )
    .await
    .map(drop)
}
