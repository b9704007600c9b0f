//! The learner's web pages: server-rendered with handlebars, in the reader's
//! language, working without JavaScript. This module owns the page
//! framework (`ctx`: who is reading and in which language, CSRF, flash
//! messages, the layout, error pages; `form`: submitted forms) and the map
//! of addresses. Each page family has its own module; handlers call core
//! services, like the JSON API does.

mod account;
mod admin;
mod auth;
mod author;
mod catalogue;
mod certificates;
mod charts;
mod credential_check;
mod xapi_clients;
pub use credential_check::MAX_INPUT as MAX_CREDENTIAL_INPUT;
pub(crate) mod cohorts;
mod ctx;
mod discussions;
mod embed;
mod form;
mod learning;
mod lti_platforms;
mod lti_roster;
mod offline;
mod org_reports;
mod organisations;
mod practices;
mod reports;
mod versioned;
mod zones;

use poem::{Request, Response, Route, get, http::StatusCode, post};

use self::auth::message as auth_message;
pub(crate) use self::ctx::NO_TOKEN;
pub use self::{
    ctx::{CSRF_COOKIE, Ctx, Flash, SPLICE},
    form::{FieldErrors, FormData, safe_next},
};
use crate::http::{
    assets,
    error::{ErrorBody, json_error, wants_html},
};

