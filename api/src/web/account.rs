//! Account settings: name, language, reminder emails, data export and
//! deletion; and the language switcher of every page.

use agora_core::{accounts, domain::Locale};
use poem::{
    Body, IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::Json,
};
use serde::Serialize;

use super::{CSRF_COOKIE, Ctx, FieldErrors, Flash, FormData, safe_next};
use crate::http::{
    cookies::{LANG_COOKIE, SESSION_COOKIE},
    i18n::t_args,
    locale::locale_name,
};

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Serialize)]
struct SettingsPage {
    email: String,
    verified: bool,
    display_name: String,
    locales: Vec<Choice>,
    reminders: bool,
    /// The chosen zone, or none ("as my browser or language suggests").
    zones: Vec<super::zones::ZoneGroup>,
    zone_unset: bool,
    zone_guess: &'static str,
    member_since: String,
    errors: FieldErrors,
}

fn settings_page(
    ctx: &Ctx,
    status: StatusCode,
    u: &agora_core::accounts::Account,
    errors: FieldErrors,
    name: Option<String>,
) -> Response {
    let locale: Locale = u.locale.parse().unwrap_or(Locale::En);
    let page = SettingsPage {
        email: u.email.clone(),
        verified: u.email_verified_at.is_some(),
        display_name: name.unwrap_or_else(|| u.display_name.clone()),
        locales: Locale::ALL
            .iter()
            .map(|l| Choice {
                value: l.as_str(),
                label: locale_name(*l),
                selected: *l == locale,
            })
            .collect(),
        reminders: !u.reminders_opt_out,
        zones: super::zones::zone_groups(ctx, u.time_zone.as_deref().unwrap_or_default()),
        zone_unset: u.time_zone.is_none(),
        zone_guess: agora_core::time_zones::zone(ctx.zone_hint).name(),
        member_since: t_args(
            ctx.locale,
            "account-member-since",
            &[(
                "date",
                agora_core::certificates::pdf::format_date(ctx.locale, u.created_at.date()).into(),
            )],
        ),
        errors,
    };
    ctx.page(status, "account", &ctx.t("account-title"), &page)
}

/// GET `/account`
#[handler]
pub async fn settings(ctx: Ctx) -> Response {
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    match accounts::get_user(&ctx.state.db, user.user_id).await {
        Ok(u) => settings_page(&ctx, StatusCode::OK, &u, FieldErrors::default(), None),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/account`: name, language and reminder emails.
#[handler]
pub async fn save(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let mut errors = FieldErrors::default();
    let locale = form.get("locale").and_then(|l| l.parse::<Locale>().ok());
    if locale.is_none() {
        errors.add("locale", ctx.t("form-error-locale"));
    }
    let name = form.get("display_name").unwrap_or_default().to_owned();
    if accounts::parse_display_name(&name).is_err() {
        errors.add("display_name", ctx.t("form-error-name"));
    }
    if agora_core::domain::parse_time_zone(&chosen_zone(&form)).is_err() {
        errors.add("time_zone", ctx.t("form-error-time-zone"));
    }
    if !errors.is_empty() {
        return match accounts::get_user(&ctx.state.db, user.user_id).await {
            Ok(u) => settings_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &u,
                errors,
                Some(name),
            ),
            Err(e) => ctx.fail(e),
        };
    }
    let change = accounts::ProfileChange {
        display_name: Some(name),
        locale,
        reminders_opt_out: Some(form.get("reminders") != Some("on")),
        time_zone: Some(chosen_zone(&form)),
    };
    match accounts::update_profile(&ctx.state.db, &ctx.state.cache, user.user_id, change).await {
        Ok(_) => ctx.redirect("/account", Some(Flash::Ok("flash-settings-saved"))),
        Err(e) => ctx.fail(e),
    }
}

/// The zone chosen in the select; "automatic" takes the browser's zone,
/// which a script puts in `browser_time_zone`, when it is a real one.
fn chosen_zone(form: &FormData) -> String {
    match form.get("time_zone").map(str::trim) {
        Some(z) if !z.is_empty() => z.to_owned(),
        _ => form
            .get("browser_time_zone")
            .and_then(|z| agora_core::domain::parse_time_zone(z).ok().flatten())
            .unwrap_or_default(),
    }
}

/// GET `/account/export`: everything held about the reader, as JSON.
#[handler]
pub async fn export(ctx: Ctx) -> Response {
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    match accounts::export_data(&ctx.state.db, user.user_id).await {
        Ok(data) => Json(data)
            .with_header(
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"agora-my-data.json\"",
            )
            .with_header(header::CACHE_CONTROL, "private, no-store")
            .into_response(),
        Err(e) => ctx.fail(e),
    }
}

/// POST `/account/deletion`: with the password, the account goes.
#[handler]
pub async fn delete(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let password = form.get("password").unwrap_or_default();
    match accounts::delete_account(&ctx.state.db, &ctx.state.cache, user.user_id, password).await {
        Ok(()) => {
            let mut resp = ctx.redirect("/", Some(Flash::Ok("flash-account-deleted")));
            for c in [
                ctx.cookie(SESSION_COOKIE, "", 0),
                ctx.cookie(CSRF_COOKIE, "", 0),
            ] {
                if let Ok(v) = c.parse() {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            resp
        }
        Err(agora_core::Error::Unauthorized { .. } | agora_core::Error::Invalid { .. }) => {
            let mut errors = FieldErrors::default();
            errors.add("password", ctx.t("form-error-wrong-password"));
            match accounts::get_user(&ctx.state.db, user.user_id).await {
                Ok(u) => settings_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &u, errors, None),
                Err(e) => ctx.fail(e),
            }
        }
        Err(e) => ctx.fail(e),
    }
}

/// POST `/language`: the switcher on every page. A signed-in reader's
/// preference changes; anyone's choice is remembered in a cookie.
#[handler]
pub async fn language(ctx: Ctx, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = ctx.check_csrf(&form) {
        return r;
    }
    let next = safe_next(form.get("next"));
    let Some(locale) = form.get("lang").and_then(|l| l.parse::<Locale>().ok()) else {
        return ctx.redirect(&next, None);
    };
    if let Some(u) = &ctx.user {
        let change = accounts::ProfileChange {
            display_name: None,
            locale: Some(locale),
            reminders_opt_out: None,
            time_zone: None,
        };
        if let Err(e) =
            accounts::update_profile(&ctx.state.db, &ctx.state.cache, u.user_id, change).await
        {
            return ctx.fail(e);
        }
    }
    let mut resp = ctx.redirect(&next, None);
    if let Ok(v) = ctx
        .cookie(LANG_COOKIE, locale.as_str(), 365 * 24 * 3600)
        .parse()
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
