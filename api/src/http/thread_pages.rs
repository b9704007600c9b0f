//! Discussion thread pages kept rendered, per thread stamp (a digest of
//! what every reader sees, `agora_core::discussions::KeptThread`),
//! language, time zone and reader class (may post, may mark the answer).
//!
//! A kept page is the body cut at slots: slot 0 is the reader's CSRF token,
//! slot `1 + n` is post `n` (replies too, in page order). Each post is kept
//! in three variants: as another reader sees it, as another reader who
//! marked it "helpful" sees it, and as its author sees it (with their edit
//! and delete forms). A request picks a variant per post and splices.

use std::{sync::Arc, time::Duration};

use agora_core::domain::Locale;
use uuid::Uuid;

use super::parts::{Part, parts_bytes, weight};

/// Bytes the kept thread pages may hold.
const THREADS_BYTES: u64 = 48 << 20;

/// Which variant of a post a reader sees.
pub const OTHER: usize = 0;
pub const OTHER_HELPFUL: usize = 1;
pub const AUTHOR: usize = 2;

/// One post of a kept page.
pub struct KeptPostParts {
    pub id: Uuid,
    pub author: Option<Uuid>,
    /// By `OTHER`, `OTHER_HELPFUL`, `AUTHOR`.
    pub variants: [Vec<Part>; 3],
}

/// A thread page's body as rendered for one class of readers.
pub struct KeptThreadPage {
    pub title: String,
    /// For a reader who does not follow the thread, and one who does.
    pub bodies: [Vec<Part>; 2],
    pub posts: Vec<KeptPostParts>,
    /// Every reply waits for approval: whether "no replies" shows depends
    /// on the reader, so such a page is not served from here.
    pub all_replies_held: bool,
}

impl KeptThreadPage {
    fn bytes(&self) -> usize {
        self.title.len()
            + self.bodies.iter().map(|b| parts_bytes(b)).sum::<usize>()
            + self
                .posts
                .iter()
                .map(|p| 64 + p.variants.iter().map(|v| parts_bytes(v)).sum::<usize>())
                .sum::<usize>()
    }

    /// The body for a reader: their token in slot 0, and each post as
    /// they see it (`variant` of the post's id and author).
    pub fn splice<'a>(
        &'a self,
        following: bool,
        token: &'a str,
        variant: &dyn Fn(Uuid, Option<Uuid>) -> usize,
    ) -> Vec<&'a str> {
        let body = &self.bodies[usize::from(following)];
        let mut out = Vec::with_capacity(body.len() + self.posts.len() * 48);
        self.push(&mut out, body, token, variant);
        out
    }

    fn push<'a>(
        &'a self,
        out: &mut Vec<&'a str>,
        parts: &'a [Part],
        token: &'a str,
        variant: &dyn Fn(Uuid, Option<Uuid>) -> usize,
    ) {
        for p in parts {
            match p {
                Part::Text(t) => out.push(t),
                Part::Slot(0) => out.push(token),
                Part::Slot(n) => {
                    if let Some(post) = self.posts.get(n - 1) {
                        let v = variant(post.id, post.author).min(AUTHOR);
                        self.push(out, &post.variants[v], token, variant);
                    }
                }
            }
        }
    }
}

/// Thread id, stamp, language, time zone, reader class.
type Key = (Uuid, u64, Locale, &'static str, u8);

#[derive(Clone)]
pub struct ThreadPages {
    kept: moka::future::Cache<Key, Arc<KeptThreadPage>>,
}

impl Default for ThreadPages {
    fn default() -> Self {
        Self {
            kept: moka::future::Cache::builder()
                .max_capacity(THREADS_BYTES)
                .weigher(|_: &Key, v: &Arc<KeptThreadPage>| weight(v.bytes() + 64))
                // A page of an older stamp is never asked for again.
                .time_to_idle(Duration::from_secs(120))
                .build(),
        }
    }
}

impl ThreadPages {
    /// The page kept under `key`, rendered by `render` once (other requests
    /// for it wait) when missing; `None` if it does not render.
    pub async fn get_or_render(
        &self,
        key: Key,
        render: impl Future<Output = Option<KeptThreadPage>>,
    ) -> Option<Arc<KeptThreadPage>> {
        self.kept
            .optionally_get_with(key, async { render.await.map(Arc::new) })
            .await
    }
}
