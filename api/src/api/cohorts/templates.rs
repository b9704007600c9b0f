//! Starting a cohort from its course's cohort template.

use agora_core::cohorts::FromTemplateInput;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use time::Date;

use super::{ApiTags, manage::Cohort};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct CohortTemplatesApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "CohortFromTemplateBody")]
struct FromTemplateBody {
    /// The published course whose `cohort-template.yaml` to use.
    course: String,
    /// The new cohort's id.
    slug: String,
    /// Day 0 of the template's calendar; the end follows from its length.
    starts_on: Date,
    /// The first is the language of sessions, assignments and questions.
    locales: Vec<String>,
    /// The facilitators' account addresses.
    #[oai(default)]
    facilitators: Vec<String>,
    /// `draft` (the default), `open` or `closed`.
    #[oai(default = "draft")]
    status: String,
    /// The video meeting link of every session.
    join_url: Option<String>,
}

fn draft() -> String {
    "draft".into()
}

#[derive(ApiResponse)]
enum Created {
    /// Created, with the template's sessions and assignments.
    #[oai(status = 201)]
    Created(Json<Cohort>),
}

#[OpenApi(tag = "ApiTags::Cohorts")]
impl CohortTemplatesApi {
    /// Start a cohort from its course's template: sessions, assignments
    /// with rubrics and the completion rule, dated from `starts_on`
    /// (authors and administrators)
    #[oai(
        path = "/cohorts/from-template",
        method = "post",
        operation_id = "create_cohort_from_template"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<FromTemplateBody>,
    ) -> Result<Created, ApiError> {
        let b = body.0;
        let c = state
            .cohorts
            .create_from_template(
                Some(auth.principal()),
                FromTemplateInput {
                    course: b.course,
                    slug: b.slug,
                    starts_on: b.starts_on,
                    locales: b.locales,
                    facilitators: b.facilitators,
                    status: b.status,
                    join_url: b.join_url,
                },
            )
            .await?;
        Ok(Created::Created(Json(c.into())))
    }
}
