//! Creating, reading and editing organisations: the profile, the networks
//! an organisation belongs to, and its email domains.

use std::collections::BTreeMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Organisations, Standing, find_network,
    inputs::{Kind, PopulationBand, parse_country, parse_domain, parse_names, parse_website},
    names_map,
    networks::NetworkView,
    now, require_signed_in,
};
use crate::{
    Error, Result,
    accounts::{Principal, Role},
    domain::Slug,
    entities::{
        network, organisation, organisation_domain, organisation_member, organisation_network, user,
    },
};

/// An organisation's profile as given by a form or the API.
pub struct OrganisationInput<'a> {
    pub name: &'a str,
    pub names: &'a BTreeMap<String, String>,
    pub kind: &'a str,
    pub country: &'a str,
    pub population_band: &'a str,
    pub website: Option<&'a str>,
    pub public: bool,
    pub auto_approve: bool,
}

struct Profile {
    name: String,
    names: serde_json::Value,
    kind: Kind,
    country: &'static super::Country,
    band: PopulationBand,
    website: Option<String>,
}

fn parse_profile(input: &OrganisationInput<'_>) -> Result<Profile> {
    Ok(Profile {
        kind: Kind::parse(input.kind)?,
        country: parse_country(input.country)?,
        band: PopulationBand::parse(input.population_band)?,
        website: parse_website("website", input.website)?,
        names: parse_names(input.name, input.names)?.1,
        name: parse_names(input.name, input.names)?.0,
    })
}

/// An organisation as the pages and the API show it. `domains` and
/// `auto_approve` are for its administrators only (empty otherwise).
#[derive(Clone, Debug)]
pub struct OrganisationView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub names: BTreeMap<String, String>,
    pub kind: String,
    pub country: String,
    pub m49_region: String,
    pub m49_subregion: String,
    pub population_band: String,
    pub website: Option<String>,
    pub public: bool,
    pub auto_approve: bool,
    pub networks: Vec<NetworkView>,
    pub domains: Vec<String>,
    pub created_at: OffsetDateTime,
    /// What the caller is to it.
    pub standing: Standing,
}

impl OrganisationView {
    pub fn name_in(&self, locale: crate::domain::Locale) -> &str {
        self.names
            .get(locale.as_str())
            .map(String::as_str)
            .unwrap_or(&self.name)
    }
}

fn conflict(field: &str, reason: &str) -> Error {
    Error::Conflict {
        field: field.into(),
        reason: reason.into(),
    }
}

