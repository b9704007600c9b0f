//! Certificates: public verification, the holder's list and download, and
//! revocation by admins.

use crate::api::download::{Download, Pdf};
use agora_core::certificates;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, Tags, param::Path, payload::Json};
use time::OffsetDateTime;

use super::{
    auth::{Auth, require_admin},
    error::ApiError,
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Certificates of completion and their public verification.
    Certificates,
}

pub struct CertificatesApi;

/// What anyone may learn from a verification code.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PublicCertificate {
    code: String,
    /// `valid` or `revoked`.
    status: String,
    holder_name: String,
    course_title: String,
    course_slug: String,
    /// The locale the certificate was issued in.
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    locale: String,
    completed_at: OffsetDateTime,
    issued_at: OffsetDateTime,
    /// Estimated hours of study.
    hours: f64,
    revoked_at: Option<OffsetDateTime>,
    /// The cohort a cohort certificate names; absent on a course certificate.
    cohort_title: Option<String>,
    cohort_slug: Option<String>,
    /// The public page of this certificate.
    verify_url: String,
}

/// A certificate as its holder sees it.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MyCertificate {
    #[oai(flatten)]
    public: PublicCertificate,
    revocation_reason: Option<String>,
    /// False while the PDF is being prepared.
    ready: bool,
    /// API path of the PDF.
    download_path: String,
}

#[derive(Object)]
struct Revocation {
    /// Why the certificate no longer stands (kept for the record; shown to the holder and admins).
    #[oai(validator(min_length = 1, max_length = 1000, pattern = r"\S"))]
    reason: String,
}

fn public(state: &AppState, v: &certificates::Verification) -> PublicCertificate {
    let base = state.config.public_url();
    PublicCertificate {
        code: v.code.clone(),
        status: if v.is_valid() { "valid" } else { "revoked" }.into(),
        holder_name: v.holder_name.clone(),
        course_title: v.course_title.clone(),
        course_slug: v.course_slug.clone(),
        locale: v.locale.as_str().into(),
        completed_at: v.completed_at,
        issued_at: v.issued_at,
        hours: (f64::from(v.duration_minutes) / 6.0).round() / 10.0,
        revoked_at: v.revoked_at,
        cohort_title: v.cohort.as_ref().map(|c| c.title.clone()),
        cohort_slug: v.cohort.as_ref().map(|c| c.slug.clone()),
        verify_url: format!(
            "{}/certificates/{}",
            base.as_str().trim_end_matches('/'),
            v.code
        ),
    }
}

fn mine(state: &AppState, v: certificates::Verification) -> MyCertificate {
    MyCertificate {
        public: public(state, &v),
        download_path: format!("/api/v1/me/certificates/{}/pdf", v.code),
        revocation_reason: v.revocation_reason,
        ready: v.ready,
    }
}

#[OpenApi(tag = "ApiTags::Certificates")]
impl CertificatesApi {
    /// Verify a certificate
    ///
    /// Anyone may check a code: the answer names the holder, the course, the
    /// date and whether the certificate still stands. Unknown codes are 404.
    #[oai(
        path = "/certificates/:code",
        method = "get",
        operation_id = "verify_certificate"
    )]
    async fn verify(
        &self,
        state: Data<&AppState>,
        code: Path<String>,
    ) -> Result<Json<PublicCertificate>, ApiError> {
        let v = certificates::verify(&state.db, &code).await?;
        Ok(Json(public(&state, &v)))
    }

    /// Your certificates
    #[oai(
        path = "/me/certificates",
        method = "get",
        operation_id = "my_certificates"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<MyCertificate>>, ApiError> {
        let all = certificates::for_user(&state.db, auth.principal().user_id).await?;
        Ok(Json(all.into_iter().map(|v| mine(&state, v)).collect()))
    }

    /// Download one of your certificates as a PDF
    ///
    /// Only the holder (or an admin) may download it; anyone else gets 404.
    /// While the PDF is still being prepared the answer is 503.
    #[oai(
        path = "/me/certificates/:code/pdf",
        method = "get",
        operation_id = "download_certificate"
    )]
    async fn download(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        code: Path<String>,
    ) -> Result<Download<Pdf>, ApiError> {
        let p = auth.principal();
        let (name, bytes) =
            certificates::pdf(&state.db, &state.storage, p.user_id, p.role, &code).await?;
        Ok(Download::new(
            bytes,
            "application/pdf",
            format!("attachment; filename=\"{name}\""),
            Some("private, no-store"),
        ))
    }

    /// Revoke a certificate (admins)
    ///
    /// The public verification then shows it as revoked. Revoking again keeps
    /// the first reason and date.
    #[oai(
        path = "/admin/certificates/:code/revocation",
        method = "post",
        operation_id = "revoke_certificate"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        code: Path<String>,
        body: Json<Revocation>,
    ) -> Result<Json<MyCertificate>, ApiError> {
        require_admin(&auth)?;
        let v = certificates::revoke(&state.db, &state.cache, &code, &body.reason).await?;
        tracing::info!(code = %v.code, admin = %auth.principal().user_id, "certificate revoked");
        Ok(Json(mine(&state, v)))
    }
}
