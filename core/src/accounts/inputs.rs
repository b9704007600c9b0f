//! What a person types, parsed: addresses, passwords, display names, and
//! the roles an account can have.

use serde::{Deserialize, Serialize};

use super::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::{Error, Result};

/// A normalised email address: trimmed and lowercased, checked for shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email> {
        let s = s.trim().to_lowercase();
        let bad = || Error::invalid("email", "enter an email address such as name@city.gov");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.len() >= 3
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(bad());
        }
        Ok(Email(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that passed the length and strength rules.
pub struct Password(pub(super) String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

impl Password {
    /// `context` (email, name) makes passwords built from them count as weak.
    pub fn parse(s: &str, context: &[&str]) -> Result<Password> {
        let n = s.chars().count();
        if n < MIN_PASSWORD_CHARS {
            return Err(Error::invalid(
                "password",
                format!("use at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if n > MAX_PASSWORD_CHARS {
            return Err(Error::invalid(
                "password",
                format!("use at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        // zxcvbn knows the commonest passwords, names, keyboard walks and dates.
        let estimate = zxcvbn::zxcvbn(s, context);
        if (estimate.score() as u8) < 2 {
            return Err(Error::invalid(
                "password",
                "this password is too common or too easy to guess; a few unrelated words make a strong one",
            ));
        }
        Ok(Password(s.to_owned()))
    }
}

pub fn parse_display_name(s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(Error::invalid(
            "display_name",
            "enter a name of 1 to 100 characters",
        ));
    }
    Ok(s.to_owned())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Author,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Author => "author",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "learner" => Ok(Role::Learner),
            "author" => Ok(Role::Author),
            "admin" => Ok(Role::Admin),
            _ => Err("expected learner, author or admin".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Ana.Silva@City.GOV ").unwrap().as_str(),
            "ana.silva@city.gov"
        );
        for bad in [
            "",
            "no-at",
            "a@b",
            "a@.com",
            "a@b..com",
            "a b@c.org",
            "@city.gov",
            &format!("{}@x.org", "a".repeat(65)),
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_length_and_strength() {
        assert!(Password::parse("short", &[]).is_err());
        assert!(Password::parse("password123", &[]).is_err());
        assert!(Password::parse("qwertyuiop", &[]).is_err());
        assert!(Password::parse(&"x".repeat(129), &[]).is_err());
        assert!(Password::parse("ana.silva@city.gov", &["ana.silva@city.gov"]).is_err());
        assert!(Password::parse("harbour lantern quietly", &[]).is_ok());
        assert!(
            format!(
                "{:?}",
                Password::parse("harbour lantern quietly", &[]).unwrap()
            )
            .contains("redacted")
        );
    }
}
