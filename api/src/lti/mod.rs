//! LTI 1.3 (`/lti/...`): the addresses an LMS calls. Login initiation,
//! the launch the `id_token` is posted to, Agora's public keys, and the
//! Deep Linking picker with its signed answer. Stands on `http/`; the
//! rules are in `agora_core::lti`.

mod deep_link;
mod launch;
mod page;

use poem::{
    IntoResponse, Response, Route, get, handler,
    http::{HeaderValue, header},
    web::{Data, Json},
};

use crate::state::AppState;

/// The LTI addresses, mounted at the root of the site.
pub fn routes(route: Route) -> Route {
    route
        .at("/lti/login", get(launch::login).post(launch::login))
        .at("/lti/launch", poem::post(launch::launch))
        .at("/lti/jwks", get(jwks))
        .at(
            "/lti/deep-link",
            get(deep_link::picker).post(deep_link::respond),
        )
}

/// GET `/lti/jwks`: Agora's public keys, which platforms verify its deep
/// linking answers and client assertions with.
#[handler]
async fn jwks(state: Data<&AppState>) -> Response {
    match state.lti.jwks().await {
        Ok(set) => {
            let mut resp = Json(set).into_response();
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            resp
        }
        Err(e) => page::failure(agora_core::domain::Locale::En, e),
    }
}
