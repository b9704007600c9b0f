//! Cohort templates: a course's `cohort-template.yaml` (format in
//! `courses/README.md`), stored when courses are imported, and a cohort
//! started from one with its sessions, assignments (with rubrics) and
//! completion rule, dates counted from the chosen start.

use std::{collections::BTreeMap, path::Path};

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, Time};

use super::{
    AssignmentInput, CohortInput, CohortView, Cohorts, Criterion, Level, SessionInput, assignments,
    manage::create_in, now, sessions, standing,
};
use crate::{
    Error, Result,
    accounts::{Principal, require_signed_in},
    entities::{cohort, cohort_template, course},
};

type Text = BTreeMap<String, String>;

/// What completing a cohort means; stored on the cohort.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    #[serde(default)]
    pub course_completed: bool,
    /// Keys of the assignments that must be accepted.
    #[serde(default)]
    pub assignments: Vec<String>,
    #[serde(default)]
    pub min_sessions_attended: u32,
}

#[derive(Debug, Deserialize)]
struct Template {
    course: String,
    title: Text,
    description: Text,
    duration_weeks: i64,
    capacity: Capacity,
    admission: String,
    #[serde(default)]
    questions: Vec<Question>,
    #[serde(default)]
    sessions: Vec<TemplateSession>,
    #[serde(default)]
    assignments: Vec<TemplateAssignment>,
    #[serde(default)]
    completion: Option<Completion>,
}

#[derive(Debug, Deserialize)]
struct Capacity {
    organisations: i32,
    people: i32,
}

#[derive(Debug, Deserialize)]
struct Question {
    text: Text,
}

#[derive(Debug, Deserialize)]
struct TemplateSession {
    offset_days: i64,
    start_time_utc: String,
    duration_minutes: i64,
    title: Text,
    agenda: Text,
    #[serde(default)]
    preparation: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct TemplateAssignment {
    key: String,
    after_module: Option<String>,
    due_offset_days: i64,
    submission: String,
    #[serde(default)]
    peer_reviews: i32,
    title: Text,
    instructions: Text,
    rubric: Vec<TemplateCriterion>,
}

#[derive(Debug, Deserialize)]
struct TemplateCriterion {
    key: String,
    criterion: Text,
    levels: Vec<TemplateLevel>,
}

#[derive(Debug, Deserialize)]
struct TemplateLevel {
    points: i32,
    title: Text,
    description: Text,
}

/// A cohort to start from its course's template.
#[derive(Clone, Debug)]
pub struct FromTemplateInput {
    pub course: String,
    pub slug: String,
    pub starts_on: Date,
    /// The first is the language of the sessions, assignments and questions.
    pub locales: Vec<String>,
    pub facilitators: Vec<String>,
    pub status: String,
    /// The video meeting link of every session.
    pub join_url: Option<String>,
}

fn parse(source: &str) -> Result<Template, String> {
    serde_yaml_ng::from_str(source).map_err(|e| e.to_string())
}

/// Reads every `<course>/cohort-template.yaml` under `dir` and stores it
/// for its course; returns the problems (a template that does not parse,
/// or names no imported course), which skip that template only.
pub async fn import_templates(db: &impl ConnectionTrait, dir: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    for path in entries.into_iter().map(|d| d.join("cohort-template.yaml")) {
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue;
        };
        let t = match parse(&source) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let Some(c) = course::Entity::find()
            .filter(course::Column::Slug.eq(t.course.as_str()))
            .one(db)
            .await?
        else {
            problems.push(format!("{}: no course `{}`", path.display(), t.course));
            continue;
        };
        cohort_template::Entity::delete_by_id(c.id).exec(db).await?;
        cohort_template::ActiveModel {
            course_id: Set(c.id),
            source: Set(source),
            updated_at: Set(now()),
        }
        .insert(db)
        .await?;
    }
    Ok(problems)
}

fn pick(t: &Text, locale: &str) -> String {
    t.get(locale)
        .or_else(|| t.get("en"))
        .or_else(|| t.values().next())
        .cloned()
        .unwrap_or_default()
}

