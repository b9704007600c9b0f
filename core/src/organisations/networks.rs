//! Networks of organisations (UCLG, ICLEI, Metropolis…) and their
//! coordinators. The global admin creates and edits them; anyone may read
//! a network's name and website.

use std::collections::BTreeMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Organisations, find_network,
    inputs::{parse_names, parse_website},
    names_map, now, require_global_admin, require_signed_in,
};
use crate::{
    Error, Result,
    accounts::{Principal, Role},
    domain::Slug,
    entities::{network, network_coordinator, user},
};

pub struct NetworkInput<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub names: &'a BTreeMap<String, String>,
    pub website: Option<&'a str>,
}

#[derive(Clone, Debug)]
pub struct NetworkView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub names: BTreeMap<String, String>,
    pub website: Option<String>,
}

impl From<network::Model> for NetworkView {
    fn from(n: network::Model) -> Self {
        NetworkView {
            names: names_map(&n.names),
            id: n.id,
            slug: n.slug,
            name: n.name,
            website: n.website,
        }
    }
}

impl NetworkView {
    pub fn name_in(&self, locale: crate::domain::Locale) -> &str {
        self.names
            .get(locale.as_str())
            .map(String::as_str)
            .unwrap_or(&self.name)
    }
}

/// One network on the form that places an organisation in networks.
#[derive(Clone, Debug)]
pub struct NetworkChoice {
    pub network: NetworkView,
    /// The organisation belongs to it now.
    pub member: bool,
    /// The caller may add or remove it (`set_networks` refuses otherwise).
    pub may_change: bool,
}

#[derive(Clone, Debug)]
pub struct CoordinatorView {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub since: OffsetDateTime,
}

fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    let s = e.to_string().to_lowercase();
    s.contains("unique") || s.contains("duplicate")
}

impl Organisations {
    pub async fn networks(&self) -> Result<Vec<NetworkView>> {
        Ok(network::Entity::find()
            .order_by_asc(network::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(NetworkView::from)
            .collect())
    }

    /// The networks the caller may place a new organisation in: every one
    /// for the global admin, their own for a coordinator. Anyone else may
    /// not create organisations (the rule of `create`).
    pub async fn networks_for_new_organisation(
        &self,
        who: Option<&Principal>,
    ) -> Result<Vec<NetworkView>> {
        let who = require_signed_in(who)?;
        let all = self.networks().await?;
        if who.role == Role::Admin {
            return Ok(all);
        }
        let mine = self.coordinated_networks(who.user_id).await?;
        if mine.is_empty() {
            return Err(Error::Forbidden {
                reason: "only administrators and network coordinators may create organisations",
            });
        }
        Ok(all.into_iter().filter(|n| mine.contains(&n.id)).collect())
    }

    /// The organisation and every network, saying which it belongs to and
    /// which the caller may change: the rules of `set_networks`, for a form.
    pub async fn network_choices(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<(super::OrganisationView, Vec<NetworkChoice>)> {
        let principal = require_signed_in(who)?;
        let org = self.get(who, slug).await?;
        let admin = org.standing == super::Standing::GlobalAdmin;
        let mine = self.coordinated_networks(principal.user_id).await?;
        if !admin && mine.is_empty() {
            return Err(Error::Forbidden {
                reason: "only administrators and network coordinators may change an organisation's networks",
            });
        }
        let choices = self
            .networks()
            .await?
            .into_iter()
            .map(|n| NetworkChoice {
                member: org.networks.iter().any(|m| m.id == n.id),
                may_change: admin || mine.contains(&n.id),
                network: n,
            })
            .collect();
        Ok((org, choices))
    }

    pub async fn network(&self, slug: &str) -> Result<NetworkView> {
        Ok(find_network(&self.db, slug).await?.into())
    }

    pub async fn create_network(
        &self,
        who: Option<&Principal>,
        input: NetworkInput<'_>,
    ) -> Result<NetworkView> {
        require_global_admin(who)?;
        let slug = Slug::parse(input.slug).map_err(|e| Error::invalid("slug", e))?;
        let (name, names) = parse_names(input.name, input.names)?;
        let website = parse_website("website", input.website)?;
        let at = now();
        let row = network::ActiveModel {
            id: Set(Uuid::new_v4()),
            slug: Set(slug.as_str().to_owned()),
            name: Set(name),
            names: Set(names),
            website: Set(website),
            created_at: Set(at),
            updated_at: Set(at),
        };
        match row.insert(&self.db).await {
            Ok(n) => Ok(n.into()),
            Err(e) if is_unique_violation(&e) => Err(Error::Conflict {
                field: "slug".into(),
                reason: "a network already has this slug".into(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Renames a network and sets its website (the slug stays).
    pub async fn update_network(
        &self,
        who: Option<&Principal>,
        slug: &str,
        input: NetworkInput<'_>,
    ) -> Result<NetworkView> {
        require_global_admin(who)?;
        let n = find_network(&self.db, slug).await?;
        let (name, names) = parse_names(input.name, input.names)?;
        let website = parse_website("website", input.website)?;
        let mut row = n.into_active_model();
        row.name = Set(name);
        row.names = Set(names);
        row.website = Set(website);
        row.updated_at = Set(now());
        Ok(row.update(&self.db).await?.into())
    }

    pub async fn coordinators(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<CoordinatorView>> {
        require_global_admin(who)?;
        let n = find_network(&self.db, slug).await?;
        let rows = network_coordinator::Entity::find()
            .filter(network_coordinator::Column::NetworkId.eq(n.id))
            .order_by_asc(network_coordinator::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let users: std::collections::HashMap<Uuid, user::Model> = user::Entity::find()
            .filter(user::Column::Id.is_in(rows.iter().map(|c| c.user_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|c| {
                users.get(&c.user_id).map(|u| CoordinatorView {
                    user_id: c.user_id,
                    email: u.email.clone(),
                    display_name: u.display_name.clone(),
                    since: c.created_at,
                })
            })
            .collect())
    }

    /// Names the account with `email` a coordinator of the network.
    pub async fn add_coordinator(
        &self,
        who: Option<&Principal>,
        slug: &str,
        email: &str,
    ) -> Result<CoordinatorView> {
        require_global_admin(who)?;
        let n = find_network(&self.db, slug).await?;
        let u = user::Entity::find()
            .filter(user::Column::Email.eq(email.trim().to_lowercase()))
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::invalid("email", "no account has this address"))?;
        let at = now();
        network_coordinator::Entity::insert(network_coordinator::ActiveModel {
            network_id: Set(n.id),
            user_id: Set(u.id),
            created_at: Set(at),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                network_coordinator::Column::NetworkId,
                network_coordinator::Column::UserId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(CoordinatorView {
            user_id: u.id,
            email: u.email,
            display_name: u.display_name,
            since: at,
        })
    }

    pub async fn remove_coordinator(
        &self,
        who: Option<&Principal>,
        slug: &str,
        user_id: Uuid,
    ) -> Result<()> {
        require_global_admin(who)?;
        let n = find_network(&self.db, slug).await?;
        let gone = network_coordinator::Entity::delete_by_id((n.id, user_id))
            .exec(&self.db)
            .await?;
        if gone.rows_affected == 0 {
            return Err(Error::NotFound {
                what: "coordinator",
            });
        }
        Ok(())
    }
}
