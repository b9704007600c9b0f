//! Ids of new modules, lessons, questions and options.

use std::collections::BTreeSet;

use super::fields::invalid;
use crate::{Result, domain::Slug};

/// empty: lowercase ASCII, accents folded, words joined by hyphens.
pub fn make_key(field: &str, typed: &str, title: &str) -> Result<Slug> {
    let typed = typed.trim();
    if !typed.is_empty() {
        return Slug::parse(typed).map_err(|e| invalid(field, e));
    }
    let mut key = String::new();
    for c in title.chars().flat_map(fold) {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('-') {
            key.push('-');
        }
    }
    let mut key = key.trim_end_matches('-').to_owned();
    if key.len() > 60 {
        key.truncate(60);
        key = key.trim_end_matches('-').to_owned();
    }
    Slug::parse(&key).map_err(|_| {
        invalid(
            field,
            "give an id: lowercase letters, digits and hyphens (the title has none to make one from)",
        )
    })
}

/// Latin letters with accents, as their base letters.
pub(super) fn fold(c: char) -> impl Iterator<Item = char> {
    let base: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'œ' | 'Œ' => "oe",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        _ => "",
    };
    let mut s: Vec<char> = base.chars().collect();
    if s.is_empty() {
        s.push(c);
    }
    s.into_iter()
}

/// The first `qN` not in `used`. The quiz editor puts every key the quiz has
/// or had before the edit in `used`, so a new question never takes the key
/// of another (answers and statistics refer to question keys).
pub(super) fn next_question_key(used: &BTreeSet<String>) -> String {
    (1..)
        .map(|n| format!("q{n}"))
        .find(|k| !used.contains(k))
        .expect("a free key")
}

/// The first option key not in `taken`: `a` to `z`, then `o1`, `o2`…
pub(super) fn next_option_key(taken: &BTreeSet<String>) -> String {
    ('a'..='z')
        .map(String::from)
        .chain((1..).map(|n| format!("o{n}")))
        .find(|k| !taken.contains(k))
        .expect("a free option key")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::Error;

    fn field_of(e: Error) -> String {
        match e {
            Error::Invalid { field, .. } => field,
            other => panic!("not a field error: {other:?}"),
        }
    }

    #[test]
    fn keys_fold_accents_and_join_words() {
        assert_eq!(
            make_key("k", "", "Élaborer un plan d'action")
                .unwrap()
                .as_str(),
            "elaborer-un-plan-d-action"
        );
        assert_eq!(
            make_key("k", "", "Œuvre à Ñandú").unwrap().as_str(),
            "oeuvre-a-nandu"
        );
        assert_eq!(field_of(make_key("key", "", "¡¿!").unwrap_err()), "key");
        assert_eq!(make_key("k", " typed ", "Title").unwrap().as_str(), "typed");
    }

    #[test]
    fn new_keys_follow_the_used_ones() {
        let used: BTreeSet<String> = ["q1", "q3"].map(String::from).into();
        assert_eq!(next_question_key(&used), "q2");
        let taken: BTreeSet<String> = ('a'..='z').map(String::from).collect();
        assert_eq!(next_option_key(&taken), "o1");
    }

    /// Titles of Latin letters with and without accents, digits, and the
    /// separators authors type between words.
    fn titles() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec![
                'a', 'e', 'z', 'A', 'Q', '0', '7', ' ', '-', '\'', '?', 'é', 'É', 'à', 'ç', 'ñ',
                'ö', 'Ø', 'ü', 'ÿ', 'æ', 'œ', '¿',
            ]),
            0..80,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn accents_fold_to_their_base_letters(title in titles()) {
            let unaccented: String = title.chars().flat_map(fold).collect();
            match (make_key("k", "", &title), make_key("k", "", &unaccented)) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                (a, b) => prop_assert!(false, "{:?}: {:?} but {:?}", title, a, b),
            }
        }

        #[test]
        fn made_keys_are_ids(title in titles()) {
            if let Ok(key) = make_key("k", "", &title) {
                let k = key.as_str();
                prop_assert!(!k.is_empty() && k.len() <= 60);
                prop_assert!(k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
                prop_assert!(!k.starts_with('-') && !k.ends_with('-') && !k.contains("--"));
            }
        }

        #[test]
        fn question_keys_are_never_reused(
            existing in proptest::collection::btree_set(1u32..40, 0..30),
            new in 1usize..20,
        ) {
            let mut used: BTreeSet<String> = existing.iter().map(|n| format!("q{n}")).collect();
            let before = used.clone();
            for _ in 0..new {
                let k = next_question_key(&used);
                prop_assert!(!before.contains(&k), "{} existed", k);
                prop_assert!(used.insert(k.clone()), "{} given twice", k);
                prop_assert!(Slug::parse(&k).is_ok());
            }
        }

        #[test]
        fn option_keys_are_never_reused(
            existing in proptest::collection::btree_set("[a-z]|o[1-9]", 0..40),
            new in 1usize..40,
        ) {
            let mut taken = existing.clone();
            for _ in 0..new {
                let k = next_option_key(&taken);
                prop_assert!(!existing.contains(&k), "{} existed", k);
                prop_assert!(taken.insert(k.clone()), "{} given twice", k);
                prop_assert!(Slug::parse(&k).is_ok());
            }
        }
    }
}
