//! The public certificate verification page, the holder's PDF download,
//! and the one-click unsubscribe page reached from reminder mail.

use agora_core::{
    certificates, certificates::pdf::format_date, credentials::bake, mail::templates::format_hours,
    notifications,
};
use poem::{
    Response, handler,
    http::{StatusCode, header},
    web::{Path, Query},
};
use serde::{Deserialize, Serialize};

use super::{Ctx, auth::message};
use crate::http::i18n::t_args;

#[derive(Serialize)]
struct CertificatePage {
    valid: bool,
    revoked_notice: String,
    holder_name: String,
    course_title: String,
    course_link: Option<String>,
    /// The cohort a cohort certificate names.
    cohort_title: Option<String>,
    cohort_link: Option<String>,
    completed_on: String,
    hours: String,
    issuer: String,
    code: String,
    /// The holder's organisation, when the certificate names one.
    organisation: Option<String>,
    /// The holder sees the download.
    download_href: Option<String>,
    /// The holder's Open Badges credential: JSON, baked PNG and SVG, and
    /// LinkedIn's "add a certification" form, filled in.
    badge: Option<BadgeLinks>,
}

#[derive(Serialize)]
struct BadgeLinks {
    json: String,
    png: String,
    svg: String,
    linkedin: String,
}

/// LinkedIn's "add to profile" link for a certification.
fn linkedin(name: &str, issuer: &str, year: i32, month: u8, cert_url: &str, code: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("startTask", "CERTIFICATION_NAME")
        .append_pair("name", name)
        .append_pair("organizationName", issuer)
        .append_pair("issueYear", &year.to_string())
        .append_pair("issueMonth", &month.to_string())
        .append_pair("certUrl", cert_url)
        .append_pair("certId", code)
        .finish();
    format!("https://www.linkedin.com/profile/add?{query}")
}

/// `/certificates/{code}`: anyone may verify a certificate.
#[handler]
pub async fn verify(ctx: Ctx, Path(code): Path<String>) -> Response {
    let v = match certificates::verify(&ctx.state.db, &code).await {
        Ok(v) => v,
        Err(agora_core::Error::NotFound { .. }) => {
            return message(
                &ctx,
                StatusCode::NOT_FOUND,
                "certificate-unknown",
                "/",
                "link-catalogue",
            );
        }
        Err(e) => return ctx.fail(e),
    };
    let l = ctx.locale;
    // Whether the reader holds it: their own certificates list it.
    let mine = match &ctx.user {
        Some(u) => certificates::for_user(&ctx.state.db, u.user_id)
            .await
            .map(|all| all.iter().any(|c| c.code == v.code && c.ready))
            .unwrap_or(false),
        None => false,
    };
    // The credential follows the PDF in the same job: links once it exists.
    let has_credential = match (&ctx.user, mine) {
        (Some(u), true) => ctx
            .state
            .credentials
            .by_code(u.user_id, u.role, &v.code)
            .await
            .is_ok(),
        _ => false,
    };
    let badge = has_credential.then(|| {
        let base = format!("/certificates/{}/credential", v.code);
        let cert_url = format!(
            "{}/certificates/{}",
            ctx.state.config.public_url().as_str().trim_end_matches('/'),
            v.code
        );
        BadgeLinks {
            json: format!("{base}/json"),
            png: format!("{base}/png"),
            svg: format!("{base}/svg"),
            linkedin: linkedin(
                &v.course_title,
                &ctx.state.config.certificate_issuer,
                v.completed_at.year(),
                u8::from(v.completed_at.month()),
                &cert_url,
                &v.code,
            ),
        }
    });
    let page = CertificatePage {
        badge,
        valid: v.is_valid(),
        revoked_notice: v
            .revoked_at
            .map(|at| {
                t_args(
                    l,
                    "certificate-revoked-on",
                    &[("date", format_date(l, at.date()).into())],
                )
            })
            .unwrap_or_default(),
        course_link: (!v.course_slug.is_empty()).then(|| format!("/courses/{}", v.course_slug)),
        cohort_link: v.cohort.as_ref().map(|c| format!("/cohorts/{}", c.slug)),
        cohort_title: v.cohort.as_ref().map(|c| c.title.clone()),
        completed_on: format_date(l, v.completed_at.date()),
        hours: format_hours(l, v.duration_minutes),
        issuer: ctx.state.config.certificate_issuer.clone(),
        download_href: mine.then(|| format!("/certificates/{}/pdf", v.code)),
        organisation: v.organisation,
        holder_name: v.holder_name,
        course_title: v.course_title,
        code: v.code,
    };
    ctx.page(
        StatusCode::OK,
        "certificate",
        &ctx.t("certificate-title"),
        &page,
    )
}

/// `/certificates/{code}/pdf`: the holder (or an admin) downloads the PDF.
#[handler]
pub async fn download(ctx: Ctx, Path(code): Path<String>) -> Response {
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    match certificates::pdf(
        &ctx.state.db,
        &ctx.state.storage,
        user.user_id,
        user.role,
        &code,
    )
    .await
    {
        Ok((name, bytes)) => Response::builder()
            .header(header::CONTENT_TYPE, "application/pdf")
            .header(
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    name.replace(['"', '\\', '\r', '\n'], "_")
                ),
            )
            .header(header::CACHE_CONTROL, "private, no-store")
            .body(bytes),
        Err(e) => ctx.fail(e),
    }
}

/// `/certificates/{code}/credential/{json,png,svg}`: the holder (or an
/// admin) takes the Open Badges credential away, as JSON or baked in an image.
#[handler]
pub async fn credential(ctx: Ctx, Path((code, ext)): Path<(String, String)>) -> Response {
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    let c = match ctx
        .state
        .credentials
        .by_code(user.user_id, user.role, &code)
        .await
    {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let json = c.document.to_string();
    let (bytes, mime) = match ext.as_str() {
        "json" => (json.into_bytes(), "application/vc+ld+json"),
        "png" => (bake::png(&json), "image/png"),
        "svg" => (bake::svg(&json).into_bytes(), "image/svg+xml"),
        _ => return ctx.error(StatusCode::NOT_FOUND),
    };
    Response::builder()
        .header(header::CONTENT_TYPE, mime)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"agora-badge-{}.{ext}\"", c.code),
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(bytes)
}

#[derive(Deserialize)]
pub struct UnsubscribeQuery {
    token: Option<String>,
}

/// `/unsubscribe?token=…`: one click (a GET from the mail's link, or the
/// RFC 8058 POST a mail client sends) stops reminder emails. The token is
/// the proof, so this POST needs no CSRF token.
#[handler]
pub async fn unsubscribe(
    mut ctx: Ctx,
    req: &poem::Request,
    Query(q): Query<UnsubscribeQuery>,
) -> Response {
    match notifications::unsubscribe(&ctx.state.db, q.token.as_deref().unwrap_or("")).await {
        Ok(user_locale) => {
            ctx.speak_mail_locale(req, user_locale);
            message(
                &ctx,
                StatusCode::OK,
                "unsubscribed",
                "/account",
                "link-account",
            )
        }
        Err(agora_core::Error::NotFound { .. }) => message(
            &ctx,
            StatusCode::NOT_FOUND,
            "unsubscribe-failed",
            "/account",
            "link-account",
        ),
        Err(e) => ctx.fail(e),
    }
}
