//! Writing a practice and its review: draft → submitted → published, with
//! "changes requested" (and a note) and "unpublished" on the way. Every
//! reviewer's decision is an entry of the audit log, written with it.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use super::{
    CHANGES_REQUESTED, DRAFT, PUBLISHED, PracticeInput, PracticeRecord, PracticeView, Practices,
    SUBMITTED, UNPUBLISHED,
    input::{Checked, slug_from},
    not_found, now,
    views::{self, Rights, input_of, reviewer},
};
use crate::{
    Error, Result,
    accounts::{Principal, require_signed_in},
    domain::Locale,
    entities::{audit_event, organisation, organisation_member, practice},
};

/// A reviewer's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    RequestChanges,
    Publish,
    Unpublish,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "request_changes" => Some(Decision::RequestChanges),
            "publish" => Some(Decision::Publish),
            "unpublish" => Some(Decision::Unpublish),
            _ => None,
        }
    }
    fn action(self) -> &'static str {
        match self {
            Decision::RequestChanges => "practice.request_changes",
            Decision::Publish => "practice.publish",
            Decision::Unpublish => "practice.unpublish",
        }
    }
}

/// A practice in someone's list of submissions or a reviewer's queue.
#[derive(Clone, Debug)]
pub struct SubmissionItem {
    pub slug: String,
    pub title: String,
    pub city: String,
    pub status: String,
    pub organisation_name: String,
    pub updated_at: time::OffsetDateTime,
}

/// The longest review note, in characters.
pub const MAX_NOTE: usize = 2_000;

fn editable(status: &str) -> bool {
    matches!(status, DRAFT | CHANGES_REQUESTED | UNPUBLISHED)
}

async fn active_membership(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Option<organisation_member::Model>> {
    Ok(organisation_member::Entity::find_by_id(user)
        .one(db)
        .await?
        .filter(|m| m.status == "active"))
}

async fn audit(
    db: &impl ConnectionTrait,
    actor: Uuid,
    action: &str,
    p: &practice::Model,
    note: Option<&str>,
) -> Result<()> {
    audit_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        at: Set(now()),
        actor_id: Set(Some(actor)),
        course_id: Set(None),
        action: Set(action.to_owned()),
        detail: Set(serde_json::json!({ "practice": p.slug, "note": note })),
    }
    .insert(db)
    .await?;
    Ok(())
}

impl Practices {
    pub(super) async fn find(&self, slug: &str) -> Result<(practice::Model, organisation::Model)> {
        let p = practice::Entity::find()
            .filter(practice::Column::Slug.eq(slug))
            .one(&self.db)
            .await?
            .ok_or_else(not_found)?;
        let org = organisation::Entity::find_by_id(p.organisation_id)
            .one(&self.db)
            .await?
            .ok_or_else(not_found)?;
        Ok((p, org))
    }

    /// What `who` may do with `p`: everyone reads a published practice;
    /// its author, its organisation's members and reviewers read the others.
    pub(super) async fn rights(
        &self,
        who: Option<&Principal>,
        p: &practice::Model,
    ) -> Result<Rights> {
        let review = reviewer(&self.db, who).await?;
        let (member, org_admin) = match who {
            Some(w) => match active_membership(&self.db, w.user_id).await? {
                Some(m) if m.organisation_id == p.organisation_id => (true, m.role == "admin"),
                _ => (false, false),
            },
            None => (false, false),
        };
        let author = who.is_some_and(|w| Some(w.user_id) == p.author_id);
        Ok(Rights {
            read: p.status == PUBLISHED || review || member || author,
            edit: (author || org_admin) && editable(&p.status),
            review,
        })
    }

