//! Applying to a cohort for an organisation, the facilitators' decisions
//! and invitations, and staff joining.

use agora_core::cohorts::{ApplicationView, CohortMemberView};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ApiTags, uuid_of};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct CohortApplicationsApi;

#[derive(Object)]
#[oai(rename = "CohortAnswer")]
struct QuestionAnswer {
    question: String,
    answer: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortApplication")]
struct Application {
    id: Uuid,
    organisation: String,
    organisation_name: String,
    applicant_name: String,
    answers: Vec<QuestionAnswer>,
    /// `pending`, `accepted`, `waitlisted` or `declined`.
    state: String,
    /// The facilitators' message with their decision.
    message: Option<String>,
    decided_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl From<ApplicationView> for Application {
    fn from(a: ApplicationView) -> Self {
        Application {
            id: a.id,
            organisation: a.organisation_slug,
            organisation_name: a.organisation_name,
            applicant_name: a.applicant_name,
            answers: a
                .answers
                .into_iter()
                .map(|(question, answer)| QuestionAnswer { question, answer })
                .collect(),
            state: a.state,
            message: a.message,
            decided_at: a.decided_at,
            created_at: a.created_at,
        }
    }
}

#[derive(Object)]
#[oai(rename = "CohortApplyBody")]
struct ApplyBody {
    /// The slug of your organisation (you must be an active member).
    organisation: String,
    /// One answer per question of the cohort, in order.
    #[oai(default)]
    answers: Vec<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortInvitationBody")]
struct InvitationBody {
    /// The slug of the organisation to invite.
    organisation: String,
    /// A message to the organisation's administrator, sent with the invitation.
    message: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortDecisionBody")]
struct DecisionBody {
    /// `accepted`, `waitlisted` or `declined`.
    decision: String,
    /// A message to the applicant, sent with the decision.
    message: Option<String>,
}

#[derive(Object)]
#[oai(rename = "CohortMember")]
struct Member {
    user_id: Uuid,
    name: String,
    organisation: String,
    organisation_name: String,
    joined_at: OffsetDateTime,
}

impl From<CohortMemberView> for Member {
    fn from(m: CohortMemberView) -> Self {
        Member {
            user_id: m.user_id,
            name: m.name,
            organisation: m.organisation_slug,
            organisation_name: m.organisation_name,
            joined_at: m.joined_at,
        }
    }
}

#[derive(ApiResponse)]
enum Applied {
    /// The application: `pending`, or decided at once for an open cohort.
    #[oai(status = 201)]
    Created(Json<Application>),
}

#[OpenApi(tag = "ApiTags::CohortApplications")]
impl CohortApplicationsApi {
    /// Apply for your organisation, answering the cohort's questions
    #[oai(
        path = "/cohorts/:cohort/applications",
        method = "post",
        operation_id = "apply_to_cohort"
    )]
    async fn apply(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        body: Json<ApplyBody>,
    ) -> Result<Applied, ApiError> {
        let body = body.0;
        let a = state
            .cohorts
            .apply(
                Some(auth.principal()),
                &cohort,
                &body.organisation,
                body.answers,
            )
            .await?;
        Ok(Applied::Created(Json(a.into())))
    }

    /// List the applications (those who run the cohort)
    #[oai(
        path = "/cohorts/:cohort/applications",
        method = "get",
        operation_id = "list_cohort_applications"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<Json<Vec<Application>>, ApiError> {
        let list = state
            .cohorts
            .applications(Some(auth.principal()), &cohort)
            .await?;
        Ok(Json(list.into_iter().map(Application::from).collect()))
    }

    /// Your organisation's application
    #[oai(
        path = "/cohorts/:cohort/applications/mine",
        method = "get",
        operation_id = "get_my_cohort_application"
    )]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<Json<Application>, ApiError> {
        let a = state
            .cohorts
            .my_application(Some(auth.principal()), &cohort)
            .await?;
        Ok(Json(a.into()))
    }

    /// Accept, wait-list or decline an application (facilitators); the applicant is mailed
    #[oai(
        path = "/cohorts/:cohort/applications/:application/decision",
        method = "post",
        operation_id = "decide_cohort_application"
    )]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        application: Path<String>,
        body: Json<DecisionBody>,
    ) -> Result<Json<Application>, ApiError> {
        let id = uuid_of(&application, "application")?;
        let a = state
            .cohorts
            .decide(
                Some(auth.principal()),
                &cohort,
                id,
                &body.decision,
                body.message.as_deref(),
            )
            .await?;
        Ok(Json(a.into()))
    }

    /// Invite an organisation (facilitators): it is accepted at once and its
    /// administrator is mailed; the only way into an `invitation` cohort
    #[oai(
        path = "/cohorts/:cohort/invitations",
        method = "post",
        operation_id = "invite_organisation_to_cohort"
    )]
    async fn invite(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        body: Json<InvitationBody>,
    ) -> Result<Applied, ApiError> {
        let a = state
            .cohorts
            .invite(
                Some(auth.principal()),
                &cohort,
                &body.organisation,
                body.message.as_deref(),
            )
            .await?;
        Ok(Applied::Created(Json(a.into())))
    }

    /// Join the cohort: staff of an accepted organisation, while it has room
    #[oai(
        path = "/cohorts/:cohort/join",
        method = "post",
        operation_id = "join_cohort"
    )]
    async fn join(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<Json<Member>, ApiError> {
        let m = state.cohorts.join(Some(auth.principal()), &cohort).await?;
        Ok(Json(m.into()))
    }

    /// The members (names and organisations), to the cohort's people
    #[oai(
        path = "/cohorts/:cohort/members",
        method = "get",
        operation_id = "list_cohort_members"
    )]
    async fn members(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<Json<Vec<Member>>, ApiError> {
        let list = state
            .cohorts
            .members(Some(auth.principal()), &cohort)
            .await?;
        Ok(Json(list.into_iter().map(Member::from).collect()))
    }
}
