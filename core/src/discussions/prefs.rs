//! Which discussion mail each person gets. A person has a default for every
//! space and may choose otherwise per space: at once (`immediate`), in a
//! daily or a weekly digest, or not at all (`none`). Separately, mentions,
//! replies in one's own threads and the answer to one's question may come
//! at once whatever the space's choice (unless that choice is `none`).
//!
//! The default, for someone who never chose: spaces in the daily digest,
//! and mentions, replies and answers at once. Mail goes only to a verified
//! address, and only about spaces the person can still read.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::OnConflict,
};
use uuid::Uuid;

use super::{Discussions, now};
use crate::{
    Error, Result,
    accounts::{Principal, require_signed_in},
    addressee::locale_of,
    domain::Locale,
    entities::{
        discussion_follow, discussion_mail_setting, discussion_space, discussion_space_mail, user,
    },
};

/// How a person hears of a space's activity by mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MailMode {
    Immediate,
    Daily,
    Weekly,
    None,
}

impl MailMode {
    pub const ALL: [MailMode; 4] = [
        MailMode::Immediate,
        MailMode::Daily,
        MailMode::Weekly,
        MailMode::None,
    ];

    pub fn parse(s: &str) -> Option<MailMode> {
        MailMode::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MailMode::Immediate => "immediate",
            MailMode::Daily => "daily",
            MailMode::Weekly => "weekly",
            MailMode::None => "none",
        }
    }
}

/// Spaces' activity goes in the daily digest unless one chooses otherwise.
pub const DEFAULT_MODE: MailMode = MailMode::Daily;
/// Mentions, replies in one's threads and answers come at once by default.
pub const DEFAULT_DIRECT: bool = true;

/// A person's discussion mail, as they see and change it.
#[derive(Clone, Debug)]
pub struct MailPrefs {
    pub mode: MailMode,
    pub direct: bool,
    /// The spaces they can read, each with its own choice (if any).
    pub spaces: Vec<SpaceMail>,
}

/// One space's choice; `None` follows the default.
#[derive(Clone, Debug)]
pub struct SpaceMail {
    pub slug: String,
    pub title: String,
    pub mode: Option<MailMode>,
}

/// Whether a notification of `kind` to `user` is about them directly: a
/// mention, the answer to their question's reply, a reply in their thread.
pub(super) fn direct(kind: &str, user: Uuid, thread_author: Option<Uuid>) -> bool {
    match kind {
        "mention" | "answer" => true,
        "reply" => thread_author == Some(user),
        _ => false,
    }
}

/// The choices of some people in some spaces, read at once.
pub(super) struct Choices {
    settings: BTreeMap<Uuid, (MailMode, bool)>,
    spaces: BTreeMap<(Uuid, Uuid), MailMode>,
}

