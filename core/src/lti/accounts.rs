//! LTI users: matched to an Agora account by (platform, subject), never by
//! email alone; made on their first launch with the name and email the
//! platform sends, and the resource links they came from kept.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Lti, Verified};
use crate::{
    Result,
    accounts::{Email, Role},
    entities::{lti_account, lti_link, user},
};

/// A password hash no password matches: LTI users sign in through their LMS.
const NO_PASSWORD: &str = "!lti";

fn locale_of(v: &Verified) -> &'static str {
    match v.locale.as_deref().map(|l| l.get(..2).unwrap_or(l)) {
        Some("fr") => "fr",
        Some("es") => "es",
        _ => "en",
    }
}

impl Lti {
    /// The Agora account of the launch's user, made on their first launch.
    pub(super) async fn account_for(&self, v: &Verified) -> Result<Uuid> {
        let find =
            || lti_account::Entity::find_by_id((v.platform_id, v.subject.clone())).one(&self.db);
        if let Some(a) = find().await? {
            return Ok(a.user_id);
        }
        // The platform's address, unless it is missing, malformed or
        // another account's: then one that reaches nobody.
        let given = v.email.as_deref().and_then(|e| Email::parse(e).ok());
        let free = match &given {
            Some(e) => user::Entity::find()
                .filter(user::Column::Email.eq(e.as_str()))
                .one(&self.db)
                .await?
                .is_none(),
            None => false,
        };
        let email = match given {
            Some(e) if free => e.as_str().to_owned(),
            _ => {
                let mut h = Sha256::new();
                h.update(v.platform_id.as_bytes());
                h.update(v.subject.as_bytes());
                format!("lti-{}@lti.invalid", &hex::encode(h.finalize())[..20])
            }
        };
        let name: String = v
            .name
            .clone()
            .unwrap_or_else(|| "LMS user".into())
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        let now = OffsetDateTime::now_utc();
        let id = Uuid::new_v4();
        let txn = crate::db::begin_write(&self.db).await?;
        user::Entity::insert(user::ActiveModel {
            id: Set(id),
            email: Set(email),
            email_verified_at: Set(free.then_some(now)),
            password_hash: Set(NO_PASSWORD.into()),
            display_name: Set(name),
            locale: Set(locale_of(v).into()),
            role: Set(Role::Learner.as_str().into()),
            reminders_opt_out: Set(false),
            unsubscribe_token: Set(None),
            time_zone: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        let linked = lti_account::Entity::insert(lti_account::ActiveModel {
            platform_id: Set(v.platform_id),
            subject: Set(v.subject.clone()),
            user_id: Set(id),
            created_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                lti_account::Column::PlatformId,
                lti_account::Column::Subject,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if linked == 1 {
            txn.commit().await?;
            return Ok(id);
        }
        // A concurrent first launch of the same user made the account.
        txn.rollback().await?;
        Ok(find()
            .await?
            .ok_or(crate::Error::Internal("LTI account vanished".into()))?
            .user_id)
    }

    /// Keeps the resource link the user came from: its course or lesson,
    /// their role in it, and the line item their scores go to.
    pub(super) async fn keep_link(
        &self,
        v: &Verified,
        user_id: Uuid,
        resource_link_id: &str,
        course_id: Uuid,
        lesson_key: Option<&str>,
    ) -> Result<()> {
        lti_link::Entity::insert(lti_link::ActiveModel {
            id: Set(Uuid::new_v4()),
            platform_id: Set(v.platform_id),
            user_id: Set(user_id),
            subject: Set(v.subject.clone()),
            resource_link_id: Set(resource_link_id.to_owned()),
            course_id: Set(course_id),
            lesson_key: Set(lesson_key.map(str::to_owned)),
            instructor: Set(v.instructor),
            lineitem_url: Set(v.lineitem.clone()),
            updated_at: Set(OffsetDateTime::now_utc()),
        })
        .on_conflict(
            OnConflict::columns([
                lti_link::Column::PlatformId,
                lti_link::Column::UserId,
                lti_link::Column::ResourceLinkId,
            ])
            .update_columns([
                lti_link::Column::CourseId,
                lti_link::Column::LessonKey,
                lti_link::Column::Instructor,
                lti_link::Column::LineitemUrl,
                lti_link::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }
}
