//! Your discussion mail: a default for every space (at once, a daily or a
//! weekly digest, or none), whether mentions and replies come at once, and
//! a choice per space.

use agora_core::discussions::{MailMode, MailPrefs};
use poem::web::Data;
use poem_openapi::{Enum, Object, OpenApi, param::Path, payload::Json};

use super::ApiTags;
use crate::{
    api::{auth::Auth, error::ApiError},
    state::AppState,
};

pub struct DiscussionMailApi;

/// How a space's activity reaches you by mail.
#[derive(Enum, PartialEq, Eq, Clone, Copy)]
#[oai(rename = "DiscussionMailMode", rename_all = "lowercase")]
enum Mode {
    /// A mail for each new thread or reply.
    Immediate,
    /// One digest a day (midnight UTC).
    Daily,
    /// One digest a week (Monday, midnight UTC).
    Weekly,
    /// No mail.
    None,
}

impl From<MailMode> for Mode {
    fn from(m: MailMode) -> Self {
        match m {
            MailMode::Immediate => Mode::Immediate,
            MailMode::Daily => Mode::Daily,
            MailMode::Weekly => Mode::Weekly,
            MailMode::None => Mode::None,
        }
    }
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Immediate => "immediate",
            Mode::Daily => "daily",
            Mode::Weekly => "weekly",
            Mode::None => "none",
        }
    }
}

/// One space's choice.
#[derive(Enum, PartialEq, Eq, Clone, Copy)]
#[oai(rename = "DiscussionSpaceMailMode", rename_all = "lowercase")]
enum SpaceMode {
    /// Follow your default.
    Default,
    Immediate,
    Daily,
    Weekly,
    None,
}

impl SpaceMode {
    fn as_str(self) -> &'static str {
        match self {
            SpaceMode::Default => "default",
            SpaceMode::Immediate => "immediate",
            SpaceMode::Daily => "daily",
            SpaceMode::Weekly => "weekly",
            SpaceMode::None => "none",
        }
    }
}

impl From<Option<MailMode>> for SpaceMode {
    fn from(m: Option<MailMode>) -> Self {
        match m.map(Mode::from) {
            None => SpaceMode::Default,
            Some(Mode::Immediate) => SpaceMode::Immediate,
            Some(Mode::Daily) => SpaceMode::Daily,
            Some(Mode::Weekly) => SpaceMode::Weekly,
            Some(Mode::None) => SpaceMode::None,
        }
    }
}

#[derive(Object)]
#[oai(rename = "DiscussionSpaceMail")]
struct SpaceMail {
    /// The space's slug.
    space: String,
    /// In your language.
    title: String,
    mode: SpaceMode,
}

/// Your discussion mail.
#[derive(Object)]
#[oai(rename = "DiscussionMail")]
struct Prefs {
    /// For every space you did not choose otherwise. Default: `daily`.
    mode: Mode,
    /// Mentions, replies in your threads and your answers marked come at
    /// once (unless the space's choice is `none`). Default: true.
    direct: bool,
    /// The spaces you can read, each with its choice.
    spaces: Vec<SpaceMail>,
}

impl From<MailPrefs> for Prefs {
    fn from(p: MailPrefs) -> Self {
        Prefs {
            mode: p.mode.into(),
            direct: p.direct,
            spaces: p
                .spaces
                .into_iter()
                .map(|s| SpaceMail {
                    space: s.slug,
                    title: s.title,
                    mode: s.mode.into(),
                })
                .collect(),
        }
    }
}

#[derive(Object)]
#[oai(rename = "DiscussionMailChange")]
struct Change {
    mode: Mode,
    direct: bool,
}

#[derive(Object)]
#[oai(rename = "DiscussionSpaceMailChange")]
struct SpaceChange {
    mode: SpaceMode,
}

#[derive(Object)]
#[oai(rename = "DiscussionSpaceMailChoice")]
struct SpaceChoice {
    space: String,
    mode: SpaceMode,
}

#[OpenApi(tag = "ApiTags::Notifications")]
impl DiscussionMailApi {
    /// Your discussion mail
    #[oai(
        path = "/me/discussion-mail",
        method = "get",
        operation_id = "get_discussion_mail"
    )]
    async fn get(&self, state: Data<&AppState>, auth: Auth) -> Result<Json<Prefs>, ApiError> {
        let who = auth.principal();
        let prefs = state.discussions.mail_prefs(Some(who), who.locale).await?;
        Ok(Json(prefs.into()))
    }

    /// Change your default discussion mail
    #[oai(
        path = "/me/discussion-mail",
        method = "put",
        operation_id = "set_discussion_mail"
    )]
    async fn set(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<Change>,
    ) -> Result<Json<Prefs>, ApiError> {
        let who = auth.principal();
        state
            .discussions
            .set_mail_prefs(Some(who), body.mode.as_str(), body.direct)
            .await?;
        let prefs = state.discussions.mail_prefs(Some(who), who.locale).await?;
        Ok(Json(prefs.into()))
    }

    /// Choose the mail of one space you can read
    #[oai(
        path = "/discussions/spaces/:space/mail",
        method = "put",
        operation_id = "set_discussion_space_mail"
    )]
    async fn set_space(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        space: Path<String>,
        body: Json<SpaceChange>,
    ) -> Result<Json<SpaceChoice>, ApiError> {
        let mode = state
            .discussions
            .set_space_mail(Some(auth.principal()), &space.0, body.mode.as_str())
            .await?;
        Ok(Json(SpaceChoice {
            space: space.0,
            mode: mode.into(),
        }))
    }
}
