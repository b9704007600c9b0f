//! Login initiation and the launch.

use agora_core::lti::{LaunchError, LoginRequest, STATE_LIFETIME_SECONDS, state_cookie_name};
use poem::{
    Body, Request, Response, handler,
    http::{HeaderValue, StatusCode, header},
    web::Data,
};
use time::OffsetDateTime;

use super::page::{cookie, failure, field, fields, rejected, set_cookie};
use crate::{
    http::{
        cookies::{self, CSRF_COOKIE, SESSION_COOKIE},
        locale::page_locale,
    },
    state::AppState,
};

fn https(state: &AppState) -> bool {
    state.config.public_url().scheme() == "https"
}

/// GET or POST `/lti/login`: the platform starts a launch (OIDC
/// third-party initiated login); Agora answers with its authorization
/// request, the state bound to this browser by a cookie.
#[handler]
pub async fn login(req: &Request, body: Body, state: Data<&AppState>) -> Response {
    let locale = page_locale(req, None);
    let f = fields(req, body).await;
    let get = |k: &str| field(&f, k).map(str::to_owned);
    let request = LoginRequest {
        iss: get("iss").unwrap_or_default(),
        login_hint: get("login_hint").unwrap_or_default(),
        target_link_uri: get("target_link_uri").unwrap_or_default(),
        lti_message_hint: get("lti_message_hint"),
        client_id: get("client_id"),
        lti_deployment_id: get("lti_deployment_id"),
    };
    match state.lti.login(&request).await {
        Ok(to) => {
            let mut resp = Response::builder().status(StatusCode::FOUND).finish();
            if let Ok(v) = HeaderValue::from_str(&to.location) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            set_cookie(
                &mut resp,
                &cookie(
                    https(&state),
                    &to.cookie_name,
                    &to.state,
                    "/lti",
                    STATE_LIFETIME_SECONDS,
                    true,
                ),
            );
            resp
        }
        Err(LaunchError::Rejected(r)) => rejected(locale, r),
        Err(LaunchError::Core(e)) => failure(locale, e),
    }
}

/// POST `/lti/launch`: the platform posts the `id_token`; once every check
/// passes, the user is signed in and sent to the lesson, course, report or
/// deep linking picker. A refusal is a page and signs nobody in.
#[handler]
pub async fn launch(req: &Request, body: Body, state: Data<&AppState>) -> Response {
    let locale = page_locale(req, None);
    let f = fields(req, body).await;
    let id_token = field(&f, "id_token").unwrap_or_default();
    let login_state = field(&f, "state").unwrap_or_default();
    let name = state_cookie_name(login_state);
    let held = cookies::cookie(req, &name);
    match state
        .lti
        .launch(id_token, login_state, held, &state.learning)
        .await
    {
        Ok(landing) => {
            let max_age = (landing.session.expires_at - OffsetDateTime::now_utc()).whole_seconds();
            let mut resp = Response::builder().status(StatusCode::SEE_OTHER).finish();
            if let Ok(v) = HeaderValue::from_str(&landing.location) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            let secure = https(&state);
            for c in [
                cookie(
                    secure,
                    SESSION_COOKIE,
                    &landing.session.token,
                    "/",
                    max_age,
                    false,
                ),
                cookie(
                    secure,
                    CSRF_COOKIE,
                    &landing.session.csrf_token,
                    "/",
                    max_age,
                    false,
                ),
                cookie(secure, &name, "", "/lti", 0, true),
            ] {
                set_cookie(&mut resp, &c);
            }
            resp
        }
        Err(LaunchError::Rejected(r)) => rejected(locale, r),
        Err(LaunchError::Core(e)) => failure(locale, e),
    }
}
