//! Open Badges 3.0 verifiable credentials: one per certificate, signed with
//! an `eddsa-rdfc-2022` Data Integrity proof by the issuer's DID, revocable
//! through a Bitstring Status List, verifiable by Agora and by anyone else.

mod badge;
pub mod bake;
mod canon;
pub mod did;
pub mod keys;
pub mod proof;
pub mod status;
mod verify;

pub use verify::{Flaw, Verdict};

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::OnConflict,
};
use serde_json::Value;
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

use crate::{
    Error, Result,
    accounts::Role,
    certificates::normalize_code,
    config::{Config, Secret},
    entities::{certificate, course, course_theme, course_translation, credential, user},
};

/// Issues, serves and verifies credentials. Built once at start-up.
#[derive(Clone)]
pub struct Credentials {
    db: DatabaseConnection,
    public_url: Url,
    issuer_name: String,
    configured_key: Option<Secret>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("public_url", &self.public_url.as_str())
            .field("issuer_name", &self.issuer_name)
            .field("configured_key", &self.configured_key)
            .finish()
    }
}

/// A signed credential and the certificate it stands for.
#[derive(Clone, Debug)]
pub struct IssuedCredential {
    pub code: String,
    pub course_title: String,
    pub issued_at: OffsetDateTime,
    pub revoked: bool,
    pub document: Value,
}

/// How often one issue reads a fresh status list index after losing a race.
const INDEX_TRIES: u32 = 8;

impl Credentials {
    pub fn new(db: DatabaseConnection, config: &Config) -> Self {
        Self {
            db,
            public_url: config.public_url(),
            issuer_name: config.certificate_issuer.clone(),
            configured_key: config.credential_signing_key.clone(),
        }
    }

