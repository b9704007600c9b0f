//! A draft's media, for the authoring pages and API. Every change is a save
//! of the draft (revision-checked, audited, read back by the importer).

use std::collections::BTreeMap;

use super::{Authoring, DraftInfo};
use crate::{
    Error, Result,
    accounts::Principal,
    course_source::media::{MAX_ALT_CHARS, check, normalise_name, valid_name},
    domain::Locale,
};

/// One file of a draft's `media/` folder.
#[derive(Clone, Debug)]
pub struct DraftMediaItem {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub is_cover: bool,
}

impl DraftMediaItem {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
    /// What an author pastes into a lesson.
    pub fn snippet(&self) -> String {
        if self.is_image() {
            format!("![](media:{})", self.name)
        } else {
            format!("[{}](media:{})", self.name, self.name)
        }
    }
}

#[derive(Clone, Debug)]
pub struct DraftMedia {
    pub revision: i64,
    pub items: Vec<DraftMediaItem>,
    pub cover: Option<String>,
    /// The cover's alt text in each locale of the draft.
    pub cover_alt: BTreeMap<Locale, String>,
}

fn yaml_str(data: &[u8], key: &str) -> Option<String> {
    let v: serde_yaml_ng::Value = serde_yaml_ng::from_slice(data).ok()?;
    v.get(key)?.as_str().map(str::to_owned)
}

impl Authoring {
    /// The media of a draft, with the cover and its alt texts.
    pub async fn draft_media(&self, who: &Principal, slug: &str) -> Result<DraftMedia> {
        let d = self.draft(who, slug).await?;
        let course_yaml = self.file(who, slug, "course.yaml").await?;
        let cover = yaml_str(&course_yaml, "cover");
        let mut cover_alt = BTreeMap::new();
        let mut items = Vec::new();
        for f in &d.files {
            if let Some(name) = f.path.strip_prefix("media/") {
                let data = self.file(who, slug, &f.path).await?;
                let (content_type, width, height) = match check(name, data) {
                    Ok(m) => (m.content_type, m.width, m.height),
                    Err(_) => ("application/octet-stream".to_owned(), None, None),
                };
                items.push(DraftMediaItem {
                    name: name.to_owned(),
                    content_type,
                    size: f.size,
                    width,
                    height,
                    is_cover: cover.as_deref() == Some(name),
                });
            } else if let Some(locale) = f
                .path
                .strip_suffix("/meta.yaml")
                .and_then(|l| l.parse::<Locale>().ok())
            {
                let meta = self.file(who, slug, &f.path).await?;
                cover_alt.insert(locale, yaml_str(&meta, "cover_alt").unwrap_or_default());
            }
        }
        Ok(DraftMedia {
            revision: d.revision,
            items,
            cover,
            cover_alt,
        })
    }

    /// Adds (or replaces) a media file of the draft under a safe name; returns
    /// that name. A file of the wrong type or size is refused as `file`.
    pub async fn upload_media(
        &self,
        who: &Principal,
        slug: &str,
        revision: i64,
        file_name: &str,
        data: Vec<u8>,
    ) -> Result<(String, DraftInfo)> {
        let name = normalise_name(file_name)?;
        // Judge the bytes here too, so the error names the upload, not the draft.
        let data = check(&name, data)
            .map_err(|e| Error::invalid("file", format!("{name}: {e}")))?
            .data;
        let d = self
            .save(
                who,
                slug,
                revision,
                vec![(format!("media/{name}"), Some(data))],
            )
            .await?;
        Ok((name, d))
    }

    /// Removes a media file; refused (by the reader) while a text or the cover uses it.
    pub async fn delete_media(
        &self,
        who: &Principal,
        slug: &str,
        revision: i64,
        name: &str,
    ) -> Result<DraftInfo> {
        if !valid_name(name) {
            return Err(Error::NotFound { what: "media file" });
        }
        self.save(who, slug, revision, vec![(format!("media/{name}"), None)])
            .await
    }