fn day(start: Date, offset: i64) -> Result<Date> {
    start
        .checked_add(Duration::days(offset))
        .ok_or_else(|| Error::invalid("starts_on", "the template's dates run out of range"))
}

impl Cohorts {
    /// Starts a cohort from its course's template: the cohort, its
    /// sessions, assignments and completion rule, in one transaction.
    pub async fn create_from_template(
        &self,
        who: Option<&Principal>,
        input: FromTemplateInput,
    ) -> Result<CohortView> {
        let who = require_signed_in(who)?;
        let course = course::Entity::find()
            .filter(course::Column::Slug.eq(input.course.trim()))
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::invalid("course", "no published course has this id"))?;
        let source = cohort_template::Entity::find_by_id(course.id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::invalid("course", "this course ships no cohort template"))?;
        let t =
            parse(&source.source).map_err(|e| Error::Internal(format!("stored template: {e}")))?;
        let locale = input
            .locales
            .first()
            .cloned()
            .unwrap_or_else(|| "en".into());
        let only = |m: &Text| -> Text {
            m.iter()
                .filter(|(k, _)| input.locales.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let cohort_input = CohortInput {
            completion: None,
            course: input.course.clone(),
            slug: input.slug.clone(),
            titles: only(&t.title),
            descriptions: only(&t.description),
            starts_on: input.starts_on,
            ends_on: day(input.starts_on, 7 * t.duration_weeks)?,
            capacity_organisations: t.capacity.organisations,
            capacity_people: t.capacity.people,
            admission: t.admission.clone(),
            locales: input.locales.clone(),
            status: input.status.clone(),
            facilitators: input.facilitators.clone(),
            questions: t.questions.iter().map(|q| pick(&q.text, &locale)).collect(),
        };
        let txn = crate::db::begin_write(&self.db).await?;
        let c = create_in(&txn, who, &cohort_input).await?;
        for s in &t.sessions {
            let start_time = Time::parse(
                &s.start_time_utc,
                time::macros::format_description!("[hour]:[minute]"),
            )
            .map_err(|e| Error::Internal(format!("template start_time_utc: {e}")))?;
            let starts_at = day(input.starts_on, s.offset_days)?
                .with_time(start_time)
                .assume_utc();
            let session = SessionInput {
                title: pick(&s.title, &locale),
                agenda: pick(&s.agenda, &locale),
                starts_at,
                ends_at: starts_at + Duration::minutes(s.duration_minutes),
                join_url: input.join_url.clone(),
                preparation: s.preparation.clone(),
            };
            let session = sessions::check(&txn, &c, &session).await?;
            sessions::insert_session(&txn, c.id, session).await?;
        }
        for a in &t.assignments {
            let due_at: OffsetDateTime = day(input.starts_on, a.due_offset_days)?
                .with_time(Time::from_hms(23, 59, 0).expect("a valid time"))
                .assume_utc();
            let assignment = AssignmentInput {
                key: Some(a.key.clone()),
                title: pick(&a.title, &locale),
                instructions: pick(&a.instructions, &locale),
                due_at,
                module_key: a.after_module.clone(),
                scope: a.submission.clone(),
                peer_reviews: a.peer_reviews,
                exclude_own_organisation: true,
                rubric: a
                    .rubric
                    .iter()
                    .map(|c| Criterion {
                        key: c.key.clone(),
                        criterion: pick(&c.criterion, &locale),
                        levels: c
                            .levels
                            .iter()
                            .map(|l| Level {
                                points: l.points,
                                title: pick(&l.title, &locale),
                                description: pick(&l.description, &locale),
                            })
                            .collect(),
                    })
                    .collect(),
            };
            let assignment = assignments::check(&txn, &c, &assignment).await?;
            assignments::insert(&txn, &c, assignment).await?;
        }
        let completion = t.completion.unwrap_or_default();
        let mut am: cohort::ActiveModel = c.into();
        am.completion = Set(Some(serde_json::json!(completion)));
        let c = am.update(&txn).await?;
        txn.commit().await?;
        let s = standing(&self.db, Some(who), &c).await?;
        self.view(c, s).await
    }
}
