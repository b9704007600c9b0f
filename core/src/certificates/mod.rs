//! Certificates: issued once per completed enrolment, stored as a PDF through
//! the storage port, verifiable by anyone with the code, revocable by admins.

mod canvas;
pub mod cohort;
pub mod fonts;
mod held;
pub mod pdf;
mod shaping;
mod wording;

pub use held::{held_by, refresh as refresh_held};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Expr, OnConflict},
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Error, Result,
    accounts::Role,
    addressee::{course_title, locale_of, mailbox},
    domain::Locale,
    entities::{certificate, course, enrolment, user},
    links,
    mail::{
        delivery::{self, Outgoing},
        templates::{self, Completed},
    },
    outbound::Outbound,
};

/// Crockford's base32: no I, L, O or U, so a code read aloud or retyped
/// survives.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new verification code: 100 random bits as four groups of five
/// characters, `7K2QF-M9XRT-0VD4C-HN8JW`. Unguessable, and short enough to type.
pub fn new_code() -> String {
    let mut bytes = [0u8; 13];
    getrandom::fill(&mut bytes).expect("the operating system has randomness");
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    let mut out = String::with_capacity(23);
    for i in 0..20 {
        if i > 0 && i % 5 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[((bits >> (i * 5)) & 31) as usize] as char);
    }
    out
}

/// Reads a code as a person might type it: any case, with or without
/// dashes or spaces, O for 0 and I or L for 1. `None` when it cannot be a code.
pub fn normalize_code(input: &str) -> Option<String> {
    let mut chars = Vec::with_capacity(20);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
            _ => return None,
        };
        if chars.len() == 20 {
            return None;
        }
        chars.push(c);
    }
    if chars.len() != 20 {
        return None;
    }
    Some(
        chars
            .chunks(5)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-"),
    )
}

pub fn storage_key(code: &str) -> String {
    format!("certificates/{code}.pdf")
}

/// The public face of a certificate.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Verification {
    pub code: String,
    pub holder_name: String,
    pub course_title: String,
    pub course_slug: String,
    pub locale: Locale,
    pub completed_at: OffsetDateTime,
    pub issued_at: OffsetDateTime,
    pub duration_minutes: u32,
    pub revoked_at: Option<OffsetDateTime>,
    /// Shown to admins and the holder only.
    pub revocation_reason: Option<String>,
    /// The PDF is stored and can be downloaded.
    pub ready: bool,
    /// The holder's organisation named on the certificate, if any.
    pub organisation: Option<String>,
    /// The cohort a cohort certificate names; `None` for a course certificate.
    #[serde(default)]
    pub cohort: Option<CohortNamed>,
}

/// The cohort a certificate names.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CohortNamed {
    pub title: String,
    pub slug: String,
}

impl Verification {
    pub fn is_valid(&self) -> bool {
        self.revoked_at.is_none()
    }
}

async fn verification(db: &impl ConnectionTrait, c: certificate::Model) -> Result<Verification> {
    let slug = course::Entity::find_by_id(c.course_id)
        .one(db)
        .await?
        .map(|c| c.slug)
        .unwrap_or_default();
    Ok(Verification {
        code: c.code,
        holder_name: c.holder_name,
        course_title: c.course_title,
        course_slug: slug,
        locale: c.locale.parse().unwrap_or(Locale::En),
        completed_at: c.completed_at,
        issued_at: c.issued_at,
        duration_minutes: c.duration_minutes.max(0) as u32,
        revoked_at: c.revoked_at,
        revocation_reason: c.revocation_reason,
        ready: c.stored_at.is_some(),
        organisation: c.organisation_name,
        cohort: None,
    })
}

