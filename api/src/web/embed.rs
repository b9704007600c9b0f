//! What partner sites frame and fetch: the iframe listing of a collection,
//! one course's card (what oEmbed hands out), and the oEmbed endpoint itself.

use agora_core::{domain::Locale, partners::ListingParams};
use poem::{
    IntoResponse, Request, Response, handler,
    http::{HeaderValue, StatusCode, header},
    web::Path,
};
use serde::Serialize;

use crate::{
    http::{
        assets,
        caller::client_address,
        error::{ApiError, ErrorBody, json_error},
        i18n,
        locale::{locale_name, query_param},
        templates,
    },
    state::AppState,
};

#[derive(Serialize)]
struct EmbedCard {
    title: String,
    summary: String,
    content_lang: String,
    duration: String,
    languages: String,
    url: String,
}

#[derive(Serialize)]
struct EmbedPage<'a> {
    lang: &'a str,
    title: &'a str,
    css: String,
    js: String,
    dark: bool,
    cards: Vec<EmbedCard>,
    labels_languages: String,
    labels_open: String,
    /// Shown instead of cards: an empty collection or an error.
    message: Option<String>,
}

fn html(status: StatusCode, page: &EmbedPage<'_>, cache: &'static str) -> Response {
    let body = templates::registry()
        .render("embed", page)
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "the embed did not render");
            String::new()
        });
    let mut resp = poem::web::Html(body).with_status(status).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    resp
}

fn state(req: &Request) -> Option<AppState> {
    req.data::<AppState>().cloned()
}

fn message_page(lang: Locale, status: StatusCode, text: String) -> Response {
    html(
        status,
        &EmbedPage {
            lang: lang.as_str(),
            title: "Agora",
            css: assets::href_of("embed", "css"),
            js: assets::href_of("embed-frame", "js"),
            dark: false,
            cards: vec![],
            labels_languages: String::new(),
            labels_open: String::new(),
            message: Some(text),
        },
        "no-store",
    )
}

fn dark(req: &Request) -> bool {
    query_param(req, "scheme").as_deref() == Some("dark")
}

/// `/embed/partners/{partner}/collections/{collection}?lang=&theme=&limit=&scheme=dark`:
/// the collection as a page for an `<iframe>`, for CMSs that strip scripts.
#[handler]
pub async fn collection(
    Path((partner, collection)): Path<(String, String)>,
    req: &Request,
) -> Response {
    let Some(state) = state(req) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let lang_param = query_param(req, "lang");
    let ui = lang_param
        .as_deref()
        .and_then(|l| l.parse::<Locale>().ok())
        .unwrap_or(Locale::En);
    let limit = match query_param(req, "limit").map(|l| l.parse::<u64>()) {
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            return message_page(ui, StatusCode::BAD_REQUEST, i18n::t(ui, "embed-invalid"));
        }
        None => None,
    };
    let theme = query_param(req, "theme");
    let params = match ListingParams::parse(
        &partner,
        &collection,
        lang_param.as_deref(),
        theme.as_deref(),
        limit,
    ) {
        Ok(p) => p,
        Err(_) => return message_page(ui, StatusCode::BAD_REQUEST, i18n::t(ui, "embed-invalid")),
    };
    if state
        .partner_limits
        .anonymous(&client_address(req))
        .await
        .is_err()
    {
        return message_page(
            ui,
            StatusCode::TOO_MANY_REQUESTS,
            i18n::t(ui, "error-429-title"),
        );
    }
    let listing = match state.partners.rendered_listing(&params).await {
        Ok(l) => l,
        Err(agora_core::Error::NotFound { .. }) => {
            return message_page(ui, StatusCode::NOT_FOUND, i18n::t(ui, "embed-not-found"));
        }
        Err(e) => {
            tracing::warn!(error = %e, "an embed failed");
            return message_page(
                ui,
                StatusCode::SERVICE_UNAVAILABLE,
                i18n::t(ui, "error-503-title"),
            );
        }
    };
    // The listing's own JSON, so both embeds show the very same cards.
    let v: serde_json::Value = serde_json::from_slice(&listing.body).unwrap_or_default();
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let cards: Vec<EmbedCard> = v["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|c| EmbedCard {
                    title: s(&c["title"]),
                    summary: s(&c["summary"]),
                    content_lang: s(&c["locale"]),
                    duration: s(&c["duration_text"]),
                    languages: s(&c["languages_text"]),
                    url: s(&c["url"]),
                })
                .collect()
        })
        .unwrap_or_default();
    let title = s(&v["collection"]["name"]);
    let message = cards.is_empty().then(|| s(&v["labels"]["empty"]));
    html(
        StatusCode::OK,
        &EmbedPage {
            lang: ui.as_str(),
            title: &title,
            css: assets::href_of("embed", "css"),
            js: assets::href_of("embed-frame", "js"),
            dark: dark(req),
            cards,
            labels_languages: s(&v["labels"]["languages"]),
            labels_open: s(&v["labels"]["open"]),
            message,
        },
        "public, max-age=60",
    )
}

