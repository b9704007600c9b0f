//! The public page that checks a pasted credential or a baked badge image
//! with Agora's own verifier, and says why it stands or does not.

use agora_core::credentials::{Flaw, Verdict, bake};
use poem::{Response, handler, http::StatusCode, web::Multipart};
use serde::Serialize;
use serde_json::Value;

use super::{Ctx, FieldErrors, author::multipart};
use crate::http::i18n::t_args;

/// The largest credential or image the page reads (the body limit bounds
/// the whole form a little above it).
pub const MAX_INPUT: usize = 1024 * 1024;

#[derive(Serialize, Default)]
struct CheckPage {
    /// What was pasted, shown again in the textarea.
    pasted: String,
    /// What is wrong with the input itself, next to its field.
    errors: FieldErrors,
    /// "valid", "revoked" or "invalid", once checked.
    outcome: Option<&'static str>,
    /// Whether the credential stands (valid).
    passed: bool,
    headline: String,
    /// Why it stands or does not, in the reader's language.
    reason: Option<String>,
    /// What a credential whose signature holds says: shown only then,
    /// because only then are these words the issuer's.
    claims: Option<Claims>,
}

/// Who was awarded what, by whom and when, read from a verified credential.
#[derive(Serialize)]
struct Claims {
    holder: Option<String>,
    achievement: Option<String>,
    issuer: Option<String>,
    issued: Option<String>,
}

fn claims(ctx: &Ctx, doc: &Value) -> Claims {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let subject = &doc["credentialSubject"];
    let holder = subject["identifier"].as_array().and_then(|ids| {
        ids.iter()
            .find(|id| id["identityType"] == "name")
            .and_then(|id| text(&id["identityHash"]))
    });
    let issued = doc["validFrom"]
        .as_str()
        .and_then(|s| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
        })
        .map(|t| agora_core::certificates::pdf::format_date(ctx.locale, t.date()));
    Claims {
        holder,
        achievement: text(&subject["achievement"]["name"]),
        issuer: text(&doc["issuer"]["name"]),
        issued,
    }
}

fn render(ctx: &Ctx, status: StatusCode, page: &CheckPage) -> Response {
    ctx.page(
        status,
        "credential_check",
        &ctx.t("verify-credential-title"),
        page,
    )
}

/// GET `/credentials/verify`: the form.
#[handler]
pub async fn check_form(ctx: Ctx) -> Response {
    render(&ctx, StatusCode::OK, &CheckPage::default())
}

/// The credential's JSON text from the upload or the textarea, or the
/// field and the message key saying what is wrong with the input.
fn input(
    pasted: &str,
    file: Option<(String, Vec<u8>)>,
) -> Result<String, (&'static str, &'static str)> {
    if let Some((_, bytes)) = file.filter(|(_, b)| !b.is_empty()) {
        if bytes.len() > MAX_INPUT {
            return Err(("image", "verify-credential-too-big"));
        }
        let baked = if bytes.starts_with(b"\x89PNG") {
            bake::from_png(&bytes)
        } else {
            std::str::from_utf8(&bytes).ok().and_then(bake::from_svg)
        };
        return baked.ok_or(("image", "verify-credential-not-baked"));
    }
    let pasted = pasted.trim();
    if pasted.is_empty() {
        return Err(("credential", "verify-credential-empty"));
    }
    if pasted.len() > MAX_INPUT {
        return Err(("credential", "verify-credential-too-big"));
    }
    Ok(pasted.to_owned())
}

/// Why a credential is not to be trusted, in the reader's language; the
/// technical detail (in English) only where no sentence says it all.
fn why(ctx: &Ctx, flaw: &Flaw, reason: &str) -> String {
    match flaw {
        Flaw::Tampered => ctx.t("verify-flaw-tampered"),
        Flaw::ForeignKey => ctx.t("verify-flaw-foreign-key"),
        Flaw::Expired => ctx.t("verify-flaw-expired"),
        Flaw::NotYetValid => ctx.t("verify-flaw-not-yet-valid"),
        Flaw::UndefinedTerms(terms) => t_args(
            ctx.locale,
            "verify-flaw-undefined-terms",
            &[("terms", terms.join(", ").into())],
        ),
        Flaw::Malformed => t_args(
            ctx.locale,
            "verify-flaw-malformed",
            &[("detail", reason.to_owned().into())],
        ),
    }
}

/// POST `/credentials/verify`: anyone may check a credential.
#[handler]
pub async fn check(ctx: Ctx, form: Multipart) -> Response {
    let (fields, file) = multipart(form).await;
    if let Err(r) = ctx.check_csrf(&fields) {
        return r;
    }
    let pasted = fields.get("credential").unwrap_or_default();
    let mut page = CheckPage {
        pasted: if pasted.len() <= MAX_INPUT {
            pasted.to_owned()
        } else {
            String::new()
        },
        ..CheckPage::default()
    };
    let doc = input(pasted, file).and_then(|text| {
        serde_json::from_str::<Value>(&text)
            .map_err(|_| ("credential", "verify-credential-not-json"))
    });
    let doc = match doc {
        Ok(doc) => doc,
        Err((field, key)) => {
            page.errors.add(field, ctx.t(key));
            return render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let (outcome, headline, reason) = match ctx.state.credentials.verify(&doc).await {
        Ok(Verdict::Valid) => (
            "valid",
            "verify-credential-valid",
            Some(ctx.t("verify-why-valid")),
        ),
        Ok(Verdict::Revoked) => (
            "revoked",
            "verify-credential-revoked",
            Some(ctx.t("verify-why-revoked")),
        ),
        Ok(Verdict::Invalid { reason, flaw }) => (
            "invalid",
            "verify-credential-invalid",
            Some(why(&ctx, &flaw, &reason)),
        ),
        // A document the JSON-LD processor cannot read.
        Err(agora_core::Error::Invalid { reason, .. }) => (
            "invalid",
            "verify-credential-invalid",
            Some(why(&ctx, &Flaw::Malformed, &reason)),
        ),
        Err(e) => return ctx.fail(e),
    };
    if outcome != "invalid" {
        page.claims = Some(claims(&ctx, &doc));
    }
    page.outcome = Some(outcome);
    page.passed = outcome == "valid";
    page.headline = ctx.t(headline);
    page.reason = reason;
    render(&ctx, StatusCode::OK, &page)
}