impl Choices {
    /// The choices of `users`, in `spaces` (all their spaces when `None`).
    pub(super) async fn load(
        db: &impl ConnectionTrait,
        users: Vec<Uuid>,
        spaces: Option<Vec<Uuid>>,
    ) -> Result<Choices> {
        let settings = discussion_mail_setting::Entity::find()
            .filter(discussion_mail_setting::Column::UserId.is_in(users.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|s| {
                let mode = MailMode::parse(&s.mode).unwrap_or(DEFAULT_MODE);
                (s.user_id, (mode, s.direct))
            })
            .collect();
        let mut q = discussion_space_mail::Entity::find()
            .filter(discussion_space_mail::Column::UserId.is_in(users));
        if let Some(spaces) = spaces {
            q = q.filter(discussion_space_mail::Column::SpaceId.is_in(spaces));
        }
        let spaces = q
            .all(db)
            .await?
            .into_iter()
            .filter_map(|s| Some(((s.user_id, s.space_id), MailMode::parse(&s.mode)?)))
            .collect();
        Ok(Choices { settings, spaces })
    }

    /// How `user` hears of a notification in `space`: `direct` when it is
    /// about them (see [`direct`]).
    pub(super) fn effective(&self, user: Uuid, space: Uuid, direct: bool) -> MailMode {
        let (default, direct_now) = self
            .settings
            .get(&user)
            .copied()
            .unwrap_or((DEFAULT_MODE, DEFAULT_DIRECT));
        let mode = self.spaces.get(&(user, space)).copied().unwrap_or(default);
        if mode == MailMode::None {
            MailMode::None
        } else if direct && direct_now {
            MailMode::Immediate
        } else {
            mode
        }
    }

    /// Whether `user` has chosen `mode` anywhere (or has it by default).
    pub(super) fn uses(&self, user: Uuid, mode: MailMode) -> bool {
        let default = self.settings.get(&user).map_or(DEFAULT_MODE, |s| s.0);
        default == mode
            || self
                .spaces
                .iter()
                .any(|((u, _), m)| *u == user && *m == mode)
    }
}

async fn save_setting(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    mode: MailMode,
    direct: bool,
) -> Result<()> {
    discussion_mail_setting::Entity::insert(discussion_mail_setting::ActiveModel {
        user_id: Set(user_id),
        mode: Set(mode.as_str().to_owned()),
        direct: Set(direct),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(discussion_mail_setting::Column::UserId)
            .update_columns([
                discussion_mail_setting::Column::Mode,
                discussion_mail_setting::Column::Direct,
                discussion_mail_setting::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn save_space(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    space_id: Uuid,
    mode: Option<MailMode>,
) -> Result<()> {
    match mode {
        None => {
            discussion_space_mail::Entity::delete_by_id((user_id, space_id))
                .exec(db)
                .await?;
        }
        Some(mode) => {
            discussion_space_mail::Entity::insert(discussion_space_mail::ActiveModel {
                user_id: Set(user_id),
                space_id: Set(space_id),
                mode: Set(mode.as_str().to_owned()),
                updated_at: Set(now()),
            })
            .on_conflict(
                OnConflict::columns([
                    discussion_space_mail::Column::UserId,
                    discussion_space_mail::Column::SpaceId,
                ])
                .update_columns([
                    discussion_space_mail::Column::Mode,
                    discussion_space_mail::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(())
}

impl Discussions {
    /// The caller's discussion mail: their default and each space they can
    /// read, with its choice.
    pub async fn mail_prefs(&self, who: Option<&Principal>, locale: Locale) -> Result<MailPrefs> {
        let who = require_signed_in(who)?;
        let mut spaces = self.list_spaces(Some(who), locale).await?;
        let mine = Choices::load(&self.db, vec![who.user_id], None).await?;
        // The spaces followed or chosen for that are not "theirs" (an
        // admin following a cohort's space, say), while still readable.
        let mut more: Vec<Uuid> = discussion_follow::Entity::find()
            .filter(discussion_follow::Column::UserId.eq(who.user_id))
            .filter(discussion_follow::Column::Kind.eq("space"))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| f.target_id)
            .collect();
        more.extend(mine.spaces.keys().map(|(_, s)| *s));
        for s in discussion_space::Entity::find()
            .filter(discussion_space::Column::Id.is_in(more))
            .order_by_asc(discussion_space::Column::Slug)
            .all(&self.db)
            .await?
        {
            if spaces.iter().any(|v| v.slug == s.slug) {
                continue;
            }
            let a = super::access::access_of(&self.db, &s, who.user_id, who.role).await?;
            if a.read {
                spaces.push(self.space_view(&s, a, who.user_id, locale).await?);
            }
        }
        let (mode, direct) = mine
            .settings
            .get(&who.user_id)
            .copied()
            .unwrap_or((DEFAULT_MODE, DEFAULT_DIRECT));
        let ids: BTreeMap<String, Uuid> = discussion_space::Entity::find()
            .filter(
                discussion_space::Column::Slug
                    .is_in(spaces.iter().map(|s| s.slug.clone()).collect::<Vec<_>>()),
            )
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| (s.slug, s.id))
            .collect();
        Ok(MailPrefs {
            mode,
            direct,
            spaces: spaces
                .into_iter()
                .map(|s| SpaceMail {
                    mode: ids
                        .get(&s.slug)
                        .and_then(|id| mine.spaces.get(&(who.user_id, *id)).copied()),
                    slug: s.slug,
                    title: s.title,
                })
                .collect(),
        })
    }

    /// Sets the caller's default, and whether what is about them comes at once.
    pub async fn set_mail_prefs(
        &self,
        who: Option<&Principal>,
        mode: &str,
        direct: bool,
    ) -> Result<()> {
        let who = require_signed_in(who)?;
        let mode = parse_mode(mode)?;
        save_setting(&self.db, who.user_id, mode, direct).await
    }

    /// Sets the caller's choice for one space they can read: a mode, or
    /// `default` to follow their default.
    pub async fn set_space_mail(
        &self,
        who: Option<&Principal>,
        slug: &str,
        mode: &str,
    ) -> Result<Option<MailMode>> {
        let who = require_signed_in(who)?;
        let s = self.space(slug).await?;
        self.reader(Some(who), &s).await?;
        let mode = match mode {
            "default" => None,
            m => Some(parse_mode(m)?),
        };
        save_space(&self.db, who.user_id, s.id, mode).await?;
        Ok(mode)
    }

    /// Saves the whole mail page at once: the default, `direct`, and a
    /// choice (`default` or a mode) for spaces the caller can read. Nothing
    /// is saved when any value is refused.
    pub async fn save_mail_prefs(
        &self,
        who: Option<&Principal>,
        mode: &str,
        direct: bool,
        spaces: &[(String, String)],
    ) -> Result<()> {
        let who = require_signed_in(who)?;
        let mode = parse_mode(mode)?;
        let mut chosen = Vec::new();
        for (slug, m) in spaces {
            let s = self.space(slug).await?;
            self.reader(Some(who), &s).await?;
            let m = match m.as_str() {
                "default" => None,
                m => Some(parse_mode(m).map_err(|_| {
                    Error::invalid("spaces", "choose default, immediate, daily, weekly or none")
                })?),
            };
            chosen.push((s.id, m));
        }
        let txn = crate::db::begin_write(&self.db).await?;
        save_setting(&txn, who.user_id, mode, direct).await?;
        for (space, m) in chosen {
            save_space(&txn, who.user_id, space, m).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// `user_id`'s choice for one space (`None`: their default).
    pub(super) async fn space_mail(&self, user_id: Uuid, space: Uuid) -> Result<Option<MailMode>> {
        Ok(discussion_space_mail::Entity::find_by_id((user_id, space))
            .one(&self.db)
            .await?
            .and_then(|m| MailMode::parse(&m.mode)))
    }
}

fn parse_mode(mode: &str) -> Result<MailMode> {
    MailMode::parse(mode)
        .ok_or_else(|| Error::invalid("mode", "choose immediate, daily, weekly or none"))
}

/// Who an unsubscribe token names, and what it stops.
pub struct Unsubscribed {
    /// The person's locale, for the confirmation page.
    pub locale: Locale,
    /// The space whose mail stopped; `None`: all discussion mail stopped.
    pub space: Option<String>,
}

/// One-click unsubscribe (RFC 8058) from discussion mail, with the token
/// reminders use: from one space's mail, or from all of it (the default
/// and every space to `none`, nothing at once). Unknown tokens and spaces
/// are not found.
pub async fn unsubscribe(
    db: &DatabaseConnection,
    token: &str,
    space: Option<&str>,
) -> Result<Unsubscribed> {
    let u = holder(db, token).await?;
    let txn = crate::db::begin_write(db).await?;
    let space = match space.map(str::trim).filter(|s| !s.is_empty()) {
        Some(slug) => {
            let s = discussion_space::Entity::find()
                .filter(discussion_space::Column::Slug.eq(slug))
                .one(&txn)
                .await?
                .ok_or(Error::NotFound {
                    what: "subscription",
                })?;
            save_space(&txn, u.id, s.id, Some(MailMode::None)).await?;
            Some(s.slug)
        }
        None => {
            save_setting(&txn, u.id, MailMode::None, false).await?;
            discussion_space_mail::Entity::delete_many()
                .filter(discussion_space_mail::Column::UserId.eq(u.id))
                .exec(&txn)
                .await?;
            None
        }
    };
    txn.commit().await?;
    Ok(Unsubscribed {
        locale: locale_of(&u),
        space,
    })
}

/// The person an unsubscribe token belongs to, checked without changing
/// anything (the page before the one-click button).
pub async fn holder(db: &DatabaseConnection, token: &str) -> Result<user::Model> {
    let token = token.trim();
    let none = Error::NotFound {
        what: "subscription",
    };
    if token.is_empty() || token.len() > 64 {
        return Err(none);
    }
    user::Entity::find()
        .filter(user::Column::UnsubscribeToken.eq(token))
        .one(db)
        .await?
        .ok_or(none)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(default: Option<(MailMode, bool)>, space: Option<MailMode>) -> Choices {
        let (u, s) = (Uuid::nil(), Uuid::max());
        Choices {
            settings: default.into_iter().map(|d| (u, d)).collect(),
            spaces: space.into_iter().map(|m| ((u, s), m)).collect(),
        }
    }

    #[test]
    fn the_space_choice_wins_and_direct_mail_comes_at_once_unless_none() {
        let (u, s) = (Uuid::nil(), Uuid::max());
        let c = choices(None, None);
        assert_eq!(c.effective(u, s, false), MailMode::Daily, "the default");
        assert_eq!(c.effective(u, s, true), MailMode::Immediate);
        let c = choices(Some((MailMode::Weekly, false)), None);
        assert_eq!(c.effective(u, s, true), MailMode::Weekly);
        let c = choices(Some((MailMode::Weekly, true)), Some(MailMode::None));
        assert_eq!(c.effective(u, s, true), MailMode::None, "none is none");
        let c = choices(Some((MailMode::None, true)), Some(MailMode::Daily));
        assert_eq!(c.effective(u, s, false), MailMode::Daily);
        assert!(c.uses(u, MailMode::Daily) && !c.uses(u, MailMode::Weekly));
        assert!(direct("reply", u, Some(u)) && !direct("reply", u, None));
        assert!(direct("mention", u, None) && !direct("thread", u, Some(u)));
    }

    #[test]
    fn modes_read_back() {
        for m in MailMode::ALL {
            assert_eq!(MailMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(MailMode::parse("hourly"), None);
    }
}
