//! Home, catalogue (search, facets, filters) and course pages.

use agora_core::{
    catalogue::{self, CourseCard, CourseQuery, CourseSort, MAX_PER_PAGE},
    domain::{Level, Locale, Theme},
    search,
};
use poem::{Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::Ctx;
use crate::http::{
    i18n::{format_count, format_minutes, format_percent, t_args},
    locale::locale_name,
};

#[derive(Serialize)]
pub struct ThemeView {
    pub code: String,
    pub label: String,
    /// "SDG 11": for course cards, with the full label for screen readers.
    pub short: String,
    pub rest: String,
    /// `sdg`, `sendai` or `tag`: the badge's colour.
    pub family: &'static str,
}

pub fn theme_view(locale: Locale, theme: &str) -> Option<ThemeView> {
    let parsed = theme.parse::<Theme>().ok()?;
    let (short, name) = match &parsed {
        Theme::Sdg(n) => (
            t_args(
                locale,
                "theme-sdg-short",
                &[("number", f64::from(*n).into())],
            ),
            crate::http::i18n::t(locale, &format!("sdg-{n}")),
        ),
        Theme::Sendai(n) => (
            t_args(
                locale,
                "theme-sendai-short",
                &[("number", f64::from(*n).into())],
            ),
            crate::http::i18n::t(locale, &format!("sendai-{n}")),
        ),
        Theme::Tag(_) => return None,
    };
    let (key, family) = match &parsed {
        Theme::Sdg(_) => ("theme-sdg", "sdg"),
        _ => ("theme-sendai", "sendai"),
    };
    let number = match &parsed {
        Theme::Sdg(n) | Theme::Sendai(n) => f64::from(*n),
        Theme::Tag(_) => 0.0,
    };
    let label = t_args(
        locale,
        key,
        &[("number", number.into()), ("name", name.into())],
    );
    Some(ThemeView {
        code: parsed.to_string(),
        rest: label.strip_prefix(&short).unwrap_or("").to_owned(),
        short,
        label,
        family,
    })
}

#[derive(Serialize)]
pub struct Card {
    slug: String,
    title: String,
    summary: String,
    content_lang: &'static str,
    level: String,
    duration: String,
    lessons: String,
    learners: String,
    languages: String,
    themes: Vec<ThemeView>,
    cover: Option<CoverView>,
}

#[derive(Serialize)]
struct CoverView {
    url: String,
    alt: String,
    width: u32,
    height: u32,
}

pub fn card(ctx: &Ctx, c: &CourseCard) -> Card {
    let l = ctx.locale;
    Card {
        slug: c.slug.clone(),
        title: c.title.clone(),
        summary: c.summary.clone(),
        content_lang: c.locale.as_str(),
        level: ctx.t(&format!("level-{}", c.level)),
        duration: format_minutes(l, c.duration_minutes),
        lessons: t_args(
            l,
            "course-lessons",
            &[("count", f64::from(c.lesson_count).into())],
        ),
        learners: t_args(
            l,
            "course-learners",
            &[
                ("count", (c.enrolment_count as f64).into()),
                ("formatted", format_count(l, c.enrolment_count).into()),
            ],
        ),
        languages: c
            .available_locales
            .iter()
            .map(|l| locale_name(*l))
            .collect::<Vec<_>>()
            .join(", "),
        themes: c.themes.iter().filter_map(|t| theme_view(l, t)).collect(),
        cover: c.cover.as_ref().map(|v| CoverView {
            url: v.url.clone(),
            alt: v.alt.clone(),
            width: v.width,
            height: v.height,
        }),
    }
}

/// The catalogue's filters, read leniently: a value that is not one of
/// ours is ignored, never an error page.
#[derive(Default)]
struct Filters {
    q: String,
    theme: Option<Theme>,
    language: Option<Locale>,
    level: Option<Level>,
    sort: CourseSort,
    sort_code: String,
}

fn filters(req: &poem::Request) -> Filters {
    let mut f = Filters {
        sort_code: "popular".into(),
        ..Default::default()
    };
    for (k, v) in url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
        match &*k {
            "q" => f.q = v.chars().take(100).collect::<String>().trim().to_owned(),
            "theme" => f.theme = v.parse().ok(),
            "language" => f.language = v.parse().ok(),
            "level" => f.level = v.parse().ok(),
            "sort" => {
                if let Ok(s) = v.parse() {
                    f.sort = s;
                    f.sort_code = v.into_owned();
                }
            }
            _ => {}
        }
    }
    f
}

