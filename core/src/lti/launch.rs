//! The OIDC third-party login: initiation (a state bound to the browser by
//! a cookie, a nonce, both kept in the database so any replica can finish
//! the launch), the `id_token` posted back, and where the user lands.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use time::{Duration, OffsetDateTime};
use url::Url;

use super::{
    Lti, STATE_LIFETIME_SECONDS, Verified, claims,
    rejection::{LaunchError, Rejection},
};
use crate::{
    accounts::{self, NewSession, new_token, token_hash},
    entities::{course, lesson, lti_state},
    learning::Learning,
};

/// What the platform sends to the login initiation URL.
#[derive(Clone, Debug, Default)]
pub struct LoginRequest {
    pub iss: String,
    pub login_hint: String,
    pub target_link_uri: String,
    pub lti_message_hint: Option<String>,
    pub client_id: Option<String>,
    pub lti_deployment_id: Option<String>,
}

/// Where the browser goes next, with the state its cookie keeps.
#[derive(Debug)]
pub struct LoginRedirect {
    pub location: String,
    pub state: String,
    pub cookie_name: String,
}

/// A launch that signed its user in. (No `Debug`: it holds a session.)
pub struct Landing {
    pub session: NewSession,
    /// The page to go to: the lesson, the course, the course report, or
    /// the deep linking picker.
    pub location: String,
}

/// What a target link names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Target {
    Course { slug: String },
    Lesson { slug: String, key: String },
    DeepLinking,
}

/// The name of the cookie that binds `state` to the browser that started
/// the login: one per login, so two launches in two tabs both finish.
pub fn state_cookie_name(state: &str) -> String {
    format!("agora_lti_{}", &token_hash(state)[..12])
}

fn segment_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

impl Lti {
    /// The Agora page a target link names, when it is one of this site's.
    pub(super) fn target_of(&self, uri: &str) -> Option<Target> {
        let url = Url::parse(uri).ok()?;
        let base = &self.public_url;
        if url.origin() != base.origin() {
            return None;
        }
        let prefix = base.path().trim_end_matches('/');
        let path = url.path().strip_prefix(prefix)?;
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match parts.as_slice() {
            ["lti", "deep-link"] => Some(Target::DeepLinking),
            ["courses", slug] if segment_ok(slug) => Some(Target::Course {
                slug: (*slug).into(),
            }),
            ["courses", slug, "lessons", key] if segment_ok(slug) && segment_ok(key) => {
                Some(Target::Lesson {
                    slug: (*slug).into(),
                    key: (*key).into(),
                })
            }
            _ => None,
        }
    }

    /// Login initiation: remembers a state and nonce for this platform and
    /// target, and answers the platform's authorization request address.
    pub async fn login(&self, req: &LoginRequest) -> Result<LoginRedirect, LaunchError> {
        let platform = self
            .platform_for_login(req.iss.trim(), req.client_id.as_deref())
            .await?
            .ok_or(Rejection::UnknownPlatform)?;
        if req.login_hint.trim().is_empty() || req.target_link_uri.len() > 1000 {
            return Err(Rejection::MalformedToken.into());
        }
        if self.target_of(&req.target_link_uri).is_none() {
            return Err(Rejection::WrongTargetLink.into());
        }
        if let Some(d) = req.lti_deployment_id.as_deref().filter(|d| !d.is_empty())
            && !super::platforms::split_ids(&platform.deployment_ids)
                .iter()
                .any(|x| x == d)
        {
            return Err(Rejection::UnknownDeployment.into());
        }
        let state = new_token("");
        let nonce = new_token("");
        let now = OffsetDateTime::now_utc();
        lti_state::Entity::delete_many()
            .filter(lti_state::Column::ExpiresAt.lt(now - Duration::days(1)))
            .exec(&self.db)
            .await?;
        lti_state::Entity::insert(lti_state::ActiveModel {
            state_hash: Set(token_hash(&state)),
            platform_id: Set(platform.id),
            nonce: Set(nonce.clone()),
            target_link_uri: Set(req.target_link_uri.clone()),
            expires_at: Set(now + Duration::seconds(STATE_LIFETIME_SECONDS)),
            used_at: Set(None),
        })
        .exec_without_returning(&self.db)
        .await?;
        let mut location = Url::parse(&platform.auth_endpoint).map_err(|_| {
            crate::Error::Internal("a platform's auth endpoint is not a URL".into())
        })?;
        {
            let mut q = location.query_pairs_mut();
            q.append_pair("scope", "openid")
                .append_pair("response_type", "id_token")
                .append_pair("response_mode", "form_post")
                .append_pair("prompt", "none")
                .append_pair("client_id", &platform.client_id)
                .append_pair("redirect_uri", &self.tool_urls().launch)
                .append_pair("login_hint", &req.login_hint)
                .append_pair("state", &state)
                .append_pair("nonce", &nonce);
            if let Some(h) = &req.lti_message_hint {
                q.append_pair("lti_message_hint", h);
            }
        }
        Ok(LoginRedirect {
            location: location.into(),
            cookie_name: state_cookie_name(&state),
            state,
        })
    }