/// `/embed/courses/{slug}?lang=`: one course's card, what oEmbed frames.
#[handler]
pub async fn course(Path(slug): Path<String>, req: &Request) -> Response {
    let Some(state) = state(req) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let lang = query_param(req, "lang").and_then(|l| l.parse::<Locale>().ok());
    let ui = lang.unwrap_or(Locale::En);
    if agora_core::domain::Slug::parse(&slug).is_err() {
        return message_page(ui, StatusCode::NOT_FOUND, i18n::t(ui, "embed-not-found"));
    }
    let preferred: Vec<Locale> = lang.into_iter().collect();
    let outline = match state
        .learning
        .published()
        .course_page(&slug, &preferred)
        .await
    {
        Ok(o) => o,
        Err(agora_core::Error::NotFound { .. }) => {
            return message_page(ui, StatusCode::NOT_FOUND, i18n::t(ui, "embed-not-found"));
        }
        Err(e) => {
            tracing::warn!(error = %e, "an embed failed");
            return message_page(
                ui,
                StatusCode::SERVICE_UNAVAILABLE,
                i18n::t(ui, "error-503-title"),
            );
        }
    };
    let c = &outline.card;
    let mut url = state.config.public_url();
    url.set_path(&format!("/courses/{}", c.slug));
    url.query_pairs_mut().append_pair("lang", c.locale.as_str());
    html(
        StatusCode::OK,
        &EmbedPage {
            lang: ui.as_str(),
            title: &c.title,
            css: assets::href_of("embed", "css"),
            js: assets::href_of("embed-frame", "js"),
            dark: dark(req),
            cards: vec![EmbedCard {
                title: c.title.clone(),
                summary: c.summary.clone(),
                content_lang: c.locale.to_string(),
                duration: i18n::format_minutes(ui, c.duration_minutes),
                languages: c
                    .available_locales
                    .iter()
                    .map(|l| locale_name(*l))
                    .collect::<Vec<_>>()
                    .join(", "),
                url: url.to_string(),
            }],
            labels_languages: i18n::t(ui, "course-languages"),
            labels_open: i18n::t(ui, "embed-open"),
            message: None,
        },
        "public, max-age=300",
    )
}

#[derive(Serialize)]
struct OEmbed {
    #[serde(rename = "type")]
    kind: &'static str,
    version: &'static str,
    title: String,
    provider_name: &'static str,
    provider_url: String,
    html: String,
    width: u32,
    height: u32,
    cache_age: u32,
}

fn oembed_error(status: StatusCode, code: &str, message: &str, field: Option<&str>) -> Response {
    json_error(
        status,
        ErrorBody::new(code, message, field.map(str::to_owned)),
    )
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

const DEFAULT_WIDTH: u32 = 480;
const DEFAULT_HEIGHT: u32 = 240;

/// `/oembed?url=<course page>&format=json&maxwidth=&maxheight=`: a rich
/// embed for this site's published course pages, and nothing else.
#[handler]
pub async fn oembed(req: &Request) -> Response {
    let Some(state) = state(req) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match query_param(req, "format").as_deref() {
        None | Some("json") => {}
        Some("xml") => {
            return oembed_error(
                StatusCode::NOT_IMPLEMENTED,
                "not_implemented",
                "only format=json is offered",
                Some("format"),
            );
        }
        Some(_) => {
            return oembed_error(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                "`format` must be json",
                Some("format"),
            );
        }
    }
    // The answer's size, within what the consumer allows.
    let dimension = |name: &str, default: u32| -> Option<u32> {
        match query_param(req, name) {
            None => Some(default),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .map(|n| n.min(default)),
        }
    };
    let (Some(width), Some(height)) = (
        dimension("maxwidth", DEFAULT_WIDTH),
        dimension("maxheight", DEFAULT_HEIGHT),
    ) else {
        return oembed_error(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "`maxwidth` and `maxheight` must be positive whole numbers",
            None,
        );
    };
    let Some(raw) = query_param(req, "url") else {
        return oembed_error(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "give the `url` of a course page",
            Some("url"),
        );
    };
    let parsed = match url::Url::parse(&raw) {
        Ok(u) if raw.len() <= 2000 => u,
        _ => {
            return oembed_error(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                "`url` is not an absolute URL",
                Some("url"),
            );
        }
    };
    let public = state.config.public_url();
    // Only this site's own course pages: anything else is not ours to describe.
    let not_ours = || {
        oembed_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "only this site's course pages can be embedded",
            Some("url"),
        )
    };
    if parsed.origin() != public.origin() || parsed.username() != "" || parsed.password().is_some()
    {
        return not_ours();
    }
    let Some(slug) = parsed
        .path()
        .strip_prefix("/courses/")
        .map(|s| s.trim_end_matches('/'))
        .filter(|s| agora_core::domain::Slug::parse(s).is_ok())
    else {
        return not_ours();
    };
    let lang = parsed
        .query_pairs()
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| v.parse::<Locale>().ok());
    let preferred: Vec<Locale> = lang.into_iter().collect();
    let outline = match state
        .learning
        .published()
        .course_page(slug, &preferred)
        .await
    {
        Ok(o) => o,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut src = public.clone();
    src.set_path(&format!("/embed/courses/{slug}"));
    if let Some(l) = lang {
        src.query_pairs_mut().append_pair("lang", l.as_str());
    }
    let title = outline.card.title.clone();
    let html = format!(
        "<iframe src=\"{}\" width=\"{width}\" height=\"{height}\" title=\"{}\" style=\"border:0;max-width:100%\" loading=\"lazy\"></iframe>",
        escape_attr(src.as_str()),
        escape_attr(&title),
    );
    let mut resp = poem::web::Json(OEmbed {
        kind: "rich",
        version: "1.0",
        title,
        provider_name: "Agora",
        provider_url: public.to_string(),
        html,
        width,
        height,
        cache_age: 3600,
    })
    .into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    resp.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    resp
}
