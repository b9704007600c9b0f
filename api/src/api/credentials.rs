//! Open Badges 3.0 credentials: the holder's, one by certificate code, the
//! revocation status list, and a check of any posted credential.

use crate::api::download::{BadgeImage, Download};
use agora_core::credentials::{IssuedCredential, Verdict, bake};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, param::Path, payload::Json};
use serde_json::Value;
use time::OffsetDateTime;

use super::{auth::Auth, error::ApiError};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Open Badges 3.0 verifiable credentials of certificates.
    Credentials,
}

pub struct CredentialsApi;

/// A credential as its holder sees it.
#[derive(Object)]
struct MyCredential {
    /// The certificate's verification code.
    code: String,
    course_title: String,
    issued_at: OffsetDateTime,
    /// `valid` or `revoked`.
    status: String,
    /// API path of the credential alone, as JSON-LD.
    download_path: String,
    /// The signed `OpenBadgeCredential` (W3C Verifiable Credential 2.0).
    credential: Value,
}

fn mine(c: IssuedCredential) -> MyCredential {
    MyCredential {
        download_path: format!("/api/v1/me/credentials/{}", c.code),
        status: if c.revoked { "revoked" } else { "valid" }.into(),
        code: c.code,
        course_title: c.course_title,
        issued_at: c.issued_at,
        credential: c.document,
    }
}

/// Agora's verdict on a credential.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CredentialCheck {
    /// `valid`, `revoked` or `invalid`.
    status: String,
    /// Why it is not valid, for a person.
    reason: Option<String>,
}

#[derive(ApiResponse)]
enum CredentialFile {
    /// The signed credential.
    #[oai(status = 200)]
    Ok(
        Json<Value>,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

#[derive(ApiResponse)]
enum StatusList {
    /// The signed `BitstringStatusListCredential`; cache it for `max-age`.
    #[oai(status = 200)]
    Ok(Json<Value>, #[oai(header = "Cache-Control")] String),
}

/// `png` or `svg`.
#[derive(poem_openapi::Enum, Clone, Copy)]
#[oai(rename_all = "lowercase")]
enum ImageFormat {
    Png,
    Svg,
}

#[OpenApi(tag = "ApiTags::Credentials")]
impl CredentialsApi {
    /// Your credentials
    ///
    /// One Open Badges 3.0 credential per certificate, signed once the
    /// certificate is issued.
    #[oai(
        path = "/me/credentials",
        method = "get",
        operation_id = "my_credentials"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<MyCredential>>, ApiError> {
        let all = state.credentials.for_user(auth.principal().user_id).await?;
        Ok(Json(all.into_iter().map(mine).collect()))
    }

    /// One credential, by its certificate's code
    ///
    /// Only the holder (or an admin) may read it; anyone else gets 404.
    /// While it is being signed the answer is 503.
    #[oai(
        path = "/me/credentials/:code",
        method = "get",
        operation_id = "credential_by_code"
    )]
    async fn by_code(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        code: Path<String>,
    ) -> Result<CredentialFile, ApiError> {
        let p = auth.principal();
        let c = state.credentials.by_code(p.user_id, p.role, &code).await?;
        Ok(CredentialFile::Ok(
            Json(c.document),
            format!("attachment; filename=\"agora-credential-{}.json\"", c.code),
            "private, no-store".into(),
        ))
    }

    /// One credential baked into a badge image
    ///
    /// A PNG (the credential in an `iTXt` chunk, keyword
    /// `openbadgecredential`) or an SVG (an `openbadges:credential`
    /// element), as the Open Badges 3.0 baking rules say. Holder or admin only.
    #[oai(
        path = "/me/credentials/:code/badge/:format",
        method = "get",
        operation_id = "baked_credential"
    )]
    async fn baked(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        code: Path<String>,
        format: Path<ImageFormat>,
    ) -> Result<Download<BadgeImage>, ApiError> {
        let p = auth.principal();
        let c = state.credentials.by_code(p.user_id, p.role, &code).await?;
        let json = c.document.to_string();
        let (bytes, mime, ext) = match format.0 {
            ImageFormat::Png => (bake::png(&json), "image/png", "png"),
            ImageFormat::Svg => (bake::svg(&json).into_bytes(), "image/svg+xml", "svg"),
        };
        Ok(Download::new(
            bytes,
            mime,
            format!("attachment; filename=\"agora-badge-{}.{ext}\"", c.code),
            Some("private, no-store"),
        ))
    }

    /// Check a credential
    ///
    /// Anyone may post a credential: the answer says whether Agora signed it
    /// and it still stands (`valid`), was revoked since (`revoked`), or is not
    /// to be trusted (`invalid`, with the reason: changed after signing,
    /// another key, expired, ...).
    #[oai(
        path = "/credentials/verify",
        method = "post",
        operation_id = "verify_credential"
    )]
    async fn verify(
        &self,
        state: Data<&AppState>,
        body: Json<Value>,
    ) -> Result<Json<CredentialCheck>, ApiError> {
        let (status, reason) = match state.credentials.verify(&body).await? {
            Verdict::Valid => ("valid", None),
            Verdict::Revoked => ("revoked", None),
            Verdict::Invalid { reason, .. } => ("invalid", Some(reason)),
        };
        Ok(Json(CredentialCheck {
            status: status.into(),
            reason,
        }))
    }

    /// The revocation status list
    ///
    /// A signed Bitstring Status List credential; a revocation shows within
    /// its `max-age`.
    #[oai(
        path = "/credentials/status/:id",
        method = "get",
        operation_id = "credential_status_list"
    )]
    async fn status_list(
        &self,
        state: Data<&AppState>,
        id: Path<String>,
    ) -> Result<StatusList, ApiError> {
        let list = state.credentials.status_list(&id).await?;
        Ok(StatusList::Ok(
            Json(list),
            format!(
                "public, max-age={}",
                agora_core::credentials::status::MAX_AGE_SECONDS
            ),
        ))
    }
}

/// `/.well-known/did.json`: the issuer's `did:web` document, listing every
/// key that ever signed. Not found when the public address is not https
/// (credentials then name a `did:key`, which needs no document).
#[poem::handler]
pub async fn did_document(state: Data<&AppState>) -> poem::Response {
    use poem::IntoResponse;
    match state.credentials.did_document().await {
        Ok(doc) => poem::web::Json(doc)
            .with_content_type("application/did+json")
            .with_header("Cache-Control", "public, max-age=300")
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The image every achievement points to.
#[poem::handler]
pub fn badge_image() -> poem::Response {
    use poem::IntoResponse;
    BADGE_SVG
        .with_content_type("image/svg+xml")
        .with_header("Cache-Control", "public, max-age=86400")
        .into_response()
}

const BADGE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" role="img" aria-label="Agora certificate badge"><circle cx="128" cy="128" r="120" fill="#1f4e79"/><circle cx="128" cy="128" r="96" fill="none" stroke="#f2c14e" stroke-width="8"/><path d="M88 132l28 28 52-64" fill="none" stroke="#ffffff" stroke-width="16" stroke-linecap="round" stroke-linejoin="round"/></svg>"##;
