//! Partner accounts: their names and the exact origins allowed to read
//! their collections from a browser.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{Partner, Partners, now, parse_name, parse_slug};
use crate::{Error, Result, entities::partner};

/// An exact web origin, `scheme://host[:port]`, as browsers send it in `Origin`.
pub fn parse_origin(s: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "`{}` is not an origin such as https://www.example.org (scheme, host and port only)",
            s.chars().take(100).collect::<String>()
        )
    };
    if s.len() > 200 {
        return Err(bad());
    }
    let url = url::Url::parse(s).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    let origin = url.origin().ascii_serialization();
    // Exactly the origin: no path, query, credentials or trailing slash.
    if origin != s {
        return Err(bad());
    }
    Ok(origin)
}

const MAX_ORIGINS: usize = 20;

fn parse_origins(origins: &[String]) -> Result<Vec<String>> {
    if origins.len() > MAX_ORIGINS {
        return Err(Error::invalid(
            "allowed_origins",
            format!("at most {MAX_ORIGINS} origins"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for o in origins {
        let o = parse_origin(o.trim()).map_err(|e| Error::invalid("allowed_origins", e))?;
        if !out.contains(&o) {
            out.push(o);
        }
    }
    Ok(out)
}

pub struct NewPartner<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub allowed_origins: &'a [String],
}

impl Partners {
    pub async fn create(&self, p: NewPartner<'_>) -> Result<Partner> {
        let slug = parse_slug("slug", p.slug)?;
        let name = parse_name("name", p.name, 200)?;
        let origins = parse_origins(p.allowed_origins)?;
        if partner::Entity::find()
            .filter(partner::Column::Slug.eq(slug.as_str()))
            .one(&self.db)
            .await?
            .is_some()
        {
            return Err(Error::Conflict {
                field: "slug".into(),
                reason: "a partner with this slug exists".into(),
            });
        }
        let at = now();
        let model = partner::ActiveModel {
            id: Set(Uuid::new_v4()),
            slug: Set(slug.to_string()),
            name: Set(name),
            allowed_origins: Set(serde_json::json!(origins)),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&self.db)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict {
                field: "slug".into(),
                reason: "a partner with this slug exists".into(),
            },
            _ => e.into(),
        })?;
        self.by_slug.invalidate(slug.as_str()).await;
        Ok(model.into())
    }

    /// Renames a partner and replaces its allowed origins.
    pub async fn update(&self, slug: &str, name: &str, origins: &[String]) -> Result<Partner> {
        let current = self.get(slug).await?;
        let name = parse_name("name", name, 200)?;
        let origins = parse_origins(origins)?;
        let model = partner::ActiveModel {
            id: Set(current.id),
            name: Set(name),
            allowed_origins: Set(serde_json::json!(origins)),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        self.by_slug.invalidate(slug).await;
        self.forget_listings();
        Ok(model.into())
    }

    pub async fn list(&self) -> Result<Vec<Partner>> {
        Ok(partner::Entity::find()
            .order_by_asc(partner::Column::Slug)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Partner::from)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact() {
        assert_eq!(
            parse_origin("https://www.city.example").unwrap(),
            "https://www.city.example"
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8081").unwrap(),
            "http://127.0.0.1:8081"
        );
        for bad in [
            "https://www.city.example/",
            "https://www.city.example/path",
            "https://user@www.city.example",
            "ftp://city.example",
            "javascript:alert(1)",
            "*",
            "null",
            "https://city.example?x=1",
            "HTTPS://CITY.EXAMPLE",
            "https://city.example:443",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }
}
