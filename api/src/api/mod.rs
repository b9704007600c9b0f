//! The JSON API under `/api/v1`, one unit struct per resource.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod authoring;
pub mod body_types;
pub mod cached_json;
pub mod catalogue;
pub mod certificates;
pub mod cohorts;
pub mod course_editor;
pub mod credentials;
pub mod discussions;
pub mod document;
mod download;
pub mod explorer;
mod lang_param;
pub mod learning;
pub mod lti;
pub mod lti_roster;
pub mod me;
pub mod media;
pub mod offline;
pub mod org_reports;
pub mod organisations;
pub mod partners;
mod pattern_type;
pub mod practices;
mod report_files;
pub mod reports;
pub mod search;
#[cfg(test)]
mod serde_twins;
mod theme_param;
pub mod xapi_clients;

use poem_openapi::OpenApiService;

/// The error shape lives in the HTTP layer; the resources name it here.
pub use crate::http::error;

/// One struct per resource.
pub type Apis = (
    catalogue::CatalogueApi,
    accounts::AccountsApi,
    me::MeApi,
    (learning::LearningApi, offline::OfflineApi),
    (certificates::CertificatesApi, credentials::CredentialsApi),
    (
        admin::AdminApi,
        xapi_clients::XapiClientsApi,
        practices::PracticesApi,
        practices::PracticeSubmissionsApi,
        practices::PracticeFilesApi,
    ),
    (
        search::SearchApi,
        discussions::DiscussionSpacesApi,
        discussions::DiscussionThreadsApi,
        discussions::DiscussionPostsApi,
        discussions::DiscussionImagesApi,
        discussions::NotificationsApi,
        discussions::DiscussionModerationApi,
        discussions::DiscussionStewardsApi,
        discussions::DiscussionMailApi,
        discussions::DiscussionSearchApi,
    ),
    authoring::AuthoringApi,
    media::MediaApi,
    course_editor::CourseEditorApi,
    reports::ReportsApi,
    org_reports::OrganisationReportsApi,
    partners::PartnersApi,
    (
        partners::PartnerAdminApi,
        lti::LtiApi,
        lti_roster::LtiRosterApi,
    ),
    // poem-openapi implements `OpenApi` for tuples of at most 16: the
    // organisations' resources are grouped.
    (
        organisations::OrganisationsApi,
        organisations::OrgMembersApi,
        organisations::NetworksApi,
    ),
    (
        cohorts::CohortsApi,
        cohorts::CohortApplicationsApi,
        cohorts::CohortSessionsApi,
        cohorts::CohortAssignmentsApi,
        cohorts::CohortSubmissionsApi,
        cohorts::CohortReviewsApi,
        cohorts::CohortTemplatesApi,
        cohorts::CohortFollowUpApi,
        cohorts::CohortAnnouncementsApi,
        cohorts::CohortDashboardApi,
    ),
);

pub fn service(version: &str) -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            catalogue::CatalogueApi,
            accounts::AccountsApi,
            me::MeApi,
            (learning::LearningApi, offline::OfflineApi),
            (certificates::CertificatesApi, credentials::CredentialsApi),
            (
                admin::AdminApi,
                xapi_clients::XapiClientsApi,
                practices::PracticesApi,
                practices::PracticeSubmissionsApi,
                practices::PracticeFilesApi,
            ),
            (
                search::SearchApi,
                discussions::DiscussionSpacesApi,
                discussions::DiscussionThreadsApi,
                discussions::DiscussionPostsApi,
                discussions::DiscussionImagesApi,
                discussions::NotificationsApi,
                discussions::DiscussionModerationApi,
                discussions::DiscussionStewardsApi,
                discussions::DiscussionMailApi,
                discussions::DiscussionSearchApi,
            ),
            authoring::AuthoringApi,
            media::MediaApi,
            course_editor::CourseEditorApi,
            reports::ReportsApi,
            org_reports::OrganisationReportsApi,
            partners::PartnersApi,
            (
        partners::PartnerAdminApi,
        lti::LtiApi,
        lti_roster::LtiRosterApi,
    ),
            (
                organisations::OrganisationsApi,
                organisations::OrgMembersApi,
                organisations::NetworksApi,
            ),
            (
                cohorts::CohortsApi,
                cohorts::CohortApplicationsApi,
                cohorts::CohortSessionsApi,
                cohorts::CohortAssignmentsApi,
                cohorts::CohortSubmissionsApi,
                cohorts::CohortReviewsApi,
                cohorts::CohortTemplatesApi,
                cohorts::CohortFollowUpApi,
                cohorts::CohortAnnouncementsApi,
                cohorts::CohortDashboardApi,
            ),
        ),
        "Agora API", version)
        .description(
            "Self-paced courses for local and regional governments. Every error answers \
             the same JSON shape (`code`, `message`, `field`). Public catalogue reads carry \
             `ETag` and `Cache-Control` and answer `304 Not Modified` to a matching `If-None-Match`.",
        )
        .server("/api/v1")
}
