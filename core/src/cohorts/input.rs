//! A cohort as it is written, and its checking: locales, titles, dates,
//! capacities, admission, status, facilitators and questions, each
//! refused by name.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use time::Date;
use uuid::Uuid;

use super::{Admission, CohortStatus, Completion};
use crate::{Error, Result, accounts::Email, domain::Locale, entities::user};

const MAX_CAPACITY: i32 = 10_000;
const MAX_QUESTIONS: usize = 20;
const MAX_FACILITATORS: usize = 20;

/// A cohort as it is written: for creating (all of it) and editing (all
/// but `course` and `slug`, which stay).
#[derive(Clone, Debug)]
pub struct CohortInput {
    /// The published course's slug.
    pub course: String,
    pub slug: String,
    /// Locale -> title.
    pub titles: BTreeMap<String, String>,
    /// Locale -> description (Markdown).
    pub descriptions: BTreeMap<String, String>,
    pub starts_on: Date,
    pub ends_on: Date,
    pub capacity_organisations: i32,
    pub capacity_people: i32,
    pub admission: String,
    pub locales: Vec<String>,
    pub status: String,
    /// The facilitators' account addresses.
    pub facilitators: Vec<String>,
    /// The questions applicants answer (free text).
    pub questions: Vec<String>,
    /// What completing it means; `None` keeps the rule as it is.
    pub completion: Option<Completion>,
}

/// The parsed, checked parts of a [`CohortInput`] that rows are made of.
pub(super) struct Checked {
    pub(super) titles: BTreeMap<String, String>,
    pub(super) descriptions: BTreeMap<String, String>,
    pub(super) locales: Vec<String>,
    pub(super) admission: Admission,
    pub(super) status: CohortStatus,
    pub(super) facilitators: Vec<Uuid>,
    pub(super) questions: Vec<String>,
}

fn check_locale_map(
    field: &str,
    map: &BTreeMap<String, String>,
    max: usize,
    locales: &[String],
) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (k, v) in map {
        if !locales.contains(k) {
            return Err(Error::invalid(
                field,
                format!("`{k}` is not one of the cohort's locales"),
            ));
        }
        let v = v.trim();
        if v.chars().count() > max {
            return Err(Error::invalid(
                field,
                format!("at most {max} characters per locale"),
            ));
        }
        if !v.is_empty() {
            out.insert(k.clone(), v.to_owned());
        }
    }
    Ok(out)
}

pub(super) async fn check(db: &impl ConnectionTrait, input: &CohortInput) -> Result<Checked> {
    let mut locales = Vec::new();
    for l in &input.locales {
        let l: Locale = l.trim().parse().map_err(|_| {
            Error::invalid(
                "locales",
                format!("`{l}` is not a locale: give en, fr or es"),
            )
        })?;
        if !locales.contains(&l.as_str().to_owned()) {
            locales.push(l.as_str().to_owned());
        }
    }
    if locales.is_empty() {
        return Err(Error::invalid("locales", "give at least one locale"));
    }
    let titles = check_locale_map("titles", &input.titles, 200, &locales)?;
    if titles.is_empty() {
        return Err(Error::invalid(
            "titles",
            "give a title in at least one of the cohort's locales",
        ));
    }
    let descriptions = check_locale_map("descriptions", &input.descriptions, 20_000, &locales)?;
    if input.ends_on < input.starts_on {
        return Err(Error::invalid(
            "ends_on",
            "the cohort must end on or after its start",
        ));
    }
    for (field, n) in [
        ("capacity_organisations", input.capacity_organisations),
        ("capacity_people", input.capacity_people),
    ] {
        if !(1..=MAX_CAPACITY).contains(&n) {
            return Err(Error::invalid(field, format!("give 1 to {MAX_CAPACITY}")));
        }
    }
    let admission = Admission::parse(input.admission.trim())
        .ok_or_else(|| Error::invalid("admission", "give open, application or invitation"))?;
    let status = CohortStatus::parse(input.status.trim())
        .ok_or_else(|| Error::invalid("status", "give draft, open or closed"))?;
    if input.facilitators.len() > MAX_FACILITATORS {
        return Err(Error::invalid(
            "facilitators",
            format!("at most {MAX_FACILITATORS} facilitators"),
        ));
    }
    let mut facilitators = Vec::new();
    for e in &input.facilitators {
        let email = Email::parse(e.trim()).map_err(|_| {
            Error::invalid("facilitators", format!("`{e}` is not an email address"))
        })?;
        let u = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(db)
            .await?
            .ok_or_else(|| {
                Error::invalid("facilitators", format!("no account has the address {e}"))
            })?;
        if !facilitators.contains(&u.id) {
            facilitators.push(u.id);
        }
    }
    if input.questions.len() > MAX_QUESTIONS {
        return Err(Error::invalid(
            "questions",
            format!("at most {MAX_QUESTIONS} questions"),
        ));
    }
    let mut questions = Vec::new();
    for q in &input.questions {
        let q = q.trim();
        if q.is_empty() || q.chars().count() > 1_000 {
            return Err(Error::invalid(
                "questions",
                "each question has 1 to 1000 characters",
            ));
        }
        questions.push(q.to_owned());
    }
    Ok(Checked {
        titles,
        descriptions,
        locales,
        admission,
        status,
        facilitators,
        questions,
    })
}
