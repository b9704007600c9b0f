//! Belonging to an organisation: the caller's own membership and domain
//! offers, asking to join, invitations, and the members an organisation's
//! administrators manage.

use agora_core::{
    domain::Locale,
    organisations::{InvitationView, MemberView, NewInvitation},
};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ApiTags, MembershipOut, NoContent, Organisation, shared, uuid_of};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct OrgMembersApi;

/// The caller's organisation, or the ones their verified address offers.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MyOrganisation {
    /// The organisation the caller belongs to or asked to join.
    organisation: Option<Organisation>,
    membership: Option<MembershipOut>,
    /// Organisations whose declared domain matches the caller's verified address.
    offers: Vec<Organisation>,
    /// What an organisation sees of its members who do not hide their progress.
    shared_with_organisation: Vec<String>,
}

#[derive(Object)]
struct MyMembershipBody {
    /// Up to 200 characters, without control characters.
    #[oai(
        default,
        validator(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")
    )]
    job_title: String,
    /// Up to 200 characters, without control characters.
    #[oai(
        default,
        validator(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")
    )]
    department: String,
    /// Hide your progress from the organisation without leaving it.
    #[oai(default)]
    hide_progress: bool,
}

#[derive(Object)]
struct JoinBody {
    /// `true`: you agree that the organisation sees your course enrolments,
    /// progress, completions and certificates once you have joined.
    consent: bool,
}

#[derive(Object)]
struct AcceptBody {
    token: String,
    /// As for joining.
    consent: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct Member {
    user_id: Uuid,
    display_name: String,
    email: String,
    /// `pending` or `active`.
    status: String,
    /// `member` or `admin`.
    role: String,
    /// `request`, `domain`, `invitation` or `admin`.
    via: String,
    job_title: String,
    department: String,
    hide_progress: bool,
    requested_at: OffsetDateTime,
    joined_at: Option<OffsetDateTime>,
}

impl From<&MemberView> for Member {
    fn from(m: &MemberView) -> Self {
        Member {
            user_id: m.user_id,
            display_name: m.display_name.clone(),
            email: m.email.clone(),
            status: m.status.as_str().into(),
            role: m.role.as_str().into(),
            via: m.via.clone(),
            job_title: m.job_title.clone(),
            department: m.department.clone(),
            hide_progress: m.hide_progress,
            requested_at: m.requested_at,
            joined_at: m.joined_at,
        }
    }
}

#[derive(Object)]
struct RoleBody {
    /// `member` or `admin`.
    role: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct InvitationBody {
    /// Mail a single-use invitation to this address; without it, a
    /// reusable link is made.
    email: Option<String>,
    /// `member` (default) or `admin`.
    #[oai(default = "default_role")]
    role: String,
    /// Days until it expires, 1 to 90 (14 by default).
    days: Option<u32>,
    /// The mail's language when the address has no account (the inviter's by default).
    #[oai(validator(pattern = "^(en|fr|es)$"))]
    locale: Option<String>,
}

fn default_role() -> String {
    "member".into()
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct Invitation {
    id: Uuid,
    /// The address it was mailed to; absent for a link.
    email: Option<String>,
    role: String,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    used_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
    /// The secret of a link invitation, in this answer only; share
    /// `/organisation/invitation?token=…`.
    #[oai(skip_serializing_if_is_none)]
    token: Option<String>,
}

impl From<&InvitationView> for Invitation {
    fn from(i: &InvitationView) -> Self {
        Invitation {
            id: i.id,
            email: i.email.clone(),
            role: i.role.as_str().into(),
            created_at: i.created_at,
            expires_at: i.expires_at,
            used_at: i.used_at,
            revoked_at: i.revoked_at,
            token: i.token.clone(),
        }
    }
}

/// What an invitation offers, before it is accepted.
#[derive(Object)]
struct InvitationPreview {
    organisation: Organisation,
    role: String,
    shared_with_organisation: Vec<String>,
}

#[derive(ApiResponse)]
enum Joined {
    /// The membership: `active`, or `pending` until an administrator approves.
    #[oai(status = 201)]
    Created(Json<MembershipOut>),
}

#[derive(ApiResponse)]
enum InvitationCreated {
    /// Created; an email invitation is on its way.
    #[oai(status = 201)]
    Created(Json<Invitation>),
}

#[OpenApi(tag = "ApiTags::OrganisationMembers")]
impl OrgMembersApi {
    /// Your organisation, and those your verified address's domain offers
    #[oai(
        path = "/me/organisation",
        method = "get",
        operation_id = "get_my_organisation"
    )]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<MyOrganisation>, ApiError> {
        let my = state
            .organisations
            .my_organisation(Some(auth.principal()))
            .await?;
        Ok(Json(MyOrganisation {
            organisation: my.membership.as_ref().map(|(_, o)| Organisation::from(o)),
            membership: my.membership.as_ref().map(|(m, _)| MembershipOut::from(m)),
            offers: my.offers.iter().map(Organisation::from).collect(),
            shared_with_organisation: shared(),
        }))
    }

