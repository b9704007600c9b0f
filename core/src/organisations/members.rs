//! Belonging to an organisation: asking to join, offers by verified email
//! domain, approval, job title and department, hiding one's progress,
//! roles, removal and leaving. One row per learner: leaving deletes it, so
//! sharing stops at once and the learner's own records stay.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    MemberStatus, Membership, OrgRole, Organisations, Standing, inputs::parse_free_text, now,
    profile::OrganisationView, require_signed_in,
};
use crate::{
    Error, Result,
    accounts::Principal,
    entities::{organisation, organisation_domain, organisation_member, user},
};

/// What an organisation sees of a member who has joined (and does not hide
/// their progress), in the words the consent notice uses.
pub const SHARED_WITH_ORGANISATION: [&str; 4] =
    ["enrolments", "progress", "completions", "certificates"];

/// The caller's organisation, if any, and the organisations their verified
/// address's domain offers them.
#[derive(Clone, Debug)]
pub struct MyOrganisation {
    pub membership: Option<(Membership, OrganisationView)>,
    pub offers: Vec<OrganisationView>,
}

#[derive(Clone, Debug)]
pub struct MemberView {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: String,
    pub status: MemberStatus,
    pub role: OrgRole,
    pub via: String,
    pub job_title: String,
    pub department: String,
    pub hide_progress: bool,
    pub requested_at: OffsetDateTime,
    pub joined_at: Option<OffsetDateTime>,
}

fn one_organisation() -> Error {
    Error::Conflict {
        field: "organisation".into(),
        reason: "you already belong to (or asked to join) an organisation: leave it first".into(),
    }
}

fn email_domain(email: &str) -> Option<String> {
    email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase())
}

pub(super) async fn active_admins(db: &impl ConnectionTrait, org: Uuid) -> Result<u64> {
    Ok(organisation_member::Entity::find()
        .filter(organisation_member::Column::OrganisationId.eq(org))
        .filter(organisation_member::Column::Status.eq(MemberStatus::Active.as_str()))
        .filter(organisation_member::Column::Role.eq(OrgRole::Admin.as_str()))
        .count(db)
        .await?)
}

fn last_admin() -> Error {
    Error::Conflict {
        field: "role".into(),
        reason: "an organisation keeps at least one administrator: name another first".into(),
    }
}

/// Deletes a membership (leaving, declining, removal) in one transaction,
/// the learner's lock first, keeping the organisation's last
/// administrator; run again if PostgreSQL aborts it as a deadlock victim.
async fn end_membership(
    db: &sea_orm::DatabaseConnection,
    user_id: Uuid,
    org: Uuid,
    is_admin: bool,
) -> Result<()> {
    crate::db::retry_once(|| async move {
        let txn = crate::db::begin_write(db).await?;
        crate::org_activity::lock_learner(&txn, user_id).await?;
        if is_admin && active_admins(&txn, org).await? <= 1 {
            return Err(last_admin());
        }
        organisation_member::Entity::delete_by_id(user_id)
            .exec(&txn)
            .await?;
        crate::org_activity::membership_changed(&txn, user_id).await?;
        txn.commit().await?;
        Ok::<_, crate::Error>(())
    })
    .await
}

