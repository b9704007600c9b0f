//! A post's image on the pages: `/discussions/posts/:post/images/:name`,
//! served to whoever may read the post (signed in, inside the space; not
//! once the post is deleted, nor while hidden except to its moderators).

use poem::{
    Response, handler,
    http::{StatusCode, header},
    web::Path,
};
use uuid::Uuid;

use crate::web::Ctx;

/// GET `/discussions/posts/:post/images/:name` (`sha256.ext`). Its address
/// names its content, so a browser keeps it; never sniffed, never a page.
#[handler]
pub async fn serve(ctx: Ctx, Path((post, name)): Path<(String, String)>) -> Response {
    if let Err(r) = ctx.require_user() {
        return r;
    }
    let Ok(post) = post.parse::<Uuid>() else {
        return ctx.error(StatusCode::NOT_FOUND);
    };
    match ctx
        .state
        .discussions
        .post_image(ctx.user.as_ref(), post, &name)
        .await
    {
        Ok((image, bytes)) => Response::builder()
            .header(header::CONTENT_TYPE, image.content_type.as_str())
            .header(header::CONTENT_DISPOSITION, "inline")
            // Private: whoever may read it changes (a hidden post, a
            // member leaving), so no shared cache keeps it.
            .header(
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable",
            )
            .header("x-content-type-options", "nosniff")
            .header("content-security-policy", "default-src 'none'; sandbox")
            .body(bytes),
        Err(e) => ctx.fail(e),
    }
}
