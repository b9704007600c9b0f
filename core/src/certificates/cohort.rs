//! Cohort certificates: issued once per member who completes a cohort, in
//! addition to the course certificate. Same PDF (naming the cohort), same
//! storage, same public verification by code; kept in their own table as
//! they stand for a cohort, not an enrolment.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Expr, OnConflict},
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{CohortNamed, Verification, held, new_code, normalize_code};
use crate::{
    Error, Result,
    accounts::Role,
    addressee::{course_title, locale_of, mailbox},
    domain::Locale,
    entities::{cohort, cohort_certificate, course, user},
    links,
    mail::{
        delivery::{self, Outgoing},
        templates::{self, CohortCertificateEmail},
    },
    outbound::Outbound,
};

pub fn storage_key(code: &str) -> String {
    format!("certificates/cohorts/{code}.pdf")
}

async fn verification(
    db: &impl ConnectionTrait,
    c: cohort_certificate::Model,
) -> Result<Verification> {
    let course_slug = course::Entity::find_by_id(c.course_id)
        .one(db)
        .await?
        .map(|c| c.slug)
        .unwrap_or_default();
    let cohort_slug = cohort::Entity::find_by_id(c.cohort_id)
        .one(db)
        .await?
        .map(|c| c.slug)
        .unwrap_or_default();
    Ok(Verification {
        code: c.code,
        holder_name: c.holder_name,
        course_title: c.course_title,
        course_slug,
        locale: c.locale.parse().unwrap_or(Locale::En),
        completed_at: c.completed_at,
        issued_at: c.issued_at,
        duration_minutes: c.duration_minutes.max(0) as u32,
        revoked_at: c.revoked_at,
        revocation_reason: c.revocation_reason,
        ready: c.stored_at.is_some(),
        organisation: c.organisation_name,
        cohort: Some(CohortNamed {
            title: c.cohort_title,
            slug: cohort_slug,
        }),
    })
}