/// Lowercased, without accents: "Résilience" finds "resilience".
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        })
        .collect()
}

/// The courses matching the filters and the search words.
///
/// Without words this is the catalogue query (sorted as asked). With words
/// the search port ranks the courses (typos, stems, synonyms, every locale)
/// and the catalogue supplies the cards, in the search's order. When the
/// search backend is down, the page still answers: the words are then
/// matched against the titles, summaries and themes of the cards.
async fn find_courses(ctx: &Ctx, f: &Filters) -> agora_core::Result<Vec<CourseCard>> {
    let page = catalogue::list_courses(
        &ctx.state.db,
        &CourseQuery {
            page: 1,
            per_page: MAX_PER_PAGE,
            themes: f.theme.iter().cloned().collect(),
            language: f.language,
            level: f.level,
            sort: f.sort,
            preferred: ctx.preferred(),
        },
    )
    .await?;
    let Some(query) = search::QueryText::parse(&f.q) else {
        return Ok(page.items);
    };
    let mut filters = search::Filters::default();
    match &f.theme {
        Some(Theme::Sdg(n)) => filters.sdg.push(*n),
        Some(Theme::Sendai(n)) => filters.sendai.push(*n),
        _ => {}
    }
    filters.language.extend(f.language);
    filters.level.extend(f.level);
    let request = search::SearchRequest {
        query: Some(query),
        filters,
        facets: Vec::new(),
        page: 1,
        per_page: search::MAX_PER_PAGE,
        preferred: ctx.preferred(),
    };
    match search::search(&ctx.state.search, &request).await {
        Ok(found) => {
            let mut cards = page.items;
            Ok(found
                .hits
                .iter()
                .filter_map(|hit| {
                    let at = cards.iter().position(|c| c.slug == hit.slug)?;
                    Some(cards.swap_remove(at))
                })
                .collect())
        }
        Err(e) => {
            tracing::warn!(error = %e, "search failed; matching words against the catalogue");
            Ok(match_words(ctx, page.items, &f.q))
        }
    }
}

