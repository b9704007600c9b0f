//! The public page that checks a pasted credential or a baked badge image
//! with Agora's own verifier, and says why it stands or does not.

use agora_core::credentials::{Verdict, bake};
use poem::{Response, handler, http::StatusCode, web::Multipart};
use serde::Serialize;
use serde_json::Value;

use super::{Ctx, author::multipart};

/// The largest credential or image the page reads (the body limit bounds
/// the whole form a little above it).
pub const MAX_INPUT: usize = 1024 * 1024;

#[derive(Serialize, Default)]
struct CheckPage {
    /// What was pasted, shown again in the textarea.
    pasted: String,
    /// A problem with the input itself, in the reader's language.
    problem: Option<String>,
    /// "valid", "revoked" or "invalid", once checked.
    outcome: Option<&'static str>,
    headline: String,
    reason: Option<String>,
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
/// message key saying what is wrong with the input.
fn input(pasted: &str, file: Option<(String, Vec<u8>)>) -> Result<String, &'static str> {
    if let Some((_, bytes)) = file.filter(|(_, b)| !b.is_empty()) {
        if bytes.len() > MAX_INPUT {
            return Err("verify-credential-too-big");
        }
        let baked = if bytes.starts_with(b"\x89PNG") {
            bake::from_png(&bytes)
        } else {
            std::str::from_utf8(&bytes).ok().and_then(bake::from_svg)
        };
        return baked.ok_or("verify-credential-not-baked");
    }
    let pasted = pasted.trim();
    if pasted.is_empty() {
        return Err("verify-credential-empty");
    }
    if pasted.len() > MAX_INPUT {
        return Err("verify-credential-too-big");
    }
    Ok(pasted.to_owned())
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
        serde_json::from_str::<Value>(&text).map_err(|_| "verify-credential-not-json")
    });
    let doc = match doc {
        Ok(doc) => doc,
        Err(key) => {
            page.problem = Some(ctx.t(key));
            return render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match ctx.state.credentials.verify(&doc).await {
        Ok(Verdict::Valid) => {
            page.outcome = Some("valid");
            page.headline = ctx.t("verify-credential-valid");
        }
        Ok(Verdict::Revoked) => {
            page.outcome = Some("revoked");
            page.headline = ctx.t("verify-credential-revoked");
        }
        Ok(Verdict::Invalid { reason }) => {
            page.outcome = Some("invalid");
            page.headline = ctx.t("verify-credential-invalid");
            page.reason = Some(reason);
        }
        Err(agora_core::Error::Invalid { reason, .. }) => {
            page.outcome = Some("invalid");
            page.headline = ctx.t("verify-credential-invalid");
            page.reason = Some(reason);
        }
        Err(e) => return ctx.fail(e),
    }
    render(&ctx, StatusCode::OK, &page)
}