pub(super) async fn by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<cohort_certificate::Model> {
    let nf = || Error::NotFound {
        what: "certificate",
    };
    let code = normalize_code(code).ok_or_else(nf)?;
    cohort_certificate::Entity::find()
        .filter(cohort_certificate::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or_else(nf)
}

pub(super) async fn verify(db: &DatabaseConnection, code: &str) -> Result<Verification> {
    verification(db, by_code(db, code).await?).await
}

pub(super) async fn for_user(db: &DatabaseConnection, user_id: Uuid) -> Result<Vec<Verification>> {
    let rows = cohort_certificate::Entity::find()
        .filter(cohort_certificate::Column::UserId.eq(user_id))
        .order_by_desc(cohort_certificate::Column::IssuedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        out.push(verification(db, c).await?);
    }
    Ok(out)
}

/// Revokes a cohort certificate (the first record stays); its holder.
pub(super) async fn revoke(db: &DatabaseConnection, code: &str, reason: &str) -> Result<Uuid> {
    let c = by_code(db, code).await?;
    cohort_certificate::Entity::update_many()
        .col_expr(
            cohort_certificate::Column::RevokedAt,
            Expr::value(Some(OffsetDateTime::now_utc())),
        )
        .col_expr(
            cohort_certificate::Column::RevocationReason,
            Expr::value(Some(reason.to_owned())),
        )
        .filter(cohort_certificate::Column::Id.eq(c.id))
        .filter(cohort_certificate::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(c.user_id)
}

/// The PDF, for its holder or an admin.
pub(super) async fn pdf(
    db: &DatabaseConnection,
    storage: &crate::storage::Storage,
    user_id: Uuid,
    role: Role,
    code: &str,
) -> Result<(String, Vec<u8>)> {
    let c = by_code(db, code).await?;
    if c.user_id != user_id && role != Role::Admin {
        return Err(Error::NotFound {
            what: "certificate",
        });
    }
    if c.stored_at.is_none() {
        return Err(Error::Unavailable {
            what: "the certificate (it is being prepared)",
        });
    }
    let bytes = storage
        .get(&c.storage_key)
        .await?
        .ok_or_else(|| Error::backend("storage", format!("{} is missing", c.storage_key)))?;
    Ok((format!("agora-certificate-{}.pdf", c.code), bytes))
}

/// The cohort's title in `locale`, else in one of its locales.
fn title_in(c: &cohort::Model, locale: Locale) -> (Locale, String) {
    let titles: BTreeMap<String, String> =
        serde_json::from_value(c.titles.clone()).unwrap_or_default();
    if let Some(t) = titles.get(locale.as_str()) {
        return (locale, t.clone());
    }
    let locales: Vec<String> = serde_json::from_value(c.locales.clone()).unwrap_or_default();
    for l in locales.iter().map(String::as_str).chain(["en", "fr", "es"]) {
        if let (Some(t), Ok(l)) = (titles.get(l), l.parse::<Locale>()) {
            return (l, t.clone());
        }
    }
    (locale, c.slug.clone())
}

/// The work of a `cohort_completed` job: the certificate row (once), then
/// its PDF in storage (until stored), then one mail to the member in their
/// language (keyed by the certificate). Each step is skipped when an earlier
/// run did it, so the job may run any number of times.
pub async fn issue(
    o: &Outbound,
    cache: &crate::cache::Cache,
    cohort_id: Uuid,
    user_id: Uuid,
) -> Result<()> {
    let db = &o.db;
    let (Some(k), Some(u)) = (
        cohort::Entity::find_by_id(cohort_id).one(db).await?,
        user::Entity::find_by_id(user_id).one(db).await?,
    ) else {
        // Deleted since: nothing to certify.
        return Ok(());
    };
    let c = course::Entity::find_by_id(k.course_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "course" })?;
    let (locale, cohort_title) = title_in(&k, locale_of(&u));
    let (_, title) = course_title(db, &c, locale).await?;
    let organisation = crate::reports::organisation_named(db, u.id, locale).await?;
    let code = new_code();
    let now = OffsetDateTime::now_utc();
    let inserted = cohort_certificate::Entity::insert(cohort_certificate::ActiveModel {
        id: Set(Uuid::new_v4()),
        code: Set(code.clone()),
        cohort_id: Set(k.id),
        user_id: Set(u.id),
        course_id: Set(c.id),
        holder_name: Set(u.display_name.clone()),
        cohort_title: Set(cohort_title.chars().take(300).collect()),
        course_title: Set(title.chars().take(300).collect()),
        locale: Set(locale.as_str().into()),
        duration_minutes: Set(c.duration_minutes),
        completed_at: Set(now),
        issued_at: Set(now),
        storage_key: Set(storage_key(&code)),
        stored_at: Set(None),
        revoked_at: Set(None),
        revocation_reason: Set(None),
        organisation_name: Set(organisation),
    })
    .on_conflict(
        OnConflict::columns([
            cohort_certificate::Column::CohortId,
            cohort_certificate::Column::UserId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted > 0 {
        super::count_issued("cohort");
    }
    // Whoever inserted first, this is the member's one certificate.
    let cert = cohort_certificate::Entity::find()
        .filter(cohort_certificate::Column::CohortId.eq(k.id))
        .filter(cohort_certificate::Column::UserId.eq(u.id))
        .one(db)
        .await?
        .ok_or_else(|| Error::Internal("the cohort certificate row vanished".into()))?;
    if cert.stored_at.is_none() {
        store(o, cache, &cert).await?;
    }
    mail(o, &u, &c, &k, &cert).await
}

/// Renders the certificate's PDF and stores it.
async fn store(
    o: &Outbound,
    cache: &crate::cache::Cache,
    cert: &cohort_certificate::Model,
) -> Result<()> {
    let (db, u_id) = (&o.db, cert.user_id);
    held::refresh(db, cache, u_id).await?;
    let text = super::pdf::CertificateText {
        holder_name: cert.holder_name.clone(),
        organisation: cert.organisation_name.clone(),
        course_title: cert.course_title.clone(),
        cohort_title: Some(cert.cohort_title.clone()),
        locale: cert.locale.parse().unwrap_or(Locale::En),
        completed_on: cert.completed_at.date(),
        duration_minutes: cert.duration_minutes.max(0) as u32,
        issuer: o.issuer.clone(),
        code: cert.code.clone(),
        verify_url: o.link(&links::certificate(&cert.code)),
    };
    let rendered = tokio::task::spawn_blocking(move || super::pdf::render_checked(&text))
        .await
        .map_err(|e| Error::Internal(format!("the PDF renderer stopped: {e}")))??;
    o.storage
        .put(&cert.storage_key, rendered.bytes, "application/pdf")
        .await?;
    cohort_certificate::Entity::update_many()
        .col_expr(
            cohort_certificate::Column::StoredAt,
            Expr::value(Some(OffsetDateTime::now_utc())),
        )
        .filter(cohort_certificate::Column::Id.eq(cert.id))
        .exec(db)
        .await?;
    held::refresh(db, cache, u_id).await?;
    Ok(())
}

/// Tells the member, once, in their language, that the certificate is ready.
async fn mail(
    o: &Outbound,
    u: &user::Model,
    c: &course::Model,
    k: &cohort::Model,
    cert: &cohort_certificate::Model,
) -> Result<()> {
    let locale = locale_of(u);
    let (_, cohort_title) = title_in(k, locale);
    let (_, course) = course_title(&o.db, c, locale).await?;
    let rendered = templates::render(
        locale,
        &CohortCertificateEmail {
            name: u.display_name.clone(),
            cohort: cohort_title,
            course_title: course,
            certificate_link: o.link(&links::certificate(&cert.code)),
            code: cert.code.clone(),
        },
    )?;
    delivery::deliver(
        &o.db,
        &o.mailer,
        Outgoing {
            key: format!("cohort-certificate:{}", cert.id),
            user_id: Some(u.id),
            to: mailbox(u)?,
            rendered,
            unsubscribe: None,
        },
    )
    .await?;
    Ok(())
}
