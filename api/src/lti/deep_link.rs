//! Deep Linking: the picker an instructor lands on, and the signed answer
//! their browser posts back to the platform.

use agora_core::lti::{DeepLinkChoice, DeepLinkForm, DeepLinkPicker, LaunchError, Rejection};
use poem::{
    Body, Request, Response, handler,
    http::{HeaderValue, StatusCode},
    web::Data,
};
use serde::Serialize;

use super::page::{failure, field, fields, page, rejected};
use crate::{
    http::{caller::session_user, i18n, locale::page_locale, security::CSP},
    state::AppState,
};

#[derive(Serialize)]
struct PickerPage<'a> {
    picker: &'a DeepLinkPicker,
}

/// GET `/lti/deep-link?token=…`: the published courses, modules and
/// lessons, for the instructor the deep linking launch signed in.
#[handler]
pub async fn picker(req: &Request, body: Body, state: Data<&AppState>) -> Response {
    let f = fields(req, body).await;
    let user = session_user(&state, req).await;
    let locale = page_locale(req, user.as_ref().map(|u| u.locale));
    let (Some(user), Some(token)) = (user, field(&f, "token")) else {
        return rejected(locale, Rejection::StateMismatch);
    };
    match state
        .lti
        .deep_link_picker(token, user.user_id, locale)
        .await
    {
        Ok(p) => page(
            locale,
            StatusCode::OK,
            "lti_picker",
            &i18n::t(locale, "lti-picker-title"),
            &PickerPage { picker: &p },
        ),
        Err(LaunchError::Rejected(r)) => rejected(locale, r),
        Err(LaunchError::Core(e)) => failure(locale, e),
    }
}

#[derive(Serialize)]
struct ReturnPage<'a> {
    form: &'a DeepLinkForm,
}

/// POST `/lti/deep-link`: the instructor's choice, answered with a form
/// that posts the signed `LtiDeepLinkingResponse` to the platform (by
/// itself with JavaScript, with one button without).
#[handler]
pub async fn respond(req: &Request, body: Body, state: Data<&AppState>) -> Response {
    let f = fields(req, body).await;
    let user = session_user(&state, req).await;
    let locale = page_locale(req, user.as_ref().map(|u| u.locale));
    let (Some(user), Some(token)) = (user, field(&f, "token")) else {
        return rejected(locale, Rejection::StateMismatch);
    };
    let Some(choice) = field(&f, "choice").and_then(DeepLinkChoice::parse) else {
        return rejected(locale, Rejection::WrongTargetLink);
    };
    match state
        .lti
        .deep_link_response(token, user.user_id, &choice, locale)
        .await
    {
        Ok(form) => {
            let mut resp = page(
                locale,
                StatusCode::OK,
                "lti_return",
                &i18n::t(locale, "lti-return-title"),
                &ReturnPage { form: &form },
            );
            // The form goes to the platform: allow that one origin.
            let origin = url::Url::parse(&form.return_url)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_default();
            let csp = CSP.replace(
                "form-action 'self'",
                &format!("form-action 'self' {origin}"),
            );
            if let Ok(v) = HeaderValue::from_str(&csp) {
                resp.headers_mut()
                    .insert(poem::http::header::CONTENT_SECURITY_POLICY, v);
            }
            resp
        }
        Err(LaunchError::Rejected(r)) => rejected(locale, r),
        Err(LaunchError::Core(e)) => failure(locale, e),
    }
}
