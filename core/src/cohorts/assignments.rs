//! Assignments of a cohort: instructions, a due date, a rubric. Those who
//! run the cohort write them; its people read them.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Cohorts, now};
use crate::{
    Error, Result,
    accounts::Principal,
    domain::Slug,
    entities::{cohort, cohort_assignment, cohort_submission, course, module},
    markdown,
    media::CourseLinks,
};

pub const MAX_PEER_REVIEWS: i32 = 5;
const MAX_CRITERIA: usize = 12;
const MAX_ASSIGNMENTS: u64 = 100;

/// One level of a rubric criterion; levels go from low to high points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub points: i32,
    pub title: String,
    pub description: String,
}

/// One criterion of a rubric, with its levels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Stable id within the assignment; scores name it.
    pub key: String,
    pub criterion: String,
    pub levels: Vec<Level>,
}

/// `individual`, or `organisation`: one submission per organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Individual,
    Organisation,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Individual => "individual",
            Scope::Organisation => "organisation",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "individual" => Some(Scope::Individual),
            "organisation" => Some(Scope::Organisation),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct AssignmentInput {
    /// A stable id (templates set it); optional.
    pub key: Option<String>,
    pub title: String,
    /// Markdown.
    pub instructions: String,
    pub due_at: OffsetDateTime,
    /// The module of the course the assignment follows.
    pub module_key: Option<String>,
    pub scope: String,
    pub peer_reviews: i32,
    /// Peers never review their own organisation's work (always so for
    /// organisation submissions).
    pub exclude_own_organisation: bool,
    pub rubric: Vec<Criterion>,
}

#[derive(Clone, Debug)]
pub struct AssignmentView {
    pub id: Uuid,
    pub key: Option<String>,
    pub title: String,
    pub instructions: String,
    pub instructions_html: String,
    pub due_at: OffsetDateTime,
    pub module_key: Option<String>,
    pub scope: String,
    pub peer_reviews: i32,
    pub exclude_own_organisation: bool,
    pub rubric: Vec<Criterion>,
}

fn text(field: &str, v: &str, max: usize) -> Result<String> {
    let v = v.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(Error::invalid(field, format!("give 1 to {max} characters")));
    }
    Ok(v.to_owned())
}

fn check_rubric(rubric: &[Criterion]) -> Result<Vec<Criterion>> {
    if rubric.is_empty() || rubric.len() > MAX_CRITERIA {
        return Err(Error::invalid(
            "rubric",
            format!("give 1 to {MAX_CRITERIA} criteria"),
        ));
    }
    let mut out: Vec<Criterion> = Vec::new();
    for c in rubric {
        let key = Slug::parse(c.key.trim())
            .map_err(|e| Error::invalid("rubric", format!("criterion key: {e}")))?;
        if out.iter().any(|o| o.key == key.as_str()) {
            return Err(Error::invalid(
                "rubric",
                format!("two criteria have the key `{key}`"),
            ));
        }
        if !(2..=6).contains(&c.levels.len()) {
            return Err(Error::invalid(
                "rubric",
                format!("criterion `{key}`: give 2 to 6 levels"),
            ));
        }
        let mut levels: Vec<Level> = Vec::new();
        for l in &c.levels {
            if levels.last().is_some_and(|p| p.points >= l.points) {
                return Err(Error::invalid(
                    "rubric",
                    format!("criterion `{key}`: points must increase from level to level"),
                ));
            }
            levels.push(Level {
                points: l.points,
                title: text("rubric", &l.title, 120)?,
                description: text("rubric", &l.description, 2_000)?,
            });
        }
        out.push(Criterion {
            key: key.as_str().to_owned(),
            criterion: text("rubric", &c.criterion, 200)?,
            levels,
        });
    }
    Ok(out)
}

