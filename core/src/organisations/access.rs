//! Who is what to an organisation or a network: the small read-only API the
//! rest of the code (reports, certificates, "my learning") decides with.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::Organisations;
use crate::{
    Result,
    entities::{network_coordinator, organisation_member, organisation_network},
};

/// `pending` (asked, or matched a domain; waits for approval) or `active`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberStatus {
    Pending,
    Active,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Pending => "pending",
            MemberStatus::Active => "active",
        }
    }
    pub(crate) fn parse(s: &str) -> Self {
        if s == "active" {
            MemberStatus::Active
        } else {
            MemberStatus::Pending
        }
    }
}

/// `member` or `admin` of an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgRole {
    Member,
    Admin,
}

impl OrgRole {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Member => "member",
            OrgRole::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "member" => Some(OrgRole::Member),
            "admin" => Some(OrgRole::Admin),
            _ => None,
        }
    }
}

/// A learner's one membership row. Only an `Active` membership shares
/// anything with the organisation, and never progress when `hide_progress`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    pub status: MemberStatus,
    pub role: OrgRole,
    pub hide_progress: bool,
    pub job_title: String,
    pub department: String,
}

impl Membership {
    pub fn is_active(&self) -> bool {
        self.status == MemberStatus::Active
    }
    /// Whether the organisation may see this learner's enrolments, progress,
    /// completions and certificates.
    pub fn shares_progress(&self) -> bool {
        self.is_active() && !self.hide_progress
    }
    pub fn is_admin(&self) -> bool {
        self.is_active() && self.role == OrgRole::Admin
    }
}

impl From<organisation_member::Model> for Membership {
    fn from(m: organisation_member::Model) -> Self {
        Membership {
            user_id: m.user_id,
            organisation_id: m.organisation_id,
            status: MemberStatus::parse(&m.status),
            role: OrgRole::parse(&m.role).unwrap_or(OrgRole::Member),
            hide_progress: m.hide_progress,
            job_title: m.job_title,
            department: m.department,
        }
    }
}

pub(crate) async fn membership_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<Membership>> {
    Ok(organisation_member::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(Membership::from))
}

impl Organisations {
    /// The learner's membership row, pending or active, if any.
    pub async fn membership_of(&self, user_id: Uuid) -> Result<Option<Membership>> {
        membership_of(&self.db, user_id).await
    }

    /// Whether `user_id` is an active administrator of `organisation_id`.
    pub async fn is_org_admin(&self, user_id: Uuid, organisation_id: Uuid) -> Result<bool> {
        Ok(self
            .membership_of(user_id)
            .await?
            .is_some_and(|m| m.organisation_id == organisation_id && m.is_admin()))
    }

    /// The networks `user_id` coordinates.
    pub async fn coordinated_networks(&self, user_id: Uuid) -> Result<Vec<Uuid>> {
        Ok(network_coordinator::Entity::find()
            .filter(network_coordinator::Column::UserId.eq(user_id))
            .order_by_asc(network_coordinator::Column::NetworkId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| c.network_id)
            .collect())
    }

    /// Whether `user_id` coordinates `network_id`.
    pub async fn is_coordinator(&self, user_id: Uuid, network_id: Uuid) -> Result<bool> {
        Ok(
            network_coordinator::Entity::find_by_id((network_id, user_id))
                .one(&self.db)
                .await?
                .is_some(),
        )
    }

    /// The networks an organisation belongs to.
    pub async fn networks_of(&self, organisation_id: Uuid) -> Result<Vec<Uuid>> {
        Ok(organisation_network::Entity::find()
            .filter(organisation_network::Column::OrganisationId.eq(organisation_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|n| n.network_id)
            .collect())
    }

    /// The active members of an organisation who share their progress: the
    /// only learners any organisation figure may count.
    pub async fn sharing_members(&self, organisation_id: Uuid) -> Result<Vec<Uuid>> {
        Ok(organisation_member::Entity::find()
            .filter(organisation_member::Column::OrganisationId.eq(organisation_id))
            .filter(organisation_member::Column::Status.eq(MemberStatus::Active.as_str()))
            .filter(organisation_member::Column::HideProgress.eq(false))
            .order_by_asc(organisation_member::Column::UserId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .collect())
    }
}
