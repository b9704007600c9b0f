//! Who a message goes to and in which words: a learner's mailbox and
//! locale, and a course's title in that locale. Shared by the mail that
//! notifications send and by certificates, so neither imports the other.

use lettre::message::Mailbox;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    Error, Result,
    catalogue::pick_locale,
    domain::Locale,
    entities::{course, course_translation, user},
};

/// The learner's address with their name, for the `To:` header.
pub fn mailbox(u: &user::Model) -> Result<Mailbox> {
    let email = u
        .email
        .parse()
        .map_err(|e| Error::Internal(format!("stored address does not parse: {e}")))?;
    Ok(Mailbox::new(Some(u.display_name.clone()), email))
}

/// The locale the learner reads Agora in.
pub fn locale_of(u: &user::Model) -> Locale {
    u.locale.parse().unwrap_or(Locale::En)
}

/// The course title in `locale`, else the course's default locale.
pub async fn course_title(
    db: &impl ConnectionTrait,
    course: &course::Model,
    locale: Locale,
) -> Result<(Locale, String)> {
    let rows = course_translation::Entity::find()
        .filter(course_translation::Column::CourseId.eq(course.id))
        .all(db)
        .await?;
    let available: Vec<Locale> = rows.iter().filter_map(|t| t.locale.parse().ok()).collect();
    let default = course.default_locale.parse().unwrap_or(Locale::En);
    let chosen = pick_locale(&[locale], &available, default);
    let title = rows
        .into_iter()
        .find(|t| t.locale == chosen.as_str())
        .map(|t| t.title)
        .unwrap_or_else(|| course.slug.clone());
    Ok((chosen, title))
}
