//! The library with its facets, a practice's page, and "Contact this city".

use agora_core::practices::{Library, LibraryQuery, PracticeView};
use poem::{Body, Request, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::{form_error, practice_href};
use crate::{
    http::i18n::t_args,
    web::{Ctx, FieldErrors, Flash, FormData},
};

#[derive(Serialize)]
struct ValueItem {
    id: String,
    name: &'static str,
    value: String,
    label: String,
    count: usize,
    selected: bool,
}

#[derive(Serialize)]
struct FacetItem {
    legend: String,
    values: Vec<ValueItem>,
}

#[derive(Serialize)]
struct PracticeItem {
    href: String,
    title: String,
    summary: String,
    place: String,
    organisation: String,
    sdgs: String,
}

#[derive(Serialize)]
struct LibraryPage {
    q: String,
    total: String,
    facets: Vec<FacetItem>,
    practices: Vec<PracticeItem>,
    next_href: Option<String>,
    previous_href: Option<String>,
    can_share: bool,
}

/// What a facet value is called in the reader's language.
fn value_label(ctx: &Ctx, facet: &str, value: &str, core_label: &str) -> String {
    match facet {
        "kind" => ctx.t(&format!("org-kind-{value}")),
        "population_band" => ctx.t(&format!("org-band-{value}")),
        "sdg" => t_args(
            ctx.locale,
            "theme-sdg",
            &[
                ("number", value.to_owned().into()),
                ("name", ctx.t(&format!("sdg-{value}")).into()),
            ],
        ),
        "sendai" => code_label(ctx, value),
        _ => core_label.to_owned(),
    }
}

/// `sendai:2` or `sendai-target:b`, or an SDG code, in words.
pub fn code_label(ctx: &Ctx, code: &str) -> String {
    if let Some(n) = code.strip_prefix("sendai:") {
        return t_args(
            ctx.locale,
            "theme-sendai",
            &[
                ("number", n.to_owned().into()),
                ("name", ctx.t(&format!("sendai-{n}")).into()),
            ],
        );
    }
    if let Some(t) = code.strip_prefix("sendai-target:") {
        return t_args(
            ctx.locale,
            "practice-sendai-target",
            &[("name", t.to_owned().into())],
        );
    }
    match code.strip_prefix("sdg:") {
        Some(g) if g.contains('.') => t_args(
            ctx.locale,
            "practice-sdg-target",
            &[("name", g.to_owned().into())],
        ),
        Some(g) => t_args(
            ctx.locale,
            "theme-sdg",
            &[
                ("number", g.to_owned().into()),
                ("name", ctx.t(&format!("sdg-{g}")).into()),
            ],
        ),
        None => code.to_owned(),
    }
}

fn query_of(req: &Request) -> Result<LibraryQuery, ()> {
    let mut q = LibraryQuery {
        page: 1,
        ..Default::default()
    };
    for (k, v) in url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "q" => q.q = Some(v).filter(|s| !s.trim().is_empty()),
            "country" => q.country.push(v.to_ascii_uppercase()),
            "region" => q.region.push(v),
            "kind" => q.kind.push(v),
            "sdg" => q.sdg.push(v),
            "sendai" => q.sendai.push(v),
            "population_band" => q.population_band.push(v),
            "page" => q.page = v.parse().map_err(drop)?,
            _ => {}
        }
    }
    Ok(q)
}

fn href_with_page(req: &Request, page: usize) -> String {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .filter(|(k, _)| k != "page" && k != "lang")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .chain([("page".to_owned(), page.to_string())])
            .collect();
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/practices?{q}")
}

