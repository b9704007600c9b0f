//! Published images at the size a page shows them: smaller copies for
//! `srcset`, and a WebP copy for browsers that accept it when it is the
//! smaller file. A copy is made on its first request and kept in the storage
//! port beside the original (`media/variants/…`); like the original it is
//! addressed by content and never changes. Only the widths of
//! [`links::variant_widths`] exist, so a caller cannot make the server
//! resize an image to any size it likes.

use std::io::Cursor;

use image::{
    DynamicImage, ImageFormat, ImageReader, Limits,
    codecs::{jpeg::JpegEncoder, png::PngEncoder, webp::WebPEncoder},
    imageops::FilterType,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    Error, Result,
    course_source::media::{MAX_IMAGE_SIDE, MEDIA_DIR},
    entities::course_media,
    links,
    storage::Storage,
};

/// A variant's public name, `{sha256}-w{width}.{ext}`, split.
#[derive(Debug, PartialEq, Eq)]
pub struct VariantName<'a> {
    pub sha256: &'a str,
    pub width: u32,
    pub ext: &'a str,
}

/// Splits a variant's public name; `None` for anything else.
pub fn parse_variant_name(name: &str) -> Option<VariantName<'_>> {
    let (stem, ext) = name.split_once('.')?;
    let (sha256, width) = stem.split_once("-w")?;
    let hex = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let digits = !width.is_empty() && width.len() <= 5 && width.bytes().all(|b| b.is_ascii_digit());
    (hex && digits && !width.starts_with('0') && matches!(ext, "png" | "jpg" | "webp")).then_some(
        VariantName {
            sha256,
            width: width.parse().ok()?,
            ext,
        },
    )
}

/// One copy, ready to send.
#[derive(Debug)]
pub struct Variant {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// Whether the copy depends on the `Accept` header (a PNG or JPEG
    /// original, of which a WebP copy may exist).
    pub negotiated: bool,
}

/// The copy `name` of a published image, made and stored on first use.
/// `webp` says whether the browser accepts WebP. `None` when the image is
/// not published or the width is not one offered for it.
pub async fn variant(
    db: &DatabaseConnection,
    storage: &Storage,
    name: &VariantName<'_>,
    webp: bool,
) -> Result<Option<Variant>> {
    let row: Option<(String, Option<i32>)> = course_media::Entity::find()
        .select_only()
        .column(course_media::Column::ContentType)
        .column(course_media::Column::Width)
        .filter(course_media::Column::Sha256.eq(name.sha256))
        .into_tuple()
        .one(db)
        .await?;
    let Some((content_type, Some(original_width))) = row else {
        return Ok(None);
    };
    let format = match (content_type.as_str(), name.ext) {
        ("image/png", "png") => ImageFormat::Png,
        ("image/jpeg", "jpg") => ImageFormat::Jpeg,
        ("image/webp", "webp") => ImageFormat::WebP,
        _ => return Ok(None),
    };
    let original_width = original_width.max(0) as u32;
    if !links::variant_widths(original_width).contains(&name.width) {
        return Ok(None);
    }
    let negotiated = format != ImageFormat::WebP;
    let same_key = format!(
        "{MEDIA_DIR}/variants/{}-w{}.{}",
        name.sha256, name.width, name.ext
    );
    // An empty object under the WebP key records that WebP was not smaller.
    let webp_key = format!("{same_key}.webp");
    if webp && negotiated {
        match storage.get(&webp_key).await? {
            Some(b) if !b.is_empty() => return Ok(Some(found(b, ImageFormat::WebP, negotiated))),
            Some(_) => {}
            None => {
                let full = name.width == original_width;
                return make(storage, name, format, full, &same_key, Some(&webp_key)).await;
            }
        }
    }
    if name.width == original_width {
        // At its own width, in its own format, the copy is the original.
        let original = storage.get(&original_key(name)).await?;
        return Ok(original.map(|b| found(b, format, negotiated)));
    }
    if let Some(b) = storage.get(&same_key).await? {
        return Ok(Some(found(b, format, negotiated)));
    }
    make(storage, name, format, false, &same_key, None).await
}

fn original_key(name: &VariantName<'_>) -> String {
    format!("{MEDIA_DIR}/{}.{}", name.sha256, name.ext)
}

fn found(bytes: Vec<u8>, format: ImageFormat, negotiated: bool) -> Variant {
    Variant {
        bytes,
        content_type: format.to_mime_type(),
        negotiated,
    }
}

