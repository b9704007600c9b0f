//! Deep Linking: an instructor, launched from their LMS, picks an Agora
//! course, module or lesson; Agora answers the platform with a signed
//! `LtiDeepLinkingResponse` that the browser posts to its return address.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::Expr};
use serde::Serialize;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{
    Lti, STATE_LIFETIME_SECONDS, Verified,
    rejection::{LaunchError, Rejection},
};
use crate::{
    accounts::{new_token, token_hash},
    catalogue::course_outline,
    domain::{LessonKind, Locale},
    entities::{course, lti_deep_link},
};

/// A lesson or module to choose.
#[derive(Clone, Debug, Serialize)]
pub struct PickerItem {
    /// The form value: `lesson:<slug>:<key>` or `module:<slug>:<key>`.
    pub value: String,
    pub title: String,
    pub lessons: Vec<PickerItem>,
}

/// A course to choose, with its modules and their lessons.
#[derive(Clone, Debug, Serialize)]
pub struct PickerCourse {
    /// The form value: `course:<slug>`.
    pub value: String,
    pub title: String,
    pub modules: Vec<PickerItem>,
}

/// What the picker shows.
#[derive(Clone, Debug, Serialize)]
pub struct DeepLinkPicker {
    pub token: String,
    pub courses: Vec<PickerCourse>,
}

/// What the instructor chose, parsed from the form's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeepLinkChoice {
    Course { slug: String },
    Module { slug: String, key: String },
    Lesson { slug: String, key: String },
}

impl DeepLinkChoice {
    pub fn parse(value: &str) -> Option<Self> {
        let mut p = value.splitn(3, ':');
        let (kind, slug, key) = (p.next()?, p.next()?.to_owned(), p.next());
        match (kind, key) {
            ("course", None) => Some(Self::Course { slug }),
            ("module", Some(k)) => Some(Self::Module {
                slug,
                key: k.into(),
            }),
            ("lesson", Some(k)) => Some(Self::Lesson {
                slug,
                key: k.into(),
            }),
            _ => None,
        }
    }
}

/// The answer to post to the platform: a form the browser submits.
#[derive(Clone, Debug, Serialize)]
pub struct DeepLinkForm {
    pub return_url: String,
    pub jwt: String,
}

