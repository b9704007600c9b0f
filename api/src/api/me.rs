//! The signed-in person: profile, tokens, "my learning", data export and deletion.

use agora_core::{accounts, domain::Locale};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags, param::Header, param::Path, param::Query, payload::Json,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    auth::{Auth, content_locales},
    cached_json::CachedJson,
    error::ApiError,
    learning::Progress,
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// The signed-in account.
    Me,
}

pub struct MeApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct Profile {
    id: Uuid,
    email: String,
    email_verified: bool,
    display_name: String,
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    locale: String,
    role: String,
    reminders_opt_out: bool,
    /// IANA time zone name (`Europe/Paris`); absent until chosen.
    time_zone: Option<String>,
    created_at: OffsetDateTime,
}

impl From<agora_core::accounts::Account> for Profile {
    fn from(u: agora_core::accounts::Account) -> Self {
        Profile {
            id: u.id,
            email: u.email,
            email_verified: u.email_verified_at.is_some(),
            display_name: u.display_name,
            locale: u.locale,
            role: u.role,
            reminders_opt_out: u.reminders_opt_out,
            time_zone: u.time_zone,
            created_at: u.created_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ProfileChange {
    #[oai(validator(max_length = 200))]
    display_name: Option<String>,
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    locale: Option<String>,
    /// Stop reminder emails about inactive courses.
    reminders_opt_out: Option<bool>,
    /// Your IANA time zone (`Europe/Paris`), for session times; empty clears it.
    time_zone: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct TokenInfo {
    id: Uuid,
    /// session or api
    kind: String,
    name: String,
    created_at: OffsetDateTime,
    last_used_at: Option<OffsetDateTime>,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct NewTokenRequest {
    /// 1–100 characters, not all spaces, no control characters.
    #[oai(validator(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    name: String,
    /// 1–365, default 90.
    #[oai(validator(minimum(value = "1"), maximum(value = "365")))]
    expires_in_days: Option<u32>,
}

#[derive(Object)]
struct NewToken {
    id: Uuid,
    /// Shown once: store it now.
    token: String,
    expires_at: OffsetDateTime,
}

#[derive(Object)]
struct DeleteRequest {
    #[oai(validator(max_length = 1024))]
    password: String,
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
struct MyCourse {
    slug: String,
    title: String,
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    locale: String,
    progress: Progress,
    /// API path of the lesson to continue with.
    #[serde(skip_serializing_if = "Option::is_none")]
    continue_path: Option<String>,
}

#[derive(ApiResponse)]
enum Created<T: poem_openapi::types::ToJSON> {
    #[oai(status = 201)]
    Created(Json<T>),
}

#[derive(ApiResponse)]
enum NoContent {
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
enum Export {
    /// Everything Agora holds about you.
    #[oai(status = 200)]
    Ok(
        Json<serde_json::Value>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

#[OpenApi(tag = "ApiTags::Me")]
impl MeApi {
    /// Your profile
    #[oai(path = "/me", method = "get", operation_id = "get_me")]
    async fn me(&self, state: Data<&AppState>, auth: Auth) -> Result<Json<Profile>, ApiError> {
        Ok(Json(
            accounts::get_user(&state.db, auth.principal().user_id)
                .await?
                .into(),
        ))
    }

    /// Change your name, locale or email preferences
    #[oai(path = "/me", method = "patch", operation_id = "update_me")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<ProfileChange>,
    ) -> Result<Json<Profile>, ApiError> {
        let locale = body
            .locale
            .as_deref()
            .map(|l| {
                l.parse::<Locale>()
                    .map_err(|e| agora_core::Error::invalid("locale", e))
            })
            .transpose()?;
        let change = accounts::ProfileChange {
            display_name: body.display_name.clone(),
            locale,
            reminders_opt_out: body.reminders_opt_out,
            time_zone: body.time_zone.clone(),
        };
        Ok(Json(
            accounts::update_profile(&state.db, &state.cache, auth.principal().user_id, change)
                .await?
                .into(),
        ))
    }

    /// Download everything Agora holds about you (JSON)
    #[oai(path = "/me/export", method = "get", operation_id = "export_me")]
    async fn export(&self, state: Data<&AppState>, auth: Auth) -> Result<Export, ApiError> {
        let data = accounts::export_data(&state.db, auth.principal().user_id).await?;
        Ok(Export::Ok(
            Json(data),
            "attachment; filename=\"agora-my-data.json\"".into(),
        ))
    }

    /// Delete your account and everything attached to it
    #[oai(path = "/me", method = "delete", operation_id = "delete_me")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<DeleteRequest>,
    ) -> Result<NoContent, ApiError> {
        accounts::delete_account(
            &state.db,
            &state.cache,
            auth.principal().user_id,
            &body.password,
        )
        .await?;
        Ok(NoContent::Done)
    }

    /// Your sessions and API tokens
    #[oai(path = "/me/tokens", method = "get", operation_id = "list_tokens")]
    async fn tokens(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<TokenInfo>>, ApiError> {
        let rows = accounts::list_tokens(&state.db, auth.principal().user_id).await?;
        Ok(Json(
            rows.into_iter()
                .map(|t| TokenInfo {
                    id: t.id,
                    kind: t.kind,
                    name: t.name,
                    created_at: t.created_at,
                    last_used_at: t.last_used_at,
                    expires_at: t.expires_at,
                    revoked_at: t.revoked_at,
                })
                .collect(),
        ))
    }

    /// Create an API token
    #[oai(path = "/me/tokens", method = "post", operation_id = "create_token")]
    async fn create_token(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NewTokenRequest>,
    ) -> Result<Created<NewToken>, ApiError> {
        let t = accounts::create_api_token(
            &state.db,
            auth.principal().user_id,
            &body.name,
            body.expires_in_days.unwrap_or(90),
        )
        .await?;
        Ok(Created::Created(Json(NewToken {
            id: t.id,
            token: t.token,
            expires_at: t.expires_at,
        })))
    }

    /// Revoke a session or API token
    #[oai(
        path = "/me/tokens/:id",
        method = "delete",
        operation_id = "revoke_token"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        accounts::revoke_token(&state.db, &state.cache, auth.principal().user_id, id.0).await?;
        Ok(NoContent::Done)
    }

    /// My learning: your courses, your progress, and where to continue
    #[oai(path = "/me/learning", method = "get", operation_id = "my_learning")]
    async fn learning(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        #[oai(validator(pattern = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length = 35))]
        lang: Query<Option<String>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> Result<CachedJson<Vec<MyCourse>>, ApiError> {
        let p = auth.principal();
        let preferred = content_locales(lang.0.as_deref(), p, accept_language.0.as_deref())?;
        let courses = state.learning.my_learning(p.user_id, &preferred).await?;
        // Straight to bytes, without poem-openapi's `serde_json::Value` tree.
        Ok(CachedJson::serialize(
            &courses
                .into_iter()
                .map(|c| MyCourse {
                    continue_path: c
                        .progress
                        .resume_lesson_key
                        .as_ref()
                        .map(|k| format!("/api/v1/courses/{}/lessons/{k}", c.slug)),
                    slug: c.slug,
                    title: c.title,
                    locale: c.locale.to_string(),
                    progress: c.progress.into(),
                })
                .collect::<Vec<_>>(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::api::serde_twins::{assert_twins, progress};

    /// The answer is written with serde: it must be the JSON the schema says.
    #[test]
    fn my_courses_serialise_as_poem_openapi_would() {
        let at = time::macros::datetime!(2026-12-03 14:05:06.789 UTC);
        for completed_at in [None, Some(at)] {
            assert_twins(&vec![super::MyCourse {
                slug: "a-course".into(),
                title: "A \"course\" <é>".into(),
                locale: "fr".into(),
                progress: progress(at, completed_at).into(),
                continue_path: None,
            }]);
        }
    }
}
