//! Registered platforms: what an admin enters from the LMS's tool
//! registration, checked once here.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
};
use serde::Serialize;
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

use super::Lti;
use crate::{Error, Result, entities::lti_platform};

/// Agora's own addresses, which the platform asks for.
#[derive(Clone, Debug, Serialize)]
pub struct ToolUrls {
    /// OIDC login initiation (third-party initiated login).
    pub login: String,
    /// The redirect (launch) URL the `id_token` is posted to.
    pub launch: String,
    /// Agora's public keys.
    pub jwks: String,
    /// The target of deep linking requests.
    pub deep_linking: String,
}

/// A registered platform.
#[derive(Clone, Debug, Serialize)]
pub struct Platform {
    pub id: Uuid,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub deployment_ids: Vec<String>,
    pub auth_endpoint: String,
    pub jwks_url: String,
    pub token_endpoint: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<lti_platform::Model> for Platform {
    fn from(m: lti_platform::Model) -> Self {
        Platform {
            id: m.id,
            name: m.name,
            issuer: m.issuer,
            client_id: m.client_id,
            deployment_ids: split_ids(&m.deployment_ids),
            auth_endpoint: m.auth_endpoint,
            jwks_url: m.jwks_url,
            token_endpoint: m.token_endpoint,
            created_at: m.created_at,
        }
    }
}

pub(super) fn split_ids(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What an admin submits, as typed.
#[derive(Clone, Debug, Default)]
pub struct PlatformInput {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    /// One or more, separated by new lines or commas.
    pub deployment_ids: String,
    pub auth_endpoint: String,
    pub jwks_url: String,
    pub token_endpoint: String,
}

/// The input, checked: every field present, addresses absolute http(s).
struct Checked {
    name: String,
    issuer: String,
    client_id: String,
    deployment_ids: Vec<String>,
    auth_endpoint: String,
    jwks_url: String,
    token_endpoint: String,
}

fn url_field(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    match Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(v.to_owned()),
        _ => Err(Error::invalid(field, "must be an absolute http(s) address")),
    }
}

fn text_field(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters on one line"),
        ));
    }
    Ok(v.to_owned())
}

impl PlatformInput {
    fn check(&self) -> Result<Checked> {
        let ids = split_ids(&self.deployment_ids);
        if ids.is_empty() {
            return Err(Error::invalid("deployment_ids", "give at least one"));
        }
        if ids.iter().any(|d| d.chars().count() > 255) || ids.len() > 100 {
            return Err(Error::invalid(
                "deployment_ids",
                "at most 100 ids of 255 characters",
            ));
        }
        Ok(Checked {
            name: text_field("name", &self.name, 200)?,
            issuer: text_field("issuer", &self.issuer, 1000)?,
            client_id: text_field("client_id", &self.client_id, 255)?,
            deployment_ids: ids,
            auth_endpoint: url_field("auth_endpoint", &self.auth_endpoint)?,
            jwks_url: url_field("jwks_url", &self.jwks_url)?,
            token_endpoint: url_field("token_endpoint", &self.token_endpoint)?,
        })
    }
}

fn taken(e: sea_orm::DbErr) -> Error {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::Conflict {
            field: "client_id".into(),
            reason: "this issuer and client id are registered already".into(),
        },
        _ => e.into(),
    }
}

impl Lti {
    pub async fn platforms(&self) -> Result<Vec<Platform>> {
        Ok(lti_platform::Entity::find()
            .order_by_asc(lti_platform::Column::Name)
            .order_by_asc(lti_platform::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Platform::from)
            .collect())
    }

    pub async fn platform(&self, id: Uuid) -> Result<Platform> {
        Ok(self.platform_model(id).await?.into())
    }

    pub(super) async fn platform_model(&self, id: Uuid) -> Result<lti_platform::Model> {
        lti_platform::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "platform" })
    }

    pub async fn register_platform(&self, input: &PlatformInput) -> Result<Platform> {
        let c = input.check()?;
        let now = OffsetDateTime::now_utc();
        let m = lti_platform::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set(c.name),
            issuer: Set(c.issuer),
            client_id: Set(c.client_id),
            deployment_ids: Set(c.deployment_ids.join("\n")),
            auth_endpoint: Set(c.auth_endpoint),
            jwks_url: Set(c.jwks_url),
            token_endpoint: Set(c.token_endpoint),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .map_err(taken)?;
        Ok(m.into())
    }

    pub async fn update_platform(&self, id: Uuid, input: &PlatformInput) -> Result<Platform> {
        let c = input.check()?;
        let mut m: lti_platform::ActiveModel = self.platform_model(id).await?.into();
        m.name = Set(c.name);
        m.issuer = Set(c.issuer);
        m.client_id = Set(c.client_id);
        m.deployment_ids = Set(c.deployment_ids.join("\n"));
        m.auth_endpoint = Set(c.auth_endpoint);
        m.jwks_url = Set(c.jwks_url);
        m.token_endpoint = Set(c.token_endpoint);
        m.updated_at = Set(OffsetDateTime::now_utc());
        Ok(m.update(&self.db).await.map_err(taken)?.into())
    }

    /// Removes a platform with its accounts' links (the Agora accounts stay).
    pub async fn remove_platform(&self, id: Uuid) -> Result<()> {
        let gone = lti_platform::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?
            .rows_affected;
        if gone == 0 {
            return Err(Error::NotFound { what: "platform" });
        }
        Ok(())
    }

    /// The platform a login names: by issuer and client id, or by issuer
    /// alone when only one registration has it.
    pub(super) async fn platform_for_login(
        &self,
        issuer: &str,
        client_id: Option<&str>,
    ) -> Result<Option<lti_platform::Model>> {
        let mut q = lti_platform::Entity::find().filter(lti_platform::Column::Issuer.eq(issuer));
        if let Some(c) = client_id.filter(|c| !c.is_empty()) {
            q = q.filter(lti_platform::Column::ClientId.eq(c));
        }
        let mut found = q.limit(2).all(&self.db).await?;
        Ok(if found.len() == 1 { found.pop() } else { None })
    }
}
