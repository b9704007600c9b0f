//! Who may read an organisation's or a network's report, decided in one
//! place for the JSON API and the pages alike.
//!
//! - An organisation's report: its active administrators and the global
//!   admin. Only the organisation's administrators see the names in the
//!   "who has not started" list; the global admin sees the figures.
//! - A network's report: its coordinators and the global admin.
//!
//! Who administers or coordinates what is asked of `Organisations`, the one
//! place that knows memberships.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::OrgReports;
use crate::{
    Error, Result,
    accounts::{Principal, Role},
    entities::{network, organisation},
    organisations::Organisations,
};

/// An organisation whose report the caller may read.
#[derive(Clone, Debug)]
pub struct ReadableOrganisation {
    pub(super) org: organisation::Model,
    /// The caller administers it: they see who has not started.
    pub(super) sees_people: bool,
}

impl ReadableOrganisation {
    pub fn slug(&self) -> &str {
        &self.org.slug
    }

    pub fn sees_people(&self) -> bool {
        self.sees_people
    }
}

/// A network whose report the caller may read.
#[derive(Clone, Debug)]
pub struct ReadableNetwork {
    pub(super) network: network::Model,
}

impl ReadableNetwork {
    pub fn slug(&self) -> &str {
        &self.network.slug
    }
}

fn signed_in(caller: Option<&Principal>) -> Result<&Principal> {
    caller.ok_or(Error::Unauthorized {
        reason: "sign in to see organisation and network reports",
    })
}

impl OrgReports {
    /// The organisation by slug, once `caller` may read its report. An
    /// unknown organisation is not found, whoever asks.
    pub async fn readable_organisation(
        &self,
        caller: Option<&Principal>,
        slug: &str,
    ) -> Result<ReadableOrganisation> {
        let org = organisation::Entity::find()
            .filter(organisation::Column::Slug.eq(slug))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound {
                what: "organisation",
            })?;
        let who = signed_in(caller)?;
        let admin_here = Organisations::new(self.db.clone())
            .is_org_admin(who.user_id, org.id)
            .await?;
        if !admin_here && who.role != Role::Admin {
            return Err(Error::Forbidden {
                reason: "only the organisation's administrators may see its report",
            });
        }
        Ok(ReadableOrganisation {
            org,
            sees_people: admin_here,
        })
    }

    /// The network by slug, once `caller` may read its report.
    pub async fn readable_network(
        &self,
        caller: Option<&Principal>,
        slug: &str,
    ) -> Result<ReadableNetwork> {
        let network = network::Entity::find()
            .filter(network::Column::Slug.eq(slug))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "network" })?;
        let who = signed_in(caller)?;
        if who.role != Role::Admin
            && !Organisations::new(self.db.clone())
                .is_coordinator(who.user_id, network.id)
                .await?
        {
            return Err(Error::Forbidden {
                reason: "only the network's coordinators may see its report",
            });
        }
        Ok(ReadableNetwork { network })
    }
}
