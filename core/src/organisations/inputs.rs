//! What an organisation's profile is made of, parsed at the boundary:
//! kinds, population bands, countries, email domains, websites and names
//! per locale. Each failure names the field.

use std::collections::BTreeMap;

use super::countries::{self, Country};
use crate::{Error, Result, domain::Locale};

macro_rules! choice {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident = $s:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),* }
            }
            pub fn parse(s: &str) -> Result<Self> {
                match s.trim() {
                    $($s => Ok($name::$variant),)*
                    _ => Err(Error::invalid(
                        $field,
                        format!("give one of {}", [$($s),*].join(", ")),
                    )),
                }
            }
        }
    };
}

choice!(
    /// What kind of body an organisation is.
    Kind, "kind" {
        Municipality = "municipality",
        Region = "region",
        Metropolitan = "metropolitan",
        Association = "association",
        Other = "other",
    }
);

choice!(
    /// How many people an organisation serves.
    PopulationBand, "population_band" {
        Under10k = "under-10k",
        From10kTo50k = "10k-50k",
        From50kTo100k = "50k-100k",
        From100kTo500k = "100k-500k",
        From500kTo1m = "500k-1m",
        From1mTo5m = "1m-5m",
        Over5m = "over-5m",
    }
);

/// An ISO 3166-1 alpha-2 code (any case) of a country that exists.
pub fn parse_country(s: &str) -> Result<&'static Country> {
    let code = s.trim().to_ascii_uppercase();
    if code.len() == 2
        && let Some(c) = countries::country(&code)
    {
        return Ok(c);
    }
    Err(Error::invalid(
        "country",
        "give an ISO 3166-1 alpha-2 country code such as FR, KE or BR",
    ))
}

/// An email domain such as `bristol.gov.uk` (a leading `@` is dropped),
/// lower case; international names are kept in their ASCII form.
pub fn parse_domain(s: &str) -> Result<String> {
    let bad = || {
        Error::invalid(
            "domain",
            "give an email domain such as bristol.gov.uk, without the part before @",
        )
    };
    let s = s.trim().trim_start_matches('@').trim_end_matches('.');
    if s.is_empty() || s.len() > 253 || s.contains(['@', '/', ':', ' ']) {
        return Err(bad());
    }
    let ascii = match url::Host::parse(s).map_err(|_| bad())? {
        url::Host::Domain(d) => d.to_ascii_lowercase(),
        _ => return Err(bad()),
    };
    let labels: Vec<&str> = ascii.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld = labels.last().copied().unwrap_or_default();
    let tld_ok =
        tld.len() >= 2 && (tld.bytes().all(|b| b.is_ascii_alphabetic()) || tld.starts_with("xn--"));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok || ascii.len() > 253 {
        return Err(bad());
    }
    Ok(ascii)
}

/// A website: an absolute `http` or `https` URL with a host; empty is none.
pub fn parse_website(field: &str, s: Option<&str>) -> Result<Option<String>> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        Error::invalid(
            field,
            "give a web address such as https://www.bristol.gov.uk",
        )
    };
    let url = url::Url::parse(s).map_err(|_| bad())?;
    let host_ok = match url.host() {
        Some(url::Host::Domain(d)) => parse_domain(d).is_ok(),
        Some(_) => true,
        None => false,
    };
    if !matches!(url.scheme(), "http" | "https")
        || !host_ok
        || !url.username().is_empty()
        || url.password().is_some()
        || s.len() > 300
    {
        return Err(bad());
    }
    Ok(Some(url.to_string()))
}

/// A name: 1 to 200 characters without control characters.
pub fn parse_name(field: &str, s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 200 || s.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "give 1 to 200 characters, without control characters",
        ));
    }
    Ok(s.to_owned())
}

/// Free text a learner writes about themselves (job title, department):
/// up to 200 characters, possibly empty.
pub fn parse_free_text(field: &str, s: &str) -> Result<String> {
    let s = s.trim();
    if s.chars().count() > 200 || s.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "give up to 200 characters, without control characters",
        ));
    }
    Ok(s.to_owned())
}

