//! Creating, editing, listing and reading cohorts.

use std::collections::BTreeMap;

use agora_core::cohorts::{CohortInput, CohortView, Completion, CompletionView, PersonView};
use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{ApiTags, optional_caller};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct CohortsApi;

#[derive(Object)]
#[oai(rename = "CohortPerson")]
pub(super) struct Person {
    user_id: Uuid,
    name: String,
}

impl From<&PersonView> for Person {
    fn from(p: &PersonView) -> Self {
        Person {
            user_id: p.user_id,
            name: p.name.clone(),
        }
    }
}

/// A cohort: a facilitated run of a published course.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct Cohort {
    slug: String,
    /// The course's slug.
    course: String,
    /// Titles by locale.
    titles: BTreeMap<String, String>,
    /// Descriptions by locale (Markdown).
    descriptions: BTreeMap<String, String>,
    /// Descriptions by locale, as sanitised HTML.
    descriptions_html: BTreeMap<String, String>,
    starts_on: Date,
    ends_on: Date,
    capacity_organisations: i32,
    capacity_people: i32,
    /// `open`, `application` or `invitation`.
    admission: String,
    /// The locales it is run in.
    locales: Vec<String>,
    /// `draft`, `open` or `closed`.
    status: String,
    facilitators: Vec<Person>,
    /// The questions applicants answer, in order.
    questions: Vec<String>,
    accepted_organisations: u64,
    members: u64,
    /// What you are to it: `admin`, `author`, `facilitator` or `member`.
    your_role: Option<String>,
    created_at: OffsetDateTime,
    /// What completing it means.
    completion: CompletionRule,
}

/// What completing a cohort means: every condition given. A rule asking
/// nothing completes no one.
#[derive(Object)]
#[oai(rename = "CohortCompletionRule")]
pub(super) struct CompletionRule {
    /// The course must be completed.
    #[oai(default)]
    course_completed: bool,
    /// Keys of the cohort's assignments whose work must be accepted.
    #[oai(default)]
    assignments: Vec<String>,
    /// Sessions a member must attend, at least (0 to 100).
    #[oai(default)]
    min_sessions_attended: u32,
}

impl From<Completion> for CompletionRule {
    fn from(c: Completion) -> Self {
        CompletionRule {
            course_completed: c.course_completed,
            assignments: c.assignments,
            min_sessions_attended: c.min_sessions_attended,
        }
    }
}

/// An assignment the rule asks for.
#[derive(Object)]
#[oai(rename = "CohortRequiredWork")]
struct RequiredWork {
    key: String,
    title: String,
    /// Your work (or your organisation's) for it is accepted.
    accepted: bool,
}

/// Where you stand against the cohort's completion rule.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortCompletion")]
struct CompletionStatus {
    rule: CompletionRule,
    course_completed: bool,
    assignments: Vec<RequiredWork>,
    sessions_attended: u32,
    /// You meet the rule (a rule asking nothing is never met).
    complete: bool,
    /// The cohort certificate's verification code, once issued.
    certificate: Option<String>,
    /// Its PDF can be downloaded.
    certificate_ready: bool,
}

impl From<CompletionView> for CompletionStatus {
    fn from(v: CompletionView) -> Self {
        CompletionStatus {
            rule: v.rule.into(),
            course_completed: v.course_completed,
            assignments: v
                .assignments
                .into_iter()
                .map(|a| RequiredWork {
                    key: a.key,
                    title: a.title,
                    accepted: a.accepted,
                })
                .collect(),
            sessions_attended: v.sessions_attended,
            complete: v.complete,
            certificate: v.certificate,
            certificate_ready: v.certificate_ready,
        }
    }
}

impl From<CohortView> for Cohort {
    fn from(c: CohortView) -> Self {
        Cohort {
            slug: c.slug,
            course: c.course,
            titles: c.titles,
            descriptions: c.descriptions,
            descriptions_html: c.descriptions_html,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            capacity_organisations: c.capacity_organisations,
            capacity_people: c.capacity_people,
            admission: c.admission,
            locales: c.locales,
            status: c.status,
            facilitators: c.facilitators.iter().map(Person::from).collect(),
            questions: c.questions,
            accepted_organisations: c.accepted_organisations,
            members: c.members,
            your_role: c.your_role,
            created_at: c.created_at,
            completion: c.completion.into(),
        }
    }
}