    /// A draft media file and its content type, for the editor's preview.
    pub async fn draft_media_file(
        &self,
        who: &Principal,
        slug: &str,
        name: &str,
    ) -> Result<(String, Vec<u8>)> {
        if !valid_name(name) {
            return Err(Error::NotFound { what: "media file" });
        }
        let data = self.file(who, slug, &format!("media/{name}")).await?;
        let m = check(name, data).map_err(|_| Error::NotFound { what: "media file" })?;
        Ok((m.content_type.clone(), m.data))
    }

    /// Sets the cover (a media image) with its alt text per locale, or clears
    /// it with `None`. One revision-checked save of `course.yaml` and every
    /// locale's `meta.yaml`.
    pub async fn set_cover(
        &self,
        who: &Principal,
        slug: &str,
        revision: i64,
        cover: Option<&str>,
        alts: &BTreeMap<Locale, String>,
    ) -> Result<DraftInfo> {
        let d = self.draft(who, slug).await?;
        if let Some(c) = cover
            && !d.files.iter().any(|f| f.path == format!("media/{c}"))
        {
            return Err(Error::invalid(
                "cover",
                format!("`{c}` is not a file of media/"),
            ));
        }
        let mut changes = Vec::new();
        let course_yaml =
            String::from_utf8_lossy(&self.file(who, slug, "course.yaml").await?).into_owned();
        changes.push((
            "course.yaml".to_owned(),
            Some(set_yaml_key(&course_yaml, "cover", cover).into_bytes()),
        ));
        for f in &d.files {
            let Some(locale) = f
                .path
                .strip_suffix("/meta.yaml")
                .and_then(|l| l.parse::<Locale>().ok())
            else {
                continue;
            };
            let alt = alts
                .get(&locale)
                .map(|s| s.trim())
                .filter(|s| !s.is_empty() && cover.is_some());
            if let Some(alt) = alt
                && alt.chars().count() > MAX_ALT_CHARS
            {
                return Err(Error::invalid(
                    format!("alt_{locale}"),
                    format!("at most {MAX_ALT_CHARS} characters"),
                ));
            }
            let meta = String::from_utf8_lossy(&self.file(who, slug, &f.path).await?).into_owned();
            changes.push((
                f.path.clone(),
                Some(set_yaml_key(&meta, "cover_alt", alt).into_bytes()),
            ));
        }
        self.save(who, slug, revision, changes).await
    }
}

/// Removes the top-level `key:` of a YAML text (with its indented
/// continuation lines) and, with a value, appends `key: value`. Works on the
/// text so the author's comments and layout stay; the save reads it back.
fn set_yaml_key(text: &str, key: &str, value: Option<&str>) -> String {
    let prefix = format!("{key}:");
    let mut out = String::with_capacity(text.len() + 64);
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with(&prefix) {
            skipping = true;
            continue;
        }
        if skipping && (line.starts_with(' ') || line.starts_with('\t')) {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
    }
    if let Some(v) = value {
        let quoted = serde_json::to_string(v).expect("strings serialise");
        out.push_str(&format!("{key}: {quoted}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keys_are_replaced_in_place() {
        let text = "slug: x\ncover: old.png\n# a comment\nmodules:\n  - id: a\n";
        let set = set_yaml_key(text, "cover", Some("new.png"));
        assert_eq!(
            set,
            "slug: x\n# a comment\nmodules:\n  - id: a\ncover: \"new.png\"\n"
        );
        assert_eq!(
            set_yaml_key(&set, "cover", None),
            "slug: x\n# a comment\nmodules:\n  - id: a\n"
        );
        let meta = "title: T\ncover_alt: |\n  two\n  lines\nsummary: S\n";
        assert_eq!(
            set_yaml_key(meta, "cover_alt", Some("Un \"quai\"")),
            "title: T\nsummary: S\ncover_alt: \"Un \\\"quai\\\"\"\n"
        );
    }
}
