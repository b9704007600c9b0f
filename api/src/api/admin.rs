//! Operations for administrators: the background job queue.

use agora_core::jobs;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{
    auth::{Auth, require_admin},
    error::ApiError,
};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Administration.
    Admin,
}

pub struct AdminApi;

#[derive(Object)]
struct JobCounts {
    queued: u64,
    running: u64,
    dead: u64,
    done: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct JobInfo {
    id: Uuid,
    kind: String,
    status: String,
    attempts: i32,
    max_attempts: i32,
    last_error: Option<String>,
    /// When it runs (next), in milliseconds since the epoch.
    run_at_ms: i64,
    created_at_ms: i64,
}

#[derive(ApiResponse)]
enum Retried {
    /// Queued again with fresh attempts.
    #[oai(status = 202)]
    Accepted,
}

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminApi {
    /// Count background jobs by state
    #[oai(
        path = "/admin/jobs/counts",
        method = "get",
        operation_id = "count_jobs"
    )]
    async fn counts(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<JobCounts>, ApiError> {
        require_admin(&auth)?;
        let c = jobs::counts(&state.db).await?;
        let n = |k: &str| c.get(k).copied().unwrap_or(0);
        Ok(Json(JobCounts {
            queued: n(jobs::QUEUED),
            running: n(jobs::RUNNING),
            dead: n(jobs::DEAD),
            done: n(jobs::DONE),
        }))
    }

    /// List background jobs in one state (default: dead), with their last error
    #[oai(path = "/admin/jobs", method = "get", operation_id = "list_jobs")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// queued, running, dead or done
        #[oai(validator(pattern = "^(queued|running|dead|done)$"))]
        status: Query<Option<String>>,
        /// 1–500, default 50
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u64>>,
    ) -> Result<Json<Vec<JobInfo>>, ApiError> {
        require_admin(&auth)?;
        let status = status.0.unwrap_or_else(|| jobs::DEAD.into());
        let rows = jobs::list(&state.db, &status, limit.0.unwrap_or(50))
            .await
            .map_err(|e| match e {
                agora_core::Error::Invalid { field, reason } => ApiError::bad_param(&field, reason),
                other => other.into(),
            })?;
        Ok(Json(
            rows.into_iter()
                .map(|j| JobInfo {
                    id: j.id,
                    kind: j.kind,
                    status: j.status,
                    attempts: j.attempts,
                    max_attempts: j.max_attempts,
                    last_error: j.last_error,
                    run_at_ms: j.run_at,
                    created_at_ms: j.created_at,
                })
                .collect(),
        ))
    }

    /// Queue a dead job again with fresh attempts
    #[oai(
        path = "/admin/jobs/:id/retry",
        method = "post",
        operation_id = "retry_job"
    )]
    async fn retry(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Retried, ApiError> {
        require_admin(&auth)?;
        jobs::retry_dead(&state.db, id.0).await?;
        tracing::info!(job = %id.0, admin = %auth.principal().user_id, "dead job queued again");
        Ok(Retried::Accepted)
    }
}