    /// A practice its reader may edit: not found when they may not read
    /// it, refused when they may read but not edit it.
    pub(super) async fn editable<'a>(
        &self,
        who: Option<&'a Principal>,
        slug: &str,
    ) -> Result<(&'a Principal, practice::Model)> {
        let who = require_signed_in(who)?;
        let (p, _) = self.find(slug).await?;
        let rights = self.rights(Some(who), &p).await?;
        if !rights.read {
            return Err(not_found());
        }
        if !rights.edit {
            return Err(refused_edit(&p));
        }
        Ok((who, p))
    }

    /// A practice for its reader; not found when they may not read it.
    pub async fn practice(
        &self,
        who: Option<&Principal>,
        slug: &str,
        preferred: &[Locale],
    ) -> Result<PracticeView> {
        let (p, org) = self.find(slug).await?;
        let rights = self.rights(who, &p).await?;
        if !rights.read {
            return Err(not_found());
        }
        Ok(views::view(&p, &org, who, rights, preferred))
    }

    /// A published practice, for anyone.
    pub async fn published(&self, slug: &str, preferred: &[Locale]) -> Result<PracticeView> {
        let (p, org) = self.find(slug).await?;
        if p.status != PUBLISHED {
            return Err(not_found());
        }
        let rights = Rights {
            read: true,
            ..Default::default()
        };
        Ok(views::view(&p, &org, None, rights, preferred))
    }

    /// A practice as its authors edit it (its authors, its organisation's
    /// members and reviewers).
    pub async fn record(&self, who: Option<&Principal>, slug: &str) -> Result<PracticeRecord> {
        let who = require_signed_in(who)?;
        let (p, org) = self.find(slug).await?;
        let rights = self.rights(Some(who), &p).await?;
        let author = Some(who.user_id) == p.author_id;
        if !(rights.edit || rights.review || author || rights.read && p.status != PUBLISHED) {
            return Err(not_found());
        }
        Ok(PracticeRecord {
            slug: p.slug.clone(),
            status: p.status.clone(),
            review_note: p.review_note.clone(),
            input: input_of(&p, &org),
            files: super::files::files_of(&p),
            can_edit: rights.edit,
            can_submit: rights.edit,
            can_review: rights.review,
        })
    }

    /// Starts a practice for the author's organisation, as a draft.
    pub async fn create(
        &self,
        who: Option<&Principal>,
        input: &PracticeInput,
    ) -> Result<PracticeRecord> {
        let who = require_signed_in(who)?;
        let Some(m) = active_membership(&self.db, who.user_id).await? else {
            return Err(Error::Forbidden {
                reason: "join an organisation to share its practices",
            });
        };
        let org = organisation::Entity::find_by_id(m.organisation_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound {
                what: "organisation",
            })?;
        if !input.organisation.trim().is_empty() && input.organisation.trim() != org.slug {
            return Err(Error::invalid(
                "organisation",
                "you may share practices of your own organisation only",
            ));
        }
        let c = input.check()?;
        let slug = match &c.slug {
            Some(s) => s.to_string(),
            None => {
                let title = &c.texts[c.default_locale.as_str()].title;
                self.free_slug(&slug_from(&c.city, title)).await?
            }
        };
        let at = now();
        let row = practice::ActiveModel {
            id: Set(Uuid::new_v4()),
            slug: Set(slug.clone()),
            organisation_id: Set(org.id),
            author_id: Set(Some(who.user_id)),
            status: Set(DRAFT.into()),
            review_note: Set(None),
            shipped: Set(false),
            created_at: Set(at),
            submitted_at: Set(None),
            published_at: Set(None),
            ..fields(&c, input.contact_opt_in.then_some(who.user_id), at)
        };
        match row.insert(&self.db).await {
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                return Err(Error::Conflict {
                    field: "slug".into(),
                    reason: "another practice has this address: choose another".into(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        self.record(Some(who), &slug).await
    }

    async fn free_slug(&self, base: &str) -> Result<String> {
        for n in 1..50 {
            let s = if n == 1 {
                base.to_owned()
            } else {
                format!("{base}-{n}")
            };
            let taken = practice::Entity::find()
                .filter(practice::Column::Slug.eq(&s))
                .one(&self.db)
                .await?
                .is_some();
            if !taken {
                return Ok(s);
            }
        }
        Ok(format!(
            "{base}-{}",
            &Uuid::new_v4().simple().to_string()[..8]
        ))
    }

    /// Saves a practice's new fields (its authors, while not published).
    pub async fn update(
        &self,
        who: Option<&Principal>,
        slug: &str,
        input: &PracticeInput,
    ) -> Result<PracticeRecord> {
        let (who, p) = self.editable(who, slug).await?;
        let c = input.check()?;
        if c.slug.as_ref().is_some_and(|s| s.as_str() != p.slug) {
            return Err(Error::invalid(
                "slug",
                "a practice keeps its address once made",
            ));
        }
        let contact = if input.contact_opt_in {
            p.contact_user_id.or(Some(who.user_id))
        } else {
            None
        };
        let mut row = p.into_active_model();
        let f = fields(&c, contact, now());
        row.city = f.city;
        row.country = f.country;
        row.m49_region = f.m49_region;
        row.m49_subregion = f.m49_subregion;
        row.population_band = f.population_band;
        row.codes = f.codes;
        row.budget_range = f.budget_range;
        row.started_year = f.started_year;
        row.duration_months = f.duration_months;
        row.default_locale = f.default_locale;
        row.texts = f.texts;
        row.sources = f.sources;
        row.contact_user_id = f.contact_user_id;
        row.updated_at = f.updated_at;
        row.update(&self.db).await?;
        self.record(Some(who), slug).await
    }

    /// Sends a practice to review.
    pub async fn submit(&self, who: Option<&Principal>, slug: &str) -> Result<PracticeRecord> {
        let (who, p) = self.editable(who, slug).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        let mut row = p.clone().into_active_model();
        row.status = Set(SUBMITTED.into());
        row.submitted_at = Set(Some(now()));
        row.updated_at = Set(now());
        row.update(&txn).await?;
        audit(&txn, who.user_id, "practice.submit", &p, None).await?;
        txn.commit().await?;
        self.record(Some(who), slug).await
    }

    /// A reviewer's decision; asking for changes needs a note.
    pub async fn review(
        &self,
        who: Option<&Principal>,
        slug: &str,
        decision: Decision,
        note: Option<&str>,
    ) -> Result<PracticeRecord> {
        let who = require_signed_in(who)?;
        let (p, _) = self.find(slug).await?;
        let rights = self.rights(Some(who), &p).await?;
        if !rights.read {
            return Err(not_found());
        }
        if !rights.review {
            return Err(Error::Forbidden {
                reason: "only reviewers of the practice library may do this",
            });
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
            return Err(Error::invalid(
                "note",
                format!("write at most {MAX_NOTE} characters"),
            ));
        }
        let (from_ok, to) = match decision {
            Decision::RequestChanges => (p.status == SUBMITTED, CHANGES_REQUESTED),
            Decision::Publish => (
                matches!(p.status.as_str(), SUBMITTED | UNPUBLISHED),
                PUBLISHED,
            ),
            Decision::Unpublish => (p.status == PUBLISHED, UNPUBLISHED),
        };
        if decision == Decision::RequestChanges && note.is_none() {
            return Err(Error::invalid(
                "note",
                "say what should change: the authors read this note",
            ));
        }
        if !from_ok {
            return Err(Error::Conflict {
                field: "decision".into(),
                reason: format!(
                    "a practice that is {} cannot be given this decision",
                    p.status
                ),
            });
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let mut row = p.clone().into_active_model();
        row.status = Set(to.into());
        row.updated_at = Set(now());
        if decision == Decision::Publish {
            row.published_at = Set(Some(now()));
        }
        row.review_note = Set(note.map(str::to_owned));
        row.update(&txn).await?;
        audit(&txn, who.user_id, decision.action(), &p, note).await?;
        txn.commit().await?;
        self.record(Some(who), slug).await
    }

    /// The practices the caller writes (their organisation's) and, for a
    /// reviewer, every practice waiting for review. Newest change first.
    pub async fn submissions(&self, who: Option<&Principal>) -> Result<Vec<SubmissionItem>> {
        let who = require_signed_in(who)?;
        let mut q = practice::Entity::find().filter(practice::Column::Shipped.eq(false));
        let own = active_membership(&self.db, who.user_id)
            .await?
            .map(|m| m.organisation_id);
        let mut any = sea_orm::Condition::any().add(practice::Column::AuthorId.eq(who.user_id));
        if let Some(o) = own {
            any = any.add(practice::Column::OrganisationId.eq(o));
        }
        if reviewer(&self.db, Some(who)).await? {
            any = any.add(practice::Column::Status.ne(DRAFT));
        }
        q = q.filter(any);
        let rows = q
            .order_by_desc(practice::Column::UpdatedAt)
            .all(&self.db)
            .await?;
        let orgs = self
            .organisations(rows.iter().map(|p| p.organisation_id).collect())
            .await?;
        Ok(rows
            .into_iter()
            .map(|p| {
                let texts = views::texts_of(&p);
                let locale = views::pick_locale(&texts, &p.default_locale, &[who.locale]);
                let org = orgs.get(&p.organisation_id);
                SubmissionItem {
                    title: texts
                        .get(locale.as_str())
                        .map(|t| t.title.clone())
                        .unwrap_or_default(),
                    organisation_name: org
                        .map(|o| crate::organisations::name_in(&o.name, &o.names, locale))
                        .unwrap_or_default(),
                    slug: p.slug,
                    city: p.city,
                    status: p.status,
                    updated_at: p.updated_at,
                }
            })
            .collect())
    }

    pub(super) async fn organisations(
        &self,
        ids: Vec<Uuid>,
    ) -> Result<std::collections::HashMap<Uuid, organisation::Model>> {
        Ok(organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect())
    }
}

fn refused_edit(p: &practice::Model) -> Error {
    if editable(&p.status) {
        Error::Forbidden {
            reason: "only the practice's author and its organisation's administrators may edit it",
        }
    } else {
        Error::Conflict {
            field: "status".into(),
            reason: format!(
                "a practice that is {} cannot be edited; a reviewer may unpublish it",
                p.status
            ),
        }
    }
}

/// The columns an input sets.
pub(super) fn fields(
    c: &Checked,
    contact: Option<Uuid>,
    at: time::OffsetDateTime,
) -> practice::ActiveModel {
    practice::ActiveModel {
        city: Set(c.city.clone()),
        country: Set(c.country.code.to_owned()),
        m49_region: Set(c.country.region().to_owned()),
        m49_subregion: Set(c.country.subregion.to_owned()),
        population_band: Set(c.population_band.as_str().to_owned()),
        codes: Set(serde_json::json!(
            c.codes.iter().map(ToString::to_string).collect::<Vec<_>>()
        )),
        budget_range: Set(c.budget_range.map(|b| b.as_str().to_owned())),
        started_year: Set(c.started_year),
        duration_months: Set(c.duration_months),
        default_locale: Set(c.default_locale.as_str().to_owned()),
        texts: Set(serde_json::to_value(&c.texts).unwrap_or_default()),
        sources: Set(serde_json::to_value(&c.sources).unwrap_or_default()),
        contact_user_id: Set(contact),
        updated_at: Set(at),
        ..Default::default()
    }
}