pub(super) async fn check(
    db: &impl ConnectionTrait,
    c: &cohort::Model,
    input: &AssignmentInput,
) -> Result<AssignmentInput> {
    let key = match input.key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(
            Slug::parse(k)
                .map_err(|e| Error::invalid("key", e))?
                .as_str()
                .to_owned(),
        ),
    };
    if input.instructions.chars().count() > 50_000 {
        return Err(Error::invalid("instructions", "at most 50000 characters"));
    }
    let scope = Scope::parse(input.scope.trim())
        .ok_or_else(|| Error::invalid("scope", "`individual` or `organisation`"))?;
    if !(0..=MAX_PEER_REVIEWS).contains(&input.peer_reviews) {
        return Err(Error::invalid(
            "peer_reviews",
            format!("0 to {MAX_PEER_REVIEWS} reviews"),
        ));
    }
    let module_key = match input.module_key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => {
            let found = module::Entity::find()
                .filter(module::Column::CourseId.eq(c.course_id))
                .filter(module::Column::Key.eq(k))
                .filter(module::Column::Removed.eq(false))
                .one(db)
                .await?;
            if found.is_none() {
                return Err(Error::invalid(
                    "module_key",
                    format!("the course has no module `{k}`"),
                ));
            }
            Some(k.to_owned())
        }
    };
    Ok(AssignmentInput {
        key,
        title: text("title", &input.title, 200)?,
        instructions: input.instructions.trim().to_owned(),
        due_at: input.due_at,
        module_key,
        scope: scope.as_str().to_owned(),
        peer_reviews: input.peer_reviews,
        exclude_own_organisation: input.exclude_own_organisation || scope == Scope::Organisation,
        rubric: check_rubric(&input.rubric)?,
    })
}

pub(super) fn rubric_of(a: &cohort_assignment::Model) -> Vec<Criterion> {
    serde_json::from_value(a.rubric.clone()).unwrap_or_default()
}

