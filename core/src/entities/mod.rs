//! sea-orm entities: the database's shape, never exposed through the API.

pub mod auth_token;
pub mod certificate;
pub mod course;
pub mod course_theme;
pub mod course_translation;
pub mod enrolment;
pub mod job;
pub mod lesson;
pub mod lesson_progress;
pub mod lesson_resource;
pub mod lesson_translation;
pub mod mail_delivery;
pub mod module;
pub mod module_translation;
pub mod one_time_token;
pub mod partner;
pub mod partner_collection;
pub mod partner_event;
pub mod partner_key;
pub mod question_translation;
pub mod quiz_attempt;
pub mod quiz_question;
pub mod user;