/// A cohort as written. On edit, `course` and `slug` are ignored.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CohortBody {
    /// The published course's slug.
    course: String,
    slug: String,
    /// Titles by locale (at least one of `locales`).
    titles: BTreeMap<String, String>,
    /// Descriptions by locale (Markdown).
    #[oai(default)]
    descriptions: BTreeMap<String, String>,
    starts_on: Date,
    ends_on: Date,
    capacity_organisations: i32,
    capacity_people: i32,
    /// `open`, `application` (default) or `invitation`.
    #[oai(default = "default_admission")]
    admission: String,
    locales: Vec<String>,
    /// `draft` (default), `open` or `closed`.
    #[oai(default = "default_status")]
    status: String,
    /// The facilitators' account addresses.
    #[oai(default)]
    facilitators: Vec<String>,
    /// Questions applicants answer (free text).
    #[oai(default)]
    questions: Vec<String>,
    /// What completing it means. Absent keeps the rule on edit; a new
    /// cohort has no assignments yet, so its rule names none.
    completion: Option<CompletionRule>,
}

fn default_admission() -> String {
    "application".into()
}

fn default_status() -> String {
    "draft".into()
}

impl From<CohortBody> for CohortInput {
    fn from(b: CohortBody) -> Self {
        CohortInput {
            course: b.course,
            slug: b.slug,
            titles: b.titles,
            descriptions: b.descriptions,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            capacity_organisations: b.capacity_organisations,
            capacity_people: b.capacity_people,
            admission: b.admission,
            locales: b.locales,
            status: b.status,
            facilitators: b.facilitators,
            questions: b.questions,
            completion: b.completion.map(|c| Completion {
                course_completed: c.course_completed,
                assignments: c.assignments,
                min_sessions_attended: c.min_sessions_attended,
            }),
        }
    }
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Cohort>),
}

#[OpenApi(tag = "ApiTags::Cohorts")]
impl CohortsApi {
    /// List the cohorts you may see: open and closed ones, and drafts you are in
    #[oai(path = "/cohorts", method = "get", operation_id = "list_cohorts")]
    async fn list(
        &self,
        state: Data<&AppState>,
        req: &Request,
    ) -> Result<Json<Vec<Cohort>>, ApiError> {
        let who = optional_caller(&state, req).await?;
        let list = state.cohorts.list(who.as_ref()).await?;
        Ok(Json(list.into_iter().map(Cohort::from).collect()))
    }

    /// Create a cohort of a published course (authors and administrators)
    #[oai(path = "/cohorts", method = "post", operation_id = "create_cohort")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<CohortBody>,
    ) -> Result<Created, ApiError> {
        let c = state
            .cohorts
            .create(Some(auth.principal()), body.0.into())
            .await?;
        Ok(Created::Created(Json(c.into())))
    }

    /// Where you stand against the cohort's completion rule (its members)
    #[oai(
        path = "/cohorts/:cohort/completion",
        method = "get",
        operation_id = "get_cohort_completion"
    )]
    async fn completion(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
    ) -> Result<Json<CompletionStatus>, ApiError> {
        let v = state
            .cohorts
            .completion(Some(auth.principal()), &cohort)
            .await?;
        Ok(Json(v.into()))
    }

    /// A cohort's profile
    #[oai(path = "/cohorts/:cohort", method = "get", operation_id = "get_cohort")]
    async fn get(
        &self,
        state: Data<&AppState>,
        req: &Request,
        cohort: Path<String>,
    ) -> Result<Json<Cohort>, ApiError> {
        let who = optional_caller(&state, req).await?;
        Ok(Json(state.cohorts.get(who.as_ref(), &cohort).await?.into()))
    }

    /// Edit a cohort (its authors and administrators)
    #[oai(
        path = "/cohorts/:cohort",
        method = "put",
        operation_id = "update_cohort"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cohort: Path<String>,
        body: Json<CohortBody>,
    ) -> Result<Json<Cohort>, ApiError> {
        let c = state
            .cohorts
            .update(Some(auth.principal()), &cohort, body.0.into())
            .await?;
        Ok(Json(c.into()))
    }
}