    /// At start-up: the signing key exists (generated once, or configured).
    pub async fn ensure_key(&self) -> Result<()> {
        keys::ensure(&self.db, self.configured_key.as_ref()).await
    }

    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.as_str().trim_end_matches('/'))
    }

    pub fn status_list_url(&self) -> String {
        self.link(&format!("/api/v1/credentials/status/{}", status::LIST_ID))
    }

    /// The credential of a completed enrolment's certificate, signed once:
    /// the work of the `course_completed` job after the certificate.
    pub async fn issue(&self, enrolment_id: Uuid) -> Result<()> {
        let db = &self.db;
        let Some(cert) = certificate::Entity::find()
            .filter(certificate::Column::EnrolmentId.eq(enrolment_id))
            .one(db)
            .await?
        else {
            return Ok(());
        };
        if credential::Entity::find_by_id(cert.id)
            .one(db)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let Some(u) = user::Entity::find_by_id(cert.user_id).one(db).await? else {
            return Ok(());
        };
        let c = course::Entity::find_by_id(cert.course_id)
            .one(db)
            .await?
            .ok_or(Error::NotFound { what: "course" })?;
        let summary = course_translation::Entity::find_by_id((c.id, cert.locale.clone()))
            .one(db)
            .await?
            .map(|t| t.summary)
            .unwrap_or_default();
        let themes: Vec<String> = course_theme::Entity::find()
            .filter(course_theme::Column::CourseId.eq(c.id))
            .all(db)
            .await?
            .into_iter()
            .map(|t| t.theme)
            .collect();
        let key = keys::active(db, self.configured_key.as_ref()).await?;
        let public = key.public_multibase();
        let (did, method) = did::signer_ids(&self.public_url, &key.name, &public);
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).expect("the operating system has randomness");
        let salt = hex::encode(salt);
        let locale = cert.locale.parse().unwrap_or(crate::domain::Locale::En);
        let status_url = self.status_list_url();
        // The index in the revocation status list is the next free one. Two
        // workers may read the same one; the unique index refuses the second
        // insert, and that worker signs again with the next free index.
        // Signing takes milliseconds, so a collision needs two completions
        // within them, and a few tries always suffice.
        for attempt in 0..INDEX_TRIES {
            let next_index = credential::Entity::find()
                .select_only()
                .column_as(credential::Column::StatusIndex.max(), "max")
                .into_tuple::<Option<i32>>()
                .one(db)
                .await?
                .flatten()
                .map_or(0, |m| m + 1);
            if next_index as u32 >= status::LIST_BITS {
                return Err(Error::Internal("the revocation status list is full".into()));
            }
            let facts = badge::BadgeFacts {
                credential_id: format!("urn:uuid:{}", cert.id),
                issuer_did: &did,
                issuer_name: &self.issuer_name,
                issuer_url: &self.link("/"),
                achievement_id: self.link(&crate::links::course(&c.slug)),
                course_title: &cert.course_title,
                course_summary: &summary,
                locale,
                duration_minutes: cert.duration_minutes.max(0) as u32,
                themes: &themes,
                image_url: self.link("/credentials/badge.svg"),
                holder_name: &cert.holder_name,
                holder_email: &u.email,
                salt: &salt,
                valid_from: cert.completed_at,
                valid_until: None,
                status_list_url: &status_url,
                status_index: next_index as u32,
            };
            let now = OffsetDateTime::now_utc();
            let signed = proof::sign(badge::credential(&facts), &key, &method, now).await?;
            let inserted = credential::Entity::insert(credential::ActiveModel {
                certificate_id: Set(cert.id),
                status_index: Set(next_index),
                document: Set(signed.to_string()),
                issued_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(credential::Column::CertificateId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await;
            match inserted {
                Ok(_) => return Ok(()),
                // Another worker took this index between the read and the
                // insert (the signature takes a while): sign again with the next.
                Err(e)
                    if matches!(
                        e.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    ) =>
                {
                    tracing::debug!(
                        attempt,
                        "status list index taken meanwhile; trying the next"
                    );
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Internal(
            "no free status list index after several tries; the job retries".into(),
        ))
    }

    async fn issued(&self, cert: certificate::Model) -> Result<Option<IssuedCredential>> {
        let Some(row) = credential::Entity::find_by_id(cert.id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let document = serde_json::from_str(&row.document)
            .map_err(|e| Error::Internal(format!("a stored credential is not JSON: {e}")))?;
        Ok(Some(IssuedCredential {
            code: cert.code,
            course_title: cert.course_title,
            issued_at: row.issued_at,
            revoked: cert.revoked_at.is_some(),
            document,
        }))
    }

    /// The credentials of one learner, newest first.
    pub async fn for_user(&self, user_id: Uuid) -> Result<Vec<IssuedCredential>> {
        let certs = certificate::Entity::find()
            .filter(certificate::Column::UserId.eq(user_id))
            .order_by_desc(certificate::Column::IssuedAt)
            .all(&self.db)
            .await?;
        let mut out = Vec::with_capacity(certs.len());
        for c in certs {
            out.extend(self.issued(c).await?);
        }
        Ok(out)
    }

    /// The credential of a certificate, for its holder or an admin; anyone
    /// else is told it does not exist. Not yet signed: unavailable.
    pub async fn by_code(&self, user_id: Uuid, role: Role, code: &str) -> Result<IssuedCredential> {
        let not_found = Error::NotFound { what: "credential" };
        let code = normalize_code(code).ok_or(Error::NotFound { what: "credential" })?;
        let cert = certificate::Entity::find()
            .filter(certificate::Column::Code.eq(code))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "credential" })?;
        if cert.user_id != user_id && role != Role::Admin {
            return Err(not_found);
        }
        self.issued(cert).await?.ok_or(Error::Unavailable {
            what: "the credential (it is being prepared)",
        })
    }

    async fn revoked_indices(&self) -> Result<Vec<u32>> {
        let revoked: Vec<Uuid> = certificate::Entity::find()
            .select_only()
            .column(certificate::Column::Id)
            .filter(certificate::Column::RevokedAt.is_not_null())
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut rows: Vec<i32> = Vec::new();
        for chunk in revoked.chunks(500) {
            rows.extend(
                credential::Entity::find()
                    .select_only()
                    .column(credential::Column::StatusIndex)
                    .filter(credential::Column::CertificateId.is_in(chunk.iter().copied()))
                    .into_tuple::<i32>()
                    .all(&self.db)
                    .await?,
            );
        }
        Ok(rows.into_iter().map(|i| i.max(0) as u32).collect())
    }

    /// The signed status list credential; `id` other than list 1 is not found.
    pub async fn status_list(&self, id: &str) -> Result<Value> {
        if id != status::LIST_ID {
            return Err(Error::NotFound {
                what: "status list",
            });
        }
        let key = keys::active(&self.db, self.configured_key.as_ref()).await?;
        let (did, method) = did::signer_ids(&self.public_url, &key.name, &key.public_multibase());
        let now = OffsetDateTime::now_utc();
        let list = status::credential(
            &self.status_list_url(),
            &did,
            &self.revoked_indices().await?,
            now,
        );
        proof::sign(list, &key, &method, now).await
    }

    /// The `did:web` document, or not found when the issuer is a `did:key`.
    pub async fn did_document(&self) -> Result<Value> {
        let keys = keys::all(&self.db).await?;
        did::document(&self.public_url, &keys).ok_or(Error::NotFound {
            what: "DID document",
        })
    }

    /// Agora's own verdict on a posted credential: valid, revoked, or not
    /// valid and why.
    pub async fn verify(&self, document: &Value) -> Result<Verdict> {
        verify::verdict(self, document).await
    }
}
