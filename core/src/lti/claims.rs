//! The checks of a verified `id_token`'s claims, each with its own answer,
//! and what Agora keeps of them.

use serde_json::Value;
use uuid::Uuid;

use super::{Rejection, jwks::LEEWAY, platforms::split_ids};
use crate::entities::lti_platform;

const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";
const DEEP_LINKING_SETTINGS: &str =
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
const AGS_ENDPOINT: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
pub(super) const SCORE_SCOPE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
pub(super) const ROSTER_SCOPE: &str =
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

/// The LMS context (its course) a launch came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchContext {
    pub id: String,
    pub title: Option<String>,
    /// Its roster address (NRPS 2.0), when the platform offers one.
    pub memberships_url: Option<String>,
}

/// The message a launch carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    ResourceLink {
        resource_link_id: String,
    },
    DeepLinking {
        return_url: String,
        data: Option<String>,
    },
}

/// A launch whose every check passed.
#[derive(Clone, Debug)]
pub struct Verified {
    pub platform_id: Uuid,
    pub deployment_id: String,
    pub subject: String,
    pub message: Message,
    pub target_link_uri: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub locale: Option<String>,
    pub instructor: bool,
    /// The line item scores go to, when the platform grants the score scope.
    pub lineitem: Option<String>,
    /// The context claim, with the roster service when there is one.
    pub context: Option<LaunchContext>,
}