impl Lti {
    pub(super) async fn open_deep_link(
        &self,
        v: &Verified,
        user_id: Uuid,
        return_url: &str,
        data: Option<&str>,
    ) -> Result<String, LaunchError> {
        let token = new_token("");
        lti_deep_link::Entity::insert(lti_deep_link::ActiveModel {
            token_hash: Set(token_hash(&token)),
            platform_id: Set(v.platform_id),
            deployment_id: Set(v.deployment_id.clone()),
            user_id: Set(user_id),
            return_url: Set(return_url.to_owned()),
            data: Set(data.map(str::to_owned)),
            expires_at: Set(OffsetDateTime::now_utc() + Duration::seconds(STATE_LIFETIME_SECONDS)),
            used_at: Set(None),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(token)
    }

    async fn open_request(
        &self,
        token: &str,
        user_id: Uuid,
    ) -> Result<lti_deep_link::Model, LaunchError> {
        let row = lti_deep_link::Entity::find_by_id(token_hash(token))
            .one(&self.db)
            .await?
            .ok_or(Rejection::UnknownState)?;
        if row.user_id != user_id {
            return Err(Rejection::StateMismatch.into());
        }
        if row.used_at.is_some() {
            return Err(Rejection::ReplayedNonce.into());
        }
        if row.expires_at < OffsetDateTime::now_utc() {
            return Err(Rejection::UnknownState.into());
        }
        Ok(row)
    }

    /// The published courses, modules and lessons to choose from, for the
    /// instructor who holds the request `token`.
    pub async fn deep_link_picker(
        &self,
        token: &str,
        user_id: Uuid,
        locale: Locale,
    ) -> Result<DeepLinkPicker, LaunchError> {
        self.open_request(token, user_id).await?;
        let slugs = course::Entity::find()
            .filter(course::Column::Status.eq("published"))
            .order_by_asc(course::Column::Slug)
            .all(&self.db)
            .await?;
        let mut courses = Vec::new();
        for c in slugs {
            let o = course_outline(&self.db, &c.slug, &[locale]).await?;
            courses.push(PickerCourse {
                value: format!("course:{}", c.slug),
                title: o.card.title.clone(),
                modules: o
                    .modules
                    .iter()
                    .map(|m| PickerItem {
                        value: format!("module:{}:{}", c.slug, m.key),
                        title: m.title.clone(),
                        lessons: m
                            .lessons
                            .iter()
                            .map(|l| PickerItem {
                                value: format!("lesson:{}:{}", c.slug, l.key),
                                title: l.title.clone(),
                                lessons: vec![],
                            })
                            .collect(),
                    })
                    .collect(),
            });
        }
        Ok(DeepLinkPicker {
            token: token.to_owned(),
            courses,
        })
    }

    /// The signed answer for the instructor's choice; the request is used up.
    pub async fn deep_link_response(
        &self,
        token: &str,
        user_id: Uuid,
        choice: &DeepLinkChoice,
        locale: Locale,
    ) -> Result<DeepLinkForm, LaunchError> {
        let row = self.open_request(token, user_id).await?;
        let slug = match choice {
            DeepLinkChoice::Course { slug }
            | DeepLinkChoice::Module { slug, .. }
            | DeepLinkChoice::Lesson { slug, .. } => slug,
        };
        let outline = course_outline(&self.db, slug, &[locale])
            .await
            .map_err(|_| Rejection::WrongTargetLink)?;
        // A module opens at its first lesson; a course and a quiz carry a
        // line item, so the platform makes a gradebook column for them.
        let (title, path, graded) = match choice {
            DeepLinkChoice::Course { slug } => {
                (outline.card.title.clone(), crate::links::course(slug), true)
            }
            DeepLinkChoice::Module { slug, key } => {
                let m = outline
                    .modules
                    .iter()
                    .find(|m| &m.key == key)
                    .ok_or(Rejection::WrongTargetLink)?;
                let first = m.lessons.first().ok_or(Rejection::WrongTargetLink)?;
                (
                    m.title.clone(),
                    crate::links::lesson(slug, &first.key),
                    first.kind == LessonKind::Quiz,
                )
            }
            DeepLinkChoice::Lesson { slug, key } => {
                let l = outline
                    .modules
                    .iter()
                    .flat_map(|m| &m.lessons)
                    .find(|l| &l.key == key)
                    .ok_or(Rejection::WrongTargetLink)?;
                (
                    l.title.clone(),
                    crate::links::lesson(slug, key),
                    l.kind == LessonKind::Quiz,
                )
            }
        };
        let used = lti_deep_link::Entity::update_many()
            .col_expr(
                lti_deep_link::Column::UsedAt,
                Expr::value(Some(OffsetDateTime::now_utc())),
            )
            .filter(lti_deep_link::Column::TokenHash.eq(row.token_hash.clone()))
            .filter(lti_deep_link::Column::UsedAt.is_null())
            .exec(&self.db)
            .await?
            .rows_affected;
        if used != 1 {
            return Err(Rejection::ReplayedNonce.into());
        }
        let platform = self.platform_model(row.platform_id).await?;
        let mut item = json!({
            "type": "ltiResourceLink",
            "title": title,
            "url": self.absolute(&path),
        });
        if graded {
            item["lineItem"] = json!({ "scoreMaximum": 1, "label": title, "resourceId": path });
        }
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let mut claims = json!({
            "iss": platform.client_id,
            "aud": platform.issuer,
            "iat": now,
            "exp": now + 300,
            "nonce": new_token(""),
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": row.deployment_id,
            "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [item],
        });
        if let Some(d) = row.data {
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] = json!(d);
        }
        let jwt = self.signing_key().await?.sign(&claims)?;
        Ok(DeepLinkForm {
            return_url: row.return_url,
            jwt,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_from_the_form() {
        assert_eq!(
            DeepLinkChoice::parse("lesson:sdgs:intro"),
            Some(DeepLinkChoice::Lesson {
                slug: "sdgs".into(),
                key: "intro".into()
            })
        );
        assert_eq!(
            DeepLinkChoice::parse("course:sdgs"),
            Some(DeepLinkChoice::Course {
                slug: "sdgs".into()
            })
        );
        assert_eq!(DeepLinkChoice::parse("course:sdgs:x"), None);
        assert_eq!(DeepLinkChoice::parse("video:x:y"), None);
    }
}