/// `Ok(None)` when no course certificate has the code: it may be a cohort's.
fn absent<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<certificate::Model> {
    let code = normalize_code(code).ok_or(Error::NotFound {
        what: "certificate",
    })?;
    certificate::Entity::find()
        .filter(certificate::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or(Error::NotFound {
            what: "certificate",
        })
}

/// Anyone may check a code. An unknown or malformed code is simply not found.
pub async fn verify(db: &DatabaseConnection, code: &str) -> Result<Verification> {
    match absent(by_code(db, code).await)? {
        Some(c) => verification(db, c).await,
        None => cohort::verify(db, code).await,
    }
}

/// Revokes a certificate with a reason. Revoking twice keeps the first record.
pub async fn revoke(
    db: &DatabaseConnection,
    cache: &crate::cache::Cache,
    code: &str,
    reason: &str,
) -> Result<Verification> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 1_000 {
        return Err(Error::invalid(
            "reason",
            "give a reason of 1 to 1,000 characters",
        ));
    }
    let Some(c) = absent(by_code(db, code).await)? else {
        let holder = cohort::revoke(db, code, reason).await?;
        held::refresh(db, cache, holder).await?;
        return verify(db, code).await;
    };
    certificate::Entity::update_many()
        .col_expr(
            certificate::Column::RevokedAt,
            Expr::value(Some(OffsetDateTime::now_utc())),
        )
        .col_expr(
            certificate::Column::RevocationReason,
            Expr::value(Some(reason.to_owned())),
        )
        .filter(certificate::Column::Id.eq(c.id))
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    held::refresh(db, cache, c.user_id).await?;
    verify(db, &c.code).await
}

/// The certificates of one learner, newest first.
pub async fn for_user(db: &DatabaseConnection, user_id: Uuid) -> Result<Vec<Verification>> {
    let rows = certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user_id))
        .order_by_desc(certificate::Column::IssuedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        out.push(verification(db, c).await?);
    }
    out.extend(cohort::for_user(db, user_id).await?);
    out.sort_by_key(|c| std::cmp::Reverse(c.issued_at));
    Ok(out)
}

