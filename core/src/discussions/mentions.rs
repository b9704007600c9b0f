//! `@name` in a body: a person's display name written without its spaces
//! (`@AminaDiallo` for "Amina Diallo"), case ignored. A mention must name
//! someone who can read the space; a body naming anyone else is refused.

use sea_orm::{
    ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Alias, Expr, ExprTrait, Func, SimpleExpr},
};
use uuid::Uuid;

use super::access::access_of;
use crate::{
    Error, Result,
    accounts::Role,
    entities::{discussion_space, user},
};

/// The most mentions one post may carry.
pub const MAX_MENTIONS: usize = 10;

/// The names mentioned in `body`, in order, without repeats: `@` at the
/// start or after a character that is not part of a word (so
/// `someone@city.gov` is no mention), then letters, digits, `.`, `_`, `-`.
pub fn mention_names(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in body.char_indices() {
        let starts = c == '@' && !prev.is_some_and(|p| p.is_alphanumeric() || "._-@`".contains(p));
        prev = Some(c);
        if !starts {
            continue;
        }
        let rest = &body[i + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || "._-".contains(*c))
            .collect();
        let name = name.trim_end_matches(['.', '-', '_']).to_owned();
        if (2..=64).contains(&name.chars().count())
            && !out.iter().any(|n| n.to_lowercase() == name.to_lowercase())
        {
            out.push(name);
        }
    }
    out
}

/// The people `body` mentions who can read `space`; refused with the
/// first name that names no one who can.
pub(super) async fn resolve(
    db: &impl ConnectionTrait,
    space: &discussion_space::Model,
    body: &str,
) -> Result<Vec<Uuid>> {
    let names = mention_names(body);
    if names.len() > MAX_MENTIONS {
        return Err(Error::invalid(
            "body",
            format!("mention at most {MAX_MENTIONS} people"),
        ));
    }
    let mut out = Vec::new();
    for name in names {
        // The same lowering on both sides, in the database's own terms.
        let args: [SimpleExpr; 3] = [
            Expr::col(user::Column::DisplayName),
            Expr::val(" "),
            Expr::val(""),
        ];
        let squeezed: SimpleExpr = Func::lower(Func::cust(Alias::new("REPLACE")).args(args)).into();
        let people = user::Entity::find()
            .filter(squeezed.eq(Func::lower(Expr::val(name.clone()))))
            .all(db)
            .await?;
        let mut found = false;
        for u in people {
            let role = u.role.parse::<Role>().unwrap_or(Role::Learner);
            if access_of(db, space, u.id, role).await?.read {
                found = true;
                if !out.contains(&u.id) {
                    out.push(u.id);
                }
            }
        }
        if !found {
            return Err(Error::invalid(
                "body",
                format!("@{name} is not someone who can read this space"),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_names_after_an_at_sign() {
        assert_eq!(
            mention_names("Hi @AminaDiallo, ask @li.wei. Mail me at a@city.gov @AminaDiallo"),
            vec!["AminaDiallo", "li.wei"]
        );
        assert!(mention_names("@ alone, @x too short").is_empty());
        assert_eq!(mention_names("(@José)"), vec!["José"]);
    }
}
