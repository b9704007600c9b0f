//! Finding, making and listing spaces. A course's and a cohort's space
//! are made the first time they are asked for; community spaces are
//! created by admins, and four are there from the start.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::OnConflict,
};
use uuid::Uuid;

use super::{
    Discussions,
    access::{Access, COHORT, COMMUNITY, COURSE, access_of},
    not_found, now,
};
use crate::{
    Result,
    accounts::{Principal, require_signed_in},
    addressee::course_title,
    domain::Locale,
    entities::{cohort, cohort_facilitator, cohort_member, course, discussion_space, enrolment},
};

/// The community spaces every Agora starts with: slug, then titles in
/// English, French and Spanish.
pub const SEEDED_SPACES: [(&str, [&str; 3]); 4] = [
    (
        "localizing-the-sdgs",
        [
            "Localizing the SDGs",
            "Localiser les ODD",
            "Localización de los ODS",
        ],
    ),
    (
        "disaster-risk-reduction",
        [
            "Disaster risk reduction",
            "Réduction des risques de catastrophe",
            "Reducción del riesgo de desastres",
        ],
    ),
    (
        "voluntary-local-reviews",
        [
            "Voluntary Local Reviews",
            "Examens locaux volontaires",
            "Informes Locales Voluntarios",
        ],
    ),
    (
        "learning-cities",
        [
            "Learning cities",
            "Villes apprenantes",
            "Ciudades del aprendizaje",
        ],
    ),
];

/// A space as the caller sees it.
#[derive(Clone, Debug)]
pub struct SpaceView {
    pub slug: String,
    /// `course`, `cohort` or `community`.
    pub kind: String,
    /// In the reader's language, else the first there is.
    pub title: String,
    pub course: Option<String>,
    pub cohort: Option<String>,
    pub access: Access,
    pub following: bool,
    /// A community space's description in the reader's language, or empty.
    pub description: String,
    /// Why and until when the reader may not post here, if suspended.
    pub suspension: Option<(time::OffsetDateTime, String)>,
    /// The reader's mail choice for this space (`None`: their default).
    pub mail: Option<super::MailMode>,
}

fn titles_json(titles: &BTreeMap<String, String>) -> serde_json::Value {
    serde_json::to_value(titles).unwrap_or_default()
}

/// Makes the seeded community spaces that are missing (at every start).
pub async fn seed_community_spaces(db: &impl ConnectionTrait) -> Result<()> {
    for (slug, titles) in SEEDED_SPACES {
        let titles: BTreeMap<String, String> = Locale::ALL
            .iter()
            .zip(titles)
            .map(|(l, t)| (l.as_str().to_owned(), t.to_owned()))
            .collect();
        insert_space(db, slug, COMMUNITY, None, None, &titles).await?;
    }
    Ok(())
}

