//! Translation parity: a translated lesson keeps the shape of the default
//! locale's (its headings, list items and paragraphs), so that a dropped
//! bullet or section shows up in `agora courses lint`.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// How many paragraphs a translation may gain or lose without a report: one
/// in twenty, so none below twenty (a translator may split or merge one).
/// Headings and list items must match exactly: a lost bullet is lost content.
fn paragraph_tolerance(count: usize) -> usize {
    count / 20
}

/// One part of a lesson: what comes before the first heading, then one per heading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Section {
    heading: String,
    items: usize,
    paragraphs: usize,
}

fn sections(markdown: &str) -> Vec<Section> {
    let mut sections = vec![Section::default()];
    let mut in_heading = false;
    let mut item_depth = 0usize;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        let current = sections.last_mut().expect("never empty");
        match event {
            Event::Start(Tag::Heading { .. }) => {
                sections.push(Section::default());
                in_heading = true;
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) | Event::Code(t) if in_heading => current.heading.push_str(&t),
            Event::Start(Tag::Item) => {
                current.items += 1;
                item_depth += 1;
            }
            Event::End(TagEnd::Item) => item_depth = item_depth.saturating_sub(1),
            // A paragraph inside a list item belongs to the item.
            Event::Start(Tag::Paragraph) if item_depth == 0 => current.paragraphs += 1,
            _ => {}
        }
    }
    sections
}

/// Where `translation` differs in shape from `original` beyond the
/// tolerance, in words; empty when they match. `locale` names the original's
/// locale in the messages.
pub(super) fn differences(original: &str, translation: &str, locale: &str) -> Vec<String> {
    let a = sections(original);
    let b = sections(translation);
    if a.len() != b.len() {
        return vec![format!(
            "translation parity: {} headings where {locale} has {}",
            b.len() - 1,
            a.len() - 1
        )];
    }
    let mut out = Vec::new();
    type Count = fn(&Section) -> usize;
    type Tolerance = fn(usize) -> usize;
    let measures: [(&str, Count, Tolerance); 2] = [
        ("list items", |s| s.items, |_| 0),
        ("paragraphs", |s| s.paragraphs, paragraph_tolerance),
    ];
    for (what, count, tolerance) in measures {
        let total_a: usize = a.iter().map(count).sum();
        let total_b: usize = b.iter().map(count).sum();
        if total_a.abs_diff(total_b) <= tolerance(total_a) {
            continue;
        }
        let places: Vec<String> = a
            .iter()
            .zip(&b)
            .enumerate()
            .filter(|(_, (x, y))| count(x) != count(y))
            .map(|(i, (x, y))| {
                let name = if i == 0 {
                    "before the first heading".to_owned()
                } else {
                    format!("under \u{201c}{}\u{201d}", y.heading.trim())
                };
                format!("{} against {} {name}", count(y), count(x))
            })
            .collect();
        out.push(format!(
            "translation parity: {total_b} {what} where {locale} has {total_a} ({})",
            places.join("; ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str =
        "Intro.\n\n## What to do\n\n- one\n- two\n- three\n\nAfter.\n\n## Next\n\nEnd.\n";

    #[test]
    fn a_faithful_translation_has_no_difference() {
        let fr =
            "Intro.\n\n## Que faire\n\n- un\n- deux\n- trois\n\nAprès.\n\n## Ensuite\n\nFin.\n";
        assert!(differences(EN, fr, "en").is_empty());
    }

    #[test]
    fn a_dropped_bullet_is_reported_with_its_section() {
        let fr = "Intro.\n\n## Que faire\n\n- un\n- trois\n\nAprès.\n\n## Ensuite\n\nFin.\n";
        let d = differences(EN, fr, "en");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].contains("2 list items where en has 3"), "{}", d[0]);
        assert!(
            d[0].contains("2 against 3 under \u{201c}Que faire\u{201d}"),
            "{}",
            d[0]
        );
    }

    #[test]
    fn a_missing_heading_or_paragraph_is_reported() {
        let fr = "Intro.\n\n## Que faire\n\n- un\n- deux\n- trois\n\nAprès.\n\nFin.\n";
        assert_eq!(
            differences(EN, fr, "en"),
            vec!["translation parity: 1 headings where en has 2".to_owned()]
        );
        let fr = "Intro.\n\n## Que faire\n\n- un\n- deux\n- trois\n\n## Ensuite\n\nFin.\n";
        let d = differences(EN, fr, "en");
        assert!(d[0].contains("2 paragraphs where en has 3"), "{d:?}");
    }

    #[test]
    fn long_lessons_allow_one_difference_in_twenty() {
        let en: String = (0..40).map(|i| format!("Paragraph {i}.\n\n")).collect();
        let fr: String = (0..38).map(|i| format!("Paragraphe {i}.\n\n")).collect();
        assert!(differences(&en, &fr, "en").is_empty());
        let fr: String = (0..37).map(|i| format!("Paragraphe {i}.\n\n")).collect();
        assert_eq!(differences(&en, &fr, "en").len(), 1);
    }

    #[test]
    fn list_items_must_match_even_in_long_lessons() {
        let en: String = (0..40).map(|i| format!("- item {i}\n")).collect();
        let fr: String = (0..39).map(|i| format!("- point {i}\n")).collect();
        let d = differences(&en, &fr, "en");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].contains("39 list items where en has 40"), "{}", d[0]);
    }

    #[test]
    fn paragraphs_inside_list_items_count_as_items() {
        let tight = "- a\n- b\n";
        let loose = "- a\n\n- b\n";
        assert!(differences(tight, loose, "en").is_empty());
    }

    /// The drift the review found in the Sendai course, before it was fixed:
    /// the French and Spanish early-warning lessons lost the bullet on
    /// community-based monitoring.
    #[test]
    fn the_sendai_early_warning_drift_is_caught() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../courses/localizing-sendai-framework");
        let en = std::fs::read_to_string(dir.join("en/early-warning-and-preparedness.md")).unwrap();
        let fr = std::fs::read_to_string(dir.join("fr/early-warning-and-preparedness.md")).unwrap();
        assert!(
            differences(&en, &fr, "en").is_empty(),
            "the shipped lesson is fixed"
        );
        let bullet = fr
            .lines()
            .find(|l| l.starts_with("- Soutenir, là où c’est utile, la surveillance communautaire"))
            .expect("the restored bullet");
        let drifted = fr.replace(&format!("{bullet}\n"), "");
        let d = differences(&en, &drifted, "en");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].contains("list items where en has"), "{}", d[0]);
        assert!(
            d[0].contains("Ce que peuvent faire les collectivités"),
            "{}",
            d[0]
        );
    }
}