/// Makes the copy at the requested width (and its WebP twin when asked),
/// stores them, and answers the one the browser should get. At the
/// original's own width (`full`) the same-format copy is the original and
/// is not stored again.
async fn make(
    storage: &Storage,
    name: &VariantName<'_>,
    format: ImageFormat,
    full: bool,
    same_key: &str,
    webp_key: Option<&str>,
) -> Result<Option<Variant>> {
    let Some(original) = storage.get(&original_key(name)).await? else {
        return Ok(None);
    };
    let width = name.width;
    let with_webp = webp_key.is_some();
    let (same, webp) =
        tokio::task::spawn_blocking(move || encode_copies(&original, format, width, with_webp))
            .await
            .map_err(|e| Error::Internal(format!("image resizing stopped: {e}")))??;
    if !full {
        storage
            .put(same_key, same.clone(), format.to_mime_type())
            .await?;
    }
    let negotiated = format != ImageFormat::WebP;
    if let (Some(key), Some(webp)) = (webp_key, webp) {
        let smaller = webp.len() < same.len();
        let stored = if smaller { webp.clone() } else { Vec::new() };
        storage.put(key, stored, "image/webp").await?;
        if smaller {
            return Ok(Some(found(webp, ImageFormat::WebP, negotiated)));
        }
    }
    Ok(Some(found(same, format, negotiated)))
}

/// The original resized to `width` (unchanged when it is that wide already)
/// in its own format, and in lossless WebP when `with_webp`.
pub fn encode_copies(
    original: &[u8],
    format: ImageFormat,
    width: u32,
    with_webp: bool,
) -> Result<(Vec<u8>, Option<Vec<u8>>)> {
    let bad = |e: image::ImageError| Error::Internal(format!("published image unreadable: {e}"));
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    let mut reader = ImageReader::with_format(Cursor::new(original), format);
    reader.limits(limits);
    let image = reader.decode().map_err(bad)?;
    let resized = image.width() > width;
    let image = if resized {
        image.resize(width, u32::MAX, FilterType::Lanczos3)
    } else {
        image
    };
    let same = if resized {
        encode(&image, format).map_err(bad)?
    } else {
        original.to_vec()
    };
    let webp = if with_webp {
        Some(encode(&image, ImageFormat::WebP).map_err(bad)?)
    } else {
        None
    };
    Ok((same, webp))
}

fn encode(image: &DynamicImage, format: ImageFormat) -> image::ImageResult<Vec<u8>> {
    let mut out = Vec::new();
    let alpha = image.color().has_alpha();
    match format {
        ImageFormat::Jpeg => {
            DynamicImage::ImageRgb8(image.to_rgb8())
                .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 82))?;
        }
        ImageFormat::WebP if alpha => {
            DynamicImage::ImageRgba8(image.to_rgba8())
                .write_with_encoder(WebPEncoder::new_lossless(&mut out))?;
        }
        ImageFormat::WebP => {
            DynamicImage::ImageRgb8(image.to_rgb8())
                .write_with_encoder(WebPEncoder::new_lossless(&mut out))?;
        }
        _ => image.write_with_encoder(PngEncoder::new(&mut out))?,
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_are_digests_with_a_width() {
        let sha = "b".repeat(64);
        assert_eq!(
            parse_variant_name(&format!("{sha}-w480.png")),
            Some(VariantName {
                sha256: &sha,
                width: 480,
                ext: "png"
            })
        );
        for bad in [
            format!("{sha}.png"),
            format!("{sha}-w.png"),
            format!("{sha}-w0480.png"),
            format!("{sha}-w480.pdf"),
            format!("{sha}-w480.png.png"),
            format!("{sha}-w999999.png"),
            format!("{}-w480.png", "B".repeat(64)),
            format!("../{sha}-w480.png"),
        ] {
            assert_eq!(parse_variant_name(&bad), None, "{bad}");
        }
    }

    /// A 1,200 × 600 PNG with a gradient (a diagram-like image).
    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_with_encoder(PngEncoder::new(&mut out))
            .unwrap();
        out
    }

    #[test]
    fn copies_keep_the_aspect_ratio_and_webp_decodes() {
        let original = png(1200, 600);
        let (same, webp) = encode_copies(&original, ImageFormat::Png, 480, true).unwrap();
        let small = image::load_from_memory_with_format(&same, ImageFormat::Png).unwrap();
        assert_eq!((small.width(), small.height()), (480, 240));
        let webp = webp.unwrap();
        let w = image::load_from_memory_with_format(&webp, ImageFormat::WebP).unwrap();
        assert_eq!((w.width(), w.height()), (480, 240));
        // At its own width the original is sent as it is.
        let (same, none) = encode_copies(&original, ImageFormat::Png, 1200, false).unwrap();
        assert_eq!(same, original);
        assert!(none.is_none());
    }

    #[test]
    fn a_broken_original_is_an_error_not_a_panic() {
        let err = encode_copies(b"\x89PNG\r\n\x1a\nbroken", ImageFormat::Png, 480, true);
        assert!(err.is_err());
    }
}
