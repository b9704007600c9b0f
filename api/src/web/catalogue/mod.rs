//! Home, catalogue (search, facets, filters) and the course cards they
//! show; the course page itself is in `course_page`.

mod course_page;

use agora_core::{
    catalogue::{self, CourseCard, CourseSort},
    domain::{Level, Locale, Theme},
};
use poem::{Response, handler};

pub use course_page::course;
pub(super) use course_page::draft_course_preview;
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
    /// Smaller copies for `srcset` (cards are at most about 22rem wide).
    srcset: Option<String>,
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
            srcset: agora_core::links::media_srcset(&v.url, v.width),
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

/// The courses matching the filters and the search words (see `catalogue::browse`).
async fn find_courses(ctx: &Ctx, f: &Filters) -> agora_core::Result<Vec<CourseCard>> {
    let b = catalogue::Browse {
        words: f.q.clone(),
        theme: f.theme.clone(),
        language: f.language,
        level: f.level,
        sort: f.sort,
        preferred: ctx.preferred(),
    };
    ctx.state
        .learning
        .published()
        .browse(&ctx.state.search, &b, |code| {
            theme_view(ctx.locale, code).map(|v| v.label)
        })
        .await
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
    // Search words go to the search index, which follows a publication
    // through a job: only the listing without words has a version tag.
    let version = ctx.state.learning.published().catalogue_version();
    let (tag, keep) = if f.q.is_empty() {
        (ctx.public_page_tag(version), ctx.keep_as(version))
    } else {
        (None, None)
    };
    if let Some(r) = ctx.not_modified(req, tag.as_deref()) {
        return r;
    }
    if let Some(r) = ctx.kept(keep.as_ref()).await {
        return ctx.tagged(r, tag);
    }
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
    let resp = ctx
        .page_kept(keep, "catalogue", &ctx.t("catalogue-title"), &page, None)
        .await;
    ctx.tagged(resp, tag)
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
pub async fn home(ctx: Ctx, req: &poem::Request) -> Response {
    let version = ctx.state.learning.published().catalogue_version();
    let tag = ctx.public_page_tag(version);
    if let Some(r) = ctx.not_modified(req, tag.as_deref()) {
        return r;
    }
    let keep = ctx.keep_as(version);
    if let Some(r) = ctx.kept(keep.as_ref()).await {
        return ctx.tagged(r, tag);
    }
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
    let resp = ctx
        .page_kept(keep, "home", &ctx.t("home-title"), &page, None)
        .await;
    ctx.tagged(resp, tag)
}
