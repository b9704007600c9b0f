//! Agora's core: configuration, domain, services and ports. Knows nothing of HTTP.

pub mod accounts;
pub(crate) mod addressee;
pub mod authoring;
pub mod cache;
pub mod catalogue;
pub mod certificates;
pub mod config;
pub mod course_edit;
pub mod course_source;
pub mod db;
pub mod domain;
pub mod embed;
pub mod entities;
pub mod error;
pub mod import;
pub mod jobs;
pub mod learning;
pub mod links;
pub mod mail;
pub mod markdown;
pub mod media;
pub mod notifications;
pub mod org_activity;
pub mod organisations;
pub mod outbound;
pub mod partners;
pub mod published;
pub mod rate_limit;
pub mod readiness;
pub mod reports;
pub mod search;
pub mod seed;
pub mod seed_organisations;
pub mod storage;
pub mod telemetry;

pub use error::{Error, Result};
