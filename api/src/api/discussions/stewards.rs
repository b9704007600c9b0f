//! Who moderates and who may post: the moderators an admin names per
//! space (by email), suspensions from posting, and the admins' settings
//! of a community space (slug, titles and descriptions per language).

use std::collections::BTreeMap;

use agora_core::discussions::{ModeratorView, SpaceInput, SuspensionView};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ApiTags, NoContent, Space, uuid_of};
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct DiscussionStewardsApi;

#[derive(Object)]
#[oai(rename = "DiscussionModerator")]
struct Moderator {
    user_id: Uuid,
    name: String,
    email: String,
    since: OffsetDateTime,
}

impl From<ModeratorView> for Moderator {
    fn from(m: ModeratorView) -> Self {
        Moderator {
            user_id: m.user_id,
            name: m.name,
            email: m.email,
            since: m.since,
        }
    }
}

#[derive(Object)]
#[oai(rename = "NewDiscussionModerator")]
struct NewModerator {
    /// The address of an existing account.
    #[oai(validator(max_length = 254))]
    email: String,
}

#[derive(Object)]
#[oai(rename = "NewDiscussionSuspension")]
struct NewSuspension {
    /// The person (a queue item's `author_id`).
    user_id: Uuid,
    /// The space's slug; none for every space (admins only).
    #[oai(validator(max_length = 120))]
    space: Option<String>,
    /// When it ends.
    until: OffsetDateTime,
    /// Shown to the person (at most 1,000 characters).
    #[oai(validator(max_length = 1000))]
    reason: String,
}

#[derive(Object)]
#[oai(rename = "DiscussionSuspension")]
#[oai(skip_serializing_if_is_none)]
struct Suspension {
    id: Uuid,
    user_id: Uuid,
    user_name: String,
    /// None: every space.
    space: Option<String>,
    until: OffsetDateTime,
    reason: String,
}

impl From<SuspensionView> for Suspension {
    fn from(s: SuspensionView) -> Self {
        Suspension {
            id: s.id,
            user_id: s.user_id,
            user_name: s.user_name,
            space: s.space,
            until: s.until,
            reason: s.reason,
        }
    }
}

#[derive(ApiResponse)]
enum Suspended {
    /// Suspended; an entry of the moderation log.
    #[oai(status = 201)]
    Done(Json<Suspension>),
}

#[derive(ApiResponse)]
enum Named {
    /// Named (nothing changes if they already were).
    #[oai(status = 204)]
    Done,
}

/// A community space's settings, in every language.
#[derive(Object)]
#[oai(rename = "DiscussionSpaceSettings")]
struct Settings {
    /// Lower-case letters, digits and dashes.
    #[oai(validator(min_length = 1, max_length = 80, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"))]
    slug: String,
    /// `{locale: title}` in en, fr or es.
    titles: BTreeMap<String, String>,
    /// `{locale: description}` in en, fr or es.
    #[oai(default)]
    descriptions: BTreeMap<String, String>,
}

impl From<SpaceInput> for Settings {
    fn from(i: SpaceInput) -> Self {
        Settings {
            slug: i.slug,
            titles: i.titles,
            descriptions: i.descriptions,
        }
    }
}

#[OpenApi(tag = "ApiTags::Discussions")]
impl DiscussionStewardsApi {
    /// The moderators named for a space (admins)
    #[oai(
        path = "/discussions/spaces/:space/moderators",
        method = "get",
        operation_id = "list_discussion_moderators"
    )]
    async fn moderators(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
    ) -> Result<Json<Vec<Moderator>>, ApiError> {
        let list = state
            .discussions
            .moderators(Some(auth.principal()), &space)
            .await?;
        Ok(Json(list.into_iter().map(Moderator::from).collect()))
    }

    /// Name a moderator of a community or course space, by email (admins)
    #[oai(
        path = "/discussions/spaces/:space/moderators",
        method = "post",
        operation_id = "add_discussion_moderator"
    )]
    async fn add(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
        body: Json<NewModerator>,
    ) -> Result<Named, ApiError> {
        state
            .discussions
            .set_moderator(Some(auth.principal()), &space, &body.email, true)
            .await?;
        Ok(Named::Done)
    }

    /// Remove a named moderator, by email (admins)
    #[oai(
        path = "/discussions/spaces/:space/moderators",
        method = "delete",
        operation_id = "remove_discussion_moderator"
    )]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
        #[oai(validator(max_length = 254))] email: Query<String>,
    ) -> Result<NoContent, ApiError> {
        state
            .discussions
            .set_moderator(Some(auth.principal()), &space, &email, false)
            .await?;
        Ok(NoContent::Done)
    }

    /// The suspensions in force in a space (its moderators)
    #[oai(
        path = "/discussions/spaces/:space/suspensions",
        method = "get",
        operation_id = "list_discussion_suspensions"
    )]
    async fn suspensions(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
    ) -> Result<Json<Vec<Suspension>>, ApiError> {
        let list = state
            .discussions
            .suspensions(Some(auth.principal()), &space)
            .await?;
        Ok(Json(list.into_iter().map(Suspension::from).collect()))
    }

    /// Suspend someone from posting in a space (its moderators) or everywhere (admins)
    #[oai(
        path = "/discussions/suspensions",
        method = "post",
        operation_id = "suspend_discussion_poster"
    )]
    async fn suspend(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NewSuspension>,
    ) -> Result<Suspended, ApiError> {
        let s = state
            .discussions
            .suspend(
                Some(auth.principal()),
                body.space.as_deref(),
                body.user_id,
                body.until,
                &body.reason,
            )
            .await?;
        Ok(Suspended::Done(Json(s.into())))
    }

    /// Lift a suspension early
    #[oai(
        path = "/discussions/suspensions/:suspension",
        method = "delete",
        operation_id = "lift_discussion_suspension"
    )]
    async fn lift(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        suspension: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let id = uuid_of(&suspension, "suspension")?;
        state
            .discussions
            .lift_suspension(Some(auth.principal()), id)
            .await?;
        Ok(NoContent::Done)
    }

    /// A community space's settings in every language (admins)
    #[oai(
        path = "/discussions/spaces/:space/settings",
        method = "get",
        operation_id = "get_discussion_space_settings"
    )]
    async fn settings(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
    ) -> Result<Json<Settings>, ApiError> {
        let s = state
            .discussions
            .community_space_input(Some(auth.principal()), &space)
            .await?;
        Ok(Json(s.into()))
    }

    /// Edit a community space: slug, titles and descriptions (admins)
    #[oai(
        path = "/discussions/spaces/:space/settings",
        method = "put",
        operation_id = "edit_discussion_space"
    )]
    async fn edit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
        body: Json<Settings>,
    ) -> Result<Json<Space>, ApiError> {
        let p = auth.principal();
        let input = SpaceInput {
            slug: body.0.slug,
            titles: body.0.titles,
            descriptions: body.0.descriptions,
        };
        let s = state
            .discussions
            .save_community_space(Some(p), Some(&space), &input, p.locale)
            .await?;
        Ok(Json(s.into()))
    }
}
