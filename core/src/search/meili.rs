//! The Meilisearch engine, through meilisearch-sdk. The index settings live
//! here, in code, and are applied before the index is first used.

use std::{collections::HashMap, sync::Arc, time::Duration};

use meilisearch_sdk::{
    client::Client,
    errors::{Error as MeiliError, ErrorCode},
    search::{MatchingStrategies, SearchResults, Selectors},
    settings::{
        FacetingSettings, LocalizedAttributes, MinWordSizeForTypos, PaginationSetting, Settings,
        TypoToleranceSettings,
    },
    task_info::TaskInfo,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{
    BoxFuture, CourseDocument, EngineQuery, EngineResults, Facet, FacetCounts, Filters,
    FoundCourse, LocaleText, PostDocument, PostQuery, PostResults, SearchPort, query::SYNONYMS,
};
use crate::{Error, Result, config::Secret, domain::Locale};

/// Longest wait for one call to Meilisearch; a hung server is a down server.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for an indexing task to finish.
const TASK_TIMEOUT: Duration = Duration::from_secs(120);
/// Words of a body excerpt Meilisearch returns around the best match.
const CROP_WORDS: usize = 48;
const BATCH: usize = 200;
/// Seconds an answer may be reused, since the index changes without telling us.
const CACHE_SECS: u64 = 5;

const FACET_ATTRIBUTES: [(Facet, &str); 5] = [
    (Facet::Sdg, "sdgs"),
    (Facet::Sendai, "sendai"),
    (Facet::Language, "languages"),
    (Facet::Level, "level"),
    (Facet::Duration, "duration_band"),
];

struct Inner {
    client: Client,
    uid: String,
    prepared: tokio::sync::OnceCell<()>,
    /// The discussion index (`<uid>-discussions`, see `meili_posts`).
    posts_prepared: tokio::sync::OnceCell<()>,
}

/// The Meilisearch engine. Cloning is cheap.
#[derive(Clone)]
pub(super) struct MeiliIndex(Arc<Inner>);

/// Every failure to talk to Meilisearch is the backend being unavailable;
/// the cause is logged here and never shown to users.
fn unavailable(action: &str) -> impl Fn(MeiliError) -> Error + '_ {
    move |e| {
        tracing::warn!(action, error = %e, "Meilisearch failed");
        Error::Unavailable { what: "search" }
    }
}

pub(super) async fn bounded<T>(
    action: &str,
    call: impl std::future::Future<Output = Result<T, MeiliError>>,
) -> Result<T> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(r) => r.map_err(unavailable(action)),
        Err(_) => {
            tracing::warn!(action, "Meilisearch did not answer in time");
            Err(Error::Unavailable { what: "search" })
        }
    }
}

/// The settings of Agora's index: what is searched (in weight order), what
/// filters and sorts, the ranking (ties go to popular courses, then by
/// slug), typo rules, synonyms from `synonyms.yaml`, and each locale's
/// language.
fn settings() -> Settings {
    let mut searchable = Vec::new();
    for field in ["title", "summary", "about"] {
        for l in Locale::ALL {
            searchable.push(format!("{field}_{l}"));
        }
    }
    searchable.push("tags".into());
    for l in Locale::ALL {
        searchable.push(format!("body_{l}"));
    }
    let mut synonyms: HashMap<String, Vec<String>> = HashMap::new();
    for group in &SYNONYMS.written {
        let group: Vec<String> = group.iter().map(|p| p.to_lowercase()).collect();
        for phrase in &group {
            let others = group.iter().filter(|p| *p != phrase).cloned();
            synonyms.entry(phrase.clone()).or_default().extend(others);
        }
    }
    Settings::new()
        .with_searchable_attributes(searchable)
        .with_filterable_attributes(FACET_ATTRIBUTES.map(|(_, a)| a))
        .with_sortable_attributes(["enrolment_count"])
        .with_ranking_rules([
            "words",
            "typo",
            "proximity",
            "attribute",
            "exactness",
            "enrolment_count:desc",
            // A fixed order among equals, as in the embedded engine.
            "slug:asc",
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
        .with_synonyms(synonyms)
        .with_pagination(PaginationSetting {
            max_total_hits: 10_000,
        })
        .with_faceting(FacetingSettings {
            max_values_per_facet: 100,
            sort_facet_values_by: None,
        })
        .with_localized_attributes([
            localized("eng", "*_en"),
            localized("fra", "*_fr"),
            localized("spa", "*_es"),
        ])
}

fn localized(locale: &str, pattern: &str) -> LocalizedAttributes {
    LocalizedAttributes {
        locales: vec![locale.into()],
        attribute_patterns: vec![pattern.into()],
    }
}

/// A course as Meilisearch stores it: flat, one field per text and locale.
fn to_meili(doc: &CourseDocument) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), doc.id.to_string().into());
    m.insert("slug".into(), doc.slug.clone().into());
    m.insert("default_locale".into(), doc.default_locale.as_str().into());
    m.insert(
        "languages".into(),
        doc.languages.iter().map(|l| l.as_str()).collect(),
    );
    m.insert("level".into(), doc.level.as_str().into());
    m.insert("duration_minutes".into(), doc.duration_minutes.into());
    m.insert("duration_band".into(), doc.duration_band.as_str().into());
    m.insert("sdgs".into(), doc.sdgs.clone().into());
    m.insert("sendai".into(), doc.sendai.clone().into());
    m.insert("tags".into(), doc.tags.clone().into());
    m.insert("enrolment_count".into(), doc.enrolment_count.into());
    for (l, t) in &doc.texts {
        m.insert(format!("title_{l}"), t.title.clone().into());
        m.insert(format!("summary_{l}"), t.summary.clone().into());
        m.insert(format!("about_{l}"), t.about.clone().into());
        m.insert(format!("body_{l}"), t.body.clone().into());
    }
    Value::Object(m)
}

