//! Agora's migrations: one file per change, never edited once landed.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_catalogue;
mod m20261123_000002_jobs;
mod m20261123_000003_learners;
mod m20261130_000004_certificates_and_mail;
mod m20261130_000005_partners;
mod m20261130_000006_authoring;
mod m20261130_000007_report_indexes;
mod m20261130_000008_report_covering_indexes;
mod m20261130_000009_media;
mod m20261203_000010_draft_file_revisions;
mod m20261203_000011_enrolment_lessons_done;
mod m20261203_000012_content_generation;
mod m20261203_000013_organisations;
mod m20261203_000015_organisation_reports;
mod m20261203_000016_course_sources;
mod m20261203_000017_organisation_activity;
mod m20261203_000018_cohorts;
mod m20261203_000019_cohort_assignments;
mod m20261203_000020_cohort_announcements;
mod m20261203_000021_cohort_dashboard;
mod m20261203_000022_credential_keys;
mod m20261204_000023_cohort_completion;
mod m20261204_000024_client_events;
mod m20261204_000025_job_origin;
mod m20261205_000026_discussions;
mod m20261205_000030_lti;
mod m20261205_000034_xapi;
mod m20261205_000038_discussion_moderation;
mod m20261205_000040_practices;
mod m20261205_000041_practice_files;
mod m20261205_000042_discussion_mail;
mod m20261205_000044_discussion_post_images;
mod m20261205_000047_lti_contexts;
mod m20261205_000048_xapi_lean_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_catalogue::Migration),
            Box::new(m20261123_000002_jobs::Migration),
            Box::new(m20261123_000003_learners::Migration),
            Box::new(m20261130_000004_certificates_and_mail::Migration),
            Box::new(m20261130_000005_partners::Migration),
            Box::new(m20261130_000006_authoring::Migration),
            Box::new(m20261130_000007_report_indexes::Migration),
            Box::new(m20261130_000008_report_covering_indexes::Migration),
            Box::new(m20261130_000009_media::Migration),
            Box::new(m20261203_000010_draft_file_revisions::Migration),
            Box::new(m20261203_000011_enrolment_lessons_done::Migration),
            Box::new(m20261203_000012_content_generation::Migration),
            Box::new(m20261203_000013_organisations::Migration),
            Box::new(m20261203_000015_organisation_reports::Migration),
            Box::new(m20261203_000016_course_sources::Migration),
            Box::new(m20261203_000017_organisation_activity::Migration),
            Box::new(m20261203_000018_cohorts::Migration),
            Box::new(m20261203_000019_cohort_assignments::Migration),
            Box::new(m20261203_000020_cohort_announcements::Migration),
            Box::new(m20261203_000021_cohort_dashboard::Migration),
            Box::new(m20261203_000022_credential_keys::Migration),
            Box::new(m20261204_000023_cohort_completion::Migration),
            Box::new(m20261204_000024_client_events::Migration),
            Box::new(m20261204_000025_job_origin::Migration),
            Box::new(m20261205_000026_discussions::Migration),
            Box::new(m20261205_000030_lti::Migration),
            Box::new(m20261205_000034_xapi::Migration),
            Box::new(m20261205_000038_discussion_moderation::Migration),
            Box::new(m20261205_000040_practices::Migration),
            Box::new(m20261205_000041_practice_files::Migration),
            Box::new(m20261205_000042_discussion_mail::Migration),
            Box::new(m20261205_000044_discussion_post_images::Migration),
            Box::new(m20261205_000047_lti_contexts::Migration),
            Box::new(m20261205_000048_xapi_lean_indexes::Migration),
        ]
    }
}
