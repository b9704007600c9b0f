//! The HTTP application: routes and middleware.

use poem::{
    EndpointExt, IntoEndpoint, Route, get, handler,
    http::StatusCode,
    web::{Data, Json},
};
use serde_json::json;

use crate::{api, lti, middleware, state::AppState, web};

pub fn build(state: AppState) -> impl poem::Endpoint {
    let service = api::service(env!("CARGO_PKG_VERSION"));
    let spec = service.spec();
    crate::http::metrics::name_api_routes("/api/v1", &spec);
    crate::http::allow::learn("/api/v1", &spec);
    let document = api::document::complete(&spec);
    let explorer = api::explorer::endpoint(&document, &service);
    let body_types = std::sync::Arc::new(api::body_types::BodyTypes::from_document(&document));
    let service = service
        .into_endpoint()
        .around(move |next, req| api::body_types::hold(body_types.clone(), next, req));
    lti::routes(web::routes(Route::new()))
        .at(
            "/api/v1/partners/:partner/collections/:collection",
            get(api::partners::listing_route),
        )
        .at("/.well-known/did.json", get(api::credentials::did_document))
        .at("/credentials/badge.svg", get(api::credentials::badge_image))
        .nest("/api/v1", service)
        .at("/api/openapi.json", api::document::endpoint(document))
        .nest("/api/docs", explorer)
        .at("/health", get(health))
        .at("/ready", get(ready))
        .at("/metrics", get(crate::http::metrics::scrape))
        .around(middleware::conditional_get)
        .around(middleware::partner_cors)
        .around(middleware::body_limit)
        .data(state)
        // A bug answers 500 in the common shape instead of dropping the connection.
        .with(poem::middleware::CatchPanic::new().with_handler(|_| {
            tracing::error!("a handler panicked");
            crate::http::error::json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                crate::http::error::ErrorBody::new(
                    "internal",
                    "something went wrong on our side",
                    None,
                ),
            )
        }))
        // gzip or brotli, as the client accepts.
        .with(poem::middleware::Compression::new())
        .around(middleware::request_context)
        .into_endpoint()
}

/// Alive: the process answers.
#[handler]
fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready: the database and every configured backend answer.
#[handler]
async fn ready(state: Data<&AppState>) -> poem::Response {
    use poem::IntoResponse;
    let checks = agora_core::readiness::check_all(&state.config, &state.db, &state.http).await;
    let ok = checks.iter().all(|c| c.ok);
    let body = json!({
        "status": if ok { "ready" } else { "unavailable" },
        "checks": checks.iter().map(|c| json!({ "name": c.name, "ok": c.ok, "detail": c.detail })).collect::<Vec<_>>(),
    });
    Json(body)
        .with_status(if ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        })
        .into_response()
}