fn from_meili(
    hit: &Map<String, Value>,
    formatted: Option<&Map<String, Value>>,
) -> Result<CourseDocument> {
    let bad =
        |what: &str| Error::Internal(format!("Meilisearch returned a document without {what}"));
    let string = |k: &str| hit.get(k).and_then(Value::as_str).ok_or_else(|| bad(k));
    let numbers = |k: &str| -> Vec<u8> {
        hit.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_u64())
                    .map(|n| n as u8)
                    .collect()
            })
            .unwrap_or_default()
    };
    let parse = |k: &str| -> Result<String> { string(k).map(str::to_owned) };
    let languages: Vec<Locale> = hit
        .get("languages")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
        .unwrap_or_default();
    let mut texts = std::collections::BTreeMap::new();
    for l in &languages {
        let text = |k: &str| {
            hit.get(&format!("{k}_{l}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let body = formatted
            .and_then(|f| f.get(&format!("body_{l}")))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_default();
        texts.insert(
            *l,
            LocaleText {
                title: text("title"),
                summary: text("summary"),
                about: text("about"),
                body,
            },
        );
    }
    Ok(CourseDocument {
        id: parse("id")?.parse().map_err(|_| bad("a valid id"))?,
        slug: parse("slug")?,
        default_locale: string("default_locale")?
            .parse()
            .map_err(|_| bad("a locale"))?,
        level: string("level")?.parse().map_err(|_| bad("a level"))?,
        duration_minutes: hit
            .get("duration_minutes")
            .and_then(Value::as_u64)
            .unwrap_or(0) as u32,
        duration_band: string("duration_band")?
            .parse()
            .map_err(|_| bad("a duration band"))?,
        sdgs: numbers("sdgs"),
        sendai: numbers("sendai"),
        tags: hit
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        enrolment_count: hit
            .get("enrolment_count")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        languages,
        texts,
    })
}

/// `sdgs IN [11, 13] AND level IN ["beginner"]`: values of one facet are
/// alternatives, facets must all match. Every value was parsed, so none
/// needs escaping.
fn filter_expression(f: &Filters) -> String {
    let quoted = |v: Vec<&str>| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>();
    let parts: [(&str, Vec<String>); 5] = [
        ("sdgs", f.sdg.iter().map(u8::to_string).collect()),
        ("sendai", f.sendai.iter().map(u8::to_string).collect()),
        (
            "languages",
            quoted(f.language.iter().map(|l| l.as_str()).collect()),
        ),
        (
            "level",
            quoted(f.level.iter().map(|l| l.as_str()).collect()),
        ),
        (
            "duration_band",
            quoted(f.duration.iter().map(|d| d.as_str()).collect()),
        ),
    ];
    parts
        .iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(attr, values)| format!("{attr} IN [{}]", values.join(", ")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

impl MeiliIndex {
    pub(super) fn new(url: &url::Url, key: Option<&Secret>, uid: &str) -> Result<MeiliIndex> {
        let host = url.as_str().trim_end_matches('/');
        let client = Client::new(host, key.map(|k| k.expose().to_owned())).map_err(|_| {
            Error::Internal("the Meilisearch client cannot be built (is the key valid?)".into())
        })?;
        Ok(MeiliIndex(Arc::new(Inner {
            client,
            uid: uid.to_owned(),
            prepared: tokio::sync::OnceCell::new(),
            posts_prepared: tokio::sync::OnceCell::new(),
        })))
    }

    pub(super) fn client(&self) -> &Client {
        &self.0.client
    }

    pub(super) fn uid(&self) -> &str {
        &self.0.uid
    }

    pub(super) fn posts_prepared(&self) -> &tokio::sync::OnceCell<()> {
        &self.0.posts_prepared
    }

    /// Creates the index `uid` unless it exists.
    pub(super) async fn ensure_index(&self, uid: &str) -> Result<()> {
        let created = bounded(
            "create the index",
            self.0.client.create_index(uid, Some("id")),
        )
        .await?;
        match created
            .wait_for_completion(
                &self.0.client,
                Some(Duration::from_millis(25)),
                Some(TASK_TIMEOUT),
            )
            .await
        {
            Ok(t) if t.is_failure() => {
                let e = t.unwrap_failure();
                if e.error_code != ErrorCode::IndexAlreadyExists {
                    tracing::warn!(code = ?e.error_code, error = %e.error_message, "cannot create a Meilisearch index");
                    return Err(Error::Unavailable { what: "search" });
                }
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => Err(unavailable("create the index")(e)),
        }
    }

    pub(super) async fn wait(&self, action: &str, task: TaskInfo) -> Result<()> {
        let task = task
            .wait_for_completion(
                &self.0.client,
                Some(Duration::from_millis(25)),
                Some(TASK_TIMEOUT),
            )
            .await
            .map_err(unavailable(action))?;
        if task.is_failure() {
            let e = task.unwrap_failure();
            tracing::warn!(action, code = ?e.error_code, error = %e.error_message, "a Meilisearch task failed");
            return Err(Error::Unavailable { what: "search" });
        }
        Ok(())
    }

    /// Creates the index when missing and applies the settings; once per
    /// process, retried on the next use when Meilisearch was down.
    async fn prepare(&self) -> Result<()> {
        self.0
            .prepared
            .get_or_try_init(|| async {
                self.ensure_index(&self.0.uid).await?;
                let index = self.0.client.index(&self.0.uid);
                let task = bounded("apply settings", index.set_settings(&settings())).await?;
                self.wait("apply settings", task).await
            })
            .await
            .map(|_| ())
    }

    async fn upsert(&self, docs: Vec<CourseDocument>) -> Result<()> {
        self.prepare().await?;
        let index = self.0.client.index(&self.0.uid);
        for chunk in docs.chunks(BATCH) {
            let values: Vec<Value> = chunk.iter().map(to_meili).collect();
            let task = bounded("add documents", index.add_or_replace(&values, Some("id"))).await?;
            self.wait("add documents", task).await?;
        }
        Ok(())
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<()> {
        self.prepare().await?;
        let index = self.0.client.index(&self.0.uid);
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let task = bounded("delete documents", index.delete_documents(&ids)).await?;
        self.wait("delete documents", task).await
    }

    async fn replace_all(
        &self,
        docs: Vec<CourseDocument>,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<()> {
        self.prepare().await?;
        let index = self.0.client.index(&self.0.uid);
        let task = bounded("clear the index", index.delete_all_documents()).await?;
        self.wait("clear the index", task).await?;
        let mut done = 0;
        for chunk in docs.chunks(BATCH) {
            let values: Vec<Value> = chunk.iter().map(to_meili).collect();
            let task = bounded("add documents", index.add_or_replace(&values, Some("id"))).await?;
            self.wait("add documents", task).await?;
            done += chunk.len() as u64;
            progress(done);
        }
        Ok(())
    }

    async fn count(&self) -> Result<u64> {
        let index = self.0.client.index(&self.0.uid);
        match tokio::time::timeout(CALL_TIMEOUT, index.get_stats()).await {
            Ok(Ok(stats)) => Ok(stats.number_of_documents as u64),
            Ok(Err(MeiliError::Meilisearch(e))) if e.error_code == ErrorCode::IndexNotFound => {
                Ok(0)
            }
            Ok(Err(e)) => Err(unavailable("count documents")(e)),
            Err(_) => Err(Error::Unavailable { what: "search" }),
        }
    }

    async fn search(&self, q: EngineQuery<'_>) -> Result<EngineResults> {
        self.prepare().await?;
        let index = self.0.client.index(&self.0.uid);
        let filter = filter_expression(q.filters);
        let facets: Vec<&str> = FACET_ATTRIBUTES.iter().map(|(_, a)| *a).collect();
        let mut retrieve = vec![
            "id",
            "slug",
            "default_locale",
            "languages",
            "level",
            "duration_minutes",
            "duration_band",
            "sdgs",
            "sendai",
            "tags",
            "enrolment_count",
        ];
        let text_fields: Vec<String> = ["title", "summary", "about"]
            .iter()
            .flat_map(|f| Locale::ALL.map(|l| format!("{f}_{l}")))
            .collect();
        retrieve.extend(text_fields.iter().map(String::as_str));
        let bodies: Vec<String> = Locale::ALL.map(|l| format!("body_{l}")).to_vec();
        let crop: Vec<(&str, Option<usize>)> = bodies
            .iter()
            .map(|b| (b.as_str(), Some(CROP_WORDS)))
            .collect();
        let page = (q.offset / q.limit.max(1)) as usize + 1;

        let mut search = index.search();
        search
            .with_matching_strategy(MatchingStrategies::ALL)
            .with_page(page)
            .with_hits_per_page(q.limit as usize)
            .with_facets(Selectors::Some(&facets))
            .with_attributes_to_retrieve(Selectors::Some(&retrieve))
            .with_attributes_to_crop(Selectors::Some(&crop));
        if let Some(text) = q.query {
            search.with_query(&text.text);
        }
        if !filter.is_empty() {
            search.with_filter(&filter);
        }
        let results: SearchResults<Map<String, Value>> =
            bounded("search", search.execute()).await?;

        let hits = results
            .hits
            .iter()
            .map(|h| {
                from_meili(&h.result, h.formatted_result.as_ref())
                    .map(|doc| Arc::new(FoundCourse::new(doc)))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut facets = FacetCounts::new();
        for (facet, attr) in FACET_ATTRIBUTES {
            if let Some(values) = results
                .facet_distribution
                .as_ref()
                .and_then(|d| d.get(attr))
            {
                facets.insert(
                    facet,
                    values.iter().map(|(v, n)| (v.clone(), *n as u64)).collect(),
                );
            }
        }
        Ok(EngineResults {
            total: results
                .total_hits
                .or(results.estimated_total_hits)
                .unwrap_or(hits.len()) as u64,
            hits,
            facets,
        })
    }
}

impl SearchPort for MeiliIndex {
    fn name(&self) -> &'static str {
        "Meilisearch"
    }

    fn prepare(&self) -> BoxFuture<'_, ()> {
        Box::pin(MeiliIndex::prepare(self))
    }

    fn upsert(&self, docs: Vec<CourseDocument>) -> BoxFuture<'_, ()> {
        Box::pin(MeiliIndex::upsert(self, docs))
    }

    fn delete(&self, ids: Vec<Uuid>) -> BoxFuture<'_, ()> {
        Box::pin(MeiliIndex::delete(self, ids))
    }

    fn replace_all<'a>(
        &'a self,
        docs: Vec<CourseDocument>,
        progress: &'a mut (dyn FnMut(u64) + Send),
    ) -> BoxFuture<'a, ()> {
        Box::pin(MeiliIndex::replace_all(self, docs, progress))
    }

    fn count(&self) -> BoxFuture<'_, u64> {
        Box::pin(MeiliIndex::count(self))
    }

    fn search<'a>(&'a self, q: EngineQuery<'a>) -> BoxFuture<'a, EngineResults> {
        Box::pin(MeiliIndex::search(self, q))
    }

    /// Meilisearch changes without telling us (another process indexes):
    /// answers are reused for a short window at most.
    fn epoch(&self) -> u64 {
        (crate::jobs::now_ms() / 1000).max(0) as u64 / CACHE_SECS
    }

    fn index_thread(&self, thread: Uuid, docs: Vec<PostDocument>) -> BoxFuture<'_, ()> {
        Box::pin(MeiliIndex::index_thread(self, thread, docs))
    }

    fn replace_all_posts(&self, docs: Vec<PostDocument>) -> BoxFuture<'_, ()> {
        Box::pin(MeiliIndex::replace_all_posts(self, docs))
    }

    fn count_posts(&self) -> BoxFuture<'_, u64> {
        Box::pin(MeiliIndex::count_posts(self))
    }

    fn search_posts<'a>(&'a self, q: PostQuery<'a>) -> BoxFuture<'a, PostResults> {
        Box::pin(MeiliIndex::search_posts(self, q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Level;
    use crate::search::DurationBand;

    #[test]
    fn filters_become_one_expression() {
        let f = Filters {
            sdg: vec![11, 13],
            level: vec![Level::Beginner],
            duration: vec![DurationBand::From1To3h],
            ..Default::default()
        };
        assert_eq!(
            filter_expression(&f),
            r#"sdgs IN [11, 13] AND level IN ["beginner"] AND duration_band IN ["1_3h"]"#
        );
        assert_eq!(filter_expression(&Filters::default()), "");
    }

    #[test]
    fn settings_carry_the_synonyms_both_ways() {
        let s = settings();
        let syn = s.synonyms.unwrap();
        assert!(syn["vlr"].contains(&"voluntary local review".to_string()));
        assert!(syn["voluntary local review"].contains(&"vlr".to_string()));
        assert!(syn["rrd"].contains(&"disaster risk reduction".to_string()));
    }
}
