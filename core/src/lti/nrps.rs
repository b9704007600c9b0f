//! Names and Role Provisioning Services 2.0: the membership container of
//! a context, fetched with an access token for the roster scope, page
//! after page (`Link: <…>; rel="next"`), within bounds: a few seconds per
//! page and for the whole, a page size and a page count. The next pages
//! must stay on the roster's origin, so the token goes nowhere else.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::{
    Lti,
    claims::{ROSTER_SCOPE, service_url_ok},
    tokens::TokenError,
};
use crate::entities::lti_platform;

const MEDIA_TYPE: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";
/// At most this many pages are followed.
pub(super) const MAX_PAGES: u32 = 50;
/// Each page may take this long.
const PAGE_TIMEOUT: Duration = Duration::from_secs(5);
/// And the whole roster, token included, this long.
pub(super) const TOTAL_TIMEOUT: Duration = Duration::from_secs(15);
/// A page larger than this is refused.
const MAX_PAGE_BYTES: usize = 4 << 20;
/// At most this many members are kept.
const MAX_MEMBERS: usize = 20_000;

/// A member's status in the LMS course.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    Inactive,
    Deleted,
}

/// Why the platform gave no roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterFailure {
    /// The platform sent no roster address for this context.
    NotOffered,
    /// It could not be reached, failed, or took too long.
    Unreachable,
    /// It answered, and refused (no token for the roster scope, a 4xx).
    Refused,
    /// Its answer was not a membership container (or was too large).
    Malformed,
}

impl RosterFailure {
    pub fn code(self) -> &'static str {
        match self {
            RosterFailure::NotOffered => "not-offered",
            RosterFailure::Unreachable => "unreachable",
            RosterFailure::Refused => "refused",
            RosterFailure::Malformed => "malformed",
        }
    }
}

/// One member as the platform lists them.
#[derive(Clone, Debug)]
pub(super) struct Member {
    pub user_id: String,
    pub name: Option<String>,
    /// The roles' short names (`Learner`, `Instructor`, …).
    pub roles: Vec<String>,
    pub status: MemberStatus,
}

/// The members, and whether the bounds cut the list short.
pub(super) struct Fetched {
    pub members: Vec<Member>,
    pub pages: u32,
    pub truncated: bool,
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(|s| s.chars().filter(|c| !c.is_control()).collect::<String>())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// A role's short name: the part after the last `#` or `/`.
pub(super) fn short_role(role: &str) -> String {
    role.rsplit(['#', '/'])
        .next()
        .unwrap_or(role)
        .chars()
        .take(64)
        .collect()
}

/// The members of one page of a membership container.
pub(super) fn parse_members(body: &Value) -> Option<Vec<Member>> {
    let members = body.get("members")?.as_array()?;
    Some(
        members
            .iter()
            .filter_map(|m| {
                let user_id = text(m.get("user_id")).filter(|u| u.chars().count() <= 255)?;
                let name = text(m.get("name")).or_else(|| {
                    let given = text(m.get("given_name")).unwrap_or_default();
                    let family = text(m.get("family_name")).unwrap_or_default();
                    Some(format!("{given} {family}").trim().to_owned()).filter(|n| !n.is_empty())
                });
                let mut roles: Vec<String> = m
                    .get("roles")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).map(short_role).collect())
                    .unwrap_or_default();
                roles.sort();
                roles.dedup();
                let status = match m.get("status").and_then(Value::as_str) {
                    Some("Inactive") => MemberStatus::Inactive,
                    Some("Deleted") => MemberStatus::Deleted,
                    _ => MemberStatus::Active,
                };
                Some(Member {
                    user_id,
                    name: name.map(|n| n.chars().take(200).collect()),
                    roles,
                    status,
                })
            })
            .collect(),
    )
}

/// The `rel="next"` address of a `Link` header, resolved against `base`.
pub(super) fn next_link(header: &str, base: &Url) -> Option<Url> {
    let mut rest = header;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>')?;
        let target = &after[..end];
        let params_end = after[end..].find('<').map_or(after.len(), |i| end + i);
        let params = &after[end + 1..params_end];
        let is_next = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p.strip_prefix("rel=").is_some_and(|v| {
                v.trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
            })
        });
        if is_next {
            return base.join(target).ok();
        }
        rest = &after[params_end..];
    }
    None
}

impl Lti {
    /// Every member of the roster at `url` (the context's
    /// `context_memberships_url`), or why not.
    pub(super) async fn fetch_members(
        &self,
        platform: &lti_platform::Model,
        url: &str,
    ) -> Result<Fetched, RosterFailure> {
        match tokio::time::timeout(TOTAL_TIMEOUT, self.fetch_pages(platform, url)).await {
            Ok(r) => r,
            Err(_) => {
                tracing::warn!(platform = %platform.id, "LTI roster took too long");
                Err(RosterFailure::Unreachable)
            }
        }
    }

