//! Domain values parsed at the boundary: once built, they are known to be valid.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// A locale Agora serves content and interface in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    Fr,
    Es,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Fr, Locale::Es];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
            Locale::Es => "es",
        }
    }

    /// Reads a language tag such as `fr`, `fr-CA` or `es_419`.
    /// `Ok(None)` is a well-formed tag for a language Agora does not have;
    /// `Err` is text that is not a language tag at all.
    pub fn from_tag(tag: &str) -> Result<Option<Locale>, String> {
        let tag = tag.trim();
        let mut parts = tag.split(['-', '_']);
        let primary = parts.next().unwrap_or_default();
        let well_formed = (2..=3).contains(&primary.len())
            && primary.chars().all(|c| c.is_ascii_alphabetic())
            && parts.all(|p| {
                (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric())
            })
            && tag.len() <= 35;
        if !well_formed {
            return Err(format!(
                "`{}` is not a language tag such as en, fr or es",
                truncate(tag, 40)
            ));
        }
        Ok(match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Locale::En),
            "fr" => Some(Locale::Fr),
            "es" => Some(Locale::Es),
            _ => None,
        })
    }

    /// The locales of an `Accept-Language` header, best first. Malformed
    /// entries are skipped: a browser's header is never the learner's fault.
    pub fn from_accept_language(header: &str) -> Vec<Locale> {
        let mut ranked: Vec<(f32, usize, Locale)> = header
            .split(',')
            .take(20)
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map(|q| q.trim().parse::<f32>().unwrap_or(0.0))
                    .unwrap_or(1.0);
                let locale = Locale::from_tag(tag).ok()??;
                (q > 0.0).then_some((q, i, locale))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out = Vec::new();
        for (_, _, l) in ranked {
            if !out.contains(&l) {
                out.push(l);
            }
        }
        out
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Locale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Locale::En),
            "fr" => Ok(Locale::Fr),
            "es" => Ok(Locale::Es),
            other => Err(format!(
                "unknown locale `{}`: expected en, fr or es",
                truncate(other, 40)
            )),
        }
    }
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// An IANA time zone name (`Europe/Paris`, `America/Bogota`), checked
/// against the time zone database; an empty name means none.
pub fn parse_time_zone(s: &str) -> crate::Result<Option<String>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<chrono_tz::Tz>()
        .map(|tz| Some(tz.name().to_owned()))
        .map_err(|_| {
            crate::Error::invalid(
                "time_zone",
                format!(
                    "`{}` is not a time zone: give an IANA name such as Europe/Paris",
                    truncate(s, 64)
                ),
            )
        })
}

/// A URL name or a stable id: lowercase a-z, 0-9 and single hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Result<Slug, String> {
        let ok = (1..=80).contains(&s.len())
            && s.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if ok {
            Ok(Slug(s.to_owned()))
        } else {
            Err(format!(
                "`{}` is not a valid id: use 1–80 lowercase letters, digits and single hyphens",
                truncate(s, 80)
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Slug::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} `{}`: expected one of {}",
                        stringify!($name).to_lowercase(),
                        truncate(other, 40),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// How much a learner is expected to know before starting.
    Level { Beginner = "beginner", Intermediate = "intermediate", Advanced = "advanced" }
);
string_enum!(
    /// Whether learners can see a course.
    CourseStatus { Draft = "draft", Published = "published", Archived = "archived" }
);
string_enum!(
    /// What a lesson is.
    LessonKind { Text = "text", Video = "video", Resource = "resource", Quiz = "quiz" }
);
string_enum!(
    /// How a quiz question is answered.
    QuestionKind { Single = "single", Multiple = "multiple", TrueFalse = "true_false" }
);

/// A course theme: a Sustainable Development Goal, a Sendai Framework
/// priority for action, or a free tag. Written `sdg:11`, `sendai:2`, `tag:climate`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Theme {
    Sdg(u8),
    Sendai(u8),
    Tag(Slug),
}

impl FromStr for Theme {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "`{}` is not a theme: use sdg:1 to sdg:17, sendai:1 to sendai:4, or tag:<name>",
                truncate(s, 60)
            )
        };
        let (kind, value) = s.split_once(':').ok_or_else(bad)?;
        match kind {
            "sdg" => match value.parse::<u8>() {
                Ok(n @ 1..=17) => Ok(Theme::Sdg(n)),
                _ => Err(bad()),
            },
            "sendai" => match value.parse::<u8>() {
                Ok(n @ 1..=4) => Ok(Theme::Sendai(n)),
                _ => Err(bad()),
            },
            "tag" => Slug::parse(value).map(Theme::Tag).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Theme::Sdg(n) => write!(f, "sdg:{n}"),
            Theme::Sendai(n) => write!(f, "sendai:{n}"),
            Theme::Tag(t) => write!(f, "tag:{t}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_tags() {
        assert_eq!(Locale::from_tag("fr-CA"), Ok(Some(Locale::Fr)));
        assert_eq!(Locale::from_tag("es_419"), Ok(Some(Locale::Es)));
        assert_eq!(Locale::from_tag("de"), Ok(None));
        assert!(Locale::from_tag("<script>").is_err());
        assert!(Locale::from_tag("").is_err());
        assert!(Locale::from_tag(&"x".repeat(500)).is_err());
    }

    #[test]
    fn accept_language_is_ranked_by_quality() {
        assert_eq!(
            Locale::from_accept_language("de-DE,de;q=0.9,es;q=0.5,fr;q=0.8,en;q=0.1"),
            vec![Locale::Fr, Locale::Es, Locale::En]
        );
        assert_eq!(Locale::from_accept_language("garbage;;;,*"), vec![]);
        assert_eq!(Locale::from_accept_language("fr;q=0"), vec![]);
    }

    #[test]
    fn slugs() {
        assert!(Slug::parse("localizing-the-sdgs").is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "é"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
        assert!(Slug::parse(&"a".repeat(81)).is_err());
    }

    #[test]
    fn themes_round_trip() {
        for t in ["sdg:11", "sendai:4", "tag:climate-action"] {
            assert_eq!(t.parse::<Theme>().unwrap().to_string(), t);
        }
        for bad in ["sdg:0", "sdg:18", "sendai:5", "tag:", "foo:1", "sdg"] {
            assert!(bad.parse::<Theme>().is_err(), "{bad}");
        }
    }
}
