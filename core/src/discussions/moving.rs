//! Moving a thread to another space its moderator also moderates. The
//! thread keeps its posts, reports and waiting posts; its followers and
//! notifications stay only for those who can read the new space.
//!
//! A move must never widen a thread's audience by accident: out of a
//! cohort's (private) space, or from a course's space into a community
//! space, it is refused unless the moderator confirms with `widen`.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    Discussions, ThreadView,
    access::{COHORT, COMMUNITY, COURSE, access_of},
    moderation::{also_in, audit, refused},
};
use crate::{
    Error, Result,
    accounts::{Principal, Role, require_signed_in},
    entities::{
        discussion_approval, discussion_follow, discussion_post, discussion_report,
        discussion_space, notification, user,
    },
};

/// Whether moving from `from` to `to` lets more people read the thread.
pub fn widens(from: &str, to: &str) -> bool {
    from == COHORT || (from == COURSE && to == COMMUNITY)
}

/// Those of `people` who cannot read `space`.
async fn outsiders(
    db: &impl ConnectionTrait,
    space: &discussion_space::Model,
    people: Vec<Uuid>,
) -> Result<Vec<Uuid>> {
    let mut out = Vec::new();
    for u in user::Entity::find()
        .filter(user::Column::Id.is_in(people))
        .all(db)
        .await?
    {
        let role = u.role.parse::<Role>().unwrap_or(Role::Learner);
        if !access_of(db, space, u.id, role).await?.read {
            out.push(u.id);
        }
    }
    Ok(out)
}

impl Discussions {
    /// Moves a thread into the space named `to` (a moderator of both).
    pub async fn move_thread(
        &self,
        who: Option<&Principal>,
        id: Uuid,
        to: &str,
        widen: bool,
    ) -> Result<ThreadView> {
        let (t, from, access) = self.readable_thread(who, id).await?;
        let who = require_signed_in(who)?;
        if !access.moderate {
            return Err(refused());
        }
        let dest = self.space(to).await.map_err(|_| bad_space())?;
        let dest_access = access_of(&self.db, &dest, who.user_id, who.role).await?;
        if !dest_access.moderate {
            return Err(bad_space());
        }
        if dest.id == from.id {
            return Err(Error::invalid(
                "space",
                "the thread is already in this space",
            ));
        }
        if widens(&from.kind, &dest.kind) && !widen {
            return Err(Error::invalid(
                "widen",
                "this move shows the thread to more people: confirm it",
            ));
        }
        let followers: Vec<Uuid> = discussion_follow::Entity::find()
            .filter(discussion_follow::Column::TargetId.eq(t.id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| f.user_id)
            .collect();
        let notified: Vec<Uuid> = notification::Entity::find()
            .filter(notification::Column::ThreadId.eq(t.id))
            .select_only()
            .column(notification::Column::UserId)
            .distinct()
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut people = followers;
        people.extend(notified);
        people.sort();
        people.dedup();
        let gone = outsiders(&self.db, &dest, people).await?;
        let posts: Vec<Uuid> = discussion_post::Entity::find()
            .filter(discussion_post::Column::ThreadId.eq(t.id))
            .select_only()
            .column(discussion_post::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?;

        let txn = crate::db::begin_write(&self.db).await?;
        let mut row = t.clone().into_active_model();
        row.space_id = Set(dest.id);
        // A lesson belongs to the course of the space it left.
        row.lesson_key = Set(None);
        row.update(&txn).await?;
        discussion_follow::Entity::delete_many()
            .filter(discussion_follow::Column::TargetId.eq(t.id))
            .filter(discussion_follow::Column::UserId.is_in(gone.clone()))
            .exec(&txn)
            .await?;
        super::unread::changed(gone.iter().copied());
        notification::Entity::delete_many()
            .filter(notification::Column::ThreadId.eq(t.id))
            .filter(notification::Column::UserId.is_in(gone.clone()))
            .exec(&txn)
            .await?;
        notification::Entity::update_many()
            .col_expr(notification::Column::SpaceId, Expr::value(dest.id))
            .filter(notification::Column::ThreadId.eq(t.id))
            .exec(&txn)
            .await?;
        discussion_report::Entity::update_many()
            .col_expr(discussion_report::Column::SpaceId, Expr::value(dest.id))
            .filter(discussion_report::Column::PostId.is_in(posts))
            .exec(&txn)
            .await?;
        discussion_approval::Entity::update_many()
            .col_expr(discussion_approval::Column::SpaceId, Expr::value(dest.id))
            .filter(discussion_approval::Column::ThreadId.eq(t.id))
            .exec(&txn)
            .await?;
        let event = audit(
            &txn,
            who.user_id,
            &from,
            "discussion.move",
            serde_json::json!({
                "thread": t.id, "title": t.title, "from": from.slug, "to": dest.slug,
                "unfollowed": gone.len(),
            }),
        )
        .await?;
        also_in(&txn, event, &dest).await?;
        // Its posts are found in the space it is in now.
        crate::search::enqueue_thread_index(&txn, t.id).await?;
        txn.commit().await?;
        self.changed();
        super::unread::changed(gone.iter().copied());
        self.thread(Some(who), t.id).await
    }
}

fn bad_space() -> Error {
    Error::invalid("space", "choose a space you moderate")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_moves_that_show_a_thread_to_more_people_widen() {
        assert!(widens(COHORT, COMMUNITY));
        assert!(widens(COHORT, COURSE));
        assert!(widens(COHORT, COHORT));
        assert!(widens(COURSE, COMMUNITY));
        assert!(!widens(COURSE, COURSE));
        assert!(!widens(COMMUNITY, COURSE));
        assert!(!widens(COMMUNITY, COHORT));
        assert!(!widens(COURSE, COHORT));
    }
}
