//! Course media as the site serves them: published files in the storage port
//! and the `course_media` table (`published`), and where a course's
//! Markdown links point (`targets`). What a valid media file is belongs to
//! the folder format (`course_source::media`); a draft's media are
//! edited through the authoring service.

mod published;
mod targets;
mod variants;

pub(crate) use published::write_rows;
pub use published::{
    covers, fetch, find_published, load_by_slug, load_into, published_refs, store,
};
pub use targets::{CourseLinks, DraftLinks, PublishedLinks};
pub use variants::{Variant, VariantName, encode_copies, parse_variant_name, variant};

pub use crate::course_source::media::{
    MAX_ALT_CHARS, MAX_COURSE_BYTES, MAX_COVER_BYTES, MAX_FILE_BYTES, MAX_IMAGE_BYTES,
    MAX_IMAGE_SIDE, MEDIA_DIR, MediaFile, check, content_type_of_ext, image_size, normalise_name,
};

/// A course's cover, in one locale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover {
    pub url: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

/// Splits `/media/{sha256}.{ext}`'s last part; `None` for anything else.
pub fn parse_public_name(name: &str) -> Option<(&str, &'static str)> {
    let (sha, ext) = name.split_once('.')?;
    let ok = sha.len() == 64 && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    ok.then_some(())?;
    Some((sha, content_type_of_ext(ext)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_names_are_digests_with_known_extensions() {
        let sha = "a".repeat(64);
        assert_eq!(
            parse_public_name(&format!("{sha}.png")),
            Some((sha.as_str(), "image/png"))
        );
        for bad in [
            format!("{sha}.html"),
            format!("{}.png", "A".repeat(64)),
            "abc.png".to_owned(),
            format!("{sha}.png.png"),
            format!("../{sha}.png"),
        ] {
            assert_eq!(parse_public_name(&bad), None, "{bad}");
        }
    }
}
