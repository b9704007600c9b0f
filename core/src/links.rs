//! Every address of the site that core needs: links in mail, on certificates,
//! in rendered Markdown, to media and to previews. No other core file writes a
//! route; when a page moves, this file and the router change together.

use url::Url;

use crate::domain::Locale;

/// A value safe inside a query string.
fn query_value(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// A course's public page.
pub fn course(slug: &str) -> String {
    format!("/courses/{slug}")
}

/// A lesson in the learner's player.
pub fn lesson(slug: &str, key: &str) -> String {
    format!("/courses/{slug}/lessons/{key}")
}

/// A file of a published course, as lessons link to it.
pub fn course_resource(slug: &str, file: &str) -> String {
    format!("/courses/{slug}/resources/{file}")
}

/// A lesson's downloadable file, through the learning API.
pub fn lesson_resource_download(slug: &str, key: &str) -> String {
    format!("/api/v1/courses/{slug}/lessons/{key}/resource")
}

/// A published media file, addressed by its content.
pub fn media(sha256: &str, ext: &str) -> String {
    format!("/media/{sha256}.{ext}")
}

/// The widths at which a published image `width` pixels wide is offered:
/// the standard widths narrower than it, then its own.
pub fn variant_widths(width: u32) -> Vec<u32> {
    let mut out: Vec<u32> = [480, 960].into_iter().filter(|w| *w < width).collect();
    if width > 0 {
        out.push(width);
    }
    out
}

/// The `srcset` of a published image at `url` (`/media/{sha256}.{ext}`),
/// `width` pixels wide: one copy per offered width. `None` for anything but
/// a published PNG, JPEG or WebP image narrower than two standard widths.
pub fn media_srcset(url: &str, width: u32) -> Option<String> {
    let name = url.strip_prefix("/media/")?;
    let (sha256, ext) = name.split_once('.')?;
    if !matches!(ext, "png" | "jpg" | "webp") || width <= 480 {
        return None;
    }
    let set: Vec<String> = variant_widths(width)
        .into_iter()
        .map(|w| format!("/media/{sha256}-w{w}.{ext} {w}w"))
        .collect();
    Some(set.join(", "))
}

/// The public verification page of a certificate.
pub fn certificate(code: &str) -> String {
    format!("/certificates/{code}")
}

/// Where a learner signs in.
pub fn sign_in() -> String {
    "/sign-in".into()
}

/// Where a learner asks for a password reset.
pub fn forgot_password() -> String {
    "/forgot-password".into()
}

/// Where a new account confirms its address.
pub fn verify_email(token: &str) -> String {
    format!("/verify-email?token={}", query_value(token))
}

/// Where a forgotten password is replaced.
pub fn reset_password(token: &str) -> String {
    format!("/reset-password?token={}", query_value(token))
}

/// Where an invitation to join an organisation is accepted.
pub fn organisation_invitation(token: &str) -> String {
    format!("/organisation/invitation?token={}", query_value(token))
}

/// One-click unsubscribe from reminders.
/// A cohort's page.
pub fn cohort(slug: &str) -> String {
    format!("/cohorts/{slug}")
}

/// One live session of a cohort, as an xAPI activity.
pub fn cohort_session(slug: &str, session_id: uuid::Uuid) -> String {
    format!("/cohorts/{slug}/sessions/{session_id}")
}

/// One question of a quiz, as an xAPI activity.
pub fn quiz_question(slug: &str, key: &str, question: &str) -> String {
    format!("/courses/{slug}/lessons/{key}#{question}")
}

/// A member's private calendar feed of a cohort.
pub fn calendar_feed(token: &str) -> String {
    format!("/api/v1/calendar-feeds/{token}")
}

pub fn unsubscribe(token: &str) -> String {
    format!("/unsubscribe?token={}", query_value(token))
}

/// A practice of the library.
pub fn practice(slug: &str) -> String {
    format!("/practices/{slug}")
}

/// Refusing further "Contact this city" messages from a sender.
pub fn practice_refusal(token: &str) -> String {
    format!("/practice-messages/refusal?token={}", query_value(token))
}

/// Sharing one's address with the sender of a message.
pub fn practice_reveal(token: &str) -> String {
    format!("/practice-messages/reveal?token={}", query_value(token))
}

/// An image of a discussion post (`<sha256>.<ext>`), served to those who
/// may read the post.
pub fn discussion_post_image(post: uuid::Uuid, name: &str) -> String {
    format!("/discussions/posts/{post}/images/{name}")
}

/// A discussion thread's page; with `post`, at that post.
pub fn discussion_thread(space: &str, id: uuid::Uuid, post: Option<uuid::Uuid>) -> String {
    match post {
        Some(p) => format!("/discussions/{space}/threads/{id}#post-{p}"),
        None => format!("/discussions/{space}/threads/{id}"),
    }
}

/// Where a person chooses which discussion mail they get.
pub fn discussion_mail_settings() -> String {
    "/account/discussion-mail".into()
}

/// One-click unsubscribe from discussion mail: from one space's mail, or
/// (without `space`) from all of it.
pub fn discussion_unsubscribe(token: &str, space: Option<&str>) -> String {
    match space {
        Some(s) => format!(
            "/unsubscribe/discussions?token={}&space={}",
            query_value(token),
            query_value(s)
        ),
        None => format!("/unsubscribe/discussions?token={}", query_value(token)),
    }
}

/// A lesson of a draft, as its authors preview it.
pub fn draft_lesson_preview(slug: &str, key: &str, locale: Locale) -> String {
    format!("/author/{slug}/preview/{key}?locale={locale}")
}

/// A file of a draft, read through the authoring API.
pub fn draft_file(slug: &str, path: &str) -> String {
    format!("/api/v1/authoring/courses/{slug}/file?path={path}")
}

/// A media file of a draft, as its authors see it.
pub fn draft_media(slug: &str, name: &str) -> String {
    format!("/author/{slug}/media/{name}")
}

/// Turns the site's relative addresses into absolute ones, for mail,
/// certificates and anything read away from the site.
#[derive(Clone, Debug)]
pub struct Site {
    base: Url,
}

impl Site {
    pub fn new(public_url: Url) -> Self {
        Self { base: public_url }
    }

    /// `absolute(&links::course("x"))` is `https://agora.example/courses/x`.
    pub fn absolute(&self, path_and_query: &str) -> String {
        let base = self.base.as_str().trim_end_matches('/');
        format!("{base}{path_and_query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_escaped_in_queries() {
        assert_eq!(verify_email("a+b/c=d"), "/verify-email?token=a%2Bb%2Fc%3Dd");
        assert_eq!(unsubscribe("x y"), "/unsubscribe?token=x+y");
    }

    #[test]
    fn absolute_links_join_without_double_slashes() {
        let site = Site::new(Url::parse("https://agora.example/").unwrap());
        assert_eq!(
            site.absolute(&course("sdg")),
            "https://agora.example/courses/sdg"
        );
        assert_eq!(
            site.absolute(&lesson("sdg", "intro")),
            "https://agora.example/courses/sdg/lessons/intro"
        );
    }
}
