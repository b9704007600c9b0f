//! A cohort's work, for its members: each assignment with its rubric and
//! due date in the reader's time zone, their work (files, status, the
//! facilitator's feedback and the peer reviews, anonymous), a form to hand
//! in (text and a file, until the work is reviewed), and the reviews they
//! are to give, each a rubric form. Files come back through
//! `…/submissions/{id}/files/{file}`, to those the core lets read them.

use agora_core::cohorts::{
    Assessment, AssignmentView, Criterion, FileInput, ReviewTaskView, Score, SubmissionFileView,
    SubmissionInput, SubmissionView,
};
use poem::{
    Body, IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Multipart, Path},
};
use serde::Serialize;
use uuid::Uuid;

use super::{ReaderZone, checked, form_error, reader_zone, title_in};
use crate::web::{Ctx, Flash, FormData, author::multipart};

#[derive(Serialize)]
pub struct FileRow {
    pub name: String,
    pub href: String,
}

pub fn file_rows(slug: &str, submission: Uuid, files: &[SubmissionFileView]) -> Vec<FileRow> {
    files
        .iter()
        .map(|f| FileRow {
            name: f.name.clone(),
            href: format!("/cohorts/{slug}/submissions/{submission}/files/{}", f.id),
        })
        .collect()
}

#[derive(Serialize)]
pub struct LevelChoice {
    pub points: i32,
    pub label: String,
    pub selected: bool,
}

/// One criterion of a rubric form, its levels as choices.
#[derive(Serialize)]
pub struct CriterionField {
    pub key: String,
    /// Unique on the page: the form's id and the criterion's key.
    pub field_id: String,
    pub criterion: String,
    pub levels: Vec<LevelChoice>,
    pub comment: String,
}

