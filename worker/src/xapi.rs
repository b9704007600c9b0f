//! Forwarding xAPI statements to the external LRS, when one is configured:
//! the job that drains the outbox, and the clock that queues it.

use agora_core::{
    config::Config,
    xapi::forward::{self, Forwarder, XapiForward},
};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::Registry;

/// Registers the forward job and starts its clock; nothing without an
/// external LRS.
pub fn register(
    registry: &mut Registry,
    db: DatabaseConnection,
    config: &Config,
    stop: watch::Receiver<bool>,
) -> agora_core::Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(forwarder) = Forwarder::from_config(db.clone(), config)? else {
        return Ok(None);
    };
    registry.register(move |_: XapiForward| {
        let f = forwarder.clone();
        async move {
            let n = f.drain().await.map_err(|e| e.to_string())?;
            tracing::info!(statements = n, "xAPI statements forwarded");
            Ok(())
        }
    });
    Ok(Some(tokio::spawn(forward::clock(db, stop))))
}