    /// Edit your job title and department, and hide or share your progress
    #[oai(
        path = "/me/organisation",
        method = "put",
        operation_id = "update_my_membership"
    )]
    async fn update_mine(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<MyMembershipBody>,
    ) -> Result<Json<MembershipOut>, ApiError> {
        let m = state
            .organisations
            .update_me(
                Some(auth.principal()),
                &body.job_title,
                &body.department,
                body.hide_progress,
            )
            .await?;
        Ok(Json(MembershipOut::from(&m)))
    }

    /// Leave your organisation (or withdraw your request); your own records stay
    #[oai(
        path = "/me/organisation",
        method = "delete",
        operation_id = "leave_organisation"
    )]
    async fn leave(&self, state: Data<&AppState>, auth: Auth) -> Result<NoContent, ApiError> {
        state.organisations.leave(Some(auth.principal())).await?;
        Ok(NoContent::Done)
    }

    /// Ask to join an organisation (a public one, or the one your domain offers)
    #[oai(
        path = "/organisations/:organisation/join",
        method = "post",
        operation_id = "join_organisation"
    )]
    async fn join(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
        body: Json<JoinBody>,
    ) -> Result<Joined, ApiError> {
        let m = state
            .organisations
            .join(Some(auth.principal()), &organisation, body.consent)
            .await?;
        Ok(Joined::Created(Json(MembershipOut::from(&m))))
    }

    /// See what an invitation offers
    #[oai(
        path = "/organisation-invitations/:token",
        method = "get",
        operation_id = "get_organisation_invitation"
    )]
    async fn preview(
        &self,
        state: Data<&AppState>,
        token: Path<String>,
    ) -> Result<Json<InvitationPreview>, ApiError> {
        let (org, role) = state.organisations.invitation(&token).await?;
        Ok(Json(InvitationPreview {
            organisation: Organisation::from(&org),
            role: role.as_str().into(),
            shared_with_organisation: shared(),
        }))
    }

    /// Accept an invitation: you join at once
    #[oai(
        path = "/organisation-invitations/accept",
        method = "post",
        operation_id = "accept_organisation_invitation"
    )]
    async fn accept(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<AcceptBody>,
    ) -> Result<Joined, ApiError> {
        let m = state
            .organisations
            .accept_invitation(Some(auth.principal()), &body.token, body.consent)
            .await?;
        Ok(Joined::Created(Json(MembershipOut::from(&m))))
    }

    /// List members and requests (the organisation's administrators)
    #[oai(
        path = "/organisations/:organisation/members",
        method = "get",
        operation_id = "list_organisation_members"
    )]
    async fn members(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
    ) -> Result<Json<Vec<Member>>, ApiError> {
        let all = state
            .organisations
            .members(Some(auth.principal()), &organisation)
            .await?;
        Ok(Json(all.iter().map(Member::from).collect()))
    }

    /// Approve a request to join (the organisation's administrators)
    #[oai(
        path = "/organisations/:organisation/members/:user/approve",
        method = "post",
        operation_id = "approve_organisation_member"
    )]
    async fn approve(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
        user: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let user = uuid_of(&user, "user")?;
        state
            .organisations
            .approve(Some(auth.principal()), &organisation, user)
            .await?;
        Ok(NoContent::Done)
    }

    /// Make a member an administrator, or a member again (the organisation's administrators)
    #[oai(
        path = "/organisations/:organisation/members/:user/role",
        method = "put",
        operation_id = "set_organisation_member_role"
    )]
    async fn set_role(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
        user: Path<String>,
        body: Json<RoleBody>,
    ) -> Result<NoContent, ApiError> {
        let user = uuid_of(&user, "user")?;
        state
            .organisations
            .set_role(Some(auth.principal()), &organisation, user, &body.role)
            .await?;
        Ok(NoContent::Done)
    }

    /// Decline a request or remove a member (the organisation's administrators)
    #[oai(
        path = "/organisations/:organisation/members/:user",
        method = "delete",
        operation_id = "remove_organisation_member"
    )]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
        user: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let user = uuid_of(&user, "user")?;
        state
            .organisations
            .remove_member(Some(auth.principal()), &organisation, user)
            .await?;
        Ok(NoContent::Done)
    }

    /// List invitations (the organisation's administrators)
    #[oai(
        path = "/organisations/:organisation/invitations",
        method = "get",
        operation_id = "list_organisation_invitations"
    )]
    async fn invitations(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
    ) -> Result<Json<Vec<Invitation>>, ApiError> {
        let all = state
            .organisations
            .invitations(Some(auth.principal()), &organisation)
            .await?;
        Ok(Json(all.iter().map(Invitation::from).collect()))
    }

    /// Invite by link or by email (the organisation's administrators)
    #[oai(
        path = "/organisations/:organisation/invitations",
        method = "post",
        operation_id = "create_organisation_invitation"
    )]
    async fn invite(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
        body: Json<InvitationBody>,
    ) -> Result<InvitationCreated, ApiError> {
        let locale = match body.locale.as_deref() {
            Some(l) => l
                .parse::<Locale>()
                .map_err(|e| ApiError::from(agora_core::Error::invalid("locale", e)))?,
            None => auth.principal().locale,
        };
        let i = state
            .organisations
            .create_invitation(
                Some(auth.principal()),
                &organisation,
                NewInvitation {
                    email: body.email.as_deref(),
                    role: &body.role,
                    days: body.days,
                    locale,
                },
            )
            .await?;
        Ok(InvitationCreated::Created(Json(Invitation::from(&i))))
    }

    /// Revoke an invitation (the organisation's administrators)
    #[oai(
        path = "/organisations/:organisation/invitations/:invitation",
        method = "delete",
        operation_id = "revoke_organisation_invitation"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        organisation: Path<String>,
        invitation: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&invitation, "invitation")?;
        state
            .organisations
            .revoke_invitation(Some(auth.principal()), &organisation, id)
            .await?;
        Ok(NoContent::Done)
    }
}
