//! `/metrics` of a worker that runs alone (`agora-worker`), on its own
//! address (`AGORA_WORKER_METRICS_BIND`), behind the same token as the api's.

use std::net::SocketAddr;

use agora_core::metrics::{self, Access, Denied, Format};
use poem::{
    EndpointExt, Request, Response, Route, get, handler,
    http::{StatusCode, header},
    listener::{Acceptor, Listener, TcpListener},
    web::Data,
};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

/// Listens on `bind` and serves until `stopped` turns true; returns the
/// address it listens on (port 0 picks one).
pub async fn serve(
    bind: SocketAddr,
    access: Access,
    db: DatabaseConnection,
    mut stopped: watch::Receiver<bool>,
) -> Result<SocketAddr, String> {
    let acceptor = TcpListener::bind(bind)
        .into_acceptor()
        .await
        .map_err(|e| format!("cannot listen on {bind} for metrics: {e}"))?;
    let local = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or("the metrics listener has no address")?;
    let app = Route::new()
        .at("/metrics", get(scrape))
        .data(access)
        .data(db);
    tokio::spawn(async move {
        let stop = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        if let Err(e) = poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, stop, None)
            .await
        {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    Ok(local)
}

#[handler]
async fn scrape(req: &Request, access: Data<&Access>, db: Data<&DatabaseConnection>) -> Response {
    match access.check(req.header(header::AUTHORIZATION)) {
        Ok(()) => {
            let format = Format::from_accept(req.header(header::ACCEPT));
            Response::builder()
                .content_type(format.content_type())
                .header(header::CACHE_CONTROL, "no-store")
                .body(metrics::scrape(&db, format).await)
        }
        // The api's one error shape, for a scraper that reads both.
        Err(Denied::Disabled) => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "nothing exists at this address",
        ),
        Err(Denied::WrongToken) => error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send the metrics token as `Authorization: Bearer <token>`",
        ),
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "code": code, "message": message, "field": null });
    let mut r = Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(body.to_string());
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
    }
    r
}
