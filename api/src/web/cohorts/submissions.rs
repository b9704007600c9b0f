//! An assignment's submissions, for those who run the cohort: each one's
//! work, files and peer reviews (with their reviewers), and a feedback
//! form per submission: a level and comment per criterion and a status.

use agora_core::cohorts::AssignmentView;
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;
use uuid::Uuid;

use super::{
    Choice, checked, reader_zone, title_in,
    work::{
        CriterionField, FileRow, ScoreRow, assessment_of, file_rows, refusal, rubric_fields,
        score_rows,
    },
};
use crate::web::{Ctx, Flash, FormData};

#[derive(Serialize)]
struct ReviewRow {
    reviewer: String,
    scores: Vec<ScoreRow>,
}

#[derive(Serialize)]
struct SubmissionRow {
    id: Uuid,
    author: String,
    submitted: String,
    late: bool,
    status: String,
    text_html: String,
    files: Vec<FileRow>,
    reviews: Vec<ReviewRow>,
    rubric: Vec<CriterionField>,
    comment: String,
    statuses: Vec<Choice>,
}

#[derive(Serialize)]
struct SubmissionsPage {
    slug: String,
    title: String,
    assignment: String,
    assignment_id: Uuid,
    submissions: Vec<SubmissionRow>,
    error: Option<String>,
    detail: Option<String>,
}

async fn submissions_page(
    ctx: &Ctx,
    slug: &str,
    id: Uuid,
    status: StatusCode,
    error: Option<(String, String)>,
) -> Response {
    let who = ctx.user.as_ref();
    let cohorts = &ctx.state.cohorts;
    let (c, a, list) = match (
        cohorts.get(who, slug).await,
        cohorts.assignment(who, slug, id).await,
        cohorts.submissions(who, slug, id).await,
    ) {
        (Ok(c), Ok(a), Ok(l)) => (c, a, l),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return ctx.fail(e),
    };
    let zone = reader_zone(ctx).await;
    let a: AssignmentView = a;
    let submissions = list
        .into_iter()
        .map(|s| {
            let given = s.feedback.as_ref().map(|f| &f.assessment);
            SubmissionRow {
                id: s.id,
                author: s.author.name.clone(),
                submitted: zone.show(s.submitted_at),
                late: s.late,
                status: ctx.t(&format!("cohort-work-{}", s.status.replace('_', "-"))),
                text_html: s.text_html.clone(),
                files: file_rows(slug, s.id, &s.files),
                reviews: s
                    .peer_reviews
                    .iter()
                    .filter_map(|r| {
                        r.review.as_ref().map(|given| ReviewRow {
                            reviewer: r
                                .reviewer
                                .as_ref()
                                .map(|p| p.name.clone())
                                .unwrap_or_default(),
                            scores: score_rows(&a.rubric, given),
                        })
                    })
                    .collect(),
                rubric: rubric_fields(&a.rubric, given, s.id),
                comment: given.map(|g| g.comment.clone()).unwrap_or_default(),
                statuses: ["needs_revision", "accepted"]
                    .iter()
                    .map(|v| Choice {
                        value: (*v).into(),
                        label: ctx.t(&format!("cohort-work-{}", v.replace('_', "-"))),
                        selected: *v == s.status,
                    })
                    .collect(),
            }
        })
        .collect();
    let page = SubmissionsPage {
        slug: c.slug.clone(),
        title: title_in(ctx, &c.titles, &c.slug),
        assignment: a.title.clone(),
        assignment_id: a.id,
        submissions,
        error: error.as_ref().map(|e| e.0.clone()),
        detail: error.map(|e| e.1),
    };
    ctx.page(
        status,
        "cohort_submissions",
        &ctx.t("cohort-submissions-title"),
        &page,
    )
}

/// GET `/cohorts/:slug/assignments/:id/submissions`
#[handler]
pub async fn show(ctx: Ctx, Path((slug, id)): Path<(String, String)>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    submissions_page(&ctx, &slug, id, StatusCode::OK, None).await
}

/// POST `/cohorts/:slug/submissions/:id/feedback`: `assignment` (to find
/// the rubric and come back), `status`, and the filled-in rubric.
#[handler]
pub async fn give(ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let (Ok(id), Ok(assignment)) = (
        id.parse::<Uuid>(),
        form.get("assignment").unwrap_or_default().parse::<Uuid>(),
    ) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let who = ctx.user.as_ref();
    let a = match ctx.state.cohorts.assignment(who, &slug, assignment).await {
        Ok(a) => a,
        Err(e) => return ctx.fail(e),
    };
    let assessment = assessment_of(&form, &a.rubric);
    let status = form.get("status").unwrap_or_default();
    match ctx
        .state
        .cohorts
        .give_feedback(who, &slug, id, status, assessment)
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}/assignments/{assignment}/submissions"),
            Some(Flash::Ok("flash-cohort-feedback-given")),
        ),
        Err(e) => match refusal(&ctx, &e) {
            Some((status, msg, detail)) => {
                submissions_page(&ctx, &slug, assignment, status, Some((msg, detail))).await
            }
            None => ctx.fail(e),
        },
    }
}