fn library_page(ctx: &Ctx, req: &Request, query: &LibraryQuery, l: Library) -> Response {
    let facets = l
        .facets
        .iter()
        .filter(|f| !f.values.is_empty())
        .map(|f| FacetItem {
            legend: ctx.t(&format!("practice-facet-{}", f.name)),
            values: f
                .values
                .iter()
                .map(|v| ValueItem {
                    id: format!("f-{}-{}", f.name, v.value.replace([':', '.'], "-")),
                    name: f.name,
                    value: v.value.clone(),
                    label: value_label(ctx, f.name, &v.value, &v.label),
                    count: v.count,
                    selected: v.selected,
                })
                .collect(),
        })
        .collect();
    let data = LibraryPage {
        q: query.q.clone().unwrap_or_default(),
        total: t_args(
            ctx.locale,
            "practice-count",
            &[("count", (l.total as u64).into())],
        ),
        facets,
        practices: l
            .practices
            .into_iter()
            .map(|p| PracticeItem {
                href: practice_href(&p.slug),
                title: p.title,
                summary: p.summary,
                place: format!("{}, {}", p.city, p.country_name),
                organisation: p.organisation_name,
                sdgs: p
                    .sdgs
                    .iter()
                    .map(|g| t_args(ctx.locale, "theme-sdg-short", &[("number", (*g).into())]))
                    .collect::<Vec<_>>()
                    .join(" · "),
            })
            .collect(),
        next_href: l.has_more.then(|| href_with_page(req, l.page + 1)),
        previous_href: (l.page > 1).then(|| href_with_page(req, l.page - 1)),
        can_share: ctx.user.is_some(),
    };
    ctx.page(
        StatusCode::OK,
        "practice_library",
        &ctx.t("practices-title"),
        &data,
    )
}

/// GET `/practices`: the published library, with facets and words.
#[handler]
pub async fn list(ctx: Ctx, req: &Request) -> Response {
    let Ok(query) = query_of(req) else {
        return ctx.error(StatusCode::BAD_REQUEST);
    };
    match ctx.state.practices.library(&query, &ctx.preferred()).await {
        Ok(l) => library_page(&ctx, req, &query, l),
        Err(e) => ctx.fail(e),
    }
}

#[derive(Serialize)]
struct LabelItem {
    label: String,
}

#[derive(Serialize)]
struct LocaleLink {
    href: String,
    name: &'static str,
    lang: &'static str,
}

#[derive(Serialize)]
struct ImageItem {
    src: String,
    alt: String,
    width: Option<u32>,
    height: Option<u32>,
}

#[derive(Serialize)]
struct PracticePage {
    slug: String,
    title: String,
    summary: String,
    facts: Vec<(String, String)>,
    codes: Vec<LabelItem>,
    challenge_html: String,
    actions_html: String,
    results_html: String,
    lessons_html: String,
    partners: String,
    indicators: Vec<(String, String)>,
    sources: Vec<(String, String)>,
    images: Vec<ImageItem>,
    attachments: Vec<(String, String)>,
    other_locales: Vec<LocaleLink>,
    content_lang: &'static str,
    status: String,
    status_label: String,
    published: bool,
    review_note: Option<String>,
    can_edit: bool,
    can_review: bool,
    can_contact: bool,
    contact_open: bool,
    signed_in: bool,
    sign_in_href: String,
    message: String,
    errors: FieldErrors,
}