impl Organisations {
    pub(super) async fn view(
        &self,
        org: organisation::Model,
        standing: Standing,
    ) -> Result<OrganisationView> {
        let ids = self.networks_of(org.id).await?;
        let networks = network::Entity::find()
            .filter(network::Column::Id.is_in(ids))
            .order_by_asc(network::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(NetworkView::from)
            .collect();
        let manages = standing.manages();
        let domains = if manages {
            organisation_domain::Entity::find()
                .filter(organisation_domain::Column::OrganisationId.eq(org.id))
                .order_by_asc(organisation_domain::Column::Domain)
                .all(&self.db)
                .await?
                .into_iter()
                .map(|d| d.domain)
                .collect()
        } else {
            Vec::new()
        };
        Ok(OrganisationView {
            names: names_map(&org.names),
            id: org.id,
            slug: org.slug,
            name: org.name,
            kind: org.kind,
            country: org.country,
            m49_region: org.m49_region,
            m49_subregion: org.m49_subregion,
            population_band: org.population_band,
            website: org.website,
            public: org.public,
            auto_approve: manages && org.auto_approve,
            networks,
            domains,
            created_at: org.created_at,
            standing,
        })
    }

    /// An organisation the caller may see (public, or theirs).
    pub async fn get(&self, who: Option<&Principal>, slug: &str) -> Result<OrganisationView> {
        let (org, standing) = self.visible(who, slug).await?;
        self.view(org, standing).await
    }

    /// The organisations the caller may see: public ones, and for the
    /// global admin every one; by name.
    pub async fn list(&self, who: Option<&Principal>) -> Result<Vec<OrganisationView>> {
        let admin = who.is_some_and(|w| w.role == Role::Admin);
        let mut q = organisation::Entity::find().order_by_asc(organisation::Column::Name);
        if !admin {
            q = q.filter(organisation::Column::Public.eq(true));
        }
        let mut out = Vec::new();
        for org in q.all(&self.db).await? {
            let standing = if admin {
                Standing::GlobalAdmin
            } else {
                Standing::Outsider
            };
            out.push(self.view(org, standing).await?);
        }
        Ok(out)
    }

    /// Creates an organisation with `admin_email` as its first administrator.
    /// The global admin may create any; a network coordinator only within
    /// networks they coordinate (at least one).
    pub async fn create(
        &self,
        who: Option<&Principal>,
        slug: &str,
        input: OrganisationInput<'_>,
        network_slugs: &[String],
        admin_email: &str,
    ) -> Result<OrganisationView> {
        let who = require_signed_in(who)?;
        let coordinated = self.coordinated_networks(who.user_id).await?;
        if who.role != Role::Admin && coordinated.is_empty() {
            return Err(Error::Forbidden {
                reason: "only administrators and network coordinators may create organisations",
            });
        }
        let slug = Slug::parse(slug).map_err(|e| Error::invalid("slug", e))?;
        let p = parse_profile(&input)?;
        let mut networks = Vec::new();
        for s in network_slugs {
            let n = find_network(&self.db, s).await.map_err(|_| {
                Error::invalid("networks", format!("no network has the slug `{s}`"))
            })?;
            if who.role != Role::Admin && !coordinated.contains(&n.id) {
                return Err(Error::invalid(
                    "networks",
                    format!("you do not coordinate `{s}`"),
                ));
            }
            networks.push(n.id);
        }
        if who.role != Role::Admin && networks.is_empty() {
            return Err(Error::invalid(
                "networks",
                "name at least one network you coordinate",
            ));
        }
        let admin = user::Entity::find()
            .filter(user::Column::Email.eq(admin_email.trim().to_lowercase()))
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::invalid("admin_email", "no account has this address"))?;
        let txn = crate::db::begin_write(&self.db).await?;
        if organisation::Entity::find()
            .filter(organisation::Column::Slug.eq(slug.as_str()))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(conflict("slug", "an organisation already has this slug"));
        }
        if organisation_member::Entity::find_by_id(admin.id)
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(conflict(
                "admin_email",
                "this person already belongs to (or asked to join) an organisation",
            ));
        }
        let at = now();
        let id = Uuid::new_v4();
        organisation::Entity::insert(organisation::ActiveModel {
            id: Set(id),
            slug: Set(slug.as_str().to_owned()),
            name: Set(p.name),
            names: Set(p.names),
            kind: Set(p.kind.as_str().into()),
            country: Set(p.country.code.into()),
            m49_region: Set(p.country.region().into()),
            m49_subregion: Set(p.country.subregion.into()),
            population_band: Set(p.band.as_str().into()),
            website: Set(p.website),
            public: Set(input.public),
            auto_approve: Set(input.auto_approve),
            first_enrolment_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .exec_without_returning(&txn)
        .await?;
        for n in networks {
            organisation_network::Entity::insert(organisation_network::ActiveModel {
                organisation_id: Set(id),
                network_id: Set(n),
                created_at: Set(at),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        crate::org_activity::lock_learner(&txn, admin.id).await?;
        organisation_member::Entity::insert(organisation_member::ActiveModel {
            user_id: Set(admin.id),
            organisation_id: Set(id),
            status: Set("active".into()),
            role: Set("admin".into()),
            via: Set("admin".into()),
            job_title: Set(String::new()),
            department: Set(String::new()),
            hide_progress: Set(false),
            requested_at: Set(at),
            joined_at: Set(Some(at)),
        })
        .exec_without_returning(&txn)
        .await?;
        crate::organisations::note_first_enrolment_on_joining(&txn, admin.id).await?;
        crate::org_activity::membership_changed(&txn, admin.id).await?;
        txn.commit().await?;
        self.get(Some(who), slug.as_str()).await
    }

    /// Edits the profile (organisation administrators).
    pub async fn update(
        &self,
        who: Option<&Principal>,
        slug: &str,
        input: OrganisationInput<'_>,
    ) -> Result<OrganisationView> {
        let org = self.managed(who, slug).await?;
        let p = parse_profile(&input)?;
        let mut row = org.into_active_model();
        row.name = Set(p.name);
        row.names = Set(p.names);
        row.kind = Set(p.kind.as_str().into());
        row.country = Set(p.country.code.into());
        row.m49_region = Set(p.country.region().into());
        row.m49_subregion = Set(p.country.subregion.into());
        row.population_band = Set(p.band.as_str().into());
        row.website = Set(p.website);
        row.public = Set(input.public);
        row.auto_approve = Set(input.auto_approve);
        row.updated_at = Set(now());
        row.update(&self.db).await?;
        self.get(who, slug).await
    }

    /// Sets the networks an organisation belongs to. The global admin sets
    /// any; a coordinator adds or removes only their own networks.
    pub async fn set_networks(
        &self,
        who: Option<&Principal>,
        slug: &str,
        network_slugs: &[String],
    ) -> Result<OrganisationView> {
        let principal = require_signed_in(who)?;
        let (org, standing) = self.visible(who, slug).await?;
        let admin = standing == Standing::GlobalAdmin;
        let coordinated = self.coordinated_networks(principal.user_id).await?;
        if !admin && coordinated.is_empty() {
            return Err(Error::Forbidden {
                reason: "only administrators and network coordinators may change an organisation's networks",
            });
        }
        let mut wanted = Vec::new();
        for s in network_slugs {
            let n = find_network(&self.db, s).await.map_err(|_| {
                Error::invalid("networks", format!("no network has the slug `{s}`"))
            })?;
            wanted.push(n.id);
        }
        let current = self.networks_of(org.id).await?;
        let may = |n: &Uuid| admin || coordinated.contains(n);
        if let Some(bad) = wanted
            .iter()
            .chain(&current)
            .find(|n| (wanted.contains(n) != current.contains(n)) && !may(n))
        {
            let _ = bad;
            return Err(Error::invalid(
                "networks",
                "you may only add or remove networks you coordinate",
            ));
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let at = now();
        for n in current.iter().filter(|n| !wanted.contains(n)) {
            organisation_network::Entity::delete_by_id((org.id, *n))
                .exec(&txn)
                .await?;
        }
        for n in wanted.iter().filter(|n| !current.contains(n)) {
            organisation_network::Entity::insert(organisation_network::ActiveModel {
                organisation_id: Set(org.id),
                network_id: Set(*n),
                created_at: Set(at),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        self.get(who, slug).await
    }

    /// Adds an email domain; a domain belongs to one organisation only.
    pub async fn add_domain(
        &self,
        who: Option<&Principal>,
        slug: &str,
        domain: &str,
    ) -> Result<Vec<String>> {
        let org = self.managed(who, slug).await?;
        let domain = parse_domain(domain)?;
        if let Some(existing) = organisation_domain::Entity::find_by_id(domain.clone())
            .one(&self.db)
            .await?
        {
            if existing.organisation_id == org.id {
                return Ok(self.get(who, slug).await?.domains);
            }
            return Err(Error::invalid(
                "domain",
                "another organisation has already declared this domain",
            ));
        }
        let inserted = organisation_domain::Entity::insert(organisation_domain::ActiveModel {
            domain: Set(domain),
            organisation_id: Set(org.id),
            created_at: Set(now()),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(organisation_domain::Column::Domain)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        if inserted == 0 {
            return Err(Error::invalid(
                "domain",
                "another organisation has already declared this domain",
            ));
        }
        Ok(self.get(who, slug).await?.domains)
    }

    pub async fn remove_domain(
        &self,
        who: Option<&Principal>,
        slug: &str,
        domain: &str,
    ) -> Result<Vec<String>> {
        let org = self.managed(who, slug).await?;
        let gone = organisation_domain::Entity::delete_many()
            .filter(
                Condition::all()
                    .add(organisation_domain::Column::OrganisationId.eq(org.id))
                    .add(organisation_domain::Column::Domain.eq(domain.trim().to_lowercase())),
            )
            .exec(&self.db)
            .await?;
        if gone.rows_affected == 0 {
            return Err(Error::NotFound { what: "domain" });
        }
        Ok(self.get(who, slug).await?.domains)
    }
}