pub fn rubric_fields(
    rubric: &[Criterion],
    given: Option<&Assessment>,
    form: Uuid,
) -> Vec<CriterionField> {
    rubric
        .iter()
        .map(|c| {
            let score = given.and_then(|a| a.criteria.iter().find(|s| s.criterion == c.key));
            CriterionField {
                key: c.key.clone(),
                field_id: format!("{form}-{}", c.key),
                criterion: c.criterion.clone(),
                levels: c
                    .levels
                    .iter()
                    .map(|l| LevelChoice {
                        points: l.points,
                        label: format!("{} ({}): {}", l.title, l.points, l.description),
                        selected: score.is_some_and(|s| s.points == l.points),
                    })
                    .collect(),
                comment: score.map(|s| s.comment.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// A filled-in rubric form: `points_<key>` and `comment_<key>` per
/// criterion, and `comment`. An unreadable level is one the core refuses.
pub fn assessment_of(form: &FormData, rubric: &[Criterion]) -> Assessment {
    Assessment {
        comment: form.get("comment").unwrap_or_default().trim().to_owned(),
        criteria: rubric
            .iter()
            .map(|c| Score {
                criterion: c.key.clone(),
                points: form
                    .get(&format!("points_{}", c.key))
                    .and_then(|p| p.trim().parse().ok())
                    .unwrap_or(i32::MIN),
                comment: form
                    .get(&format!("comment_{}", c.key))
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            })
            .collect(),
    }
}

/// A given assessment, criterion by criterion, in words.
#[derive(Serialize)]
pub struct ScoreRow {
    pub criterion: String,
    pub level: String,
    pub comment: String,
}

pub fn score_rows(rubric: &[Criterion], a: &Assessment) -> Vec<ScoreRow> {
    a.criteria
        .iter()
        .map(|s| {
            let c = rubric.iter().find(|c| c.key == s.criterion);
            let level = c
                .and_then(|c| c.levels.iter().find(|l| l.points == s.points))
                .map(|l| format!("{} ({})", l.title, l.points))
                .unwrap_or_else(|| s.points.to_string());
            ScoreRow {
                criterion: c.map(|c| c.criterion.clone()).unwrap_or_default(),
                level,
                comment: s.comment.clone(),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct Mine {
    status: String,
    late: bool,
    text_html: String,
    files: Vec<FileRow>,
    feedback_comment: Option<String>,
    feedback: Vec<ScoreRow>,
    reviews: Vec<Vec<ScoreRow>>,
    open: bool,
}

#[derive(Serialize)]
struct AssignmentRow {
    id: Uuid,
    title: String,
    due: String,
    instructions_html: String,
    organisation_work: bool,
    peer_reviews: i32,
    rubric: Vec<CriterionField>,
    mine: Option<Mine>,
    open: bool,
}

#[derive(Serialize)]
struct TaskRow {
    id: Uuid,
    assignment: String,
    text_html: String,
    files: Vec<FileRow>,
    rubric: Vec<CriterionField>,
    given: bool,
}

#[derive(Serialize)]
struct WorkPage {
    slug: String,
    title: String,
    zone: &'static str,
    runs: bool,
    assignments: Vec<AssignmentRow>,
    reviews: Vec<TaskRow>,
    error: Option<String>,
    detail: Option<String>,
}

fn mine_row(ctx: &Ctx, slug: &str, a: &AssignmentView, s: SubmissionView) -> Mine {
    let open = s.status == "needs_revision" || s.feedback.is_none();
    Mine {
        status: ctx.t(&format!("cohort-work-{}", s.status.replace('_', "-"))),
        late: s.late,
        text_html: s.text_html,
        files: file_rows(slug, s.id, &s.files),
        feedback_comment: s.feedback.as_ref().map(|f| f.assessment.comment.clone()),
        feedback: s
            .feedback
            .as_ref()
            .map(|f| score_rows(&a.rubric, &f.assessment))
            .unwrap_or_default(),
        reviews: s
            .peer_reviews
            .iter()
            .filter_map(|r| r.review.as_ref())
            .map(|r| score_rows(&a.rubric, r))
            .collect(),
        open,
    }
}

fn task_row(slug: &str, t: ReviewTaskView) -> TaskRow {
    TaskRow {
        id: t.id,
        assignment: t.assignment_title,
        text_html: t.text_html,
        files: file_rows(slug, t.submission_id, &t.files),
        rubric: rubric_fields(&t.rubric, t.review.as_ref(), t.id),
        given: t.review.is_some(),
    }
}

/// A refused form: the status, what is wrong in the reader's words, and
/// the service's own account of it (which names the file, say).
pub fn refusal(ctx: &Ctx, e: &agora_core::Error) -> Option<(StatusCode, String, String)> {
    use agora_core::Error as E;
    let reason = match e {
        E::Invalid { reason, .. } | E::Conflict { reason, .. } => reason.clone(),
        _ => return None,
    };
    form_error(ctx, e).map(|(status, msg)| (status, msg, reason))
}

async fn work_page(
    ctx: &Ctx,
    slug: &str,
    status: StatusCode,
    error: Option<(String, String)>,
) -> Response {
    let who = ctx.user.as_ref();
    let cohorts = &ctx.state.cohorts;
    let (c, list) = match (
        cohorts.get(who, slug).await,
        cohorts.assignments(who, slug).await,
    ) {
        (Ok(c), Ok(l)) => (c, l),
        (Err(e), _) | (_, Err(e)) => return ctx.fail(e),
    };
    let runs = c.your_role.as_deref().is_some_and(|r| r != "member");
    let zone: ReaderZone = reader_zone(ctx).await;
    let mut assignments = Vec::new();
    for a in &list {
        let mine = if runs {
            None
        } else {
            match cohorts.my_submission(who, slug, a.id).await {
                Ok(s) => Some(mine_row(ctx, slug, a, s)),
                Err(agora_core::Error::NotFound { .. }) => None,
                Err(e) => return ctx.fail(e),
            }
        };
        assignments.push(AssignmentRow {
            id: a.id,
            title: a.title.clone(),
            due: zone.show(a.due_at),
            instructions_html: a.instructions_html.clone(),
            organisation_work: a.scope == "organisation",
            peer_reviews: a.peer_reviews,
            rubric: rubric_fields(&a.rubric, None, a.id),
            open: !runs && mine.as_ref().is_none_or(|m| m.open),
            mine,
        });
    }
    let reviews = if runs {
        Vec::new()
    } else {
        match cohorts.my_reviews(who, slug).await {
            Ok(r) => r.into_iter().map(|t| task_row(slug, t)).collect(),
            Err(e) => return ctx.fail(e),
        }
    };
    let page = WorkPage {
        slug: c.slug.clone(),
        title: title_in(ctx, &c.titles, &c.slug),
        zone: zone.name(),
        runs,
        assignments,
        reviews,
        error: error.as_ref().map(|e| e.0.clone()),
        detail: error.map(|e| e.1),
    };
    ctx.page(status, "cohort_work", &ctx.t("cohort-work-title"), &page)
}

/// GET `/cohorts/:slug/work`
#[handler]
pub async fn show(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    work_page(&ctx, &slug, StatusCode::OK, None).await
}

/// The refusal of a form, on the page again with what is wrong.
async fn refused(ctx: &Ctx, slug: &str, e: agora_core::Error) -> Response {
    match refusal(ctx, &e) {
        Some((status, msg, detail)) => work_page(ctx, slug, status, Some((msg, detail))).await,
        None => ctx.fail(e),
    }
}

/// POST `/cohorts/:slug/assignments/:id/submission`: a multipart form with
/// `text` and a `file`.
#[handler]
pub async fn hand_in(
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    form: Multipart,
) -> Response {
    let (fields, file) = multipart(form).await;
    if let Err(r) = checked(&ctx, &fields) {
        return r;
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let files = file
        .filter(|(name, bytes)| !name.is_empty() || !bytes.is_empty())
        .map(|(name, bytes)| vec![FileInput { name, bytes }])
        .unwrap_or_default();
    let input = SubmissionInput {
        text: fields.get("text").unwrap_or_default().to_owned(),
        files,
    };
    match ctx
        .state
        .cohorts
        .submit(ctx.user.as_ref(), &slug, id, input)
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}/work"),
            Some(Flash::Ok("flash-cohort-handed-in")),
        ),
        Err(e) => refused(&ctx, &slug, e).await,
    }
}

/// POST `/cohorts/:slug/reviews/:id`: a filled-in rubric.
#[handler]
pub async fn review(ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let Ok(id) = id.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let who = ctx.user.as_ref();
    let task = match ctx.state.cohorts.my_reviews(who, &slug).await {
        Ok(tasks) => tasks.into_iter().find(|t| t.id == id),
        Err(e) => return ctx.fail(e),
    };
    let Some(task) = task else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    let assessment = assessment_of(&form, &task.rubric);
    match ctx
        .state
        .cohorts
        .give_review(who, &slug, id, assessment)
        .await
    {
        Ok(_) => ctx.redirect(
            &format!("/cohorts/{slug}/work"),
            Some(Flash::Ok("flash-cohort-reviewed")),
        ),
        Err(e) => refused(&ctx, &slug, e).await,
    }
}

/// GET `/cohorts/:slug/submissions/:id/files/:file`
#[handler]
pub async fn download(
    ctx: Ctx,
    Path((slug, id, file)): Path<(String, String, String)>,
) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let (Ok(id), Ok(file)) = (id.parse::<Uuid>(), file.parse::<Uuid>()) else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    match ctx
        .state
        .cohorts
        .submission_file(ctx.user.as_ref(), &slug, id, file)
        .await
    {
        Ok((name, content_type, bytes)) => bytes
            .with_content_type(content_type)
            .with_header(
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    name.replace(|c: char| !c.is_ascii_graphic() && c != ' ', "_")
                        .replace(['"', '\\'], "_")
                ),
            )
            .with_header(header::CACHE_CONTROL, "private, no-store")
            .into_response(),
        Err(e) => ctx.fail(e),
    }
}