/// The pages, mounted at the root of the site.
pub fn routes(route: Route) -> Route {
    route
        .at("/", get(catalogue::home))
        .at("/courses", get(catalogue::list))
        .at("/courses/:slug", get(catalogue::course))
        .at("/courses/:slug/enrolment", post(learning::enrol))
        .at("/courses/:slug/lessons/:key", get(learning::lesson))
        .at(
            "/courses/:slug/lessons/:key/completion",
            post(learning::complete),
        )
        .at(
            "/courses/:slug/lessons/:key/attempts",
            post(learning::submit_quiz),
        )
        .at(
            "/courses/:slug/lessons/:key/resource",
            get(learning::resource),
        )
        .at(
            "/courses/:slug/resources/:file",
            get(learning::resource_file),
        )
        .at("/courses/:slug/report", get(reports::report))
        .at("/lti/contexts/:id/roster", get(lti_roster::roster))
        .at(
            "/organisations/:slug/report",
            get(org_reports::organisation_report),
        )
        .at("/networks/:slug/report", get(org_reports::network_report))
        .at("/my-learning", get(learning::my_learning::my_learning))
        .at("/sign-up", get(auth::sign_up_form).post(auth::sign_up))
        .at("/sign-in", get(auth::sign_in_form).post(auth::sign_in))
        .at("/sign-out", post(auth::sign_out))
        .at("/verify-email", get(auth::verify_email))
        .at(
            "/forgot-password",
            get(auth::forgot_form).post(auth::forgot),
        )
        .at("/reset-password", get(auth::reset_form).post(auth::reset))
        .at("/account", get(account::settings).post(account::save))
        .at("/account/export", get(account::export))
        .at("/account/deletion", post(account::delete))
        .at("/language", post(account::language))
        .at("/certificates/:code", get(certificates::verify))
        .at("/certificates/:code/pdf", get(certificates::download))
        .at(
            "/certificates/:code/credential/:format",
            get(certificates::credential),
        )
        .at(
            "/credentials/verify",
            get(credential_check::check_form).post(credential_check::check),
        )
        .at(
            "/unsubscribe",
            get(certificates::unsubscribe).post(certificates::unsubscribe),
        )
        .at(
            "/unsubscribe/discussions",
            get(discussions::mail::unsubscribe_page).post(discussions::mail::unsubscribe),
        )
        .at(
            "/account/discussion-mail",
            get(discussions::mail::settings).post(discussions::mail::save),
        )
        .at("/author", get(author::courses::list))
        .at("/author/courses", post(author::courses::create))
        .at("/author/archives", post(author::courses::upload))
        .at("/author/:slug", get(author::courses::course))
        .at("/author/:slug/publication", post(author::courses::publish))
        .at("/author/:slug/status", post(author::courses::set_status))
        .at("/author/:slug/archive", get(author::courses::download))
        .at("/author/:slug/authors", post(author::courses::authors))
        .at("/author/:slug/files", post(author::files::upload_file))
        .at(
            "/author/:slug/media",
            get(author::media::media_home).post(author::media::upload),
        )
        .at("/author/:slug/media/deletion", post(author::media::delete))
        .at("/author/:slug/media/:name", get(author::media::draft_file))
        .at("/author/:slug/cover", post(author::media::cover))
        .at("/media/:name", get(author::media::serve))
        .at(
            "/author/:slug/course",
            get(author::editor::course::edit_course).post(author::editor::course::save_course),
        )
        .at(
            "/author/:slug/modules/:key",
            get(author::editor::module::edit_module).post(author::editor::module::save_module),
        )
        .at(
            "/author/:slug/preview",
            get(author::editor::preview::preview_course),
        )
        .at(
            "/author/:slug/preview/:key",
            get(author::editor::preview::preview_lesson),
        )
        .at(
            "/author/:slug/lessons/:key",
            get(author::editor::lesson::edit_lesson).post(author::editor::lesson::save_lesson),
        )
        .at(
            "/author/:slug/edit",
            get(author::files::edit).post(author::files::save),
        )
        .at("/static/:name", get(assets::serve))
        .at("/embed.js", get(assets::embed_script))
        .at("/manifest.webmanifest", get(offline::manifest))
        .at("/sw.js", get(offline::service_worker))
        .at("/offline", get(offline::offline_page))
        .at("/offline/saved", get(offline::saved_page))
        .at("/offline/data-saver", post(offline::data_saver))
        .at(
            "/embed/partners/:partner/collections/:collection",
            get(embed::collection),
        )
        .at("/embed/courses/:slug", get(embed::course))
        .at("/oembed", get(embed::oembed))
        .at(
            "/admin/lti",
            get(lti_platforms::list).post(lti_platforms::create),
        )
        .at(
            "/admin/lti/:id",
            get(lti_platforms::show).post(lti_platforms::update),
        )
        .at("/admin/lti/:id/deletion", post(lti_platforms::delete))
        .at(
            "/admin/partners",
            get(admin::partners).post(admin::create_partner),
        )
        .at("/admin/partners/:partner/keys", post(admin::create_key))
        .at(
            "/admin/xapi-clients",
            get(xapi_clients::list_clients).post(xapi_clients::create_client),
        )
        .at(
            "/admin/xapi-clients/:id/revocation",
            post(xapi_clients::revoke_client),
        )
        .at(
            "/partners/:partner/stats",
            get(admin::partner_stats).post(admin::partner_stats_with_key),
        )
        .at(
            "/admin/partners/:partner/keys/:id/revocation",
            post(admin::revoke_key),
        )
        .at(
            "/admin/networks",
            get(organisations::networks::list).post(organisations::networks::create),
        )
        .at(
            "/admin/networks/:slug",
            get(organisations::networks::show).post(organisations::networks::update),
        )
        .at(
            "/admin/networks/:slug/coordinators",
            post(organisations::networks::add_coordinator),
        )
        .at(
            "/admin/networks/:slug/coordinators/:user/removal",
            post(organisations::networks::remove_coordinator),
        )
        .at(
            "/admin/organisations",
            get(organisations::placement::new_organisation).post(organisations::placement::create),
        )
        .at("/discussions", get(discussions::spaces::list))
        .at("/discussions/:space", get(discussions::space::show))
        .at(
            "/discussions/:space/threads",
            post(discussions::space::start),
        )
        .at("/discussions/search", get(discussions::search::search))
        .at("/discussions/:space/mail", post(discussions::mail::space))
        .at(
            "/discussions/:space/following",
            post(discussions::space::follow),
        )
        .at(
            "/discussions/:space/threads/:id",
            get(discussions::thread::show),
        )
        .at(
            "/discussions/:space/threads/:id/posts",
            post(discussions::actions::reply),
        )
        .at(
            "/discussions/:space/threads/:id/helpful",
            post(discussions::actions::helpful),
        )
        .at(
            "/discussions/:space/threads/:id/answer",
            post(discussions::actions::answer),
        )
        .at(
            "/discussions/:space/threads/:id/deletion",
            post(discussions::actions::delete),
        )
        .at(
            "/discussions/:space/threads/:id/following",
            post(discussions::actions::follow),
        )
        .at(
            "/discussions/:space/threads/:id/lock",
            post(discussions::actions::lock),
        )
        .at(
            "/discussions/:space/threads/:id/visibility",
            post(discussions::actions::visibility),
        )
        .at(
            "/discussions/:space/threads/:id/edit",
            post(discussions::actions::edit),
        )
        .at(
            "/discussions/:space/threads/:id/images/removal",
            post(discussions::actions::remove_image),
        )
        .at(
            "/discussions/posts/:post/images/:name",
            get(discussions::images::serve),
        )
        .at(
            "/discussions/:space/threads/:id/posts/:post/history",
            get(discussions::history::history),
        )
        .at(
            "/discussions/:space/threads/:id/reports",
            post(discussions::reports::report),
        )
        .at(
            "/discussions/:space/threads/:id/move",
            post(discussions::reports::move_thread),
        )
        .at(
            "/discussions/:space/moderation",
            get(discussions::space_moderation::show),
        )
        .at(
            "/discussions/:space/moderation/lift",
            post(discussions::space_moderation::lift),
        )
        .at(
            "/discussions/:space/moderators",
            post(discussions::space_moderation::name_moderator),
        )
        .at("/moderation", get(discussions::moderation::show))
        .at("/moderation/actions", post(discussions::moderation::act))
        .at(
            "/moderation/suspensions",
            post(discussions::moderation::suspend),
        )
        .at(
            "/admin/discussions/spaces/new",
            get(discussions::space_form::new_form),
        )
        .at(
            "/admin/discussions/spaces",
            post(discussions::space_form::create),
        )
        .at(
            "/admin/discussions/spaces/:slug",
            get(discussions::space_form::edit_form).post(discussions::space_form::update),
        )
        .at(
            "/practices",
            get(practices::library::list).post(practices::edit::create),
        )
        .at("/practices/new", get(practices::edit::new_form))
        .at("/practices/:slug", get(practices::library::show))
        .at(
            "/practices/:slug/edit",
            get(practices::edit::edit_form).post(practices::edit::save),
        )
        .at("/practices/:slug/submission", post(practices::edit::submit))
        .at("/practices/:slug/review", post(practices::edit::review))
        .at("/practices/:slug/files", post(practices::files::upload))
        .at(
            "/practices/:slug/files/deletion",
            post(practices::files::delete),
        )
        .at("/practices/:slug/files/:name", get(practices::files::serve))
        .at(
            "/practices/:slug/messages",
            post(practices::library::contact),
        )
        .at("/practice-submissions", get(practices::edit::submissions))
        .at(
            "/practice-messages/refusal",
            get(practices::messages::refusal_form).post(practices::messages::refuse),
        )
        .at(
            "/practice-messages/reveal",
            get(practices::messages::reveal_form).post(practices::messages::reveal),
        )
        .at("/notifications", get(discussions::notifications::list))
        .at(
            "/notifications/read",
            post(discussions::notifications::read),
        )
        .at("/cohorts", get(cohorts::list::list))
        .at(
            "/cohorts/new",
            get(cohorts::edit::new_form).post(cohorts::edit::create),
        )
        .at(
            "/cohorts/new-from-template",
            get(cohorts::template::form_page).post(cohorts::template::create),
        )
        .at("/cohorts/:slug", get(cohorts::page::show))
        .at(
            "/cohorts/:slug/edit",
            get(cohorts::edit::edit_form).post(cohorts::edit::update),
        )
        .at(
            "/cohorts/:slug/apply",
            get(cohorts::apply::apply_form).post(cohorts::apply::apply),
        )
        .at("/cohorts/:slug/join", post(cohorts::page::join))
        .at(
            "/cohorts/:slug/announcements",
            post(cohorts::page::announce),
        )
        .at(
            "/cohorts/:slug/calendar-feed",
            post(cohorts::page::create_feed),
        )
        .at(
            "/cohorts/:slug/calendar-feed/revocation",
            post(cohorts::page::revoke_feed),
        )
        .at("/cohorts/:slug/dashboard", get(cohorts::dashboard::show))
        .at(
            "/cohorts/:slug/dashboard/rules",
            post(cohorts::dashboard::rules),
        )
        .at("/cohorts/:slug/dashboard.csv", get(cohorts::dashboard::csv))
        .at(
            "/cohorts/:slug/applications",
            get(cohorts::applications::list),
        )
        .at(
            "/cohorts/:slug/invitations",
            post(cohorts::applications::invite),
        )
        .at(
            "/cohorts/:slug/applications/:id/decision",
            post(cohorts::applications::decide),
        )
        .at("/cohorts/:slug/work", get(cohorts::work::show))
        .at(
            "/cohorts/:slug/assignments/:assignment/submission",
            post(cohorts::work::hand_in),
        )
        .at(
            "/cohorts/:slug/assignments/:assignment/submissions",
            get(cohorts::submissions::show),
        )
        .at(
            "/cohorts/:slug/reviews/:review",
            post(cohorts::work::review),
        )
        .at(
            "/cohorts/:slug/submissions/:submission/feedback",
            post(cohorts::submissions::give),
        )
        .at(
            "/cohorts/:slug/submissions/:submission/files/:file",
            get(cohorts::work::download),
        )
        .at(
            "/cohorts/:slug/sessions",
            get(cohorts::sessions::list).post(cohorts::sessions::create),
        )
        .at(
            "/cohorts/:slug/sessions/:id",
            get(cohorts::sessions::show).post(cohorts::sessions::update),
        )
        .at(
            "/cohorts/:slug/sessions/:id/ics",
            get(cohorts::page::session_ics),
        )
        .at(
            "/cohorts/:slug/sessions/:id/cancel",
            post(cohorts::followup::cancel),
        )
        .at(
            "/cohorts/:slug/sessions/:id/attendance",
            post(cohorts::followup::attendance),
        )
        .at(
            "/cohorts/:slug/sessions/:id/notes",
            post(cohorts::followup::notes),
        )
        // Everything else; fixed routes win over these patterns.
        .at("/organisation", get(organisations::mine::mine))
        .at("/organisation/details", post(organisations::mine::details))
        .at("/organisation/leave", post(organisations::mine::leave))
        .at(
            "/organisation/invitation",
            get(organisations::mine::invitation).post(organisations::mine::accept),
        )
        .at("/organisations", get(organisations::public::list))
        .at("/organisations/:slug", get(organisations::public::show))
        .at("/organisations/:slug/join", post(organisations::mine::join))
        .at(
            "/organisations/:slug/manage",
            get(organisations::manage::manage),
        )
        .at(
            "/organisations/:slug/networks",
            get(organisations::placement::networks).post(organisations::placement::set_networks),
        )
        .at(
            "/organisations/:slug/profile",
            post(organisations::manage::profile),
        )
        .at(
            "/organisations/:slug/domains",
            post(organisations::manage::add_domain),
        )
        .at(
            "/organisations/:slug/domains/removal",
            post(organisations::manage::remove_domain),
        )
        .at(
            "/organisations/:slug/members/:user",
            post(organisations::manage::member),
        )
        .at(
            "/organisations/:slug/invitations",
            post(organisations::manage::invite),
        )
        .at(
            "/organisations/:slug/invitations/:id/revocation",
            post(organisations::manage::revoke),
        )
        .at("/:any", not_found)
        .at("/:any/*rest", not_found)
}

/// Any other address: a page for browsers (with their header and
/// language), the common JSON error for everyone else.
#[poem::handler]
async fn not_found(ctx: Ctx, req: &Request) -> Response {
    if wants_html(req) {
        ctx.error(StatusCode::NOT_FOUND)
    } else {
        json_error(
            StatusCode::NOT_FOUND,
            ErrorBody::new("not_found", "Not Found", None),
        )
    }
}