/// The fallback of `find_courses`: every word must appear in the title,
/// summary, slug or a theme's label, ignoring case and accents.
fn match_words(ctx: &Ctx, cards: Vec<CourseCard>, q: &str) -> Vec<CourseCard> {
    let words: Vec<String> = fold(q).split_whitespace().map(str::to_owned).collect();
    cards
        .into_iter()
        .filter(|c| {
            let themes: Vec<String> = c
                .themes
                .iter()
                .filter_map(|t| theme_view(ctx.locale, t).map(|v| v.label))
                .collect();
            let hay = fold(&format!(
                "{} {} {} {}",
                c.title,
                c.summary,
                c.slug,
                themes.join(" ")
            ));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect()
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct CataloguePage {
    q: String,
    cards: Vec<Card>,
    count: String,
    themes: Vec<Choice>,
    languages: Vec<Choice>,
    levels: Vec<Choice>,
    sorts: Vec<Choice>,
    filtered: bool,
    /// Filters beyond the search words are in use: show them unfolded.
    filters_open: bool,
}

/// `/courses`: search, filters and the matching courses.
#[handler]
pub async fn list(ctx: Ctx, req: &poem::Request) -> Response {
    let f = filters(req);
    let found = match find_courses(&ctx, &f).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let l = ctx.locale;
    let theme_code = f.theme.as_ref().map(|t| t.to_string());
    // Theme choices: every SDG and Sendai priority some course has.
    let everything = if f.theme.is_some() || !f.q.is_empty() {
        find_courses(&ctx, &Filters::default())
            .await
            .unwrap_or_default()
    } else {
        found.clone()
    };
    let mut codes: Vec<Theme> = everything
        .iter()
        .flat_map(|c| c.themes.iter())
        .filter_map(|t| t.parse::<Theme>().ok())
        .filter(|t| !matches!(t, Theme::Tag(_)))
        .collect();
    codes.sort_by_key(|t| match t {
        Theme::Sdg(n) => (0, *n),
        Theme::Sendai(n) => (1, *n),
        Theme::Tag(_) => (2, 0),
    });
    codes.dedup();
    let themes = codes
        .iter()
        .filter_map(|t| {
            let v = theme_view(l, &t.to_string())?;
            let n = found.iter().filter(|c| c.themes.contains(&v.code)).count();
            Some(Choice {
                selected: theme_code.as_deref() == Some(v.code.as_str()),
                label: format!("{} ({n})", v.label),
                value: v.code,
            })
        })
        .collect();
    let languages = Locale::ALL
        .iter()
        .map(|x| Choice {
            value: x.as_str().into(),
            label: locale_name(*x).into(),
            selected: f.language == Some(*x),
        })
        .collect();
    let levels = ["beginner", "intermediate", "advanced"]
        .iter()
        .map(|x| Choice {
            value: (*x).into(),
            label: ctx.t(&format!("level-{x}")),
            selected: f.level.map(|l| l.to_string()).as_deref() == Some(*x),
        })
        .collect();
    let sorts = ["popular", "title", "newest", "duration", "-duration"]
        .iter()
        .map(|x| Choice {
            value: (*x).into(),
            label: ctx.t(&format!(
                "sort-{}",
                x.trim_start_matches('-').to_owned()
                    + if x.starts_with('-') { "-desc" } else { "" }
            )),
            selected: f.sort_code == *x,
        })
        .collect();
    let page = CataloguePage {
        count: t_args(
            l,
            "catalogue-count",
            &[
                ("count", (found.len() as f64).into()),
                ("formatted", format_count(l, found.len() as u64).into()),
            ],
        ),
        cards: found.iter().map(|c| card(&ctx, c)).collect(),
        filtered: !f.q.is_empty() || f.theme.is_some() || f.language.is_some() || f.level.is_some(),
        filters_open: f.theme.is_some()
            || f.language.is_some()
            || f.level.is_some()
            || f.sort_code != "popular",
        q: f.q,
        themes,
        languages,
        levels,
        sorts,
    };
    ctx.page(
        StatusCode::OK,
        "catalogue",
        &ctx.t("catalogue-title"),
        &page,
    )
}

#[derive(Serialize)]
struct Resume {
    title: String,
    href: String,
    percent: String,
    value: u8,
}

#[derive(Serialize)]
struct HomePage {
    cards: Vec<Card>,
    resume: Option<Resume>,
}

/// `/`: what Agora is, a search box, where you left off, and the courses.
#[handler]
pub async fn home(ctx: Ctx) -> Response {
    let courses = match find_courses(&ctx, &Filters::default()).await {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let resume = match &ctx.user {
        Some(u) => ctx
            .state
            .learning
            .my_learning(u.user_id, &ctx.preferred())
            .await
            .ok()
            .and_then(|mine| mine.into_iter().find(|c| c.progress.completed_at.is_none()))
            .map(|c| Resume {
                href: match &c.progress.resume_lesson_key {
                    Some(k) => format!("/courses/{}/lessons/{k}", c.slug),
                    None => format!("/courses/{}", c.slug),
                },
                title: c.title,
                percent: format_percent(ctx.locale, c.progress.percent.into()),
                value: c.progress.percent,
            }),
        None => None,
    };
    let page = HomePage {
        cards: courses.iter().take(6).map(|c| card(&ctx, c)).collect(),
        resume,
    };
    ctx.page(StatusCode::OK, "home", &ctx.t("home-title"), &page)
}

#[derive(Serialize)]
struct LessonLine {
    href: String,
    title: String,
    kind: String,
    duration: String,
}

#[derive(Serialize)]
struct ModuleView {
    title: String,
    summary: String,
    lessons: Vec<LessonLine>,
}

#[derive(Serialize)]
struct Enrolment {
    percent: String,
    value: u8,
    resume_href: String,
    completed: bool,
}

#[derive(Serialize)]
struct CoursePage {
    card: Card,
    description_html: String,
    objectives: Vec<String>,
    modules: Vec<ModuleView>,
    signed_in: bool,
    enrolment: Option<Enrolment>,
    sign_in_href: String,
    /// Set when an author previews a draft: no way in, links stay in the preview.
    preview_note: Option<String>,
    preview_back: Option<String>,
}

fn module_views(
    ctx: &Ctx,
    outline: &catalogue::CourseOutline,
    href: impl Fn(&str) -> String,
) -> Vec<ModuleView> {
    outline
        .modules
        .iter()
        .map(|m| ModuleView {
            title: m.title.clone(),
            summary: m.summary.clone(),
            lessons: m
                .lessons
                .iter()
                .map(|l| LessonLine {
                    href: href(&l.key),
                    title: l.title.clone(),
                    kind: ctx.t(&format!("kind-{}", l.kind)),
                    duration: format_minutes(ctx.locale, l.duration_minutes),
                })
                .collect(),
        })
        .collect()
}

/// A draft's course page as learners will see it once published.
pub(super) fn draft_course_preview(
    ctx: &Ctx,
    outline: catalogue::CourseOutline,
    back: String,
) -> Response {
    let slug = outline.card.slug.clone();
    let locale = outline.card.locale;
    let modules = module_views(ctx, &outline, |k| {
        format!("/author/{slug}/preview/{k}?locale={locale}")
    });
    let page = CoursePage {
        card: card(ctx, &outline.card),
        description_html: outline.description_html,
        objectives: outline.objectives,
        modules,
        signed_in: true,
        enrolment: None,
        sign_in_href: String::new(),
        preview_note: Some(ctx.t("preview-note")),
        preview_back: Some(back),
    };
    let title = format!("{} · {}", ctx.t("author-preview"), page.card.title);
    ctx.page(StatusCode::OK, "course", &title, &page)
}

/// `/courses/{slug}`: what the course teaches, its syllabus, and the way in.
/// `?via=<partner>` (links from partner embeds) counts a visit for the
/// partner and remembers it, so that an enrolment that follows is theirs.
#[handler]
pub async fn course(ctx: Ctx, Path(slug): Path<String>, req: &poem::Request) -> Response {
    if agora_core::domain::Slug::parse(&slug).is_err() {
        return ctx.error(StatusCode::NOT_FOUND);
    }
    let outline = match catalogue::course_outline(&ctx.state.db, &slug, &ctx.preferred()).await {
        Ok(o) => o,
        Err(e) => return ctx.fail(e),
    };
    let enrolment = match &ctx.user {
        Some(u) => match ctx.state.learning.course_progress(u.user_id, &slug).await {
            Ok(p) if p.status == "active" => Some(Enrolment {
                percent: format_percent(ctx.locale, p.percent.into()),
                value: p.percent,
                completed: p.completed_at.is_some(),
                resume_href: match &p.resume_lesson_key {
                    Some(k) => format!("/courses/{slug}/lessons/{k}"),
                    None => outline
                        .modules
                        .first()
                        .and_then(|m| m.lessons.first())
                        .map(|l| format!("/courses/{slug}/lessons/{}", l.key))
                        .unwrap_or_default(),
                },
            }),
            Ok(_) | Err(agora_core::Error::NotFound { .. }) => None,
            Err(e) => return ctx.fail(e),
        },
        None => None,
    };
    let modules = module_views(&ctx, &outline, |k| format!("/courses/{slug}/lessons/{k}"));
    let next: String =
        url::form_urlencoded::byte_serialize(format!("/courses/{slug}").as_bytes()).collect();
    let page = CoursePage {
        card: card(&ctx, &outline.card),
        description_html: outline.description_html,
        objectives: outline.objectives,
        modules,
        signed_in: ctx.user.is_some(),
        enrolment,
        sign_in_href: format!("/sign-in?next={next}"),
        preview_note: None,
        preview_back: None,
    };
    let title = page.card.title.clone();
    let mut course_url = ctx.state.config.public_url();
    course_url.set_path(&format!("/courses/{slug}"));
    let mut oembed = ctx.state.config.public_url();
    oembed.set_path("/oembed");
    oembed
        .query_pairs_mut()
        .append_pair("url", course_url.as_str())
        .append_pair("format", "json");
    let mut resp = ctx.page_with_oembed(
        StatusCode::OK,
        "course",
        &title,
        &page,
        Some(oembed.as_str()),
    );
    if let Some(via) = crate::http::locale::query_param(req, "via")
        && agora_core::domain::Slug::parse(&via).is_ok()
    {
        match ctx.state.partners.record_visit(&via, &slug).await {
            Ok(true) => {
                let c = ctx.cookie(crate::http::cookies::VIA_COOKIE, &via, 30 * 24 * 3600);
                if let Ok(v) = poem::http::HeaderValue::from_str(&c) {
                    resp.headers_mut().append(poem::http::header::SET_COOKIE, v);
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "a partner visit was not recorded"),
        }
    }
    resp
}
