//! The reader's languages: one function, [`preferred_locales`], ranks the
//! sources a request offers, whichever side (API or page) asks.

use agora_core::domain::Locale;
use poem::Request;

use super::{
    cookies::{LANG_COOKIE, cookie},
    error::ApiError,
};

/// Where a reader's language may come from.
#[derive(Clone, Copy, Debug)]
pub enum LocaleSource<'a> {
    /// `?lang=` on the API: an unreadable tag is refused.
    Lang(&'a str),
    /// `?lang=` on a page: an unreadable tag is passed over.
    LangIfValid(&'a str),
    /// The signed-in reader's saved preference.
    Saved(Locale),
    /// The language chosen with the switcher (its cookie).
    Switcher(&'a str),
    /// The `Accept-Language` header, in its own order.
    AcceptLanguage(&'a str),
}

/// The locales the sources name, best first, each once, in the order the
/// sources are given.
pub fn preferred_locales<'a>(
    sources: impl IntoIterator<Item = LocaleSource<'a>>,
) -> Result<Vec<Locale>, ApiError> {
    let mut out = Vec::new();
    let mut add = |l: Locale| {
        if !out.contains(&l) {
            out.push(l);
        }
    };
    for source in sources {
        match source {
            LocaleSource::Lang(tag) => {
                if let Some(l) =
                    Locale::from_tag(tag).map_err(|e| ApiError::bad_param("lang", e))?
                {
                    add(l);
                }
            }
            LocaleSource::LangIfValid(tag) => {
                if let Ok(Some(l)) = Locale::from_tag(tag) {
                    add(l);
                }
            }
            LocaleSource::Saved(l) => add(l),
            LocaleSource::Switcher(v) => {
                if let Ok(l) = v.parse() {
                    add(l);
                }
            }
            LocaleSource::AcceptLanguage(h) => Locale::from_accept_language(h)
                .into_iter()
                .for_each(&mut add),
        }
    }
    Ok(out)
}

/// The language of a page (or of an error page): the signed-in reader's
/// saved one, else `?lang=`, the switcher's choice, `Accept-Language`, then
/// English.
pub fn page_locale(req: &Request, saved: Option<Locale>) -> Locale {
    let lang = query_param(req, "lang");
    let sources = [
        saved.map(LocaleSource::Saved),
        lang.as_deref().map(LocaleSource::LangIfValid),
        cookie(req, LANG_COOKIE).map(LocaleSource::Switcher),
        req.header("accept-language")
            .map(LocaleSource::AcceptLanguage),
    ];
    preferred_locales(sources.into_iter().flatten())
        .ok()
        .and_then(|l| l.first().copied())
        .unwrap_or(Locale::En)
}

/// One query parameter of a request, decoded.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A language's own name for itself.
pub fn locale_name(l: Locale) -> &'static str {
    match l {
        Locale::En => "English",
        Locale::Fr => "Français",
        Locale::Es => "Español",
    }
}

#[cfg(test)]
mod tests {
    use super::{LocaleSource as S, *};

    #[test]
    fn sources_count_in_order_and_once() {
        let got = preferred_locales([
            S::Lang("fr"),
            S::Saved(Locale::Es),
            S::AcceptLanguage("fr, en;q=0.5"),
        ])
        .unwrap();
        assert_eq!(got, vec![Locale::Fr, Locale::Es, Locale::En]);
    }

    #[test]
    fn only_the_api_refuses_an_unreadable_lang() {
        assert!(preferred_locales([S::Lang("<x>")]).is_err());
        let got = preferred_locales([S::LangIfValid("<x>"), S::Switcher("es")]).unwrap();
        assert_eq!(got, vec![Locale::Es]);
    }
}