/// Whether a service address the platform sent may be called: https, or
/// plain http to this machine only (a platform on the same host, as in
/// development and the tests).
pub(super) fn service_url_ok(u: &str) -> bool {
    let Ok(url) = url::Url::parse(u) else {
        return false;
    };
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => true,
        ("http", Some(url::Host::Ipv4(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Ipv6(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Domain(d))) => d.eq_ignore_ascii_case("localhost"),
        _ => false,
    }
}

/// The context claim and, when its version is 2.0 and its address may be
/// called, the roster service claim.
fn context_of(claims: &Value) -> Option<LaunchContext> {
    let c = lti(claims, "context")?;
    let id = text(c.get("id")).filter(|id| id.chars().count() <= 255)?;
    let title =
        text(c.get("title")).map(|t| t.chars().filter(|c| !c.is_control()).take(500).collect());
    let nrps = claims.get(NRPS);
    let v2 = nrps
        .and_then(|n| n.get("service_versions"))
        .and_then(Value::as_array)
        .is_some_and(|v| v.iter().any(|v| v.as_str() == Some("2.0")));
    let memberships_url = text(nrps.and_then(|n| n.get("context_memberships_url")))
        .filter(|u| v2 && u.len() <= 1000 && service_url_ok(u));
    Some(LaunchContext {
        id,
        title,
        memberships_url,
    })
}

fn lti<'a>(claims: &'a Value, name: &str) -> Option<&'a Value> {
    claims.get(format!("{LTI}{name}"))
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Instructors (and the course's administrators) choose content and see
/// the course report; everyone else learns.
pub(super) fn is_instructor(roles: Option<&Value>) -> bool {
    roles.and_then(Value::as_array).is_some_and(|roles| {
        roles.iter().filter_map(Value::as_str).any(|r| {
            let r = r.rsplit(['#', '/']).next().unwrap_or(r);
            matches!(r, "Instructor" | "Administrator" | "ContentDeveloper")
        })
    })
}

/// Checks the claims of a token whose signature and expiry checked, for
/// `platform`, against the nonce and target this login sent.
pub(super) fn check(
    claims: &Value,
    platform: &lti_platform::Model,
    nonce: &str,
    target_link_uri: &str,
    now: i64,
) -> Result<Verified, Rejection> {
    if claims.get("iss").and_then(Value::as_str) != Some(platform.issuer.as_str()) {
        return Err(Rejection::WrongIssuer);
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !audiences.contains(&platform.client_id.as_str()) {
        return Err(Rejection::WrongAudience);
    }
    match claims.get("azp").and_then(Value::as_str) {
        Some(azp) if azp != platform.client_id => return Err(Rejection::WrongAuthorizedParty),
        None if audiences.len() > 1 => return Err(Rejection::WrongAuthorizedParty),
        _ => {}
    }
    match claims.get("iat").and_then(Value::as_i64) {
        Some(iat) if iat <= now + LEEWAY as i64 => {}
        Some(_) => return Err(Rejection::IssuedInFuture),
        None => return Err(Rejection::MalformedToken),
    }
    if claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
        return Err(Rejection::WrongNonce);
    }
    let message_type = lti(claims, "message_type").and_then(Value::as_str);
    if !matches!(
        message_type,
        Some("LtiResourceLinkRequest" | "LtiDeepLinkingRequest")
    ) {
        return Err(Rejection::WrongMessageType);
    }
    if lti(claims, "version").and_then(Value::as_str) != Some("1.3.0") {
        return Err(Rejection::WrongVersion);
    }
    let deployment_id = text(lti(claims, "deployment_id")).ok_or(Rejection::UnknownDeployment)?;
    if !split_ids(&platform.deployment_ids).contains(&deployment_id) {
        return Err(Rejection::UnknownDeployment);
    }
    let target = text(lti(claims, "target_link_uri")).ok_or(Rejection::WrongTargetLink)?;
    if target != target_link_uri {
        return Err(Rejection::WrongTargetLink);
    }
    let subject = text(claims.get("sub")).ok_or(Rejection::MissingSubject)?;
    if subject.chars().count() > 255 {
        return Err(Rejection::MissingSubject);
    }
    let message = if message_type == Some("LtiResourceLinkRequest") {
        let id = text(lti(claims, "resource_link").and_then(|l| l.get("id")))
            .filter(|id| id.chars().count() <= 255)
            .ok_or(Rejection::MissingResourceLink)?;
        Message::ResourceLink {
            resource_link_id: id,
        }
    } else {
        let settings = claims
            .get(DEEP_LINKING_SETTINGS)
            .ok_or(Rejection::MissingDeepLinkSettings)?;
        let return_url = text(settings.get("deep_link_return_url"))
            .filter(|u| url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
            .ok_or(Rejection::MissingDeepLinkSettings)?;
        Message::DeepLinking {
            return_url,
            data: text(settings.get("data")),
        }
    };
    let ags = claims.get(AGS_ENDPOINT);
    let may_score = ags
        .and_then(|a| a.get("scope"))
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|s| s.as_str() == Some(SCORE_SCOPE)));
    let lineitem = text(ags.and_then(|a| a.get("lineitem")))
        .filter(|u| may_score && url::Url::parse(u).is_ok());
    let name = text(claims.get("name")).or_else(|| {
        let given = text(claims.get("given_name")).unwrap_or_default();
        let family = text(claims.get("family_name")).unwrap_or_default();
        Some(format!("{given} {family}").trim().to_owned()).filter(|n| !n.is_empty())
    });
    Ok(Verified {
        platform_id: platform.id,
        deployment_id,
        subject,
        message,
        target_link_uri: target,
        name,
        email: text(claims.get("email")),
        locale: text(lti(claims, "launch_presentation").and_then(|p| p.get("locale"))),
        instructor: is_instructor(lti(claims, "roles")),
        lineitem,
        context: context_of(claims),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn platform() -> lti_platform::Model {
        let now = time::OffsetDateTime::now_utc();
        lti_platform::Model {
            id: Uuid::nil(),
            name: "LMS".into(),
            issuer: "https://lms.example".into(),
            client_id: "agora".into(),
            deployment_ids: "d1\nd2".into(),
            auth_endpoint: "https://lms.example/auth".into(),
            jwks_url: "https://lms.example/jwks".into(),
            token_endpoint: "https://lms.example/token".into(),
            created_at: now,
            updated_at: now,
        }
    }

    fn good() -> Value {
        json!({
            "iss": "https://lms.example", "aud": "agora", "azp": "agora", "iat": 1000,
            "nonce": "n", "sub": "u1", "name": "Ada",
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "d2",
            "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://agora/courses/c",
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "r1"},
            "https://purl.imsglobal.org/spec/lti/claim/roles": [
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
            ],
        })
    }

    fn run(c: &Value) -> Result<Verified, Rejection> {
        check(c, &platform(), "n", "https://agora/courses/c", 1000)
    }

    #[test]
    fn a_good_launch_passes_and_each_wrong_claim_has_its_answer() {
        let v = run(&good()).unwrap();
        assert_eq!(v.subject, "u1");
        assert!(!v.instructor);
        let cases: [(&str, Value, Rejection); 9] = [
            ("iss", json!("https://other"), Rejection::WrongIssuer),
            ("aud", json!("someone"), Rejection::WrongAudience),
            ("azp", json!("someone"), Rejection::WrongAuthorizedParty),
            ("iat", json!(5000), Rejection::IssuedInFuture),
            ("nonce", json!("m"), Rejection::WrongNonce),
            (
                "https://purl.imsglobal.org/spec/lti/claim/message_type",
                json!("LtiSubmissionReviewRequest"),
                Rejection::WrongMessageType,
            ),
            (
                "https://purl.imsglobal.org/spec/lti/claim/version",
                json!("1.1"),
                Rejection::WrongVersion,
            ),
            (
                "https://purl.imsglobal.org/spec/lti/claim/deployment_id",
                json!("d9"),
                Rejection::UnknownDeployment,
            ),
            (
                "https://purl.imsglobal.org/spec/lti/claim/target_link_uri",
                json!("https://agora/courses/other"),
                Rejection::WrongTargetLink,
            ),
        ];
        for (claim, value, expected) in cases {
            let mut c = good();
            c[claim] = value;
            assert_eq!(run(&c).unwrap_err(), expected, "{claim}");
        }
        let mut c = good();
        c.as_object_mut()
            .unwrap()
            .remove("https://purl.imsglobal.org/spec/lti/claim/resource_link");
        assert_eq!(run(&c).unwrap_err(), Rejection::MissingResourceLink);
    }

    #[test]
    fn the_roster_service_is_kept_with_its_context_when_it_may_be_called() {
        let mut c = good();
        c["https://purl.imsglobal.org/spec/lti/claim/context"] =
            json!({"id": "ctx-1", "title": "Civics"});
        c[NRPS] = json!({
            "context_memberships_url": "https://lms.example/nrps/ctx-1",
            "service_versions": ["2.0"],
        });
        let ctx = run(&c).unwrap().context.unwrap();
        assert_eq!(ctx.id, "ctx-1");
        assert_eq!(ctx.title.as_deref(), Some("Civics"));
        assert_eq!(
            ctx.memberships_url.as_deref(),
            Some("https://lms.example/nrps/ctx-1")
        );
        for (url, versions) in [
            ("http://lms.example/nrps", json!(["2.0"])),
            ("ftp://lms.example/nrps", json!(["2.0"])),
            ("https://lms.example/nrps", json!(["1.0"])),
        ] {
            c[NRPS] = json!({"context_memberships_url": url, "service_versions": versions});
            let ctx = run(&c).unwrap().context.unwrap();
            assert_eq!(ctx.memberships_url, None, "{url}");
        }
        assert!(service_url_ok("http://127.0.0.1:8000/nrps"));
        assert!(service_url_ok("http://[::1]/nrps"));
        assert!(!service_url_ok("http://10.0.0.1/nrps"));
        assert!(run(&good()).unwrap().context.is_none());
    }

    #[test]
    fn instructors_are_recognised_by_their_role() {
        assert!(is_instructor(Some(&json!([
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
        ]))));
        assert!(!is_instructor(Some(&json!([
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
        ]))));
    }
}