/// Inserts a space unless its slug exists, and reads it back.
async fn insert_space(
    db: &impl ConnectionTrait,
    slug: &str,
    kind: &str,
    course_id: Option<Uuid>,
    cohort_id: Option<Uuid>,
    titles: &BTreeMap<String, String>,
) -> Result<discussion_space::Model> {
    discussion_space::Entity::insert(discussion_space::ActiveModel {
        id: Set(Uuid::new_v4()),
        slug: Set(slug.to_owned()),
        kind: Set(kind.to_owned()),
        course_id: Set(course_id),
        cohort_id: Set(cohort_id),
        titles: Set(titles_json(titles)),
        descriptions: Set(None),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(discussion_space::Column::Slug)
            .do_nothing()
            .to_owned(),
    )
    .try_insert()
    .exec(db)
    .await?;
    discussion_space::Entity::find()
        .filter(discussion_space::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| not_found("discussion space"))
}

impl Discussions {
    /// The space named `slug`: a course's or a cohort's is made on demand.
    pub(super) async fn space(&self, slug: &str) -> Result<discussion_space::Model> {
        if let Some(s) = discussion_space::Entity::find()
            .filter(discussion_space::Column::Slug.eq(slug))
            .one(&self.db)
            .await?
        {
            return Ok(s);
        }
        let none = BTreeMap::new();
        if let Some(c) = slug.strip_prefix("course-") {
            let c = course::Entity::find()
                .filter(course::Column::Slug.eq(c))
                .filter(course::Column::Status.eq("published"))
                .one(&self.db)
                .await?
                .ok_or_else(|| not_found("discussion space"))?;
            return insert_space(&self.db, slug, COURSE, Some(c.id), None, &none).await;
        }
        if let Some(c) = slug.strip_prefix("cohort-") {
            let c = cohort::Entity::find()
                .filter(cohort::Column::Slug.eq(c))
                .one(&self.db)
                .await?
                .ok_or_else(|| not_found("discussion space"))?;
            return insert_space(&self.db, slug, COHORT, None, Some(c.id), &none).await;
        }
        Err(not_found("discussion space"))
    }

    pub(super) async fn space_view(
        &self,
        s: &discussion_space::Model,
        access: Access,
        user_id: Uuid,
        locale: Locale,
    ) -> Result<SpaceView> {
        let descriptions: BTreeMap<String, String> = s
            .descriptions
            .clone()
            .and_then(|d| serde_json::from_value(d).ok())
            .unwrap_or_default();
        let suspension = if access.read {
            super::suspensions::active(&self.db, user_id, s.id)
                .await?
                .map(|x| (x.until, x.reason))
        } else {
            None
        };
        let (title, course_slug, cohort_slug) = space_title(&self.db, s, locale).await?;
        Ok(SpaceView {
            slug: s.slug.clone(),
            kind: s.kind.clone(),
            title,
            course: course_slug,
            cohort: cohort_slug,
            access,
            following: self.follows(user_id, s.id).await?,
            description: pick(&descriptions, locale, ""),
            suspension,
            mail: self.space_mail(user_id, s.id).await?,
        })
    }

    /// One space, if the caller may read it.
    pub async fn get_space(
        &self,
        who: Option<&Principal>,
        slug: &str,
        locale: Locale,
    ) -> Result<SpaceView> {
        let who = require_signed_in(who)?;
        let s = self.space(slug).await?;
        let a = self.reader(Some(who), &s).await?;
        self.space_view(&s, a, who.user_id, locale).await
    }

    /// The spaces the caller can read: the community's, then their
    /// courses' and cohorts'.
    pub async fn list_spaces(
        &self,
        who: Option<&Principal>,
        locale: Locale,
    ) -> Result<Vec<SpaceView>> {
        let who = require_signed_in(who)?;
        let mut slugs: Vec<String> = discussion_space::Entity::find()
            .filter(discussion_space::Column::Kind.eq(COMMUNITY))
            .order_by_asc(discussion_space::Column::CreatedAt)
            .order_by_asc(discussion_space::Column::Slug)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| s.slug)
            .collect();
        let courses: Vec<Uuid> = enrolment::Entity::find()
            .filter(enrolment::Column::UserId.eq(who.user_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| e.course_id)
            .collect();
        for c in course::Entity::find()
            .filter(course::Column::Id.is_in(courses))
            .filter(course::Column::Status.eq("published"))
            .order_by_asc(course::Column::Slug)
            .all(&self.db)
            .await?
        {
            slugs.push(format!("course-{}", c.slug));
        }
        let mut cohorts: Vec<Uuid> = cohort_member::Entity::find()
            .filter(cohort_member::Column::UserId.eq(who.user_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| m.cohort_id)
            .collect();
        cohorts.extend(
            cohort_facilitator::Entity::find()
                .filter(cohort_facilitator::Column::UserId.eq(who.user_id))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|m| m.cohort_id),
        );
        for c in cohort::Entity::find()
            .filter(cohort::Column::Id.is_in(cohorts))
            .order_by_asc(cohort::Column::Slug)
            .all(&self.db)
            .await?
        {
            slugs.push(format!("cohort-{}", c.slug));
        }
        let mut out = Vec::new();
        for slug in slugs {
            let s = self.space(&slug).await?;
            let a = access_of(&self.db, &s, who.user_id, who.role).await?;
            if a.read {
                out.push(self.space_view(&s, a, who.user_id, locale).await?);
            }
        }
        Ok(out)
    }

    /// Creates a community space (admins).
    pub async fn create_space(
        &self,
        who: Option<&Principal>,
        slug: &str,
        titles: &BTreeMap<String, String>,
        locale: Locale,
    ) -> Result<SpaceView> {
        let input = super::SpaceInput {
            slug: slug.to_owned(),
            titles: titles.clone(),
            descriptions: BTreeMap::new(),
        };
        self.save_community_space(who, None, &input, locale).await
    }
}

/// A space's title in `locale`, and the slug of its course or cohort.
pub(super) async fn space_title(
    db: &impl ConnectionTrait,
    s: &discussion_space::Model,
    locale: Locale,
) -> Result<(String, Option<String>, Option<String>)> {
    Ok(match s.kind.as_str() {
        COURSE => {
            let c = course::Entity::find_by_id(s.course_id.unwrap_or_default())
                .one(db)
                .await?
                .ok_or_else(|| not_found("discussion space"))?;
            let (_, title) = course_title(db, &c, locale).await?;
            (title, Some(c.slug), None)
        }
        COHORT => {
            let c = cohort::Entity::find_by_id(s.cohort_id.unwrap_or_default())
                .one(db)
                .await?
                .ok_or_else(|| not_found("discussion space"))?;
            let titles: BTreeMap<String, String> =
                serde_json::from_value(c.titles.clone()).unwrap_or_default();
            (pick(&titles, locale, &c.slug), None, Some(c.slug))
        }
        _ => {
            let titles: BTreeMap<String, String> =
                serde_json::from_value(s.titles.clone()).unwrap_or_default();
            (pick(&titles, locale, &s.slug), None, None)
        }
    })
}

fn pick(titles: &BTreeMap<String, String>, locale: Locale, fallback: &str) -> String {
    titles
        .get(locale.as_str())
        .or_else(|| titles.get("en"))
        .or_else(|| titles.values().next())
        .cloned()
        .unwrap_or_else(|| fallback.to_owned())
}
