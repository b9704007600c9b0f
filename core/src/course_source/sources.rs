//! The `sources` of `course.yaml`: the official documents a course cites.

use super::model::Source;

const MAX_TITLE_CHARS: usize = 300;
const MAX_PUBLISHER_CHARS: usize = 200;
const MAX_URL_CHARS: usize = 500;

/// What is wrong with one source, in words an author can act on; empty when it is well formed.
pub fn source_problems(s: &Source) -> Vec<String> {
    let mut problems = Vec::new();
    let title = s.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        problems.push(format!(
            "title: write the document's title (1–{MAX_TITLE_CHARS} characters)"
        ));
    }
    let publisher = s.publisher.trim();
    if publisher.is_empty() || publisher.chars().count() > MAX_PUBLISHER_CHARS {
        problems.push(format!(
            "publisher: name who published it (1–{MAX_PUBLISHER_CHARS} characters)"
        ));
    }
    if !(1900..=2100).contains(&s.year) {
        problems.push(format!(
            "year: {} is not a year of publication (1900–2100)",
            s.year
        ));
    }
    let url_ok = s.url.chars().count() <= MAX_URL_CHARS
        && url::Url::parse(&s.url)
            .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some());
    if !url_ok {
        problems.push(format!(
            "url: `{}` is not a web address (https://…, at most {MAX_URL_CHARS} characters)",
            s.url
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Source {
        Source {
            title: "Sendai Framework for Disaster Risk Reduction 2015-2030".into(),
            publisher: "United Nations Office for Disaster Risk Reduction".into(),
            year: 2015,
            url: "https://www.undrr.org/publication/sendai-framework-disaster-risk-reduction-2015-2030".into(),
        }
    }

    #[test]
    fn a_complete_source_is_well_formed() {
        assert!(source_problems(&source()).is_empty());
    }

    #[test]
    fn each_field_is_checked_and_named() {
        let bad = Source {
            title: " ".into(),
            publisher: String::new(),
            year: 15,
            url: "www.undrr.org".into(),
        };
        let problems = source_problems(&bad);
        assert_eq!(problems.len(), 4, "{problems:?}");
        for (p, field) in problems
            .iter()
            .zip(["title:", "publisher:", "year:", "url:"])
        {
            assert!(p.starts_with(field), "{p}");
        }
        let ftp = Source {
            url: "ftp://example.org/file".into(),
            ..source()
        };
        assert_eq!(source_problems(&ftp).len(), 1);
    }
}