/// Writes a checked assignment as a new row of `c` (also used by templates).
pub(super) async fn insert(
    db: &impl ConnectionTrait,
    c: &cohort::Model,
    input: AssignmentInput,
) -> Result<cohort_assignment::Model> {
    let count = cohort_assignment::Entity::find()
        .filter(cohort_assignment::Column::CohortId.eq(c.id))
        .count(db)
        .await?;
    if count >= MAX_ASSIGNMENTS {
        return Err(Error::invalid(
            "title",
            format!("a cohort has at most {MAX_ASSIGNMENTS} assignments"),
        ));
    }
    if let Some(k) = &input.key {
        let taken = cohort_assignment::Entity::find()
            .filter(cohort_assignment::Column::CohortId.eq(c.id))
            .filter(cohort_assignment::Column::Key.eq(k.as_str()))
            .one(db)
            .await?;
        if taken.is_some() {
            return Err(Error::Conflict {
                field: "key".into(),
                reason: "another assignment of this cohort has this key".into(),
            });
        }
    }
    let at = now();
    Ok(cohort_assignment::ActiveModel {
        id: Set(Uuid::new_v4()),
        cohort_id: Set(c.id),
        key: Set(input.key),
        position: Set(count as i32),
        title: Set(input.title),
        instructions: Set(input.instructions),
        due_at: Set(input.due_at),
        module_key: Set(input.module_key),
        scope: Set(input.scope),
        peer_reviews: Set(input.peer_reviews),
        exclude_own_organisation: Set(input.exclude_own_organisation),
        rubric: Set(serde_json::json!(input.rubric)),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?)
}

impl Cohorts {
    pub(super) async fn assignment_view(
        &self,
        c: &cohort::Model,
        a: cohort_assignment::Model,
    ) -> Result<AssignmentView> {
        let slug = course::Entity::find_by_id(c.course_id)
            .one(&self.db)
            .await?
            .map(|c| c.slug)
            .unwrap_or_default();
        Ok(AssignmentView {
            id: a.id,
            rubric: rubric_of(&a),
            instructions_html: markdown::render(&a.instructions, &CourseLinks { slug: &slug }),
            key: a.key,
            title: a.title,
            instructions: a.instructions,
            due_at: a.due_at,
            module_key: a.module_key,
            scope: a.scope,
            peer_reviews: a.peer_reviews,
            exclude_own_organisation: a.exclude_own_organisation,
        })
    }

    pub(super) async fn find_assignment(
        &self,
        c: &cohort::Model,
        id: Uuid,
    ) -> Result<cohort_assignment::Model> {
        cohort_assignment::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .filter(|a| a.cohort_id == c.id)
            .ok_or(Error::NotFound { what: "assignment" })
    }

    /// A cohort's assignments, by due date: to its people only.
    pub async fn assignments(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<AssignmentView>> {
        let (c, _) = self.inside(who, slug).await?;
        let rows = cohort_assignment::Entity::find()
            .filter(cohort_assignment::Column::CohortId.eq(c.id))
            .order_by_asc(cohort_assignment::Column::DueAt)
            .order_by_asc(cohort_assignment::Column::Position)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for a in rows {
            out.push(self.assignment_view(&c, a).await?);
        }
        Ok(out)
    }

    pub async fn assignment(
        &self,
        who: Option<&Principal>,
        slug: &str,
        id: Uuid,
    ) -> Result<AssignmentView> {
        let (c, _) = self.inside(who, slug).await?;
        let a = self.find_assignment(&c, id).await?;
        self.assignment_view(&c, a).await
    }

    pub async fn create_assignment(
        &self,
        who: Option<&Principal>,
        slug: &str,
        input: AssignmentInput,
    ) -> Result<AssignmentView> {
        let (c, _) = self.run_by(who, slug).await?;
        let input = check(&self.db, &c, &input).await?;
        let txn = crate::db::begin_write(&self.db).await?;
        let row = insert(&txn, &c, input).await?;
        txn.commit().await?;
        self.assignment_view(&c, row).await
    }

    /// Edits an assignment. Scores name criteria by key, so feedback
    /// already given stays readable when the rubric changes.
    pub async fn update_assignment(
        &self,
        who: Option<&Principal>,
        slug: &str,
        id: Uuid,
        input: AssignmentInput,
    ) -> Result<AssignmentView> {
        let (c, _) = self.run_by(who, slug).await?;
        let a = self.find_assignment(&c, id).await?;
        let input = check(&self.db, &c, &input).await?;
        if input.scope != a.scope && has_submissions(&self.db, a.id).await? {
            return Err(Error::Conflict {
                field: "scope".into(),
                reason: "work has been handed in: the scope can no longer change".into(),
            });
        }
        let mut am: cohort_assignment::ActiveModel = a.into();
        am.key = Set(input.key);
        am.title = Set(input.title);
        am.instructions = Set(input.instructions);
        am.due_at = Set(input.due_at);
        am.module_key = Set(input.module_key);
        am.scope = Set(input.scope);
        am.peer_reviews = Set(input.peer_reviews);
        am.exclude_own_organisation = Set(input.exclude_own_organisation);
        am.rubric = Set(serde_json::json!(input.rubric));
        am.updated_at = Set(now());
        let row = am.update(&self.db).await?;
        self.assignment_view(&c, row).await
    }

    /// Removes an assignment nobody has handed work in for.
    pub async fn delete_assignment(
        &self,
        who: Option<&Principal>,
        slug: &str,
        id: Uuid,
    ) -> Result<()> {
        let (c, _) = self.run_by(who, slug).await?;
        let a = self.find_assignment(&c, id).await?;
        if has_submissions(&self.db, a.id).await? {
            return Err(Error::Conflict {
                field: "assignment".into(),
                reason: "work has been handed in for this assignment: it cannot be removed".into(),
            });
        }
        cohort_assignment::Entity::delete_by_id(a.id)
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

async fn has_submissions(db: &impl ConnectionTrait, assignment_id: Uuid) -> Result<bool> {
    Ok(cohort_submission::Entity::find()
        .filter(cohort_submission::Column::AssignmentId.eq(assignment_id))
        .count(db)
        .await?
        > 0)
}