    async fn fetch_pages(
        &self,
        platform: &lti_platform::Model,
        url: &str,
    ) -> Result<Fetched, RosterFailure> {
        let first = Url::parse(url).map_err(|_| RosterFailure::NotOffered)?;
        let token = self
            .access_token(platform, ROSTER_SCOPE)
            .await
            .map_err(|e| {
                let (failure, detail) = match e {
                    TokenError::Refused(d) => (RosterFailure::Refused, d),
                    TokenError::Unreachable(d) => (RosterFailure::Unreachable, d),
                    TokenError::Own(e) => (RosterFailure::Unreachable, e.to_string()),
                };
                tracing::warn!(platform = %platform.id, error = %detail, "no LTI roster token");
                failure
            })?;
        let mut out = Fetched {
            members: vec![],
            pages: 0,
            truncated: false,
        };
        let mut seen = std::collections::HashSet::new();
        let mut next = Some(first.clone());
        while let Some(page) = next.take() {
            if out.pages >= MAX_PAGES || out.members.len() >= MAX_MEMBERS {
                out.truncated = true;
                break;
            }
            if !seen.insert(page.to_string()) {
                break;
            }
            let resp = self
                .http
                .get(page.clone())
                .bearer_auth(&*token)
                .header("accept", MEDIA_TYPE)
                .timeout(PAGE_TIMEOUT)
                .send()
                .await
                .map_err(|e| {
                    tracing::warn!(platform = %platform.id, error = %e.without_url(), "LTI roster unreachable");
                    RosterFailure::Unreachable
                })?;
            let status = resp.status();
            if status.as_u16() == 401 || status.as_u16() == 403 {
                self.forget_token(platform.id, ROSTER_SCOPE).await;
            }
            if !status.is_success() {
                tracing::warn!(platform = %platform.id, %status, "LTI roster refused");
                return Err(if status.is_client_error() {
                    RosterFailure::Refused
                } else {
                    RosterFailure::Unreachable
                });
            }
            let link = resp
                .headers()
                .get_all("link")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(|h| next_link(h, &page));
            let body = read_capped(resp).await?;
            let value: Value =
                serde_json::from_slice(&body).map_err(|_| RosterFailure::Malformed)?;
            let members = parse_members(&value).ok_or(RosterFailure::Malformed)?;
            out.pages += 1;
            out.members.extend(members);
            out.members.truncate(MAX_MEMBERS);
            if let Some(l) = link {
                if l.origin() != first.origin() || !service_url_ok(l.as_str()) {
                    tracing::warn!(platform = %platform.id, "LTI roster's next page is elsewhere");
                    return Err(RosterFailure::Malformed);
                }
                next = Some(l);
            }
        }
        Ok(out)
    }
}

/// The body, refused past `MAX_PAGE_BYTES`.
async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, RosterFailure> {
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_PAGE_BYTES as u64)
    {
        return Err(RosterFailure::Malformed);
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if body.len() + c.len() > MAX_PAGE_BYTES {
                    return Err(RosterFailure::Malformed);
                }
                body.extend_from_slice(&c);
            }
            Ok(None) => return Ok(body),
            Err(_) => return Err(RosterFailure::Unreachable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_next_page_is_found_among_other_links() {
        let base = Url::parse("https://lms.example/nrps/c1?page=1").unwrap();
        let h = r#"<https://lms.example/nrps/c1?page=1>; rel="first", </nrps/c1?page=2&a=1,2>; rel="next""#;
        assert_eq!(
            next_link(h, &base).unwrap().as_str(),
            "https://lms.example/nrps/c1?page=2&a=1,2"
        );
        assert!(next_link(r#"<https://lms.example/x>; rel="differences""#, &base).is_none());
        assert!(next_link("garbage", &base).is_none());
    }

    #[test]
    fn members_are_read_with_their_short_roles_and_status() {
        let page = json!({"id": "x", "members": [
            {"user_id": "u1", "name": "Ada", "status": "Inactive", "roles": [
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
                "http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#Learner"]},
            {"user_id": "u2", "given_name": "Grace", "family_name": "Hopper", "roles": ["Instructor"]},
            {"name": "no id"},
        ]});
        let m = parse_members(&page).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].roles, ["Learner"]);
        assert_eq!(m[0].status, MemberStatus::Inactive);
        assert_eq!(m[1].name.as_deref(), Some("Grace Hopper"));
        assert_eq!(m[1].status, MemberStatus::Active);
        assert!(parse_members(&json!({"nothing": 1})).is_none());
    }
}
