//! Business rules that still live in the api crate, waiting to move into
//! core services. Both the JSON API and the pages call them, so they sit
//! here rather than in either; nothing here reads a request.

pub mod attribution;
pub mod partner_listing;
