//! The admins' form for network-wide community spaces:
//! `/admin/discussions/spaces/new` creates one, and
//! `/admin/discussions/spaces/:slug` edits its slug, and its title and
//! description in English, French and Spanish.

use std::collections::BTreeMap;

use agora_core::{accounts::Role, discussions::SpaceInput, domain::Locale};
use poem::{Body, Response, handler, http::StatusCode, web::Path};
use serde::Serialize;

use super::checked;
use crate::web::{Ctx, FieldErrors, Flash, FormData};

#[derive(Serialize)]
struct LocaleFields {
    code: &'static str,
    label: String,
    title: String,
    description: String,
}

#[derive(Serialize)]
struct FormPage {
    action: String,
    heading: String,
    slug: String,
    locales: Vec<LocaleFields>,
    errors: FieldErrors,
}

fn form_page(
    ctx: &Ctx,
    slug: Option<&str>,
    input: &SpaceInput,
    status: StatusCode,
    errors: FieldErrors,
) -> Response {
    let heading = ctx.t(if slug.is_some() {
        "space-form-edit"
    } else {
        "space-form-new"
    });
    let data = FormPage {
        action: match slug {
            Some(s) => format!("/admin/discussions/spaces/{s}"),
            None => "/admin/discussions/spaces".into(),
        },
        heading: heading.clone(),
        slug: input.slug.clone(),
        locales: Locale::ALL
            .iter()
            .map(|l| LocaleFields {
                code: l.as_str(),
                label: ctx.t(&format!("report-locale-{}", l.as_str())),
                title: input.titles.get(l.as_str()).cloned().unwrap_or_default(),
                description: input
                    .descriptions
                    .get(l.as_str())
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect(),
        errors,
    };
    ctx.page(status, "discussion_space_form", &heading, &data)
}

#[allow(clippy::result_large_err)]
fn admin_only(ctx: &Ctx) -> Result<(), Response> {
    let who = ctx.require_user()?;
    if who.role == Role::Admin {
        Ok(())
    } else {
        Err(ctx.error(StatusCode::FORBIDDEN))
    }
}

fn read(form: &FormData) -> SpaceInput {
    let mut titles = BTreeMap::new();
    let mut descriptions = BTreeMap::new();
    for l in Locale::ALL {
        let l = l.as_str();
        titles.insert(
            l.to_owned(),
            form.get(&format!("title_{l}"))
                .unwrap_or_default()
                .to_owned(),
        );
        descriptions.insert(
            l.to_owned(),
            form.get(&format!("description_{l}"))
                .unwrap_or_default()
                .to_owned(),
        );
    }
    SpaceInput {
        slug: form.get("slug").unwrap_or_default().to_owned(),
        titles,
        descriptions,
    }
}

/// GET `/admin/discussions/spaces/new`
#[handler]
pub async fn new_form(ctx: Ctx) -> Response {
    if let Err(r) = admin_only(&ctx) {
        return r;
    }
    form_page(
        &ctx,
        None,
        &SpaceInput::default(),
        StatusCode::OK,
        FieldErrors::default(),
    )
}

/// GET `/admin/discussions/spaces/:slug`
#[handler]
pub async fn edit_form(ctx: Ctx, Path(slug): Path<String>) -> Response {
    if let Err(r) = admin_only(&ctx) {
        return r;
    }
    match ctx
        .state
        .discussions
        .community_space_input(ctx.user.as_ref(), &slug)
        .await
    {
        Ok(input) => form_page(
            &ctx,
            Some(&slug),
            &input,
            StatusCode::OK,
            FieldErrors::default(),
        ),
        Err(e) => ctx.fail(e),
    }
}

async fn save(ctx: Ctx, slug: Option<String>, body: Body) -> Response {
    let form = FormData::read(body).await;
    if let Err(r) = checked(&ctx, &form) {
        return r;
    }
    let input = read(&form);
    match ctx
        .state
        .discussions
        .save_community_space(ctx.user.as_ref(), slug.as_deref(), &input, ctx.locale)
        .await
    {
        Ok(s) => ctx.redirect(
            &format!("/discussions/{}", s.slug),
            Some(Flash::Ok("flash-space-saved")),
        ),
        Err(
            agora_core::Error::Invalid { field, .. } | agora_core::Error::Conflict { field, .. },
        ) => {
            let field = match field.as_str() {
                "slug" => "slug",
                "descriptions" => "descriptions",
                _ => "titles",
            };
            let mut errors = FieldErrors::default();
            errors.add(field, ctx.t(&format!("space-form-error-{field}")));
            form_page(
                &ctx,
                slug.as_deref(),
                &input,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
            )
        }
        Err(e) => ctx.fail(e),
    }
}

/// POST `/admin/discussions/spaces`
#[handler]
pub async fn create(ctx: Ctx, body: Body) -> Response {
    save(ctx, None, body).await
}

/// POST `/admin/discussions/spaces/:slug`
#[handler]
pub async fn update(ctx: Ctx, Path(slug): Path<String>, body: Body) -> Response {
    save(ctx, Some(slug), body).await
}
