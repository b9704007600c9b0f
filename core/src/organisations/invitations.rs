//! Invitations to join an organisation: a link anyone holding it may use
//! until it expires or is revoked, or an email to one address, used once.
//! Tokens are shown once (links) or mailed (emails) and stored hashed.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{
    MemberStatus, Membership, OrgRole, Organisations, Standing, members::insert_member, now,
    profile::OrganisationView, require_signed_in,
};
use crate::{
    Error, Result,
    accounts::{Email, Principal},
    addressee::locale_of,
    domain::Locale,
    entities::{organisation, organisation_invitation, user},
    jobs::{self, Job},
    links,
    mail::{
        delivery::{self, Outgoing},
        templates::{self, OrganisationInvitation},
    },
    outbound::Outbound,
};

const TOKEN_PREFIX: &str = "agi_";
const DEFAULT_DAYS: u32 = 14;
const MAX_DAYS: u32 = 90;

pub struct NewInvitation<'a> {
    /// An address to mail a single-use invitation to; a reusable link when absent.
    pub email: Option<&'a str>,
    /// `member` or `admin`.
    pub role: &'a str,
    /// Days until it expires (1 to 90; 14 when absent).
    pub days: Option<u32>,
    /// The language of the mail when the address has no account yet.
    pub locale: Locale,
}

#[derive(Clone, Debug)]
pub struct InvitationView {
    pub id: Uuid,
    pub email: Option<String>,
    pub role: OrgRole,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    /// The link to share: only right after a link invitation is made.
    pub token: Option<String>,
}

impl From<organisation_invitation::Model> for InvitationView {
    fn from(i: organisation_invitation::Model) -> Self {
        InvitationView {
            id: i.id,
            email: i.email,
            role: OrgRole::parse(&i.role).unwrap_or(OrgRole::Member),
            created_at: i.created_at,
            expires_at: i.expires_at,
            used_at: i.used_at,
            revoked_at: i.revoked_at,
            token: None,
        }
    }
}

/// The mail carrying an email invitation.
#[derive(Debug, Serialize, Deserialize)]
pub struct InvitationMail {
    pub invitation_id: Uuid,
    /// Carried to the mail only; the database stores its hash.
    pub token: String,
    pub locale: Locale,
}
impl Job for InvitationMail {
    const KIND: &'static str = "mail.organisation_invitation";
}

fn usable(i: &organisation_invitation::Model) -> bool {
    i.revoked_at.is_none() && i.used_at.is_none() && i.expires_at > now()
}

fn gone() -> Error {
    Error::NotFound { what: "invitation" }
}

