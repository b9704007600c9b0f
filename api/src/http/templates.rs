//! The page templates (`frontend/templates/pages/`), embedded in the binary.

use std::sync::OnceLock;

use handlebars::Handlebars;

macro_rules! pages {
    ($($name:literal),+ $(,)?) => {
        [$(($name, include_str!(concat!("../../../frontend/templates/pages/", $name, ".hbs")))),+]
    };
}

/// Every page template, by name.
pub const PAGES: [(&str, &str); 90] = pages![
    "layout",
    "error",
    "message",
    "certificate",
    "credential_check",
    "sign_up",
    "sign_in",
    "forgot",
    "reset",
    "home",
    "catalogue",
    "course",
    "lesson",
    "lesson_outline",
    "lesson_outline_item",
    "my_learning",
    "my_course_card",
    "account",
    "course_card",
    "progress",
    "field_error",
    "author_list",
    "author_course",
    "author_edit",
    "author_problem",
    "author_media",
    "author_media_section",
    "author_editor",
    "new_lesson",
    "author_module",
    "author_lesson",
    "course_report",
    "org_report",
    "embed",
    "admin_partners",
    "admin_xapi_clients",
    "partner_stats",
    "org_mine",
    "org_list",
    "org_page",
    "org_invitation",
    "org_manage",
    "admin_nav",
    "admin_networks",
    "admin_network",
    "admin_organisations",
    "org_networks",
    "cohort_list",
    "cohort_nav",
    "cohort_page",
    "cohort_apply",
    "cohort_edit",
    "cohort_from_template",
    "cohort_applications",
    "cohort_session_fields",
    "cohort_sessions",
    "cohort_session",
    "cohort_dashboard",
    "cohort_rubric_fields",
    "cohort_work",
    "cohort_submissions",
    "offline",
    "offline_saved",
    "admin_lti",
    "lti_rejected",
    "lti_picker",
    "lti_return",
    "lti_roster",
    "discussion_spaces",
    "discussion_space",
    "discussion_thread",
    "discussion_post",
    "discussion_post_alone",
    "discussion_image_fields",
    "discussion_ask",
    "lesson_discussion",
    "notifications",
    "discussion_history",
    "discussion_queue",
    "discussion_space_moderation",
    "discussion_space_form",
    "practice_library",
    "practice_page",
    "practice_form",
    "practice_submissions",
    "practice_confirm",
    "discussion_mail",
    "discussion_unsubscribe",
    "discussion_search_box",
    "discussion_search",
];

pub fn registry() -> &'static Handlebars<'static> {
    static R: OnceLock<Handlebars<'static>> = OnceLock::new();
    R.get_or_init(|| {
        let mut h = Handlebars::new();
        h.register_helper("t", Box::new(super::i18n::TextHelper));
        for (name, src) in PAGES {
            h.register_template_string(name, src)
                .unwrap_or_else(|e| panic!("page template {name}: {e}"));
        }
        h
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_compiles() {
        let _ = super::registry();
    }
}
