//! LTI 1.3 tool (issue 21): the platforms (LMSs) an admin registers, Agora's
//! signing keys, the OIDC third-party login and the checks of every launch,
//! the accounts it matches or creates, Deep Linking answers and grades sent
//! back through Assignment and Grade Services, and the LMS roster of a
//! context through Names and Role Provisioning Services. Knows nothing of HTTP: the
//! `lti` interface of the api crate parses requests and calls this service.

mod accounts;
mod claims;
mod contexts;
mod deep_linking;
mod grades;
mod jwks;
mod keys;
mod launch;
mod nrps;
mod platforms;
mod rejection;
mod roster;
mod tokens;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use url::Url;

pub use claims::{LaunchContext, Message, Verified};
pub use contexts::ContextLink;
pub use deep_linking::{DeepLinkChoice, DeepLinkForm, DeepLinkPicker, PickerCourse, PickerItem};
pub use grades::{LtiScore, course_completed, is_instructor, quiz_scored};
pub use keys::Jwks;
pub use launch::{Landing, LoginRedirect, LoginRequest, state_cookie_name};
pub use nrps::{MemberStatus, RosterFailure};
pub use platforms::{Platform, PlatformInput, ToolUrls};
pub use rejection::{LaunchError, Rejection};
pub use roster::{CourseProgress, Roster, RosterContext, RosterMember, RosterStanding};

/// How long a login in flight (its state and nonce) may take.
pub const STATE_LIFETIME_SECONDS: i64 = 600;

/// The LTI service, built once at start-up.
#[derive(Clone)]
pub struct Lti {
    db: DatabaseConnection,
    public_url: Url,
    http: reqwest::Client,
    /// Platforms' key sets, by URL, for a short while.
    key_sets: moka::future::Cache<String, Arc<jsonwebtoken::jwk::JwkSet>>,
    /// Access tokens for the platforms' services, by platform and scope.
    tokens: moka::future::Cache<(uuid::Uuid, &'static str), tokens::Cached>,
}

impl Lti {
    pub fn new(db: DatabaseConnection, public_url: Url) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            db,
            public_url,
            http,
            key_sets: moka::future::Cache::builder()
                .max_capacity(1_000)
                .time_to_live(jwks::KEY_SET_LIFETIME)
                .build(),
            tokens: moka::future::Cache::builder()
                .max_capacity(1_000)
                .time_to_live(tokens::LONGEST)
                .build(),
        }
    }

    /// An address of this site, absolute.
    fn absolute(&self, path: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }

    /// What an admin gives the platform: Agora's addresses.
    pub fn tool_urls(&self) -> ToolUrls {
        ToolUrls {
            login: self.absolute("/lti/login"),
            launch: self.absolute("/lti/launch"),
            jwks: self.absolute("/lti/jwks"),
            deep_linking: self.absolute("/lti/deep-link"),
        }
    }
}