/// The PDF, for its holder or an admin; anyone else is told it does not exist.
pub async fn pdf(
    db: &DatabaseConnection,
    storage: &crate::storage::Storage,
    user_id: Uuid,
    role: Role,
    code: &str,
) -> Result<(String, Vec<u8>)> {
    let Some(c) = absent(by_code(db, code).await)? else {
        return cohort::pdf(db, storage, user_id, role, code).await;
    };
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

/// Logs a warning for each certificate font file that is not installed.
pub fn warn_missing_fonts() {
    let missing = fonts::missing_files();
    if !missing.is_empty() {
        tracing::warn!(
            missing = %missing.join(" "),
            searched = %fonts::search_dirs().iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(":"),
            "certificate fonts are missing: names in some scripts will print in a fallback font; install {} or set AGORA_FONT_DIR",
            fonts::PACKAGES
        );
    }
}

/// Counts a certificate issued for `/metrics`: `course` or `cohort`.
pub(crate) fn count_issued(kind: &str) {
    crate::metrics::get()
        .certificates_issued
        .get_or_create(&crate::metrics::KindLabels { kind: kind.into() })
        .inc();
}

/// The work of a `course_completed` job: the certificate row (once), its PDF
/// in storage (until stored), and the congratulations mail (once). Each step
/// is skipped when an earlier run did it, so the job may run any number of times.
pub async fn issue(o: &Outbound, cache: &crate::cache::Cache, enrolment_id: Uuid) -> Result<()> {
    let db = &o.db;
    let Some(e) = enrolment::Entity::find_by_id(enrolment_id).one(db).await? else {
        // The account was deleted since: nothing to certify.
        return Ok(());
    };
    let Some(completed_at) = e.completed_at else {
        return Ok(());
    };
    let u = user::Entity::find_by_id(e.user_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "user" })?;
    let c = course::Entity::find_by_id(e.course_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound { what: "course" })?;
    let user_locale = locale_of(&u);
    let (locale, title) = course_title(db, &c, user_locale).await?;

    let organisation = crate::reports::organisation_named(db, u.id, locale).await?;
    let code = new_code();
    let txn = crate::db::begin_write(db).await?;
    let inserted = certificate::Entity::insert(certificate::ActiveModel {
        id: Set(Uuid::new_v4()),
        code: Set(code.clone()),
        enrolment_id: Set(e.id),
        user_id: Set(u.id),
        course_id: Set(c.id),
        holder_name: Set(u.display_name.clone()),
        course_title: Set(title.chars().take(300).collect()),
        locale: Set(locale.as_str().into()),
        duration_minutes: Set(c.duration_minutes),
        completed_at: Set(completed_at),
        issued_at: Set(OffsetDateTime::now_utc()),
        storage_key: Set(storage_key(&code)),
        stored_at: Set(None),
        revoked_at: Set(None),
        revocation_reason: Set(None),
        organisation_name: Set(organisation),
    })
    .on_conflict(
        OnConflict::column(certificate::Column::EnrolmentId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted > 0 {
        // The statement is written with the certificate: once.
        let subject = crate::xapi::emit::Subject::of(&e, &c);
        crate::xapi::emit::record(
            &txn,
            u.id,
            [crate::xapi::emit::certificate_earned(&subject, &code)],
        )
        .await?;
    }
    txn.commit().await?;
    if inserted > 0 {
        count_issued("course");
    }
    // Whoever inserted first, this is the one certificate of the enrolment.
    let cert = certificate::Entity::find()
        .filter(certificate::Column::EnrolmentId.eq(e.id))
        .one(db)
        .await?
        .ok_or_else(|| Error::Internal("the certificate row vanished".into()))?;

    let verify_url = o.link(&links::certificate(&cert.code));
    if cert.stored_at.is_none() {
        // "My learning" shows it at once, as being prepared.
        held::refresh(db, cache, u.id).await?;
        let text = pdf::CertificateText {
            holder_name: cert.holder_name.clone(),
            organisation: cert.organisation_name.clone(),
            course_title: cert.course_title.clone(),
            cohort_title: None,
            locale,
            completed_on: cert.completed_at.date(),
            duration_minutes: cert.duration_minutes.max(0) as u32,
            issuer: o.issuer.clone(),
            code: cert.code.clone(),
            verify_url: verify_url.clone(),
        };
        let rendered = tokio::task::spawn_blocking(move || pdf::render_checked(&text))
            .await
            .map_err(|e| Error::Internal(format!("the PDF renderer stopped: {e}")))??;
        // Never changed, but said: which field, which characters, not the text.
        for u in &rendered.undrawable {
            tracing::warn!(
                certificate = %cert.code,
                field = u.field,
                code_points = %u.code_points(),
                font = %u.font,
                "the certificate fonts cannot draw some characters; the text is printed unchanged in the nearest complete font, those characters as empty boxes (install fonts that have them, see AGORA_FONT_DIR)"
            );
        }
        let bytes = rendered.bytes;
        o.storage
            .put(&cert.storage_key, bytes, "application/pdf")
            .await?;
        certificate::Entity::update_many()
            .col_expr(
                certificate::Column::StoredAt,
                Expr::value(Some(OffsetDateTime::now_utc())),
            )
            .filter(certificate::Column::Id.eq(cert.id))
            .exec(db)
            .await?;
        held::refresh(db, cache, u.id).await?;
    }

    let rendered = templates::render(
        user_locale,
        &Completed {
            name: u.display_name.clone(),
            course_title: title,
            hours: templates::format_hours(user_locale, cert.duration_minutes.max(0) as u32),
            certificate_link: verify_url,
            code: cert.code.clone(),
        },
    )?;
    delivery::deliver(
        db,
        &o.mailer,
        Outgoing {
            key: format!("completed:{}", e.id),
            user_id: Some(u.id),
            to: mailbox(&u)?,
            rendered,
            unsubscribe: None,
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_well_formed_and_normalise() {
        let a = new_code();
        let b = new_code();
        assert_ne!(a, b);
        assert_eq!(a.len(), 23);
        assert_eq!(normalize_code(&a).as_deref(), Some(a.as_str()));
        let typed = a.to_lowercase().replace('-', " ");
        assert_eq!(normalize_code(&typed).as_deref(), Some(a.as_str()));
        assert_eq!(
            normalize_code("oooo0-iiiii-LLLLL-12345").as_deref(),
            Some("00000-11111-11111-12345")
        );
        for bad in [
            "",
            "ABC",
            "UUUUU-UUUUU-UUUUU-UUUUU",
            "<script>",
            &format!("{a}0"),
        ] {
            assert_eq!(normalize_code(bad), None, "{bad}");
        }
    }
}