/// The name in the default locale and, for other locales, their names
/// (`names.fr`); empty translations are dropped.
pub fn parse_names(
    name: &str,
    names: &BTreeMap<String, String>,
) -> Result<(String, serde_json::Value)> {
    let name = parse_name("name", name)?;
    let mut out = serde_json::Map::new();
    for (locale, value) in names {
        let l: Locale = locale
            .parse()
            .map_err(|e: String| Error::invalid(format!("names.{locale}"), e))?;
        if value.trim().is_empty() {
            continue;
        }
        out.insert(
            l.as_str().to_owned(),
            parse_name(&format!("names.{l}"), value)?.into(),
        );
    }
    Ok((name, serde_json::Value::Object(out)))
}

/// The name to show in `locale`.
pub fn name_in(name: &str, names: &serde_json::Value, locale: Locale) -> String {
    names
        .get(locale.as_str())
        .and_then(|v| v.as_str())
        .unwrap_or(name)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(e: Error) -> String {
        match e {
            Error::Invalid { field, .. } => field,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn countries_are_real_alpha_2_codes() {
        assert_eq!(parse_country("fr").unwrap().code, "FR");
        assert_eq!(parse_country(" KE ").unwrap().subregion, "202");
        for bad in ["", "F", "FRA", "XX", "ZZ", "12", "Fr4nce"] {
            assert_eq!(field(parse_country(bad).unwrap_err()), "country", "{bad}");
        }
    }

    #[test]
    fn domains_are_lower_case_host_names() {
        assert_eq!(parse_domain("@Bristol.GOV.uk").unwrap(), "bristol.gov.uk");
        assert_eq!(
            parse_domain("ville-de-lyon.fr.").unwrap(),
            "ville-de-lyon.fr"
        );
        assert_eq!(
            parse_domain("méxico.gob.mx").unwrap(),
            "xn--mxico-bsa.gob.mx"
        );
        for bad in [
            "",
            "localhost",
            "not a domain",
            "a@b.org",
            "http://x.org",
            "-bad.org",
            "bad-.org",
            "x..org",
            "127.0.0.1",
            "[::1]",
            "city.c",
            "city.123",
            "under_score.org",
        ] {
            assert_eq!(field(parse_domain(bad).unwrap_err()), "domain", "{bad}");
        }
    }

    #[test]
    fn websites_are_http_urls() {
        assert_eq!(
            parse_website("website", Some("https://www.bristol.gov.uk")).unwrap(),
            Some("https://www.bristol.gov.uk/".into())
        );
        assert_eq!(parse_website("website", Some("  ")).unwrap(), None);
        for bad in [
            "javascript:alert(1)",
            "ftp://x.org",
            "www.x.org",
            "https://",
            "https://user:pw@x.org",
            "https://localhost/",
        ] {
            assert_eq!(
                field(parse_website("website", Some(bad)).unwrap_err()),
                "website",
                "{bad}"
            );
        }
    }

    #[test]
    fn kinds_bands_and_names() {
        assert_eq!(Kind::parse("metropolitan").unwrap(), Kind::Metropolitan);
        assert_eq!(field(Kind::parse("city").unwrap_err()), "kind");
        assert_eq!(
            PopulationBand::parse("1m-5m").unwrap(),
            PopulationBand::From1mTo5m
        );
        assert_eq!(
            field(PopulationBand::parse("big").unwrap_err()),
            "population_band"
        );
        let names = BTreeMap::from([
            ("fr".to_owned(), "Ville de Lyon".to_owned()),
            ("es".to_owned(), " ".to_owned()),
        ]);
        let (name, json) = parse_names("City of Lyon", &names).unwrap();
        assert_eq!(name_in(&name, &json, Locale::Fr), "Ville de Lyon");
        assert_eq!(name_in(&name, &json, Locale::Es), "City of Lyon");
        let bad = BTreeMap::from([("de".to_owned(), "Stadt".to_owned())]);
        assert_eq!(field(parse_names("x", &bad).unwrap_err()), "names.de");
        assert_eq!(
            field(parse_names(" ", &BTreeMap::new()).unwrap_err()),
            "name"
        );
    }
}