pub(super) fn practice_page(
    ctx: &Ctx,
    v: PracticeView,
    status: StatusCode,
    message: String,
    errors: FieldErrors,
) -> Response {
    let t = &v.text;
    let mut facts = vec![
        (
            ctx.t("practice-field-organisation"),
            v.organisation_name.clone(),
        ),
        (
            ctx.t("practice-field-place"),
            format!("{}, {} ({})", v.city, v.country_name, v.region_name),
        ),
        (
            ctx.t("practice-field-population_band"),
            ctx.t(&format!("org-band-{}", v.population_band)),
        ),
    ];
    if let Some(b) = &v.budget_range {
        facts.push((
            ctx.t("practice-field-budget_range"),
            ctx.t(&format!("practice-budget-{b}")),
        ));
    }
    if let Some(y) = v.started_year {
        facts.push((ctx.t("practice-field-started_year"), y.to_string()));
    }
    if let Some(m) = v.duration_months {
        facts.push((
            ctx.t("practice-field-duration_months"),
            t_args(ctx.locale, "practice-months", &[("count", m.into())]),
        ));
    }
    let next: String = url::form_urlencoded::byte_serialize(ctx.here.as_bytes()).collect();
    let data = PracticePage {
        slug: v.slug.clone(),
        title: t.title.clone(),
        summary: t.summary.clone(),
        facts,
        codes: v
            .codes
            .iter()
            .map(|c| LabelItem {
                label: code_label(ctx, c),
            })
            .collect(),
        challenge_html: v.challenge_html.clone(),
        actions_html: v.actions_html.clone(),
        results_html: v.results_html.clone(),
        lessons_html: v.lessons_html.clone(),
        partners: t.partners.clone(),
        indicators: t
            .indicators
            .iter()
            .map(|i| (i.name.clone(), i.figure.clone()))
            .collect(),
        sources: v
            .sources
            .iter()
            .map(|s| (s.url.clone(), s.title.clone()))
            .collect(),
        images: v
            .images
            .iter()
            .map(|f| ImageItem {
                src: format!("{}/files/{}", practice_href(&v.slug), f.public_name()),
                alt: f.alt.clone(),
                width: f.width,
                height: f.height,
            })
            .collect(),
        attachments: v
            .attachments
            .iter()
            .map(|f| {
                (
                    format!("{}/files/{}", practice_href(&v.slug), f.public_name()),
                    f.name.clone(),
                )
            })
            .collect(),
        other_locales: v
            .locales
            .iter()
            .filter(|l| **l != v.locale)
            .map(|l| LocaleLink {
                href: format!("{}?in={}", practice_href(&v.slug), l.as_str()),
                name: crate::http::locale::locale_name(*l),
                lang: l.as_str(),
            })
            .collect(),
        content_lang: v.locale.as_str(),
        status_label: ctx.t(&format!("practice-status-{}", v.status)),
        published: v.status == agora_core::practices::PUBLISHED,
        status: v.status.clone(),
        review_note: v.review_note.clone(),
        can_edit: v.can_edit,
        can_review: v.can_review,
        can_contact: v.can_contact,
        contact_open: v.contact_open,
        signed_in: ctx.user.is_some(),
        sign_in_href: format!("/sign-in?next={next}"),
        message,
        errors,
    };
    ctx.page(status, "practice_page", &t.title, &data)
}

/// The reader's languages for a practice's words: `?in=` first (the
/// "also in" links), then the page's.
fn content_locales(ctx: &Ctx, req: &Request) -> Vec<agora_core::domain::Locale> {
    let mut out: Vec<_> = crate::http::locale::query_param(req, "in")
        .and_then(|v| agora_core::domain::Locale::from_tag(&v).ok().flatten())
        .into_iter()
        .collect();
    out.extend(ctx.preferred());
    out
}

/// GET `/practices/:slug`: a published practice for anyone; its authors
/// and reviewers also see it before it is published.
#[handler]
pub async fn show(ctx: Ctx, req: &Request, Path(slug): Path<String>) -> Response {
    match ctx
        .state
        .practices
        .practice(ctx.user.as_ref(), &slug, &content_locales(&ctx, req))
        .await
    {
        Ok(v) => practice_page(
            &ctx,
            v,
            StatusCode::OK,
            String::new(),
            FieldErrors::default(),
        ),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/practices/:slug/messages`: "Contact this city".
#[handler]
pub async fn contact(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = super::checked(&ctx, &form) {
        return r;
    }
    let message = form.get("body").unwrap_or_default().to_owned();
    match ctx
        .state
        .practices
        .contact(ctx.user.as_ref(), &slug, &message)
        .await
    {
        Ok(()) => ctx.redirect(
            &practice_href(&slug),
            Some(Flash::Ok("flash-practice-sent")),
        ),
        Err(e) => refused(&ctx, &slug, e, message).await,
    }
}

/// The practice's page again, with a refused form's message next to its
/// field (and the message written, for the contact form).
pub(super) async fn refused(
    ctx: &Ctx,
    slug: &str,
    e: agora_core::Error,
    message: String,
) -> Response {
    let Some((status, field, msg)) = form_error(ctx, &e) else {
        return ctx.fail(e);
    };
    let mut errors = FieldErrors::default();
    errors.add(field, msg);
    match ctx
        .state
        .practices
        .practice(ctx.user.as_ref(), slug, &ctx.preferred())
        .await
    {
        Ok(v) => practice_page(ctx, v, status, message, errors),
        Err(e) => ctx.fail(e),
    }
}
