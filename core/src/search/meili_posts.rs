//! Meilisearch's discussion index: `<index>-discussions`, next to the
//! catalogue's, with settings of its own (space and thread filterable,
//! titles before bodies, newest first among equals).

use std::time::Duration;

use meilisearch_sdk::{
    documents::DocumentDeletionQuery,
    errors::{Error as MeiliError, ErrorCode},
    search::{MatchingStrategies, SearchResults, Selectors},
    settings::{MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings},
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{PostDocument, PostQuery, PostResults, meili::MeiliIndex};
use crate::{Error, Result};

const BATCH: usize = 500;

fn settings() -> Settings {
    Settings::new()
        .with_searchable_attributes(["title", "body"])
        .with_filterable_attributes(["space_id", "thread_id"])
        .with_sortable_attributes(["created_ms"])
        .with_ranking_rules([
            "words",
            "typo",
            "proximity",
            "attribute",
            "exactness",
            "created_ms:desc",
        ])
        .with_typo_tolerance(TypoToleranceSettings {
            enabled: Some(true),
            disable_on_attributes: None,
            disable_on_words: None,
            min_word_size_for_typos: Some(MinWordSizeForTypos {
                one_typo: Some(5),
                two_typos: Some(9),
            }),
            disable_on_numbers: None,
        })
        .with_pagination(PaginationSetting {
            max_total_hits: 1_000,
        })
}

fn to_meili(d: &PostDocument) -> Value {
    json!({
        "id": d.id.to_string(),
        "thread_id": d.thread_id.to_string(),
        "space_id": d.space_id.to_string(),
        // As in the embedded engine: a thread's title is its opening post's.
        "title": if d.opening { d.title.as_str() } else { "" },
        "body": d.body,
        "created_ms": d.created_ms,
    })
}

impl MeiliIndex {
    fn posts_uid(&self) -> String {
        format!("{}-discussions", self.uid())
    }

    /// Creates the discussion index when missing and applies its settings;
    /// once per process.
    async fn prepare_posts(&self) -> Result<()> {
        self.posts_prepared()
            .get_or_try_init(|| async {
                let uid = self.posts_uid();
                self.ensure_index(&uid).await?;
                let index = self.client().index(&uid);
                let task = super::meili::bounded("apply settings", index.set_settings(&settings()))
                    .await?;
                self.wait("apply settings", task).await
            })
            .await
            .map(|_| ())
    }

    async fn add_posts(&self, docs: &[PostDocument]) -> Result<()> {
        let index = self.client().index(self.posts_uid());
        for chunk in docs.chunks(BATCH) {
            let values: Vec<Value> = chunk.iter().map(to_meili).collect();
            let task =
                super::meili::bounded("add posts", index.add_or_replace(&values, Some("id")))
                    .await?;
            self.wait("add posts", task).await?;
        }
        Ok(())
    }

    pub(super) async fn index_thread(&self, thread: Uuid, docs: Vec<PostDocument>) -> Result<()> {
        self.prepare_posts().await?;
        let index = self.client().index(self.posts_uid());
        // Every value is a UUID, so none needs escaping.
        let filter = format!("thread_id = \"{thread}\"");
        let mut query = DocumentDeletionQuery::new(&index);
        query.with_filter(&filter);
        let task =
            super::meili::bounded("delete a thread", index.delete_documents_with(&query)).await?;
        self.wait("delete a thread", task).await?;
        self.add_posts(&docs).await
    }

    pub(super) async fn replace_all_posts(&self, docs: Vec<PostDocument>) -> Result<()> {
        self.prepare_posts().await?;
        let index = self.client().index(self.posts_uid());
        let task = super::meili::bounded("clear the posts", index.delete_all_documents()).await?;
        self.wait("clear the posts", task).await?;
        self.add_posts(&docs).await
    }

    pub(super) async fn count_posts(&self) -> Result<u64> {
        let index = self.client().index(self.posts_uid());
        match tokio::time::timeout(Duration::from_secs(5), index.get_stats()).await {
            Ok(Ok(stats)) => Ok(stats.number_of_documents as u64),
            Ok(Err(MeiliError::Meilisearch(e))) if e.error_code == ErrorCode::IndexNotFound => {
                Ok(0)
            }
            Ok(Err(_)) | Err(_) => Err(Error::Unavailable { what: "search" }),
        }
    }

    pub(super) async fn search_posts(&self, q: PostQuery<'_>) -> Result<PostResults> {
        if q.spaces.is_empty() || q.limit == 0 {
            return Ok(PostResults::default());
        }
        self.prepare_posts().await?;
        let index = self.client().index(self.posts_uid());
        let spaces: Vec<String> = q.spaces.iter().map(|s| format!("\"{s}\"")).collect();
        let filter = format!("space_id IN [{}]", spaces.join(", "));
        let page = (q.offset / q.limit.max(1)) as usize + 1;
        let mut search = index.search();
        search
            .with_query(&q.query.text)
            .with_matching_strategy(MatchingStrategies::ALL)
            .with_filter(&filter)
            .with_page(page)
            .with_hits_per_page(q.limit as usize)
            .with_attributes_to_retrieve(Selectors::Some(&["id"]));
        let results: SearchResults<Map<String, Value>> =
            super::meili::bounded("search posts", search.execute()).await?;
        let hits = results
            .hits
            .iter()
            .filter_map(|h| h.result.get("id")?.as_str()?.parse().ok())
            .collect::<Vec<Uuid>>();
        Ok(PostResults {
            total: results
                .total_hits
                .or(results.estimated_total_hits)
                .unwrap_or(hits.len()) as u64,
            hits,
        })
    }
}