pub(super) async fn insert_member(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    org: Uuid,
    status: MemberStatus,
    role: OrgRole,
    via: &str,
) -> Result<()> {
    crate::org_activity::lock_learner(db, user_id).await?;
    let at = now();
    let inserted = organisation_member::Entity::insert(organisation_member::ActiveModel {
        user_id: Set(user_id),
        organisation_id: Set(org),
        status: Set(status.as_str().into()),
        role: Set(role.as_str().into()),
        via: Set(via.into()),
        job_title: Set(String::new()),
        department: Set(String::new()),
        hide_progress: Set(false),
        requested_at: Set(at),
        joined_at: Set((status == MemberStatus::Active).then_some(at)),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(organisation_member::Column::UserId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        return Err(one_organisation());
    }
    if status == MemberStatus::Active {
        crate::organisations::note_first_enrolment_on_joining(db, user_id).await?;
        crate::org_activity::membership_changed(db, user_id).await?;
    }
    Ok(())
}

impl Organisations {
    /// The organisation whose declared domain is the caller's verified
    /// address's domain, if any.
    async fn domain_match(&self, who: &Principal) -> Result<Option<organisation::Model>> {
        if !who.email_verified {
            return Ok(None);
        }
        let Some(u) = user::Entity::find_by_id(who.user_id).one(&self.db).await? else {
            return Ok(None);
        };
        let Some(domain) = email_domain(&u.email) else {
            return Ok(None);
        };
        let Some(d) = organisation_domain::Entity::find_by_id(domain)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        Ok(organisation::Entity::find_by_id(d.organisation_id)
            .one(&self.db)
            .await?)
    }

    pub async fn my_organisation(&self, who: Option<&Principal>) -> Result<MyOrganisation> {
        let who = require_signed_in(who)?;
        if let Some(m) = self.membership_of(who.user_id).await? {
            let org = organisation::Entity::find_by_id(m.organisation_id)
                .one(&self.db)
                .await?
                .ok_or(Error::NotFound {
                    what: "organisation",
                })?;
            let standing = self.standing(Some(who), &org).await?;
            let view = self.view(org, standing).await?;
            return Ok(MyOrganisation {
                membership: Some((m, view)),
                offers: Vec::new(),
            });
        }
        let offers = match self.domain_match(who).await? {
            Some(org) => vec![self.view(org, Standing::Outsider).await?],
            None => Vec::new(),
        };
        Ok(MyOrganisation {
            membership: None,
            offers,
        })
    }

    /// Asks to join (a public organisation, or the one the caller's verified
    /// domain offers). `consent` says the learner read what the organisation
    /// will see. Joins at once when the domain matches and the organisation
    /// approves automatically; otherwise waits for an administrator.
    pub async fn join(
        &self,
        who: Option<&Principal>,
        slug: &str,
        consent: bool,
    ) -> Result<Membership> {
        let who = require_signed_in(who)?;
        let matched = self.domain_match(who).await?.filter(|o| o.slug == slug);
        let org = match &matched {
            Some(o) => o.clone(),
            None => self.visible(Some(who), slug).await?.0,
        };
        if !consent {
            return Err(Error::invalid(
                "consent",
                "confirm that you agree to share your enrolments, progress, completions and certificates with the organisation",
            ));
        }
        if self.membership_of(who.user_id).await?.is_some() {
            return Err(one_organisation());
        }
        let (status, via) = match matched {
            Some(o) if o.auto_approve => (MemberStatus::Active, "domain"),
            Some(_) => (MemberStatus::Pending, "domain"),
            None => (MemberStatus::Pending, "request"),
        };
        let txn = crate::db::begin_write(&self.db).await?;
        insert_member(&txn, who.user_id, org.id, status, OrgRole::Member, via).await?;
        txn.commit().await?;
        self.membership_of(who.user_id)
            .await?
            .ok_or(Error::NotFound { what: "membership" })
    }

    /// The learner edits their job title, department and whether they hide
    /// their progress from the organisation.
    pub async fn update_me(
        &self,
        who: Option<&Principal>,
        job_title: &str,
        department: &str,
        hide_progress: bool,
    ) -> Result<Membership> {
        let who = require_signed_in(who)?;
        let job_title = parse_free_text("job_title", job_title)?;
        let department = parse_free_text("department", department)?;
        let row = organisation_member::Entity::find_by_id(who.user_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "membership" })?;
        let mut row = row.into_active_model();
        row.job_title = Set(job_title);
        row.department = Set(department);
        row.hide_progress = Set(hide_progress);
        let (db, user_id) = (&self.db, who.user_id);
        let updated = crate::db::retry_once(|| {
            let row = row.clone();
            async move {
                let txn = crate::db::begin_write(db).await?;
                crate::org_activity::lock_learner(&txn, user_id).await?;
                let updated = row.update(&txn).await?;
                // A learner who shares again may be the organisation's first enrolment.
                crate::organisations::note_first_enrolment_on_joining(&txn, user_id).await?;
                crate::org_activity::membership_changed(&txn, user_id).await?;
                txn.commit().await?;
                Ok::<_, crate::Error>(updated)
            }
        })
        .await?;
        Ok(updated.into())
    }

    /// Leaves the organisation (or withdraws a request): the row goes, and
    /// with it everything the organisation could see. The learner's
    /// enrolments, progress and certificates are theirs and stay.
    pub async fn leave(&self, who: Option<&Principal>) -> Result<()> {
        let who = require_signed_in(who)?;
        let m = self
            .membership_of(who.user_id)
            .await?
            .ok_or(Error::NotFound { what: "membership" })?;
        end_membership(&self.db, who.user_id, m.organisation_id, m.is_admin()).await
    }

    /// Everyone who belongs to or asked to join the organisation, pending
    /// first (organisation administrators only).
    pub async fn members(&self, who: Option<&Principal>, slug: &str) -> Result<Vec<MemberView>> {
        let org = self.managed(who, slug).await?;
        let rows = organisation_member::Entity::find()
            .filter(organisation_member::Column::OrganisationId.eq(org.id))
            .order_by_desc(organisation_member::Column::Status)
            .order_by_asc(organisation_member::Column::RequestedAt)
            .all(&self.db)
            .await?;
        let users: std::collections::HashMap<Uuid, user::Model> = user::Entity::find()
            .filter(user::Column::Id.is_in(rows.iter().map(|m| m.user_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|m| {
                let u = users.get(&m.user_id)?;
                Some(MemberView {
                    user_id: m.user_id,
                    display_name: u.display_name.clone(),
                    email: u.email.clone(),
                    status: MemberStatus::parse(&m.status),
                    role: OrgRole::parse(&m.role).unwrap_or(OrgRole::Member),
                    via: m.via,
                    job_title: m.job_title,
                    department: m.department,
                    hide_progress: m.hide_progress,
                    requested_at: m.requested_at,
                    joined_at: m.joined_at,
                })
            })
            .collect())
    }

    async fn member_row(&self, org: Uuid, user_id: Uuid) -> Result<organisation_member::Model> {
        organisation_member::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .filter(|m| m.organisation_id == org)
            .ok_or(Error::NotFound { what: "member" })
    }

    /// Approves a pending request.
    pub async fn approve(&self, who: Option<&Principal>, slug: &str, user_id: Uuid) -> Result<()> {
        let org = self.managed(who, slug).await?;
        let m = self.member_row(org.id, user_id).await?;
        if m.status == MemberStatus::Active.as_str() {
            return Ok(());
        }
        let mut row = m.into_active_model();
        row.status = Set(MemberStatus::Active.as_str().into());
        row.joined_at = Set(Some(now()));
        let db = &self.db;
        crate::db::retry_once(|| {
            let row = row.clone();
            async move {
                let txn = crate::db::begin_write(db).await?;
                crate::org_activity::lock_learner(&txn, user_id).await?;
                row.update(&txn).await?;
                crate::organisations::note_first_enrolment_on_joining(&txn, user_id).await?;
                crate::org_activity::membership_changed(&txn, user_id).await?;
                txn.commit().await?;
                Ok::<_, crate::Error>(())
            }
        })
        .await
    }

    /// Declines a request or removes a member.
    pub async fn remove_member(
        &self,
        who: Option<&Principal>,
        slug: &str,
        user_id: Uuid,
    ) -> Result<()> {
        let org = self.managed(who, slug).await?;
        let is_admin = Membership::from(self.member_row(org.id, user_id).await?).is_admin();
        end_membership(&self.db, user_id, org.id, is_admin).await
    }

    /// Promotes an active member to administrator, or demotes one.
    pub async fn set_role(
        &self,
        who: Option<&Principal>,
        slug: &str,
        user_id: Uuid,
        role: &str,
    ) -> Result<()> {
        let org = self.managed(who, slug).await?;
        let role = OrgRole::parse(role.trim())
            .ok_or_else(|| Error::invalid("role", "give member or admin"))?;
        let m = self.member_row(org.id, user_id).await?;
        if m.status != MemberStatus::Active.as_str() {
            return Err(Error::invalid("role", "approve the request first"));
        }
        let demoting = role == OrgRole::Member && m.role == OrgRole::Admin.as_str();
        let mut row = m.into_active_model();
        row.role = Set(role.as_str().into());
        let (db, org) = (&self.db, org.id);
        crate::db::retry_once(|| {
            let row = row.clone();
            async move {
                // The learner's lock first, as every membership change.
                let txn = crate::db::begin_write(db).await?;
                crate::org_activity::lock_learner(&txn, user_id).await?;
                if demoting && active_admins(&txn, org).await? <= 1 {
                    return Err(last_admin());
                }
                row.update(&txn).await?;
                txn.commit().await?;
                Ok::<_, crate::Error>(())
            }
        })
        .await
    }
}
