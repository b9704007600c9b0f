//! A practice's files: PDF attachments, and images each with its text
//! alternative. A file is judged by its content, never its name (the media
//! rules of courses, `media::check`: a page renamed `.pdf` is refused), and
//! kept in the storage port under its content address.

use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde::{Deserialize, Serialize};

use super::{PracticeRecord, Practices, not_found, now};
use crate::{
    Error, Result,
    accounts::Principal,
    entities::practice,
    media::{self, MAX_ALT_CHARS, MEDIA_DIR},
};

/// The most files one practice carries.
pub const MAX_FILES: usize = 12;

/// One file of a practice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeFile {
    pub sha256: String,
    /// `pdf`, `png`, `jpg` or `webp`.
    pub ext: String,
    /// The name it was uploaded under, for the download.
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// Images: what the image shows (required).
    #[serde(default)]
    pub alt: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl PracticeFile {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
    /// `sha256.ext`, its name in the practice's address.
    pub fn public_name(&self) -> String {
        format!("{}.{}", self.sha256, self.ext)
    }
    fn storage_key(&self) -> String {
        format!("{MEDIA_DIR}/{}", self.public_name())
    }
}

pub(super) fn files_of(p: &practice::Model) -> Vec<PracticeFile> {
    serde_json::from_value(p.files.clone()).unwrap_or_default()
}

/// The part of a file name worth keeping for a download: letters, digits,
/// dots, hyphens and underscores, at most 100 characters.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let kept: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(100)
        .collect();
    if kept.trim_matches(['-', '.']).is_empty() {
        "file".into()
    } else {
        kept
    }
}

impl Practices {
    /// Adds a PDF or an image (with its text alternative) to a practice its
    /// reader may edit.
    pub async fn add_file(
        &self,
        who: Option<&Principal>,
        slug: &str,
        name: &str,
        data: Vec<u8>,
        alt: &str,
    ) -> Result<PracticeRecord> {
        let (who, p) = self.editable(who, slug).await?;
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".vtt") {
            return Err(Error::invalid(
                "file",
                "attach a PDF document or an image (.png, .jpg, .webp)",
            ));
        }
        let checked = media::check(&lower, data).map_err(|e| Error::invalid("file", e))?;
        let alt = alt.trim();
        let file = PracticeFile {
            ext: match checked.content_type.as_str() {
                "application/pdf" => "pdf",
                "image/png" => "png",
                "image/jpeg" => "jpg",
                "image/webp" => "webp",
                _ => {
                    return Err(Error::invalid(
                        "file",
                        "attach a PDF document or an image (.png, .jpg, .webp)",
                    ));
                }
            }
            .to_owned(),
            sha256: checked.sha256.clone(),
            name: safe_name(name),
            size: checked.data.len() as u64,
            alt: alt.to_owned(),
            width: checked.width,
            height: checked.height,
            content_type: checked.content_type.clone(),
        };
        if file.is_image() && (alt.is_empty() || alt.chars().count() > MAX_ALT_CHARS) {
            return Err(Error::invalid(
                "alt",
                format!("say what the image shows, in 1 to {MAX_ALT_CHARS} characters"),
            ));
        }
        let mut files = files_of(&p);
        if files.iter().any(|f| f.sha256 == file.sha256) {
            return Err(Error::Conflict {
                field: "file".into(),
                reason: "this file is already attached".into(),
            });
        }
        if files.len() >= MAX_FILES {
            return Err(Error::invalid(
                "file",
                format!("a practice carries at most {MAX_FILES} files"),
            ));
        }
        self.storage
            .put(&file.storage_key(), checked.data, &file.content_type)
            .await?;
        files.push(file);
        let mut row = p.into_active_model();
        row.files = Set(serde_json::to_value(&files).unwrap_or_default());
        row.updated_at = Set(now());
        row.update(&self.db).await?;
        self.record(Some(who), slug).await
    }

    /// Removes a file from a practice its reader may edit. The stored
    /// object stays (content addresses may be shared).
    pub async fn remove_file(
        &self,
        who: Option<&Principal>,
        slug: &str,
        sha256: &str,
    ) -> Result<PracticeRecord> {
        let (who, p) = self.editable(who, slug).await?;
        let mut files = files_of(&p);
        let before = files.len();
        files.retain(|f| f.sha256 != sha256);
        if files.len() == before {
            return Err(Error::NotFound { what: "file" });
        }
        let mut row = p.into_active_model();
        row.files = Set(serde_json::to_value(&files).unwrap_or_default());
        row.updated_at = Set(now());
        row.update(&self.db).await?;
        self.record(Some(who), slug).await
    }

    /// A file of a practice the reader may read: its bytes and description.
    pub async fn file(
        &self,
        who: Option<&Principal>,
        slug: &str,
        public_name: &str,
    ) -> Result<(PracticeFile, Vec<u8>)> {
        let (p, _) = self.find(slug).await?;
        if !self.rights(who, &p).await?.read {
            return Err(not_found());
        }
        let file = files_of(&p)
            .into_iter()
            .find(|f| f.public_name() == public_name)
            .ok_or(Error::NotFound { what: "file" })?;
        let bytes = self
            .storage
            .get(&file.storage_key())
            .await?
            .ok_or(Error::NotFound { what: "file" })?;
        Ok((file, bytes))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn download_names_keep_safe_characters_only() {
        assert_eq!(super::safe_name("../../etc/Plan 2019.pdf"), "Plan-2019.pdf");
        assert_eq!(super::safe_name("\\\\x\\<script>.pdf"), "-script-.pdf");
        assert_eq!(super::safe_name("..."), "file");
    }
}
