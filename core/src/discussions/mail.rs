//! Mail at once about one notification: enqueued in the posting
//! transaction for those whose choice is `immediate` (see `prefs`), sent by
//! the worker after checking again that it is still wanted and allowed.

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    access::access_of,
    prefs::{Choices, MailMode, direct},
    spaces::space_title,
};
use crate::{
    Result,
    accounts::Role,
    addressee::{locale_of, mailbox},
    entities::{discussion_post, discussion_space, discussion_thread, notification, user},
    jobs::{self, Job},
    links,
    mail::{
        delivery::{self, Outgoing},
        templates::{self, DiscussionActivity},
    },
    notifications::unsubscribe_token,
    outbound::Outbound,
};

/// The longest excerpt of a post a mail quotes, in characters.
pub const EXCERPT: usize = 600;

/// One mail about one notification.
#[derive(Debug, Serialize, Deserialize)]
pub struct DiscussionMail {
    pub notification_id: Uuid,
}
impl Job for DiscussionMail {
    const KIND: &'static str = "mail.discussion";
    fn dedup_key(&self) -> Option<String> {
        Some(format!("mail.discussion:{}", self.notification_id))
    }
}

/// Enqueues the mail of the notifications just written (in their
/// transaction), for those who hear of them at once: `rows` are the
/// notification, its reader and its kind.
pub(super) async fn enqueue_immediate(
    db: &impl ConnectionTrait,
    space: &discussion_space::Model,
    t: &discussion_thread::Model,
    rows: &[(Uuid, &user::Model, String)],
) -> Result<()> {
    let verified: Vec<&(Uuid, &user::Model, String)> = rows
        .iter()
        .filter(|(_, u, _)| u.email_verified_at.is_some())
        .collect();
    if verified.is_empty() {
        return Ok(());
    }
    let choices = Choices::load(
        db,
        verified.iter().map(|(_, u, _)| u.id).collect(),
        Some(vec![space.id]),
    )
    .await?;
    for (id, u, kind) in verified {
        if choices.effective(u.id, space.id, direct(kind, u.id, t.author_id)) == MailMode::Immediate
        {
            jobs::enqueue(
                db,
                &DiscussionMail {
                    notification_id: *id,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// A post's words for a mail: trimmed, cut at [`EXCERPT`] characters.
pub(super) fn excerpt(body: &str) -> String {
    let body = body.trim();
    if body.chars().count() <= EXCERPT {
        return body.to_owned();
    }
    let cut: String = body.chars().take(EXCERPT).collect();
    format!("{}…", cut.trim_end())
}

/// Sends the mail of one notification, unless it is no longer wanted (the
/// person chose otherwise since), no longer allowed (they left the cohort),
/// or about a post since hidden or deleted. Sent once, whatever the runs.
pub async fn send_activity(o: &Outbound, job: DiscussionMail) -> Result<()> {
    let db: &DatabaseConnection = &o.db;
    let Some(n) = notification::Entity::find_by_id(job.notification_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let Some(u) = user::Entity::find_by_id(n.user_id).one(db).await? else {
        return Ok(());
    };
    let Some(space) = discussion_space::Entity::find_by_id(n.space_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let Some(t) = discussion_thread::Entity::find_by_id(n.thread_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let role = u.role.parse::<Role>().unwrap_or(Role::Learner);
    if u.email_verified_at.is_none() || !access_of(db, &space, u.id, role).await?.read {
        return Ok(());
    }
    let choices = Choices::load(db, vec![u.id], Some(vec![space.id])).await?;
    if choices.effective(u.id, space.id, direct(&n.kind, u.id, t.author_id)) != MailMode::Immediate
    {
        return Ok(());
    }
    let post = match n.post_id {
        Some(p) => discussion_post::Entity::find_by_id(p).one(db).await?,
        None => None,
    };
    if post.as_ref().is_some_and(|p| p.hidden || p.deleted) {
        return Ok(());
    }
    let actor = match n.actor_id {
        Some(a) => user::Entity::find_by_id(a)
            .one(db)
            .await?
            .map(|a| a.display_name),
        None => None,
    }
    .unwrap_or_default();
    let locale = locale_of(&u);
    let (space_name, _, _) = space_title(db, &space, locale).await?;
    let token = unsubscribe_token(db, &u).await?;
    let unsubscribe = o.link(&links::discussion_unsubscribe(&token, Some(&space.slug)));
    let rendered = templates::render(
        locale,
        &DiscussionActivity {
            name: u.display_name.clone(),
            actor,
            space: space_name,
            thread_title: t.title.clone(),
            mention: n.kind == "mention",
            reply: n.kind == "reply",
            answer: n.kind == "answer",
            thread: n.kind == "thread",
            excerpt: post.map(|p| excerpt(&p.body)).unwrap_or_default(),
            link: o.link(&links::discussion_thread(&space.slug, t.id, n.post_id)),
            settings_link: o.link(&links::discussion_mail_settings()),
            unsubscribe_link: unsubscribe.clone(),
        },
    )?;
    delivery::deliver(
        db,
        &o.mailer,
        Outgoing {
            key: format!("discussion:{}", n.id),
            user_id: Some(u.id),
            to: mailbox(&u)?,
            rendered,
            unsubscribe: Some(unsubscribe),
        },
    )
    .await
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_cut_on_characters() {
        assert_eq!(excerpt("  short  "), "short");
        let long = "é".repeat(EXCERPT + 5);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), EXCERPT + 1);
        assert!(cut.ends_with('…'));
    }
}