    /// Checks a posted `id_token` for the login `state` this browser holds
    /// (`cookie`), and uses the login's nonce up.
    pub async fn verify_launch(
        &self,
        id_token: &str,
        state: &str,
        cookie: Option<&str>,
    ) -> Result<Verified, LaunchError> {
        if state.is_empty() || cookie != Some(state) {
            return Err(Rejection::StateMismatch.into());
        }
        let hash = token_hash(state);
        let now = OffsetDateTime::now_utc();
        let row = lti_state::Entity::find_by_id(hash.clone())
            .one(&self.db)
            .await?
            .ok_or(Rejection::UnknownState)?;
        if row.used_at.is_some() {
            return Err(Rejection::ReplayedNonce.into());
        }
        if row.expires_at < now {
            return Err(Rejection::UnknownState.into());
        }
        let platform = self
            .platform_model(row.platform_id)
            .await
            .map_err(|_| Rejection::UnknownPlatform)?;
        let claims = self.verified_claims(&platform.jwks_url, id_token).await?;
        let verified = claims::check(
            &claims,
            &platform,
            &row.nonce,
            &row.target_link_uri,
            now.unix_timestamp(),
        )?;
        // The nonce is used once: of two posts of one launch, one wins.
        let used = lti_state::Entity::update_many()
            .col_expr(lti_state::Column::UsedAt, Expr::value(Some(now)))
            .filter(lti_state::Column::StateHash.eq(hash))
            .filter(lti_state::Column::UsedAt.is_null())
            .exec(&self.db)
            .await?
            .rows_affected;
        if used != 1 {
            return Err(Rejection::ReplayedNonce.into());
        }
        Ok(verified)
    }

    /// A launch, whole: the posted `id_token` checked for the login `state`
    /// this browser holds (`cookie`), then its user signed in.
    pub async fn launch(
        &self,
        id_token: &str,
        state: &str,
        cookie: Option<&str>,
        learning: &Learning,
    ) -> Result<Landing, LaunchError> {
        let verified = self.verify_launch(id_token, state, cookie).await?;
        self.land(&verified, learning).await
    }

    /// Signs the user of a verified launch in: their account (made on the
    /// first launch), the link they came from, their enrolment as a learner,
    /// and a web session. Instructors land on the course report, learners
    /// on the course or lesson, deep linking on the picker.
    pub async fn land(&self, v: &Verified, learning: &Learning) -> Result<Landing, LaunchError> {
        let target = self
            .target_of(&v.target_link_uri)
            .ok_or(Rejection::WrongTargetLink)?;
        match (&v.message, target) {
            (claims::Message::DeepLinking { return_url, data }, Target::DeepLinking) => {
                if !v.instructor {
                    return Err(Rejection::NotInstructor.into());
                }
                let user_id = self.account_for(v).await?;
                let token = self
                    .open_deep_link(v, user_id, return_url, data.as_deref())
                    .await?;
                let session = accounts::open_session(&self.db, user_id).await?;
                Ok(Landing {
                    session,
                    location: format!("/lti/deep-link?token={token}"),
                })
            }
            (claims::Message::ResourceLink { resource_link_id }, target) => {
                let (slug, key) = match target {
                    Target::Course { slug } => (slug, None),
                    Target::Lesson { slug, key } => (slug, Some(key)),
                    Target::DeepLinking => return Err(Rejection::WrongTargetLink.into()),
                };
                let course = course::Entity::find()
                    .filter(course::Column::Slug.eq(&slug))
                    .filter(course::Column::Status.eq("published"))
                    .one(&self.db)
                    .await?
                    .ok_or(Rejection::WrongTargetLink)?;
                if let Some(key) = &key {
                    lesson::Entity::find()
                        .filter(lesson::Column::CourseId.eq(course.id))
                        .filter(lesson::Column::Key.eq(key))
                        .filter(lesson::Column::Removed.eq(false))
                        .one(&self.db)
                        .await?
                        .ok_or(Rejection::WrongTargetLink)?;
                }
                let user_id = self.account_for(v).await?;
                self.keep_link(v, user_id, resource_link_id, course.id, key.as_deref())
                    .await?;
                self.keep_context(v, user_id, course.id).await?;
                let location = if v.instructor {
                    format!("/courses/{slug}/report")
                } else {
                    learning.enrol(user_id, &slug, None).await?;
                    match &key {
                        Some(k) => crate::links::lesson(&slug, k),
                        None => crate::links::course(&slug),
                    }
                };
                let session = accounts::open_session(&self.db, user_id).await?;
                Ok(Landing { session, location })
            }
            _ => Err(Rejection::WrongTargetLink.into()),
        }
    }
}
