//! Organisations (local and regional governments, their associations and
//! partner institutions), the networks they belong to, their members,
//! email domains and invitations, and the networks' coordinators.
//!
//! Roles: the global admin creates networks and names their coordinators;
//! the global admin and network coordinators create organisations (a
//! coordinator in their own networks) and name each one's first
//! administrator; organisation administrators manage the profile, domains,
//! members and invitations of their organisation and of no other.
//!
//! - `access`: who is what to an organisation or a network (read-only; the
//!   reports and the rest of the code decide with it);
//! - `inputs`, `countries`: the profile's values, parsed;
//! - `networks`: networks and their coordinators;
//! - `profile`: creating, reading and editing organisations, their networks
//!   and email domains;
//! - `members`: asking to join, domain offers, approval, roles, leaving;
//! - `invitations`: invitations by link or by email, and their mail.

mod access;
mod countries;
mod countries_table;
mod first_enrolment;
mod inputs;
mod invitations;
mod members;
mod networks;
mod profile;

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use time::OffsetDateTime;

pub use self::{
    access::{MemberStatus, Membership, OrgRole},
    countries::{Country, all as all_countries, area_name, country},
    first_enrolment::{note_first_enrolment, note_first_enrolment_on_joining},
    inputs::{Kind, PopulationBand, name_in, parse_country, parse_domain, parse_website},
    invitations::{InvitationMail, InvitationView, NewInvitation, send_invitation},
    members::{MemberView, MyOrganisation, SHARED_WITH_ORGANISATION},
    networks::{CoordinatorView, NetworkChoice, NetworkInput, NetworkView},
    profile::{OrganisationInput, OrganisationView},
};
use crate::{
    Error, Result,
    accounts::{Principal, Role},
    entities::{network, organisation},
};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn names_map(v: &serde_json::Value) -> BTreeMap<String, String> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

/// The organisations service, built once at start-up.
#[derive(Clone)]
pub struct Organisations {
    db: DatabaseConnection,
}

impl Organisations {
    pub fn new(db: DatabaseConnection) -> Self {
        Organisations { db }
    }
}

/// What the caller is to one organisation, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    GlobalAdmin,
    OrgAdmin,
    Member,
    /// Asked to join (or matched a domain) and waits for approval.
    Pending,
    /// Coordinates a network the organisation belongs to.
    Coordinator,
    Outsider,
}

impl Standing {
    pub fn manages(self) -> bool {
        matches!(self, Standing::GlobalAdmin | Standing::OrgAdmin)
    }
}

use crate::accounts::require_signed_in;

fn require_global_admin(who: Option<&Principal>) -> Result<&Principal> {
    let who = require_signed_in(who)?;
    if who.role == Role::Admin {
        Ok(who)
    } else {
        Err(Error::Forbidden {
            reason: "only administrators may do this",
        })
    }
}

async fn find_org(db: &impl ConnectionTrait, slug: &str) -> Result<organisation::Model> {
    use sea_orm::{ColumnTrait, QueryFilter};
    organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(Error::NotFound {
            what: "organisation",
        })
}

async fn find_network(db: &impl ConnectionTrait, slug: &str) -> Result<network::Model> {
    use sea_orm::{ColumnTrait, QueryFilter};
    network::Entity::find()
        .filter(network::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "network" })
}

impl Organisations {
    async fn standing(
        &self,
        who: Option<&Principal>,
        org: &organisation::Model,
    ) -> Result<Standing> {
        let Some(who) = who else {
            return Ok(Standing::Outsider);
        };
        if who.role == Role::Admin {
            return Ok(Standing::GlobalAdmin);
        }
        if let Some(m) = self.membership_of(who.user_id).await?
            && m.organisation_id == org.id
        {
            return Ok(match (m.status, m.role) {
                (MemberStatus::Active, OrgRole::Admin) => Standing::OrgAdmin,
                (MemberStatus::Active, OrgRole::Member) => Standing::Member,
                (MemberStatus::Pending, _) => Standing::Pending,
            });
        }
        let mine = self.coordinated_networks(who.user_id).await?;
        if !mine.is_empty()
            && self
                .networks_of(org.id)
                .await?
                .iter()
                .any(|n| mine.contains(n))
        {
            return Ok(Standing::Coordinator);
        }
        Ok(Standing::Outsider)
    }

    /// The organisation, if the caller may see it at all: public ones to
    /// everyone, others to their members (pending included), their
    /// networks' coordinators and the global admin. Otherwise not found, so
    /// a private organisation's existence is not revealed.
    async fn visible(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<(organisation::Model, Standing)> {
        let org = find_org(&self.db, slug).await?;
        let standing = self.standing(who, &org).await?;
        if org.public || standing != Standing::Outsider {
            Ok((org, standing))
        } else {
            Err(Error::NotFound {
                what: "organisation",
            })
        }
    }

    /// The organisation, if the caller administers it (or is the global admin).
    async fn managed(&self, who: Option<&Principal>, slug: &str) -> Result<organisation::Model> {
        require_signed_in(who)?;
        let (org, standing) = self.visible(who, slug).await?;
        if standing.manages() {
            Ok(org)
        } else {
            Err(Error::Forbidden {
                reason: "only the organisation's administrators may do this",
            })
        }
    }
}