impl Organisations {
    pub async fn create_invitation(
        &self,
        who: Option<&Principal>,
        slug: &str,
        new: NewInvitation<'_>,
    ) -> Result<InvitationView> {
        let org = self.managed(who, slug).await?;
        let who = require_signed_in(who)?;
        let role = OrgRole::parse(new.role.trim())
            .ok_or_else(|| Error::invalid("role", "give member or admin"))?;
        let email = new
            .email
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(Email::parse)
            .transpose()?;
        let days = new.days.unwrap_or(DEFAULT_DAYS);
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(Error::invalid("days", format!("give 1 to {MAX_DAYS} days")));
        }
        let token = crate::accounts::new_token(TOKEN_PREFIX);
        let at = now();
        let txn = crate::db::begin_write(&self.db).await?;
        let row = organisation_invitation::ActiveModel {
            id: Set(Uuid::new_v4()),
            organisation_id: Set(org.id),
            email: Set(email.as_ref().map(|e| e.as_str().to_owned())),
            token_hash: Set(crate::accounts::token_hash(&token)),
            role: Set(role.as_str().into()),
            created_by: Set(Some(who.user_id)),
            created_at: Set(at),
            expires_at: Set(at + Duration::days(days.into())),
            used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&txn)
        .await?;
        let mut view = InvitationView::from(row.clone());
        if email.is_some() {
            jobs::enqueue(
                &txn,
                &InvitationMail {
                    invitation_id: row.id,
                    token,
                    locale: new.locale,
                },
            )
            .await?;
        } else {
            view.token = Some(token);
        }
        txn.commit().await?;
        Ok(view)
    }

    /// The organisation's invitations, newest first.
    pub async fn invitations(
        &self,
        who: Option<&Principal>,
        slug: &str,
    ) -> Result<Vec<InvitationView>> {
        let org = self.managed(who, slug).await?;
        Ok(organisation_invitation::Entity::find()
            .filter(organisation_invitation::Column::OrganisationId.eq(org.id))
            .order_by_desc(organisation_invitation::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(InvitationView::from)
            .collect())
    }

    pub async fn revoke_invitation(
        &self,
        who: Option<&Principal>,
        slug: &str,
        id: Uuid,
    ) -> Result<()> {
        let org = self.managed(who, slug).await?;
        let i = organisation_invitation::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .filter(|i| i.organisation_id == org.id)
            .ok_or_else(gone)?;
        if i.revoked_at.is_none() {
            let mut row = i.into_active_model();
            row.revoked_at = Set(Some(now()));
            row.update(&self.db).await?;
        }
        Ok(())
    }

    async fn usable_invitation(
        &self,
        token: &str,
    ) -> Result<(organisation_invitation::Model, organisation::Model)> {
        let i = organisation_invitation::Entity::find()
            .filter(
                organisation_invitation::Column::TokenHash
                    .eq(crate::accounts::token_hash(token.trim())),
            )
            .one(&self.db)
            .await?
            .filter(usable)
            .ok_or_else(gone)?;
        let org = organisation::Entity::find_by_id(i.organisation_id)
            .one(&self.db)
            .await?
            .ok_or_else(gone)?;
        Ok((i, org))
    }

    /// The organisation an invitation is for, so the learner can read what
    /// joining shares before accepting. Expired, used or revoked: not found.
    pub async fn invitation(&self, token: &str) -> Result<(OrganisationView, OrgRole)> {
        let (i, org) = self.usable_invitation(token).await?;
        let role = OrgRole::parse(&i.role).unwrap_or(OrgRole::Member);
        Ok((self.view(org, Standing::Outsider).await?, role))
    }

    /// Accepts an invitation: the learner joins at once, with the
    /// invitation's role. An email invitation is for its address only and
    /// is used up.
    pub async fn accept_invitation(
        &self,
        who: Option<&Principal>,
        token: &str,
        consent: bool,
    ) -> Result<Membership> {
        let who = require_signed_in(who)?;
        let (i, org) = self.usable_invitation(token).await?;
        if let Some(email) = &i.email {
            let u = user::Entity::find_by_id(who.user_id)
                .one(&self.db)
                .await?
                .ok_or_else(gone)?;
            if !u.email.eq_ignore_ascii_case(email) || !who.email_verified {
                return Err(Error::Forbidden {
                    reason: "this invitation was sent to another address: sign in with the verified address it was sent to",
                });
            }
        }
        if !consent {
            return Err(Error::invalid(
                "consent",
                "confirm that you agree to share your enrolments, progress, completions and certificates with the organisation",
            ));
        }
        let role = OrgRole::parse(&i.role).unwrap_or(OrgRole::Member);
        let txn = crate::db::begin_write(&self.db).await?;
        if i.email.is_some() {
            let used = organisation_invitation::Entity::update_many()
                .col_expr(
                    organisation_invitation::Column::UsedAt,
                    sea_orm::sea_query::Expr::value(Some(now())),
                )
                .filter(organisation_invitation::Column::Id.eq(i.id))
                .filter(organisation_invitation::Column::UsedAt.is_null())
                .exec(&txn)
                .await?;
            if used.rows_affected == 0 {
                return Err(gone());
            }
        }
        insert_member(
            &txn,
            who.user_id,
            org.id,
            MemberStatus::Active,
            role,
            "invitation",
        )
        .await?;
        txn.commit().await?;
        self.membership_of(who.user_id).await?.ok_or_else(gone)
    }
}

/// Sends an email invitation (the worker's handler). A revoked or used
/// invitation is not sent; each invitation is mailed once.
pub async fn send_invitation(o: &Outbound, job: InvitationMail) -> Result<()> {
    let Some(i) = organisation_invitation::Entity::find_by_id(job.invitation_id)
        .one(&o.db)
        .await?
    else {
        return Ok(());
    };
    let (Some(email), true) = (i.email.clone(), usable(&i)) else {
        return Ok(());
    };
    let Some(org) = organisation::Entity::find_by_id(i.organisation_id)
        .one(&o.db)
        .await?
    else {
        return Ok(());
    };
    let invitee = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(&o.db)
        .await?;
    let locale = invitee.as_ref().map(locale_of).unwrap_or(job.locale);
    let inviter = match i.created_by {
        Some(id) => user::Entity::find_by_id(id)
            .one(&o.db)
            .await?
            .map(|u| u.display_name),
        None => None,
    }
    .unwrap_or_else(|| "Agora".into());
    let organisation = super::inputs::name_in(&org.name, &org.names, locale);
    let days = ((i.expires_at - now()).whole_hours() as f64 / 24.0)
        .round()
        .max(1.0) as i64;
    let rendered = templates::render(
        locale,
        &OrganisationInvitation {
            organisation,
            inviter,
            link: o.link(&links::organisation_invitation(&job.token)),
            days,
        },
    )?;
    let to = email
        .parse()
        .map_err(|e| Error::Internal(format!("stored address does not parse: {e}")))?;
    delivery::deliver(
        &o.db,
        &o.mailer,
        Outgoing {
            key: format!("organisation_invitation:{}", i.id),
            user_id: invitee.map(|u| u.id),
            to: lettre::message::Mailbox::new(None, to),
            rendered,
            unsubscribe: None,
        },
    )
    .await
    .map(drop)
}
